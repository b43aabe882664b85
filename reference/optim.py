"""One step of stochastic gradient descent, in torch.optim.SGD's exact order.

For a parameter p with gradient g and momentum buffer buf (None before the first step):

1. maximize: g <- -g
2. weight decay (L2 folded into the gradient): g <- g + weight_decay * p
3. momentum: on the first step the buffer is the gradient itself, buf <- g (no dampening);
   on later steps buf <- momentum * buf + (1 - dampening) * g
4. nesterov: g <- g + momentum * buf, otherwise g <- buf
5. update: p <- p - lr * g

Steps 3-4 only run when momentum != 0; otherwise the buffer stays None. Settings that
torch.optim.SGD rejects raise ValueError with torch 2.13's wording, and nothing else is
rejected (torch, for instance, accepts any dampening).
"""

from __future__ import annotations

import numpy as np


def validate(
    *, lr: float, momentum: float, dampening: float, nesterov: bool, weight_decay: float
) -> None:
    """Raise ValueError, worded as torch.optim.SGD's constructor words it, for invalid settings.

    torch's rules: lr >= 0, momentum >= 0, weight_decay >= 0, and nesterov needs
    momentum > 0 with dampening == 0. The checks run in torch's order, so the first
    failing rule is the one reported.
    """
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if momentum < 0.0:
        raise ValueError(f"Invalid momentum value: {momentum}")
    if weight_decay < 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")


def sgd_step(
    param: np.ndarray,
    grad: np.ndarray,
    buf: np.ndarray | None,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return ``(new_param, new_buf)`` after one torch.optim.SGD step; see the module docstring.

    ``buf`` is the buffer returned by the previous call (None before the first step). The
    inputs are never modified: both results are fresh float64 arrays (``new_buf`` is None
    when momentum == 0). ``grad`` and a non-None ``buf`` must have ``param``'s shape.
    """
    validate(
        lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay
    )
    p = np.asarray(param, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != p.shape:
        raise ValueError(f"grad has shape {g.shape} but param has shape {p.shape}")
    if buf is not None and np.shape(buf) != p.shape:
        raise ValueError(f"buf has shape {np.shape(buf)} but param has shape {p.shape}")
    # 1. maximize: ascend by descending on the negated gradient
    if maximize:
        g = -g
    # 2. weight decay folded into the gradient
    if weight_decay != 0:
        g = g + weight_decay * p
    new_buf = None
    if momentum != 0:
        new_buf = momentum_buffer(buf, g, momentum=momentum, dampening=dampening)  # 3.
        g = step_direction(g, new_buf, momentum=momentum, nesterov=nesterov)  # 4.
    return descend(p, g, lr=lr), new_buf  # 5.


def momentum_buffer(
    buf: np.ndarray | None, g: np.ndarray, *, momentum: float, dampening: float
) -> np.ndarray:
    """3. The buffer: the gradient itself on the first step (no dampening), then the damped
    running sum momentum * buf + (1 - dampening) * g."""
    if buf is None:
        return np.array(g, dtype=np.float64)
    return momentum * np.asarray(buf, dtype=np.float64) + (1 - dampening) * g


def step_direction(
    g: np.ndarray, buf: np.ndarray, *, momentum: float, nesterov: bool
) -> np.ndarray:
    """4. The direction of the step: nesterov looks ahead, g + momentum * buf; plain momentum
    steps along the buffer."""
    return g + momentum * buf if nesterov else buf


def descend(p: np.ndarray, d: np.ndarray, *, lr: float) -> np.ndarray:
    """5. The update: p - lr * d."""
    return p - lr * d
