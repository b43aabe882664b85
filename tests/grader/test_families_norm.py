"""The accumulation and normalisation families (accumulation_normalization's graded outputs):
students' mistaken code, run through the real checks, is named with the mistake's title and
fix; correct code gets no diagnosis; and every alternative of the families, and every pair
of alternatives of different parts, returned as a student would return it, is named itself,
or together with the others that give the very same output on the check's inputs (or not
at all where the right answer does): never misnamed."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader.judging import registry
from grader.judging.builders import flatten
from grader.judging.check import run_in_process
from grader.judging.misconceptions import library
from grader.judging.misconceptions.batchnorm import run as batchnorm_run

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
    known = [registry.MISCONCEPTIONS[m] for m in mistake.split("+")]
    title = " and ".join(m.title for m in known)
    assert library.named_text(result.diagnosis) in result.feedback
    assert result.diagnosis.title == title
    assert result.diagnosis.fix == " ".join(m.fix for m in known) and all(m.fix for m in known)


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


def _reproducing(out: np.ndarray, family: str, inputs: dict, chk) -> list[str]:
    """Every single mistake, and every pair of different parts, whose output is ``out`` within
    the check's tolerance (what ``diagnose`` may name for it), singles first."""
    tol = {"rtol": chk.answer().rtol, "atol": chk.answer().atol}
    singles = library.mistakes(family)

    def same(other) -> bool:
        return (
            other is not None
            and other.shape == out.shape
            and np.allclose(out, other, equal_nan=True, **tol)
        )

    found = [m.id for m in singles if same(library._run(m.simulate, inputs))]
    if found:
        return found
    return [
        f"{a.id}+{b.id}"
        for a, b in library._pairs(family, singles)
        if same(library._run(lambda i, a=a, b=b: _space(family, i, a, b), inputs))
    ]


def _space(family: str, inputs: dict, *chosen) -> np.ndarray:
    return library.SPACES[family](inputs, **dict(p for m in chosen for p in m.parts))


def _assert_named_exactly(result, out, family, inputs, chk, what) -> None:
    """The check names what reproduces ``out`` (``what`` made it): nothing where the right
    answer does, else the one mistake or pair that does, or several said to be
    indistinguishable."""
    right = np.asarray(flatten(chk.answer().value), dtype=np.float64)
    answer = chk.answer()
    if np.allclose(out, right, rtol=answer.rtol, atol=answer.atol):
        assert result.diagnosis is None, (what, result.feedback)
        return
    candidates = _reproducing(out, family, inputs, chk)
    assert candidates and result.diagnosis is not None, (what, result.feedback)
    assert result.diagnosis.mistake in candidates, (what, result.diagnosis.mistake, candidates)
    if len(candidates) > 1:
        assert result.diagnosis.title.startswith(library.SAME_VALUES), (what, candidates)


@pytest.mark.parametrize("check", sorted(FAMILY_OF))
def test_every_alternative_returned_as_a_student_would_is_named_exactly(check: str):
    """Each alternative of the family, returned in the answer's structure, is named itself (or
    with its twins, as indistinguishable), never another name; most are named alone."""
    chk = registry.get(f"{A}.{check}")
    like = chk.answer().value
    family = FAMILY_OF[check]
    inputs = _inputs(check)
    alone = 0
    singles = library.mistakes(family)
    for m in singles:
        out = library._run(m.simulate, inputs)
        if out is None:
            continue
        value = _shaped(out, like)
        result = run_in_process(chk.id, {CHECKS[check]: lambda *a, _v=value, **k: _v})
        _assert_named_exactly(result, out, family, inputs, chk, m.id)
        alone += result.diagnosis is not None and result.diagnosis.mistake == m.id
    assert alone >= len(singles) // 2


@pytest.mark.parametrize("check", sorted(FAMILY_OF))
def test_every_pair_of_parts_is_named_as_the_pair_or_by_what_reproduces_it(check: str):
    """Two alternatives of different parts together (the diagnosis's pair search, within the
    check's tolerance) are named as that pair, or as a single mistake or other pair that gives
    the same values (named together where several do): never a cause that does not."""
    chk = registry.get(f"{A}.{check}")
    answer = chk.answer()
    family = FAMILY_OF[check]
    inputs = _inputs(check)
    pairs = library._pairs(family, library.mistakes(family))
    as_itself = 0
    for a, b in pairs:
        out = library._run(lambda i, a=a, b=b: _space(family, i, a, b), inputs)
        if out is None:
            continue
        found = library.diagnose(out, family, inputs, rtol=answer.rtol, atol=answer.atol)
        _assert_named_exactly(_Result(found), out, family, inputs, chk, f"{a.id}+{b.id}")
        as_itself += found.mistake == f"{a.id}+{b.id}"
    # one sample: BatchNorm's mean, variance and gamma do not change bn_y = beta
    assert as_itself >= len(pairs) * (0.35 if check == "one_sample" else 0.9)


class _Result:
    """A diagnosis standing in for a check's result (the pair test calls ``diagnose``)."""

    def __init__(self, found) -> None:
        self.diagnosis = found if found.mistake else None
        self.feedback = found.title


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


def test_batchnorm_alternatives_compose_across_output_and_running_statistics():
    """Every alternative of y with every alternative of the running statistics is named as
    the pair, with both titles and both fixes."""
    chk = registry.get(f"{A}.batchnorm_train")
    like = chk.answer().value
    from grader.course import accumulation_normalization as course

    y_ids = ["bn_eps_dropped", "bn_gamma_beta_swapped", "bn_mean_as_sum", "bn_unbiased_var"]
    stat_ids = ["bn_biased_running_var", "bn_momentum_flipped", "bn_momentum_flipped_var"]
    order = [m.id for m in library.mistakes("batchnorm")]
    for a in y_ids:
        for b in stat_ids:
            first, second = sorted([a, b], key=order.index)
            ms = [registry.MISCONCEPTIONS[first], registry.MISCONCEPTIONS[second]]
            value = _shaped(batchnorm_run(course.BN, **dict(ms[0].parts + ms[1].parts)), like)
            result = run_in_process(chk.id, {"batchnorm_train": lambda *x, _v=value, **k: _v})
            assert result.diagnosis.mistake == f"{first}+{second}", (a, b, result.diagnosis)
            assert result.diagnosis.fix == f"{ms[0].fix} {ms[1].fix}"


def covered() -> set[str]:
    """Every mistake id a test here reproduces: written as students would (MISTAKES), or
    every alternative of the families returned in the answer's structure."""
    return {m for *_, m in MISTAKES} | {
        m.id for family in FAMILY_OF.values() for m in library.mistakes(family)
    }
