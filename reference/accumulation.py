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

The accumulation is written as named parts (``AccumulationParts``: the residual, each
parameter's micro-batch gradient and each one's weight); the defaults are the textbook ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reference.trainers import linear_problem, mse_gradient

Grad = tuple[np.ndarray, float]
"""(dL/dw of shape (d,), dL/db)."""


def full_batch_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> Grad:
    """grad of L = (1/N) sum (x . w + b - y)^2: ((2/N) X^T r, (2/N) sum r), r = X w + b - y."""
    X, y, w, b = linear_problem(X, y, w, b, w_name="w", b_name="b")
    return mse_gradient(X, y, w, b)


def residual(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """r = X w + b - y: the prediction minus the target."""
    return X @ w + b - y


def gradient_w(X: np.ndarray, r: np.ndarray) -> np.ndarray:
    """dL_i/dw of a micro-batch's mean loss: (2 / n_i) X^T r."""
    return 2.0 * X.T @ r / len(r)


def gradient_b(r: np.ndarray) -> float:
    """dL_i/db of a micro-batch's mean loss: (2 / n_i) sum r."""
    return 2.0 * float(np.sum(r)) / len(r)


def share_of_samples(n_i: int, n: int, k: int) -> float:
    """Micro-batch i's weight n_i / N, its share of the samples: L = sum_i (n_i / N) L_i."""
    return n_i / n


def equal_share(n_i: int, n: int, k: int) -> float:
    """The usual recipe's weight 1 / k (loss / k before each backward()), whatever n_i is."""
    return 1.0 / k


Weight = Callable[[int, int, int], float]
"""(n_i, N, k) -> the weight of micro-batch i's gradient."""


@dataclass(frozen=True)
class AccumulationParts:
    """The named parts of ``weighted_accumulated_gradient``; the defaults are the textbook ones
    (the grader swaps one at a time: ``grader.judging.misconceptions.accumulation``)."""

    residual: Callable[[np.ndarray, np.ndarray, np.ndarray, float], np.ndarray] = residual
    gradient_w: Callable[[np.ndarray, np.ndarray], np.ndarray] = gradient_w
    gradient_b: Callable[[np.ndarray], float] = gradient_b
    weight_w: Weight = share_of_samples
    weight_b: Weight = share_of_samples


TEXTBOOK = AccumulationParts()
"""Each micro-batch's mean-loss gradient weighted by n_i / N."""
LOSS_OVER_K = AccumulationParts(weight_w=equal_share, weight_b=equal_share)
"""The usual loop: each micro-batch's loss divided by k."""


def _partition(micro_batches: Sequence[np.ndarray], n: int) -> list[np.ndarray]:
    """The micro-batches as integer index arrays, checked to partition range(n) with none empty."""
    parts = [np.asarray(m) for m in micro_batches]
    if not parts or any(m.ndim != 1 or len(m) == 0 or m.dtype.kind not in "iu" for m in parts):
        raise ValueError("micro_batches must be a non-empty list of non-empty 1-D index arrays")
    if not np.array_equal(np.sort(np.concatenate(parts)), np.arange(n)):
        raise ValueError(f"micro_batches must partition range({n}), each index exactly once")
    return parts


def _weighted_sum(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    b: float,
    micro_batches: Sequence,
    parts: AccumulationParts,
) -> Grad:
    """sum_i weight(n_i) * grad(L_i) over the micro-batches, after checking every argument."""
    X, y, w, b = linear_problem(X, y, w, b, w_name="w", b_name="b")
    micro = _partition(micro_batches, len(X))
    n, k = len(X), len(micro)
    gw, gb = np.zeros_like(w), 0.0
    for idx in micro:
        # 1. one backward per micro-batch, on its own mean loss
        r = parts.residual(X[idx], y[idx], w, b)
        dw, db = parts.gradient_w(X[idx], r), parts.gradient_b(r)
        # 2. accumulate it with its weight, as .grad accumulates across backward() calls
        gw = gw + parts.weight_w(len(idx), n, k) * dw
        gb = gb + parts.weight_b(len(idx), n, k) * db
    return gw, gb


def accumulated_gradient(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, *, micro_batches: Sequence
) -> Grad:
    """sum_i grad(L_i) / k, k = len(micro_batches): loss / k per micro-batch (the usual loop).

    Equals ``full_batch_gradient`` only when the micro-batches are all the same size.
    """
    return _weighted_sum(X, y, w, b, micro_batches, LOSS_OVER_K)


def weighted_accumulated_gradient(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    b: float,
    *,
    micro_batches: Sequence,
    parts: AccumulationParts = TEXTBOOK,
) -> Grad:
    """sum_i grad(L_i) * n_i / N: equals ``full_batch_gradient`` for any partition of the rows."""
    return _weighted_sum(X, y, w, b, micro_batches, parts)
