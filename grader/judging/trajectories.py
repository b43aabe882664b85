"""Compare a student's trajectory (losses, learning rates, iterates) with the reference.

``compare`` is the pass/fail test: same length and every value within
``atol + rtol * |reference|``; its message names the first step (counted from 1) where the
student left the reference, a NaN/inf, or a different number of steps. ``distance`` is the
scale-aware relative distance that ``grader.judging.misconceptions`` ranks mistakes by.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

LOSS_RTOL = 1e-4
"""Relative tolerance for per-step losses: float32 student code passes, real mistakes don't."""
LOSS_ATOL = 1e-7
"""Absolute tolerance for losses near zero."""
LR_RTOL = 1e-9
"""Learning rates are computed in closed form: float64 agreement expected."""
LR_ATOL = 1e-12
"""Absolute tolerance for learning rates."""
DISTANCE_FLOOR = 1e-3
"""In ``distance``, values smaller than this fraction of the sequence's largest magnitude
are compared on that scale, so near-zero entries (BatchNorm outputs) do not blow up."""


class TrajectoryComparison(BaseModel):
    """Where a student's sequence first leaves the reference, if anywhere."""

    model_config = ConfigDict(frozen=True)

    matches: bool
    """Same length and every value within tolerance."""
    first_divergence: int | None
    """0-based index of the first value out of tolerance (or the shorter length)."""
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


def _as_floats(values: Sequence[float] | Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).ravel()


def compare(
    student: Sequence[float],
    reference: Sequence[float],
    *,
    rtol: float = LOSS_RTOL,
    atol: float = LOSS_ATOL,
    what: str = "loss",
) -> TrajectoryComparison:
    """Compare step by step; the message names the first diverging step and the values."""
    s, r = _as_floats(student), _as_floats(reference)
    n = min(len(s), len(r))
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(s[:n] - r[:n]) <= atol + rtol * np.abs(r[:n])
    same = (s[:n] == r[:n]) | (np.isnan(s[:n]) & np.isnan(r[:n]))  # incl. equal NaN/inf
    ok = (ok & np.isfinite(s[:n])) | same
    rel = _rel(s[:n], r[:n])
    base = {
        "n_student": len(s),
        "n_reference": len(r),
        "max_rel_error": float(rel.max()) if n else 0.0,
    }
    bad = np.flatnonzero(~ok)
    i = int(bad[0]) if len(bad) else None
    at = {} if i is None else {"student_value": float(s[i]), "reference_value": float(r[i])}
    if i is not None and not math.isfinite(s[i]):
        msg = f"your {what} became {s[i]} at step {i + 1} of {len(r)} (reference {r[i]:.6g})"
    elif i is not None:
        msg = f"diverged at step {i + 1} of {len(r)}: {what} {s[i]:.6g} vs reference {r[i]:.6g}"
    else:
        msg = ""
    if len(s) != len(r):
        counted = (
            f"you made {len(s)} steps ({what} values), the reference {len(r)}: check the "
            "number of updates per epoch (ceil(N/B), or floor(N/B) with drop_last) and the "
            "number of epochs"
        )
        tail = f"; also, {msg}" if msg else f"; the first {n} values agree"
        first = i if i is not None else n
        return TrajectoryComparison(
            matches=False, first_divergence=first, message=counted + tail, **at, **base
        )
    if i is not None:
        return TrajectoryComparison(matches=False, first_divergence=i, message=msg, **at, **base)
    return TrajectoryComparison(
        matches=True, first_divergence=None, message=f"all {len(r)} {what} values match", **base
    )


def distance(a: Sequence[float], b: Sequence[float]) -> float:
    """Relative distance of ``a`` from ``b``: max |a - b| / max(|b|, floor), where floor is
    ``DISTANCE_FLOOR`` times the largest |b|; inf for different lengths or a NaN/inf that
    ``b`` does not share, 0 for identical sequences."""
    x, y = _as_floats(a), _as_floats(b)
    if x.shape != y.shape:
        return math.inf
    if not len(x):
        return 0.0
    same = (x == y) | (np.isnan(x) & np.isnan(y))
    if not (np.all(np.isfinite(x) | same) and np.all(np.isfinite(y) | same)):
        return math.inf
    scale = max(float(np.max(np.abs(y[np.isfinite(y)]), initial=0.0)), 1e-300) * DISTANCE_FLOOR
    x, y = x[~same], y[~same]
    if not len(x):
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(np.abs(y), scale)))


def losses_of(evidence: Any) -> list[float] | None:
    """The student's per-step losses from Evidence, NaN/inf included (the wire keeps them)."""
    return evidence.losses
