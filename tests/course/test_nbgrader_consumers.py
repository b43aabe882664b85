"""gdgrade's gradebook and feedback as nbgrader's own consumers read them: ``NbGraderAPI``
(formgrader's backend), its late-penalty step and CSV export, its exchange
(``release_feedback``, ``fetch_feedback``), its file modes, and formgrader's submissions page
served by a real Jupyter server and rendered in headless Chromium.

Every test reads the session's graded course (or a copy of it): none grades anew.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.tests import run_nbgrader
from nbgrader.utils import notebook_hash, parse_utc

from grader.nbgrader_io.course import CourseDir, load_config
from grader.outputs import gradebook
from grader.paths import COURSE_SOURCE
from grader.pipeline.batch import autograde
from grader.pipeline.grade import plan

from .conftest import ASSIGNMENTS

A = "gd_basics"
SERVER_START_S = 90
"""How long a Jupyter server may take to answer (a loaded 2-core machine: tens of seconds)."""


def api(course: Path) -> NbGraderAPI:
    """nbgrader's API on a course, configured as formgrader run in the course root is."""
    config = load_config(course)
    config.CourseDirectory.root = str(course.resolve())
    return NbGraderAPI(config=config)


def stamp(course: Path, student: str, assignment: str) -> str | None:
    """The submission's timestamp.txt as nbgrader reports it (UTC, ISO format), if any."""
    path = course / "submitted" / student / assignment / "timestamp.txt"
    return parse_utc(path.read_text()).isoformat() if path.is_file() else None


def test_nbgrader_api_sees_every_gdgrade_grade(gdgrade_course) -> None:
    course, results = gdgrade_course
    nb = api(course)
    for a in ASSIGNMENTS:
        got = {s["student"]: s for s in nb.get_submissions(a)}
        mine = [r for r in results if r.assignment == a]
        assert set(got) == {r.student for r in mine}
        for r in mine:
            s = got[r.student]
            seen = (s["autograded"], s["score"], s["needs_manual_grade"], s["timestamp"])
            want = (True, pytest.approx(r.score), r.to_review > 0, stamp(course, r.student, a))
            assert seen == want, (a, r.student)


def test_late_penalty_and_on_time_as_nbgrader_computes_them(fresh_copy: Path) -> None:
    course = fresh_copy
    folder = course / "submitted"
    (folder / "ada_correct" / A / "timestamp.txt").write_text("2020-01-01 09:00:00.000000 UTC")
    (folder / "ben_sign_error" / A / "timestamp.txt").write_text("2020-01-01 12:00:00.000000 UTC")
    with Gradebook(gradebook.url(course)) as gb:
        gb.update_or_create_assignment(A, duedate="2020-01-01 10:00:00 UTC")
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write('c.LateSubmissionPlugin.penalty_method = "zero"\n')

    results = {r.student: r for r in autograde(course, [A], workers=1)}  # nothing to regrade
    assert {r.grade_reason for r in results.values()} == {"unchanged"}

    ada = api(course).get_submission(A, "ada_correct")
    assert (ada["autograded"], ada["timestamp"]) == (True, "2020-01-01T09:00:00")
    ben_score = results["ben_sign_error"].score
    assert ben_score > 0
    with Gradebook(gradebook.url(course)) as gb:
        assert gb.find_submission(A, "ada_correct").total_seconds_late == 0
        assert gb.find_submission(A, "ben_sign_error").total_seconds_late == 2 * 3600
        assert gb.find_submission_notebook(A, A, "ada_correct").late_submission_penalty is None
        late = gb.find_submission_notebook(A, A, "ben_sign_error")
        assert late.late_submission_penalty == pytest.approx(ben_score)

    out = course / "grades_export.csv"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(course)
        run_nbgrader(["export", f"--to={out}"])
    rows = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(out.open())}
    ben = rows[(A, "ben_sign_error")]
    assert float(ben["raw_score"]) == pytest.approx(ben_score)
    assert float(ben["late_submission_penalty"]) == pytest.approx(ben_score)
    assert float(ben["score"]) == 0
    assert float(rows[(A, "ada_correct")]["score"]) == results["ada_correct"].score


