"""Compare a student's trajectory (losses, learning rates, iterates) with the reference."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

LOSS_RTOL = 1e-4
"""Relative tolerance for per-step losses: float32 student code passes, real mistakes don't."""
LOSS_ATOL = 1e-7
"""Absolute tolerance for losses near zero."""
LR_RTOL = 1e-9
"""Learning rates are computed in closed form: float64 agreement expected."""
LR_ATOL = 1e-12


class TrajectoryComparison(BaseModel):
    """Where a student's sequence first leaves the reference, if anywhere."""

    model_config = ConfigDict(frozen=True)

    matches: bool
    """Same length and every value within tolerance."""
    first_divergence: int | None
    """Index of the first value out of tolerance (or the shorter length)."""
    n_student: int
    """Length of the student's sequence."""
    n_reference: int
    """Length of the reference sequence."""
    student_value: float | None = None
    """The student's value at the first divergence."""
    reference_value: float | None = None
    """The reference value at the first divergence."""
    max_rel_error: float = 0.0
    """Largest relative error over the common prefix (inf when non-finite)."""
    message: str = ""
    """One sentence for the student."""


def _rel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        err = np.abs(a - b) / np.maximum(np.abs(b), 1e-300)
    return np.where(np.isfinite(err), err, np.inf)


def compare(
    student: Sequence[float],
    reference: Sequence[float],
    *,
    rtol: float = LOSS_RTOL,
    atol: float = LOSS_ATOL,
    what: str = "loss",
) -> TrajectoryComparison:
    """Compare step by step; the message names the first diverging step and the values."""
    s = np.asarray(student, dtype=np.float64).ravel()
    r = np.asarray(reference, dtype=np.float64).ravel()
    n = min(len(s), len(r))
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(s[:n] - r[:n]) <= atol + rtol * np.abs(r[:n])
    rel = _rel(s[:n], r[:n])
    max_rel = float(rel.max()) if n else 0.0
    base = {"n_student": len(s), "n_reference": len(r), "max_rel_error": max_rel}
    bad = np.flatnonzero(~ok)
    if len(bad):
        i = int(bad[0])
        sv, rv = float(s[i]), float(r[i])
        if not math.isfinite(sv):
            msg = f"your {what} became {sv} at step {i} of {len(r)} (reference {rv:.6g})"
        else:
            msg = f"diverged at step {i} of {len(r)}: {what} {sv:.6g} vs reference {rv:.6g}"
        return TrajectoryComparison(
            matches=False,
            first_divergence=i,
            student_value=sv,
            reference_value=rv,
            message=msg,
            **base,
        )
    if len(s) != len(r):
        msg = (
            f"you recorded {len(s)} {what} values, the reference has {len(r)}: check the "
            "number of updates per epoch (ceil(N/B), drop_last) and the number of epochs"
        )
        return TrajectoryComparison(matches=False, first_divergence=n, message=msg, **base)
    return TrajectoryComparison(
        matches=True, first_divergence=None, message=f"all {len(r)} {what} values match", **base
    )


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Relative distance between two sequences (inf for different lengths or non-finite)."""
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    if x.shape != y.shape or not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        return math.inf if x.shape != y.shape or not np.array_equal(x, y, equal_nan=True) else 0.0
    scale = np.maximum(np.abs(y), 1e-12)
    return float(np.max(np.abs(x - y) / scale)) if len(x) else 0.0
