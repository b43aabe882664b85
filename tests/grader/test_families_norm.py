"""The accumulation and normalisation families (accumulation_normalization's graded outputs):
students' mistaken code, run through the real checks, is named with the mistake's title and
fix; correct code gets no diagnosis; and every registered slip, returned as a student
would return it, is named or (where another mistake gives the very same output on the
check's inputs) left unnamed, never misnamed."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader.judging import registry
from grader.judging.check import run_in_process
from grader.judging.misconceptions import library

A = "accumulation_normalization"
registry.load_builtin()

CORRECT = """
import numpy as np

def accumulated_gradient(X, y, w, b, micro_batches):
    total = np.zeros(len(w) + 1)
    for idx in micro_batches:
        r = X[idx] @ w + b - y[idx]
        grad = np.append(2 * X[idx].T @ r / len(idx), 2 * np.mean(r))
        total += grad * len(idx) / len(X)
    return total

def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    m = len(x)
    mean, var = x.mean(axis=0), x.var(axis=0)
    y = (x - mean) / np.sqrt(var + eps) * gamma + beta
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    return y, new_mean, new_var

def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta

def one_sample_outputs(x, gamma, beta, eps=1e-5):
    bn_y = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) * gamma + beta
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    return bn_y, (x - mean) / np.sqrt(var + eps) * gamma + beta

def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta

def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    g = x.reshape(x.shape[0], num_groups, -1)
    g = (g - g.mean(axis=2, keepdims=True)) / np.sqrt(g.var(axis=2, keepdims=True) + eps)
    return g.reshape(x.shape) * gamma[None, :, None] + beta[None, :, None]

