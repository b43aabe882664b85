"""Normalization layers as pure functions, matching torch.nn in train and eval mode.

Every layer computes y = (x - mean) / sqrt(var + eps) * gamma + beta and differs only in
which entries share a mean and a variance. Those variances are biased (divide by the count
m); BatchNorm's running variance alone is updated with the unbiased one (divide by m - 1),
as torch does. Arithmetic is float64; a float32 input gets float32 results (torch's
float64 layers agree on the same inputs to float32 rounding; its float32 kernels can be
off by u * |x| / sqrt(var + eps) when the variance is tiny), any other input float64.

Each layer is written as named parts (``NormParts``: the axes or groups its statistics are
taken over, the mean, the variance, the denominator sqrt(var + eps), the scale and shift,
BatchNorm's running statistics and which statistics normalise, the standardiser's column
statistics); the defaults are the textbook ones, and the grader swaps one part at a time to
reproduce a student's mistake (``grader.judging.misconceptions.normalization``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


# --- the parts -----------------------------------------------------------------------------

Axes = tuple[int, ...]


def mean(x: np.ndarray, axes: Axes) -> np.ndarray:
    """The mean over ``axes``, kept as length-1 axes so that it broadcasts against x."""
    return x.mean(axis=axes, keepdims=True)


def variance(x: np.ndarray, axes: Axes) -> np.ndarray:
    """The biased variance over ``axes`` (divide by the count m), kept as length-1 axes."""
    return x.var(axis=axes, keepdims=True)


def denominator(var: np.ndarray, eps: float) -> np.ndarray:
    """What the centred values are divided by: sqrt(var + eps)."""
    return np.sqrt(var + eps)


def scale_and_shift(z: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """The learnable affine map: z * gamma + beta."""
    return z * gamma + beta


def batch_axes(x: np.ndarray) -> Axes:
    """BatchNorm's statistics: per channel, over the batch and the spatial axes."""
    return (0, *range(2, x.ndim))


def feature_axes(x: np.ndarray, normalized_ndim: int) -> Axes:
    """LayerNorm's statistics: per sample, over its last ``normalized_ndim`` axes."""
    return tuple(range(x.ndim - normalized_ndim, x.ndim))


def channel_groups(x: np.ndarray, num_groups: int) -> tuple[np.ndarray, Axes]:
    """GroupNorm's statistics: x as (N, num_groups, -1), each group being C / G consecutive
    channels with their spatial values, and the axis of a group's values."""
    return x.reshape(x.shape[0], num_groups, -1), (2,)


def unbiased_variance(x: np.ndarray, axes: Axes) -> np.ndarray:
    """The unbiased variance over ``axes``, m / (m - 1) times the biased one; undefined for
    m = 1, so a batch with one value per channel is refused in torch's words."""
    m = x.size // int(np.prod([s for a, s in enumerate(x.shape) if a not in axes]))
    if m <= 1:
        raise _one_value_error(f"torch.Size([{', '.join(map(str, x.shape))}])")
    return x.var(axis=axes, keepdims=True) * m / (m - 1)


def running_update(running: np.ndarray, stat: np.ndarray, momentum: float) -> np.ndarray:
    """A running statistic moves towards the batch's: (1 - momentum) * running + momentum * stat."""
    return (1 - momentum) * running + momentum * stat


