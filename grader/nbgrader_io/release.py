"""Student versions through nbgrader's own generate step, and submissions in its layout.

A release also carries the course notes its notebooks cite: a cell that names a file in
backticks (`` `05-assessment-and-day4-plan.md` ``) found in the course's ``notes/`` folder
gets that file copied beside the student notebook, so the citation names a file students
have.

Also the checks a command runs before it touches a course (they read, never write): is this
an nbgrader course, does it have the assignment, has the assignment been released.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from grader.errors import CourseError, GraderError
from grader.nbgrader_io.course import CourseDir

GRADEBOOK = "gradebook.db"
"""nbgrader's default gradebook file in the course root."""
NOTES = "notes"
"""The course's folder of teaching notes, beside ``source/``."""
CITED = re.compile(r"`([^`\s/]+\.md)`")
"""A notes file cited in a notebook: its name in backticks."""


def check_course(root: Path) -> Path:
    """``root`` when it is an nbgrader course (``nbgrader_config.py`` or ``source/``)."""
    name = "the current directory" if str(root) == "." else f"course directory {root}"
    if not root.exists():
        raise CourseError(f"{name} does not exist")
    if not root.is_dir():
        raise CourseError(f"{name} is not a directory")
    if not (root / "nbgrader_config.py").is_file() and not (root / "source").is_dir():
        raise CourseError(
            f"{name} is not an nbgrader course (no nbgrader_config.py, no source/): "
            "pass --course DIR"
        )
    return root


def check_assignments(root: Path, names: list[str] | None = None) -> list[str]:
    """The named assignments (default: every one in ``source/``); each must have a folder."""
    folder = CourseDir(root).source("*").parent
    known = CourseDir(root).assignments()
    for name in names or []:
        if name not in known:
            raise CourseError(
                f"no assignment {name!r} in {folder} (there: {', '.join(known) or 'none'})"
            )
    return list(names) if names else known


def gradebook_notebooks(root: Path) -> dict[str, set[str]]:
    """Assignment -> its notebooks in the course's nbgrader gradebook (its configured
    ``db_url``), read without writing."""
    db_url = CourseDir(root).nbgrader.db_url
    if not db_url.startswith("sqlite:///"):
        from nbgrader.api import Gradebook

        with Gradebook(db_url) as gb:  # another database: nbgrader's own reader
            return {a.name: {nb.name for nb in a.notebooks} for a in gb.assignments}
    path = Path(db_url.removeprefix("sqlite:///"))
    if not path.is_file():
        return {}
    query = "SELECT a.name, n.name FROM assignment a LEFT JOIN notebook n ON n.assignment_id = a.id"
    try:
        rows = _read(path, query, "ro")
    except sqlite3.OperationalError:
        # a writer killed mid-commit left a hot journal, which only a writable
        # connection may roll back (as the next writer would); mode=rw never creates
        try:
            rows = _read(path, query, "rw")
        except sqlite3.Error as exc:
            raise CourseError(f"cannot read the gradebook {path}: {exc}") from exc
    except sqlite3.Error as exc:
        raise CourseError(f"cannot read the gradebook {path}: {exc}") from exc
    found: dict[str, set[str]] = {}
    for assignment, notebook in rows:
        found.setdefault(assignment, set()).update([notebook] if notebook else [])
    return found


def _read(path: Path, query: str, mode: str) -> list[tuple]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True)) as db:
        return db.execute(query).fetchall()


def check_released(root: Path, assignments: list[str]) -> None:
    """Every assignment with submissions is in the gradebook with each of its notebooks."""
    course = CourseDir(root)
    book: dict[str, set[str]] | None = None
    for name in assignments:
        if not course.students(name):
            continue
        book = gradebook_notebooks(root) if book is None else book
        run = f"`gdgrade release {shlex.quote(name)} --course {shlex.quote(str(root))}`"
        if name not in book:
            raise CourseError(f"assignment {name!r} is not released yet: run {run} first")
        notebooks = sorted({nb.stem for nb in course.source(name).glob("*.ipynb")})
        missing = [nb for nb in notebooks if nb not in book[name]]
        if missing:
            raise CourseError(
                f"assignment {name!r} changed since its release (notebook {missing[0]!r} is "
                f"not in the gradebook): run {run} again"
            )


