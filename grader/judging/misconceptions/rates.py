"""Mistakes of lr_rules' learning rates: time-based, exponential and warm-up schedules, the
linear scaling rule and the rates of the learning-rate range test.

Families and their inputs (the check's own arguments):

* ``time_based``: eta_0..eta_{n-1} of eta_{k+1} = eta_k / (1 + decay * k); ``lr0, decay, n``.
* ``exponential``: lr0 * exp(-k * n) for n = 0..n-1; ``lr0, k, n``.
* ``warmup``: lr0 * (s + (1 - s) * min(t, W) / W) for t = 0..n-1; ``lr0, warmup_steps,
  start_factor, n``.
* ``scaling``: base_lr * new_batch / base_batch per call; ``calls``: (base_lr, base_batch,
  new_batch) tuples.
* ``range_lrs``: the rates the range test records, up to and including the batch whose loss
  passes 10 times the first (``reference.schedules.range_test``); ``X, y, w0, b0, order,
  lr_start, lr_end, batch_size``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference

# -- time-based decay -------------------------------------------------------------------------


def time_based(inputs: dict[str, Any], rule: str = "recursion") -> np.ndarray:
    """``recursion`` (right), ``closed_form`` lr0 / (1 + decay * n), ``shifted`` (the
    recursion with decay * (k + 1): every epoch one step ahead)."""
    lr0, decay, n = inputs["lr0"], inputs["decay"], inputs["n"]
    if rule == "closed_form":
        return np.asarray([lr0 / (1 + decay * k) for k in range(n)])
    shift = 1 if rule == "shifted" else 0
    rates = [lr0]
    for k in range(n - 1):
        rates.append(rates[-1] / (1 + decay * (k + shift)))
    return np.asarray(rates)


register_reference("time_based", time_based)

# -- exponential decay ------------------------------------------------------------------------


def exponential(inputs: dict[str, Any], *, shift: int = 0, sign: float = -1.0) -> np.ndarray:
    """lr0 * exp(sign * k * (n + shift)) for n = 0..n-1 (right: shift 0, sign -1)."""
    n = np.arange(inputs["n"]) + shift
    return inputs["lr0"] * np.exp(sign * inputs["k"] * n)


register_reference("exponential", exponential)

# -- linear warm-up ---------------------------------------------------------------------------


def warmup(inputs: dict[str, Any], rule: str = "right") -> np.ndarray:
    """Warm-up rates under ``rule``: ``right``, ``not_divided`` (the fraction min(t, W)
    without / W), ``not_divided_capped`` (min(1, s + (1 - s) * t)), ``early`` (min(t, W - 1)
    / (W - 1)), ``from_zero`` (no start factor), ``shifted`` (t + 1), ``no_cap`` (t / W
    keeps growing after W)."""
    lr0, w, s = inputs["lr0"], inputs["warmup_steps"], inputs["start_factor"]
    t = np.arange(inputs["n"], dtype=float)
    frac = {
        "right": lambda: np.minimum(t, w) / w,
        "not_divided": lambda: np.minimum(t, w),
        "early": lambda: np.minimum(t, w - 1) / (w - 1),
        "shifted": lambda: np.minimum(t + 1, w) / w,
        "no_cap": lambda: t / w,
    }
    if rule == "not_divided_capped":
        return lr0 * np.minimum(1.0, s + (1 - s) * t)
    if rule == "from_zero":
        return lr0 * np.minimum(t, w) / w
    return lr0 * (s + (1 - s) * frac[rule]())


register_reference("warmup", warmup)

# -- linear scaling ---------------------------------------------------------------------------

_SCALING = {
    "right": lambda lr, base, new: lr * new / base,
    "inverted": lambda lr, base, new: lr * base / new,
    "sqrt": lambda lr, base, new: lr * math.sqrt(new / base),
    "none": lambda lr, base, new: lr,
}


def scaling(inputs: dict[str, Any], rule: str = "right") -> np.ndarray:
    """The scaled rate of every (base_lr, base_batch, new_batch) call under ``rule``."""
    return np.asarray([_SCALING[rule](*case) for case in inputs["calls"]], dtype=float)


register_reference("scaling", scaling)

# -- range test -------------------------------------------------------------------------------


def range_lrs(inputs: dict[str, Any], **bug: bool) -> np.ndarray:
    """The rates the range test records, with the named bugs: ``after_step`` (batch i uses
    gamma ** (i + 1)), ``short`` (gamma from one batch fewer: floor(N / B) with a short last
    batch, or n_batches - 1, the same number)."""
    from reference.batching import batches
    from reference.trainers import mse, mse_gradient

    X, y = np.asarray(inputs["X"], float), np.asarray(inputs["y"], float)
    w, b = np.asarray(inputs["w0"], float), float(inputs["b0"])
    parts = batches(np.asarray(inputs["order"][0]), inputs["batch_size"])
    n = len(parts) - 1 if bug.get("short") else len(parts)
    start, end = inputs["lr_start"], inputs["lr_end"]
    gamma = (end / start) ** (1 / n)
    lrs, losses = [], []
    for i, idx in enumerate(parts):
        lr = start * gamma ** (i + 1 if bug.get("after_step") else i)
        losses.append(mse(X[idx], y[idx], w, b))
        lrs.append(lr)
        if losses[-1] > 10 * losses[0]:
            break
        gw, gb = mse_gradient(X[idx], y[idx], w, b)
        w, b = w - lr * gw, b - lr * gb
    return np.asarray(lrs)


register_reference("range_lrs", range_lrs)

# -- the library ------------------------------------------------------------------------------

for _mistake in [
    Mistake(
        "time_based_closed_form",
        "time-based decay computed as lr0 / (1 + decay * n), not by the recursion",
        "Use the notes' recursion: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n), each "
        "rate from the previous one.",
        "time_based",
        lambda i: time_based(i, "closed_form"),
    ),
    Mistake(
        "time_based_off_by_one",
        "the recursion divides by 1 + decay * (n + 1): every epoch is one ahead",
        "eta_{n+1} = eta_n / (1 + decay * n) with n starting at 0, so eta_1 = eta_0.",
        "time_based",
        lambda i: time_based(i, "shifted"),
    ),
    Mistake(
        "exponential_off_by_one",
        "the decay starts at n = 1 (lr0 * exp(-k * (n + 1))): one epoch too far",
        "Epoch 0 has lr0 itself: lr_n = lr0 * exp(-k * n) for n = 0, 1, ...",
        "exponential",
        lambda i: exponential(i, shift=1),
    ),
    Mistake(
        "exponential_growing",
        "the exponent has the wrong sign (lr0 * exp(k * n)): the rate grows",
        "Decay needs a negative exponent: lr0 * exp(-k * n).",
        "exponential",
        lambda i: exponential(i, sign=1.0),
    ),
    Mistake(
        "warmup_not_divided",
        "the warm-up fraction is not divided by warmup_steps",
        "The factor grows from start_factor to 1 over warmup_steps steps: "
        "start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps.",
        "warmup",
        lambda i: warmup(i, "not_divided"),
    ),
    Mistake(
        "warmup_not_divided_capped",
        "the warm-up factor grows by (1 - start_factor) per step (not divided by "
        "warmup_steps), capped at 1",
        "Divide the step count by warmup_steps: "
        "start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps.",
        "warmup",
        lambda i: warmup(i, "not_divided_capped"),
    ),
    Mistake(
        "warmup_one_step_early",
        "the warm-up divides by warmup_steps - 1 and reaches lr0 one step early",
        "lr0 is reached at t = warmup_steps: use min(t, warmup_steps) / warmup_steps.",
        "warmup",
        lambda i: warmup(i, "early"),
    ),
    Mistake(
        "warmup_from_zero",
        "the warm-up starts from 0, not from start_factor * lr0",
        "Start at start_factor: lr0 * (start_factor + (1 - start_factor) * min(t, W) / W).",
        "warmup",
        lambda i: warmup(i, "from_zero"),
    ),
    Mistake(
        "warmup_off_by_one",
        "the warm-up uses t + 1: step 0 already has the rate of step 1",
        "Step 0 has start_factor * lr0: use min(t, W) / W with t = 0, 1, ...",
        "warmup",
        lambda i: warmup(i, "shifted"),
    ),
    Mistake(
        "warmup_never_ends",
        "the warm-up keeps growing after warmup_steps (no min(t, warmup_steps))",
        "After warmup_steps the rate stays at lr0: use min(t, warmup_steps) / warmup_steps.",
        "warmup",
        lambda i: warmup(i, "no_cap"),
    ),
    Mistake(
        "scaling_inverted",
        "the ratio is upside down (base_lr * base_batch / new_batch)",
        "k times the batch, k times the rate: base_lr * new_batch / base_batch.",
        "scaling",
        lambda i: scaling(i, "inverted"),
    ),
    Mistake(
        "scaling_sqrt",
        "square-root scaling (base_lr * sqrt(new_batch / base_batch)), not the linear rule",
        "The linear scaling rule multiplies by the ratio itself: base_lr * new_batch / base_batch.",
        "scaling",
        lambda i: scaling(i, "sqrt"),
    ),
    Mistake(
        "scaling_none",
        "the rate is not scaled (base_lr returned)",
        "Multiply base_lr by new_batch / base_batch.",
        "scaling",
        lambda i: scaling(i, "none"),
    ),
    Mistake(
        "range_lr_after_step",
        "batch i uses lr_start * gamma ** (i + 1): the rate grew before the first batch",
        "The first batch uses lr_start itself: lr_i = lr_start * gamma ** i, then grow it.",
        "range_lrs",
        lambda i: range_lrs(i, after_step=True),
    ),
    Mistake(
        "range_gamma_one_batch_short",
        "gamma is computed from one batch too few (floor(N / B), or n_batches - 1)",
        "Count every batch the epoch reads, the short last one too: n_batches = ceil(N / B), "
        "and gamma = (lr_end / lr_start) ** (1 / n_batches).",
        "range_lrs",
        lambda i: range_lrs(i, short=True),
    ),
]:
    register(_mistake)
