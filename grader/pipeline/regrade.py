"""The regrade key: a hash of everything that decides a grade, and why a submission is graded.

A stored result (``results/.../gdgrade.json``) is reused only while its key matches today's:
the submission, its source and released notebooks, the checks (the shipped course module,
``<course>/checks/<assignment>.py`` or ``checks/<assignment>/``, the course's shared check
helpers, entry-point check modules), the misconception library and gdgrade's version. The
first part that differs names the reason a submission is graded again.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, entry_points, version
from pathlib import Path

from grader.nbgrader_io.course import CourseDir, SubmittedNotebook
from grader.outputs.results import SubmissionResult

PACKAGE = Path(__file__).resolve().parent.parent
"""The installed ``grader`` package."""

REASONS = {
    "submission": "submission changed",
    "source": "source changed",
    "checks": "checks changed",
    "misconceptions": "misconceptions changed",
    "version": "version changed",
}
"""The parts of the key, in the order they are compared, and the reason each one gives."""

NEW = "new"
FORCED = "forced"
UNCHANGED = "unchanged"
"""``grade_reason`` of a stored result that a run reused without grading."""


def digest(files: Iterable[Path], root: Path | None = None) -> str:
    """sha256 over the names and bytes of the files that exist (a file added or removed
    changes it too)."""
    h = hashlib.sha256()
    for path in sorted(set(files)):
        if path.is_file():
            name = path.relative_to(root) if root and path.is_relative_to(root) else path.name
            h.update(f"{name}\0".encode())
            h.update(path.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def _entry_point_files(group: str) -> list[Path]:
    """Source files of the modules named by an entry-point group (not imported here)."""
    found = []
    for ep in entry_points(group=group):
        try:
            spec = importlib.util.find_spec(ep.value.split(":")[0])
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            found.append(Path(spec.origin))
    return found


def check_files(course: CourseDir, assignment: str) -> list[Path]:
    """The files an assignment's checks come from."""
    own = course.root / "checks"
    others = set(course.assignments()) - {assignment}
    shared = [p for p in own.glob("*.py") if p.stem not in others]  # its file and helpers
    return [
        PACKAGE / "course" / f"{assignment}.py",
        *shared,
        *(own / assignment).rglob("*.py"),
        *_entry_point_files("gdgrade.checks"),
    ]


def misconception_files() -> list[Path]:
    """The misconception library: the shipped families and entry-point modules."""
    return [
        *(PACKAGE / "judging" / "misconceptions").glob("*.py"),
        *_entry_point_files("gdgrade.misconceptions"),
    ]


def gdgrade_version() -> str:
    """The installed distribution's version ("unknown" when running from a bare tree)."""
    try:
        return version("gdgrade")
    except PackageNotFoundError:
        return "unknown"


def shared(course: CourseDir, assignment: str) -> dict[str, str]:
    """The parts of the key every submission of an assignment shares (checks, misconceptions,
    version): a batch hashes them once per run."""
    return {
        "checks": digest(check_files(course, assignment), course.root),
        "misconceptions": digest(misconception_files(), PACKAGE),
        "version": gdgrade_version(),
    }


def key(
    course: CourseDir, sub: SubmittedNotebook, common: dict[str, str] | None = None
) -> dict[str, str]:
    """The regrade key of one submission: one hash (or the version) per part of ``REASONS``;
    ``common``: its assignment's ``shared`` parts, when already hashed."""
    released = course.folder("release", ".", sub.assignment) / sub.source.name
    return {
        "submission": digest([sub.notebook]),
        "source": digest([sub.source, released], course.root),
        **(common or shared(course, sub.assignment)),
    }


def stored(course: CourseDir, sub: SubmittedNotebook) -> SubmissionResult | None:
    """The saved result of a submission, if there is a readable one."""
    path = course.out("results", sub, "gdgrade.json")
    if not path.is_file():
        return None
    try:
        return SubmissionResult.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def reason(old: SubmissionResult | None, new: dict[str, str]) -> str:
    """Why a submission needs grading ("new", "checks changed", ...); "" when it does not.

    A part the old result did not record was graded by an older gdgrade: "version changed".
    """
    if old is None:
        return NEW
    for part, why in REASONS.items():
        if part not in old.inputs:
            return REASONS["version"]
        if old.inputs[part] != new[part]:
            return why
    return ""


def reusable(
    course: CourseDir, sub: SubmittedNotebook, common: dict[str, str] | None = None
) -> SubmissionResult | None:
    """The stored result, marked ``unchanged``, when its key is today's; else None."""
    old = stored(course, sub)
    if old is None or not sub.notebook.is_file() or reason(old, key(course, sub, common)):
        return None
    return old.model_copy(update={"grade_reason": UNCHANGED})


def why(
    course: CourseDir, sub: SubmittedNotebook, common: dict[str, str] | None = None
) -> tuple[dict[str, str], str]:
    """Today's key and the reason to grade now (``forced`` when nothing changed)."""
    new = key(course, sub, common)
    return new, reason(stored(course, sub), new) or FORCED


def stamp(result: SubmissionResult, inputs: dict[str, str], because: str) -> SubmissionResult:
    """The result with the key it was graded under and the reason it was graded."""
    return result.model_copy(update={"inputs": inputs, "grade_reason": because})
