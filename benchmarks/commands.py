"""Whole commands, timed as a user meets them: each grader is a process of its own.

``gdgrade autograde`` and ``gdgrade grade`` run as the ``gdgrade`` console script beside this
Python (``.venv/bin/gdgrade``), exactly as ``nbgrader autograde`` runs as ``python -m
nbgrader``: interpreter start, imports, configuration, grading and every file written are
inside the wall time of both. The benchmarks state ratios only between such timings; an
in-process run (``split.py``) is printed as a breakdown, never as a ratio.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from nbgrader.api import Gradebook

from grader.errors import GraderError
from grader.nbgrader_io.release import nbgrader, nbgrader_env

BIN = Path(sys.executable).parent
GDGRADE = str(BIN / "gdgrade")
"""The console script, as a user runs it."""


def timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    """Run a command to its end; its wall time. A failure raises with its last lines."""
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=cwd, env=env or nbgrader_env(), capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise GraderError(f"{' '.join(cmd[:3])} ... exited {proc.returncode}: {tail}")
    return wall


def median_of(repeats: int, run: Callable[[], float]) -> tuple[float, list[float]]:
    """The median wall time of ``repeats`` runs, and all of them."""
    walls = [run() for _ in range(repeats)]
    return statistics.median(walls), walls


def nbgrader_autograde(root: Path, assignment: str) -> tuple[float, dict[str, float]]:
    """``nbgrader autograde --force``: its wall time and each student's points from its
    gradebook."""
    start = time.perf_counter()
    nbgrader(root, "autograde", assignment, "--force")
    wall = time.perf_counter() - start
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        subs = gb.find_assignment(assignment).submissions
        return wall, {s.student.id: float(s.score) for s in subs}


def gdgrade_autograde(
    root: Path, assignment: str, workers: int = 2
) -> tuple[float, dict[str, float]]:
    """``gdgrade autograde ASSIGNMENT --course ROOT --force``: its wall time and each
    student's points (from the grades.csv it writes)."""
    cmd = [GDGRADE, "autograde", assignment, "--course", str(root), "--force"]
    wall = timed([*cmd, "--workers", str(workers)], cwd=root)
    with (root / "grades.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["assignment"] == assignment]
    return wall, {r["student"]: float(r["score"]) for r in rows}


def gdgrade_grade(notebook: Path, assignment: str, out: Path) -> tuple[float, float]:
    """``gdgrade grade NOTEBOOK --assignment A --out OUT``: wall time and the score."""
    out.mkdir(parents=True, exist_ok=True)
    wall = timed([GDGRADE, "grade", str(notebook), "--assignment", assignment, "--out", str(out)])
    return wall, float(json.loads((out / "results.json").read_text())["score"])


def gradescope_layout(assignment: str, where: Path) -> Path:
    """Gradescope's /autograder for ``assignment``, at ``where``: the bundle that ``gdgrade
    gradescope`` writes, unpacked into ``source/`` and set up as its setup.sh would (this
    Python's venv stands in for the one setup.sh installs)."""
    zip_path = where / "autograder.zip"
    where.mkdir(parents=True, exist_ok=True)
    timed([GDGRADE, "gradescope", assignment, "--out", str(zip_path)])
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(where / "source")
    for name in ("run_autograder", "setup.sh"):
        os.chmod(where / "source" / name, 0o755)
    timed([sys.executable, "-m", "compileall", "-q", str(where / "source" / "app")])  # setup.sh's
    (where / "submission").mkdir(exist_ok=True)
    (where / "results").mkdir(exist_ok=True)
    return where


def run_autograder(root: Path, notebook: Path) -> tuple[float, float]:
    """Gradescope's run of one submission: ``notebook`` into ``root/submission``, then
    ``source/run_autograder`` as a process; wall time and the score of results.json."""
    for old in (root / "submission").iterdir():
        old.unlink()
    shutil.copy(notebook, root / "submission" / notebook.name)
    (root / "results" / "results.json").unlink(missing_ok=True)
    env = nbgrader_env() | {"GDGRADE_AUTOGRADER_ROOT": str(root), "GDGRADE_PYTHON": sys.executable}
    wall = timed(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env)
    return wall, float(json.loads((root / "results" / "results.json").read_text())["score"])
