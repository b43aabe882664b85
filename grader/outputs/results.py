"""Per-submission results: the canonical artefact every report is derived from.

A check that needs review (an undecided timing check, ``CheckResult.needs_review``) has its
points awarded provisionally: they count in ``points`` and ``score`` like any others, and
the flag travels up (``CellResult.needs_review``, ``SubmissionResult.to_review``) to every
output, which marks it for an instructor instead of calling it a failure.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from grader.evidence import CheckResult

ExecutionStatus = Literal["ok", "error", "timeout", "memory", "crashed", "invalid"]


class CellResult(BaseModel):
    """Points for one nbgrader grade cell (a test cell, possibly running several checks)."""

    model_config = ConfigDict(frozen=True)

    grade_id: str
    """nbgrader grade_id of the cell."""
    points: float
    """Points awarded for the cell."""
    max_points: float
    """Points the cell is worth (nbgrader metadata)."""
    status: Literal["passed", "failed", "error", "skipped"]
    """Worst status among the cell's checks, or the cell's own execution status."""
    checks: list[CheckResult] = Field(default_factory=list)
    """The checks the cell ran (empty for plain assert cells)."""
    feedback: str = ""
    """Message for a plain test cell (its error), empty when it passed."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def needs_review(self) -> bool:
        """A check of the cell is undecided: its points are provisional, to be reviewed."""
        return any(c.needs_review for c in self.checks)


class LateResult(BaseModel):
    """A submission that came after its due date, as nbgrader's gradebook computed it."""

    model_config = ConfigDict(frozen=True)

    seconds_late: float
    """Seconds after the due date, the student's extension included
    (``SubmittedAssignment.total_seconds_late``)."""
    penalty: float
    """Points taken off by the course's late-submission plugin, as nbgrader's
    ``AssignLatePenalties`` stored them (``late_submission_penalty``; 0 when it gave none)."""
    method: str
    """The plugin's rule: ``LateSubmissionPlugin.penalty_method`` ("none", "zero"), or the
    class name of an instructor's own plugin."""
    due: datetime.datetime
    """The due date in UTC, the student's extension included."""
    submitted: datetime.datetime
    """The submission's time in UTC (its ``timestamp.txt``)."""


class SubmissionResult(BaseModel):
    """Everything gdgrade decided about one student's notebook for one assignment."""

    model_config = ConfigDict(frozen=True)

    student: str
    """Student id (nbgrader's submitted/<student>/ folder name)."""
    assignment: str
    """Assignment name."""
    notebook: str
    """Notebook name without extension."""
    score: float
    """Sum of the cells' points (before any late penalty: see ``final_score``)."""
    max_score: float
    """Sum of the cells' max points."""
    cells: list[CellResult] = Field(default_factory=list)
    """Per grade cell results, in notebook order."""
    execution: ExecutionStatus = "ok"
    """How the notebook ran as a whole."""
    messages: list[str] = Field(default_factory=list)
    """Notes for the student: restored cells, crashes, timeouts, invalid notebook."""
    seconds: float = 0.0
    """Wall time spent grading this submission."""
    notebook_sha256: str = ""
    """Hash of the submitted file, used to skip unchanged submissions on re-runs."""
    sandbox: str = ""
    """How the notebook was contained while it ran (``Sandbox.describe_containment``)."""
    inputs: dict[str, str] = Field(default_factory=dict)
    """The regrade key it was graded under: a hash per part that decides the grade
    (submission, source, checks, misconceptions) and gdgrade's version
    (``grader.pipeline.regrade``)."""
    grade_reason: str = ""
    """Why the run that returned it graded it ("new", "checks changed", "forced", ...), or
    "unchanged" when the run reused the stored result without grading."""
    late: LateResult | None = None
    """How late it came and the penalty, as nbgrader's gradebook has them; None when on time,
    with no due date or outside an nbgrader course."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def final_score(self) -> float:
        """The score less the late penalty, never below 0 (``nbgrader export``'s score)."""
        return max(0.0, self.score - self.late.penalty) if self.late else self.score

    @property
    def checks(self) -> list[CheckResult]:
        """All check results in notebook order."""
        return [c for cell in self.cells for c in cell.checks]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def to_review(self) -> int:
        """How many checks are undecided and held for review (points awarded provisionally)."""
        return sum(c.needs_review for c in self.checks)
