"""The misconception families of gd_basics, gd_variants and lr_rules, and the per-parameter
mistakes of the linear-regression trainer family.

Each mistake is written as a student would write it (one line of a correct solution
changed, or a whole function), run through the course's own check
(``run_in_process``), and must be named with its title in the feedback and its fix in the
diagnosis. The correct solutions pass every check with no diagnosis."""

from __future__ import annotations

import textwrap
import warnings
from typing import Any

import pytest

from grader.judging import registry
from grader.judging.check import run_in_process
from grader.paths import REPO_ROOT
from tests.grader.test_space_descent import COVERED as DESCENT_MISTAKES
from tests.grader.test_space_iris import COVERED as COUNT_AND_SWEEP_MISTAKES
from tests.grader.test_space_schedules import COVERED as SCHEDULE_MISTAKES

# -- correct solutions ------------------------------------------------------------------------

UPDATE = """
import numpy as np

def update(w, grad, lr):
    return w - lr * np.asarray(grad)
"""
ITERATES = """
def gd_iterates(x0, lr, steps):
    xs = [float(x0)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * 2 * xs[-1])
    return xs
"""
STABLE = """
def is_stable(lr, lipschitz):
    return 0 < lr < 2 / lipschitz
"""
STOPPING = """
import math

def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    x = float(x0)
    for step in range(max_steps):
        if abs(2 * x) < grad_tol:
            return ("grad_tol", step)
        old, x = x * x, x - lr * 2 * x
        if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
            return ("diverged", step + 1)
        if abs(x * x - old) < loss_tol:
            return ("loss_tol", step + 1)
    return ("max_steps", max_steps)
"""
SADDLE = """
import numpy as np

def saddle_iterates(p0, lr, steps):
    p = np.array(p0, dtype=float)
    out = [p.copy()]
    for _ in range(steps):
        p = p - lr * np.array([2 * p[0], -2 * p[1]])
        out.append(p.copy())
    return np.array(out)
"""
MOMENTUM = """
import numpy as np

def momentum_iterates(x0, lr, momentum, dampening, steps):
    scales = np.array([0.2, 4.0])
    x, buf = np.array(x0, dtype=float), None
    out = [x.copy()]
    for _ in range(steps):
        g = scales * x
        if momentum == 0:  # torch keeps no buffer: plain GD whatever the dampening
            buf = g
        else:
            buf = g if buf is None else momentum * buf + (1 - dampening) * g
        x = x - lr * buf
        out.append(x.copy())
    return np.array(out)
"""
COUNT = """
import math

def count_updates(n, batch_size, drop_last):
    return n // batch_size if drop_last else math.ceil(n / batch_size)
"""
BYTES = """
def batch_bytes(batch_size, n_features):
    return batch_size * n_features * 4
"""
TRAIN = """
import numpy as np

def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    losses = []
    w, b = np.array(w0, dtype=float), float(b0)
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r**2)))
            w = w - lr * 2 * X[idx].T @ r / len(idx)
            b = b - lr * 2 * np.mean(r)
    return losses
"""
TRAIN_SGD = """
import numpy as np

def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    w, b = np.array(w0, dtype=float), float(b0)
    buf_w, buf_b, losses = None, None, []
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r**2)))
            gw = 2 * X[idx].T @ r / len(idx) + weight_decay * w
            gb = 2 * np.mean(r) + weight_decay * b
            buf_w = gw if buf_w is None else momentum * buf_w + gw
            buf_b = gb if buf_b is None else momentum * buf_b + gb
            w = w - lr * buf_w
            b = b - lr * buf_b
    return losses
"""
ACCUMULATED = """
import numpy as np

def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    w, b, losses = np.array(w0, dtype=float), float(b0), []
    k = accumulation_steps
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        micro = [perm[s : s + batch_size] for s in range(0, len(perm), batch_size)]
        for start in range(0, len(micro), k):
            gw, gb = np.zeros_like(w), 0.0
            for idx in micro[start : start + k]:
                r = X[idx] @ w + b - y[idx]
                losses.append(float(np.mean(r**2)))
                gw = gw + 2 * X[idx].T @ r / len(idx) / k
                gb = gb + 2 * np.mean(r) / k
            w, b = w - lr * gw, b - lr * gb
    return losses
"""
GLOBAL_COUNTER = """
import numpy as np

def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    # the notes' loop, its counter running on over the epochs
    w, b, losses, i = np.array(w0, dtype=float), float(b0), [], 0
    gw, gb = np.zeros_like(w), 0.0
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        for s in range(0, len(perm), batch_size):
            idx = perm[s : s + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r**2)))
            gw = gw + 2 * X[idx].T @ r / len(idx) / accumulation_steps
            gb = gb + 2 * np.mean(r) / accumulation_steps
            if (i + 1) % accumulation_steps == 0:
                w, b = w - lr * gw, b - lr * gb
                gw, gb = np.zeros_like(w), 0.0
            i += 1
    return losses
"""
CARRIED_LEFTOVER = GLOBAL_COUNTER.replace(
    "    for epoch in range(epochs):\n", "    for epoch in range(epochs):\n        i = 0\n"
)
TIME_BASED = """
def time_based_lrs(lr0, decay, epochs):
    rates = [lr0]
    for n in range(epochs - 1):
        rates.append(rates[-1] / (1 + decay * n))
    return rates
"""
EXPONENTIAL = """
import math

def exponential_lrs(lr0, k, epochs):
    return [lr0 * math.exp(-k * n) for n in range(epochs)]
"""
SCALING = """
def scale_lr(base_lr, base_batch, new_batch):
    return base_lr * new_batch / base_batch
"""
WARMUP = """
def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    return [lr0 * (start_factor + (1 - start_factor) * min(n, warmup_steps) / warmup_steps)
            for n in range(steps)]
"""
RANGE = """
import math
import numpy as np

def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    perm = np.asarray(order[0])
    n_batches = math.ceil(len(perm) / batch_size)
    gamma = (lr_end / lr_start) ** (1 / n_batches)
    w, b = np.asarray(w0, dtype=float), float(b0)
    lrs, losses = [], []
    for i, start in enumerate(range(0, len(perm), batch_size)):
        idx = perm[start : start + batch_size]
        lr = lr_start * gamma**i
        r = X[idx] @ w + b - y[idx]
        lrs.append(lr)
        losses.append(float(np.mean(r**2)))
        w, b = w - lr * 2 * X[idx].T @ r / len(idx), b - lr * 2 * np.mean(r)
        if losses[-1] > 10 * losses[0]:
            break
    return {"lrs": lrs, "losses": losses}
"""

