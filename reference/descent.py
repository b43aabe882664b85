"""Plain and momentum gradient descent on a function given by its gradient.

The update is x <- x - lr * grad(x). A trajectory includes the start point: ``steps`` updates
give shape (steps + 1,) for a scalar x0 and (steps + 1, d) for a vector x0. Divergence is data,
not an error: an overflowing run returns inf / nan iterates without warnings.

Each algorithm is a composition of small named parts (the gradient, the momentum buffer and
its direction, the update, each stopping rule, the stability limit), gathered in
``DescentParts``; ``TEXTBOOK`` holds them all at their textbook defaults, torch's rules, and
is what every algorithm uses unless a ``parts`` argument says otherwise. The misconception
families of gd_basics build their known mistakes by swapping one part for an alternative.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reference import _checks
from reference.optim import descend, momentum_buffer, step_direction, validate

Grad = Callable[[np.ndarray], np.ndarray]
StopReason = Literal["grad_tol", "loss_tol", "max_steps", "diverged"]
DIVERGENCE_BOUND = 1e12
"""gd_until calls a run diverged once max|x| or |f(x)| exceeds this, or either is non-finite."""


def _start(x0: object) -> np.ndarray:
    """x0 as a fresh finite float64 scalar or vector."""
    x = _checks.finite_array("x0", x0).copy()
    if x.ndim > 1:
        raise ValueError(f"x0 must be a scalar or a 1-D vector, got shape {x.shape}")
    return x


# -- the parts: each step of the algorithms below, as a named textbook function -----------------


def gradient_at(grad: Grad, x: np.ndarray) -> np.ndarray:
    """g = grad(x), as float64, called on a copy of x (the gradient cannot move x)."""
    g = np.asarray(grad(x.copy()), dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grad returned shape {g.shape} but x has shape {x.shape}")
    return g


def as_float(x: np.ndarray) -> np.ndarray:
    """The iterate as it is kept, and the next step starts from: float64."""
    return np.asarray(x, dtype=np.float64)


def no_buffer(x: np.ndarray) -> np.ndarray | None:
    """The momentum buffer before the first step: none (torch creates it from the first g)."""
    return None


def momentum_step(
    x: np.ndarray,
    g: np.ndarray,
    buf: np.ndarray | None,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    nesterov: bool,
    parts: DescentParts,
) -> tuple[np.ndarray, np.ndarray | None]:
    """One torch.optim.SGD step without weight decay (``reference.optim.sgd_step``): the
    buffer takes g, the step follows its direction; momentum 0 keeps no buffer, steps by g."""
    if momentum == 0:
        return parts.update(x, g, lr=lr), None
    buf = parts.buffer(buf, g, momentum=momentum, dampening=dampening)
    d = parts.direction(g, buf, momentum=momentum, nesterov=nesterov)
    return parts.update(x, d, lr=lr), buf


def stacked(xs: list[np.ndarray]) -> np.ndarray:
    """The trajectory as returned: x_0..x_steps stacked, each iterate its own row."""
    return np.stack(xs)


def step_budget(max_steps: int) -> int:
    """The updates gd_until may make: max_steps."""
    return max_steps


def before_a_step(k: int, budget: int) -> bool:
    """Rule 1 is tested on x_k before a step only: x_0..x_{budget-1}, never the last iterate."""
    return k < budget


def gradient_below(g: np.ndarray, grad_tol: float) -> bool:
    """Rule 1: ||g||_2 < grad_tol (strict: a tolerance of 0 never fires)."""
    return math.hypot(*np.ravel(g)) < grad_tol


def beyond_bound(x: np.ndarray, fx: float) -> bool:
    """Rule 2: x or f(x) beyond DIVERGENCE_BOUND in size, or not finite (nan fails both)."""
    return not (np.abs(x).max() <= DIVERGENCE_BOUND and abs(fx) <= DIVERGENCE_BOUND)


def change_below(f_new: float, f_old: float, loss_tol: float) -> bool:
    """Rule 3: |f(x_new) - f(x_old)| < loss_tol (strict)."""
    return abs(f_new - f_old) < loss_tol


def updates_made(reason: StopReason, updates: int) -> int:
    """The steps a run reports: the updates made, whichever rule stopped it."""
    return updates


def two_over_l(lipschitz: float) -> float:
    """The stability limit 2 / L: beyond it the step along curvature L overshoots ever more."""
    return 2.0 / lipschitz


def strictly_inside(lr: float, limit: float) -> bool:
    """0 < lr < limit, both strict (lr = 0 never moves, lr = limit oscillates)."""
    return 0 < lr < limit


@dataclass(frozen=True)
class DescentParts:
    """The named parts the algorithms below are composed of, each the textbook function by
    default; a misconception family swaps one (``dataclasses.replace``) for a known mistake."""

    gradient: Callable[[Grad, np.ndarray], np.ndarray] = gradient_at
    kept: Callable[[np.ndarray], np.ndarray] = as_float
    start_buffer: Callable[[np.ndarray], np.ndarray | None] = no_buffer
    buffer: Callable[..., np.ndarray] = momentum_buffer
    direction: Callable[..., np.ndarray] = step_direction
    update: Callable[..., np.ndarray] = descend
    step: Callable[..., tuple[np.ndarray, np.ndarray | None]] = momentum_step
    path: Callable[[list[np.ndarray]], np.ndarray] = stacked
    budget: Callable[[int], int] = step_budget
    gradient_tested: Callable[[int, int], bool] = before_a_step
    gradient_small: Callable[[np.ndarray, float], bool] = gradient_below
    diverged: Callable[[np.ndarray, float], bool] = beyond_bound
    loss_settled: Callable[[float, float, float], bool] = change_below
    reported_steps: Callable[[StopReason, int], int] = updates_made
    stability_limit: Callable[[float], float] = two_over_l
    stable: Callable[[float, float], bool] = strictly_inside


TEXTBOOK = DescentParts()
"""Every part at its textbook (torch) default: the algorithms as the docstrings state them."""


# -- the algorithms -------------------------------------------------------------------------------


def _trajectory(grad: Grad, x0: object, steps: int, hyper: dict, parts: DescentParts) -> np.ndarray:
    """x_0..x_steps of repeated ``parts.step(x, gradient(x), buf, **hyper)``."""
    x = parts.kept(_start(x0))
    buf = parts.start_buffer(x)
    out = [x]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x, buf = parts.step(x, parts.gradient(grad, x), buf, **hyper, parts=parts)
            x = parts.kept(x)
            out.append(x)
    return parts.path(out)


def gd_trajectory(
    grad: Grad,
    x0: float | np.ndarray,
    *,
    lr: float,
    steps: int,
    parts: DescentParts = TEXTBOOK,
) -> np.ndarray:
    """Iterates x_0..x_steps of x_{t+1} = x_t - lr * grad(x_t), x_0 = x0 (lr >= 0)."""
    _checks.non_negative("lr", lr)
    _checks.count("steps", steps)
    hyper = {"lr": lr, "momentum": 0.0, "dampening": 0.0, "nesterov": False}
    return _trajectory(grad, x0, steps, hyper, parts)


def momentum_trajectory(
    grad: Grad,
    x0: float | np.ndarray,
    *,
    lr: float,
    momentum: float,
    steps: int,
    dampening: float = 0.0,
    nesterov: bool = False,
    parts: DescentParts = TEXTBOOK,
) -> np.ndarray:
    """Iterates x_0..x_steps of torch.optim.SGD's momentum rule, g_t = grad(x_t):

    b_0 = g_0 (no dampening on the first step), b_t = momentum * b_{t-1} + (1 - dampening) * g_t,
    x_{t+1} = x_t - lr * b_t, or x_t - lr * (g_t + momentum * b_t) with nesterov.
    """
    _checks.non_negative("lr", lr)
    _checks.non_negative("momentum", momentum)
    _checks.finite_array("dampening", dampening)
    _checks.count("steps", steps)
    hyper = {"lr": lr, "momentum": momentum, "dampening": dampening, "nesterov": nesterov}
    validate(**hyper, weight_decay=0.0)
    return _trajectory(grad, x0, steps, hyper, parts)


def is_stable(lr: float, lipschitz: float, *, parts: DescentParts = TEXTBOOK) -> bool:
    """Whether GD converges on every L-smooth convex quadratic: 0 < lr < 2 / L.

    A direction of curvature c in (0, L] is scaled by 1 - lr * c per step, and |1 - lr c| < 1
    for all such c exactly when 0 < lr < 2 / L (lr = 2 / L oscillates, lr = 0 never moves).
    """
    _checks.non_negative("lr", lr)
    _checks.positive("lipschitz", lipschitz)
    return bool(parts.stable(lr, parts.stability_limit(lipschitz)))


@dataclass(frozen=True)
class StopResult:
    """How a run of ``gd_until`` ended."""

    reason: StopReason
    """The rule that stopped the run (``max_steps`` when no other rule fired)."""
    steps: int
    """Updates made; ``iterates`` and ``losses`` hold steps + 1 entries."""
    x: np.ndarray
    """The last iterate (iterates[-1])."""
    iterates: np.ndarray
    """x_0..x_steps, shape (steps + 1,) or (steps + 1, d)."""
    losses: np.ndarray
    """f(x_0)..f(x_steps)."""
    diverged: bool
    """True when the last iterate or its loss is non-finite or beyond DIVERGENCE_BOUND."""


def gd_until(
    grad: Grad,
    f: Callable[[np.ndarray], float],
    x0: float | np.ndarray,
    *,
    lr: float,
    grad_tol: float,
    loss_tol: float,
    max_steps: int,
    parts: DescentParts = TEXTBOOK,
) -> StopResult:
    """Plain GD (x <- x - lr * grad(x)) until the first stopping rule fires.

    The rules, in the order they are checked on each pass (a tolerance of 0 disables its rule):
    ``grad_tol``: ||grad(x)||_2 < grad_tol at the current iterate, before stepping;
    ``diverged``: after the step, the new x or f(x) is non-finite or exceeds DIVERGENCE_BOUND;
    ``loss_tol``: after the step, |f(x_new) - f(x_old)| < loss_tol;
    ``max_steps``: max_steps updates were made without any rule firing.
    """
    _checks.non_negative("lr", lr)
    _checks.non_negative("grad_tol", grad_tol)
    _checks.non_negative("loss_tol", loss_tol)
    _checks.count("max_steps", max_steps)
    budget = parts.budget(max_steps)
    x = _start(x0)
    xs, fs = [x], [float(f(x))]
    reason: StopReason = "max_steps"
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(budget + 1):  # at x_k, after k updates
            g = parts.gradient(grad, x)
            # 1. gradient small enough: stop without stepping (tested before a step only)
            if parts.gradient_tested(k, budget) and parts.gradient_small(g, grad_tol):
                reason = "grad_tol"
                break
            if k == budget:  # 4. the updates are spent: max_steps
                break
            # step and record
            x = parts.update(x, g, lr=lr)
            xs.append(x)
            fs.append(float(f(x)))
            # 2. divergence, then 3. loss change
            if parts.diverged(x, fs[-1]):
                reason = "diverged"
                break
            if parts.loss_settled(fs[-1], fs[-2], loss_tol):
                reason = "loss_tol"
                break
    return StopResult(
        reason=reason,
        steps=parts.reported_steps(reason, len(xs) - 1),
        x=x,
        iterates=np.stack(xs),
        losses=np.asarray(fs, dtype=np.float64),
        diverged=reason == "diverged",
    )
