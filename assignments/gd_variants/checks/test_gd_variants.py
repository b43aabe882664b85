r"""gd_variants, graded with plain pytest: a test per grade cell of
the source notebook, with its points and its judge (17 points in all).

    pytest --submission NB --assignment gd_variants \
        assignments/gd_variants/checks/ --gradescope-json out.json
"""

import pytest


@pytest.mark.points(2)
def test_updates_per_epoch(submission):
    result = submission.check("gd_variants.updates_per_epoch")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_train_public(submission):
    result = submission.check("gd_variants.train_public")
    assert result.status == "passed", result.feedback


@pytest.mark.points(3)
def test_minibatch(submission):
    result = submission.check("gd_variants.minibatch")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_batch_gd(submission):
    result = submission.check("gd_variants.batch_gd")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_sgd(submission):
    result = submission.check("gd_variants.sgd")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_unbiased(submission):
    result = submission.check("gd_variants.unbiased")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_variance(submission):
    result = submission.check("gd_variants.variance")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_time_per_epoch(submission):
    result = submission.check("gd_variants.time_per_epoch")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_batch_memory(submission):
    result = submission.check("gd_variants.batch_memory")
    assert result.status == "passed", result.feedback