CORRECT = {  # solution -> the checks it answers
    UPDATE: ["gd_basics.update_rule", "gd_basics.update_rule_vector"],
    ITERATES: ["gd_basics.exit_ticket", "gd_basics.exit_ticket_diverge"],
    STABLE: ["gd_basics.stability_rule"],
    STOPPING: ["gd_basics.stopping_rules"],
    SADDLE: ["gd_basics.saddle"],
    MOMENTUM: ["gd_basics.momentum", "gd_basics.momentum_zero_is_gd"],
    COUNT: ["gd_variants.updates_per_epoch"],
    BYTES: ["gd_variants.batch_memory"],
    TRAIN: [
        "gd_variants.train_public",
        "gd_variants.minibatch",
        "gd_variants.batch_gd",
        "gd_variants.sgd",
    ],
    TRAIN_SGD: ["lr_rules.momentum_weight_decay", "lr_rules.momentum_weight_decay_public"],
    ACCUMULATED: [
        "accumulation_normalization.accumulation_trainer",
        "accumulation_normalization.accumulation_trainer_public",
    ],
    TIME_BASED: ["lr_rules.time_based"],
    EXPONENTIAL: ["lr_rules.exponential"],
    SCALING: ["lr_rules.linear_scaling"],
    WARMUP: ["lr_rules.warmup"],
    RANGE: ["lr_rules.range_test"],
}


def _grade(source: str, check_id: str):
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_in_process(check_id, namespace)


@pytest.mark.parametrize(
    ("source", "check_id"), [(s, c) for s, checks in CORRECT.items() for c in checks]
)
def test_correct_solutions_pass_without_a_diagnosis(source: str, check_id: str) -> None:
    result = _grade(source, check_id)
    assert result.status == "passed", result.feedback
    assert result.diagnosis is None


def _changed(source: str, old: str, new: str) -> str:
    """The solution with one line changed, as a student's single mistake."""
    assert source.count(old) == 1, old
    return source.replace(old, new)


