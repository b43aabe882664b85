"""Course checks whose inputs tell right from wrong (issue 12, items 5, 7 and 8).

For each check changed for the issue, the mistakes it must distinguish are listed as small
mutant student functions: each one is exec'd over the assignment's own solution (the
answer cells of ``assignments/authoring``) and must change the verdict, while the solution
and the natural idioms the texts now allow pass. Every mutant here passed the old inputs,
and every idiom there got a false zero, so each case failed before the fix. Checks are
probed and judged in this process (``run_in_process``), as a hidden test cell runs them.
"""

from __future__ import annotations

import importlib
import io
import textwrap
from contextlib import redirect_stdout
from functools import cache
from typing import Any

import numpy as np
import pytest

from grader.evidence import CheckResult, Evidence, ProbeRequest
from grader.judging import registry
from grader.judging.check import run_in_process


@cache
def solution(assignment: str) -> dict[str, Any]:
    """The namespace the assignment's given and answer cells make (its plot cells skipped)."""
    mod = importlib.import_module(f"assignments.authoring.{assignment}")
    ns: dict[str, Any] = {"__name__": "__main__"}
    for cell in mod.CELLS:
        if cell.kind in ("given", "answer") and cell.grade_id != "plot":
            code = "\n".join(
                line
                for line in cell.source.splitlines()
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
            )
            with redirect_stdout(io.StringIO()):
                exec(compile(code, cell.grade_id, "exec"), ns)
    return ns


def graded(check_id: str, student: str = "") -> CheckResult:
    """The result of ``check_id`` on the solution with ``student`` (source) exec'd over it."""
    registry.load_builtin()
    assignment = check_id.split(".")[0]
    ns = dict(solution(assignment))
    exec(textwrap.dedent(student), ns)
    return run_in_process(check_id, ns)


# --- correct work, including idioms for the stated input types ------------------------------

TORCH_ORDER_TRAIN = """
    import torch

    def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
        w, b, losses = torch.tensor(w0), torch.tensor(float(b0), dtype=torch.float64), []
        X, y = torch.from_numpy(X), torch.from_numpy(y)
        for e in range(epochs):
            for idx in torch.from_numpy(order[e]).split(batch_size):
                r = X[idx] @ w + b - y[idx]
                losses.append(float((r**2).mean()))
                w, b = w - lr * 2 * X[idx].T @ r / len(idx), b - lr * 2 * r.mean()
        return losses
"""
SPLIT_ORDER_SGD = """
    def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
        theta, buf, losses = np.append(w0, b0), None, []
        for e in range(epochs):
            splits = np.array_split(order[e], range(batch_size, len(order[e]), batch_size))
            for idx in splits:
                r = X[idx] @ theta[:-1] + theta[-1] - y[idx]
                losses.append(float(np.mean(r**2)))
                g = np.append(2 * X[idx].T @ r / len(idx), 2 * r.mean()) + weight_decay * theta
                buf = g if buf is None else momentum * buf + g
                theta = theta - lr * buf
        return losses
"""
CORRECT = [
    ("gd_variants.train_public", "", "solution"),
    ("gd_variants.train_public", TORCH_ORDER_TRAIN, "torch.from_numpy(order[e])"),
    ("gd_variants.minibatch", TORCH_ORDER_TRAIN, "torch.from_numpy(order[e])"),
    ("gd_variants.updates_per_epoch", "", "solution"),
    ("gd_variants.variance", "", "solution"),
    (
        "gd_variants.variance",
        """
        def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
            rng, rows = np.random.default_rng(seed), []
            for _ in range(trials):
                idx = rng.choice(len(X), size=batch_size)  # with replacement by default
                r = X[idx] @ w + b - y[idx]
                rows.append([*(2 * X[idx].T @ r / batch_size), 2 * r.mean()])
            return np.array(rows)
        """,
        "rng.choice",
    ),
    ("lr_rules.momentum_weight_decay_public", "", "solution"),
    ("lr_rules.momentum_weight_decay_public", SPLIT_ORDER_SGD, "np.array_split(order[e])"),
    ("lr_rules.momentum_weight_decay", SPLIT_ORDER_SGD, "np.array_split(order[e])"),
    ("lr_rules.range_test", "", "solution"),
    ("gd_basics.stability_rule", "", "solution"),
    ("gd_basics.stopping_rules", "", "solution"),
    ("gd_basics.exit_ticket", "", "solution"),
    ("gd_basics.exit_ticket_diverge", "", "solution"),
    ("gd_basics.saddle", "", "solution"),
    ("accumulation_normalization.accumulation_trainer_public", "", "solution"),
    ("accumulation_normalization.layer_norm", "", "solution"),
    ("accumulation_normalization.group_norm", "", "solution"),
    ("accumulation_normalization.one_sample", "", "solution"),
    ("minibatch_in_action.sorted_order", "", "solution"),
    (
        "minibatch_in_action.sorted_order",
        """
        def batch_class_counts(y, batch_size, order):
            labels = y[torch.as_tensor(order)]
            return torch.stack([torch.bincount(b, minlength=3) for b in labels.split(batch_size)])
        """,
        "torch tensors",
    ),
]


