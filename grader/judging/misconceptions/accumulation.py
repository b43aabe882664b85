"""Mistakes of the ``accumulation`` family: the accumulated gradient over micro-batches.

``run(inputs, **parts)`` is ``reference.accumulation.weighted_accumulated_gradient`` on the
check's inputs (``X, y, w, b, micro_batches``) with those parts (``AccumulationParts``)
swapped, as one vector (w then b). A mistake is one alternative for one part: the residual,
each parameter's micro-batch gradient (no factor 2, a sum where the mean belongs), each
one's weight (1/k, none, n_i without N, n_i / N and 1/k); the diagnosis tries two of
different parts together.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import alternative, register, register_space
from reference import accumulation as ref

FAMILY = "accumulation"
NOTES = "assignments/notes/01-minibatch-gradient-descent.md"


def run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """The accumulated gradient (w then b) on the check's inputs with ``parts`` swapped."""
    gw, gb = ref.weighted_accumulated_gradient(
        inputs["X"],
        inputs["y"],
        inputs["w"],
        inputs["b"],
        micro_batches=inputs["micro_batches"],
        parts=replace(ref.TEXTBOOK, **parts),
    )
    return np.append(gw, gb)


register_space(FAMILY, run)


def unweighted(n_i: int, n: int, k: int) -> float:
    """Every micro-batch gradient added as it is (weight 1)."""
    return 1.0


def by_size(n_i: int, n: int, k: int) -> float:
    """Weight n_i without dividing by N: the gradient of the summed squared error."""
    return float(n_i)


def share_and_over_k(n_i: int, n: int, k: int) -> float:
    """Both weights at once: n_i / N and 1 / k."""
    return n_i / n / k


def half_w(X: np.ndarray, r: np.ndarray) -> np.ndarray:
    """dL_i/dw without the factor 2: X^T r / n_i."""
    return ref.gradient_w(X, r) / 2


def half_b(r: np.ndarray) -> float:
    """dL_i/db without the factor 2: sum r / n_i."""
    return ref.gradient_b(r) / 2


def summed_w(X: np.ndarray, r: np.ndarray) -> np.ndarray:
    """dL_i/dw summed over the micro-batch: 2 X^T r."""
    return ref.gradient_w(X, r) * len(r)


def summed_b(r: np.ndarray) -> float:
    """dL_i/db summed over the micro-batch: 2 sum r."""
    return ref.gradient_b(r) * len(r)


def target_minus_prediction(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """r = y - (X w + b): the residual the other way round."""
    return -ref.residual(X, y, w, b)


_K_FIX = (
    f"Weight each micro-batch's loss by n_i / N (its share of the samples), not 1/k. The "
    f"notes' loop ({NOTES}, part 8, 'Gradient Accumulation (Simulating Large Batches)') "
    "divides every loss by accumulation_steps because it assumes micro-batches of equal "
    "size, where 1/k = n_i / N; here the last one is shorter, and only n_i / N gives the big "
    "batch's gradient (L = sum_i (n_i / N) L_i)."
)
_SUM_FIX = (
    "Scale each micro-batch loss by n_i / N before backward(); the plain sum is k times too large."
)
for _id, _title, _fix, _parts in [
    (
        "uneven_last_micro_batch",
        "the short last micro-batch is weighted like the full ones",
        _K_FIX,
        {"weight_w": ref.equal_share, "weight_b": ref.equal_share},
    ),
    (
        "accumulation_not_divided",
        "micro-batch gradients were summed without dividing",
        _SUM_FIX,
        {"weight_w": unweighted, "weight_b": unweighted},
    ),
    (
        "accum_not_divided_by_N",
        "each micro-batch gradient was weighted by its size n_i but not divided by N (the "
        "gradient of the summed squared error, N times the mean's)",
        "Weight micro-batch i by n_i / N, its share of the samples: the loss is the mean "
        "over all N samples, so the weights add up to 1.",
        {"weight_w": by_size, "weight_b": by_size},
    ),
    (
        "accum_share_and_divided_by_k",
        "each micro-batch gradient was weighted by n_i / N and divided by k as well",
        f"Use one weight, n_i / N. The notes' loss / accumulation_steps ({NOTES}, part 8) is "
        "that same weight when the micro-batches have equal sizes; applied on top of n_i / N "
        "it makes the gradient k times too small.",
        {"weight_w": share_and_over_k, "weight_b": share_and_over_k},
    ),
    (
        "accum_residual_sign",
        "the residual was taken as y - (X w + b), so the gradient points the other way",
        "With r = X[idx] @ w + b - y[idx] (prediction minus target) the gradient of the mean "
        "of r^2 is (2 / n_i) X^T r for w and 2 mean(r) for b.",
        {"residual": target_minus_prediction},
    ),
]:
    register(alternative(_id, _title, _fix, FAMILY, **_parts))

for _p, _name, _half, _summed in (
    ("w", "dL/dw", half_w, summed_w),
    ("b", "dL/db", half_b, summed_b),
):
    for _id, _title, _fix, _parts in [
        (
            f"uneven_last_micro_batch_{_p}",
            f"{_name} weighted every micro-batch by 1/k (the other part by n_i / N)",
            _K_FIX,
            {f"weight_{_p}": ref.equal_share},
        ),
        (
            f"accumulation_not_divided_{_p}",
            f"{_name} summed the micro-batch gradients without weighting them",
            _SUM_FIX,
            {f"weight_{_p}": unweighted},
        ),
        (
            f"accum_{_p}_missing_factor_2",
            f"{_name} lost the factor 2 of the squared error's derivative",
            f"The derivative of mean(r^2) is 2 * mean(r * dr): keep the 2 in {_name}.",
            {f"gradient_{_p}": _half},
        ),
        (
            f"accum_{_p}_sum_not_mean",
            f"{_name} summed over the micro-batch instead of averaging",
            f"Divide {_name} of a micro-batch by its size n_i (a mean, like its loss) before "
            "weighting it by n_i / N.",
            {f"gradient_{_p}": _summed},
        ),
    ]:
        register(alternative(_id, _title, _fix, FAMILY, **_parts))
