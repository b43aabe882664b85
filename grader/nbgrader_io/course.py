"""nbgrader's course layout: where sources, submissions and gdgrade's outputs live."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SubmittedNotebook:
    """One student's notebook for one assignment, with its trusted source notebook."""

    student: str
    assignment: str
    notebook: Path
    source: Path


@dataclass(frozen=True)
class CourseDir:
    """Paths inside an nbgrader course directory."""

    root: Path

    def source(self, assignment: str) -> Path:
        """The instructor's source folder of an assignment."""
        return self.root / "source" / assignment

    def assignments(self) -> list[str]:
        """Assignments that have a source folder, sorted."""
        folder = self.root / "source"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def submissions(self, assignments: list[str] | None = None) -> list[SubmittedNotebook]:
        """Every submitted notebook that has a source notebook of the same name."""
        found: list[SubmittedNotebook] = []
        root = self.root / "submitted"
        wanted = assignments or self.assignments()
        for student in sorted(p for p in root.glob("*") if p.is_dir()) if root.is_dir() else []:
            for assignment in wanted:
                for source in sorted(self.source(assignment).glob("*.ipynb")):
                    nb = student / assignment / source.name
                    found.append(SubmittedNotebook(student.name, assignment, nb, source))
        return [s for s in found if s.notebook.parent.is_dir()]

    def out(self, kind: str, sub: SubmittedNotebook, name: str) -> Path:
        """``<root>/<kind>/<student>/<assignment>/<name>``."""
        return self.root / kind / sub.student / sub.assignment / name


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data: object) -> None:
    """Pretty JSON, atomically."""
    write_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n")
