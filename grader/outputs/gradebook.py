"""Scores into nbgrader's own gradebook, so formgrader and nbgrader exports see them.

The gradebook is the course's ``CourseDirectory.db_url`` (``gradebook.db`` in the root unless
``nbgrader_config.py`` says otherwise). The course's assignments must be in it already
(``nbgrader generate_assignment``, which ``gdgrade release`` runs, puts their grade cells
there). Each submission is written in one transaction: either all its grades change or none
do. As ``nbgrader autograde`` does, the submission's time is its ``timestamp.txt`` (none when
there is none), which is how formgrader tells a graded submission from one submitted since;
then nbgrader's own ``AssignLatePenalties`` step computes the late penalty against the
assignment's due date with the configured ``LateSubmissionPlugin`` (``penalty_method``).
``record`` returns what it computed (``LateResult``), so that every output shows the score
the gradebook holds.

A cell with a check that needs review (an undecided timing check) is written with its
provisional auto score and ``needs_manual_grade`` set, so formgrader lists it for an
instructor; a manual score given since clears the flag (the instructor has looked), and
every other autograded cell is written with the flag off, as nbgrader's autograde does.
"""

from __future__ import annotations

import fcntl
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import AssignLatePenalties

from grader.nbgrader_io.course import CourseDir
from grader.outputs.results import LateResult, SubmissionResult

QUIET = logging.getLogger("grader.nbgrader")
"""nbgrader's steps log here, silently: the batch summary says what a class needs to know."""
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


def url(course: Path) -> str:
    """SQLAlchemy URL of a course's gradebook (``CourseDirectory.db_url``)."""
    return CourseDir(course).nbgrader.db_url


@contextmanager
def _exclusive(course: Path) -> Iterator[None]:
    """One writer at a time across processes (two autograde runs on one course)."""
    with open(course / ".gdgrade.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def record(course: Path, result: SubmissionResult) -> LateResult | None:
    """Write one submission's auto scores (replacing earlier ones) in one commit, with its
    submission time, then its late penalty; returns how late it came and that penalty, as
    the gradebook now holds them (None when on time or the assignment has no due date)."""
    layout = CourseDir(course)
    db_url = layout.nbgrader.db_url
    with _exclusive(course), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy autoflush notices
        with _book(db_url) as gb:
            gb.update_or_create_student(result.student)
            submission = gb.update_or_create_submission(
                result.assignment,
                result.student,
                timestamp=layout.timestamp(result.student, result.assignment),
            )
            notebook = next(nb for nb in submission.notebooks if nb.name == result.notebook)
            by_id = {g.name: g for g in notebook.grades}
            for cell in result.cells:
                grade = by_id.get(cell.grade_id)
                if grade is not None:
                    grade.auto_score = cell.points
                    grade.needs_manual_grade = cell.needs_review and grade.manual_score is None
            late = submission.total_seconds_late > 0
            if not late:  # what nbgrader's late-penalty step writes for a timely submission
                notebook.late_submission_penalty = None
            gb.db.commit()
        if not late:
            return None
        method = penalize(layout, result, db_url)
        with _book(db_url) as gb:
            submission = gb.find_submission(result.assignment, result.student)
            notebook = gb.find_submission_notebook(
                result.notebook, result.assignment, result.student
            )
            return LateResult(
                seconds_late=submission.total_seconds_late,
                penalty=notebook.late_submission_penalty or 0.0,
                method=method,
                due=submission.duedate,
                submitted=submission.timestamp,
            )


@contextmanager
def _book(db_url: str) -> Iterator[Gradebook]:
    """nbgrader's Gradebook for one transaction, kept between records of this process: its
    SQLAlchemy engine caches the compiled statements (most of a record's cost otherwise).
    Its connections are closed after each use, so nothing stays open between records."""
    gb = _BOOKS.get(db_url)
    if gb is None:
        gb = _BOOKS[db_url] = Gradebook(db_url)
    try:
        yield gb
    finally:
        gb.close()  # nbgrader's close: the session removed, the engine's pool disposed


_BOOKS: dict[str, Gradebook] = {}


def penalize(layout: CourseDir, result: SubmissionResult, db_url: str) -> str:
    """nbgrader's late-penalty step on one submitted notebook, configured as the course's
    ``nbgrader autograde`` would be (it reads the gradebook, not the notebook); returns the
    rule its plugin applied (``LateResult.method``)."""
    step = AssignLatePenalties(config=layout.nbgrader.config, log=QUIET)
    ids = {"notebook": result.notebook, "assignment": result.assignment}
    ids |= {"student": result.student, "db_url": db_url}
    step.preprocess(nbformat.v4.new_notebook(), {"nbgrader": ids})
    plugin = step.plugin_inst
    if type(plugin) is LateSubmissionPlugin:
        return str(plugin.penalty_method)
    return type(plugin).__name__


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
