r"""gd_basics, graded with plain pytest: a test per grade cell of
the source notebook, with its points and its judge (17 points in all).

    pytest --submission NB --assignment gd_basics \
        assignments/gd_basics/checks/ --gradescope-json out.json
"""

import pytest


@pytest.mark.points(1)
def test_update_rule(submission):
    result = submission.check("gd_basics.update_rule")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_update_rule_vector(submission):
    result = submission.check("gd_basics.update_rule_vector")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_exit_ticket(submission):
    result = submission.check("gd_basics.exit_ticket")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_exit_ticket_diverge(submission):
    result = submission.check("gd_basics.exit_ticket_diverge")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_stability_rule(submission):
    result = submission.check("gd_basics.stability_rule")
    assert result.status == "passed", result.feedback


@pytest.mark.points(3)
def test_stopping_rules(submission):
    result = submission.check("gd_basics.stopping_rules")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_saddle(submission):
    result = submission.check("gd_basics.saddle")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_momentum_zero_is_gd(submission):
    result = submission.check("gd_basics.momentum_zero_is_gd")
    assert result.status == "passed", result.feedback


@pytest.mark.points(3)
def test_momentum(submission):
    result = submission.check("gd_basics.momentum")
    assert result.status == "passed", result.feedback
