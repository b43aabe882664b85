"""Mistakes of the ``batchnorm`` family: BatchNorm outputs and running statistics.

``run(inputs, **parts)`` is ``reference.normalization.batch_norm`` in training mode over
``inputs['batches']`` (from running_mean 0 and running_var 1) with those parts swapped: the
output, the running mean and the running variance after each batch, flattened. A mistake is
one alternative for one part: which statistics normalise, their axis, the running variance's
statistic, the momentum rule, and the formula's alternatives of ``normalization``; the
diagnosis tries two of different parts together, so a student who dropped eps and updated
the running variance with the biased variance is named for both.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import alternative, register, register_space
from grader.judging.misconceptions.normalization import every_axis, layer_alternatives
from reference import normalization as ref

FAMILY = "batchnorm"


def run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """BatchNorm in training mode over ``inputs['batches']``: y, running mean and running
    variance after each batch, flattened; ``parts`` swapped (``reference.normalization``)."""
    gamma, beta = np.asarray(inputs["gamma"], float), np.asarray(inputs["beta"], float)
    c = gamma.shape[0]
    rm, rv, out = np.zeros(c), np.ones(c), []
    chosen = replace(ref.TEXTBOOK, **parts)
    for x in inputs["batches"]:
        y, rm, rv = ref.batch_norm(
            np.asarray(x, float),
            gamma,
            beta,
            running_mean=rm,
            running_var=rv,
            training=True,
            momentum=inputs.get("momentum", 0.1),
            eps=inputs.get("eps", 1e-5),
            parts=chosen,
        )
        out += [y.ravel(), rm, rv]
    return np.concatenate(out)


register_space(FAMILY, run)


def running_statistics(training: bool, batch: Any, running: Any) -> Any:
    """The running mean and variance (as they came in), in either mode."""
    return running


def biased_variance(x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The biased batch variance (divide by m) where the unbiased one belongs."""
    return ref.variance(x, axes)


def keras_update(running: np.ndarray, stat: np.ndarray, momentum: float) -> np.ndarray:
    """momentum * running + (1 - momentum) * stat: momentum the weight of the old value."""
    return momentum * running + (1 - momentum) * stat


def kept(running: np.ndarray, stat: np.ndarray, momentum: float) -> np.ndarray:
    """The running statistic returned as it came in."""
    return running


_FIX_MOMENTUM = (
    "Use torch's convention: running = (1 - momentum) * running + momentum * batch "
    "statistic, with momentum = 0.1 (the new batch gets the small weight)."
)
for _id, _title, _fix, _parts in [
    (
        "bn_running_stats_in_training",
        "BatchNorm normalised with the running statistics in training mode",
        "In training mode normalise with the current batch's mean and biased variance; "
        "the running statistics are only for eval mode.",
        {"statistics_used": running_statistics},
    ),
    (
        "bn_biased_running_var",
        "the running variance was updated with the biased batch variance",
        "Update running_var with the unbiased batch variance (divide by m - 1); normalise "
        "with the biased one (divide by m).",
        {"running_variance": biased_variance},
    ),
    (
        "bn_momentum_flipped",
        "the running statistics kept momentum of the old value (momentum * running + "
        "(1 - momentum) * batch)",
        _FIX_MOMENTUM,
        {"update_mean": keras_update, "update_var": keras_update},
    ),
    (
        "bn_momentum_flipped_mean",
        "running_mean kept momentum of the old value (momentum * running + (1 - momentum) "
        "* batch mean)",
        _FIX_MOMENTUM,
        {"update_mean": keras_update},
    ),
    (
        "bn_momentum_flipped_var",
        "running_var kept momentum of the old value (momentum * running + (1 - momentum) "
        "* batch variance)",
        _FIX_MOMENTUM,
        {"update_var": keras_update},
    ),
    (
        "bn_running_not_updated",
        "the running statistics were returned unchanged (not moved towards the batch's)",
        "In training mode return the updated running statistics: running = (1 - momentum) "
        "* running + momentum * batch statistic, the unbiased variance for running_var.",
        {"update_mean": kept, "update_var": kept},
    ),
    (
        "bn_global_stats",
        "BatchNorm used one mean and variance over the whole batch (x.mean(), x.var() "
        "without an axis) instead of one per column",
        "Each feature (column) gets its own statistics over the batch: x.mean(axis=0) and "
        "x.var(axis=0), shape (C,), for y and for the running statistics.",
        {"batch_axes": every_axis},
    ),
]:
    register(alternative(_id, _title, _fix, FAMILY, **_parts))
layer_alternatives("bn", "BatchNorm", FAMILY, where="the batch (axis 0)")
