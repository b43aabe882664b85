"""Mistakes of gd_basics' outputs: one update step, GD iterates on x^2 and on the saddle
x^2 - y^2, the stability rule and the stopping rules.

Families and their inputs (the check's own arguments):

* ``update``: w after one step ``w - lr * grad``; inputs ``w, grad, lr``.
* ``iterates``: x_0..x_steps of GD on f(x) = x^2; inputs ``x0, lr, steps``.
* ``saddle``: the iterates (flattened) of GD on x^2 - y^2; inputs ``p0, lr, steps``.
* ``stability``: ``is_stable(lr, L)`` per call as 0/1; inputs ``calls``: (lr, L) pairs.
* ``stopping``: ``descend_until`` per call as (reason code, steps), codes ``REASONS``;
  inputs ``calls``: (x0, lr, grad_tol, loss_tol, max_steps) tuples. ``encode_stops`` turns
  a student's answer into the same numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference

# -- update: one step -------------------------------------------------------------------------


def step(inputs: dict[str, Any], *, factor: float = 1.0) -> np.ndarray:
    """w - factor * lr * grad (factor 1 is the right step)."""
    w, g = np.asarray(inputs["w"], float), np.asarray(inputs["grad"], float)
    return np.ravel(w - factor * inputs["lr"] * g)


register_reference("update", step)

# -- iterates on x^2 --------------------------------------------------------------------------


def iterates(inputs: dict[str, Any], *, slope: float = 2.0, integer: bool = False) -> np.ndarray:
    """x_0..x_steps of x <- x - lr * slope * x (slope 2: f'(x) = 2x); ``integer`` stores
    them in an integer array (each truncated toward zero)."""
    xs = [float(inputs["x0"])]
    for _ in range(inputs["steps"]):
        x = xs[-1] - inputs["lr"] * slope * xs[-1]
        xs.append(float(math.trunc(x)) if integer else x)
    return np.asarray(xs)


register_reference("iterates", iterates)

# -- the saddle x^2 - y^2 ---------------------------------------------------------------------


def saddle(inputs: dict[str, Any], *, dx: float = 2.0, dy: float = -2.0) -> np.ndarray:
    """Iterates of p <- p - lr * (dx * x, dy * y), flattened (the right gradient: 2x, -2y)."""
    p = np.asarray(inputs["p0"], float)
    out = [p]
    for _ in range(inputs["steps"]):
        p = p - inputs["lr"] * np.array([dx * p[0], dy * p[1]])
        out.append(p)
    return np.concatenate(out)


register_reference("saddle", saddle)

# -- stability rule ---------------------------------------------------------------------------


def stability(inputs: dict[str, Any], rule: str = "right") -> np.ndarray:
    """is_stable per (lr, L) call as 0/1 under ``rule``."""
    rules = {
        "right": lambda lr, b: 0 < lr < b,
        "upper_inclusive": lambda lr, b: 0 < lr <= b,
        "no_lower": lambda lr, b: lr < b,
        "both_inclusive": lambda lr, b: 0 <= lr <= b,
        "one_over_l": lambda lr, b: 0 < lr < b / 2,
    }
    return np.asarray([float(rules[rule](lr, 2 / lip)) for lr, lip in inputs["calls"]])


register_reference("stability", stability)


def encode_bools(value: Any) -> list[float]:
    """A list of booleans (one per call) as 0/1; anything else is not comparable."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, bool) for v in value):
        raise TypeError("not a list of booleans")
    return [float(v) for v in value]


# -- stopping rules ---------------------------------------------------------------------------

REASONS = ("grad_tol", "loss_tol", "diverged", "max_steps")
"""The reasons ``descend_until`` returns, coded by their index."""
BOUND = 1e12
"""Divergence bound of the reference (``reference.descent.DIVERGENCE_BOUND``)."""


def encode_stops(value: Any) -> list[float]:
    """[(reason, steps), ...] as [code, steps, ...]; an unknown reason is not comparable."""
    out: list[float] = []
    for reason, steps in value:
        out += [float(REASONS.index(reason)), float(steps)]
    return out


def descend(case: tuple, **bug: bool) -> tuple[str, int]:
    """``descend_until`` on x^2 with the named bugs: ``grad_le`` / ``loss_le`` (<= where
    the rule is strict), ``grad_x`` (|x| tested, the gradient without its factor 2),
    ``half`` (x - lr * x: the update without the factor 2), ``uphill`` (x + lr * 2x),
    ``count_before`` (diverged / loss_tol report the steps before the current one),
    ``signed_change`` (the loss change without abs), ``no_diverge`` (no divergence rule),
    ``extra_pass`` (max_steps + 1 passes: the gradient rule runs after the last step)."""
    x0, lr, grad_tol, loss_tol, max_steps = case
    x = float(x0)
    passes = max_steps + 1 if bug.get("extra_pass") else max_steps
    with np.errstate(all="ignore"):
        for k in range(passes):
            g = x if bug.get("grad_x") else 2 * x
            if (abs(g) <= grad_tol) if bug.get("grad_le") else (abs(g) < grad_tol):
                return "grad_tol", k
            slope = 1.0 if bug.get("half") else 2.0
            old, x = x * x, (x + lr * slope * x if bug.get("uphill") else x - lr * slope * x)
            done = k if bug.get("count_before") else k + 1
            if not bug.get("no_diverge") and not (abs(x) <= BOUND and x * x <= BOUND):
                return "diverged", done
            change = x * x - old if bug.get("signed_change") else abs(x * x - old)
            if (change <= loss_tol) if bug.get("loss_le") else (change < loss_tol):
                return "loss_tol", done
    return "max_steps", max_steps


def stops(inputs: dict[str, Any], **bug: bool) -> list[float]:
    """Every call's (reason, steps), coded as ``encode_stops`` does."""
    return encode_stops([descend(tuple(case), **bug) for case in inputs["calls"]])


register_reference("stopping", stops)

# -- the library ------------------------------------------------------------------------------

_MISTAKES = [
    Mistake(
        "update_sign",
        "the step goes uphill (w + lr * grad)",
        "Subtract the step: w - lr * grad moves against the gradient, downhill.",
        "update",
        lambda i: step(i, factor=-1.0),
    ),
    Mistake(
        "update_no_lr",
        "the gradient is subtracted without the learning rate (w - grad)",
        "Scale the gradient by the learning rate: w - lr * grad.",
        "update",
        lambda i: np.ravel(np.asarray(i["w"], float) - np.asarray(i["grad"], float)),
    ),
    Mistake(
        "update_half_step",
        "the step is half of lr * grad",
        "The gradient you are given is already dL/dw: take the whole step w - lr * grad, "
        "with no extra 1/2.",
        "update",
        lambda i: step(i, factor=0.5),
    ),
    Mistake(
        "update_double_step",
        "the step is 2 * lr * grad (the gradient multiplied by 2 again)",
        "grad is already the derivative: step by w - lr * grad without another factor 2.",
        "update",
        lambda i: step(i, factor=2.0),
    ),
    Mistake(
        "iterates_no_factor_two",
        "the derivative of x^2 is taken as x, not 2x",
        "f(x) = x^2 has f'(x) = 2x: the update is x - lr * 2 * x.",
        "iterates",
        lambda i: iterates(i, slope=1.0),
    ),
    Mistake(
        "iterates_uphill",
        "the iterates step uphill (x + lr * f'(x))",
        "Subtract the step: x_{k+1} = x_k - lr * 2 * x_k.",
        "iterates",
        lambda i: iterates(i, slope=-2.0),
    ),
    Mistake(
        "iterates_truncated",
        "the iterates are stored in an integer array, so each is cut to an integer",
        "Keep the iterates as floats: start from float(x0) (or an array with dtype=float), "
        "not np.full(steps + 1, x0) with an integer x0.",
        "iterates",
        lambda i: iterates(i, integer=True),
    ),
    Mistake(
        "saddle_bowl",
        "df/dy is taken as +2y (the bowl x^2 + y^2), not -2y",
        "f(x, y) = x^2 - y^2 has gradient (2x, -2y): the y coordinate moves away from 0.",
        "saddle",
        lambda i: saddle(i, dy=2.0),
    ),
    Mistake(
        "saddle_no_factor_two_x",
        "df/dx lacks its factor 2 (x instead of 2x); df/dy is right",
        "The gradient of x^2 - y^2 is (2x, -2y): put the 2 back in df/dx.",
        "saddle",
        lambda i: saddle(i, dx=1.0),
    ),
    Mistake(
        "saddle_no_factor_two_y",
        "df/dy lacks its factor 2 (-y instead of -2y); df/dx is right",
        "The gradient of x^2 - y^2 is (2x, -2y): put the 2 back in df/dy.",
        "saddle",
        lambda i: saddle(i, dy=-1.0),
    ),
    Mistake(
        "saddle_uphill",
        "the iterates step uphill (p + lr * grad)",
        "Subtract the step: p_{k+1} = p_k - lr * (2x, -2y).",
        "saddle",
        lambda i: saddle(i, dx=-2.0, dy=2.0),
    ),
    Mistake(
        "stable_upper_inclusive",
        "the bound 2/L counts as stable (lr <= 2/L)",
        "At lr = 2/L GD oscillates forever without converging: the upper bound is strict, "
        "0 < lr < 2/L.",
        "stability",
        lambda i: stability(i, "upper_inclusive"),
    ),
    Mistake(
        "stable_no_lower_bound",
        "lr = 0 counts as stable (the lower bound 0 < lr is missing or not strict)",
        "With lr = 0 (or below) GD never moves towards the minimum: require 0 < lr as well "
        "as lr < 2/L.",
        "stability",
        lambda i: stability(i, "no_lower"),
    ),
    Mistake(
        "stable_both_inclusive",
        "both ends count as stable (0 <= lr <= 2/L)",
        "Both bounds are strict: 0 < lr < 2/L.",
        "stability",
        lambda i: stability(i, "both_inclusive"),
    ),
    Mistake(
        "stable_one_over_l",
        "the bound is 1/L instead of 2/L",
        "GD on an L-smooth quadratic converges for 0 < lr < 2/L; 1/L is the rate that never "
        "overshoots, not the stability limit.",
        "stability",
        lambda i: stability(i, "one_over_l"),
    ),
]
_STOPPING = [  # (id, title, fix, bug)
    (
        "stop_grad_tol_inclusive",
        "the gradient rule stops when |f'(x)| <= grad_tol, not < grad_tol",
        "Stop only when |f'(x)| < grad_tol (strict), before stepping.",
        "grad_le",
    ),
    (
        "stop_loss_tol_inclusive",
        "the loss rule stops when the change <= loss_tol, not < loss_tol",
        "Stop only when |f(x_new) - f(x_old)| < loss_tol (strict).",
        "loss_le",
    ),
    (
        "stop_grad_no_factor_two",
        "the gradient rule tests |x| instead of |f'(x)| = |2x|",
        "f'(x) = 2x: compare abs(2 * x) with grad_tol.",
        "grad_x",
    ),
    (
        "stop_update_no_factor_two",
        "the update uses x - lr * x (the derivative of x^2 without its factor 2)",
        "Step with the derivative 2x: x <- x - lr * 2 * x.",
        "half",
    ),
    (
        "stop_uphill",
        "the update goes uphill (x + lr * 2x)",
        "Subtract the step: x <- x - lr * 2 * x.",
        "uphill",
    ),
    (
        "stop_steps_one_short",
        "diverged / loss_tol report the steps made before the current one (one too few)",
        "The step that triggers diverged or loss_tol has been made: report step + 1 updates.",
        "count_before",
    ),
    (
        "stop_signed_loss_change",
        "the loss rule compares f(x_new) - f(x_old) without abs(), so any decrease stops",
        "Compare the size of the change: abs(f(x_new) - f(x_old)) < loss_tol.",
        "signed_change",
    ),
    (
        "stop_no_divergence",
        "there is no divergence rule (|x| or f(x) above 1e12, or not finite)",
        "After each step, stop with 'diverged' when x is not finite or |x| or x^2 exceeds 1e12.",
        "no_diverge",
    ),
    (
        "stop_extra_pass",
        "the loop makes max_steps + 1 passes: the gradient rule runs after the last step",
        "Make at most max_steps passes (for step in range(max_steps)); after them the reason "
        "is max_steps.",
        "extra_pass",
    ),
]
for _mistake in _MISTAKES:
    register(_mistake)
for _id, _title, _fix, _bug in _STOPPING:
    register(Mistake(_id, _title, _fix, "stopping", lambda i, _b=_bug: stops(i, **{_b: True})))
