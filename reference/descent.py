"""Plain and momentum gradient descent on a function given by its gradient.

Conventions: the update is x <- x - lr * grad(x); iterates include the start point, so a
run of ``steps`` updates returns ``steps + 1`` points. Momentum follows torch.optim.SGD:
the first velocity buffer is the gradient itself, later ones are
``momentum * buf + (1 - dampening) * g``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reference import _checks
from reference.optim import sgd_step

Grad = Callable[[np.ndarray], np.ndarray]
DIVERGENCE_BOUND = 1e12
"""|x| or |f(x)| above this counts as growing without bound."""


def _start(x0: object) -> np.ndarray:
    return _checks.finite_array("x0", x0).copy()


def gd_trajectory(grad: Grad, x0: float | np.ndarray, *, lr: float, steps: int) -> np.ndarray:
    """Iterates x_0..x_steps of x_{t+1} = x_t - lr * grad(x_t); overflow gives inf, not an error."""
    _checks.positive("lr", lr)
    _checks.count("steps", steps)
    x = _start(x0)
    out = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x = x - lr * np.asarray(grad(x), dtype=np.float64)
            out.append(x.copy())
    return np.stack(out)


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
    """Iterates of SGD with momentum exactly as torch.optim.SGD (first buffer = gradient)."""
    _checks.count("steps", steps)
    x = _start(x0)
    buf = None
    out = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            g = np.asarray(grad(x), dtype=np.float64)
            x, buf = sgd_step(
                x, g, buf, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov
            )
            out.append(x.copy())
    return np.stack(out)


def is_stable(lr: float, lipschitz: float) -> bool:
    """GD on an L-smooth quadratic converges exactly when 0 < lr < 2 / L."""
    _checks.positive("lipschitz", lipschitz)
    return bool(0 < lr < 2.0 / lipschitz)


StopReason = Literal["grad_tol", "loss_tol", "max_steps", "diverged"]


@dataclass(frozen=True)
class StopResult:
    """How a run of ``gd_until`` ended."""

    reason: StopReason
    """Which rule stopped the run."""
    steps: int
    """Updates made."""
    x: np.ndarray
    """Final iterate."""
    iterates: np.ndarray
    """x_0..x_steps."""
    losses: np.ndarray
    """f(x_0)..f(x_steps)."""
    diverged: bool
    """Non-finite or beyond DIVERGENCE_BOUND."""


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
    """GD that stops at the first of: ||grad|| < grad_tol (checked before a step),
    |f(x_new) - f(x_old)| < loss_tol (after a step), max_steps, or divergence."""
    _checks.positive("lr", lr)
    _checks.non_negative("grad_tol", grad_tol)
    _checks.non_negative("loss_tol", loss_tol)
    _checks.count("max_steps", max_steps)
    x = _start(x0)
    xs, fs = [x.copy()], [float(f(x))]
    reason: StopReason = "max_steps"
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_steps):
            g = np.asarray(grad(x), dtype=np.float64)
            # 1. gradient small enough: stop before stepping
            if np.linalg.norm(g) < grad_tol:
                reason = "grad_tol"
                break
            # 2. step, then 3. divergence and 4. loss-change tests
            x = x - lr * g
            xs.append(x.copy())
            fs.append(float(f(x)))
            if _diverged(x, fs[-1]):
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
        losses=np.asarray(fs),
        diverged=reason == "diverged",
    )


def _diverged(x: np.ndarray, loss: float) -> bool:
    big = np.max(np.abs(x)) > DIVERGENCE_BOUND or abs(loss) > DIVERGENCE_BOUND
    return bool(not np.all(np.isfinite(x)) or not np.isfinite(loss) or big)
