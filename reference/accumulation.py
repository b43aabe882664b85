"""Gradient accumulation for the MSE linear model: when it equals the big batch, and when not.

The big batch is all N rows of (X, y), with loss L = mean (x . w + b - y)^2 (no 1/2, as in
``reference.trainers``); ``micro_batches`` are k index arrays that partition range(N), the
i-th of size n_i, with its own mean loss L_i. Since L = sum_i (n_i / N) L_i:

- ``weighted_accumulated_gradient`` sums grad(L_i) * n_i / N and equals grad(L) for any split.
- ``accumulated_gradient`` is the common recipe, loss_i / k before each backward(); it sums
  grad(L_i) / k and equals grad(L) when all n_i are equal (then n_i / N = 1 / k). When the
  last micro-batch is short its samples weigh more than the others' (1 / (k n_k) each
  instead of 1 / N), so the result differs from the big batch.

BatchNorm breaks the equivalence whatever the weights: in training mode each micro-batch is
normalised with its own mean and variance, so every sample's output, and hence the loss and
its gradient, depends on which micro-batch it shares; accumulating k micro-batches is then
not the gradient of the concatenated batch (and the running statistics get k updates
instead of one). Only layers without batch statistics (LayerNorm, GroupNorm) keep it exact.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reference.trainers import linear_problem, mse_gradient

Grad = tuple[np.ndarray, float]
"""(dL/dw of shape (d,), dL/db)."""


def full_batch_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> Grad:
    """grad of L = (1/N) sum (x . w + b - y)^2: ((2/N) X^T r, (2/N) sum r), r = X w + b - y."""
    X, y, w, b = linear_problem(X, y, w, b, w_name="w", b_name="b")
    return mse_gradient(X, y, w, b)


def _partition(micro_batches: Sequence[np.ndarray], n: int) -> list[np.ndarray]:
    """The micro-batches as integer index arrays, checked to partition range(n) with none empty."""
    parts = [np.asarray(m) for m in micro_batches]
    if not parts or any(m.ndim != 1 or len(m) == 0 or m.dtype.kind not in "iu" for m in parts):
        raise ValueError("micro_batches must be a non-empty list of non-empty 1-D index arrays")
    if not np.array_equal(np.sort(np.concatenate(parts)), np.arange(n)):
        raise ValueError(f"micro_batches must partition range({n}), each index exactly once")
    return parts


def _weighted_sum(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, micro_batches: Sequence, weight
) -> Grad:
    """sum_i weight(n_i) * grad(L_i) over the micro-batches, after checking every argument."""
    X, y, w, b = linear_problem(X, y, w, b, w_name="w", b_name="b")
    gw, gb = np.zeros_like(w), 0.0
    # 1. one backward per micro-batch, on its own mean loss scaled by its weight
    for idx in _partition(micro_batches, len(X)):
        dw, db = mse_gradient(X[idx], y[idx], w, b)
        # 2. accumulate, as .grad accumulates across backward() calls
        gw, gb = gw + weight(len(idx)) * dw, gb + weight(len(idx)) * db
    return gw, gb


def accumulated_gradient(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, *, micro_batches: Sequence
) -> Grad:
    """sum_i grad(L_i) / k, k = len(micro_batches): loss / k per micro-batch (the usual loop).

    Equals ``full_batch_gradient`` only when the micro-batches are all the same size.
    """
    k = len(micro_batches)
    return _weighted_sum(X, y, w, b, micro_batches, lambda n_i: 1.0 / k)


def weighted_accumulated_gradient(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, *, micro_batches: Sequence
) -> Grad:
    """sum_i grad(L_i) * n_i / N: equals ``full_batch_gradient`` for any partition of the rows."""
    n = len(np.asarray(X))
    return _weighted_sum(X, y, w, b, micro_batches, lambda n_i: n_i / n)
