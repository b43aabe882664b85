"""The student kit of every shipped assignment gives, on every shipped sample, the public
verdicts that ``gdgrade check`` gives.

Each kit is written, as ``gdgrade release`` writes it, into a copy of the assignment's
release folder of the session's released course (tests/course/conftest.py), and run as a
student runs it: ``python -m gdgrade_kit check NOTEBOOK`` in that folder, in a Python that
has NumPy and torch but not gdgrade (tests/grader/test_kit.py's student environment), two
students at a time. ``gdgrade check``'s verdicts come from the function it runs,
``public_checks``, in one warm sandbox.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.judging import registry
from grader.nbgrader_io import notebooks
from grader.outputs.kit import write_kit
from tests.grader.test_kit import kit_verdicts, student_python

from .conftest import ASSIGNMENTS, samples

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kits(gdgrade_course, tmp_path_factory) -> dict[str, Path]:
    """Assignment -> a student's copy of its release folder, with the kit in it."""
    course = gdgrade_course[0]
    root = tmp_path_factory.mktemp("student")
    found = {}
    for assignment in ASSIGNMENTS:
        folder = root / assignment
        shutil.copytree(course / "release" / assignment, folder)
        found[assignment] = write_kit(course, assignment, folder)
    return found


@pytest.fixture(scope="module")
def kit_results(kits) -> dict[Path, dict[str, str]]:
    """Notebook -> check id -> status, as the kit judges it (two students at a time)."""
    cases = samples()
    with ThreadPoolExecutor(2) as pool:
        found = pool.map(lambda case: kit_verdicts(kits[case[0]], case[2]), cases)
        return {notebook: verdicts for (_, _, notebook), verdicts in zip(cases, found, strict=True)}


@pytest.fixture(scope="module")
def self_check_verdicts() -> dict[Path, dict[str, str]]:
    """Notebook -> check id -> status, as ``gdgrade check`` judges it."""
    from grader.pipeline.selfcheck import public_checks
    from grader.sandbox.pool import Sandbox

    verdicts = {}
    with Sandbox(workers=1) as sandbox:
        for _, _, notebook in samples():
            _, results = public_checks(notebooks.read(notebook), sandbox)
            verdicts[notebook] = {cid: r.status for cid, r in results.items()}
    return verdicts


def test_the_kit_has_no_grader_in_it(kits) -> None:
    for kit in kits.values():
        proc = student_python(kit, "-c", "import grader")
        assert "ModuleNotFoundError" in proc.stderr


@pytest.mark.parametrize(
    ("assignment", "student"), [(a, s) for a, s, _ in samples()], ids=lambda v: v
)
def test_kit_verdicts_equal_gdgrade_check(assignment, student, kit_results, self_check_verdicts):
    (notebook,) = [nb for a, s, nb in samples() if (a, s) == (assignment, student)]
    grader = self_check_verdicts[notebook]
    public = {c.id for c in registry.checks_for(assignment) if not c.hidden}
    assert set(grader) == public  # every public check is judged ...
    assert set(grader.values()) <= {"passed", "failed", "error"}  # ... none skipped
    assert kit_results[notebook] == grader


def test_the_samples_reach_every_verdict(self_check_verdicts) -> None:
    seen = {status for verdicts in self_check_verdicts.values() for status in verdicts.values()}
    assert seen == {"passed", "failed", "error"}  # the comparison above is not all passes
