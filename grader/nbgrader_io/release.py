"""Student versions through nbgrader's own generate step, and submissions in its layout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from grader.errors import GraderError


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader subprocesses: this Python's bin/ first (alembic)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader <args>`` in the course directory; a failure raises GraderError."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise GraderError(f"nbgrader {' '.join(args)} failed:\n{tail}")
    return proc


def release(course: Path, assignment: str) -> Path:
    """``nbgrader generate_assignment``: writes release/<assignment>/ and the gradebook."""
    if not (course / "source" / assignment).is_dir():
        raise GraderError(f"no source folder {course / 'source' / assignment}")
    nbgrader(course, "generate_assignment", assignment, "--force")
    return course / "release" / assignment


def submit(course: Path, student: str, assignment: str, notebook: Path) -> Path:
    """Copy a notebook to ``submitted/<student>/<assignment>/`` (what nbgrader collect does)."""
    target = course / "submitted" / student / assignment / notebook.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, target)
    return target
