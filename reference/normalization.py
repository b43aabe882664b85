"""Normalization layers as pure functions, matching torch.nn in train and eval mode.

Shapes: batch_norm and group_norm take x of shape (N, C) or (N, C, *spatial); layer_norm
normalises over the last ``normalized_ndim`` axes. Variances used to normalise are biased
(divide by m); BatchNorm's running variance is updated with the unbiased batch variance
(divide by m - 1), as torch does:
    running <- (1 - momentum) * running + momentum * batch_statistic.
"""

from __future__ import annotations

import numpy as np


def _channel_shape(x: np.ndarray) -> tuple[int, ...]:
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batch_norm(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    *,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BatchNorm forward: returns (y, new_running_mean, new_running_var).

    Training normalises with the batch's mean and biased variance per channel and updates
    the running statistics; eval normalises with the running statistics and returns them
    unchanged. Training with one value per channel raises ValueError like torch.
    """
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, C, ...), got {x.shape}")
    shape = _channel_shape(x)
    rm = np.asarray(running_mean, dtype=x.dtype)
    rv = np.asarray(running_var, dtype=x.dtype)
    if rm.shape != (x.shape[1],) or rv.shape != (x.shape[1],):
        raise ValueError(f"running_mean and running_var must have shape ({x.shape[1]},)")
    if not training:
        y = (x - rm.reshape(shape)) / np.sqrt(rv.reshape(shape) + eps)
        return y * np.reshape(gamma, shape) + np.reshape(beta, shape), rm, rv
    axes = (0, *range(2, x.ndim))
    m = x.size // x.shape[1]
    if m <= 1:
        size = ", ".join(str(s) for s in x.shape)
        raise ValueError(
            "Expected more than 1 value per channel when training, "
            f"got input size torch.Size([{size}])"
        )
    # 1. batch statistics (biased variance to normalise)
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    # 2. normalise, scale and shift
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = y * np.reshape(gamma, shape) + np.reshape(beta, shape)
    # 3. running statistics (unbiased variance)
    new_rm = (1 - momentum) * rm + momentum * mean
    new_rv = (1 - momentum) * rv + momentum * var * m / (m - 1)
    return y, new_rm, new_rv


def layer_norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, *, normalized_ndim: int = 1, eps=1e-5
) -> np.ndarray:
    """LayerNorm over the last ``normalized_ndim`` axes of each sample (any batch size)."""
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    if not 1 <= normalized_ndim <= x.ndim:
        raise ValueError(f"normalized_ndim must be in [1, {x.ndim}], got {normalized_ndim}")
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def group_norm(
    x: np.ndarray, num_groups: int, gamma: np.ndarray, beta: np.ndarray, *, eps: float = 1e-5
) -> np.ndarray:
    """GroupNorm: normalise each sample over groups of C / num_groups channels (and space)."""
    x = np.asarray(x, dtype=np.result_type(x, np.float32))
    if x.ndim < 2 or num_groups < 1 or x.shape[1] % num_groups:
        raise ValueError(f"num_groups must divide the channels {x.shape[1:2]}, got {num_groups}")
    grouped = x.reshape(x.shape[0], num_groups, -1)
    mean = grouped.mean(axis=2, keepdims=True)
    var = grouped.var(axis=2, keepdims=True)
    y = ((grouped - mean) / np.sqrt(var + eps)).reshape(x.shape)
    shape = _channel_shape(x)
    return y * np.reshape(gamma, shape) + np.reshape(beta, shape)


def standardize(X: np.ndarray, *, mean=None, std=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X - mean) / std per column; mean and population std (ddof=0) are fitted on X when
    not given (pass the training set's to standardise validation data). A constant column
    has std 0 and raises ValueError."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0) if mean is None else np.asarray(mean, dtype=np.float64)
    std = X.std(axis=0) if std is None else np.asarray(std, dtype=np.float64)
    if np.any(std == 0):
        raise ValueError(f"std is zero for columns {np.flatnonzero(std == 0).tolist()}")
    return (X - mean) / std, mean, std
