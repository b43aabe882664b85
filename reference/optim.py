"""One step of stochastic gradient descent, in torch.optim.SGD's exact order.

For a parameter p with gradient g and momentum buffer buf (None before the first step):

1. maximize: g <- -g
2. weight decay: g <- g + weight_decay * p
3. momentum: buf <- g on the first step (the buffer starts as the gradient itself, no
   dampening), afterwards buf <- momentum * buf + (1 - dampening) * g
4. nesterov: g <- g + momentum * buf, otherwise g <- buf
5. update: p <- p - lr * g

With momentum == 0 the buffer stays None. Invalid settings raise ValueError worded like torch.
"""

from __future__ import annotations

import numpy as np


def validate(*, lr: float, momentum: float, dampening: float, nesterov: bool, weight_decay: float):
    """Raise ValueError for settings torch.optim.SGD rejects, with torch's wording."""
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
    """Return (new_param, new_buf) after one SGD step; the inputs are not modified."""
    validate(
        lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay
    )
    p = np.asarray(param, dtype=np.float64)
    g = np.asarray(grad, dtype=np.float64)
    if p.shape != g.shape:
        raise ValueError(f"grad has shape {g.shape} but param has shape {p.shape}")
    # 1. maximize
    if maximize:
        g = -g
    # 2. weight decay folded into the gradient
    if weight_decay != 0:
        g = g + weight_decay * p
    # 3. momentum buffer, 4. nesterov look-ahead
    new_buf = None
    if momentum != 0:
        new_buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        g = g + momentum * new_buf if nesterov else new_buf
    # 5. update
    return p - lr * g, new_buf