@pytest.mark.parametrize(
    ("check_id", "student", "style"), CORRECT, ids=[f"{c[0]}-{c[2]}" for c in CORRECT]
)
def test_correct_work_gets_full_marks(check_id: str, student: str, style: str) -> None:
    result = graded(check_id, student)
    assert result.points == result.max_points, result.feedback


# --- each mistake changes the verdict ----------------------------------------------------

DROP_LAST_TRAIN = """
    def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
        w, b, losses = np.array(w0, dtype=float), float(b0), []
        for e in range(epochs):
            for start in range(0, len(order[e]) - batch_size + 1, batch_size):  # full batches
                idx = order[e][start : start + batch_size]
                r = X[idx] @ w + b - y[idx]
                losses.append(float(np.mean(r**2)))
                w, b = w - lr * 2 * X[idx].T @ r / len(idx), b - lr * 2 * np.mean(r)
        return losses
"""


def _range(stop: str = "after", count: str = "-(-n // batch_size)") -> str:
    """The range test with its early stop ("after" the exploding batch is recorded, "before"
    it, or "never") and its batch count for gamma given."""
    explodes = "float(np.mean(r**2)) > 10 * losses[0]" if stop != "never" else "False"
    return f"""
    def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
        perm, n = order[0], len(order[0])
        gamma = (lr_end / lr_start) ** (1 / ({count}))
        w, b, lrs, losses = np.array(w0, dtype=float), float(b0), [], []
        for i, start in enumerate(range(0, n, batch_size)):
            idx, lr = perm[start : start + batch_size], lr_start * gamma**i
            r = X[idx] @ w + b - y[idx]
            explodes = bool(losses) and {explodes}
            if explodes and "{stop}" == "before":
                break
            lrs.append(lr)
            losses.append(float(np.mean(r**2)))
            w, b = w - lr * 2 * X[idx].T @ r / len(idx), b - lr * 2 * np.mean(r)
            if explodes:
                break
        return {{"lrs": lrs, "losses": losses}}
    """


def _minibatch_gradients(draw: str, columns: str = "g") -> str:
    return f"""
    def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
        rng, rows = np.random.default_rng(seed), []
        for _ in range(trials):
            idx = {draw}
            r = X[idx] @ w + b - y[idx]
            g = np.append(2 * X[idx].T @ r / batch_size, 2 * r.mean())
            rows.append({columns})
        return np.array(rows)
    """


def _accumulated(step_if: str, reported: str = "loss") -> str:
    return f"""
    def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
        k, theta, losses = accumulation_steps, np.append(w0, b0), []
        for e in range(epochs):
            parts = [order[e][s : s + batch_size] for s in range(0, len(X), batch_size)]
            grad = np.zeros_like(theta)
            for i, idx in enumerate(parts):
                r = X[idx] @ theta[:-1] + theta[-1] - y[idx]
                loss = float(np.mean(r**2))
                losses.append({reported})
                grad += np.append(2 * X[idx].T @ r / len(idx), 2 * r.mean()) / k
                if {step_if}:
                    theta, grad = theta - lr * grad, np.zeros_like(theta)
        return losses
    """


