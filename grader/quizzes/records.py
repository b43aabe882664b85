"""Quiz grading results: the JSON written by ``gdgrade quiz grade`` is the canonical artefact;
scores.csv, feedback files and the class summary are derived from it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

ItemStatus = Literal["correct", "partial", "incorrect", "blank", "unreadable", "missing", "review"]
IssueKind = Literal[
    "unknown_question", "duplicate", "no_student_id", "unknown_student", "other_quiz"
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ItemGradeRecord(_Frozen):
    """One student's answer to one item, judged."""

    question_id: str
    """Item id."""
    kind: str
    """Item kind."""
    topics: list[str]
    """Topic ids the item assesses."""
    response: str | None
    """What the sheet held (None: no row for this item)."""
    parsed: Any = None
    """What the response was read as (number, list, option keys), if it could be read."""
    status: ItemStatus
    """``review`` = provisional points, a person should look."""
    points: float
    """Points awarded (provisional under ``review``)."""
    max_points: float
    """Points available."""
    expected: Any
    """The key for this student's variant."""
    matched: str | None = None
    """The common wrong answer (label) or wrong option key(s) the response matched."""
    matched_text: str | None = None
    """The same as a reader sees it: the wrong option's text, the wrong value given, or the
    first sentence of the misconception's feedback (reports show this, not the label)."""
    feedback: str = ""
    """What was right or wrong, and why."""
    needs_review: bool = False
    """Flagged for manual review (uncertain short answer, unreadable response, ...)."""
    notes: list[str] = []
    """What the reader assumed (decimal comma, ignored unit, ...)."""


class StudentGradeResult(_Frozen):
    """One student's quiz."""

    student_id: str
    """As in the sheet (stripped)."""
    quiz_id: str
    """Quiz id."""
    score: float
    """Points awarded."""
    max_score: float
    """Points available."""
    items: list[ItemGradeRecord]
    """One record per quiz item, in quiz order."""
    needs_review: bool
    """Any item flagged for review."""

    @property
    def percent(self) -> float:
        """Score as a percentage."""
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


class SheetIssue(_Frozen):
    """Something in the responses sheet that was not graded as a plain answer."""

    row: int
    """1-based line in the CSV (the header is line 1)."""
    kind: IssueKind
    """What went wrong."""
    student_id: str = ""
    """The row's student id."""
    question_id: str = ""
    """The row's question id."""
    message: str
    """Human-readable explanation."""


class QuizGradeResult(_Frozen):
    """Every student's grade on one quiz from one responses sheet."""

    quiz_id: str
    """Quiz id."""
    quiz_title: str
    """Quiz title."""
    responses_file: str
    """The sheet graded."""
    rows_read: int
    """Data rows in the sheet; each is graded or listed in ``issues``."""
    students: list[StudentGradeResult]
    """Sorted by student id."""
    issues: list[SheetIssue]
    """Rows not graded as plain answers, and listed students without rows."""
