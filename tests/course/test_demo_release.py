"""The demo releases as ``gdgrade release`` does: every release folder of the session's demo
course (``build_course``, tests/course/conftest.py) carries the student kit, and a student
handed ``release/gd_basics/`` can self-check with it alone."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.outputs.kit import CHECKER, DATA, MODULE, public_entries
from grader.paths import COURSE_SOURCE

from .conftest import ASSIGNMENTS

pytestmark = pytest.mark.slow


def test_every_demo_release_folder_has_the_kit(gdgrade_course) -> None:
    course = gdgrade_course[0]
    for assignment in ASSIGNMENTS:
        folder = course / "release" / assignment
        assert (folder / MODULE).read_text() == CHECKER.read_text()
        data = json.loads((folder / DATA).read_text())
        sources = sorted((course / "source" / assignment).glob("*.ipynb"))
        assert data["assignment"] == assignment
        entries = {nb.stem: public_entries(nb) for nb in sources}
        assert data["notebooks"] == json.loads(json.dumps(entries))
        assert any(data["notebooks"].values()), f"{assignment} has no public check in its kit"


@pytest.mark.parametrize(("student", "code"), [("ada_correct", 0), ("ben_sign_error", 1)])
def test_a_student_self_checks_from_the_demo_release(gdgrade_course, student, code) -> None:
    folder = gdgrade_course[0] / "release" / "gd_basics"
    sample = COURSE_SOURCE / "samples" / "gd_basics" / student / "gd_basics.ipynb"
    proc = subprocess.run(
        [sys.executable, "-m", "gdgrade_kit", "check", str(sample)],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "✓" in proc.stdout
    assert ("✗" in proc.stdout) == bool(code)
