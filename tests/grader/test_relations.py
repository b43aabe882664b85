"""Relations and message rules of issue 13 on real student-style code through the real checks
(``run_in_process``, as nbgrader's hidden cells run them): each mistake below reproduces its
relation exactly, and the message says it. The explainer speaks where the misconception
library names nothing; the library grows, so these tests let it find nothing, except
``test_a_library_mistake_comes_before_any_relation``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.evidence import Diagnosis
from grader.judging import judges, misconceptions, registry
from grader.judging.builders import series_check
from grader.judging.check import run_in_process
from grader.judging.explain import Context, variance_relations
from grader.judging.judges import ARRAY_LIKE


@pytest.fixture
def library_finds_nothing(monkeypatch):
    def nothing(*args, **kwargs):
        return Diagnosis(mistake=None, title="no known mistake matches")

    monkeypatch.setattr(misconceptions, "diagnose", nothing)


@pytest.fixture
def plain_layer_norm():
    """LayerNorm with gamma = 1 and beta = 0 (the course's check has its own gamma and beta):
    the output is normalised itself, so the axes it is normalised over can be read off it."""
    from reference.normalization import layer_norm

    x = np.random.default_rng(7).normal(size=(4, 6))
    check = series_check(
        "test_relations.layer_norm",
        name="LayerNorm, no affine",
        points=1,
        target="layer_norm",
        args=(x, np.ones(6), np.zeros(6)),
        expected=lambda: layer_norm(x, np.ones(6), np.zeros(6)),
        accept=ARRAY_LIKE,
        what="output entry",
        parts=("y",),
        context=Context(eps=1e-5),
        rtol=1e-8,
        atol=1e-10,
    )
    yield check.id
    registry.CHECKS.pop(check.id, None)


def run(check_id: str, **namespace):
    registry.load_builtin()
    return run_in_process(check_id, {"np": np, "math": math, **namespace})


# --- student-style code ---------------------------------------------------------------------


def accumulating_trainer(loss=np.mean):
    """train_accumulated as the task asks, with the logged loss computed by ``loss``."""

    def train_accumulated(X, y, w0, b0, *, order, lr, batch_size, epochs, accumulation_steps):
        w, b, losses = np.asarray(w0, dtype=float), float(b0), []
        for epoch in range(epochs):
            perm = np.asarray(order[epoch])
            starts = list(range(0, len(perm), batch_size))
            gw, gb = np.zeros_like(w), 0.0
            for i, start in enumerate(starts):
                idx = perm[start : start + batch_size]
                r = X[idx] @ w + b - y[idx]
                losses.append(float(loss(r**2)))
                gw = gw + 2 * X[idx].T @ r / len(idx) / accumulation_steps
                gb = gb + 2 * np.mean(r) / accumulation_steps
                if (i + 1) % accumulation_steps == 0 or i + 1 == len(starts):
                    w, b = w - lr * gw, b - lr * gb
                    gw, gb = np.zeros_like(w), 0.0
        return losses

    return train_accumulated


def trainer(epochs_run=lambda epochs: range(epochs), report=lambda losses, epochs: losses):
    """gd_variants' train, with the epochs it runs and what it returns made switchable."""

    def train(X, y, w0, b0, *, order, lr, batch_size, epochs):
        losses = []
        w, b = np.array(w0, dtype=float), float(b0)
        for epoch in epochs_run(epochs):
            perm = np.asarray(order[epoch])
            for start in range(0, len(perm), batch_size):
                idx = perm[start : start + batch_size]
                r = X[idx] @ w + b - y[idx]
                losses.append(float(np.mean(r**2)))
                w = w - lr * 2 * X[idx].T @ r / len(idx)
                b = b - lr * 2 * np.mean(r)
        return report(losses, epochs)

    return train


def epoch_means(losses, epochs):
    per = len(losses) // epochs
    return [float(np.mean(losses[e * per : (e + 1) * per])) for e in range(epochs)]


def epoch_last(losses, epochs):
    per = len(losses) // epochs
    return losses[per - 1 :: per]


def layer_norm_over(axis):
    def layer_norm(x, gamma, beta, eps=1e-5):
        x = np.asarray(x, dtype=float)
        mean = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, keepdims=True)
        return (x - mean) / np.sqrt(var + eps) * gamma + beta

    return layer_norm


def gradients(*, replace=True, factor=2, bias_first=False, target_sign=-1):
    def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(trials):
            if replace:
                idx = rng.integers(0, len(X), size=batch_size)
            else:
                idx = rng.choice(len(X), size=batch_size, replace=False)
            r = X[idx] @ w + b + target_sign * y[idx]
            out.append(np.append(factor * X[idx].T @ r / batch_size, 2 * r.mean()))
        out = np.array(out)
        return out[:, [-1, *range(out.shape[1] - 1)]] if bias_first else out

    return minibatch_gradients


