"""Mistakes of the ``accumulation`` family: the accumulated gradient over micro-batches.

``accumulated(inputs, **switches)`` sums each micro-batch's MSE gradient (w then b) with a
weight; the reference weights micro-batch i by n_i / N. Slips: the weighting (1/k, or none)
for both parts or for one, and per part a missing factor 2 or a sum over the micro-batch
where its mean belongs; slips of distinct parts compose (``slips.register_slips``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import register_reference
from grader.judging.misconceptions.slips import Slip, register_slips

_WEIGHTS = {
    "n_i/N": lambda n, N, k: n / N,
    "1/k": lambda n, N, k: 1 / k,
    "sum": lambda n, N, k: 1.0,
}


def accumulated(
    inputs: dict[str, Any],
    *,
    weighting: str = "n_i/N",
    weighting_w: str | None = None,
    weighting_b: str | None = None,
    w_slip: str = "",
    b_slip: str = "",
) -> np.ndarray:
    """Accumulated gradient (w then b): ``weighting`` ``"n_i/N"`` (correct), ``"1/k"`` or
    ``"sum"``, overridden per part by ``weighting_w`` / ``weighting_b``; ``w_slip`` /
    ``b_slip``: ``"half"`` (no factor 2) or ``"sum"`` (summed over the micro-batch)."""
    from reference.accumulation import full_batch_gradient

    X, y = np.asarray(inputs["X"], float), np.asarray(inputs["y"], float)
    parts = [np.asarray(m) for m in inputs["micro_batches"]]
    k, N = len(parts), len(X)
    total = np.zeros(X.shape[1] + 1)
    for idx in parts:
        gw, gb = full_batch_gradient(X[idx], y[idx], inputs["w"], inputs["b"])
        n = len(idx)
        factor = {"": 1.0, "half": 0.5, "sum": float(n)}
        gw, gb = gw * factor[w_slip], gb * factor[b_slip]
        ww = _WEIGHTS[weighting_w or weighting](n, N, k)
        wb = _WEIGHTS[weighting_b or weighting](n, N, k)
        total += np.append(ww * gw, wb * gb)
    return total


register_reference("accumulation", accumulated)

_K_FIX = (
    "Weight each micro-batch loss by n_i / N (its share of the samples), not 1/k, "
    "when the last micro-batch is smaller."
)
_SUM_FIX = (
    "Scale each micro-batch loss by n_i / N before backward(); the plain sum is k times too large."
)
SLIPS = [
    Slip(
        "uneven_last_micro_batch",
        "the short last micro-batch is weighted like the full ones",
        _K_FIX,
        "weighting",
        {"weighting": "1/k"},
    ),
    Slip(
        "accumulation_not_divided",
        "micro-batch gradients were summed without dividing",
        _SUM_FIX,
        "weighting",
        {"weighting": "sum"},
    ),
]
for _p, _name in (("w", "dL/dw"), ("b", "dL/db")):
    SLIPS += [
        Slip(
            f"uneven_last_micro_batch_{_p}",
            f"{_name} weighted every micro-batch by 1/k (the other part by n_i / N)",
            _K_FIX,
            "weighting",
            {f"weighting_{_p}": "1/k"},
        ),
        Slip(
            f"accumulation_not_divided_{_p}",
            f"{_name} summed the micro-batch gradients without weighting them",
            _SUM_FIX,
            "weighting",
            {f"weighting_{_p}": "sum"},
        ),
        Slip(
            f"accum_{_p}_missing_factor_2",
            f"{_name} lost the factor 2 of the squared error's derivative",
            f"The derivative of mean(r^2) is 2 * mean(r * dr): keep the 2 in {_name}.",
            _p,
            {f"{_p}_slip": "half"},
        ),
        Slip(
            f"accum_{_p}_sum_not_mean",
            f"{_name} summed over the micro-batch instead of averaging",
            f"Divide {_name} of a micro-batch by its size n_i (a mean, like its loss) before "
            "weighting it by n_i / N.",
            _p,
            {f"{_p}_slip": "sum"},
        ),
    ]
register_slips("accumulation", accumulated, SLIPS, max_parts=3)
