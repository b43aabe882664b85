"""The accumulation and normalisation mistake spaces, built from the oracles (issue 26): each
family's default output is the check's expected value; the alternatives added for what
students get wrong (a global statistic for a per-column one, the running statistics not
updated, the residual's sign, weights n_i or n_i / (N k), min-max scaling, the notes' loss / k
as a course trap), written as a student writes them, are named exactly by the real checks;
a correct answer computed in float32, or a wrong one no mistake reproduces, is named
nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from grader.judging import registry
from grader.judging.builders import flatten
from grader.judging.check import run_in_process
from grader.judging.misconceptions import accumulation, library, normalization
from tests.grader import test_families_norm as families

A = "accumulation_normalization"
ROOT = Path(__file__).resolve().parents[2]
registry.load_builtin()


@pytest.mark.parametrize("check", sorted(families.FAMILY_OF))
def test_the_default_run_is_the_checks_expected_value(check: str) -> None:
    """run(inputs) with every part at its default equals the check's expected value (the
    reference functions' output), so the space cannot drift from the oracle."""
    family = families.FAMILY_OF[check]
    got = np.ravel(library.SPACES[family](families._inputs(check)))
    want = np.asarray(flatten(registry.get(f"{A}.{check}").answer().value), dtype=np.float64)
    assert got.shape == want.shape
    assert np.allclose(got, want, rtol=1e-12, atol=0), np.abs(got - want).max()


# (check, the student's code, the mistake it makes): each written as a student writes it
NEW = [
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            gw, gb = np.zeros(len(w)), 0.0
            for idx in micro_batches:       # gradient of the sum of squared errors
                r = X[idx] @ w + b - y[idx]
                gw = gw + 2 * X[idx].T @ r
                gb = gb + 2 * r.sum()
            return np.append(gw, gb)
        """,
        "accum_not_divided_by_N",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            k, total = len(micro_batches), np.zeros(len(w) + 1)
            for idx in micro_batches:
                r = X[idx] @ w + b - y[idx]
                g = np.append(2 * X[idx].T @ r / len(idx), 2 * np.mean(r))
                total += g * (len(idx) / len(X)) / k      # the weight, and the notes' / k
            return total
        """,
        "accum_share_and_divided_by_k",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            total = np.zeros(len(w) + 1)
            for idx in micro_batches:
                err = y[idx] - (X[idx] @ w + b)
                g = np.append(2 * X[idx].T @ err / len(idx), 2 * err.mean())
                total += g * len(idx) / len(X)
            return total
        """,
        "accum_residual_sign",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            accumulation_steps = len(micro_batches)
            gw, gb = np.zeros_like(w), 0.0
            for idx in micro_batches:                 # the notes' loop: loss / k
                r = X[idx] @ w + b - y[idx]
                gw += 2 * X[idx].T @ r / len(idx) / accumulation_steps
                gb += 2 * r.mean() / accumulation_steps
            return np.append(gw, gb)
        """,
        "uneven_last_micro_batch",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0)
            return (x - mean) / np.sqrt(var + eps) * gamma + beta, running_mean, running_var
        """,
        "bn_running_not_updated",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(), x.var()
            y = (x - mean) / np.sqrt(var + eps) * gamma + beta
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * x.var(ddof=1)
            return y, new_mean, new_var
        """,
        "bn_global_stats",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0)
            y = (x - mean) / np.sqrt(var + eps) * gamma + beta
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * var
            return y, new_mean, new_var
        """,
        "bn_biased_running_var",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0)
            y = (x - mean) / np.sqrt(var + eps) * gamma + beta
            new_mean = momentum * running_mean + (1 - momentum) * mean
            new_var = (1 - momentum) * running_var + momentum * x.var(axis=0, ddof=1)
            return y, new_mean, new_var
        """,
        "bn_momentum_flipped_mean",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            y = (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta
            m = len(x)
            new_mean = (1 - momentum) * running_mean + momentum * x.mean(axis=0)
            new_var = (1 - momentum) * running_var + momentum * x.var(axis=0) * m / (m - 1)
            return y, new_mean, new_var
        """,
        "bn_running_stats_in_training",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(), x.var()
            y = (x - mean) / (np.sqrt(var) + eps) * gamma + beta
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * x.var(ddof=1)
            return y, new_mean, new_var
        """,
        "bn_global_stats+bn_eps_outside_sqrt",
    ),
    (
        "layer_norm",
        """
        def layer_norm(x, gamma, beta, eps=1e-5):
            mu = x.mean(axis=-1, keepdims=True)
            sd = x.std(axis=-1, keepdims=True)
            return (x - mu) / (sd + eps) * gamma + beta
        """,
        "ln_eps_outside_sqrt",
    ),
    (
        "group_norm",
        """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            x_hat = (x - x.mean()) / np.sqrt(x.var() + eps)
            return x_hat * gamma.reshape(1, -1, 1) + beta.reshape(1, -1, 1)
        """,
        "gn_global_stats",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            mu, sigma = X_train.mean(), X_train.std()
            return (X_train - mu) / sigma, (X_test - mu) / sigma
        """,
        "std_global_stats",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            scale = lambda X: (X - X.mean()) / X.std()
            return scale(X_train), scale(X_test)
        """,
        "std_test_own_stats+std_global_stats",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            lo, hi = X_train.min(axis=0), X_train.max(axis=0)
            return (X_train - lo) / (hi - lo), (X_test - lo) / (hi - lo)
        """,
        "std_min_max",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            rows = lambda X: (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
            return rows(X_train), rows(X_test)
        """,
        "std_per_row",
    ),
]


