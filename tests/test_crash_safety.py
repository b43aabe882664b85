"""Killing autograde mid-batch loses and duplicates nothing; two runs at once don't corrupt
the gradebook; the same submission graded 20 times gets the same points (timing included)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from grader.nbgrader_io.release import release, submit
from grader.outputs import gradebook
from grader.outputs.report import load_results
from grader.paths import COURSE_SOURCE
from grader.pipeline.batch import autograde
from grader.pipeline.grade import grade_notebook
from grader.sandbox.pool import Sandbox

SAMPLES = sorted((COURSE_SOURCE / "samples" / "gd_basics").glob("*/gd_basics.ipynb"))
GDGRADE = str(Path(sys.executable).parent / "gdgrade")


def expected(nb: Path) -> float:
    first = nbformat.read(nb, as_version=4).cells[0].source
    return float(first.split("expected score: ")[1].split("/")[0])


@pytest.fixture(scope="module")
def slow_course(tmp_path_factory) -> tuple[Path, dict[str, float]]:
    """gd_basics with 10 students whose notebooks take about half a second each."""
    root = tmp_path_factory.mktemp("crash") / "course"
    root.mkdir()
    shutil.copy(COURSE_SOURCE / "nbgrader_config.py", root)
    shutil.copytree(COURSE_SOURCE / "source" / "gd_basics", root / "source" / "gd_basics")
    release(root, "gd_basics")
    want = {}
    for i in range(10):
        sample = SAMPLES[i % len(SAMPLES)]
        nb = nbformat.read(sample, as_version=4)
        nb.cells.insert(1, nbformat.v4.new_code_cell("import time\ntime.sleep(0.5)"))
        path = root / "tmp" / f"s{i}" / "gd_basics.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        submit(root, f"s{i}", "gd_basics", path)
        want[f"s{i}"] = expected(sample)
    return root, want


def _consistent(course: Path, want: dict[str, float]) -> None:
    results = {r.student: r.score for r in load_results(course)}
    assert results == want
    assert gradebook.scores(course, "gd_basics") == want


def test_sigkill_mid_batch_then_rerun_completes_without_loss(slow_course, tmp_path) -> None:
    course = tmp_path / "course"
    shutil.copytree(slow_course[0], course)
    proc = subprocess.Popen(
        [GDGRADE, "autograde", "gd_basics", "--course", str(course), "--workers", "1"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while len(list(course.glob("results/*/gd_basics/gdgrade.json"))) < 3:
        assert time.time() < deadline and proc.poll() is None, "grading did not start"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(course.glob("results/*/gd_basics/gdgrade.json")))
    assert 3 <= done < 10, "the kill should land mid-batch"
    autograde(course, ["gd_basics"], workers=1)
    _consistent(course, slow_course[1])


def test_two_autograde_processes_do_not_corrupt_the_gradebook(slow_course, tmp_path) -> None:
    course = tmp_path / "course"
    shutil.copytree(slow_course[0], course)
    cmd = [GDGRADE, "autograde", "gd_basics", "--course", str(course), "--workers", "1", "--force"]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read().decode()[-2000:]
    _consistent(course, slow_course[1])


def test_same_submission_graded_twenty_times_gets_the_same_points() -> None:
    source = next((COURSE_SOURCE / "source" / "gd_variants").glob("*.ipynb"))
    sample = COURSE_SOURCE / "samples" / "gd_variants" / "ada_correct" / "gd_variants.ipynb"
    seen = set()
    with Sandbox(workers=1) as sandbox:
        for _ in range(20):
            result, _ = grade_notebook(
                sample, source, student="ada", assignment="gd_variants", sandbox=sandbox
            )
            seen.add(tuple((c.grade_id, c.points) for c in result.cells))
    assert len(seen) == 1
    [points] = seen
    assert ("test_timing", 2.0) in points
