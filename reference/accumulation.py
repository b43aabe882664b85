"""Gradient accumulation for the MSE linear model: when it equals the big batch, and when not.

Splitting a batch of N samples into k micro-batches and summing the gradients of
loss_i / k gives the big-batch gradient only when the micro-batches are equally sized.
With an uneven last micro-batch each micro-loss must be weighted by n_i / N instead.
With BatchNorm in the model no weighting helps: each micro-batch is normalised with its own
statistics, so the accumulated gradient is not the gradient of the concatenated batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reference.trainers import mse_gradient

Grad = tuple[np.ndarray, float]


def full_batch_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> Grad:
    """Gradient of the mean squared error over all of (X, y)."""
    return mse_gradient(np.asarray(X, float), np.asarray(y, float), np.asarray(w, float), b)


def _micro(micro_batches: Sequence[np.ndarray], n: int) -> list[np.ndarray]:
    parts = [np.asarray(m) for m in micro_batches]
    if not parts or any(len(m) == 0 for m in parts):
        raise ValueError("micro_batches must be a non-empty list of non-empty index arrays")
    if sorted(np.concatenate(parts).tolist()) != list(range(n)):
        raise ValueError(f"micro_batches must partition range({n})")
    return parts


def accumulated_gradient(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, *, micro_batches: Sequence
) -> Grad:
    """Sum over the k micro-batches of the gradient of loss_i / k (the common recipe)."""
    parts = _micro(micro_batches, len(X))
    k = len(parts)
    gw, gb = np.zeros(np.shape(w)), 0.0
    for idx in parts:
        dw, db = full_batch_gradient(np.asarray(X)[idx], np.asarray(y)[idx], w, b)
        gw, gb = gw + dw / k, gb + db / k
    return gw, gb


def weighted_accumulated_gradient(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, *, micro_batches: Sequence
) -> Grad:
    """Sum of the gradients of loss_i * n_i / N: equal to the big batch for any split."""
    parts = _micro(micro_batches, len(X))
    n = len(X)
    gw, gb = np.zeros(np.shape(w)), 0.0
    for idx in parts:
        dw, db = full_batch_gradient(np.asarray(X)[idx], np.asarray(y)[idx], w, b)
        gw, gb = gw + dw * len(idx) / n, gb + db * len(idx) / n
    return gw, gb
