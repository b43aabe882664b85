"""Progress of gdgrade autograde (the time left, the closing throughput line) and the quick
mode of benchmarks/scaling.py."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.nbgrader_io.release import nbgrader_env, release, submit
from grader.paths import COURSE_SOURCE, REPO_ROOT
from grader.pipeline.progress import ClassProgress, duration, eta

GDGRADE = str(Path(sys.executable).parent / "gdgrade")
SAMPLES = sorted((COURSE_SOURCE / "samples" / "gd_basics").glob("*/gd_basics.ipynb"))


def test_time_left_comes_from_the_rate_since_the_first_result() -> None:
    assert eta(1, 10, first=100.0, now=100.0) is None  # no rate from one result
    # 4 more results in 2 s after the first: 0.5 s each, 5 left
    assert eta(5, 10, first=100.0, now=102.0) == pytest.approx(2.5)
    assert eta(10, 10, first=100.0, now=104.0) == 0
    assert duration(8.24) == "8.2 s" and duration(185) == "3 min 05 s"


def test_plain_output_has_a_line_per_tenth_with_the_time_left_and_a_closing_line() -> None:
    out = io.StringIO()
    with ClassProgress(out, live=False) as bar:
        bar.planned(20)
        for _ in range(20):
            bar.advance()
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [f"graded {k}/20" for k in range(2, 21, 2)]
    assert all(re.search(r"per second, about [\d.]+ s left$", line) for line in lines[:-1])
    assert lines[-1].startswith("graded 20/20 (100%), ") and "left" not in lines[-1]
    closing = bar.throughput(reused=3)
    assert re.fullmatch(
        r"graded 20 submissions in [\d.]+ s \(first result after [\d.]+ s\): [\d.]+ per second, "
        r"[\d.]+ per second after the first; 3 unchanged, not regraded",
        closing,
    ), closing


def test_the_closing_line_counts_from_the_commands_start_when_given() -> None:
    import time

    out = io.StringIO()
    with ClassProgress(out, live=False, since=time.monotonic() - 7.0) as bar:
        bar.planned(2)  # the command's start-up (7 s ago) still counts
        bar.advance()
        bar.advance()
    closing = bar.throughput()
    assert re.match(r"graded 2 submissions in 7\.\d s \(first result after 7\.\d s\)", closing)


def test_a_small_class_still_gets_a_line_per_submission() -> None:
    out = io.StringIO()
    with ClassProgress(out, live=False) as bar:
        bar.planned(3)
        for _ in range(3):
            bar.advance()
    assert [line.split(" (")[0] for line in out.getvalue().splitlines()] == [
        "graded 1/3",
        "graded 2/3",
        "graded 3/3",
    ]


def test_the_live_bar_on_a_terminal_writes_no_plain_lines() -> None:
    out = io.StringIO()
    with ClassProgress(out, live=True) as bar:
        bar.planned(4)
        for _ in range(4):
            bar.advance()
    assert "graded 1/4 (25%)" not in out.getvalue()
    assert bar.throughput().startswith("graded 4 submissions in ")


def test_autograde_prints_progress_and_throughput(tmp_path: Path) -> None:
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(COURSE_SOURCE / "nbgrader_config.py", root)
    shutil.copytree(COURSE_SOURCE / "source" / "gd_basics", root / "source" / "gd_basics")
    release(root, "gd_basics")
    for i, sample in enumerate(SAMPLES[:2]):
        submit(root, f"s{i}", "gd_basics", sample)
    cmd = [GDGRADE, "autograde", "gd_basics", "--course", str(root)]  # stdout not a terminal
    first = subprocess.run(cmd, capture_output=True, text=True, env=nbgrader_env())
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("graded 1/2 (50%)")
    assert lines[1].startswith("graded 2/2 (100%), ") and "per second" in lines[1]
    assert re.match(r"graded 2 submissions in [\d.]+ s \(first result after", lines[-1])


def test_scaling_benchmark_quick_mode() -> None:
    proc = subprocess.run(
        [sys.executable, "benchmarks/scaling.py", "--sizes", "2", "3", "--nbgrader-n", "0"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=nbgrader_env(),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    rows = [line.split() for line in out.splitlines() if re.match(r"\s+\d+\s+[\d.]+\s", line)]
    assert [row[0] for row in rows] == ["2", "3"]
    assert all(len(row) == 10 and float(row[4]) > 100 for row in rows)  # peak MiB of the tree
    assert re.search(r"a forked worker ready in [\d.]+ s", out)
    assert re.search(r"linear: s/sub\* at N = 3 / at N = 2 = [\d.]+; memory: peak", out)