# --- relations ------------------------------------------------------------------------------


def test_a_factor_that_several_named_factors_equal_is_not_pinned_on_one(library_finds_nothing):
    # B = k = 2 in the public self-check: a loss logged as the batch's sum is exactly twice
    # the reference's, and 2 is also k and the factor 2 of r^2: the values cannot tell which
    result = run(
        "accumulation_normalization.accumulation_trainer_public",
        train_accumulated=accumulating_trainer(loss=np.sum),
    )
    assert result.diagnosis.relation == "ratio:B|k|2"
    assert "Every value is exactly 2, which is B, the batch size and also k, the number" in (
        result.feedback
    )
    assert "(the values alone cannot tell which)" in result.feedback
    assert "either a sum over the batch" in result.feedback and "; or " in result.feedback


def test_a_library_mistake_comes_before_any_relation():
    result = run(
        "accumulation_normalization.accumulation_trainer_public",
        train_accumulated=accumulating_trainer(loss=np.sum),
    )
    assert result.diagnosis.mistake is not None and result.diagnosis.relation is None
    assert "exactly the values of a known mistake" in result.feedback


@pytest.mark.parametrize(
    ("report", "relation", "words"),
    [
        (epoch_means, "epoch_means", "the means of the reference's losses over each epoch"),
        (epoch_last, "epoch_last", "the reference's losses at the last step of each epoch"),
    ],
)
def test_one_loss_per_epoch_is_counted_per_epoch(library_finds_nothing, report, relation, words):
    result = run("gd_variants.train_public", train=trainer(report=report))
    assert result.diagnosis.relation == relation
    assert result.feedback.startswith("you returned 2 loss values, the reference 6, one per epoch")
    assert words in result.feedback
    # the count is explained: no epoch arithmetic, no comparison of an epoch with a step
    assert "ceil(N/B)" not in result.feedback and "step 0" not in result.feedback


def test_a_run_one_epoch_short_keeps_the_epoch_hint(library_finds_nothing):
    result = run("gd_variants.train_public", train=trainer(epochs_run=lambda e: range(e - 1)))
    assert result.diagnosis.relation == "prefix:epoch"
    assert "you returned 3 loss values, the reference 6" in result.feedback
    assert "ceil(N/B)" in result.feedback and "without its last epoch" in result.feedback


@pytest.mark.parametrize(
    ("axis", "words"),
    [(0, "mean 0 and variance 1 over axis=0"), (None, "over the whole array")],
)
def test_statistics_over_the_wrong_axis(library_finds_nothing, plain_layer_norm, axis, words):
    result = run(plain_layer_norm, layer_norm=layer_norm_over(axis))
    assert result.diagnosis.relation == "axis"
    assert words in result.feedback and "the reference's over axis=1" in result.feedback
    assert "compute the mean and the variance over axis=1" in result.feedback
    assert result.plot.ylabel == "value of the entry"
    assert result.plot.xlabel == "entry of y (flattened, shape (4, 6))"


def test_one_transposed_item_of_a_tuple_is_named(library_finds_nothing):
    def standardize(X_train, X_test):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        return (X_train - mean) / std, ((X_test - mean) / std).T

    result = run("accumulation_normalization.standardize", standardize=standardize)
    assert result.feedback.startswith("Z_test (item 2 of standardize(...)) has shape (3, 5)")
    assert result.diagnosis.relation == "component:Z_test+transpose"
    assert "Only Z_test differs (Z_train matches)" in result.feedback
    assert "exactly the reference transposed (shape (3, 5) for (5, 3))" in result.feedback


def test_iterates_in_the_plane_without_x0(library_finds_nothing):
    def saddle_iterates(p0, lr, steps):
        p, out = np.array(p0, dtype=float), []
        for _ in range(steps):
            p = p - lr * np.array([2 * p[0], -2 * p[1]])
            out.append(p.copy())
        return np.array(out)

    result = run("gd_basics.saddle", saddle_iterates=saddle_iterates)
    assert result.feedback.startswith("saddle_iterates(...) has shape (20, 2), expected (21, 2)")
    assert result.diagnosis.relation == "suffix:step"
    assert "without x_0, the start: include the starting value" in result.feedback