# (mistake id, check, student's code)
MISTAKES = [
    (
        "momentum_buffer_reset_every_step",
        "gd_basics.momentum",
        """
        import numpy as np

        def momentum_iterates(x0, lr, momentum, dampening, steps):
            x = np.array(x0, dtype=float)
            xs = [x.copy()]
            for _ in range(steps):
                buf = None  # the buffer of this step
                g = np.array([0.2, 4.0]) * x
                buf = g if buf is None else momentum * buf + (1 - dampening) * g
                x = x - lr * buf
                xs.append(x.copy())
            return np.array(xs)
        """,
    ),
    (
        "saddle_same_array_after_start",
        "gd_basics.saddle",
        """
        import numpy as np

        def saddle_iterates(p0, lr, steps):
            p = np.array(p0, dtype=float)
            path = [p.copy()]
            for _ in range(steps):
                p -= lr * np.array([2 * p[0], -2 * p[1]])
                path.append(p)
            return np.array(path)
        """,
    ),
    (
        "exponential_one_minus_k",
        "lr_rules.exponential",
        """
        def exponential_lrs(lr0, k, epochs):
            rates, lr = [], lr0
            for _ in range(epochs):
                rates.append(lr)
                lr *= 1 - k
            return rates
        """,
    ),
    # -- gd_basics: one update
    ("update_sign", "gd_basics.update_rule", _changed(UPDATE, "w - lr", "w + lr")),
    ("update_sign", "gd_basics.update_rule_vector", _changed(UPDATE, "w - lr", "w + lr")),
    (
        "update_no_lr",
        "gd_basics.update_rule_vector",
        _changed(UPDATE, "w - lr * np.asarray(grad)", "w - np.asarray(grad)"),
    ),
    (
        "update_half_step",
        "gd_basics.update_rule",
        _changed(UPDATE, "lr * np.asarray(grad)", "lr * np.asarray(grad) / 2"),
    ),
    ("update_double_step", "gd_basics.update_rule", _changed(UPDATE, "w - lr", "w - 2 * lr")),
    # -- gd_basics: iterates on x^2
    (
        "iterates_no_factor_two",
        "gd_basics.exit_ticket",
        _changed(ITERATES, "lr * 2 * xs[-1]", "lr * xs[-1]"),
    ),
    (
        "iterates_no_factor_two",
        "gd_basics.exit_ticket_diverge",
        _changed(ITERATES, "lr * 2 * xs[-1]", "lr * xs[-1]"),
    ),
    (
        "iterates_uphill",
        "gd_basics.exit_ticket_diverge",
        _changed(ITERATES, "xs[-1] - lr", "xs[-1] + lr"),
    ),
    (
        "iterates_truncated",
        "gd_basics.exit_ticket_diverge",
        """
        import numpy as np

        def gd_iterates(x0, lr, steps):
            xs = np.full(steps + 1, x0)
            for k in range(steps):
                xs[k + 1] = xs[k] - lr * 2 * xs[k]
            return xs
        """,
    ),
    # -- gd_basics: the saddle
    (
        "saddle_bowl",
        "gd_basics.saddle",
        _changed(SADDLE, "-2 * p[1]", "2 * p[1]"),
    ),
    ("saddle_no_factor_two_x", "gd_basics.saddle", _changed(SADDLE, "[2 * p[0]", "[p[0]")),
    ("saddle_no_factor_two_y", "gd_basics.saddle", _changed(SADDLE, "-2 * p[1]", "-p[1]")),
    ("saddle_uphill", "gd_basics.saddle", _changed(SADDLE, "p = p - lr", "p = p + lr")),
    # -- gd_basics: stability rule
    (
        "stable_upper_inclusive",
        "gd_basics.stability_rule",
        _changed(STABLE, "lr < 2", "lr <= 2"),
    ),
    (
        "stable_no_lower_bound",
        "gd_basics.stability_rule",
        _changed(STABLE, "0 < lr < 2 / lipschitz", "lr < 2 / lipschitz"),
    ),
    (
        "stable_no_lower_bound",
        "gd_basics.stability_rule",
        _changed(STABLE, "0 < lr", "0 <= lr"),
    ),
    (
        "stable_both_inclusive",
        "gd_basics.stability_rule",
        _changed(STABLE, "0 < lr < 2", "0 <= lr <= 2"),
    ),
    (
        "stable_one_over_l",
        "gd_basics.stability_rule",
        _changed(STABLE, "2 / lipschitz", "1 / lipschitz"),
    ),
    (  # a course trap: the notes' loop with one counter over every epoch
        "accumulation_global_counter",
        "accumulation_normalization.accumulation_trainer",
        GLOBAL_COUNTER,
    ),
    (
        "accumulation_global_counter",
        "accumulation_normalization.accumulation_trainer_public",
        GLOBAL_COUNTER,
    ),
    (  # the counter restarted each epoch, the leftover's gradient carried over
        "accumulation_leftover_carried",
        "accumulation_normalization.accumulation_trainer",
        CARRIED_LEFTOVER,
    ),
    (  # the text: momentum 0 keeps no buffer, whatever the dampening
        "momentum_zero_keeps_buffer",
        "gd_basics.momentum_zero_is_gd",
        _changed(MOMENTUM, "if momentum == 0:", "if False:"),
    ),
    (  # the text's "Here L = 2" written into the bound
        "stable_fixed_l",
        "gd_basics.stability_rule",
        _changed(STABLE, "2 / lipschitz", "2 / 2"),
    ),
    # -- gd_basics: stopping rules
    (
        "stop_grad_tol_inclusive",
        "gd_basics.stopping_rules",
        _changed(STOPPING, "abs(2 * x) < grad_tol", "abs(2 * x) <= grad_tol"),
    ),
    (
        "stop_loss_tol_inclusive",
        "gd_basics.stopping_rules",
        _changed(STOPPING, "old) < loss_tol", "old) <= loss_tol"),
    ),
    (
        "stop_grad_no_factor_two",
        "gd_basics.stopping_rules",
        _changed(STOPPING, "abs(2 * x) < grad_tol", "abs(x) < grad_tol"),
    ),
    (
        "stop_update_no_factor_two",
        "gd_basics.stopping_rules",
        _changed(STOPPING, "x - lr * 2 * x", "x - lr * x"),
    ),
    (
        "stop_uphill",
        "gd_basics.stopping_rules",
        _changed(STOPPING, "x - lr * 2 * x", "x + lr * 2 * x"),
    ),
    (
        "stop_steps_one_short",
        "gd_basics.stopping_rules",
        """
        import math

        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x = float(x0)
            for k in range(max_steps):
                if abs(2 * x) < grad_tol:
                    return ("grad_tol", k)
                x_new = x - lr * 2 * x
                if not math.isfinite(x_new) or abs(x_new) > 1e12 or x_new**2 > 1e12:
                    return ("diverged", k)
                if abs(x_new**2 - x**2) < loss_tol:
                    return ("loss_tol", k)
                x = x_new
            return ("max_steps", max_steps)
        """,
    ),
    (
        "stop_signed_loss_change",
        "gd_basics.stopping_rules",
        _changed(STOPPING, "abs(x * x - old) < loss_tol", "x * x - old < loss_tol"),
    ),
    (
        "stop_no_divergence",
        "gd_basics.stopping_rules",
        _changed(
            STOPPING,
            "        if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:\n"
            '            return ("diverged", step + 1)\n',
            "",
        ),
    ),
    # (max_steps + 1 passes: test_space_descent, named with the mistake whose values it
    # shares on this check)
    # -- gd_basics: momentum conventions (a zero buffer and no dampening: test_space_descent,
    # where each is named with the mistake whose values it shares on this check)
    ("momentum_uphill", "gd_basics.momentum", _changed(MOMENTUM, "x - lr * buf", "x + lr * buf")),
    (
        "momentum_velocity_sign",
        "gd_basics.momentum",
        _changed(MOMENTUM, "momentum * buf + (1", "momentum * buf - (1"),
    ),
    (
        "momentum_stale_buffer",
        "gd_basics.momentum",
        _changed(
            MOMENTUM,
            "        buf = g if buf is None else momentum * buf + (1 - dampening) * g\n"
            "        x = x - lr * buf\n",
            "        step = g if buf is None else buf\n"
            "        buf = g if buf is None else momentum * buf + (1 - dampening) * g\n"
            "        x = x - lr * step\n",
        ),
    ),
    # -- gd_variants: counts
    (
        "count_ignores_drop_last",
        "gd_variants.updates_per_epoch",
        _changed(
            COUNT,
            "n // batch_size if drop_last else math.ceil(n / batch_size)",
            "math.ceil(n / batch_size)",
        ),
    ),
    (
        "count_drop_last_swapped",
        "gd_variants.updates_per_epoch",
        _changed(COUNT, "if drop_last", "if not drop_last"),
    ),
    (
        "count_plus_one",
        "gd_variants.updates_per_epoch",
        _changed(COUNT, "math.ceil(n / batch_size)", "n // batch_size + 1"),
    ),
    ("bytes_float64", "gd_variants.batch_memory", _changed(BYTES, "* 4", "* 8")),
    ("bytes_counted_bits", "gd_variants.batch_memory", _changed(BYTES, "* 4", "* 32")),
    ("bytes_no_item_size", "gd_variants.batch_memory", _changed(BYTES, " * 4", "")),
    # -- lr_rules: schedules
    (
        "time_based_closed_form",
        "lr_rules.time_based",
        """
        def time_based_lrs(lr0, decay, epochs):
            return [lr0 / (1 + decay * n) for n in range(epochs)]
        """,
    ),
    (
        "time_based_off_by_one",
        "lr_rules.time_based",
        _changed(TIME_BASED, "decay * n", "decay * (n + 1)"),
    ),
    (
        "exponential_off_by_one",
        "lr_rules.exponential",
        _changed(EXPONENTIAL, "-k * n", "-k * (n + 1)"),
    ),
    ("exponential_growing", "lr_rules.exponential", _changed(EXPONENTIAL, "-k * n", "k * n")),
    (
        "warmup_not_divided",
        "lr_rules.warmup",
        _changed(WARMUP, "min(n, warmup_steps) / warmup_steps", "min(n, warmup_steps)"),
    ),
    (
        "warmup_not_divided_capped",
        "lr_rules.warmup",
        """
        def warmup_lrs(lr0, warmup_steps, start_factor, steps):
            lrs = []
            for t in range(steps):
                factor = min(1.0, start_factor + (1 - start_factor) * t)
                lrs.append(lr0 * factor)
            return lrs
        """,
    ),
    (
        "warmup_one_step_early",
        "lr_rules.warmup",
        _changed(
            WARMUP,
            "min(n, warmup_steps) / warmup_steps",
            "min(n, warmup_steps - 1) / (warmup_steps - 1)",
        ),
    ),
    (
        "warmup_from_zero",
        "lr_rules.warmup",
        _changed(
            WARMUP,
            "(start_factor + (1 - start_factor) * min(n, warmup_steps) / warmup_steps)",
            "min(n, warmup_steps) / warmup_steps",
        ),
    ),
    (
        "warmup_off_by_one",
        "lr_rules.warmup",
        _changed(WARMUP, "min(n, warmup_steps)", "min(n + 1, warmup_steps)"),
    ),
    (
        "warmup_never_ends",
        "lr_rules.warmup",
        _changed(WARMUP, "min(n, warmup_steps)", "n"),
    ),
    (
        "scaling_inverted",
        "lr_rules.linear_scaling",
        _changed(SCALING, "new_batch / base_batch", "base_batch / new_batch"),
    ),
    (
        "scaling_sqrt",
        "lr_rules.linear_scaling",
        """
        import math

        def scale_lr(base_lr, base_batch, new_batch):
            return base_lr * math.sqrt(new_batch / base_batch)
        """,
    ),
    ("scaling_none", "lr_rules.linear_scaling", _changed(SCALING, " * new_batch / base_batch", "")),
    (
        "range_lr_after_step",
        "lr_rules.range_test",
        _changed(RANGE, "gamma**i", "gamma ** (i + 1)"),
    ),
    (
        "range_gamma_one_batch_short",
        "lr_rules.range_test",
        _changed(RANGE, "math.ceil(len(perm) / batch_size)", "len(perm) // batch_size"),
    ),
    (
        "sum_not_mean_b_only",  # the range test's losses, named by the trainer family
        "lr_rules.range_test",
        _changed(RANGE, "b - lr * 2 * np.mean(r)", "b - lr * 2 * np.sum(r)"),
    ),
    (  # the losses explode a step early: the shorter rates are not a stopping mistake
        "sign_b_only",
        "lr_rules.range_test",
        _changed(RANGE, "b - lr * 2 * np.mean(r)", "b + lr * 2 * np.mean(r)"),
    ),
    (  # ... nor are the longer ones
        "no_factor_two_b_only",
        "lr_rules.range_test",
        _changed(RANGE, "b - lr * 2 * np.mean(r)", "b - lr * np.mean(r)"),
    ),
]

