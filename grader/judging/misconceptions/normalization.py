"""Mistakes of the normalisation layers other than BatchNorm in training mode (``batchnorm``):
BatchNorm in eval mode, LayerNorm, GroupNorm, the one-sample outputs and standardising.

Each family's ``run(inputs, **parts)`` is the oracle of ``reference.normalization`` on the
check's inputs with those parts (``NormParts``) swapped; a mistake is one known alternative
for one part: the statistic (the mean a sum, the unbiased variance, the sum of squares), its
axis or groups, the denominator (eps dropped or outside the root, the variance itself), the
scale and shift, which statistics normalise, the standardiser's fit. ``layer_alternatives``
names the formula's alternatives for one layer; each family adds those of its axis.
Families and their inputs:

* ``bn_eval``: ``x, gamma, beta, running_mean, running_var, eps``; output y.
* ``layer_norm``: ``x, gamma, beta, eps``; output y (statistics over the last axis).
* ``group_norm``: ``x, num_groups, gamma, beta, eps``; output y for x (N, C, L).
* ``one_sample``: ``x, gamma, beta, eps`` for x (1, C); output (BatchNorm's y, LayerNorm's y);
  its parts are named ``bn_<part>`` and ``ln_<part>``, one set per layer.
* ``standardize``: ``X_train, X_test``; output (Z_train, Z_test), training statistics.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, alternative, register, register_space
from reference import normalization as ref

NOTES = "assignments/notes/01-minibatch-gradient-descent.md"

# --- alternatives shared by the layers -------------------------------------------------------


def mean_as_sum(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The sum over the axes where their mean belongs."""
    return x.sum(axis=axes, keepdims=True)


