"""One released course per session, graded once by nbgrader and once by gdgrade.

Every sample submission and, as student "instructor", every source notebook is submitted.
Tests in this folder share these two course directories; `make test` runs them in one
process so each is built once.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.nbgrader_io.release import nbgrader, submit
from grader.paths import COURSE_SOURCE
from grader.pipeline.demo import build_course

ASSIGNMENTS = sorted(p.name for p in (COURSE_SOURCE / "source").iterdir() if p.is_dir())
EXPECTED = re.compile(r"expected score: ([\d.]+)/([\d.]+)")


def samples() -> list[tuple[str, str, Path]]:
    """(assignment, student, notebook) for every shipped sample."""
    return [
        (a, nb.parent.name, nb)
        for a in ASSIGNMENTS
        for nb in sorted((COURSE_SOURCE / "samples" / a).glob("*/*.ipynb"))
    ]


def expected_score(notebook: Path) -> tuple[float, float]:
    """The score a sample states in its first cell."""
    first = nbformat.read(notebook, as_version=4).cells[0].source
    match = EXPECTED.search(first)
    assert match, f"{notebook} does not state its expected score"
    return float(match.group(1)), float(match.group(2))


def _course(root: Path) -> Path:
    course = build_course(root)
    for a in ASSIGNMENTS:
        for nb in (COURSE_SOURCE / "source" / a).glob("*.ipynb"):
            submit(course, "instructor", a, nb)
    return course


@pytest.fixture(scope="session")
def nbgrader_course(tmp_path_factory) -> Path:
    course = _course(tmp_path_factory.mktemp("nbgrader") / "course")
    for a in ASSIGNMENTS:
        nbgrader(course, "autograde", a, "--force")
    return course


@pytest.fixture(scope="session")
def gdgrade_course(tmp_path_factory) -> tuple[Path, list]:
    from grader.pipeline.batch import autograde

    course = _course(tmp_path_factory.mktemp("gdgrade") / "course")
    return course, autograde(course, workers=2)


@pytest.fixture
def fresh_copy(tmp_path, gdgrade_course) -> Path:
    """A throw-away copy of the graded gdgrade course."""
    target = tmp_path / "course"
    shutil.copytree(gdgrade_course[0], target)
    return target
