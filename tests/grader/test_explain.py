"""The relation explainer (grader.judging.explain): every relation reproduced exactly from the
reference and named in the message; silence on correct work, rounding and noise; entries
named as the student indexes them, with the digits that show the difference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.evidence import Evidence
from grader.judging import judges, registry
from grader.judging.builders import linreg_problem, trainer_context
from grader.judging.check import run_in_process
from grader.judging.explain import Context, explain
from grader.judging.layout import Layout, Part, pair
from grader.judging.misconceptions.linreg_trainer import reference_losses

HYPER = {"lr": 0.05, "batch_size": 8, "epochs": 3}
INPUTS = {**linreg_problem(5, 40, 2, 3), **HYPER}
REF = np.asarray(reference_losses(INPUTS), dtype=np.float64)
CTX = trainer_context(40, HYPER)  # B = 8, N = 40, 5 steps per epoch
SPE = 5


@pytest.fixture(autouse=True)
def library_finds_nothing(monkeypatch):
    """The explainer speaks where no known mistake of the library matches; the library grows
    (other families may come to name these outputs), so here it finds nothing, as it does
    for a mistake it does not hold (test_relations.py runs the real library once, to show it
    comes first)."""
    from grader.evidence import Diagnosis
    from grader.judging import misconceptions

    def nothing(*args, **kwargs):
        return Diagnosis(mistake=None, title="no known mistake matches")

    monkeypatch.setattr(misconceptions, "diagnose", nothing)


def judged(student) -> judges.Verdict:
    ev = Evidence(check_id="t", losses=[float(v) for v in student])
    return judges.trajectory(ev, REF, context=CTX)


def run(check_id: str, **namespace):
    registry.load_builtin()
    return run_in_process(f"{check_id}", {"np": np, "math": math, **namespace})


# --- each relation, with the student's output built from the reference by it -------------


@pytest.mark.parametrize(
    ("factor", "relation", "words"),
    [
        (8, "ratio:B", "exactly 8 (= B, the batch size) times"),
        (1 / 8, "ratio:1/B", "exactly 1/8 (= 1/B, the batch size) times"),
        (0.5, "ratio:1/2", "missing factor 2"),
        (100, "ratio:100", "factor 100 too many"),
        (40, "ratio:N", "the number of samples"),
        (-1, "sign", "sign flipped"),
    ],
)
def test_a_scaled_trajectory_names_the_factor(factor, relation, words):
    verdict = judged(REF * factor)
    assert verdict.status == "failed" and verdict.diagnosis.relation == relation
    assert words in verdict.feedback and verdict.diagnosis.mistake is None


def test_an_unnamed_constant_ratio_is_stated_with_its_value():
    verdict = judged(REF * 0.731)
    assert verdict.diagnosis.relation == "ratio"
    assert "exactly 0.731 times the reference's" in verdict.feedback


def test_k_is_named_for_an_accumulating_trainer():
    ctx = trainer_context(48, {"batch_size": 4, "accumulation_steps": 3})
    assert explain(REF / 3, REF, ctx).id == "ratio:1/k"


def test_a_trajectory_shifted_by_one_epoch_or_one_step():
    ahead = np.concatenate([REF[SPE:], REF[-SPE:]])  # the first epoch skipped
    verdict = judged(ahead)
    assert verdict.diagnosis.relation == "shift:epoch" and "one epoch early" in verdict.feedback
    late = np.concatenate([[REF[0]], REF[:-1]])
    assert judged(late).diagnosis.relation == "shift:step"


def test_a_run_one_epoch_short_or_per_epoch_means():
    short = judged(REF[:-SPE])
    assert short.diagnosis.relation == "prefix:epoch"
    assert "without its last epoch" in short.feedback and "range(n - 1)" in short.feedback
    means = judged(REF.reshape(-1, SPE).mean(axis=1))
    assert means.diagnosis.relation == "epoch_means"
    assert "means of the reference's losses over each epoch" in means.feedback


def test_step_decay_off_by_one_epoch_is_a_shift():
    def step_decay_lrs(lr0, drop, every, epochs):
        return [lr0 * drop ** math.floor((2 + n) / every) for n in range(epochs)]

    result = run("lr_rules.step_decay_notes", step_decay_lrs=step_decay_lrs)
    assert result.diagnosis.relation == "shift:step"
    assert "your value at step k is the reference's at step k + 1" in result.feedback


def test_an_update_up_the_gradient_is_a_step_in_the_opposite_direction():
    result = run("gd_basics.update_rule_vector", update=lambda w, g, lr: w + lr * np.asarray(g))
    assert result.diagnosis.relation == "step:-1"
    assert "update(...)[0] is 1.075; expected 0.925" in result.feedback
    assert "opposite direction" in result.feedback


def test_iterates_without_the_factor_2_take_half_a_first_step():
    def gd_iterates(x0, lr, steps):
        xs = [float(x0)]
        for _ in range(steps):
            xs.append(xs[-1] - lr * xs[-1])
        return xs

    result = run("gd_basics.exit_ticket_diverge", gd_iterates=gd_iterates)
    assert result.diagnosis.relation == "step:1/2" and "missing factor 2" in result.feedback


def test_iterates_without_x0_miss_the_start():
    def gd_iterates(x0, lr, steps):
        xs = [float(x0)]
        for _ in range(steps):
            xs.append(xs[-1] - lr * 2 * xs[-1])
        return xs[1:]

    result = run("gd_basics.exit_ticket_diverge", gd_iterates=gd_iterates)
    assert result.diagnosis.relation == "suffix:step" and "x_0, the start" in result.feedback


def _batchnorm(*, eps_in=True, mean_factor=1.0):
    def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
        x = np.asarray(x, dtype=float)
        m = len(x)
        mean, var = x.mean(axis=0), x.var(axis=0)
        y = (x - mean) / np.sqrt(var + (eps if eps_in else 0.0)) * gamma + beta
        new_mean = ((1 - momentum) * running_mean + momentum * mean) * mean_factor
        new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
        return y, new_mean, new_var

    return batchnorm_train


def test_one_wrong_component_is_named_with_its_index_and_relation():
    result = run(
        "accumulation_normalization.batchnorm_train", batchnorm_train=_batchnorm(mean_factor=2)
    )
    assert result.feedback.startswith("running_mean[0] = ")
    assert "(3 of 24 entries differ)" in result.feedback
    assert "Only running_mean differs from the reference (y and running_var match)" in (
        result.feedback
    )
    assert result.diagnosis.relation == "component:running_mean+ratio:2"
    assert result.plot.xlabel == "entry (y: 0-17, running_mean: 18-20, running_var: 21-23)"


def test_eps_left_out_is_a_tiny_systematic_difference_with_enough_digits():
    result = run(
        "accumulation_normalization.batchnorm_train", batchnorm_train=_batchnorm(eps_in=False)
    )
    assert result.diagnosis.relation == "component:y+eps"
    assert "y[0, 0] = 1.359639 differs from the reference 1.359637" in result.feedback
    assert "the size of an eps = 1e-05 term" in result.feedback


def test_the_one_wrong_returned_item_of_standardize():
    def standardize(X_train, X_test):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        return (X_train - mean) / std, -(X_test - mean) / std

    result = run("accumulation_normalization.standardize", standardize=standardize)
    assert result.feedback.startswith("Z_test[0, 0] = ")
    assert result.diagnosis.relation == "component:Z_test+sign"


def test_a_gradient_with_only_db_wrong_names_db():
    def accumulated_gradient(X, y, w, b, micro_batches):
        total = np.zeros(len(w) + 1)
        for idx in micro_batches:
            r = X[idx] @ w + b - y[idx]
            grad = np.append(2 * X[idx].T @ r / len(idx), np.mean(r))
            total += grad * len(idx) / len(X)
        return total

    result = run(
        "accumulation_normalization.accumulated_gradient", accumulated_gradient=accumulated_gradient
    )
    assert result.feedback.startswith("dL/db = ")
    assert result.diagnosis.relation == "component:dL/db+ratio:1/2"


def test_a_transposed_result():
    want = np.arange(6.0).reshape(2, 3) + 1
    verdict = judges.close(want.T, want, what="f(...)")
    assert verdict.diagnosis.relation == "transpose"
    assert "exactly the reference transposed" in verdict.feedback
    square = np.array([[1.0, 2.0], [3.0, 5.0]])
    ctx = Context(layout=Layout((Part("Z", (2, 2)),)))
    assert explain(square.T, square, ctx).id == "transpose"


def test_counts_off_by_one():
    def count_updates(n, batch_size, drop_last):
        return (n // batch_size if drop_last else math.ceil(n / batch_size)) + 1

    result = run("gd_variants.updates_per_epoch", count_updates=count_updates)
    assert result.diagnosis.relation == "offset:+1" and "exactly one more" in result.feedback


# --- silence --------------------------------------------------------------------------


def test_silent_on_correct_work_and_float32_rounding():
    assert explain(REF, REF, CTX) is None
    assert explain(REF.astype(np.float32), REF, CTX) is None
    bn = np.linspace(-1.7, 2.3, 24)
    assert explain(bn.astype(np.float32), bn, Context(eps=1e-5)) is None
    passed = judged(REF.astype(np.float32))
    assert passed.status == "passed" and passed.diagnosis is None


def test_silent_on_noise_and_on_unrelated_mistakes():
    rng = np.random.default_rng(0)
    noisy = REF * (1 + 1e-3 * rng.normal(size=len(REF)))
    assert explain(noisy, REF, CTX) is None
    wrong_lr = np.asarray(reference_losses({**INPUTS, "lr": 0.07}))
    verdict = judged(wrong_lr)
    assert verdict.status == "failed" and verdict.diagnosis is None
    assert "every value" not in verdict.feedback
    assert explain(noisy[:-SPE], REF, CTX) is None  # shorter, but not a prefix


def test_a_single_value_gets_only_a_named_factor():
    assert explain([0.731], [1.0], Context()) is None
    assert explain([2.0], [1.0], Context()).id == "ratio:2"


# --- names and digits -----------------------------------------------------------------


def test_entries_are_named_as_the_student_indexes_them():
    layout = Layout((Part("Z_train", (4, 2)), Part("Z_test", (5, 2)), Part("b", ())))
    assert layout.name(0) == "Z_train[0, 0]"
    assert layout.name(8 + 3 * 2 + 1) == "Z_test[3, 1]"
    assert layout.name(18) == "b"


def test_numbers_get_the_digits_that_show_the_difference():
    assert pair(1.3596412, 1.3596378) == ("1.359641", "1.359638")
    assert pair(0.5, 0.25) == ("0.5", "0.25")


def test_a_scaled_first_loss_names_the_factor_when_later_steps_differ():
    student = np.asarray(reference_losses({**INPUTS, "lr": 0.07})) * 1.0
    student[0] = REF[0] * 8  # the loss summed over the batch, and the training changed with it
    verdict = judged(student)
    assert verdict.diagnosis.relation == "first:B"
    assert "first loss (before any update) is exactly 8 (= B, the batch size) times" in (
        verdict.feedback
    )


def test_a_percentage_outside_a_fraction_band():
    verdict = judges.band(94.67, low=0.84, high=1.0, what="accuracy", hint="unrelated hint")
    assert verdict.diagnosis.relation == "ratio:100"
    assert "94.67 is 100 times 0.9467" in verdict.feedback
    assert "unrelated hint" not in verdict.feedback
    assert judges.band(0.5, low=0.84, high=1.0, what="accuracy").diagnosis is None


def test_layer_norm_without_eps_is_eps_sized_not_a_bare_ratio():
    def layer_norm(x, gamma, beta, eps=1e-5):
        x = np.asarray(x, dtype=float)
        mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var) * gamma + beta

    result = run("accumulation_normalization.layer_norm", layer_norm=layer_norm)
    assert result.diagnosis.relation == "eps" and "eps = 1e-05" in result.feedback


def test_silent_on_float32_arithmetic_inside_a_float64_answer():
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 3.0, size=(6, 3))
    ref = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) * 1.5 + 0.1
    x32 = x.astype(np.float32)
    z32 = (x32 - x32.mean(0)) / np.sqrt(x32.var(0) + np.float32(1e-5))
    student = z32.astype(np.float64) * 1.5 + 0.1  # float64 values, float32 rounding inside
    assert explain(student, ref, Context(eps=1e-5)) is None