MISTAKES = [
    # gd_basics: boundary values of every strict comparison the text specifies
    (
        "gd_basics.stability_rule",
        "def is_stable(lr, lipschitz):\n    return 0 <= lr < 2 / lipschitz",
        "0 <= lr (lr = 0 called stable)",
    ),
    (
        "gd_basics.stability_rule",
        "def is_stable(lr, lipschitz):\n    return 0 < lr <= 2 / lipschitz",
        "lr <= 2/L",
    ),
    (
        "gd_basics.stopping_rules",
        """
        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x = float(x0)
            for step in range(max_steps):
                if abs(2 * x) <= grad_tol and grad_tol > 0:
                    return ("grad_tol", step)
                old, x = x * x, x - lr * 2 * x
                if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
                    return ("diverged", step + 1)
                if abs(x * x - old) < loss_tol:
                    return ("loss_tol", step + 1)
            return ("max_steps", max_steps)
        """,
        "<= grad_tol",
    ),
    (
        "gd_basics.stopping_rules",
        """
        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x = float(x0)
            for step in range(max_steps):
                if abs(2 * x) < grad_tol:
                    return ("grad_tol", step)
                old, x = x * x, x - lr * 2 * x
                if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
                    return ("diverged", step + 1)
                if abs(x * x - old) <= loss_tol and loss_tol > 0:
                    return ("loss_tol", step + 1)
            return ("max_steps", max_steps)
        """,
        "<= loss_tol",
    ),
    (
        "gd_basics.stopping_rules",
        """
        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x = float(x0)
            for step in range(max_steps + 1):
                if abs(2 * x) < grad_tol:
                    return ("grad_tol", step)
                if step == max_steps:
                    break
                old, x = x * x, x - lr * 2 * x
                if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
                    return ("diverged", step + 1)
                if abs(x * x - old) < loss_tol:
                    return ("loss_tol", step + 1)
            return ("max_steps", max_steps)
        """,
        "rule 1 checked after the last step",
    ),
    (
        "gd_basics.exit_ticket_diverge",
        """
        def gd_iterates(x0, lr, steps):
            xs = np.full(steps + 1, x0)  # an int array when x0 is the integer -6
            for k in range(steps):
                xs[k + 1] = xs[k] - lr * 2 * xs[k]
            return xs
        """,
        "integer array truncates",
    ),
    (
        "gd_basics.saddle",
        """
        def saddle_iterates(p0, lr, steps):
            p, out = np.array(p0, dtype=float), [np.array(p0, dtype=float)]
            for _ in range(steps):
                p = p - lr * np.array([2 * p[0], 2 * p[1]])  # df/dy taken as +2y
                out.append(p.copy())
            return np.array(out)
        """,
        "y-gradient sign",
    ),
    # gd_variants: a short last batch, drop_last with B | N, the variance per column
    ("gd_variants.train_public", DROP_LAST_TRAIN, "trainer drops the short last batch"),
    ("gd_variants.minibatch", DROP_LAST_TRAIN, "trainer drops the short last batch"),
    (
        "gd_variants.updates_per_epoch",
        """
        def count_updates(n, batch_size, drop_last):
            return math.ceil(n / batch_size) - (1 if drop_last else 0)
        """,
        "drop_last always drops one batch",
    ),
    (
        "gd_variants.variance",
        _minibatch_gradients("rng.choice(len(X), size=batch_size, replace=False)"),
        "sampled without replacement",
    ),
    (
        "gd_variants.variance",
        _minibatch_gradients("rng.integers(0, len(X), size=batch_size)", "g[[1, 0, 2]]"),
        "dw columns swapped",
    ),
    (
        "gd_variants.variance",
        _minibatch_gradients("rng.integers(0, len(X), size=batch_size)", "np.roll(g, 1)"),
        "db first",
    ),
    # lr_rules: the range test reaches its early stop; a batch count that does not divide
    ("lr_rules.range_test", _range(stop="never"), "no early stop"),
    ("lr_rules.range_test", _range(count="n // batch_size"), "gamma counts only full batches"),
    (
        "lr_rules.range_test",
        _range(stop="before"),
        "stops before recording the exploding batch",
    ),
    (
        "lr_rules.momentum_weight_decay_public",
        SPLIT_ORDER_SGD.replace(
            "losses.append(float(np.mean(r**2)))",
            "losses.append(float(np.mean(r**2)) + weight_decay / 2 * theta @ theta)",
        ),
        "reports the weight-decay penalty in the loss (the text says not to)",
    ),
    # accumulation_normalization: batches > 1, a batch of one, leftover micro-batches
    (
        "accumulation_normalization.layer_norm",
        """
        def layer_norm(x, gamma, beta, eps=1e-5):
            return (x - x.mean()) / np.sqrt(x.var() + eps) * gamma + beta  # over the batch
        """,
        "LayerNorm statistics pooled over the batch",
    ),
    (
        "accumulation_normalization.group_norm",
        """
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            g = x.reshape(x.shape[0], num_groups, -1)
            mean = g.mean(axis=(0, 2), keepdims=True)  # over the batch too
            g = (g - mean) / np.sqrt(g.var(axis=(0, 2), keepdims=True) + eps)
            return g.reshape(x.shape) * gamma[None, :, None] + beta[None, :, None]
        """,
        "GroupNorm statistics pooled over the batch",
    ),
    (
        "accumulation_normalization.one_sample",
        """
        def one_sample_outputs(x, gamma, beta, eps=1e-5):
            bn = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) * gamma + beta
            return bn, layer_norm(x, gamma, beta, eps)
        """,
        "unbiased batch variance (0/0 for one sample)",
    ),
    (
        "accumulation_normalization.one_sample",
        """
        def one_sample_outputs(x, gamma, beta, eps=1e-5):
            bn = x / np.sqrt(1 + eps) * gamma + beta  # fresh running statistics, as in eval
            return bn, layer_norm(x, gamma, beta, eps)
        """,
        "running statistics in training mode",
    ),
    (
        "accumulation_normalization.accumulation_trainer_public",
        _accumulated("(i + 1) % k == 0"),
        "leftover micro-batches never step",
    ),
    (
        "accumulation_normalization.accumulation_trainer_public",
        _accumulated("(i + 1) % k == 0 or i + 1 == len(parts)", reported="loss / k"),
        "reports the loss divided by k",
    ),
    # minibatch_in_action: its own task for the sorted order, a batch size that does not divide
    (
        "minibatch_in_action.sorted_order",
        """
        def batch_class_counts(y, batch_size, order):
            labels = np.asarray(y)[order]
            return [np.bincount(labels[s : s + batch_size], minlength=3).tolist()
                    for s in range(0, len(labels) - batch_size + 1, batch_size)]
        """,
        "drops the short last batch",
    ),
    (
        "minibatch_in_action.sorted_order",
        """
        def batch_class_counts(y, batch_size, order):
            labels = np.asarray(y)  # the stored order, whatever order says
            return [np.bincount(labels[s : s + batch_size], minlength=3).tolist()
                    for s in range(0, len(labels), batch_size)]
        """,
        "ignores order",
    ),
]