def standardize(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std
"""

CHECKS = {
    "accumulated_gradient": "accumulated_gradient",
    "batchnorm_train": "batchnorm_train",
    "batchnorm_eval": "batchnorm_eval",
    "one_sample": "one_sample_outputs",
    "layer_norm": "layer_norm",
    "group_norm": "group_norm",
    "standardize": "standardize",
}


def _namespace(code: str) -> dict:
    ns: dict = {}
    exec(textwrap.dedent(CORRECT), ns)  # the correct answers, then the student's own
    exec(textwrap.dedent(code), ns)
    return ns


# (check, the student's code, the mistake it makes)
MISTAKES = [
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            total = np.zeros(len(w) + 1)
            for idx in micro_batches:
                r = X[idx] @ w + b - y[idx]
                total += np.append(2 * X[idx].T @ r / len(idx), 2 * r.mean()) / len(micro_batches)
            return total
        """,
        "uneven_last_micro_batch",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            gw, gb = np.zeros(len(w)), 0.0
            for idx in micro_batches:
                r = X[idx] @ w + b - y[idx]
                gw += 2 * X[idx].T @ r / len(idx)
                gb += 2 * np.mean(r)
            return np.append(gw, gb)
        """,
        "accumulation_not_divided",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            gw, gb = np.zeros(len(w)), 0.0
            for idx in micro_batches:
                r = X[idx] @ w + b - y[idx]
                gw += X[idx].T @ r / len(X)          # d/dw of r^2 is 2 r x: the 2 is lost
                gb += 2 * r.sum() / len(X)
            return np.append(gw, gb)
        """,
        "accum_w_missing_factor_2",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            gw, gb = np.zeros(len(w)), 0.0
            for idx in micro_batches:
                r = X[idx] @ w + b - y[idx]
                share = len(idx) / len(X)
                gw += share * 2 * X[idx].T @ r / len(idx)
                gb += share * 2 * r.sum()             # a sum where the mean belongs
            return np.append(gw, gb)
        """,
        "accum_b_sum_not_mean",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            gw, gb = np.zeros(len(w)), 0.0
            for idx in micro_batches:
                r = X[idx] @ w + b - y[idx]
                gw += 2 * X[idx].T @ r / len(idx) / len(micro_batches)
                gb += 2 * np.mean(r) * len(idx) / len(X)
            return np.append(gw, gb)
        """,
        "uneven_last_micro_batch_w",
    ),
    (
        "accumulated_gradient",
        """
        def accumulated_gradient(X, y, w, b, micro_batches):
            gw, gb = np.zeros(len(w)), 0.0
            for idx in micro_batches:
                r = X[idx] @ w + b - y[idx]
                gw += X[idx].T @ r / len(X)
                gb += r.sum() / len(X)
            return np.append(gw, gb)
        """,
        "accum_w_missing_factor_2+accum_b_missing_factor_2",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0)
            y = (x - mean) / np.sqrt(var) * gamma + beta
            m = x.shape[0]
            rm = (1 - momentum) * running_mean + momentum * mean
            rv = (1 - momentum) * running_var + momentum * var * m / (m - 1)
            return y, rm, rv
        """,
        "bn_eps_dropped",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0)
            y = (x - mean) / np.sqrt(var + eps) * gamma + beta
            rm = momentum * running_mean + (1 - momentum) * mean
            rv = momentum * running_var + (1 - momentum) * x.var(axis=0, ddof=1)
            return y, rm, rv
        """,
        "bn_momentum_flipped",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0)
            y = (x - mean) / (np.sqrt(var) + eps) * gamma + beta
            rm = (1 - momentum) * running_mean + momentum * mean
            rv = (1 - momentum) * running_var + momentum * var
            return y, rm, rv
        """,
        "bn_biased_running_var+bn_eps_outside_sqrt",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)
            y = (x - mean) / np.sqrt(var + eps) * gamma + beta
            rm = (1 - momentum) * running_mean + momentum * mean
            rv = (1 - momentum) * running_var + momentum * var
            return y, rm, rv
        """,
        "bn_unbiased_var",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            n = len(x)
            mean = x.sum(axis=0) / n
            var = ((x - mean) ** 2).sum(axis=0) / n
            y = gamma * (x - mean) / (var + eps) + beta      # no square root
            rm = (1 - momentum) * running_mean + momentum * mean
            rv = (1 - momentum) * running_var + momentum * var * n / (n - 1)
            return y, rm, rv
        """,
        "bn_divided_by_var",
    ),
    (
        "batchnorm_train",
        """
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            mean, var = x.mean(axis=0), x.var(axis=0)
            y = (x - mean) / np.sqrt(var + eps) * beta + gamma
            m = len(x)
            rm = (1 - momentum) * running_mean + momentum * mean
            rv = (1 - momentum) * running_var + momentum * var * m / (m - 1)
            return y, rm, rv
        """,
        "bn_gamma_beta_swapped",
    ),
    (
        "batchnorm_eval",
        """
        def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
            return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) * gamma + beta
        """,
        "bn_eval_batch_stats",
    ),
    (
        "batchnorm_eval",
        """
        def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
            return (x - running_mean) / np.sqrt(running_var + eps) * gamma
        """,
        "bn_eval_beta_left_out",
    ),
    (
        "batchnorm_eval",
        """
        def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
            return (x - running_mean) / (running_var + eps) * gamma + beta
        """,
        "bn_eval_divided_by_var",
    ),
    (
        "one_sample",
        """
        def one_sample_outputs(x, gamma, beta, eps=1e-5):
            ln = (x - x.mean()) / np.sqrt(x.var() + eps) * gamma + beta
            return ln, ln      # BatchNorm over the row, like LayerNorm
        """,
        "one_bn_over_features",
    ),
    (
        "one_sample",
        """
        def one_sample_outputs(x, gamma, beta, eps=1e-5):
            bn = (x - x.mean(0)) / np.sqrt(x.var(0) + eps) * gamma + beta
            return bn, bn      # the same statistics for both
        """,
        "one_ln_over_batch",
    ),
    (
        "one_sample",
        """
        def one_sample_outputs(x, gamma, beta, eps=1e-5):
            bn = (x - x.mean(0)) / np.sqrt(x.var(0) + eps) * beta + gamma
            ln = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps)
            return bn, ln * beta + gamma
        """,
        "one_bn_gamma_beta_swapped+one_ln_gamma_beta_swapped",
    ),
    (
        "layer_norm",
        """
        def layer_norm(x, gamma, beta, eps=1e-5):
            return (x - x.mean()) / np.sqrt(x.var() + eps) * gamma + beta
        """,
        "ln_pooled_over_batch",
    ),
    (
        "layer_norm",
        """
        def layer_norm(x, gamma, beta, eps=1e-5):
            return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) * gamma + beta
        """,
        "ln_batch_axis",
    ),
    (
        "layer_norm",
        """
        def layer_norm(x, gamma, beta, eps=1e-5):
            mu = x.mean(axis=1, keepdims=True)
            sd = x.std(axis=1, ddof=1, keepdims=True)
            return (x - mu) / np.sqrt(sd**2 + eps) * gamma + beta
        """,
        "ln_unbiased_var",
    ),
    (
        "layer_norm",
        """
        def layer_norm(x, gamma, beta, eps=1e-5):
            mu = x.mean(axis=-1, keepdims=True)
            var = x.var(axis=-1, keepdims=True)
            return (x - mu) / np.sqrt(var + eps) + beta
        """,
        "ln_gamma_left_out",
    ),
    (
        "group_norm",
        """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            mu = x.mean(axis=2, keepdims=True)
            var = x.var(axis=2, keepdims=True)
            return (x - mu) / np.sqrt(var + eps) * gamma[:, None] + beta[:, None]
        """,
        "gn_per_channel",
    ),
    (
        "group_norm",
        """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            g = x.reshape(x.shape[0], num_groups, -1)
            mu = g.mean(axis=(0, 2), keepdims=True)
            var = g.var(axis=(0, 2), keepdims=True)
            g = (g - mu) / np.sqrt(var + eps)
            return g.reshape(x.shape) * gamma[None, :, None] + beta[None, :, None]
        """,
        "gn_pooled_over_batch",
    ),
    (
        "group_norm",
        """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            n, c, l = x.shape
            g = x.reshape(n, c // num_groups, num_groups, l)
            g = (g - g.mean(axis=(1, 3), keepdims=True)) / np.sqrt(
                g.var(axis=(1, 3), keepdims=True) + eps
            )
            return g.reshape(n, c, l) * gamma[None, :, None] + beta[None, :, None]
        """,
        "gn_interleaved_groups",
    ),
    (
        "group_norm",
        """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            g = x.reshape(x.shape[0], num_groups, -1)
            var = g.var(axis=2, ddof=1, keepdims=True)
            g = (g - g.mean(axis=2, keepdims=True)) / np.sqrt(var + eps)
            return g.reshape(x.shape) * gamma[None, :, None] + beta[None, :, None]
        """,
        "gn_unbiased_var",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            z = lambda X: (X - X.mean(axis=0)) / X.std(axis=0)
            return z(X_train), z(X_test)
        """,
        "std_test_own_stats",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
            return (X_train - mean) / std, (X_test - mean) / std
        """,
        "std_sample_std",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            both = np.vstack([X_train, X_test])
            mean, std = both.mean(axis=0), both.std(axis=0)
            return (X_train - mean) / std, (X_test - mean) / std
        """,
        "std_pooled_stats",
    ),
    (
        "standardize",
        """
        def standardize(X_train, X_test):
            mean, var = X_train.mean(axis=0), X_train.var(axis=0)
            return (X_train - mean) / var, (X_test - mean) / var
        """,
        "std_divided_by_var",
    ),
]


