"""Mistakes of the ``batchnorm`` family: BatchNorm outputs and running statistics.

``batchnorm_run(inputs, **switches)`` is BatchNorm in training mode over
``inputs['batches']`` with a switch per slip; with none set it is the reference. The slips
of the output's formula (``normalization.layer_slips``) compose with those of the running
mean and running variance, so a student who dropped eps and updated the running variance
with the biased variance is named for both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import register_reference
from grader.judging.misconceptions.normalization import affine, layer_slips, normalise, scale
from grader.judging.misconceptions.slips import Slip, register_slips


def batchnorm_run(
    inputs: dict[str, Any],
    *,
    running_in_train: bool = False,
    biased: bool = False,
    momentum_rule: str = "torch",
    **sw: Any,
) -> np.ndarray:
    """BatchNorm over ``inputs['batches']`` in training mode: output, running mean and
    running variance after each batch, flattened; optionally with slips.

    ``running_in_train``: normalise with the running statistics; ``biased``: running_var
    moves towards the biased variance; ``momentum_rule``: ``"torch"`` (running <- (1 - m)
    running + m stat), ``"keras"`` (m running + (1 - m) stat) for both running statistics,
    ``"keras_mean"`` / ``"keras_var"`` for one of them; ``sw``: ``normalise``'s switches.
    """
    gamma, beta = np.asarray(inputs["gamma"], float), np.asarray(inputs["beta"], float)
    c = gamma.shape[0]
    rm, rv, out = np.zeros(c), np.ones(c), []
    mom, eps = inputs.get("momentum", 0.1), inputs.get("eps", 1e-5)
    for x in inputs["batches"]:
        x = np.asarray(x, float)
        m = len(x)
        mean = x.sum(axis=0) if sw.get("mean") == "sum" else x.mean(axis=0)
        var = x.var(axis=0)
        if running_in_train:
            out.append(affine(scale(x - rm, rv, eps, sw.get("denom", "sd")), gamma, beta, sw))
        else:
            out.append(normalise(x, (0,), gamma, beta, eps, sw))
        out[-1] = out[-1].ravel()
        keep_m = mom if momentum_rule in ("keras", "keras_mean") else 1 - mom
        keep_v = mom if momentum_rule in ("keras", "keras_var") else 1 - mom
        rm = keep_m * rm + (1 - keep_m) * mean
        rv = keep_v * rv + (1 - keep_v) * (var if biased else var * m / (m - 1))
        out.extend([rm, rv])
    return np.concatenate(out)


register_reference("batchnorm", batchnorm_run)

_FIX_MOMENTUM = (
    "Use torch's convention: running = (1 - momentum) * running + momentum * batch "
    "statistic, with momentum = 0.1 (the new batch gets the small weight)."
)
SLIPS = [
    Slip(
        "bn_running_stats_in_training",
        "BatchNorm normalised with the running statistics in training mode",
        "In training mode normalise with the current batch's mean and biased variance; "
        "the running statistics are only for eval mode.",
        "stats",
        {"running_in_train": True},
    ),
    Slip(
        "bn_biased_running_var",
        "the running variance was updated with the biased batch variance",
        "Update running_var with the unbiased batch variance (divide by m - 1); normalise "
        "with the biased one (divide by m).",
        "running_var",
        {"biased": True},
    ),
    Slip(
        "bn_momentum_flipped",
        "the running statistics kept momentum of the old value (momentum * running + "
        "(1 - momentum) * batch)",
        _FIX_MOMENTUM,
        "momentum",
        {"momentum_rule": "keras"},
    ),
    Slip(
        "bn_momentum_flipped_mean",
        "running_mean kept momentum of the old value (momentum * running + (1 - momentum) "
        "* batch mean)",
        _FIX_MOMENTUM,
        "momentum",
        {"momentum_rule": "keras_mean"},
    ),
    Slip(
        "bn_momentum_flipped_var",
        "running_var kept momentum of the old value (momentum * running + (1 - momentum) "
        "* batch variance)",
        _FIX_MOMENTUM,
        "momentum",
        {"momentum_rule": "keras_var"},
    ),
    *layer_slips("bn", "BatchNorm", where="the batch (axis 0)"),
]
register_slips("batchnorm", batchnorm_run, SLIPS, max_parts=3)
