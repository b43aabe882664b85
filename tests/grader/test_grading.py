"""grade_notebook on plain nbgrader test cells; every entry point judges through run_checks."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.evidence import CheckResult
from grader.judging import registry
from grader.nbgrader_io.course import CourseDir, SubmittedNotebook
from grader.paths import COURSE_SOURCE
from grader.pipeline import batch, grade, selfcheck, single
from grader.pipeline.grade import grade_notebook
from grader.pipeline.session import NotebookSession
from grader.sandbox import pool
from tests.grader.conftest import write

SOURCE = COURSE_SOURCE / "source" / "gd_basics" / "gd_basics.ipynb"
SAMPLE = COURSE_SOURCE / "samples" / "gd_basics" / "ben_sign_error" / "gd_basics.ipynb"


def plain(answer: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_code_cell(answer), nbformat.v4.new_code_cell("assert x == 1")]
    meta = {"grade_id": "answer", "solution": True, "grade": False, "locked": False}
    cells[0].metadata["nbgrader"] = {**meta, "schema_version": 3}
    meta = {"grade_id": "test_x", "solution": False, "grade": True, "locked": True}
    cells[1].metadata["nbgrader"] = {**meta, "points": 2, "schema_version": 3}
    nb.cells = cells
    return nb


def test_plain_test_cells_pass_fail_or_say_they_never_ran(sandbox, tmp_path: Path) -> None:
    got = {}
    for name, answer in [("ok", "x = 1"), ("wrong", "x = 2"), ("crash", "import os\nos._exit(3)")]:
        path = write(plain(answer), tmp_path / f"{name}.ipynb")
        result, _ = grade_notebook(path, path, student="s", assignment="a", sandbox=sandbox)
        got[name] = result
    assert (got["ok"].score, got["ok"].cells[0].status) == (2, "passed")
    assert (got["wrong"].score, got["wrong"].cells[0].feedback) == (0, "AssertionError: ")
    crash = got["crash"]
    assert crash.score == 0 and crash.execution == "crashed"
    assert crash.cells[0].feedback == "This test cell did not run: the notebook stopped before it."
    assert all(r.sandbox == sandbox.describe_containment() for r in got.values())


class Borrowed:
    """The session's sandbox lent to an entry point that opens its own (it is not closed)."""

    def __init__(self, sandbox: pool.Sandbox) -> None:
        self._sandbox = sandbox

    def __getattr__(self, name: str) -> object:
        return getattr(self._sandbox, name)

    def __enter__(self) -> Borrowed:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def close(self) -> None:
        pass


def test_every_entry_point_judges_through_run_checks(sandbox, monkeypatch, tmp_path) -> None:
    """autograde's unit, ``gdgrade grade``, ``gdgrade check`` and the pytest session give the
    same CheckResult for the same check on the same notebook, each through one run_checks."""
    judged: list[dict[str, CheckResult]] = []
    real = grade.run_checks

    def spy(*args, **kwargs):
        record, results = real(*args, **kwargs)
        judged.append(results)
        return record, results

    monkeypatch.setattr(grade, "run_checks", spy)
    monkeypatch.setattr(pool, "Sandbox", lambda *a, **k: Borrowed(sandbox))

    def by_check(result) -> dict[str, CheckResult]:
        return {c.check_id: c for cell in result.cells for c in cell.checks}

    sub = SubmittedNotebook("ben", "gd_basics", SAMPLE, SOURCE)
    autograded = by_check(batch.grade_one(CourseDir(tmp_path / "course"), sub, sandbox))
    graded = by_check(single.grade_single(SAMPLE, "gd_basics", out=tmp_path))
    assert selfcheck.run_public_checks(SAMPLE) == 1  # the sign error fails a public check
    public = judged[-1]
    with NotebookSession.open(SAMPLE, "gd_basics") as session:
        from_session = {cid: session.check(cid) for cid in autograded}
    assert len(judged) == 4
    assert set(public) == {cid for cid in autograded if not registry.get(cid).hidden}
    assert autograded == graded == from_session == judged[-1]
    assert {cid: autograded[cid] for cid in public} == public
    assert public["gd_basics.update_rule"].status == "failed"
