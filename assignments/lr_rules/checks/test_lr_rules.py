r"""lr_rules, graded with plain pytest: a test per grade cell of
the source notebook, with its points and its judge (16 points in all).

    pytest --submission NB --assignment lr_rules \
        assignments/lr_rules/checks/ --gradescope-json out.json
"""

import pytest


@pytest.mark.points(2)
def test_time_based(submission):
    result = submission.check("lr_rules.time_based")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_step_decay_notes(submission):
    result = submission.check("lr_rules.step_decay_notes")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_step_lr(submission):
    result = submission.check("lr_rules.step_lr")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_exponential(submission):
    result = submission.check("lr_rules.exponential")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_linear_scaling(submission):
    result = submission.check("lr_rules.linear_scaling")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_warmup(submission):
    result = submission.check("lr_rules.warmup")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_range_test(submission):
    result = submission.check("lr_rules.range_test")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_momentum_weight_decay_public(submission):
    result = submission.check("lr_rules.momentum_weight_decay_public")
    assert result.status == "passed", result.feedback


@pytest.mark.points(3)
def test_momentum_weight_decay(submission):
    result = submission.check("lr_rules.momentum_weight_decay")
    assert result.status == "passed", result.feedback