_W_UPDATE = "w = w - lr * 2 * X[idx].T @ r / len(idx)"
_B_UPDATE = "b = b - lr * 2 * np.mean(r)"
_LOSS = "losses.append(float(np.mean(r**2)))"
TRAINER_MISTAKES = [  # (mistake id, student's train) on every gd_variants trainer check
    ("sign_w_only", _changed(TRAIN, _W_UPDATE, "w = w + lr * 2 * X[idx].T @ r / len(idx)")),
    ("sign_b_only", _changed(TRAIN, _B_UPDATE, "b = b + lr * 2 * np.mean(r)")),
    ("sign_b_only", _changed(TRAIN, "r = X[idx] @ w + b - y[idx]", "r = X[idx] @ w - b - y[idx]")),
    ("no_factor_two_w_only", _changed(TRAIN, _W_UPDATE, "w = w - lr * X[idx].T @ r / len(idx)")),
    ("no_factor_two_b_only", _changed(TRAIN, _B_UPDATE, "b = b - lr * np.mean(r)")),
    (
        "no_factor_two",
        _changed(TRAIN, _W_UPDATE, "w = w - lr * X[idx].T @ r / len(idx)").replace(
            _B_UPDATE, "b = b - lr * np.mean(r)"
        ),
    ),
    ("sum_not_mean_w_only", _changed(TRAIN, _W_UPDATE, "w = w - lr * 2 * X[idx].T @ r")),
    ("sum_not_mean_b_only", _changed(TRAIN, _B_UPDATE, "b = b - lr * 2 * np.sum(r)")),
    ("not_updated_b_only", _changed(TRAIN, _B_UPDATE, "pass")),
    ("not_updated_w_only", _changed(TRAIN, _W_UPDATE, "pass")),
    ("loss_logged_as_sum", _changed(TRAIN, _LOSS, "losses.append(float(np.sum(r**2)))")),
    (
        "loss_sum",
        """
        import torch

        def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
            X, y = torch.as_tensor(X), torch.as_tensor(y)
            w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
            b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
            opt = torch.optim.SGD([w, b], lr=lr)
            loss_fn = torch.nn.MSELoss(reduction="sum")
            losses = []
            for epoch in range(epochs):
                for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
                    opt.zero_grad()
                    loss = loss_fn(X[idx] @ w + b, y[idx])
                    loss.backward()
                    opt.step()
                    losses.append(loss.item())
            return losses
        """,
    ),
    (
        "loss_logged_after_step",
        _changed(TRAIN, _LOSS, "pass").replace(
            _B_UPDATE,
            _B_UPDATE + "\n            losses.append(float(np.mean((X[idx] @ w + b - y[idx])**2)))",
        ),
    ),
]
TRAINER_MISTAKES.append(
    (
        "no_zero_grad_b_only",
        """
        import torch

        def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
            X, y = torch.as_tensor(X), torch.as_tensor(y)
            w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
            b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
            losses = []
            for epoch in range(epochs):
                for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
                    loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
                    loss.backward()
                    with torch.no_grad():
                        w -= lr * w.grad
                        b -= lr * b.grad
                        w.grad.zero_()
                    losses.append(loss.item())
            return losses
        """,
    )
)
TRAINER_MISTAKES.append(
    (
        "no_zero_grad_w_only",
        _changed(
            TRAINER_MISTAKES[-1][1],
            "                        w.grad.zero_()",
            "                        b.grad.zero_()",
        ),
    )
)
TRAINER_CHECKS = ["gd_variants.minibatch", "gd_variants.batch_gd", "gd_variants.train_public"]

