"""Mistakes of the normalisation layers other than BatchNorm in training mode (``batchnorm``):
BatchNorm in eval mode, LayerNorm, GroupNorm, the one-sample outputs and standardising.

Every layer computes y = (x - mean) / sqrt(var + eps) * gamma + beta; ``normalise`` is that
formula with a switch per slip (the mean a sum, eps dropped or outside the root, divided by
the variance, gamma and beta swapped or one left out, the unbiased variance).
``layer_slips`` names those slips for one layer; each family adds the slips of which
entries share statistics (the axis). Families and their inputs:

* ``bn_eval``: ``x, gamma, beta, running_mean, running_var, eps``; output y.
* ``layer_norm``: ``x, gamma, beta, eps``; output y (statistics over the last axis).
* ``group_norm``: ``x, num_groups, gamma, beta, eps``; output y for x (N, C, L).
* ``one_sample``: ``x, gamma, beta, eps`` for x (1, C); output (BatchNorm's y, LayerNorm's y).
* ``standardize``: ``X_train, X_test``; output (Z_train, Z_test), training statistics.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import register_reference
from grader.judging.misconceptions.slips import Slip, register_slips


def normalise(
    x: np.ndarray,
    axes: tuple[int, ...],
    gamma: Any,
    beta: Any,
    eps: float,
    sw: dict[str, Any],
    key: str = "",
) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) * gamma + beta over ``axes`` with the slips in ``sw``
    (switches ``<key>mean``, ``<key>var``, ``<key>denom``, ``<key>affine``)."""
    mean = (
        x.sum(axes, keepdims=True) if sw.get(key + "mean") == "sum" else x.mean(axes, keepdims=True)
    )
    var_kind = sw.get(key + "var", "biased")
    squares = ((x - x.mean(axes, keepdims=True)) ** 2).sum(axes, keepdims=True)
    m = x.size // squares.size
    with np.errstate(invalid="ignore", divide="ignore"):  # one value, unbiased: 0 / 0
        var = squares / {"biased": m, "unbiased": m - 1, "sum": 1}[var_kind]
    z = x - mean
    return affine(scale(z, var, eps, sw.get(key + "denom", "sd")), gamma, beta, sw, key)


def scale(z: np.ndarray, var: np.ndarray, eps: float, denom: str) -> np.ndarray:
    """z divided by sqrt(var + eps), or by what a slip put there."""
    return (
        z
        / {
            "sd": lambda: np.sqrt(var + eps),
            "no_eps": lambda: np.sqrt(var),
            "eps_outside": lambda: np.sqrt(var) + eps,
            "var": lambda: var + eps,
        }[denom]()
    )


def affine(z: np.ndarray, gamma: Any, beta: Any, sw: dict[str, Any], key: str = "") -> np.ndarray:
    """z * gamma + beta, or what a slip made of it."""
    return {
        "both": lambda: z * gamma + beta,
        "swapped": lambda: z * beta + gamma,
        "gamma_only": lambda: z * gamma,
        "beta_only": lambda: z + beta,
        "none": lambda: z,
    }[sw.get(key + "affine", "both")]()