@pytest.mark.parametrize(
    ("check_id", "student", "mistake"), MISTAKES, ids=[f"{m[0]}-{m[2]}" for m in MISTAKES]
)
def test_each_mistake_changes_the_verdict(check_id: str, student: str, mistake: str) -> None:
    result = graded(check_id, student)
    assert result.status != "passed" and result.points < result.max_points, result.feedback


def test_the_range_test_stops_early_on_the_graded_inputs() -> None:
    """The graded run explodes before its last batch (so the early stop is exercised), and
    its batch size does not divide N (so the batch count in gamma matters)."""
    from grader.course.lr_rules import RANGE, RANGE_HYPER
    from reference.schedules import range_test
    from reference.trainers import train_linear_regression

    n, b = len(RANGE["X"]), RANGE_HYPER["batch_size"]
    assert n % b
    rates = range_test(
        RANGE_HYPER["lr_start"], RANGE_HYPER["lr_end"], n_batches=-(-n // b), losses=[1.0]
    )[0]
    run = train_linear_regression(
        RANGE["X"],
        RANGE["y"],
        w0=RANGE["w0"],
        b0=0.0,
        lr=1.0,
        batch_size=b,
        epochs=1,
        permutations=RANGE["permutations"],
        lr_schedule=lambda t: rates[t],
    )
    kept = range_test(
        RANGE_HYPER["lr_start"], RANGE_HYPER["lr_end"], n_batches=len(rates), losses=run.step_losses
    )[1]
    assert 1 < kept < len(rates)


# --- the batch-size sweep: a two-sided band from the reference's runs -----------------------


def _sweep(accuracies: dict[int, Any]) -> CheckResult:
    """The sweep check on a student's returned accuracies (what its probe would send: the
    sweep, then B = 150 alone, reaching the same accuracy there as a fresh model does)."""
    registry.load_builtin()
    chk = registry.get("minibatch_in_action.sweep")
    sweep = {str(k): v for k, v in accuracies.items()}
    ev = Evidence(check_id=chk.id, value=[sweep, {"150": sweep.get("150")}])
    return chk.grade(ProbeRequest(check_id=chk.id, probe="call", target="batch_size_sweep"), ev)


def test_sweep_passes_accuracies_that_correct_runs_reach() -> None:
    # one shuffle each of correct runs (B = 8 ranges from 0.76 to 0.99 over shuffles)
    assert _sweep({8: 0.953, 32: 0.92, 150: 0.687}).status == "passed"
    assert _sweep({8: 0.76, 32: 0.727, 150: 0.687}).status == "passed"


@pytest.mark.parametrize(
    ("accuracies", "mistake"),
    [
        ({8: 0.96, 32: 0.98, 150: 0.98}, "one model reused across batch sizes"),
        ({8: 95.3, 32: 92.0, 150: 68.7}, "accuracy as a percentage"),
        ({8: 0.33, 32: 0.33, 150: 0.33}, "never trained"),
    ],
)
def test_sweep_band_is_two_sided(accuracies: dict[int, float], mistake: str) -> None:
    assert _sweep(accuracies).status == "failed", mistake


def test_sweep_full_batch_alone_is_exact() -> None:
    """At B = 150 a fresh run does not depend on the shuffle: the accuracy one update
    before the end (a running accuracy of the last epoch) fails, and says where it lands."""
    from grader.course.minibatch_in_action import _solo_accuracies

    accs = _solo_accuracies()
    assert accs[-1] != accs[-2], "the inputs must tell the last update from the one before"
    result = _sweep({8: 0.953, 32: 0.92, 150: float(accs[-2])})
    assert result.status == "failed"
    assert "one update earlier" in result.feedback
    assert _sweep({8: 0.953, 32: 0.92, 150: float(accs[-1])}).status == "passed"


def test_stored_sweep_bands_are_todays() -> None:
    """The bands stored with the checks are those the reference computes now, under the key
    of everything they depend on (else every command recomputes them: write_sweep_bands)."""
    import json

    from grader.course import minibatch_in_action as mia

    stored = json.loads(mia.BANDS_FILE.read_text())
    assert stored["key"] == mia._bands_key(), "stale: run write_sweep_bands()"
    computed = mia.compute_sweep_bands()
    assert set(stored["bands"]) == {str(b) for b in computed}
    for b, band in computed.items():
        assert np.allclose(stored["bands"][str(b)], band, atol=0.5 / 150), b