_GW = "gw = 2 * X[idx].T @ r / len(idx) + weight_decay * w"
_GB = "gb = 2 * np.mean(r) + weight_decay * b"
SGD_MISTAKES = [  # (mistake id, student's train_sgd) on both momentum / weight decay checks
    (
        "no_weight_decay",
        _changed(TRAIN_SGD, _GW, "gw = 2 * X[idx].T @ r / len(idx)").replace(
            _GB, "gb = 2 * np.mean(r)"
        ),
    ),
    ("weight_decay_not_on_bias", _changed(TRAIN_SGD, _GB, "gb = 2 * np.mean(r)")),
    (
        "weight_decay_not_on_bias",
        """
        import torch

        def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
            X, y = torch.as_tensor(X), torch.as_tensor(y)
            w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
            b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
            groups = [{"params": [w], "weight_decay": weight_decay}, {"params": [b]}]
            opt = torch.optim.SGD(groups, lr=lr, momentum=momentum)
            losses = []
            for epoch in range(epochs):
                for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
                    opt.zero_grad()
                    loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
                    loss.backward()
                    opt.step()
                    losses.append(loss.item())
            return losses
        """,
    ),
    (
        "weight_decay_sign",
        _changed(TRAIN_SGD, _GW, "gw = 2 * X[idx].T @ r / len(idx) - weight_decay * w").replace(
            _GB, "gb = 2 * np.mean(r) - weight_decay * b"
        ),
    ),
    (
        "sign_error",
        _changed(TRAIN_SGD, "w = w - lr * buf_w", "w = w + lr * buf_w").replace(
            "b = b - lr * buf_b", "b = b + lr * buf_b"
        ),
    ),
    ("no_factor_two_b_only", _changed(TRAIN_SGD, _GB, "gb = np.mean(r) + weight_decay * b")),
]
SGD_CHECKS = ["lr_rules.momentum_weight_decay", "lr_rules.momentum_weight_decay_public"]

