"""Scores into nbgrader's own SQLite gradebook, so formgrader and nbgrader exports see them.

The course's assignments must be in the gradebook already (``nbgrader generate_assignment``,
which ``gdgrade release`` runs, puts their grade cells there). Each submission is written in
one transaction: either all its grades change or none do.

A cell with a check that needs review (an undecided timing check) is written with its
provisional auto score and ``needs_manual_grade`` set, so formgrader lists it for an
instructor; a manual score given since clears the flag (the instructor has looked), and
every other autograded cell is written with the flag off, as nbgrader's autograde does.
"""

from __future__ import annotations

import fcntl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from grader.outputs.results import SubmissionResult


def url(course: Path) -> str:
    """SQLAlchemy URL of a course's gradebook (nbgrader's default file name)."""
    return f"sqlite:///{(course / 'gradebook.db').resolve()}"


@contextmanager
def _exclusive(course: Path) -> Iterator[None]:
    """One writer at a time across processes (two autograde runs on one course)."""
    with open(course / ".gdgrade.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def record(course: Path, result: SubmissionResult) -> None:
    """Write one submission's auto scores (replacing earlier ones) in one commit."""
    with _exclusive(course), warnings.catch_warnings(), Gradebook(url(course)) as gb:
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy autoflush notices
        gb.update_or_create_student(result.student)
        submission = gb.update_or_create_submission(
            result.assignment, result.student, timestamp=datetime.now(UTC).replace(tzinfo=None)
        )
        notebook = next(nb for nb in submission.notebooks if nb.name == result.notebook)
        by_id = {g.name: g for g in notebook.grades}
        for cell in result.cells:
            grade = by_id.get(cell.grade_id)
            if grade is not None:
                grade.auto_score = cell.points
                grade.needs_manual_grade = cell.needs_review and grade.manual_score is None
        gb.db.commit()


def needing_review(course: Path, assignment: str) -> dict[str, list[str]]:
    """Grade cells flagged ``needs_manual_grade`` per student for one assignment."""
    with Gradebook(url(course)) as gb:
        try:
            found = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        return {
            s.student.id: [g.name for nb in s.notebooks for g in nb.grades if g.needs_manual_grade]
            for s in found.submissions
        }


def scores(course: Path, assignment: str) -> dict[str, float]:
    """Total score per student for one assignment, as nbgrader computes it."""
    with Gradebook(url(course)) as gb:
        try:
            found = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        return {s.student.id: float(s.score) for s in found.submissions}
