"""Mistakes of gd_basics' outputs: one update step, GD iterates on x^2 and on the saddle
x^2 - y^2, the stability rule and the stopping rules.

Each family's ``run`` is its oracle in ``reference.descent`` called with the check's inputs
and some of its parts (``DescentParts``) swapped; a mistake is a known alternative for one
part. Families and their inputs (the check's own arguments):

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
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import alternative, register, register_space
from reference import descent
from reference.optim import descend

# -- the families: the oracles on the checks' inputs ------------------------------------------


def run_update(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """w after one step of ``gd_trajectory`` with the given gradient, ``parts`` swapped."""
    g = np.asarray(inputs["grad"], dtype=float)
    path = descent.gd_trajectory(
        lambda _x: g,
        inputs["w"],
        lr=inputs["lr"],
        steps=1,
        parts=replace(descent.TEXTBOOK, **parts),
    )
    return np.ravel(path[-1])


def run_iterates(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """x_0..x_steps of ``gd_trajectory`` on f(x) = x^2 (f'(x) = 2x), ``parts`` swapped."""
    return descent.gd_trajectory(
        lambda x: 2 * x,
        inputs["x0"],
        lr=inputs["lr"],
        steps=inputs["steps"],
        parts=replace(descent.TEXTBOOK, **parts),
    )


def run_saddle(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """The iterates of ``gd_trajectory`` on x^2 - y^2 (gradient (2x, -2y)), flattened."""
    return descent.gd_trajectory(
        lambda p: np.array([2 * p[0], -2 * p[1]]),
        inputs["p0"],
        lr=inputs["lr"],
        steps=inputs["steps"],
        parts=replace(descent.TEXTBOOK, **parts),
    ).ravel()


def run_stability(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """``is_stable(lr, L)`` per call as 0/1, ``parts`` swapped."""
    chosen = replace(descent.TEXTBOOK, **parts)
    return np.asarray(
        [float(descent.is_stable(lr, lip, parts=chosen)) for lr, lip in inputs["calls"]]
    )


REASONS = ("grad_tol", "loss_tol", "diverged", "max_steps")
"""The reasons ``descend_until`` returns, coded by their index."""


def run_stopping(inputs: dict[str, Any], **parts: Any) -> list[float]:
    """``gd_until`` on x^2 per call as (reason code, steps), ``parts`` swapped; a run that
    ends on max_steps reports max_steps, as the task asks (("max_steps", max_steps))."""
    chosen = replace(descent.TEXTBOOK, **parts)
    out: list[float] = []
    for x0, lr, grad_tol, loss_tol, max_steps in inputs["calls"]:
        r = descent.gd_until(
            lambda x: 2 * x,
            lambda x: float(x * x),
            x0,
            lr=lr,
            grad_tol=grad_tol,
            loss_tol=loss_tol,
            max_steps=max_steps,
            parts=chosen,
        )
        out += [
            float(REASONS.index(r.reason)),
            float(max_steps if r.reason == "max_steps" else r.steps),
        ]
    return out


register_space("update", run_update)
register_space("iterates", run_iterates)
register_space("saddle", run_saddle)
register_space("stability", run_stability)
register_space("stopping", run_stopping)


def encode_bools(value: Any) -> list[float]:
    """A list of booleans (one per call) as 0/1; anything else is not comparable."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, bool) for v in value):
        raise TypeError("not a list of booleans")
    return [float(v) for v in value]


def encode_stops(value: Any) -> list[float]:
    """[(reason, steps), ...] as [code, steps, ...]; an unknown reason is not comparable."""
    out: list[float] = []
    for reason, steps in value:
        out += [float(REASONS.index(reason)), float(steps)]
    return out


# -- alternatives of single parts ---------------------------------------------------------------


def uphill(p: np.ndarray, d: np.ndarray, *, lr: float) -> np.ndarray:
    """p + lr * d: the step added, uphill."""
    return descend(p, -d, lr=lr)


def no_lr(p: np.ndarray, d: np.ndarray, *, lr: float) -> np.ndarray:
    """p - d: the learning rate left out."""
    return descend(p, d, lr=1.0)


def half_step(p: np.ndarray, d: np.ndarray, *, lr: float) -> np.ndarray:
    """p - lr * d / 2: half the step."""
    return descend(p, d / 2, lr=lr)


def double_step(p: np.ndarray, d: np.ndarray, *, lr: float) -> np.ndarray:
    """p - 2 * lr * d: the step doubled."""
    return descend(p, 2 * d, lr=lr)


def half_gradient(grad: descent.Grad, x: np.ndarray) -> np.ndarray:
    """The gradient without its factor 2 (x for x^2)."""
    return descent.gradient_at(grad, x) / 2


def gradient_scaled(factors: tuple[float, ...]) -> Callable:
    """The gradient with each coordinate multiplied by its factor."""

    def gradient(grad: descent.Grad, x: np.ndarray) -> np.ndarray:
        return descent.gradient_at(grad, x) * np.asarray(factors)

    return gradient


def averaged_gradient(grad: descent.Grad, x: np.ndarray) -> np.ndarray:
    """The gradient array averaged (np.mean(grad)) before the step."""
    g = descent.gradient_at(grad, x)
    return np.full_like(g, g.mean())


def same_array(xs: list[np.ndarray]) -> np.ndarray:
    """The same array appended at each step (updated in place): every row the last point."""
    return np.stack([xs[-1]] * len(xs))


def same_array_after_start(xs: list[np.ndarray]) -> np.ndarray:
    """The start copied, then the same array appended at each step: rows 1.. the last point."""
    return np.stack([xs[0]] + [xs[-1]] * (len(xs) - 1))


def truncated(x: np.ndarray) -> np.ndarray:
    """The iterate kept in an integer array: cut toward zero."""
    return np.trunc(descent.as_float(x))


def limit_one_over_l(lipschitz: float) -> float:
    """1 / L in place of 2 / L."""
    return descent.two_over_l(lipschitz) / 2


def limit_of_l_two(lipschitz: float) -> float:
    """2 / 2 = 1 whatever L is: the text's example L = 2 written into the bound."""
    return descent.two_over_l(2.0)


def upper_inclusive(lr: float, limit: float) -> bool:
    """0 < lr <= limit."""
    return 0 < lr <= limit


def no_lower_bound(lr: float, limit: float) -> bool:
    """lr < limit (0 <= lr < limit for the rates a check passes)."""
    return lr < limit


def both_inclusive(lr: float, limit: float) -> bool:
    """0 <= lr <= limit."""
    return 0 <= lr <= limit


def gradient_at_most(g: np.ndarray, grad_tol: float) -> bool:
    """||g|| <= grad_tol: the rule not strict."""
    return math.hypot(*np.ravel(g)) <= grad_tol


def half_gradient_below(g: np.ndarray, grad_tol: float) -> bool:
    """The rule tests |g| / 2 (|x| for x^2, the derivative without its 2)."""
    return descent.gradient_below(g / 2, grad_tol)


def change_at_most(f_new: float, f_old: float, loss_tol: float) -> bool:
    """|f_new - f_old| <= loss_tol: the rule not strict."""
    return abs(f_new - f_old) <= loss_tol


def signed_change_below(f_new: float, f_old: float, loss_tol: float) -> bool:
    """f_new - f_old < loss_tol without abs(): any decrease stops."""
    return f_new - f_old < loss_tol


def signed_decrease_below(f_new: float, f_old: float, loss_tol: float) -> bool:
    """f_old - f_new < loss_tol without abs(): a loss that grows stops."""
    return f_old - f_new < loss_tol


def never_diverged(x: np.ndarray, fx: float) -> bool:
    """No divergence rule."""
    return False


def x_beyond_bound(x: np.ndarray, fx: float) -> bool:
    """Divergence tested on |x| alone, not on f(x)."""
    return not np.abs(x).max() <= descent.DIVERGENCE_BOUND


def one_more_pass(max_steps: int) -> int:
    """max_steps + 1 passes of the loop (range(max_steps + 1))."""
    return max_steps + 1


def also_after_the_last(k: int, budget: int) -> bool:
    """Rule 1 tested on every iterate x_0..x_budget, the last one too (before the limit)."""
    return k <= budget


def also_at_no_steps(k: int, budget: int) -> bool:
    """Rule 1 tested on x_0 whatever the budget (once before the loop), so at max_steps = 0."""
    return k < budget or k == 0


def after_a_step(k: int, budget: int) -> bool:
    """Rule 1 tested on the new point after each step: x_1..x_budget, never x_0."""
    return 0 < k <= budget


def one_fewer_after_step(reason: str, updates: int) -> int:
    """diverged / loss_tol report the updates before the current one."""
    return updates - 1 if reason in ("diverged", "loss_tol") else updates


def one_more_on_grad_tol(reason: str, updates: int) -> int:
    """grad_tol reports one update more than were made (a step counter from 1)."""
    return updates + 1 if reason == "grad_tol" else updates


# -- the library ------------------------------------------------------------------------------

_MISTAKES = [
    # update: one step
    (
        "update_sign",
        "the step goes uphill (w + lr * grad)",
        "Subtract the step: w - lr * grad moves against the gradient, downhill.",
        "update",
        {"update": uphill},
    ),
    (
        "update_no_lr",
        "the gradient is subtracted without the learning rate (w - grad)",
        "Scale the gradient by the learning rate: w - lr * grad.",
        "update",
        {"update": no_lr},
    ),
    (
        "update_half_step",
        "the step is half of lr * grad",
        "The gradient you are given is already dL/dw: take the whole step w - lr * grad, "
        "with no extra 1/2.",
        "update",
        {"update": half_step},
    ),
    (
        "update_double_step",
        "the step is 2 * lr * grad (the gradient multiplied by 2 again)",
        "grad is already the derivative: step by w - lr * grad without another factor 2.",
        "update",
        {"update": double_step},
    ),
    (
        "update_mean_gradient",
        "the gradient array is averaged (np.mean(grad)) before the step",
        "Each weight moves against its own gradient component: w - lr * grad elementwise. "
        "grad is already the gradient (any 1/m average is inside it): nothing to average.",
        "update",
        {"gradient": averaged_gradient},
    ),
    # iterates on x^2
    (
        "iterates_no_factor_two",
        "the derivative of x^2 is taken as x, not 2x",
        "f(x) = x^2 has f'(x) = 2x: the update is x - lr * 2 * x.",
        "iterates",
        {"gradient": half_gradient},
    ),
    (
        "iterates_uphill",
        "the iterates step uphill (x + lr * f'(x))",
        "Subtract the step: x_{k+1} = x_k - lr * 2 * x_k.",
        "iterates",
        {"update": uphill},
    ),
    (
        "iterates_truncated",
        "the iterates are stored in an integer array, so each is cut to an integer",
        "Keep the iterates as floats: start from float(x0) (or an array with dtype=float), "
        "not np.full(steps + 1, x0) with an integer x0.",
        "iterates",
        {"kept": truncated},
    ),
    # the saddle x^2 - y^2
    (
        "saddle_bowl",
        "df/dy is taken as +2y (the bowl x^2 + y^2), not -2y",
        "f(x, y) = x^2 - y^2 has gradient (2x, -2y): the y coordinate moves away from 0.",
        "saddle",
        {"gradient": gradient_scaled((1.0, -1.0))},
    ),
    (
        "saddle_no_factor_two_x",
        "df/dx lacks its factor 2 (x instead of 2x); df/dy is right",
        "The gradient of x^2 - y^2 is (2x, -2y): put the 2 back in df/dx.",
        "saddle",
        {"gradient": gradient_scaled((0.5, 1.0))},
    ),
    (
        "saddle_no_factor_two_y",
        "df/dy lacks its factor 2 (-y instead of -2y); df/dx is right",
        "The gradient of x^2 - y^2 is (2x, -2y): put the 2 back in df/dy.",
        "saddle",
        {"gradient": gradient_scaled((1.0, 0.5))},
    ),
    (
        "saddle_uphill",
        "the iterates step uphill (p + lr * grad)",
        "Subtract the step: p_{k+1} = p_k - lr * (2x, -2y).",
        "saddle",
        {"update": uphill},
    ),
    (
        "saddle_same_array",
        "the same array is appended at every step (the point is updated in place, "
        "p -= ...), so every row is the last point",
        "Append a copy of the point (path.append(p.copy())) or make a new array each step "
        "(p = p - lr * grad): an in-place update changes every row that is the same array.",
        "saddle",
        {"path": same_array},
    ),
    (
        "saddle_same_array_after_start",
        "the same array is appended at every step after the start (the point is updated in "
        "place, p -= ...), so every row after the first is the last point",
        "Append a copy of the point (path.append(p.copy())) or make a new array each step "
        "(p = p - lr * grad): an in-place update changes every row that is the same array.",
        "saddle",
        {"path": same_array_after_start},
    ),
    # stability rule
    (
        "stable_upper_inclusive",
        "the bound 2/L counts as stable (lr <= 2/L)",
        "At lr = 2/L GD oscillates forever without converging: the upper bound is strict, "
        "0 < lr < 2/L.",
        "stability",
        {"stable": upper_inclusive},
    ),
    (
        "stable_no_lower_bound",
        "lr = 0 counts as stable (the lower bound 0 < lr is missing or not strict)",
        "With lr = 0 (or below) GD never moves towards the minimum: require 0 < lr as well "
        "as lr < 2/L.",
        "stability",
        {"stable": no_lower_bound},
    ),
    (
        "stable_both_inclusive",
        "both ends count as stable (0 <= lr <= 2/L)",
        "Both bounds are strict: 0 < lr < 2/L.",
        "stability",
        {"stable": both_inclusive},
    ),
    (
        "stable_one_over_l",
        "the bound is 1/L instead of 2/L",
        "GD on an L-smooth quadratic converges for 0 < lr < 2/L; 1/L is the rate that never "
        "overshoots, not the stability limit.",
        "stability",
        {"stability_limit": limit_one_over_l},
    ),
    (
        "stable_fixed_l",
        "the bound is 2/L for L = 2 whatever lipschitz is (lr < 1)",
        "Use the lipschitz argument: 0 < lr < 2 / lipschitz. The text's 'Here L = 2' is the "
        "example the first calls use; the function is called with other L too.",
        "stability",
        {"stability_limit": limit_of_l_two},
    ),
    # stopping rules
    (
        "stop_grad_tol_inclusive",
        "the gradient rule stops when |f'(x)| <= grad_tol, not < grad_tol",
        "Stop only when |f'(x)| < grad_tol (strict), before stepping.",
        "stopping",
        {"gradient_small": gradient_at_most},
    ),
    (
        "stop_loss_tol_inclusive",
        "the loss rule stops when the change <= loss_tol, not < loss_tol",
        "Stop only when |f(x_new) - f(x_old)| < loss_tol (strict).",
        "stopping",
        {"loss_settled": change_at_most},
    ),
    (
        "stop_grad_no_factor_two",
        "the gradient rule tests |x| instead of |f'(x)| = |2x|",
        "f'(x) = 2x: compare abs(2 * x) with grad_tol.",
        "stopping",
        {"gradient_small": half_gradient_below},
    ),
    (
        "stop_update_no_factor_two",
        "the update uses x - lr * x (the derivative of x^2 without its factor 2)",
        "Step with the derivative 2x: x <- x - lr * 2 * x.",
        "stopping",
        {"update": half_step},
    ),
    (
        "stop_uphill",
        "the update goes uphill (x + lr * 2x)",
        "Subtract the step: x <- x - lr * 2 * x.",
        "stopping",
        {"update": uphill},
    ),
    (
        "stop_steps_one_short",
        "diverged / loss_tol report the steps made before the current one (one too few)",
        "The step that triggers diverged or loss_tol has been made: report step + 1 updates.",
        "stopping",
        {"reported_steps": one_fewer_after_step},
    ),
    (
        "stop_grad_tol_one_more",
        "grad_tol reports one step more than were made (the step counter starts at 1)",
        "Rule 1 fires before a step: report the updates already made, the loop index of "
        "for step in range(max_steps) (0 when x0 itself passes).",
        "stopping",
        {"reported_steps": one_more_on_grad_tol},
    ),
    (
        "stop_signed_loss_change",
        "the loss rule compares f(x_new) - f(x_old) without abs(), so any decrease stops",
        "Compare the size of the change: abs(f(x_new) - f(x_old)) < loss_tol.",
        "stopping",
        {"loss_settled": signed_change_below},
    ),
    (
        "stop_signed_loss_decrease",
        "the loss rule compares the decrease f(x_old) - f(x_new) without abs(), so a loss "
        "that grows stops the run",
        "Compare the size of the change: abs(f(x_new) - f(x_old)) < loss_tol; a growing loss "
        "is for the divergence rule to catch.",
        "stopping",
        {"loss_settled": signed_decrease_below},
    ),
    (
        "stop_no_divergence",
        "there is no divergence rule (|x| or f(x) above 1e12, or not finite)",
        "After each step, stop with 'diverged' when x is not finite or |x| or x^2 exceeds 1e12.",
        "stopping",
        {"diverged": never_diverged},
    ),
    (
        "stop_divergence_x_only",
        "the divergence rule tests |x| > 1e12 only, not f(x) = x^2 > 1e12",
        "Rule 2 stops when |x| or f(x) exceeds 1e12: on x^2 the loss passes 1e12 first "
        "(|x| > 1e6), so test f(x) too.",
        "stopping",
        {"diverged": x_beyond_bound},
    ),
    (
        "stop_extra_pass",
        "the loop makes max_steps + 1 passes: the gradient rule runs after the last step",
        "Make at most max_steps passes (for step in range(max_steps)); after them the reason "
        "is max_steps.",
        "stopping",
        {"budget": one_more_pass},
    ),
    (
        "stop_gradient_tested_last",
        "the gradient rule is also tested on the last iterate (and at max_steps = 0): it runs "
        "before the max_steps limit",
        "Rule 1 runs only before a step is made: check the limit first (or loop for step in "
        "range(max_steps)), so after max_steps steps the answer is ('max_steps', max_steps) "
        "however small the gradient.",
        "stopping",
        {"gradient_tested": also_after_the_last},
    ),
    (
        "stop_gradient_tested_without_steps",
        "the gradient rule is tested on x0 even when max_steps = 0 (once before the loop)",
        "With max_steps = 0 no step is made, so no rule applies: return ('max_steps', 0) "
        "however small |f'(x0)| is; test rule 1 inside the loop, before each step.",
        "stopping",
        {"gradient_tested": also_at_no_steps},
    ),
    (
        "stop_gradient_after_step",
        "the gradient rule is tested on the new point after each step, not before the step",
        "Test |f'(x)| < grad_tol at the top of the loop, before stepping: x0 itself is "
        "tested, and after the max_steps-th step no rule but max_steps applies.",
        "stopping",
        {"gradient_tested": after_a_step},
    ),
]
for _id, _title, _fix, _family, _parts in _MISTAKES:
    register(alternative(_id, _title, _fix, _family, **_parts))