def test_step_counts_beside_matching_stop_reasons(library_finds_nothing):
    def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
        x = float(x0)
        for step in range(max_steps):
            if abs(2 * x) <= grad_tol:  # the task's rule is strict: < grad_tol
                return ("grad_tol", step)
            old, x = x * x, x - lr * 2 * x
            if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
                return ("diverged", step + 1)
            if abs(x * x - old) < loss_tol:
                return ("loss_tol", step + 1)
        return ("max_steps", max_steps)

    result = run("gd_basics.stopping_rules", descend_until=descend_until)
    assert result.diagnosis.relation == "offset:-1"
    assert "where your values differ from the reference, each is exactly one less" in (
        result.feedback.lower()
    )


def test_silent_on_correct_work(library_finds_nothing, plain_layer_norm):
    assert run("gd_variants.train_public", train=trainer()).diagnosis is None
    assert run(plain_layer_norm, layer_norm=layer_norm_over(-1)).status == "passed"
    assert run("gd_variants.variance", minibatch_gradients=gradients()).status == "passed"


# --- hints only where their condition holds --------------------------------------------------


def test_with_replacement_is_hinted_only_for_the_variance_it_explains():
    without = run("gd_variants.variance", minibatch_gradients=gradients(replace=False))
    assert without.diagnosis.relation == "without_replacement"
    assert "(N - B) / (N - 1) = 0.615 times the expected" in without.feedback
    assert "draw the indices with replacement" in without.feedback
    half = run("gd_variants.variance", minibatch_gradients=gradients(factor=1))
    assert half.diagnosis.relation == "ratio:1/2"
    assert "is 1/4 of the expected: your dL/dw_1 is half the reference's" in half.feedback
    assert "replacement" not in half.feedback


def test_columns_in_another_order_are_named_by_their_variance():
    result = run("gd_variants.variance", minibatch_gradients=gradients(bias_first=True))
    assert result.diagnosis.relation == "columns"
    assert "Your dL/dw_1 column has the variance dL/db should have" in result.feedback
    assert "replacement" not in result.feedback


def test_one_column_with_another_columns_variance_is_not_called_a_swap():
    # r = Xw + b + y: every column's variance is off; one of them happens to be near the
    # variance another column should have, but no order of the columns explains them all
    result = run("gd_variants.variance", minibatch_gradients=gradients(target_sign=1))
    assert result.status == "failed"
    assert result.diagnosis is None or result.diagnosis.relation != "columns"
    assert "another order" not in result.feedback


def test_a_library_mistake_replaces_the_relation_and_its_hint():
    def batch_bytes(batch_size, n_features):
        return batch_size * n_features * 8

    result = run("gd_variants.batch_memory", batch_bytes=batch_bytes)
    assert result.diagnosis.mistake is not None and result.diagnosis.relation is None
    assert result.feedback.startswith("batch_bytes(...) is [2560, 1605632]; expected")
    assert "r^2" not in result.feedback and "Every value" not in result.feedback


def test_a_variance_band_names_a_mistake_only_when_one_band_alone_holds_it():
    relations = variance_relations(16, 40, "g")
    low, high = 0.9, 1.1
    fits = judges.band(0.62, low=low, high=high, what="v", scaled=relations)
    assert fits.diagnosis.relation == "without_replacement"
    nothing = judges.band(2.0, low=low, high=high, what="v", scaled=relations)
    assert nothing.diagnosis is None and nothing.feedback == "v = 2 is outside [0.9, 1.1]"


def test_band_hints_by_side_and_counts_out_of_n():
    kw = {"low": 0.66, "high": 0.9, "what": "accuracy", "above": "UP", "below": "DOWN"}
    assert judges.band(0.97, **kw).feedback.endswith(". UP")
    assert judges.band(0.3, **kw).feedback.endswith(". DOWN")
    count = judges.band(120, **kw, factors={"N": 150})
    assert count.diagnosis.relation == "ratio:N" and "UP" not in count.feedback
    assert "120 is 150 times 0.8, which is inside the band: a count out of N = 150" in (
        count.feedback
    )
    percent = judges.band(80.0, **kw, factors={"N": 150})
    assert percent.diagnosis.relation == "ratio:100"


def test_a_band_shows_the_digits_that_separate_a_value_from_its_bound():
    verdict = judges.band(0.659994, low=0.66, high=1.0, what="accuracy")
    assert verdict.feedback == "accuracy = 0.65999 is outside [0.66, 1]"


def test_iterates_get_the_iterate_hint_not_the_epoch_hint(library_finds_nothing):
    def gd_iterates(x0, lr, steps):
        xs = [float(x0)]
        for _ in range(steps - 1):
            xs.append(xs[-1] - lr * 2 * xs[-1])
        return xs

    result = run("gd_basics.exit_ticket_diverge", gd_iterates=gd_iterates)
    assert "steps + 1 in all" in result.feedback and "ceil(N/B)" not in result.feedback
    assert result.diagnosis.relation == "prefix:step"