def layer_slips(prefix: str, name: str, key: str = "", where: str = "") -> list[Slip]:
    """The formula's slips for one layer: ids ``<prefix>_<slip>``, parts ``<key>...``.

    ``name`` is how the fix calls the layer; ``where`` says where its statistics are taken.
    """
    where = where or "the axes it normalises"
    return [
        Slip(
            f"{prefix}_mean_as_sum",
            f"{name}: the mean was replaced by the sum",
            f"Centre with the mean over {where} (x.mean(...)), not the sum.",
            key + "mean",
            {key + "mean": "sum"},
        ),
        Slip(
            f"{prefix}_unbiased_var",
            f"{name}: normalised with the unbiased variance (divided by m - 1)",
            f"Normalise with the biased variance over {where} (np.var's default, divide by m).",
            key + "var",
            {key + "var": "unbiased"},
        ),
        Slip(
            f"{prefix}_var_as_sum",
            f"{name}: the variance was the sum of squared deviations, not their mean",
            "Divide the squared deviations' sum by their count, as np.var does.",
            key + "var",
            {key + "var": "sum"},
        ),
        Slip(
            f"{prefix}_eps_dropped",
            f"{name}: eps was left out (divided by sqrt(var))",
            "Divide by sqrt(var + eps): eps keeps the division finite and is part of the layer.",
            key + "denom",
            {key + "denom": "no_eps"},
        ),
        Slip(
            f"{prefix}_eps_outside_sqrt",
            f"{name}: eps was added outside the square root (sqrt(var) + eps)",
            "Add eps to the variance, inside the root: sqrt(var + eps).",
            key + "denom",
            {key + "denom": "eps_outside"},
        ),
        Slip(
            f"{prefix}_divided_by_var",
            f"{name}: divided by the variance instead of its square root",
            "Divide by the standard deviation sqrt(var + eps), not by var + eps.",
            key + "denom",
            {key + "denom": "var"},
        ),
        Slip(
            f"{prefix}_gamma_beta_swapped",
            f"{name}: gamma and beta were swapped (z * beta + gamma)",
            "Scale by gamma, then shift by beta: y = z * gamma + beta.",
            key + "affine",
            {key + "affine": "swapped"},
        ),
        Slip(
            f"{prefix}_beta_left_out",
            f"{name}: beta was not added (y = z * gamma)",
            "Add the shift after scaling: y = z * gamma + beta.",
            key + "affine",
            {key + "affine": "gamma_only"},
        ),
        Slip(
            f"{prefix}_gamma_left_out",
            f"{name}: gamma was not applied (y = z + beta)",
            "Multiply by gamma before adding beta: y = z * gamma + beta.",
            key + "affine",
            {key + "affine": "beta_only"},
        ),
        Slip(
            f"{prefix}_no_gamma_beta",
            f"{name}: neither gamma nor beta was applied",
            "Finish with the learnable scale and shift: y = z * gamma + beta.",
            key + "affine",
            {key + "affine": "none"},
        ),
    ]


def _arr(inputs: dict[str, Any], name: str) -> np.ndarray:
    return np.asarray(inputs[name], dtype=np.float64)


# --- BatchNorm in eval mode ----------------------------------------------------------------


def bn_eval_run(inputs: dict[str, Any], **sw: Any) -> np.ndarray:
    """BatchNorm in eval mode; ``stats="batch"`` normalises with the batch's statistics."""
    x, eps = _arr(inputs, "x"), inputs.get("eps", 1e-5)
    gamma, beta = _arr(inputs, "gamma"), _arr(inputs, "beta")
    if sw.get("stats") == "batch":
        return normalise(x, (0,), gamma, beta, eps, sw)
    z = x - _arr(inputs, "running_mean")
    var = _arr(inputs, "running_var")
    return affine(scale(z, var, eps, sw.get("denom", "sd")), gamma, beta, sw)


register_reference("bn_eval", bn_eval_run)
register_slips(
    "bn_eval",
    bn_eval_run,
    [
        Slip(
            "bn_eval_batch_stats",
            "eval mode normalised with the batch's own mean and variance",
            "In eval mode use running_mean and running_var (the statistics gathered in "
            "training), not the statistics of the batch at hand.",
            "stats",
            {"stats": "batch"},
        ),
        *[
            s
            for s in layer_slips("bn_eval", "BatchNorm (eval)", where="the running statistics")
            if s.part in ("denom", "affine")
        ],
    ],
)


# --- LayerNorm -----------------------------------------------------------------------------


def layer_norm_run(inputs: dict[str, Any], **sw: Any) -> np.ndarray:
    """LayerNorm over the last axis; ``axis`` slips: ``"batch"`` (axis 0), ``"pooled"``."""
    x, eps = _arr(inputs, "x"), inputs.get("eps", 1e-5)
    axes = {"sample": (x.ndim - 1,), "batch": (0,), "pooled": tuple(range(x.ndim))}
    return normalise(
        x, axes[sw.get("axis", "sample")], _arr(inputs, "gamma"), _arr(inputs, "beta"), eps, sw
    )


