"""gd_basics graded with plain pytest: the same judges and points as the hidden test cells.

pytest --submission path/to/gd_basics.ipynb assignments/gd_basics/checks/ --gradescope-json out.json
"""

import pytest


@pytest.mark.points(1)
def test_update_rule(submission):
    result = submission.check("gd_basics.update_rule")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_exit_ticket_diverges_at_1_2(submission):
    result = submission.check("gd_basics.exit_ticket_diverge")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_stability_rule(submission, oracle):
    result = submission.check("gd_basics.stability_rule")
    assert result.status == "passed", result.feedback
    assert oracle.descent.is_stable(0.5, 2.0)


@pytest.mark.points(3)
def test_momentum(submission):
    result = submission.check("gd_basics.momentum")
    assert result.status == "passed", result.feedback
