"""Plain and momentum gradient descent on a function given by its gradient.

The update is x <- x - lr * grad(x). A trajectory includes the start point: ``steps`` updates
give shape (steps + 1,) for a scalar x0 and (steps + 1, d) for a vector x0. Divergence is data,
not an error: an overflowing run returns inf / nan iterates without warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reference import _checks
from reference.optim import sgd_step, validate

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


def _trajectory(grad: Grad, x0: object, steps: int, hyper: dict) -> np.ndarray:
    """x_0..x_steps of repeated ``sgd_step(x, grad(x), buf, **hyper)``, buf starting as None."""
    x, buf = _start(x0), None
    out = [x]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x, buf = sgd_step(x, grad(x.copy()), buf, **hyper)
            out.append(x)
    return np.stack(out)


def gd_trajectory(grad: Grad, x0: float | np.ndarray, *, lr: float, steps: int) -> np.ndarray:
    """Iterates x_0..x_steps of x_{t+1} = x_t - lr * grad(x_t), x_0 = x0 (lr >= 0)."""
    _checks.non_negative("lr", lr)
    _checks.count("steps", steps)
    return _trajectory(grad, x0, steps, {"lr": lr})


def momentum_trajectory(
    grad: Grad,
    x0: float | np.ndarray,
    *,
    lr: float,
    momentum: float,
    steps: int,
    dampening: float = 0.0,
    nesterov: bool = False,
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
    return _trajectory(grad, x0, steps, hyper)


def is_stable(lr: float, lipschitz: float) -> bool:
    """Whether GD converges on every L-smooth convex quadratic: 0 < lr < 2 / L.

    A direction of curvature c in (0, L] is scaled by 1 - lr * c per step, and |1 - lr c| < 1
    for all such c exactly when 0 < lr < 2 / L (lr = 2 / L oscillates, lr = 0 never moves).
    """
    _checks.non_negative("lr", lr)
    _checks.positive("lipschitz", lipschitz)
    return bool(0 < lr < 2.0 / lipschitz)


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
    x = _start(x0)
    xs, fs = [x], [float(f(x))]
    reason: StopReason = "max_steps"
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_steps):
            # 1. gradient small enough: stop without stepping
            g = np.asarray(grad(x.copy()), dtype=np.float64)
            if np.linalg.norm(g) < grad_tol:
                reason = "grad_tol"
                break
            # 2. step and record
            x = sgd_step(x, g, None, lr=lr)[0]
            xs.append(x)
            fs.append(float(f(x)))
            # 3. divergence (a nan fails both comparisons), then 4. loss change
            if not (np.all(np.abs(x) <= DIVERGENCE_BOUND) and abs(fs[-1]) <= DIVERGENCE_BOUND):
                reason = "diverged"
                break
            if abs(fs[-1] - fs[-2]) < loss_tol:
                reason = "loss_tol"
                break
    return StopResult(
        reason=reason,
        steps=len(xs) - 1,
        x=x,
        iterates=np.stack(xs),
        losses=np.asarray(fs, dtype=np.float64),
        diverged=reason == "diverged",
    )
