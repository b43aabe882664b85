"""A course's nbgrader_config.py decides where gdgrade reads and writes and how long a cell
may run, as it does for nbgrader: directory names, db_url, groupshared, Execute.timeout."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from typer.testing import CliRunner

from grader.cli import app
from grader.nbgrader_io.course import CourseDir, cell_timeout, load_config

CONFIG = """c = get_config()
c.Execute.timeout = 1
c.CourseDirectory.submitted_directory = "inbox"
c.CourseDirectory.autograded_directory = "graded"
c.CourseDirectory.feedback_directory = "notes"
c.CourseDirectory.db_url = "sqlite:///{db}"
c.CourseDirectory.groupshared = True
"""
ANSWERS = {
    "ada": "def square(x):\n    return x * x",
    "sam": "import time\ntime.sleep(4)\n\ndef square(x):\n    return x * x",
}
STAMP = "2024-03-01 10:00:00.000000 UTC"


def _cell(source: str, grade_id: str, *, test: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    meta = {"grade_id": grade_id, "grade": test, "solution": not test, "locked": test}
    cell.metadata["nbgrader"] = {**meta, "schema_version": 3, **({"points": 1} if test else {})}
    return cell


def configured_course(root: Path) -> Path:
    """A released one-assignment course ("quad") laid out as CONFIG says."""
    db = root / "db" / "book.sqlite"
    db.parent.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG.format(db=db))
    for folder, answer in (
        (root / "source" / "quad", ANSWERS["ada"]),
        (root / "release" / "quad", "def square(x):\n    raise NotImplementedError"),
        *((root / "inbox" / s / "quad", a) for s, a in ANSWERS.items()),
    ):
        folder.mkdir(parents=True)
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            _cell(answer, "square", test=False),
            _cell("assert square(3) == 9", "t", test=True),
        ]
        nbformat.write(nb, folder / "quad.ipynb")
        (folder / "timestamp.txt").write_text(STAMP)
    with Gradebook(f"sqlite:///{db}") as gb:
        gb.add_assignment("quad")
        gb.add_notebook("quad", "quad")
        gb.add_grade_cell("t", "quad", "quad", max_score=1, cell_type="code")
    return root


def test_layout_and_timeout_come_from_the_config(tmp_path: Path) -> None:
    root = configured_course(tmp_path / "course")
    course = CourseDir(root)
    assert cell_timeout(root) == 1
    assert [(s.student, s.notebook.parent.parent.parent.name) for s in course.submissions()] == [
        ("ada", "inbox"),
        ("sam", "inbox"),
    ]
    assert course.nbgrader.db_url == f"sqlite:///{root / 'db' / 'book.sqlite'}"


def test_autograde_honours_the_course_config(tmp_path: Path) -> None:
    root = configured_course(tmp_path / "course")
    run = CliRunner().invoke(app, ["autograde", "--course", str(root), "--workers", "1"])
    assert run.exit_code == 0, run.output

    sam = json.loads((root / "results/sam/quad/gdgrade.json").read_text())
    assert "longer than 1 s" in json.dumps(sam), sam  # Execute.timeout, not gdgrade's 30 s
    for path, mode in {
        root / "graded/ada/quad/quad.ipynb": 0o664,  # groupshared: as nbgrader's 664
        root / "notes/ada/quad/quad.html": 0o664,
        root / "notes/ada/quad/timestamp.txt": 0o664,
    }.items():
        assert path.stat().st_mode & 0o777 == mode, path
    assert not [p.name for p in root.iterdir() if p.name in ("gradebook.db", "feedback")]

    config = load_config(root)
    config.CourseDirectory.root = str(root)
    got = {s["student"]: s for s in NbGraderAPI(config=config).get_submissions("quad")}
    assert {k: (s["autograded"], s["score"], s["timestamp"]) for k, s in got.items()} == {
        "ada": (True, 1.0, "2024-03-01T10:00:00"),
        "sam": (True, 0.0, "2024-03-01T10:00:00"),
    }
