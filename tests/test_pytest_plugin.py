"""The pytest plugin in real pytest runs (subprocesses): inert without --submission,
results right under pytest-xdist, --assignment instead of the notebook's file name, and
checks/ folders that cover every point of every assignment."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.judging import registry
from grader.nbgrader_io import notebooks
from grader.paths import COURSE_SOURCE, REPO_ROOT
from grader.pipeline.grade import plan

ASSIGNMENTS = sorted(p.name for p in (COURSE_SOURCE / "source").iterdir() if p.is_dir())


def pytest_run(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m pytest`` in a fresh process, outside this run's xdist and options."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def renamed(sample: Path, folder: Path) -> Path:
    """A copy of a sample under a name that is not its assignment's."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(sample, folder / "my homework (final).ipynb"))


def stated(sample: Path) -> float:
    """The score a sample states in its first cell."""
    first = nbformat.read(sample, as_version=4).cells[0].source
    return float(first.split("expected score: ")[1].split("/")[0])


def test_inert_without_submission(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    (tmp_path / "test_other.py").write_text(
        "import pytest\n\n\n"
        "def test_wants_a_fixture(submission):\n    pass\n\n\n"
        "@pytest.mark.points(2)\ndef test_marked():\n    pass\n"
    )
    proc = pytest_run("-q", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert "fixture 'submission' not found" in proc.stdout
    assert "1 passed, 1 error" in proc.stdout  # the points marker is still registered
    proc = pytest_run("-q", "--gradescope-json", str(tmp_path / "out.json"), cwd=tmp_path)
    assert proc.returncode == 4 and "need --submission" in proc.stderr
    assert not (tmp_path / "out.json").exists()


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    sample = COURSE_SOURCE / "samples" / "gd_basics" / "ada_correct" / "gd_basics.ipynb"
    proc = pytest_run("--submission", str(sample), "--assignment", "gd_basic", cwd=tmp_path)
    assert proc.returncode == 4 and "--assignment gd_basic: no checks (known:" in proc.stderr
    proc = pytest_run("--submission", str(tmp_path / "missing.ipynb"), cwd=tmp_path)
    assert proc.returncode == 4 and "no such notebook" in proc.stderr


def test_results_under_xdist(tmp_path: Path) -> None:
    sample = (
        COURSE_SOURCE / "samples" / "gd_basics" / "dev_momentum_zero_buffer" / "gd_basics.ipynb"
    )
    out = tmp_path / "results.json"
    proc = pytest_run(
        *("-n", "2", "--submission", str(renamed(sample, tmp_path)), "--assignment", "gd_basics"),
        *("assignments/gd_basics/checks/", "--gradescope-json", str(out)),
    )
    assert proc.returncode == 1, proc.stdout[-3000:]
    data = json.loads(out.read_text())
    by_name = {t["name"].removeprefix("test_"): t for t in data["tests"]}
    checks = {c.id.split(".", 1)[1]: c for c in registry.checks_for("gd_basics")}
    assert set(by_name) == set(checks) and len(data["tests"]) == len(checks)
    assert data["score"] == stated(sample) == 14
    momentum = by_name["momentum"]
    assert (momentum["score"], momentum["max_score"], momentum["status"]) == (0, 3, "failed")
    first = momentum["output"].splitlines()[0]
    assert first == f"[failed] {checks['momentum'].name}: 0/3", momentum["output"]
    for name, test in by_name.items():
        assert test["visibility"] == ("hidden" if checks[name].hidden else "visible")
        assert test["output_format"] == "text"
        assert "Submission(" not in test["output"] and "PosixPath" not in test["output"]


def asked(path: Path) -> dict[str, tuple[float, list[str]]]:
    """Each test of a checks/ file: its points marker and the check ids it asks for."""
    tests = {}
    for fn in ast.parse(path.read_text()).body:
        if isinstance(fn, ast.FunctionDef) and fn.name.startswith("test_"):
            marks = [d for d in fn.decorator_list if "points" in ast.unparse(d)]
            points = float(ast.literal_eval(marks[0].args[0])) if marks else 1.0  # type: ignore[attr-defined]
            ids = [
                node.args[0].value
                for node in ast.walk(fn)
                if isinstance(node, ast.Call)
                and ast.unparse(node.func) == "submission.check"
                and isinstance(node.args[0], ast.Constant)
            ]
            tests[fn.name] = (points, ids)
    return tests


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_checks_cover_every_grade_cell(assignment: str) -> None:
    source = next((COURSE_SOURCE / "source" / assignment).glob("*.ipynb"))
    _, _, cells = plan(notebooks.read(source))
    tests = {}
    for path in (COURSE_SOURCE / assignment / "checks").glob("test_*.py"):
        tests.update(asked(path))
    by_cell = sorted((c.points, list(c.check_ids)) for c in cells)
    assert sorted(tests.values()) == by_cell
    assert sum(p for p, _ in tests.values()) == sum(c.points for c in cells)


def test_correct_notebook_under_another_name_scores_every_point(tmp_path: Path) -> None:
    sample = COURSE_SOURCE / "samples" / "gd_basics" / "ada_correct" / "gd_basics.ipynb"
    out = tmp_path / "results.json"
    proc = pytest_run(
        *("-q", "--submission", str(renamed(sample, tmp_path)), "--assignment", "gd_basics"),
        *("assignments/gd_basics/checks/", "--gradescope-json", str(out)),
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    data = json.loads(out.read_text())
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) == stated(sample) == 17
