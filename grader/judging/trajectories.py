"""Compare a student's trajectory (losses, learning rates, iterates) with the reference.

``compare`` is the pass/fail test: same length and every value within
``atol + rtol * |reference|``; its message names the first step (counted from 0, as on the
plot: x_0 is the start) where the student differs from the reference, says "diverged" only
when the student's values blow up, or counts the steps when their number differs.
``distance`` is the scale-aware relative distance that ``grader.judging.misconceptions``
ranks mistakes by.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from grader.judging.layout import Layout, digits_to_differ, number

LOSS_RTOL = 1e-4
"""Relative tolerance for per-step losses: float32 student code passes, real mistakes don't."""
LOSS_ATOL = 1e-7
"""Absolute tolerance for losses near zero."""
LR_RTOL = 1e-9
"""Learning rates are computed in closed form: float64 agreement expected."""
LR_ATOL = 1e-12
"""Absolute tolerance for learning rates."""
DIVERGENCE_BOUND = 1e12
"""A value past this magnitude (or a NaN/inf) has diverged: the course's own rule (the
stopping rules of gd_basics stop with "diverged" when |x| or f(x) exceeds 1e12)."""
EPOCH_HINT = (
    "check the number of updates per epoch (ceil(N/B), or floor(N/B) with drop_last) and "
    "the number of epochs"
)
"""What to check when a trainer made the wrong number of updates (``count_hint``)."""
ITERATE_HINT = "x_0 (the start) and one iterate per step, steps + 1 in all"
"""What to check when a sequence of iterates has the wrong length."""
SYMBOLS = {"loss": "loss", "iterate": "x", "lr": "lr"}
"""How the course writes the k-th value of a sequence: x_k, loss_k, lr_k."""
NOUNS = {"loss": "loss values", "iterate": "iterates", "lr": "learning rates"}
"""What a sequence's entries are called when they are counted."""
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


def _number(v: float, digits: int = 6) -> str:
    """A value as a student reads it: 6 significant digits (more where needed to show a
    difference), no float repr noise (8.4)."""
    return number(v, digits)


def _step_text(values: np.ndarray, digits: int = 6) -> str:
    return (
        _number(float(values[0]), digits)
        if len(values) == 1
        else ("[" + ", ".join(_number(float(v), digits) for v in values) + "]")
    )


def _digits(a: np.ndarray, b: np.ndarray) -> int:
    """Digits that show every differing pair of a step as different."""
    return max(digits_to_differ(float(x), float(y)) for x, y in zip(a, b, strict=True))


def _noun(what: str, width: int) -> str:
    """What the counted entries are: "iterates", or "entry values" / "steps of 2 entry
    values" for a sequence the course has no name for."""
    if what in NOUNS:
        return NOUNS[what]
    return f"{what} values" if width == 1 else f"steps of {width} {what} values"


def _blown_up(values: np.ndarray) -> bool:
    """Non-finite, or past the course's divergence bound."""
    return bool(not np.all(np.isfinite(values)) or np.max(np.abs(values)) > DIVERGENCE_BOUND)


def compare(
    student: Sequence[float],
    reference: Sequence[float],
    *,
    rtol: float = LOSS_RTOL,
    atol: float = LOSS_ATOL,
    what: str = "loss",
    width: int = 1,
    count_hint: str = "",
    layout: Layout | None = None,
) -> TrajectoryComparison:
    """Compare step by step; the message names the first step that differs and the values.

    Steps count from 0, as on the plot's x-axis: for iterates, step 0 is x_0, the start.
    ``width``: values per step (2 for iterates in the plane), so a step is one iterate, not
    one flattened value. "Diverged" is said only when the student's values blow up
    (``_blown_up``) where the reference's do not; any other mismatch "differs from the
    reference". ``count_hint``: what to check when the number of steps differs, given only
    where it applies (the epoch arithmetic of a trainer). ``layout``: the values are the
    returned components of one answer, not steps: the message names the first entry that
    differs as the student indexes it (``running_mean[0]``) and counts the entries that do.
    Numbers have 6 significant digits, more where that is what shows them differ.
    """
    s, r = _as_floats(student), _as_floats(reference)
    width = width if width > 1 and len(s) % width == 0 and len(r) % width == 0 else 1
    s2, r2 = s.reshape(-1, width), r.reshape(-1, width)
    n = min(len(s2), len(r2))
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.abs(s2[:n] - r2[:n]) <= atol + rtol * np.abs(r2[:n])
    same = (s2[:n] == r2[:n]) | (np.isnan(s2[:n]) & np.isnan(r2[:n]))  # incl. equal NaN/inf
    ok = np.all((ok & np.isfinite(s2[:n])) | same, axis=1)
    rel = _rel(s[: n * width], r[: n * width])
    base = {
        "n_student": len(s2),
        "n_reference": len(r2),
        "max_rel_error": float(rel.max()) if n else 0.0,
    }
    bad = np.flatnonzero(~ok)
    i = int(bad[0]) if len(bad) else None
    sym = SYMBOLS.get(what, what)
    msg, at = "", {}
    if i is not None:
        at = {"student_value": float(s2[i][0]), "reference_value": float(r2[i][0])}
        digits = _digits(s2[i], r2[i])
        got, ref = _step_text(s2[i], digits), _step_text(r2[i], digits)
        if layout is not None and width == 1 and layout.size == len(r) == len(s):
            where = layout.name(i)
            msg = (
                f"{where} = {got} differs from the reference {ref} "
                f"({len(bad)} of {len(r)} entries differ)"
            )
        elif _blown_up(s2[i]) and not _blown_up(r2[i]):
            msg = f"diverged at step {i}: {sym}_{i} = {got} (reference {ref})"
        else:
            msg = f"differs from the reference at step {i} ({sym}_{i} = {got}, reference {ref})"
    if len(s2) != len(r2):
        counted = count_text(len(s2), len(r2), what, width)
        if count_hint or what == "iterate":
            counted += f": {count_hint or ITERATE_HINT}"
        tail = f"; also, {msg}" if msg else f"; the first {n} agree"
        first = i if i is not None else n
        return TrajectoryComparison(
            matches=False, first_divergence=first, message=counted + tail, **at, **base
        )
    if i is not None:
        return TrajectoryComparison(matches=False, first_divergence=i, message=msg, **at, **base)
    return TrajectoryComparison(
        matches=True,
        first_divergence=None,
        message=f"all {len(r2)} {_noun(what, width)} match",
        **base,
    )


def count_text(n_student: int, n_reference: int, what: str = "loss", width: int = 1) -> str:
    """ "you returned 4 loss values, the reference 20" (for iterates and learning rates with
    the reference's range, "(x_0 to x_20)")."""
    noun = _noun(what, width)
    if n_student == 1 and noun.endswith("s"):
        noun = noun[:-1]  # "1 loss value", "1 iterate"
    counted = f"you returned {n_student} {noun}, the reference {n_reference}"
    if what in SYMBOLS and what != "loss":
        sym = SYMBOLS[what]
        counted += f" ({sym}_0 to {sym}_{n_reference - 1})"
    return counted


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