@pytest.mark.parametrize(("check", "code", "mistake"), NEW, ids=[f"{c}-{m}" for c, _, m in NEW])
def test_a_students_mistake_is_named_exactly(check: str, code: str, mistake: str) -> None:
    result = run_in_process(f"{A}.{check}", families._namespace(code))
    assert result.status == "failed"
    assert result.diagnosis is not None, result.feedback
    assert result.diagnosis.mistake == mistake, result.feedback
    known = [registry.MISCONCEPTIONS[m] for m in mistake.split("+")]
    assert result.diagnosis.title == " and ".join(m.title for m in known)
    assert result.diagnosis.fix == " ".join(m.fix for m in known)
    assert library.named_text(result.diagnosis) in result.feedback


def test_the_notes_loss_over_k_is_a_course_trap_whose_fix_cites_the_notes() -> None:
    """The notes' accumulation loop divides every loss by k: named, with a fix that cites the
    notes' file and section and says why the assignment weights by n_i / N."""
    fix = registry.MISCONCEPTIONS["uneven_last_micro_batch"].fix
    notes = ROOT / accumulation.NOTES
    assert accumulation.NOTES in fix and notes.is_file()
    section = "Gradient Accumulation (Simulating Large Batches)"
    assert section in fix and f"## {section}" in notes.read_text()
    assert "loss / accumulation_steps" in notes.read_text() and "accumulation_steps" in fix
    assert "n_i / N" in fix and "equal" in fix  # why: 1/k = n_i / N only for equal sizes
    both = registry.MISCONCEPTIONS["accum_share_and_divided_by_k"].fix
    assert accumulation.NOTES in both and "n_i / N" in both


def test_the_notes_undefined_batch_of_one_is_a_course_trap_named_with_its_twins() -> None:
    """bn_y returned as NaN because the notes call a batch of one undefined: named, together
    with the slips that give the same NaNs (the values cannot tell them apart), and the
    trap's fix cites the notes' section and says what the formula with eps gives."""
    code = """
    def one_sample_outputs(x, gamma, beta, eps=1e-5):
        # One sample: the batch variance is undefined, BatchNorm cannot normalise.
        x = np.asarray(x, dtype=float)
        bn_y = np.full(x.shape, np.nan)
        mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
        return bn_y, (x - mean) / np.sqrt(var + eps) * gamma + beta
    """
    result = run_in_process(f"{A}.one_sample", families._namespace(code))
    trap = registry.MISCONCEPTIONS["one_bn_undefined"]
    assert result.status == "failed" and _named(result) == "one_bn_undefined", result.feedback
    assert result.diagnosis.title.startswith(library.SAME_VALUES)
    twins = {"one_bn_unbiased_var", "one_bn_eps_dropped", "one_bn_eps_subtracted"}
    assert set(result.diagnosis.candidates) == {"one_bn_undefined", *twins}
    assert trap.title in result.feedback and trap.fix in result.diagnosis.fix
    notes = (ROOT / normalization.NOTES).read_text()
    assert normalization.NOTES in trap.fix and "The Problem with Small Batches" in notes
    assert "The Problem with Small Batches" in trap.fix and "undefined" in notes
    assert "beta" in trap.fix and "eps" in trap.fix


def _float32(fn):
    """The student's function on float32 copies of its float inputs, returning float32."""

    def cast(v):
        if (isinstance(v, np.ndarray) and v.dtype.kind == "f") or isinstance(v, float):
            return np.float32(v) if isinstance(v, float) else v.astype(np.float32)
        return v

    def go(*args, **kwargs):
        out = fn(*[cast(a) for a in args], **{k: cast(v) for k, v in kwargs.items()})
        if isinstance(out, tuple):
            return tuple(np.asarray(o, dtype=np.float32) for o in out)
        return np.asarray(out, dtype=np.float32)

    return go


@pytest.mark.parametrize("check", sorted(families.CHECKS))
def test_a_correct_float32_answer_or_an_unknown_wrong_one_is_named_nothing(check: str) -> None:
    ns = families._namespace("")
    name = families.CHECKS[check]
    correct = ns[name]
    result = run_in_process(f"{A}.{check}", {name: _float32(correct)})
    assert _named(result) is None, result.feedback

    def off(*args, **kwargs):
        out = correct(*args, **kwargs)
        bump = lambda v: np.asarray(v, dtype=float) * (1 + 1e-4) + 1e-4  # noqa: E731
        return tuple(bump(o) for o in out) if isinstance(out, tuple) else bump(out)

    result = run_in_process(f"{A}.{check}", {name: off})
    assert result.status == "failed" and _named(result) is None, result.feedback


def _named(result) -> str | None:
    """The mistake a check's result names, if any."""
    return result.diagnosis.mistake if result.diagnosis is not None else None