def nothing_to_grade(root: Path, assignments: list[str]) -> str | None:
    """One line saying what to do when no assignment has a submission (None when one has);
    a CourseError naming the release to run when one of them is not released yet."""
    course = CourseDir(root)
    if any(course.students(name) for name in assignments):
        return None
    if not assignments:
        return f"nothing to grade: no assignment in {course.source('*').parent} yet"
    book = gradebook_notebooks(root)
    name = assignments[0] if len(assignments) == 1 else "<assignment>"
    where = course.folder("submitted", "<student>", name)
    where = where.relative_to(root) if where.is_relative_to(root) else where
    for unreleased in (a for a in assignments if a not in book):
        run = f"`gdgrade release {shlex.quote(unreleased)} --course {shlex.quote(str(root))}`"
        raise CourseError(
            f"assignment {unreleased!r} is not released yet and nothing is submitted: run "
            f"{run}, then collect the students' notebooks into {where}/"
        )
    return f"nothing to grade: no submissions in {where}/ yet (nbgrader collect puts them there)"


def check_ready(root: Path, assignments: list[str] | None = None) -> list[str]:
    """Check a course before grading it; returns the assignments to grade."""
    check_course(root)
    names = check_assignments(root, assignments)
    check_released(root, names)
    return names


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader subprocesses: this Python's bin/ first (alembic)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader <args>`` in the course directory; a failure raises GraderError."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        lines = [ln.strip() for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        errors = [ln for ln in lines if "ERROR" in ln or "Error" in ln]
        detail = (errors or lines or [f"exit status {proc.returncode}"])[-1]
        raise GraderError(f"nbgrader {' '.join(args)} failed: {detail}")
    return proc


def release(course: Path, assignment: str) -> Path:
    """``nbgrader generate_assignment``: writes the release folder of the assignment (the
    course's ``release_directory``, ``release/<assignment>/`` by default) and the gradebook;
    returns that folder."""
    check_course(course)
    check_assignments(course, [assignment])
    nbgrader(course, "generate_assignment", assignment, "--force")
    folder = CourseDir(course).folder("release", ".", assignment)
    for name in cited_notes(course, assignment):
        if (course / NOTES / name).is_file():
            shutil.copyfile(course / NOTES / name, folder / name)
    return folder


def cited_notes(course: Path, assignment: str) -> list[str]:
    """Names of the notes files the assignment's source notebooks cite, in order."""
    import nbformat

    names: list[str] = []
    for path in sorted(CourseDir(course).source(assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            names += [n for n in CITED.findall(cell.source) if n not in names]
    return names


def missing_notes(course: Path, assignment: str) -> list[str]:
    """Cited notes files that the course's ``notes/`` folder does not have."""
    return [n for n in cited_notes(course, assignment) if not (course / NOTES / n).is_file()]


def submit(course: Path, student: str, assignment: str, notebook: Path) -> Path:
    """Copy a notebook to ``submitted/<student>/<assignment>/`` with what nbgrader's exchange
    puts beside it (what ``nbgrader submit`` then ``collect`` leave there): ``timestamp.txt``
    (now, in its default format) and a ``submission_secret.txt``, kept when already there
    (which ``release_feedback`` needs to name the student's feedback file)."""
    target = CourseDir(course).folder("submitted", student, assignment) / notebook.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, target)
    from nbgrader.exchange.abc import Exchange

    stamp = Exchange().timestamp_format
    (target.parent / "timestamp.txt").write_text(datetime.now(UTC).strftime(stamp))
    secret = target.parent / "submission_secret.txt"
    if not secret.is_file():
        secret.write_text(secrets.token_hex(64))
    return target
