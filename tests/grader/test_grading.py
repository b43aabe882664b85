"""grade_notebook on plain nbgrader test cells (no gdgrade checks)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.pipeline.grade import grade_notebook
from tests.grader.conftest import write


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
