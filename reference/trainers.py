"""Mini-batch SGD for mean-squared-error linear regression, on a given batch order.

Loss of a batch: mean over its samples of (x . w + b - y)^2 (no 1/2, like torch.nn.MSELoss).
Each epoch reads ``permutations[epoch]`` in consecutive batches of ``batch_size``
(``batch_size = N`` is batch GD, ``1`` is SGD). With ``accumulation_steps = k`` the
gradients of k consecutive micro-batches, each of loss / k, are summed before one optimizer
step; a trailing group of fewer than k micro-batches at the end of an epoch still steps,
with the same 1/k factor (the usual ``if (i + 1) % k == 0 or last`` loop). The optimizer is
torch.optim.SGD over (w, b): weight decay and momentum apply to both. ``lr_schedule`` maps
the update index (0, 1, ...) to the learning rate of that update.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reference import _checks
from reference.batching import batches
from reference.optim import sgd_step, validate


@dataclass(frozen=True)
class Trajectory:
    """What a training run did, step by step."""

    step_losses: np.ndarray
    """Loss of each (micro-)batch, computed before the update it contributes to."""
    epoch_losses: np.ndarray
    """Full-data loss after each epoch."""
    lrs: np.ndarray
    """Learning rate of each optimizer update."""
    w: np.ndarray
    """Final weights."""
    b: float
    """Final bias."""
    n_updates: int
    """Optimizer steps taken."""


def mse(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """Mean squared error of the linear model on (X, y)."""
    return float(np.mean((X @ w + b - y) ** 2))


def mse_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float):
    """Gradient of ``mse`` with respect to (w, b): (2/n) X^T r and (2/n) sum r."""
    r = X @ w + b - y
    return 2.0 * X.T @ r / len(y), 2.0 * float(np.sum(r)) / len(y)


def _data(X: object, y: object, w0: object, b0: float) -> tuple:
    X = _checks.finite_array("X", X)
    y = _checks.finite_array("y", y)
    w = _checks.finite_array("w0", w0).reshape(-1)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must be (N, d) and y (N,), got {X.shape} and {y.shape}")
    if w.shape != (X.shape[1],):
        raise ValueError(f"w0 must have shape ({X.shape[1]},), got {w.shape}")
    return X, y, w, float(_checks.finite_array("b0", b0))


def train_linear_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    w0: np.ndarray,
    b0: float,
    lr: float,
    batch_size: int,
    epochs: int,
    permutations: Sequence[np.ndarray],
    accumulation_steps: int = 1,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    drop_last: bool = False,
) -> Trajectory:
    """Train by mini-batch SGD on the given per-epoch permutations; see the module docstring."""
    X, y, w, b = _data(X, y, w0, b0)
    _checks.positive("lr", lr)
    _checks.count("batch_size", batch_size, minimum=1)
    _checks.count("epochs", epochs, minimum=1)
    _checks.count("accumulation_steps", accumulation_steps, minimum=1)
    validate(lr=lr, momentum=momentum, dampening=0.0, nesterov=False, weight_decay=weight_decay)
    if len(permutations) < epochs:
        raise ValueError(f"permutations has {len(permutations)} entries, need epochs={epochs}")
    theta, buf = np.append(w, b), None
    step_losses, epoch_losses, lrs = [], [], []
    k = accumulation_steps
    for epoch in range(epochs):
        perm = np.asarray(permutations[epoch])
        if sorted(perm.tolist()) != list(range(len(X))):
            raise ValueError(f"permutations[{epoch}] is not a permutation of range({len(X)})")
        micro = batches(perm, batch_size, drop_last=drop_last)
        for start in range(0, len(micro), k):
            # 1. accumulate loss/k gradients over up to k micro-batches
            grad = np.zeros_like(theta)
            for idx in micro[start : start + k]:
                step_losses.append(mse(X[idx], y[idx], theta[:-1], theta[-1]))
                gw, gb = mse_gradient(X[idx], y[idx], theta[:-1], theta[-1])
                grad += np.append(gw, gb) / k
            # 2. one SGD step at the scheduled learning rate
            rate = lr if lr_schedule is None else float(lr_schedule(len(lrs)))
            lrs.append(rate)
            theta, buf = sgd_step(
                theta, grad, buf, lr=rate, momentum=momentum, weight_decay=weight_decay
            )
        epoch_losses.append(mse(X, y, theta[:-1], theta[-1]))
    return Trajectory(
        step_losses=np.asarray(step_losses),
        epoch_losses=np.asarray(epoch_losses),
        lrs=np.asarray(lrs),
        w=theta[:-1],
        b=float(theta[-1]),
        n_updates=len(lrs),
    )