ACCUMULATION_MISTAKES = [  # one parameter's gradient not divided by k
    (
        "not_divided_by_k_w_only",
        _changed(ACCUMULATED, "/ len(idx) / k", "/ len(idx)"),
    ),
    ("not_divided_by_k_b_only", _changed(ACCUMULATED, "np.mean(r) / k", "np.mean(r)")),
]


def _assert_named(mistake_id: str, check_id: str, source: str) -> None:
    result = _grade(source, check_id)
    mistake = registry.MISCONCEPTIONS[mistake_id]
    assert result.status == "failed", result.feedback
    assert result.diagnosis is not None, result.feedback
    assert result.diagnosis.mistake == mistake_id, (result.diagnosis, result.feedback)
    assert f"a known mistake: {mistake.title}" in result.feedback
    assert result.diagnosis.title == mistake.title and result.diagnosis.fix == mistake.fix
    assert mistake.fix


@pytest.mark.parametrize(
    "source",
    [
        _changed(RANGE, "b - lr * 2 * np.mean(r)", "b + lr * 2 * np.mean(r)"),
        _changed(RANGE, "b - lr * 2 * np.mean(r)", "b - lr * np.mean(r)"),
        _changed(RANGE, "idx = perm[start : start + batch_size]", "idx = perm[start : start]"),
    ],
)
def test_range_test_stopping_is_not_blamed_when_the_losses_differ(source: str) -> None:
    result = _grade(source, "lr_rules.range_test")
    assert result.status == "failed"
    for stop in ("range_exploding_batch_dropped", "range_never_stops"):
        assert registry.MISCONCEPTIONS[stop].title not in result.feedback
    assert "one step early" not in result.feedback and "one step late" not in result.feedback


