r"""accumulation_normalization, graded with plain pytest: a test per grade cell of
the source notebook, with its points and its judge (17 points in all).

    pytest --submission NB --assignment accumulation_normalization \
        assignments/accumulation_normalization/checks/ --gradescope-json out.json
"""

import pytest


@pytest.mark.points(2)
def test_accumulated_gradient(submission):
    result = submission.check("accumulation_normalization.accumulated_gradient")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_accumulation_trainer_public(submission):
    result = submission.check("accumulation_normalization.accumulation_trainer_public")
    assert result.status == "passed", result.feedback


@pytest.mark.points(3)
def test_accumulation_trainer(submission):
    result = submission.check("accumulation_normalization.accumulation_trainer")
    assert result.status == "passed", result.feedback


@pytest.mark.points(3)
def test_batchnorm_train(submission):
    result = submission.check("accumulation_normalization.batchnorm_train")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_batchnorm_eval(submission):
    result = submission.check("accumulation_normalization.batchnorm_eval")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_one_sample(submission):
    result = submission.check("accumulation_normalization.one_sample")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_layer_norm(submission):
    result = submission.check("accumulation_normalization.layer_norm")
    assert result.status == "passed", result.feedback


@pytest.mark.points(2)
def test_group_norm(submission):
    result = submission.check("accumulation_normalization.group_norm")
    assert result.status == "passed", result.feedback


@pytest.mark.points(1)
def test_standardize(submission):
    result = submission.check("accumulation_normalization.standardize")
    assert result.status == "passed", result.feedback