def statistics_used(
    training: bool,
    batch: tuple[np.ndarray, np.ndarray],
    running: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """The (mean, var) that normalise: the batch's in training mode, the running ones in eval."""
    return batch if training else running


def column_mean(X: np.ndarray) -> np.ndarray:
    """The standardiser's centre: each column's mean over the samples."""
    return X.mean(axis=0)


def column_std(X: np.ndarray) -> np.ndarray:
    """The standardiser's scale: each column's population std (ddof=0, divide by N)."""
    return X.std(axis=0)


def training_data(X_train: np.ndarray, X_test: np.ndarray) -> np.ndarray:
    """The data the standardiser is fitted on: the training set alone."""
    return X_train


def fitted_statistics(
    fitted: tuple[np.ndarray, np.ndarray],
    X_test: np.ndarray,
    fit: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """The (mean, std) that scale the test set: the fitted (training) ones, unchanged."""
    return fitted


@dataclass(frozen=True)
class NormParts:
    """The named parts of the layers below; the defaults are the textbook (torch's) ones."""

    mean: Callable[[np.ndarray, Axes], np.ndarray] = mean
    variance: Callable[[np.ndarray, Axes], np.ndarray] = variance
    denominator: Callable[[np.ndarray, float], np.ndarray] = denominator
    affine: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] = scale_and_shift
    batch_axes: Callable[[np.ndarray], Axes] = batch_axes
    feature_axes: Callable[[np.ndarray, int], Axes] = feature_axes
    groups: Callable[[np.ndarray, int], tuple[np.ndarray, Axes]] = channel_groups
    running_variance: Callable[[np.ndarray, Axes], np.ndarray] = unbiased_variance
    update_mean: Callable[[np.ndarray, np.ndarray, float], np.ndarray] = running_update
    update_var: Callable[[np.ndarray, np.ndarray, float], np.ndarray] = running_update
    statistics_used: Callable[..., tuple[np.ndarray, np.ndarray]] = statistics_used
    column_mean: Callable[[np.ndarray], np.ndarray] = column_mean
    column_std: Callable[[np.ndarray], np.ndarray] = column_std
    fitted_on: Callable[[np.ndarray, np.ndarray], np.ndarray] = training_data
    test_statistics: Callable[..., tuple[np.ndarray, np.ndarray]] = fitted_statistics


TEXTBOOK = NormParts()
"""The parts of the reference layers."""


# --- the layers ----------------------------------------------------------------------------


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
    parts: NormParts = TEXTBOOK,
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
    # 1. batch statistics per channel: mean and biased variance
    axes = parts.batch_axes(x)
    batch = parts.mean(x, axes), parts.variance(x, axes)
    running = rm.reshape(shape), rv.reshape(shape)
    if training:
        # 2. running statistics move towards the batch's, with the unbiased variance (which
        #    refuses one value per channel, as torch does)
        new_rm = parts.update_mean(rm, np.squeeze(batch[0], axes), momentum)
        unbiased = np.squeeze(parts.running_variance(x, axes), axes)
        rm, rv = new_rm, parts.update_var(rv, unbiased, momentum)
    # 3. normalise (training: the batch's statistics; eval: the running ones), scale and shift
    mu, var = parts.statistics_used(training, batch, running)
    y = parts.affine(
        (x - mu) / parts.denominator(var, eps), gamma.reshape(shape), beta.reshape(shape)
    )
    return y.astype(dtype), rm.astype(dtype), rv.astype(dtype)


def layer_norm(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    *,
    normalized_ndim: int = 1,
    eps: float = 1e-5,
    parts: NormParts = TEXTBOOK,
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
    axes = parts.feature_axes(x, normalized_ndim)
    mu, var = parts.mean(x, axes), parts.variance(x, axes)
    # 2. normalise, then scale and shift elementwise
    return parts.affine((x - mu) / parts.denominator(var, eps), gamma, beta).astype(dtype)


def group_norm(
    x: np.ndarray,
    num_groups: int,
    gamma: np.ndarray,
    beta: np.ndarray,
    *,
    eps: float = 1e-5,
    parts: NormParts = TEXTBOOK,
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
    grouped, axes = parts.groups(x, num_groups)
    mu, var = parts.mean(grouped, axes), parts.variance(grouped, axes)
    # 2. normalise, then scale and shift per channel
    z = ((grouped - mu) / parts.denominator(var, eps)).reshape(x.shape)
    return parts.affine(z, gamma.reshape(shape), beta.reshape(shape)).astype(dtype)


def standardize(
    X: np.ndarray,
    *,
    mean: np.ndarray | None = None,
    std: np.ndarray | None = None,
    parts: NormParts = TEXTBOOK,
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
    mean = parts.column_mean(X) if mean is None else _shaped("mean", mean, (d,))
    std = parts.column_std(X) if std is None else _shaped("std", std, (d,))
    if np.any(std <= 0):
        raise ValueError(f"std must be > 0, got 0 or less in columns {np.flatnonzero(std <= 0)}")
    # 2. centre and scale
    return (X - mean) / std, mean, std


def standardize_train_test(
    X_train: np.ndarray, X_test: np.ndarray, *, parts: NormParts = TEXTBOOK
) -> tuple[np.ndarray, np.ndarray]:
    """(Z_train, Z_test): both sets scaled with the mean and std fitted on X_train alone, as
    BatchNorm in eval mode applies the statistics gathered in training."""
    X_train, X_test = (
        _checks.finite_array("X_train", X_train),
        _checks.finite_array("X_test", X_test),
    )
    if X_test.ndim != 2 or X_train.ndim != 2 or X_test.shape[1] != X_train.shape[1]:
        raise ValueError(
            f"X_test must be 2-D with X_train's {X_train.shape[-1]} columns, got {X_test.shape}"
        )

    def fit(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return standardize(data, parts=parts)[1:]

    # 1. fit the statistics on the training set
    mean, std = fit(parts.fitted_on(X_train, X_test))
    # 2. scale both sets with them
    test_mean, test_std = parts.test_statistics((mean, std), X_test, fit)
    return (X_train - mean) / std, (X_test - test_mean) / test_std