@pytest.mark.parametrize(("mistake_id", "check_id", "source"), MISTAKES)
def test_a_mistake_is_named_by_its_check(mistake_id: str, check_id: str, source: str) -> None:
    _assert_named(mistake_id, check_id, source)


@pytest.mark.parametrize("check_id", TRAINER_CHECKS)
@pytest.mark.parametrize(("mistake_id", "source"), TRAINER_MISTAKES)
def test_trainer_mistakes_are_named_per_parameter(
    mistake_id: str, source: str, check_id: str
) -> None:
    _assert_named(mistake_id, check_id, source)


@pytest.mark.parametrize("check_id", SGD_CHECKS)
@pytest.mark.parametrize(("mistake_id", "source"), SGD_MISTAKES)
def test_weight_decay_and_momentum_mistakes_are_named(
    mistake_id: str, source: str, check_id: str
) -> None:
    _assert_named(mistake_id, check_id, source)


@pytest.mark.parametrize(("mistake_id", "source"), ACCUMULATION_MISTAKES)
def test_one_parameter_not_divided_by_k_is_named(mistake_id: str, source: str) -> None:
    _assert_named(mistake_id, "accumulation_normalization.accumulation_trainer", source)


def test_one_order_for_every_epoch_is_named_where_the_order_matters() -> None:
    """order[0] in every epoch: named on mini-batches; with B = N the order of the one batch
    changes nothing, and the answer is right."""
    source = _changed(TRAIN, "order[epoch]", "order[0]")
    _assert_named("order_reused", "gd_variants.minibatch", source)
    assert _grade(source, "gd_variants.batch_gd").status == "passed"


def test_a_skipped_short_batch_is_named_where_there_is_one() -> None:
    """drop_last where the text keeps the short batch: named at N = 44, B = 8; batch GD
    (B = N) has no short batch, so the answer is right there."""
    source = _changed(
        TRAIN,
        "for start in range(0, len(perm), batch_size):",
        "for start in range(0, len(perm) - batch_size + 1, batch_size):",
    )
    _assert_named("short_batch_dropped", "gd_variants.minibatch", source)
    _assert_named("short_batch_dropped", "gd_variants.train_public", source)
    assert _grade(source, "gd_variants.batch_gd").status == "passed"


def test_two_mistakes_with_the_same_output_are_named_together() -> None:
    """At B = k = 2 (the public accumulation check) a w gradient summed over the batch and
    one not divided by k are the same numbers: both are named, as indistinguishable."""
    source = _changed(ACCUMULATED, "/ len(idx) / k", "/ len(idx)")
    result = _grade(source, "accumulation_normalization.accumulation_trainer_public")
    assert result.status == "failed"
    assert {"sum_not_mean_w_only", "not_divided_by_k_w_only"} <= set(result.diagnosis.candidates)
    assert "the values alone cannot tell which" in result.feedback


def test_an_answer_the_family_cannot_read_is_judged_without_a_name() -> None:
    """A reason the stopping family does not know: failed as before, nothing named."""
    source = _changed(STOPPING, '("grad_tol", step)', '("converged", step)')
    result = _grade(source, "gd_basics.stopping_rules")
    assert result.status == "failed" and result.diagnosis is None


