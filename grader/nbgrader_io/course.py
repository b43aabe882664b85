"""nbgrader's course layout: where sources, submissions and gdgrade's outputs live.

The course's ``nbgrader_config.py`` is read with traitlets' loader, as nbgrader reads it when
run from the course root (Jupyter's config folders first, the course root last, so the
course wins), and nbgrader's own ``CourseDirectory`` places every folder: directory names,
``directory_structure``, ``db_url`` and ``groupshared`` apply as they do to nbgrader.
``results/`` (LMS files and gdgrade.json) is gdgrade's own and sits under the root.
"""

from __future__ import annotations

import datetime
import glob
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config, PyFileConfigLoader

if TYPE_CHECKING:
    from nbgrader.coursedir import CourseDirectory

CONFIG_NAME = "nbgrader_config.py"
DEFAULT_MODE = 0o644
"""Mode of gdgrade's files (nbgrader's for the files a user edits: generate_feedback's)."""
READ_ONLY_MODE = 0o444
"""Mode of nbgrader's other outputs (an autograded notebook)."""
SHARED_MODE = 0o664
"""Every output's mode when ``CourseDirectory.groupshared`` is on (as nbgrader)."""


def course_of(path: str | Path) -> Path | None:
    """The nbgrader course ``path`` lies in: the nearest folder at or above it that holds
    ``nbgrader_config.py``, or None."""
    path = Path(path).resolve()
    for folder in [path, *path.parents]:
        if (folder / "nbgrader_config.py").is_file():
            return folder
    return None


def load_config(root: Path) -> Config:
    """The nbgrader configuration that applies to a course rooted at ``root``."""
    config = Config()
    for folder in [*reversed(jupyter_config_path()), str(root)]:
        if (Path(folder) / CONFIG_NAME).is_file():
            config.merge(PyFileConfigLoader(CONFIG_NAME, path=folder).load_config())
    return config


def cell_timeout(root: Path) -> float | None:
    """``Execute.timeout`` of the course's config in seconds; None when it is not set or
    is not a positive number (nbclient's "no limit")."""
    value = load_config(root).Execute.get("timeout")
    return float(value) if isinstance(value, int | float) and value > 0 else None


@dataclass(frozen=True)
class SubmittedNotebook:
    """One student's notebook for one assignment, with its trusted source notebook."""

    student: str
    assignment: str
    notebook: Path
    source: Path


@dataclass(frozen=True)
class CourseDir:
    """Paths inside an nbgrader course directory, as its nbgrader config places them."""

    root: Path

    @cached_property
    def nbgrader(self) -> CourseDirectory:
        """nbgrader's own ``CourseDirectory`` for this course, with its config."""
        from nbgrader.coursedir import CourseDirectory  # imports nbgrader: seconds

        return CourseDirectory(config=load_config(self.root), root=str(self.root.resolve()))

    def folder(self, step: str, student: str, assignment: str) -> Path:
        """nbgrader's folder of one step (``"submitted"``, ``"feedback"`` ...: the configured
        ``<step>_directory``, or gdgrade's own folder of that name) for a student."""
        nb = self.nbgrader
        path = Path(nb.format_path(getattr(nb, f"{step}_directory", step), student, assignment))
        # under the root as given (relative stays relative: regrade keys name files so)
        return self.root / path.relative_to(nb.root) if path.is_relative_to(nb.root) else path

    def source(self, assignment: str) -> Path:
        """The instructor's source folder of an assignment."""
        return self.folder("source", ".", assignment)

    def assignments(self) -> list[str]:
        """Assignments that have a source folder, sorted."""
        found = glob.glob(str(self.source("*")))
        return sorted(Path(p).name for p in found if Path(p).is_dir())

    def students(self, assignment: str) -> list[str]:
        """Students with a submitted folder for an assignment, sorted (as nbgrader finds
        them: its folder pattern, student id matched by its regular expression)."""
        nb = self.nbgrader
        pattern = nb.format_path(nb.submitted_directory, "(?P<student_id>[^/]+)", assignment, True)
        found = glob.glob(nb.format_path(nb.submitted_directory, "*", assignment))
        matches = [re.fullmatch(pattern, f) for f in found if Path(f).is_dir()]
        return sorted(m.group("student_id") for m in matches if m)

    def submissions(self, assignments: list[str] | None = None) -> list[SubmittedNotebook]:
        """Every submitted notebook that has a source notebook of the same name, by student,
        then assignment in the order given."""
        found: list[SubmittedNotebook] = []
        wanted = assignments or self.assignments()
        for assignment in wanted:
            sources = sorted(self.source(assignment).glob("*.ipynb"))
            for student in self.students(assignment):
                folder = self.folder("submitted", student, assignment)
                found += [
                    SubmittedNotebook(student, assignment, folder / s.name, s) for s in sources
                ]
        return sorted(found, key=lambda s: (s.student, wanted.index(s.assignment)))

    def out(self, kind: str, sub: SubmittedNotebook, name: str) -> Path:
        """``<kind folder>/<student>/<assignment>/<name>`` (see ``folder``)."""
        return self.folder(kind, sub.student, sub.assignment) / name

    def timestamp(self, student: str, assignment: str) -> datetime.datetime | None:
        """The submission's ``timestamp.txt`` in UTC, parsed by nbgrader; None when there is
        none or it cannot be read."""
        folder = self.nbgrader.format_path(self.nbgrader.submitted_directory, student, assignment)
        try:
            return self.nbgrader.get_existing_timestamp(folder)
        except (ValueError, OverflowError, AttributeError):  # nbgrader's own `fail`
            return None

    def mode(self, kind: str) -> int:
        """nbgrader's file mode for an output of ``kind``: read-only autograded notebooks,
        user-writable feedback, group-writable everything when ``groupshared``."""
        if self.nbgrader.groupshared:
            return SHARED_MODE
        return READ_ONLY_MODE if kind == "autograded" else DEFAULT_MODE


def write_atomic(path: Path, text: str, mode: int = DEFAULT_MODE) -> None:
    """Write a file so that readers see the old or the new content, never a part; it gets
    ``mode`` (nbgrader's 0644 by default, not mkstemp's 0600).

    Not synced to the disk, as nbgrader writes its own: an fsync cost 3-12 ms a file here,
    seven files a submission. After a power loss a file may be cut short; a ``gdgrade.json``
    that does not read back has its submission graded again (``regrade.stored``), and
    ``--force`` rewrites every output."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def write_json(path: Path, data: object, mode: int = DEFAULT_MODE) -> None:
    """Pretty JSON, atomically."""
    write_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n", mode)