@pytest.mark.parametrize(
    ("check", "code", "mistake"),
    MISTAKES,
    ids=[f"{c}-{m}" for c, _, m in MISTAKES],
)
def test_a_students_mistake_is_named_with_title_and_fix(check: str, code: str, mistake: str):
    result = run_in_process(f"{A}.{check}", _namespace(code))
    assert result.status == "failed"
    assert result.diagnosis is not None and result.diagnosis.mistake == mistake, result.feedback
    known = registry.MISCONCEPTIONS[mistake]
    assert known.title in result.feedback
    assert result.diagnosis.fix == known.fix and known.fix


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_correct_code_passes_without_diagnosis(check: str):
    """The correct answers pass, and nothing is named."""
    result = run_in_process(f"{A}.{check}", _namespace(""))
    assert result.status == "passed" and result.diagnosis is None, result.feedback


def _shaped(flat: np.ndarray, like) -> object:
    """A flat output in the structure of the oracle's answer (a tuple of arrays or one)."""
    if isinstance(like, tuple):
        out, at = [], 0
        for item in like:
            size = np.asarray(item).size
            out.append(flat[at : at + size].reshape(np.shape(item)))
            at += size
        return tuple(out)
    return flat.reshape(np.shape(like))


FAMILY_OF = {
    "accumulated_gradient": "accumulation",
    "batchnorm_train": "batchnorm",
    "batchnorm_eval": "bn_eval",
    "one_sample": "one_sample",
    "layer_norm": "layer_norm",
    "group_norm": "group_norm",
    "standardize": "standardize",
}


