"""The models that cross the sandbox boundary and come out of judging.

``ProbeRequest`` goes from the trusted side into the worker, ``Evidence`` is the only thing
that comes back (as JSON, validated here), and ``CheckResult`` is what a judge decides.

The models that cross the sandbox (``WIRE``) keep NaN and inf through JSON: they are written
as the constants ``NaN``, ``Infinity`` and ``-Infinity``, which pydantic reads back as floats.
The judged models keep pydantic's default (``null``), so result files stay strict JSON.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["passed", "failed", "error", "skipped"]
WIRE = ConfigDict(frozen=True, ser_json_inf_nan="constants")
"""Config of the models that cross the sandbox: frozen, NaN/inf kept as JSON constants."""


class ProbeRequest(BaseModel):
    """What a probe should do inside the worker; built on the trusted side by a check."""

    model_config = WIRE

    check_id: str
    """Registry id of the check that asked, e.g. ``"gd_basics.update_rule"``."""
    probe: str
    """Name of the probe in ``grader.inside.probes.PROBES`` (``"call"``, ``"train"``...)."""
    target: str
    """Name of the student's function or variable in the notebook namespace."""
    inputs: dict[str, Any] = Field(default_factory=dict)
    """Grader-chosen inputs (JSON-able: numbers incl. NaN/inf, lists, nested dicts); the probe
    decodes them."""
    options: dict[str, Any] = Field(default_factory=dict)
    """Probe settings that are not student inputs (repeats, device, time budget...)."""


class ErrorInfo(BaseModel):
    """An exception raised by student code, as text the student can act on."""

    model_config = WIRE

    type: str
    """Exception class name, e.g. ``"ValueError"``."""
    message: str
    """``str(exc)``, truncated."""
    traceback: str = ""
    """Formatted traceback restricted to the student's frames, truncated."""


class Evidence(BaseModel):
    """Facts a probe recorded about the student's code; judged outside the sandbox."""

    model_config = WIRE

    check_id: str
    """The check this evidence answers."""
    value: Any = None
    """The student's return value, converted to JSON (arrays and tensors become lists; NaN and
    inf stay floats)."""
    value_type: str = ""
    """Type of the original return value, e.g. ``"Tensor"``, ``"ndarray"``, ``"float"``."""
    meta: dict[str, Any] = Field(default_factory=dict)
    """Facts about the value: dtype, shape, device, requires_grad, ..."""
    losses: list[float] | None = None
    """Per-step losses the student's trainer reported (NaN/inf kept as floats)."""
    lrs: list[float] | None = None
    """Learning rates per step, where the probe could see them (NaN/inf kept as floats)."""
    batches: list[list[int]] | None = None
    """Sample indices of each mini-batch in the order the student read them."""
    timings: dict[str, list[float]] | None = None
    """Seconds per repeat for each measured configuration."""
    device: str = "cpu"
    """Device the probe ran on."""
    error: ErrorInfo | None = None
    """Set when the student's code raised instead of returning."""
    missing: bool = False
    """The target name is not defined in the notebook."""
    seconds: float = 0.0
    """Wall time the probe took."""


class Diagnosis(BaseModel):
    """The known mistake that reproduces a failing output exactly, or a statement that none does."""

    model_config = ConfigDict(frozen=True)

    mistake: str | None
    """Id of the misconception (e.g. ``"no_zero_grad"``), or None when none matched."""
    title: str = ""
    """Human name of the mistake."""
    fix: str = ""
    """How to fix it, in one or two sentences."""
    distance: float | None = None
    """Relative distance of the student's trajectory to the mistaken one."""
    runner_up: str | None = None
    """Another mistake that reproduces the same values (the values cannot tell them apart)."""
    candidates: list[str] = []
    """Every mistake (or pair ``a+b``) that reproduces the values, when more than one does."""
    relation: str | None = None
    """When no known mistake matched: the exact relation to the reference that holds
    (``grader.judging.explain``: ``"ratio:B"``, ``"shift:epoch"``, ``"component:b"``...)."""
    concept: str | None = None
    """The named mistake's concept (``Mistake.concept``: one idea across checks and families,
    e.g. ``"step_uphill"``), which the class report counts students by; None when unnamed."""


class PlotData(BaseModel):
    """Curves for a feedback plot: the student's, the reference and the known mistake."""

    model_config = ConfigDict(frozen=True)

    title: str
    """Plot title."""
    xlabel: str = "step"
    """x-axis label."""
    ylabel: str = "loss"
    """y-axis label."""
    series: dict[str, list[float]]
    """Curve name -> y values (x is the index)."""
    log_y: bool = False
    """Plot on a logarithmic y axis."""


class CheckResult(BaseModel):
    """The verdict of one check on one submission."""

    model_config = ConfigDict(frozen=True)

    check_id: str
    """Registry id of the check."""
    name: str
    """Short human name shown in feedback."""
    points: float
    """Points awarded."""
    max_points: float
    """Points available."""
    status: Status
    """passed / failed / error (student code crashed) / skipped (not gradable here, or
    undecided when ``needs_review``)."""
    feedback: str = ""
    """Message to the student: what was expected, what happened, where it diverged."""
    diagnosis: Diagnosis | None = None
    """Closest known misconception when the check failed."""
    plot: PlotData | None = None
    """Curves to draw in the feedback."""
    hidden: bool = False
    """A hidden test: its details are withheld from the student until release of grades."""
    needs_review: bool = False
    """The judge could not decide (an undecided timing check): the points are awarded
    provisionally and an instructor should look (nbgrader's ``needs_manual_grade``)."""
