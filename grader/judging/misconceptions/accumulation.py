"""Mistakes of the ``accumulation`` family: the accumulated gradient over micro-batches."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference


def accumulated(inputs: dict[str, Any], *, weighting: str) -> np.ndarray:
    """Accumulated gradient (w then b): ``"n_i/N"`` (correct), ``"1/k"`` or ``"sum"``."""
    from reference.accumulation import full_batch_gradient

    X, y = np.asarray(inputs["X"], float), np.asarray(inputs["y"], float)
    parts = [np.asarray(m) for m in inputs["micro_batches"]]
    total = np.zeros(X.shape[1] + 1)
    for idx in parts:
        gw, gb = full_batch_gradient(X[idx], y[idx], inputs["w"], inputs["b"])
        weight = {"n_i/N": len(idx) / len(X), "1/k": 1 / len(parts), "sum": 1.0}[weighting]
        total += weight * np.append(gw, gb)
    return total


register_reference("accumulation", lambda i: accumulated(i, weighting="n_i/N"))

for _mistake in [
    Mistake(
        "uneven_last_micro_batch",
        "the short last micro-batch is weighted like the full ones",
        "Weight each micro-batch loss by n_i / N (its share of the samples), not 1/k, "
        "when the last micro-batch is smaller.",
        "accumulation",
        lambda i: accumulated(i, weighting="1/k"),
    ),
    Mistake(
        "accumulation_not_divided",
        "micro-batch gradients were summed without dividing",
        "Scale each micro-batch loss by n_i / N before backward(); the plain sum is k times "
        "too large.",
        "accumulation",
        lambda i: accumulated(i, weighting="sum"),
    ),
]:
    register(_mistake)