def resubmitted(course: Path, tmp_path: Path, mp: pytest.MonkeyPatch) -> tuple[list[str], Path]:
    """Through a real exchange in ``tmp_path``: release, then ada fetches, works and submits
    the notebook she had submitted already; collect, then gdgrade autograde (the unchanged
    notebook is not regraded: its new timestamp and secret are carried). Returns the
    exchange options and the student's home."""
    course_id = load_config(course).CourseDirectory.course_id
    exchange, home = tmp_path / "exchange", tmp_path / "student"
    exchange.mkdir()
    home.mkdir()
    ex = [f"--Exchange.root={exchange}", f"--Exchange.cache={tmp_path / 'cache'}"]
    ex.append(f"--course={course_id}")
    mp.chdir(course)
    run_nbgrader(["release_assignment", A, *ex])
    mp.chdir(home)
    run_nbgrader(["fetch_assignment", A, *ex])
    sample = COURSE_SOURCE / "samples" / A / "ada_correct" / f"{A}.ipynb"
    shutil.copyfile(sample, home / A / f"{A}.ipynb")
    run_nbgrader(["submit", A, "--student=ada_correct", *ex])
    mp.chdir(course)
    run_nbgrader(["collect", A, "--update", *ex])
    autograde(course, [A], workers=1)
    return ex, home


def test_feedback_released_and_fetched_by_nbgrader(fresh_copy: Path, tmp_path: Path) -> None:
    course = fresh_copy
    course_id = load_config(course).CourseDirectory.course_id
    exchange = tmp_path / "exchange"
    with pytest.MonkeyPatch.context() as mp:
        ex, home = resubmitted(course, tmp_path, mp)
        run_nbgrader(["release_feedback", A, *ex])
        mp.chdir(home)
        run_nbgrader(["fetch_feedback", A, "--student=ada_correct", *ex])

    students = CourseDir(course).students(A)
    released = sorted(p.name for p in (exchange / course_id / "feedback").glob("*.html"))
    secrets = [
        (course / "feedback" / s / A / "submission_secret.txt").read_text() for s in students
    ]
    assert released == sorted(f"{notebook_hash(secret=x, notebook_id=A)}.html" for x in secrets)
    [fetched] = (home / A / "feedback").glob(f"*/{A}.html")
    assert (
        fetched.parent.name == (course / "submitted/ada_correct" / A / "timestamp.txt").read_text()
    )
    assert fetched.read_text() == (course / "feedback/ada_correct" / A / f"{A}.html").read_text()


PROMPT = re.compile(r"In(?:&nbsp;|\xa0)\[(\d+|&nbsp;|\xa0)\]:")
"""An input prompt of nbgrader's feedback page (nbconvert's classic template, its ``&nbsp;``
written as U+00A0): In [n]:, or In [ ]: for a cell with no number."""


def test_nbgrader_generates_and_releases_feedback_after_gdgrade(
    fresh_copy: Path, tmp_path: Path
) -> None:
    course = fresh_copy
    students = CourseDir(course).students(A)
    with pytest.MonkeyPatch.context() as mp:
        ex, home = resubmitted(course, tmp_path, mp)
        for s in students:  # as gdgrade wrote them (ada's carried from her resubmission)
            for name in ("timestamp.txt", "submission_secret.txt"):
                got = course / "autograded" / s / A / name
                assert got.read_text() == (course / "submitted" / s / A / name).read_text()
        run_nbgrader(["generate_feedback", A, "--force"])
        run_nbgrader(["release_feedback", A, *ex])
        mp.chdir(home)
        run_nbgrader(["fetch_feedback", A, "--student=ada_correct", *ex])

    [fetched] = (home / A / "feedback").glob(f"*/{A}.html")
    assert (
        fetched.parent.name == (course / "submitted/ada_correct" / A / "timestamp.txt").read_text()
    )
    page = fetched.read_text()
    assert page == (course / "feedback/ada_correct" / A / f"{A}.html").read_text()
    executed = nbformat.read(course / "autograded/ada_correct" / A / f"{A}.ipynb", as_version=4)
    code = [i for i, c in enumerate(executed.cells) if c.cell_type == "code"]
    shown = [int(n) if n.isdigit() else None for n in PROMPT.findall(page)]
    assert shown == [executed.cells[i].execution_count for i in code]  # a prompt per code cell
    _, ran, _ = plan(executed)  # the cells run as code (a check cell is judged instead)
    numbered = [i for i, n in zip(code, shown, strict=True) if n is not None]
    assert numbered == [i for i in ran if executed.cells[i].source.strip()]
    assert [n for n in shown if n] == list(range(1, len(numbered) + 1))  # In [1], In [2] ...