def unbiased(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The unbiased variance (divide by m - 1) where the biased one belongs (nan for m = 1)."""
    squares = ((x - x.mean(axis=axes, keepdims=True)) ** 2).sum(axis=axes, keepdims=True)
    return squares / np.float64(x.size // squares.size - 1)


def sum_of_squares(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The squared deviations' sum, not their mean."""
    return ((x - x.mean(axis=axes, keepdims=True)) ** 2).sum(axis=axes, keepdims=True)


def without_eps(var: np.ndarray, eps: float) -> np.ndarray:
    """sqrt(var): eps left out."""
    return np.sqrt(var)


def eps_outside(var: np.ndarray, eps: float) -> np.ndarray:
    """sqrt(var) + eps: eps added outside the root."""
    return np.sqrt(var) + eps


def no_root(var: np.ndarray, eps: float) -> np.ndarray:
    """var + eps: the variance where its square root belongs."""
    return var + eps


def swapped(z: np.ndarray, gamma: Any, beta: Any) -> np.ndarray:
    """z * beta + gamma."""
    return z * beta + gamma


def gamma_only(z: np.ndarray, gamma: Any, beta: Any) -> np.ndarray:
    """z * gamma: no shift."""
    return z * gamma


def beta_only(z: np.ndarray, gamma: Any, beta: Any) -> np.ndarray:
    """z + beta: no scale."""
    return z + beta


def no_affine(z: np.ndarray, gamma: Any, beta: Any) -> np.ndarray:
    """z: neither scale nor shift."""
    return z


def every_axis(x: np.ndarray, *_: Any) -> tuple[int, ...]:
    """One statistic over every entry of x."""
    return tuple(range(x.ndim))


def layer_alternatives(
    prefix: str, name: str, family: str, key: str = "", where: str = "", only: str = ""
) -> list[Mistake]:
    """The formula's alternatives for one layer, registered: ids ``<prefix>_<mistake>``, parts
    ``<key><part>``. ``name`` is how a title calls the layer; ``where`` says where its
    statistics are taken; ``only``: the parts to include (all when empty)."""
    where = where or "the axes it normalises"
    table = [
        (
            "mean_as_sum",
            f"{name}: the mean was replaced by the sum",
            f"Centre with the mean over {where} (x.mean(...)), not the sum.",
            "mean",
            mean_as_sum,
        ),
        (
            "unbiased_var",
            f"{name}: normalised with the unbiased variance (divided by m - 1)",
            f"Normalise with the biased variance over {where} (np.var's default, divide by m).",
            "variance",
            unbiased,
        ),
        (
            "var_as_sum",
            f"{name}: the variance was the sum of squared deviations, not their mean",
            "Divide the squared deviations' sum by their count, as np.var does.",
            "variance",
            sum_of_squares,
        ),
        (
            "eps_dropped",
            f"{name}: eps was left out (divided by sqrt(var))",
            "Divide by sqrt(var + eps): eps keeps the division finite and is part of the layer.",
            "denominator",
            without_eps,
        ),
        (
            "eps_outside_sqrt",
            f"{name}: eps was added outside the square root (sqrt(var) + eps)",
            "Add eps to the variance, inside the root: sqrt(var + eps).",
            "denominator",
            eps_outside,
        ),
        (
            "divided_by_var",
            f"{name}: divided by the variance instead of its square root",
            "Divide by the standard deviation sqrt(var + eps), not by var + eps.",
            "denominator",
            no_root,
        ),
        (
            "gamma_beta_swapped",
            f"{name}: gamma and beta were swapped (z * beta + gamma)",
            "Scale by gamma, then shift by beta: y = z * gamma + beta.",
            "affine",
            swapped,
        ),
        (
            "beta_left_out",
            f"{name}: beta was not added (y = z * gamma)",
            "Add the shift after scaling: y = z * gamma + beta.",
            "affine",
            gamma_only,
        ),
        (
            "gamma_left_out",
            f"{name}: gamma was not applied (y = z + beta)",
            "Multiply by gamma before adding beta: y = z * gamma + beta.",
            "affine",
            beta_only,
        ),
        (
            "no_gamma_beta",
            f"{name}: neither gamma nor beta was applied",
            "Finish with the learnable scale and shift: y = z * gamma + beta.",
            "affine",
            no_affine,
        ),
    ]
    return [
        register(alternative(f"{prefix}_{mid}", title, fix, family, **{key + part: fn}))
        for mid, title, fix, part, fn in table
        if not only or part in only.split()
    ]


def _arr(inputs: dict[str, Any], name: str) -> np.ndarray:
    return np.asarray(inputs[name], dtype=np.float64)


# --- BatchNorm in eval mode ------------------------------------------------------------------


def bn_eval_run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """BatchNorm's eval-mode output on the check's inputs with ``parts`` swapped."""
    return ref.batch_norm(
        _arr(inputs, "x"),
        _arr(inputs, "gamma"),
        _arr(inputs, "beta"),
        running_mean=_arr(inputs, "running_mean"),
        running_var=_arr(inputs, "running_var"),
        training=False,
        eps=inputs.get("eps", 1e-5),
        parts=replace(ref.TEXTBOOK, **parts),
    )[0]


def batch_statistics(training: bool, batch: Any, running: Any) -> Any:
    """The batch's own mean and variance, in either mode."""
    return batch


register_space("bn_eval", bn_eval_run)
register(
    alternative(
        "bn_eval_batch_stats",
        "eval mode normalised with the batch's own mean and variance",
        "In eval mode use running_mean and running_var (the statistics gathered in "
        "training), not the statistics of the batch at hand.",
        "bn_eval",
        statistics_used=batch_statistics,
    )
)
layer_alternatives(
    "bn_eval",
    "BatchNorm (eval)",
    "bn_eval",
    where="the running statistics",
    only="denominator affine",
)


# --- LayerNorm -------------------------------------------------------------------------------


def layer_norm_run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """LayerNorm over the last axis on the check's inputs with ``parts`` swapped."""
    return ref.layer_norm(
        _arr(inputs, "x"),
        _arr(inputs, "gamma"),
        _arr(inputs, "beta"),
        eps=inputs.get("eps", 1e-5),
        parts=replace(ref.TEXTBOOK, **parts),
    )


def first_axis(x: np.ndarray, *_: Any) -> tuple[int, ...]:
    """Statistics over the batch (axis 0), as BatchNorm takes them."""
    return (0,)


register_space("layer_norm", layer_norm_run)
register(
    alternative(
        "ln_batch_axis",
        "LayerNorm took its statistics over the batch (axis 0), as BatchNorm does",
        "LayerNorm normalises each sample over its features: mean and var with "
        "axis=-1, keepdims=True.",
        "layer_norm",
        feature_axes=first_axis,
    )
)
register(
    alternative(
        "ln_pooled_over_batch",
        "LayerNorm used one mean and variance pooled over the whole batch",
        "Take the statistics per sample, over the feature axis only (axis=-1, "
        "keepdims=True), so samples do not share them.",
        "layer_norm",
        feature_axes=every_axis,
    )
)
layer_alternatives("ln", "LayerNorm", "layer_norm", where="each sample's features")


# --- GroupNorm -------------------------------------------------------------------------------


def group_norm_run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """GroupNorm on the check's inputs with ``parts`` swapped."""
    return ref.group_norm(
        _arr(inputs, "x"),
        int(inputs["num_groups"]),
        _arr(inputs, "gamma"),
        _arr(inputs, "beta"),
        eps=inputs.get("eps", 1e-5),
        parts=replace(ref.TEXTBOOK, **parts),
    )


def per_channel(x: np.ndarray, g: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Every channel a group of its own (InstanceNorm)."""
    return x.reshape(x.shape[0], x.shape[1], -1), (2,)


def whole_sample(x: np.ndarray, g: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """One group per sample (LayerNorm)."""
    return x.reshape(x.shape[0], 1, -1), (2,)


def pooled_over_batch(x: np.ndarray, g: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Each group's statistics over the batch as well."""
    return x.reshape(x.shape[0], g, -1), (0, 2)


def across_groups(x: np.ndarray, g: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Statistics over the groups axis of the (N, G, -1) reshape."""
    return x.reshape(x.shape[0], g, -1), (1,)


def interleaved(x: np.ndarray, g: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Every G-th channel in one group: (N, C / G, G, L), statistics over axes 1 and 3."""
    return x.reshape(x.shape[0], x.shape[1] // g, g, -1), (1, 3)


def one_group(x: np.ndarray, g: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """One mean and variance for the whole input."""
    return x.reshape(x.shape[0], g, -1), (0, 1, 2)


register_space("group_norm", group_norm_run)
for _id, _title, _fix, _groups in [
    (
        "gn_per_channel",
        "GroupNorm normalised every channel on its own (InstanceNorm), not per group",
        "Reshape x to (N, num_groups, -1) so that each group's C / G channels share "
        "one mean and variance.",
        per_channel,
    ),
    (
        "gn_whole_sample",
        "GroupNorm normalised each sample as a whole (one group: LayerNorm)",
        "Split the channels into num_groups groups: reshape to (N, num_groups, -1).",
        whole_sample,
    ),
    (
        "gn_pooled_over_batch",
        "GroupNorm pooled each group's statistics over the batch",
        "Take the statistics per sample and group: reduce over axis 2 of the "
        "(N, num_groups, -1) reshape only, not over the batch axis.",
        pooled_over_batch,
    ),
    (
        "gn_interleaved_groups",
        "GroupNorm grouped every G-th channel instead of consecutive channels",
        "A group is C / G consecutive channels: x.reshape(N, num_groups, -1), not "
        "x.reshape(N, -1, num_groups, L).",
        interleaved,
    ),
    (
        "gn_across_groups",
        "GroupNorm took its statistics across the groups (wrong axis)",
        "Reduce over the values of each group (axis 2 of the (N, num_groups, -1) "
        "reshape), not over the groups axis.",
        across_groups,
    ),
    (
        "gn_global_stats",
        "GroupNorm used one mean and variance over the whole input (x.mean(), x.var() "
        "without an axis)",
        "Take a mean and variance per sample and group: reshape to (N, num_groups, -1) and "
        "reduce with axis=2, keepdims=True.",
        one_group,
    ),
]:
    register(alternative(_id, _title, _fix, "group_norm", groups=_groups))
layer_alternatives("gn", "GroupNorm", "group_norm", where="each group of a sample")


# --- a batch of one sample -------------------------------------------------------------------


def biased_running_variance(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The biased variance in the running statistics' update (defined for one sample)."""
    return ref.variance(x, axes)


def one_sample_run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """(BatchNorm's training output, LayerNorm's output) for x (1, C), flattened; parts
    ``bn_<part>`` swap BatchNorm's, ``ln_<part>`` LayerNorm's.

    BatchNorm runs its training formula with the biased variance in the running statistics'
    update: those statistics are not asked for, and only their unbiased variance is undefined
    for one sample (torch refuses the batch for that reason; the formula for y has a value)."""
    x, eps = _arr(inputs, "x"), inputs.get("eps", 1e-5)
    gamma, beta = _arr(inputs, "gamma"), _arr(inputs, "beta")
    own = {
        layer: {p[3:]: fn for p, fn in parts.items() if p.startswith(layer + "_")}
        for layer in ("bn", "ln")
    }
    bn_parts = replace(ref.TEXTBOOK, running_variance=biased_running_variance, **own["bn"])
    c = x.shape[1]
    bn_y = ref.batch_norm(
        x,
        gamma,
        beta,
        running_mean=np.zeros(c),
        running_var=np.ones(c),
        training=True,
        eps=eps,
        parts=bn_parts,
    )[0]
    ln_y = ref.layer_norm(x, gamma, beta, eps=eps, parts=replace(ref.TEXTBOOK, **own["ln"]))
    return np.concatenate([bn_y.ravel(), ln_y.ravel()])


def last_axis(x: np.ndarray) -> tuple[int, ...]:
    """Statistics over the features (the last axis), as LayerNorm takes them."""
    return (x.ndim - 1,)


register_space("one_sample", one_sample_run)
register(
    alternative(
        "one_bn_over_features",
        "bn_y: BatchNorm's statistics were taken over the features (that is LayerNorm)",
        "BatchNorm normalises each feature over the batch (axis 0): with one sample "
        "x - mean is 0, so bn_y is beta.",
        "one_sample",
        bn_batch_axes=last_axis,
    )
)
register(
    alternative(
        "one_ln_over_batch",
        "ln_y: LayerNorm's statistics were taken over the batch (axis 0)",
        "LayerNorm normalises each sample over its features: axis=-1, keepdims=True.",
        "one_sample",
        ln_feature_axes=first_axis,
    )
)


def undefined_at_zero(var: np.ndarray, eps: float) -> np.ndarray:
    """A zero variance treated as undefined (NaN), as the notes' part 9 does."""
    return np.where(var == 0, np.nan, np.sqrt(var + eps))


register(
    alternative(
        "one_bn_undefined",
        "bn_y was left undefined (NaN) for a batch of one, as the notes' part 9 calls it "
        "('undefined', 'can't normalize')",
        f"Compute the formula: with one sample x - mean = 0 and the biased variance is 0, so "
        f"bn_y = 0 / sqrt(0 + eps) * gamma + beta = beta, whatever x holds. The notes ({NOTES}, "
        "part 9, 'The Problem with Small Batches') call it undefined because they divide by "
        "sigma_B = 0 without eps; the assignment asks for the value the formula with eps has "
        "(torch refuses the batch only because its running variance divides by N - 1 = 0).",
        "one_sample",
        bn_denominator=undefined_at_zero,
    )
)


def eps_subtracted(var: np.ndarray, eps: float) -> np.ndarray:
    """sqrt(var - eps): NaN where the variance is below eps (a batch of one's is 0)."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(var - eps)


register(
    alternative(
        "one_bn_eps_subtracted",
        "bn_y: eps was subtracted from the variance (sqrt(var - eps)); a batch of one has "
        "variance 0, and the square root of -eps is NaN",
        "Add eps to the variance inside the root: sqrt(var + eps).",
        "one_sample",
        bn_denominator=eps_subtracted,
    )
)
layer_alternatives("one_bn", "bn_y (BatchNorm)", "one_sample", "bn_", "the batch axis")
layer_alternatives("one_ln", "ln_y (LayerNorm)", "one_sample", "ln_", "the sample's features")


# --- standardising ---------------------------------------------------------------------------


def standardize_run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """(Z_train, Z_test) flattened, on the check's inputs with ``parts`` swapped."""
    z_train, z_test = ref.standardize_train_test(
        _arr(inputs, "X_train"), _arr(inputs, "X_test"), parts=replace(ref.TEXTBOOK, **parts)
    )
    return np.concatenate([z_train.ravel(), z_test.ravel()])


def own_statistics(fitted: Any, X_test: np.ndarray, fit: Any) -> Any:
    """The test set's own mean and std, fitted on X_test."""
    return fit(X_test)


def pooled(X_train: np.ndarray, X_test: np.ndarray) -> np.ndarray:
    """The training and test sets together."""
    return np.vstack([X_train, X_test])


def sample_std(X: np.ndarray) -> np.ndarray:
    """The sample std (ddof=1, divide by N - 1)."""
    return X.std(axis=0, ddof=1)


def column_var(X: np.ndarray) -> np.ndarray:
    """The variance where the std belongs."""
    return X.var(axis=0)


def no_scale(X: np.ndarray) -> np.ndarray:
    """No scaling: 1 per column."""
    return np.ones(X.shape[1])


def column_sum(X: np.ndarray) -> np.ndarray:
    """The column sum where the mean belongs."""
    return X.sum(axis=0)


def row_mean(X: np.ndarray) -> np.ndarray:
    """Each row's mean over its features."""
    return X.mean(axis=1, keepdims=True)


def row_std(X: np.ndarray) -> np.ndarray:
    """Each row's std over its features."""
    return X.std(axis=1, keepdims=True)


def global_mean(X: np.ndarray) -> np.ndarray:
    """One mean over every entry (no axis)."""
    return X.mean()


def global_std(X: np.ndarray) -> np.ndarray:
    """One std over every entry (no axis)."""
    return X.std()


def column_min(X: np.ndarray) -> np.ndarray:
    """Each column's minimum (min-max scaling's centre)."""
    return X.min(axis=0)


def column_range(X: np.ndarray) -> np.ndarray:
    """Each column's max - min (min-max scaling's scale)."""
    return X.max(axis=0) - X.min(axis=0)


register_space("standardize", standardize_run)


def unit_statistics(fitted, X_test, fit):
    """Mean 0 and std 1: the statistics of the training set after it was standardised in
    place (the fitted ones read again from the overwritten array)."""
    return np.zeros_like(fitted[0]), np.ones_like(fitted[1])


for _id, _title, _fix, _parts in [
    (
        "std_train_overwritten",
        "X_train was standardised in place (Z_train = X_train, then -= and /=), so the test "
        "set was scaled with the standardised set's mean 0 and std 1: Z_test = X_test",
        "Keep the training statistics before scaling and do not overwrite the input: "
        "mean, std = X_train.mean(axis=0), X_train.std(axis=0); Z_train = (X_train - mean) / "
        "std (a new array); Z_test = (X_test - mean) / std.",
        {"test_statistics": unit_statistics},
    ),
    (
        "std_test_own_stats",
        "Z_test was standardised with the test set's own mean and std",
        "Fit the mean and std on X_train only and apply those same numbers to X_test, "
        "as BatchNorm's running statistics are applied in eval mode.",
        {"test_statistics": own_statistics},
    ),
    (
        "std_pooled_stats",
        "the mean and std were fitted on the training and test sets together",
        "Fit the statistics on X_train alone; the test set must not shape them.",
        {"fitted_on": pooled},
    ),
    (
        "std_sample_std",
        "the sample standard deviation (ddof=1) was used",
        "Use the population std (divide by N): X_train.std(axis=0), np.std's default.",
        {"column_std": sample_std},
    ),
    (
        "std_divided_by_var",
        "divided by the variance instead of the standard deviation",
        "Divide by the std, the square root of the variance: X_train.std(axis=0).",
        {"column_std": column_var},
    ),
    (
        "std_not_scaled",
        "the features were centred but not divided by the std",
        "After subtracting the mean, divide by the training std: (X - mean) / std.",
        {"column_std": no_scale},
    ),
    (
        "std_mean_as_sum",
        "the column sum was subtracted instead of the column mean",
        "Subtract the mean of each column, X_train.mean(axis=0), not its sum.",
        {"column_mean": column_sum},
    ),
    (
        # per-row statistics cannot carry over to other rows: each set is scaled with its own
        "std_per_row",
        "each row was standardised over its own features (axis=1)",
        "Standardise each column (feature) over the samples: axis=0.",
        {"column_mean": row_mean, "column_std": row_std, "test_statistics": own_statistics},
    ),
    (
        "std_global_stats",
        "one mean and one std over all of X_train (X_train.mean(), X_train.std() without "
        "an axis) instead of one per column",
        "Each feature gets its own statistics: X_train.mean(axis=0) and X_train.std(axis=0), "
        "shape (d,), so that every column of Z_train has mean 0 and std 1.",
        {"column_mean": global_mean, "column_std": global_std},
    ),
    (
        "std_min_max",
        "the features were min-max scaled ((X - min) / (max - min)), not standardised",
        "Standardise: subtract the column mean and divide by the column std, "
        "(X - X_train.mean(axis=0)) / X_train.std(axis=0).",
        {"column_mean": column_min, "column_std": column_range},
    ),
]:
    register(alternative(_id, _title, _fix, "standardize", **_parts))
