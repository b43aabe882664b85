"""Mistakes of the ``batchnorm`` family: BatchNorm outputs and running statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference


def batchnorm_run(
    inputs: dict[str, Any], *, running_in_train: bool = False, biased: bool = False
) -> np.ndarray:
    """BatchNorm over ``inputs['batches']`` in training mode: output, running mean and
    running variance after each batch, flattened; optionally with one bug."""
    c = np.asarray(inputs["gamma"]).shape[0]
    rm, rv, out = np.zeros(c), np.ones(c), []
    mom, eps = inputs.get("momentum", 0.1), inputs.get("eps", 1e-5)
    for x in inputs["batches"]:
        x = np.asarray(x, float)
        mean, var, m = x.mean(axis=0), x.var(axis=0), len(x)
        mu, sd = (rm, np.sqrt(rv + eps)) if running_in_train else (mean, np.sqrt(var + eps))
        out.append(((x - mu) / sd * inputs["gamma"] + inputs["beta"]).ravel())
        rm = (1 - mom) * rm + mom * mean
        rv = (1 - mom) * rv + mom * (var if biased else var * m / (m - 1))
        out.extend([rm, rv])
    return np.concatenate(out)


register_reference("batchnorm", batchnorm_run)

for _mistake in [
    Mistake(
        "bn_running_stats_in_training",
        "BatchNorm normalised with the running statistics in training mode",
        "In training mode normalise with the current batch's mean and biased variance; "
        "the running statistics are only for eval mode.",
        "batchnorm",
        lambda i: batchnorm_run(i, running_in_train=True),
    ),
    Mistake(
        "bn_biased_running_var",
        "the running variance was updated with the biased batch variance",
        "Update running_var with the unbiased batch variance (divide by m - 1); normalise "
        "with the biased one (divide by m).",
        "batchnorm",
        lambda i: batchnorm_run(i, biased=True),
    ),
]:
    register(_mistake)
