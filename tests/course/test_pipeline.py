"""Class-scale autograding on the released demo course: artefacts, formats, re-runs, Dask,
the pytest plugin and the CI command."""

from __future__ import annotations

import base64
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.outputs import gradebook
from grader.outputs.report import write_report
from grader.pipeline.batch import autograde

from .conftest import ASSIGNMENTS

SAMPLE = Path("assignments/samples/gd_basics/dev_momentum_zero_buffer/gd_basics.ipynb").resolve()


def _results(course: Path, student: str, assignment: str) -> dict:
    return json.loads((course / "results" / student / assignment / "results.json").read_text())


def test_every_submission_has_all_artefacts(gdgrade_course) -> None:
    course, results = gdgrade_course
    assert len(results) == len({(r.student, r.assignment) for r in results}) >= 30
    for r in results:
        for kind, name in (
            ("results", "results.json"),
            ("results", "classroom.json"),
            ("results", "gdgrade.json"),
            ("feedback", f"{r.notebook}.html"),
            ("feedback", "timestamp.txt"),
        ):
            assert (course / kind / r.student / r.assignment / name).is_file()
        if r.execution != "invalid":
            assert (course / "autograded" / r.student / r.assignment).is_dir()
    rows = list(csv.DictReader((course / "grades.csv").open()))
    assert len(rows) == len(results)
    for a in ASSIGNMENTS:
        stored = gradebook.scores(course, a)
        assert stored == {r.student: r.score for r in results if r.assignment == a}


def test_gradescope_results_format(gdgrade_course) -> None:
    course, results = gdgrade_course
    for r in results:
        data = _results(course, r.student, r.assignment)
        assert isinstance(data["score"], float) and data["score"] == r.score
        assert isinstance(data["execution_time"], float)
        for t in data["tests"]:
            assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
            assert t["status"] in ("passed", "failed")
            assert t["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
            assert isinstance(t["score"], float) and isinstance(t["max_score"], float)
        assert sum(t["score"] for t in data["tests"]) == pytest.approx(r.score)


def test_github_classroom_format(gdgrade_course) -> None:
    course, results = gdgrade_course
    for r in results:
        path = course / "results" / r.student / r.assignment / "classroom.json"
        data = json.loads(path.read_text())
        assert data["version"] == 3 and data["status"] in ("pass", "fail", "error")
        assert data["max_score"] == r.max_score
        for t in data["tests"]:
            assert t["status"] in ("pass", "fail", "error")
            assert isinstance(t["name"], str) and isinstance(t["score"], float)


def test_feedback_shows_diagnosis_and_plot_but_no_hidden_test_source(gdgrade_course) -> None:
    course, _ = gdgrade_course
    html = (course / "feedback/dev_momentum_zero_buffer/gd_basics/gd_basics.html").read_text()
    assert "14" in html and "17" in html
    assert "Likely mistake" in html and "momentum buffer starts at zero" in html
    assert "data:image/png;base64," in html
    for secret in ("BEGIN HIDDEN TESTS", 'check("', "globals()"):
        assert secret not in html


def test_feedback_renders_in_headless_chromium(gdgrade_course, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: `make install` installs it"
    course, _ = gdgrade_course
    page = course / "feedback/dev_momentum_zero_buffer/gd_basics/gd_basics.html"
    shot = tmp_path / "feedback.png"
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.stat().st_size > 20_000
    assert "Uncaught" not in proc.stderr and "Failed to load resource" not in proc.stderr


def test_rerun_skips_unchanged_and_regrades_changed(fresh_copy: Path) -> None:
    course = fresh_copy
    stamp = course / "results/ada_correct/gd_basics/gdgrade.json"
    before = stamp.stat().st_mtime_ns
    again = autograde(course, ["gd_basics"], workers=1)
    assert stamp.stat().st_mtime_ns == before
    target = course / "submitted/ada_correct/gd_basics/gd_basics.ipynb"
    shutil.copyfile(SAMPLE, target)
    changed = autograde(course, ["gd_basics"], workers=1)
    assert stamp.stat().st_mtime_ns != before
    new = {r.student: r.score for r in changed}
    assert new["ada_correct"] == 14 and {r.student: r.score for r in again}["ada_correct"] == 17
    assert gradebook.scores(course, "gd_basics")["ada_correct"] == 14


def test_class_report_has_plots_and_misconceptions(fresh_copy: Path) -> None:
    html = write_report(fresh_copy).read_text()
    assert html.count("data:image/png;base64,") >= 3
    assert "no zero_grad" in html or "gradients accumulate" in html
    assert "Slowest submissions" in html


def test_dask_executor_matches_local(fresh_copy: Path) -> None:
    from dask.distributed import LocalCluster

    course = fresh_copy
    local = {
        (r.student, r.assignment): (r.score, [c.points for c in r.cells])
        for r in autograde(course, ["gd_basics"], workers=1)
    }
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = autograde(
            course, ["gd_basics"], executor="dask", scheduler=cluster.scheduler_address, force=True
        )
    assert {
        (r.student, r.assignment): (r.score, [c.points for c in r.cells]) for r in remote
    } == local


def test_pytest_plugin_grades_with_the_same_judges(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--submission",
            str(SAMPLE),
            "assignments/gd_basics/checks/",
            "--gradescope-json",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stdout[-2000:]
    data = json.loads(out.read_text())
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["test_momentum"]["score"] == 0 and by_name["test_update_rule"]["score"] == 1
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) - 3


def test_ci_template_command_reports_points(tmp_path: Path) -> None:
    workflow = Path("ci-templates/github-classroom.yml").read_text()
    line = next(x for x in workflow.splitlines() if "gdgrade grade" in x).split("run:")[1]
    gh = tmp_path / "github_output"
    cmd = line.strip().replace('"$NOTEBOOK"', str(SAMPLE)).replace('"$ASSIGNMENT"', "gd_basics")
    cmd = cmd.replace('"$GITHUB_OUTPUT"', str(gh)).replace("--out grading", f"--out {tmp_path}")
    exe = str(Path(sys.executable).parent / "gdgrade")
    subprocess.run(cmd.replace("gdgrade", exe, 1), shell=True, check=True)
    payload = gh.read_text().strip().removeprefix("result=")
    data = json.loads(base64.b64decode(payload))
    assert data["version"] == 3 and data["max_score"] == 17
    assert sum(t["score"] for t in data["tests"]) == 14
