"""Trusted-side judges: compare Evidence with oracle values and return a Verdict."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from grader import trajectories
from grader.checks import Verdict
from grader.evidence import Diagnosis, Evidence, PlotData

VALUE_RTOL = 1e-6
"""Relative tolerance for scalar and array answers."""
VALUE_ATOL = 1e-8
"""Absolute tolerance for scalar and array answers."""


def _array(value: Any) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def close(
    evidence: Evidence,
    expected: Any,
    *,
    rtol: float = VALUE_RTOL,
    atol: float = VALUE_ATOL,
    what: str = "the result",
    value: Any = None,
) -> Verdict:
    """Scalar / array check with messages on type, shape, NaN, device and requires_grad."""
    meta = evidence.meta
    if meta.get("requires_grad"):
        return Verdict("failed", f"{what} still requires grad: return it with .detach()")
    if str(meta.get("device", "cpu")).startswith("cuda"):
        return Verdict("failed", f"{what} is on {meta['device']}: return it on the CPU (.cpu())")
    got = _array(evidence.value if value is None else value)
    want = np.asarray(expected, dtype=np.float64)
    if got is None:
        return Verdict("failed", f"{what} should be numeric, got a {evidence.value_type}")
    if got.shape != want.shape:
        return Verdict("failed", f"{what} has shape {got.shape}, expected {want.shape}")
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(want)):
        return Verdict("failed", f"{what} contains NaN or inf: {np.array2string(got)[:200]}")
    if np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        return Verdict("passed", f"{what} is correct")
    shown = np.array2string(got, precision=6)[:200]
    return Verdict("failed", f"{what} is {shown}; expected {np.array2string(want, precision=6)}")


def equal(evidence: Evidence, expected: Any, *, what: str = "the result") -> Verdict:
    """Exact equality (integers, booleans, strings)."""
    if evidence.value == expected:
        return Verdict("passed", f"{what} is correct")
    return Verdict("failed", f"{what} is {evidence.value!r}; expected {expected!r}")


def trajectory(
    student: Sequence[float] | None,
    reference: Sequence[float],
    *,
    rtol: float = trajectories.LOSS_RTOL,
    atol: float = trajectories.LOSS_ATOL,
    what: str = "loss",
    title: str = "Loss per step",
    diagnose: Callable[[Sequence[float]], tuple[Diagnosis, Sequence[float] | None]] | None = None,
    log_y: bool = False,
) -> Verdict:
    """Step-by-step comparison; on failure, name the closest known mistake and plot all three."""
    if student is None:
        return Verdict("failed", f"no {what} values were returned")
    cmp = trajectories.compare(student, reference, rtol=rtol, atol=atol, what=what)
    if cmp.matches:
        return Verdict("passed", cmp.message)
    series = {"student": list(student), "reference": list(reference)}
    diagnosis = None
    if diagnose is not None:
        diagnosis, mistaken = diagnose(student)
        if diagnosis.mistake and mistaken is not None:
            series["closest mistake"] = list(mistaken)
    plot = PlotData(title=title, ylabel=what, series=series, log_y=log_y)
    return Verdict("failed", cmp.message, diagnosis=diagnosis, plot=plot)


def band(value: float, *, low: float, high: float, what: str, hint: str = "") -> Verdict:
    """Distributional check: a value must fall in [low, high]."""
    if isinstance(value, float | int) and math.isfinite(value) and low <= value <= high:
        return Verdict("passed", f"{what} = {value:.4g} is within [{low:.4g}, {high:.4g}]")
    return Verdict(
        "failed", f"{what} = {value!r} is outside [{low:.4g}, {high:.4g}]. {hint}".strip()
    )


def all_of(*verdicts: Verdict) -> Verdict:
    """Combine verdicts: partial credit in proportion to the parts that passed."""
    passed = sum(v.status == "passed" for v in verdicts)
    worst = next((v for v in verdicts if v.status != "passed"), None)
    feedback = "\n".join(v.feedback for v in verdicts if v.feedback)
    if worst is None:
        return Verdict("passed", feedback)
    return Verdict(
        worst.status,
        feedback,
        fraction=passed / len(verdicts),
        diagnosis=worst.diagnosis,
        plot=worst.plot,
    )
