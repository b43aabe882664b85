"""``autograded/<student>/<assignment>/`` as nbgrader's own autograde leaves it: the same files
(timestamp, secret, the student's data files, the source's supporting files over them, but
``exclude_overwriting``), the same modes and bytes; a notebook whose cells carry numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.tests import run_nbgrader

from grader.pipeline.batch import autograde

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "quad-course"
c.Autograde.exclude_overwriting = {"quad": ["kept.txt"]}
"""
STUDENT_FILES = {
    "timestamp.txt": "2024-03-01 10:00:00.000000 UTC",
    "submission_secret.txt": "ab" * 64,
    "data/points.csv": "x,y\n1,2\n",
    "helper.py": "STUDENT = True\n",  # the source's helper.py replaces it
    "kept.txt": "student's\n",  # excluded from overwriting: the student's stays
    ".ipynb_checkpoints/quad-checkpoint.ipynb": "{}",  # CourseDirectory.ignore
    "__pycache__/helper.cpython-311.pyc": "",
}
SOURCE_FILES = {"helper.py": "STUDENT = False\n", "kept.txt": "source's\n"}


def _cell(source: str, grade_id: str, *, test: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    meta = {"grade_id": grade_id, "grade": test, "solution": not test, "locked": test}
    cell.metadata["nbgrader"] = {**meta, "schema_version": 3, **({"points": 1} if test else {})}
    return cell


def _course(root: Path) -> Path:
    """A course released by nbgrader, with ada's submission and files beside it."""
    source = root / "source" / "quad"
    source.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(CONFIG)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell(
            "### BEGIN SOLUTION\ndef square(x):\n    return x * x\n### END SOLUTION",
            "a",
            test=False,
        ),
        nbformat.v4.new_code_cell("   "),  # blank: no number, in Jupyter as here
        _cell("assert square(3) == 9", "t", test=True),
    ]
    nbformat.write(nb, source / "quad.ipynb")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        run_nbgrader(["generate_assignment", "quad"])
    submitted = root / "submitted" / "ada" / "quad"
    submitted.mkdir(parents=True)
    mine = nbformat.read(root / "release/quad/quad.ipynb", as_version=4)
    mine.cells[0].source = "def square(x):\n    return x * x"
    nbformat.write(mine, submitted / "quad.ipynb")
    for folder, files in ((submitted, STUDENT_FILES), (source, SOURCE_FILES)):
        for name, text in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
    return root


def _tree(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Each file under ``folder``: its mode and bytes (a notebook's bytes left out)."""
    return {
        p.relative_to(folder).as_posix(): (
            p.stat().st_mode & 0o777,
            None if p.suffix == ".ipynb" else p.read_bytes(),
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_autograded_folder_as_nbgrader_autograde_writes_it(tmp_path: Path) -> None:
    ours = _course(tmp_path / "ours")
    theirs = shutil.copytree(ours, tmp_path / "theirs")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(theirs)
        run_nbgrader(["autograde", "quad", "--force"])
    [result] = autograde(ours, workers=1)
    assert result.score == 1

    got, want = _tree(ours / "autograded/ada/quad"), _tree(theirs / "autograded/ada/quad")
    assert got == want
    assert {"timestamp.txt", "submission_secret.txt", "data/points.csv"} <= set(got)
    executed = nbformat.read(ours / "autograded/ada/quad/quad.ipynb", as_version=4)
    nbgrader_run = nbformat.read(theirs / "autograded/ada/quad/quad.ipynb", as_version=4)
    counts = [c.execution_count for c in executed.cells]
    assert counts == [c.execution_count for c in nbgrader_run.cells] == [1, None, 2]


def test_a_link_in_the_submission_is_not_followed(tmp_path: Path) -> None:
    root = _course(tmp_path / "course")
    secret = tmp_path / "gradebook-copy.txt"
    secret.write_text("other students' grades")
    (root / "submitted/ada/quad/notes.txt").symlink_to(secret)
    autograde(root, workers=1)
    folder = root / "autograded/ada/quad"
    assert (folder / "timestamp.txt").is_file() and not (folder / "notes.txt").exists()