def test_files_have_nbgrader_modes(gdgrade_course) -> None:
    course, results = gdgrade_course
    layout = CourseDir(course).nbgrader
    autograded = int(str(Autograde(coursedir=layout).permissions), 8)
    feedback = int(str(GenerateFeedback(coursedir=layout).permissions), 8)
    assert (autograded, feedback) == (0o444, 0o644)  # nbgrader's own defaults
    for r in results:
        where = (r.student, r.assignment)
        modes = {
            course / "feedback" / r.student / r.assignment / f"{r.notebook}.html": feedback,
            course / "feedback" / r.student / r.assignment / "timestamp.txt": feedback,
            course / "results" / r.student / r.assignment / "gdgrade.json": 0o644,
        }
        if r.execution != "invalid":
            modes[course / "autograded" / r.student / r.assignment / f"{r.notebook}.ipynb"] = (
                autograded
            )
            modes[course / "autograded" / r.student / r.assignment / "timestamp.txt"] = autograded
        for path, mode in modes.items():
            assert path.stat().st_mode & 0o777 == mode, (where, path.name, oct(mode))


SERVER_ARGS = (
    "--allow-root",
    "--ServerApp.ip=127.0.0.1",
    "--ServerApp.port_retries=0",
    "--no-browser",
    "--IdentityProvider.token=",  # bound to 127.0.0.1, for this test only
    "--ServerApp.password=",
    "--ServerApp.jpserver_extensions",  # formgrader only (JUPYTER_NO_CONFIG: no others)
    "nbgrader.server_extensions.formgrader=True",
)
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=15000",  # the page's scripts fetch and draw the table
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen) -> None:
    """Until ``url`` answers 200; fails with the server's log if it exits or never does."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    server.terminate()
    pytest.fail(f"Jupyter server did not answer {url}:\n{server.communicate()[0][-3000:]}")


ROW = re.compile(
    r'class="text-center student-id" data-order="(?P<student>[^"]+)".*?'
    r'class="text-center status"[^>]*><span[^>]*>(?P<status>[^<]+)</span>.*?'
    r'class="text-center score"[^>]*>(?P<score>[^<]*)</td>',
    re.S,
)


def test_formgrader_page_shows_gdgrade_scores(gdgrade_course, fresh_copy, tmp_path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: `make install` installs it"
    course, results = fresh_copy, gdgrade_course[1]
    port = free_port()
    env = dict(os.environ, JUPYTER_NO_CONFIG="1", JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", *SERVER_ARGS, f"--ServerApp.port={port}"],
        cwd=course,  # formgrader reads nbgrader_config.py here, as an instructor starts it
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/formgrader"
    profile = tmp_path / "profile"

    def page(assignment: str) -> str:
        return f"{base}/manage_submissions/{assignment}"

    try:
        wait_for(f"{base}/api/submissions/{A}", server)
        for a in ASSIGNMENTS:
            proc = subprocess.run(
                [chromium, *CHROMIUM_ARGS, f"--user-data-dir={profile}", "--dump-dom", page(a)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr[-2000:]
            shown = {m["student"]: (m["status"], m["score"]) for m in ROW.finditer(proc.stdout)}
            want = {
                r.student: (
                    "needs manual grading" if r.to_review else "graded",
                    f"{round(r.score, 2):g} / {round(r.max_score, 2):g}",
                )
                for r in results
                if r.assignment == a
            }
            assert shown == want, a
    finally:
        server.terminate()
        server.communicate(timeout=30)
