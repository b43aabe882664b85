"""Normalization layers as pure functions, matching torch.nn in train and eval mode.

Every layer computes y = (x - mean) / sqrt(var + eps) * gamma + beta and differs only in
which entries share a mean and a variance. Those variances are biased (divide by the count
m); BatchNorm's running variance alone is updated with the unbiased one (divide by m - 1),
as torch does. Arithmetic is float64; a float32 input gets float32 results (torch's
float64 layers agree on the same inputs to float32 rounding; its float32 kernels can be
off by u * |x| / sqrt(var + eps) when the variance is tiny), any other input float64.
"""

from __future__ import annotations

import numpy as np

from reference import _checks


def _floating(name: str, value: object) -> tuple[np.ndarray, type]:
    """``value`` as a finite float64 array, plus its result dtype (float32 stays float32)."""
    arr = np.asarray(value)
    out = np.float32 if arr.dtype == np.float32 else np.float64
    return _checks.finite_array(name, arr), out


def _shaped(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """A finite float64 array of exactly ``shape``, or ValueError naming it."""
    arr = _checks.finite_array(name, value)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


def _one_value_error(size: object) -> ValueError:
    """torch's refusal to normalise a single value, in torch's words."""
    return ValueError(
        f"Expected more than 1 value per channel when training, got input size {size}"
    )


def _channels_first(x: np.ndarray) -> tuple[int, ...]:
    """Shape that broadcasts a (C,) vector over x of shape (N, C, *spatial)."""
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, C) or (N, C, *spatial), got {x.shape}")
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
    """BatchNorm{1,2,3}d forward on x (N, C, *spatial): returns (y, running_mean, running_var).

    Training: per channel over the m = N * prod(spatial) values, mean and biased var
    normalise x, and running <- (1 - momentum) * running + momentum * stat, with the unbiased
    var m / (m - 1) * var as the variance's stat. m == 1 raises ValueError worded as torch's.
    Eval: normalise with the running statistics and return them unchanged. ``momentum`` is
    a number in [0, 1] (torch's momentum=None cumulative average is not modelled).
    """
    x, dtype = _floating("x", x)
    shape = _channels_first(x)
    c = x.shape[1]
    gamma, beta = _shaped("gamma", gamma, (c,)), _shaped("beta", beta, (c,))
    rm, rv = _shaped("running_mean", running_mean, (c,)), _shaped("running_var", running_var, (c,))
    if not isinstance(training, bool | np.bool_):
        raise ValueError(f"training must be a bool, got {training!r}")
    if not 0.0 <= _checks.non_negative("momentum", momentum) <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
    eps = _checks.positive("eps", eps)
    if training:
        m = x.size // c
        if m <= 1:
            raise _one_value_error(f"torch.Size([{', '.join(map(str, x.shape))}])")
        # 1. batch statistics per channel: mean and biased variance
        axes = (0, *range(2, x.ndim))
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        # 2. running statistics move towards the batch's, with the unbiased variance
        rm = (1 - momentum) * rm + momentum * mean
        rv = (1 - momentum) * rv + momentum * var * m / (m - 1)
    else:
        # 1-2. eval: the running statistics stand in for the batch's and stay as they are
        mean, var = rm, rv
    # 3. normalise, then scale and shift per channel
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = y * gamma.reshape(shape) + beta.reshape(shape)
    return y.astype(dtype), rm.astype(dtype), rv.astype(dtype)


def layer_norm(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    *,
    normalized_ndim: int = 1,
    eps: float = 1e-5,
) -> np.ndarray:
    """LayerNorm: each sample normalised over its last ``normalized_ndim`` axes (biased var).

    gamma and beta have the shape of those axes (torch's normalized_shape). No statistic
    crosses samples, so any batch size works, 1 included, and train and eval agree.
    """
    x, dtype = _floating("x", x)
    if not 1 <= _checks.count("normalized_ndim", normalized_ndim, minimum=1) <= x.ndim:
        raise ValueError(f"normalized_ndim must be in [1, {x.ndim}], got {normalized_ndim}")
    tail = x.shape[x.ndim - normalized_ndim :]
    gamma, beta = _shaped("gamma", gamma, tail), _shaped("beta", beta, tail)
    eps = _checks.positive("eps", eps)
    # 1. mean and biased variance over the normalised axes of each sample
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    # 2. normalise, then scale and shift elementwise
    return ((x - mean) / np.sqrt(var + eps) * gamma + beta).astype(dtype)


def group_norm(
    x: np.ndarray, num_groups: int, gamma: np.ndarray, beta: np.ndarray, *, eps: float = 1e-5
) -> np.ndarray:
    """GroupNorm on x (N, C, *spatial): per sample, each of ``num_groups`` groups of C / G
    consecutive channels (with their spatial values) is normalised with its own mean and
    biased variance; gamma, beta (C,) then act per channel. Works at any batch size, except
    that like torch it raises ValueError when N * (C / G) * prod(spatial) == 1."""
    x, dtype = _floating("x", x)
    shape = _channels_first(x)
    c = x.shape[1]
    if _checks.count("num_groups", num_groups, minimum=1) > c or c % num_groups:
        raise ValueError(f"num_groups must divide the number of channels {c}, got {num_groups}")
    gamma, beta = _shaped("gamma", gamma, (c,)), _shaped("beta", beta, (c,))
    eps = _checks.positive("eps", eps)
    if x.size // num_groups == 1:  # torch checks this too, on (N * C / G, G, *spatial)
        raise _one_value_error([x.shape[0] * c // num_groups, num_groups, *x.shape[2:]])
    # 1. statistics per (sample, group) over the group's channels and spatial values
    grouped = x.reshape(x.shape[0], num_groups, -1)
    mean, var = grouped.mean(axis=2, keepdims=True), grouped.var(axis=2, keepdims=True)
    # 2. normalise, then scale and shift per channel
    y = ((grouped - mean) / np.sqrt(var + eps)).reshape(x.shape)
    return (y * gamma.reshape(shape) + beta.reshape(shape)).astype(dtype)


def standardize(
    X: np.ndarray, *, mean: np.ndarray | None = None, std: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z = (X - mean) / std per column of X (N, d); returns (Z, mean, std).

    mean and the population std (ddof=0, divide by N) are fitted on X when not given; pass
    the training set's to transform validation data the same way. A std entry that is 0
    (a constant column) or negative raises ValueError naming ``std``: no silent guard.
    """
    X = _checks.finite_array("X", X)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must be a 2-D array (N, d) with N >= 1, got shape {X.shape}")
    d = X.shape[1]
    # 1. fit what was not given, check what was
    mean = X.mean(axis=0) if mean is None else _shaped("mean", mean, (d,))
    std = X.std(axis=0) if std is None else _shaped("std", std, (d,))
    if np.any(std <= 0):
        raise ValueError(f"std must be > 0, got 0 or less in columns {np.flatnonzero(std <= 0)}")
    # 2. centre and scale
    return (X - mean) / std, mean, std