register_reference("layer_norm", layer_norm_run)
register_slips(
    "layer_norm",
    layer_norm_run,
    [
        Slip(
            "ln_batch_axis",
            "LayerNorm took its statistics over the batch (axis 0), as BatchNorm does",
            "LayerNorm normalises each sample over its features: mean and var with "
            "axis=-1, keepdims=True.",
            "axis",
            {"axis": "batch"},
        ),
        Slip(
            "ln_pooled_over_batch",
            "LayerNorm used one mean and variance pooled over the whole batch",
            "Take the statistics per sample, over the feature axis only (axis=-1, "
            "keepdims=True), so samples do not share them.",
            "axis",
            {"axis": "pooled"},
        ),
        *layer_slips("ln", "LayerNorm", where="each sample's features"),
    ],
)


# --- GroupNorm -----------------------------------------------------------------------------


def group_norm_run(inputs: dict[str, Any], **sw: Any) -> np.ndarray:
    """GroupNorm for x (N, C, L); ``groups`` slips: ``"channel"`` (one group per channel),
    ``"sample"`` (one group), ``"pooled"`` (over the batch too), ``"interleaved"`` (every
    G-th channel), ``"across"`` (statistics across the groups)."""
    x, eps, g = _arr(inputs, "x"), inputs.get("eps", 1e-5), int(inputs["num_groups"])
    n, c = x.shape[:2]
    gamma = _arr(inputs, "gamma").reshape(1, c, 1)
    beta = _arr(inputs, "beta").reshape(1, c, 1)
    kind = sw.get("groups", "groups")
    if kind == "interleaved":
        grouped = x.reshape(n, c // g, g, -1)
        plain = {**sw, "affine": "none"}
        z = normalise(grouped, (1, 3), 1.0, 0.0, eps, plain).reshape(x.shape)
        return affine(z, gamma, beta, sw)
    shape, axes = {
        "groups": ((n, g, -1), (2,)),
        "channel": ((n, c, -1), (2,)),
        "sample": ((n, 1, -1), (2,)),
        "pooled": ((n, g, -1), (0, 2)),
        "across": ((n, g, -1), (1,)),
    }[kind]
    z = normalise(x.reshape(shape), axes, 1.0, 0.0, eps, {**sw, "affine": "none"})
    return affine(z.reshape(x.shape), gamma, beta, sw)


register_reference("group_norm", group_norm_run)
register_slips(
    "group_norm",
    group_norm_run,
    [
        Slip(
            "gn_per_channel",
            "GroupNorm normalised every channel on its own (InstanceNorm), not per group",
            "Reshape x to (N, num_groups, -1) so that each group's C / G channels share "
            "one mean and variance.",
            "groups",
            {"groups": "channel"},
        ),
        Slip(
            "gn_whole_sample",
            "GroupNorm normalised each sample as a whole (one group: LayerNorm)",
            "Split the channels into num_groups groups: reshape to (N, num_groups, -1).",
            "groups",
            {"groups": "sample"},
        ),
        Slip(
            "gn_pooled_over_batch",
            "GroupNorm pooled each group's statistics over the batch",
            "Take the statistics per sample and group: reduce over axis 2 of the "
            "(N, num_groups, -1) reshape only, not over the batch axis.",
            "groups",
            {"groups": "pooled"},
        ),
        Slip(
            "gn_interleaved_groups",
            "GroupNorm grouped every G-th channel instead of consecutive channels",
            "A group is C / G consecutive channels: x.reshape(N, num_groups, -1), not "
            "x.reshape(N, -1, num_groups, L).",
            "groups",
            {"groups": "interleaved"},
        ),
        Slip(
            "gn_across_groups",
            "GroupNorm took its statistics across the groups (wrong axis)",
            "Reduce over the values of each group (axis 2 of the (N, num_groups, -1) "
            "reshape), not over the groups axis.",
            "groups",
            {"groups": "across"},
        ),
        *layer_slips("gn", "GroupNorm", where="each group of a sample"),
    ],
)


# --- a batch of one sample -----------------------------------------------------------------


def one_sample_run(inputs: dict[str, Any], **sw: Any) -> np.ndarray:
    """(BatchNorm's training output, LayerNorm's output) for x (1, C), flattened; switches
    ``bn_*`` and ``ln_*`` act on each, ``bn_axis="features"`` / ``ln_axis="batch"`` swap
    the axis of their statistics."""
    x, eps = _arr(inputs, "x"), inputs.get("eps", 1e-5)
    gamma, beta = _arr(inputs, "gamma"), _arr(inputs, "beta")
    bn_axes = (1,) if sw.get("bn_axis") == "features" else (0,)
    ln_axes = (0,) if sw.get("ln_axis") == "batch" else (1,)
    bn = normalise(x, bn_axes, gamma, beta, eps, sw, "bn_")
    ln = normalise(x, ln_axes, gamma, beta, eps, sw, "ln_")
    return np.concatenate([bn.ravel(), ln.ravel()])


register_reference("one_sample", one_sample_run)
register_slips(
    "one_sample",
    one_sample_run,
    [
        Slip(
            "one_bn_over_features",
            "bn_y: BatchNorm's statistics were taken over the features (that is LayerNorm)",
            "BatchNorm normalises each feature over the batch (axis 0): with one sample "
            "x - mean is 0, so bn_y is beta.",
            "bn_axis",
            {"bn_axis": "features"},
        ),
        Slip(
            "one_ln_over_batch",
            "ln_y: LayerNorm's statistics were taken over the batch (axis 0)",
            "LayerNorm normalises each sample over its features: axis=-1, keepdims=True.",
            "ln_axis",
            {"ln_axis": "batch"},
        ),
        *layer_slips("one_bn", "bn_y (BatchNorm)", "bn_", "the batch axis"),
        *layer_slips("one_ln", "ln_y (LayerNorm)", "ln_", "the sample's features"),
    ],
)


# --- standardising -------------------------------------------------------------------------


def standardize_run(inputs: dict[str, Any], **sw: Any) -> np.ndarray:
    """(Z_train, Z_test) flattened; slips: ``test`` ("own" / "pooled" statistics),
    ``std`` ("sample" / "var" / "none"), ``mean`` ("sum"), ``axis`` ("row")."""
    train, test = _arr(inputs, "X_train"), _arr(inputs, "X_test")
    axis = 1 if sw.get("axis") == "row" else 0

    def stats(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean = (
            data.sum(axis, keepdims=True)
            if sw.get("mean") == "sum"
            else data.mean(axis, keepdims=True)
        )
        kind = sw.get("std", "pop")
        std = data.std(axis, keepdims=True, ddof=1 if kind == "sample" else 0)
        return mean, {"pop": std, "sample": std, "var": std**2, "none": np.ones_like(std)}[kind]

    m, s = stats(np.vstack([train, test]) if sw.get("test") == "pooled" else train)
    # the test set's own statistics, or per-row ones (which cannot carry over to other rows)
    own = sw.get("test") == "own" or axis == 1
    tm, ts = stats(test) if own else (m, s)
    return np.concatenate([((train - m) / s).ravel(), ((test - tm) / ts).ravel()])


register_reference("standardize", standardize_run)
register_slips(
    "standardize",
    standardize_run,
    [
        Slip(
            "std_test_own_stats",
            "Z_test was standardised with the test set's own mean and std",
            "Fit the mean and std on X_train only and apply those same numbers to X_test, "
            "as BatchNorm's running statistics are applied in eval mode.",
            "test",
            {"test": "own"},
        ),
        Slip(
            "std_pooled_stats",
            "the mean and std were fitted on the training and test sets together",
            "Fit the statistics on X_train alone; the test set must not shape them.",
            "test",
            {"test": "pooled"},
        ),
        Slip(
            "std_sample_std",
            "the sample standard deviation (ddof=1) was used",
            "Use the population std (divide by N): X_train.std(axis=0), np.std's default.",
            "std",
            {"std": "sample"},
        ),
        Slip(
            "std_divided_by_var",
            "divided by the variance instead of the standard deviation",
            "Divide by the std, the square root of the variance: X_train.std(axis=0).",
            "std",
            {"std": "var"},
        ),
        Slip(
            "std_not_scaled",
            "the features were centred but not divided by the std",
            "After subtracting the mean, divide by the training std: (X - mean) / std.",
            "std",
            {"std": "none"},
        ),
        Slip(
            "std_mean_as_sum",
            "the column sum was subtracted instead of the column mean",
            "Subtract the mean of each column, X_train.mean(axis=0), not its sum.",
            "mean",
            {"mean": "sum"},
        ),
        Slip(
            "std_per_row",
            "each row was standardised over its own features (axis=1)",
            "Standardise each column (feature) over the samples: axis=0.",
            "axis",
            {"axis": "row"},
        ),
    ],
)
