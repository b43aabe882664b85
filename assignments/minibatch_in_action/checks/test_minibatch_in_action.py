r"""minibatch_in_action, graded with plain pytest: a test per grade cell of
the source notebook, with its points and its judge (10 points in all).

    pytest --submission NB --assignment minibatch_in_action \
        assignments/minibatch_in_action/checks/ --gradescope-json out.json
"""

import pytest


@pytest.mark.points(2)
def test_batch_sizes(submission):
    result = submission.check("minibatch_in_action.batch_sizes")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_iris_trainer_public(submission):
    result = submission.check("minibatch_in_action.iris_trainer_public")
    assert result.status == "passed", result.feedback


@pytest.mark.points(3)
def test_iris_trainer(submission):
    result = submission.check("minibatch_in_action.iris_trainer")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_sorted_order(submission):
    result = submission.check("minibatch_in_action.sorted_order")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_sweep(submission):
    result = submission.check("minibatch_in_action.sweep")
    assert result.status == "passed", result.feedback