def test_the_trainer_family_reproduces_the_range_test_losses() -> None:
    """With the range test's rates and its stop rule, the trainer family without a bug is
    the reference run the range-test check compares with."""
    import numpy as np

    from grader.course.lr_rules import RANGE, RANGE_HYPER
    from grader.judging.misconceptions.linreg_trainer import run
    from reference.schedules import range_test
    from reference.trainers import train_linear_regression

    rates = range_test(1e-3, 30.0, n_batches=13, losses=[1.0])[0]
    inputs = {**RANGE, "lr": 1e-3, "batch_size": 5, "epochs": 1, "lrs": rates, "explode": 10.0}
    ref = train_linear_regression(
        RANGE["X"],
        RANGE["y"],
        w0=RANGE["w0"],
        b0=0.0,
        lr=RANGE_HYPER["lr_start"],
        batch_size=5,
        epochs=1,
        permutations=RANGE["permutations"],
        lr_schedule=lambda t: rates[t],
    ).step_losses
    kept = range_test(1e-3, 30.0, n_batches=13, losses=ref)[1]
    assert np.allclose(run(inputs), ref[:kept], rtol=1e-12, atol=0)


FAMILIES = (
    "update",
    "iterates",
    "saddle",
    "stability",
    "stopping",
    "momentum",
    "count_updates",
    "batch_bytes",
    "time_based",
    "exponential",
    "warmup",
    "scaling",
    "range_lrs",
    "linreg_trainer",
)
"""The families whose mistakes this file writes as students would."""
COVERED = (
    {m for m, *_ in MISTAKES}
    | {m for m, _ in TRAINER_MISTAKES + SGD_MISTAKES + ACCUMULATION_MISTAKES}
    | {"order_reused", "short_batch_dropped"}
    | SCHEDULE_MISTAKES
    | DESCENT_MISTAKES
    | COUNT_AND_SWEEP_MISTAKES
)
"""Every mistake id that a test here (or, for lr_rules' rates, test_space_schedules; for
gd_basics' outputs and momentum, test_space_descent; for gd_variants' counts,
test_space_iris) names through its real check."""


def test_every_mistake_of_these_families_is_reproduced_here_or_by_a_fixture() -> None:
    from pathlib import Path

    from grader.judging import misconceptions

    fixtures = Path(__file__).parent.parent / "files" / "trainers"
    by_fixture = {
        p.read_text().splitlines()[0].split("diagnosis ")[1].split()[0]
        for p in fixtures.glob("mistake_*.py")
    }
    for family in FAMILIES:
        ids = {m.id for m in misconceptions.mistakes(family)}
        assert ids <= COVERED | by_fixture, (family, sorted(ids - COVERED - by_fixture))


NOISE = """
import numpy as np

def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(trials):
        idx = rng.integers(0, len(X), size=batch_size)
        r = X[idx] @ w + b - y[idx]
        out.append(np.append(2 * X[idx].T @ r / batch_size, 2 * r.mean()))
    return np.array(out)
"""


@pytest.mark.parametrize(
    ("source", "relation", "words"),
    [
        (_changed(NOISE, "range(trials)", "range(trials - 1)"), "offset:-1", "one row too few"),
        (_changed(NOISE, "range(trials)", "range(trials + 1)"), "offset:+1", "one row too many"),
        (_changed(NOISE, "np.array(out)", "np.array(out).T"), "transpose", "axes swapped"),
    ],
)
def test_minibatch_gradients_of_the_wrong_shape_say_how(
    source: str, relation: str, words: str
) -> None:
    assert _grade(NOISE, "gd_variants.variance").status == "passed"
    result = _grade(source, "gd_variants.variance")
    assert result.status == "failed" and result.diagnosis.relation == relation
    assert words in result.feedback


def test_the_notes_accumulation_counter_is_a_course_trap_whose_fix_cites_them() -> None:
    from grader.judging.misconceptions import linreg_trainer

    fix = registry.MISCONCEPTIONS["accumulation_global_counter"].fix
    notes = (REPO_ROOT / linreg_trainer.NOTES_01).read_text(encoding="utf-8")
    assert linreg_trainer.NOTES_01 in fix and "Gradient Accumulation (Simulating Large" in fix
    assert "## Gradient Accumulation (Simulating Large Batches)" in notes
    assert "(batch_idx + 1) % accumulation_steps == 0" in notes
    assert "i + 1 == len(batches)" in fix  # what to write instead, and why it differs
    assert "every epoch sees all of its data" in fix
