"""Errors as policy: every user error is one line and a non-zero exit, never a traceback,
and creates nothing on disk. Each case runs the real console script in a subprocess."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.paths import COURSE_SOURCE

GDGRADE = str(Path(sys.executable).parent / "gdgrade")
SAMPLE = COURSE_SOURCE / "samples" / "gd_basics" / "ada_correct" / "gd_basics.ipynb"
DEAD_PORT = "tcp://127.0.0.1:1"
"""A scheduler address nothing listens on."""


@dataclass(frozen=True)
class Case:
    """One wrong invocation: what to run, what the error line says, how it exits.

    ``args`` may name ``{course}`` (gd_basics with ada's submission, not released),
    ``{released}`` (the same, in the gradebook), ``{missing}`` (a path that is not there),
    ``{full}`` (a folder with someone's files in it) and ``{sample}`` (a real notebook).
    ``by`` is who prints the error: ``gdgrade`` (its one ``gdgrade: error:`` line) or
    ``click`` (click's ``Error:`` line after the usage).
    """

    args: tuple[str, ...]
    says: tuple[str, ...]
    by: str = "gdgrade"
    code: int = 2
    env: dict[str, str] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "autograde, no such course": Case(
        ("autograde", "--course", "{missing}"), ("{missing}", "does not exist")
    ),
    "report, no such course": Case(
        ("report", "--course", "{missing}"), ("{missing}", "does not exist")
    ),
    "autograde outside a course": Case(
        ("autograde",), ("current directory", "not an nbgrader course", "--course")
    ),
    "autograde, no such assignment": Case(
        ("autograde", "nosuch", "--course", "{course}"), ("no assignment 'nosuch'", "gd_basics")
    ),
    "autograde before release": Case(
        ("autograde", "--course", "{course}"),
        ("'gd_basics' is not released yet", "run `gdgrade release gd_basics --course"),
    ),
    "autograde, bad executor": Case(
        ("autograde", "--course", "{course}", "--executor", "bogus"),
        ("--executor", "'bogus'", "local", "dask"),
        by="click",
    ),
    "autograde, no workers": Case(
        ("autograde", "--course", "{course}", "--workers", "0"), ("--workers", "1"), by="click"
    ),
    "autograde, scheduler without dask": Case(
        ("autograde", "--course", "{released}", "--scheduler", DEAD_PORT),
        ("--scheduler needs --executor dask",),
    ),
    "autograde, Dask scheduler unreachable": Case(
        ("autograde", "--course", "{released}", "--executor", "dask", "--scheduler", DEAD_PORT),
        # distributed names the connect timeout it used: gdgrade's 5 s, not its own 30 s
        (f"cannot reach the Dask scheduler at {DEAD_PORT}", "after 5 s"),
        code=1,
    ),
    "release, no such assignment": Case(
        ("release", "nosuch", "--course", "{course}"), ("no assignment 'nosuch'", "gd_basics")
    ),
    "grade, no such assignment": Case(
        ("grade", "{sample}", "--assignment", "nosuch"),
        ("no assignment 'nosuch'", "gd_basics", "--source"),
    ),
    "check, no such notebook": Case(
        ("check", "{missing}"), ("{missing}", "does not exist"), by="click"
    ),
    "coverage, bad format": Case(
        ("coverage", "--format", "bogus"), ("--format", "'bogus'", "md"), by="click"
    ),
    "coverage, no such course": Case(
        ("coverage", "--course", "{missing}"), ("{missing}", "does not exist")
    ),
    "demo over someone's folder": Case(
        ("demo", "--workdir", "{full}"), ("{full}", "not a demo course", "--workdir")
    ),
    "quiz export, no students file": Case(
        ("quiz", "export", "gd_basics", "--format", "gift", "--students", "missing.csv"),
        ("--students", "missing.csv", "does not exist"),
        by="click",
    ),
    "quiz render, bad format": Case(
        ("quiz", "render", "gd_basics", "-s", "ana", "--format", "pdf"),
        ("--format must be one of", "'pdf'"),
    ),
    "quiz key, no such quiz": Case(
        ("quiz", "key", "nosuch", "-s", "ana"), ("no quiz file or id 'nosuch'",), code=1
    ),
    "quiz key, missing dependency": Case(
        ("quiz", "key", "gd_basics", "-s", "ana"),
        ("missing dependency 'yaml'",),
        code=1,
        env={"PYTHONPATH": "{nodeps}", "PYTHONDONTWRITEBYTECODE": "1"},
    ),
}


def _course(root: Path, *, released: bool) -> Path:
    """gd_basics with ada's correct notebook submitted; ``released`` puts it in a gradebook."""
    shutil.copy(COURSE_SOURCE / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(COURSE_SOURCE / "source" / "gd_basics", root / "source" / "gd_basics")
    submitted = root / "submitted" / "ada" / "gd_basics"
    submitted.mkdir(parents=True)
    shutil.copy(SAMPLE, submitted / SAMPLE.name)
    if released:  # the two tables of nbgrader's gradebook the release check reads
        with closing(sqlite3.connect(root / "gradebook.db")) as db, db:
            db.execute("CREATE TABLE assignment (id TEXT, name TEXT)")
            db.execute("CREATE TABLE notebook (id TEXT, name TEXT, assignment_id TEXT)")
            db.execute("INSERT INTO assignment VALUES ('a1', 'gd_basics')")
            db.execute("INSERT INTO notebook VALUES ('n1', 'gd_basics', 'a1')")
    return root


def _tree(root: Path) -> dict[str, float | None]:
    """Every path under ``root`` with its modification time (None for folders)."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.stat().st_mtime_ns
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_user_error_is_one_line(case: Case, tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (tmp_path / "course").mkdir()
    (tmp_path / "released").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "thesis.tex").write_text("mine\n")
    nodeps = tmp_path / "nodeps" / "yaml"
    nodeps.mkdir(parents=True)
    (nodeps / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'yaml'\", name='yaml')\n"
    )
    names = {
        "course": str(_course(tmp_path / "course", released=False)),
        "released": str(_course(tmp_path / "released", released=True)),
        "missing": str(tmp_path / "nonexistent" / "thing"),
        "full": str(tmp_path / "full"),
        "sample": str(SAMPLE),
        "nodeps": str(tmp_path / "nodeps"),
    }
    args = [a.format(**names) for a in case.args]
    env = {**os.environ, **{k: v.format(**names) for k, v in case.env.items()}}
    before = _tree(tmp_path)

    start = time.monotonic()
    proc = subprocess.run([GDGRADE, *args], cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - start

    output = proc.stdout + proc.stderr
    assert proc.returncode == case.code, output
    assert "Traceback" not in output, output
    lines = proc.stderr.strip().splitlines()
    if case.by == "gdgrade":
        assert len(lines) == 1 and lines[0].startswith("gdgrade: error: "), output
        line = lines[0]
        assert proc.stdout == "", output
    else:
        errors = [ln for ln in lines if ln.startswith("Error: ")]
        assert len(errors) == 1 and len(lines) <= 4, output
        line = errors[0]
    for fragment in case.says:
        assert fragment.format(**names) in line, line
    assert _tree(tmp_path) == before, "the failed command changed the disk"
    # fails fast: distributed reports the 5 s connect timeout, not its own 30 s default
    # (wall time is not asserted: imports alone take 10-25 s on a loaded 2-core machine)
    assert "after 30 s" not in line and seconds < 120, (seconds, line)