@pytest.mark.parametrize("check", sorted(FAMILY_OF))
def test_every_slip_returned_as_a_student_would_is_named_or_ambiguous(check: str):
    """Each single slip (and each pair) of the family, returned in the answer's structure,
    is named itself, or nothing where another mistake gives the same output: never another
    name."""
    chk = registry.get(f"{A}.{check}")
    like = chk.answer().value
    family = FAMILY_OF[check]
    inputs = _inputs(check)
    outputs = {}
    for m in library.mistakes(family):
        out = library._run(m.simulate, inputs)
        if out is not None:
            outputs[m.id] = out
    named = 0
    for mid, out in outputs.items():
        if mid.count("+") > 1:
            continue  # triples: covered by their parts
        value = _shaped(out, like)
        result = run_in_process(chk.id, {CHECKS[check]: lambda *a, _v=value, **k: _v})
        got = result.diagnosis.mistake if result.diagnosis else None
        twins = [
            o for o, v in outputs.items() if o != mid and np.array_equal(v, out, equal_nan=True)
        ]
        if got is None:
            assert twins, f"{mid} was not named and no other mistake gives its output"
        else:
            assert got == mid, (mid, got)
            named += 1
    assert named >= len([m for m in outputs if "+" not in m]) // 2


def _inputs(check: str) -> dict:
    """The family inputs the check was wired with (read back from the course module)."""
    from grader.course import accumulation_normalization as course

    return {
        "accumulated_gradient": course.ACCUM,
        "batchnorm_train": course.BN,
        "batchnorm_eval": {
            "x": course.EVAL_X,
            "gamma": course.GAMMA,
            "beta": course.BETA,
            "running_mean": course.EVAL_MEAN,
            "running_var": course.EVAL_VAR,
        },
        "one_sample": {"x": course.ONE_X, "gamma": course.ONE_GAMMA, "beta": course.ONE_BETA},
        "layer_norm": {"x": course.LN_X, "gamma": course.LN_GAMMA, "beta": course.LN_BETA},
        "group_norm": {
            "x": course.GN_X,
            "num_groups": 3,
            "gamma": course.GN_GAMMA,
            "beta": course.GN_BETA,
        },
        "standardize": {"X_train": course.STD_TRAIN, "X_test": course.STD_TEST},
    }[check]


def test_batchnorm_slips_compose_across_output_and_running_statistics():
    """Every slip of y with every slip of the running statistics is named as the pair."""
    chk = registry.get(f"{A}.batchnorm_train")
    like = chk.answer().value
    from grader.course import accumulation_normalization as course

    y_slips = ["bn_eps_dropped", "bn_gamma_beta_swapped", "bn_mean_as_sum", "bn_unbiased_var"]
    stat_slips = ["bn_biased_running_var", "bn_momentum_flipped", "bn_momentum_flipped_var"]
    for a in y_slips:
        for b in stat_slips:
            mid = "+".join(sorted([a, b], key=_part_order))
            m = registry.MISCONCEPTIONS[mid]
            value = _shaped(m.simulate(course.BN), like)
            result = run_in_process(chk.id, {"batchnorm_train": lambda *x, _v=value, **k: _v})
            assert result.diagnosis.mistake == mid, (mid, result.diagnosis)
            assert result.diagnosis.fix == m.fix


def _part_order(slip_id: str) -> int:
    """Registration order of the batchnorm slips' parts (ids join in that order)."""
    from grader.judging.misconceptions.batchnorm import SLIPS

    parts = list(dict.fromkeys(s.part for s in SLIPS))
    return parts.index(next(s.part for s in SLIPS if s.id == slip_id))


def covered() -> set[str]:
    """Every mistake id a test here reproduces: written as students would (MISTAKES), or
    every slip and pair of the families returned in the answer's structure."""
    from grader.judging.misconceptions import library

    return {m for *_, m in MISTAKES} | {
        m.id for family in FAMILY_OF.values() for m in library.mistakes(family)
    }
