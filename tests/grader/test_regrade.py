"""The regrade key: a change to anything that decides a grade regrades, nothing else does."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from grader.nbgrader_io.course import CourseDir
from grader.outputs import gradebook
from grader.outputs.results import SubmissionResult
from grader.outputs.summary import print_summary, run_line
from grader.pipeline import regrade
from grader.pipeline.batch import autograde


def _cell(source: str, grade_id: str, *, test: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    meta = {"grade_id": grade_id, "grade": test, "solution": not test, "locked": test}
    cell.metadata["nbgrader"] = {**meta, "schema_version": 3, **({"points": 1} if test else {})}
    return cell


def _notebook(answer: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell(answer, "square", test=False),
        _cell("assert square(3) == 9", "test_square", test=True),
    ]
    return nb


def tiny_course(root: Path, students: dict[str, str]) -> CourseDir:
    """A released one-assignment course ("quad") with one submission per student."""
    (root / "nbgrader_config.py").parent.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    for folder, answer in (
        (root / "source" / "quad", "def square(x):\n    return x * x"),
        (root / "release" / "quad", "def square(x):\n    raise NotImplementedError"),
        *((root / "submitted" / s / "quad", a) for s, a in students.items()),
    ):
        folder.mkdir(parents=True)
        nbformat.write(_notebook(answer), folder / "quad.ipynb")
    (root / "checks").mkdir()
    (root / "checks" / "quad.py").write_text("# the course's checks for quad\n")
    with Gradebook(gradebook.url(root)) as gb:
        gb.add_assignment("quad")
        gb.add_notebook("quad", "quad")
        gb.add_grade_cell("test_square", "quad", "quad", max_score=1, cell_type="code")
    return CourseDir(root)


def test_key_changes_with_each_part_and_only_with_it(tmp_path: Path):
    course = tiny_course(tmp_path, {"ada": "def square(x):\n    return x * x"})
    (sub,) = course.submissions()
    (tmp_path / "source" / "other").mkdir()
    first = regrade.key(course, sub)
    assert set(first) == set(regrade.REASONS)
    old = SubmissionResult(
        student="ada", assignment="quad", notebook="quad", score=1, max_score=1, inputs=first
    )
    assert regrade.reason(old, first) == ""
    assert regrade.reason(None, first) == "new"
    (tmp_path / "checks" / "other.py").write_text("# another assignment's checks\n")
    assert regrade.key(course, sub) == first  # not this assignment's
    edits = [
        (tmp_path / "checks" / "quad.py", "checks changed"),
        (tmp_path / "checks" / "helpers.py", "checks changed"),  # a shared helper, new
        (tmp_path / "source" / "quad" / "quad.ipynb", "source changed"),
        (tmp_path / "release" / "quad" / "quad.ipynb", "source changed"),
        (sub.notebook, "submission changed"),
    ]
    for path, why in edits:
        before = regrade.key(course, sub)
        with path.open("a") as fh:
            fh.write("\n")  # any change to the bytes
        stale = old.model_copy(update={"inputs": before})
        assert regrade.reason(stale, regrade.key(course, sub)) == why
    older = {**first, "version": "0.0.1"}
    assert regrade.reason(old.model_copy(update={"inputs": older}), first) == "version changed"
    # a result written before the key existed: graded by an older gdgrade
    assert regrade.reason(old.model_copy(update={"inputs": {}}), first) == "version changed"


def test_key_reads_the_release_folder_the_config_names(tmp_path: Path):
    course = tiny_course(tmp_path, {"ada": "def square(x):\n    return x * x"})
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.release_directory = "handout"\n'
    )
    (tmp_path / "release").rename(tmp_path / "handout")
    course = CourseDir(tmp_path)  # reads the new config
    (sub,) = course.submissions()
    before = regrade.key(course, sub)
    (tmp_path / "release" / "quad").mkdir(parents=True)  # a stray folder of the old name
    nbformat.write(_notebook("# not what students got"), tmp_path / "release/quad/quad.ipynb")
    assert regrade.key(course, sub) == before
    with (tmp_path / "handout" / "quad" / "quad.ipynb").open("a") as fh:
        fh.write("\n")
    assert regrade.key(course, sub)["source"] != before["source"]


def test_run_line_counts_graded_with_reasons_and_skipped():
    def result(reason: str) -> SubmissionResult:
        return SubmissionResult(
            student="s", assignment="a", notebook="a", score=0, max_score=1, grade_reason=reason
        )

    run = [result("new")] * 2 + [result("checks changed")] + [result("unchanged")] * 24
    assert run_line(run) == "3 graded (2 new, 1 checks changed), 24 unchanged, skipped"
    assert run_line([result("unchanged")] * 2) == "0 graded, 2 unchanged, skipped"
    assert run_line([result("new")]) == "1 graded (1 new)"


def test_autograde_skips_unchanged_and_regrades_what_changed(tmp_path: Path, capsys):
    right, wrong = "def square(x):\n    return x * x", "def square(x):\n    return x + x"
    course = tiny_course(tmp_path, {"ada": right, "bob": wrong})
    first = autograde(tmp_path, workers=1)
    assert [(r.student, r.score, r.grade_reason) for r in first] == [
        ("ada", 1, "new"),
        ("bob", 0, "new"),
    ]
    saved = regrade.stored(course, course.submissions()[0])
    assert saved is not None and saved.inputs == first[0].inputs != {}

    again = autograde(tmp_path, workers=1)
    assert [r.grade_reason for r in again] == ["unchanged", "unchanged"]
    print_summary(again)
    assert "0 graded, 2 unchanged, skipped" in capsys.readouterr().out

    with (tmp_path / "checks" / "quad.py").open("a") as fh:
        fh.write("# a stricter tolerance\n")
    regraded = autograde(tmp_path, workers=1)
    assert [r.grade_reason for r in regraded] == ["checks changed", "checks changed"]
    print_summary(regraded)
    assert "2 graded (2 checks changed)" in capsys.readouterr().out
    assert [r.grade_reason for r in autograde(tmp_path, workers=1, force=True)] == [
        "forced",
        "forced",
    ]
