"""Reading, validating and repairing submissions (fixtures in tests/files/sandbox/)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import compute_checksum

import grader
from grader.errors import NotebookError
from grader.nbgrader_io import notebooks, restoration
from grader.paths import COURSE_SOURCE
from grader.pipeline.grade import plan

FILES = Path(__file__).parent.parent / "files" / "sandbox"


def source() -> nbformat.NotebookNode:
    return notebooks.read(FILES / "source.ipynb")


def submission() -> nbformat.NotebookNode:
    return notebooks.read(FILES / "submission.ipynb")


def by_id(nb: nbformat.NotebookNode, grade_id: str) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if notebooks.grade_meta(c).get("grade_id") == grade_id]


# -- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad_utf8.ipynb", r"not UTF-8 text \(bad byte 0xe9 at position 26\)"),
        ("bad_json.ipynb", r"not valid notebook JSON \(line 2, column 1"),
        ("bad_no_cells.ipynb", "has no 'cells' list"),
        ("bad_v3.ipynb", "unsupported notebook format version 3: nbformat 4 is needed"),
        ("bad_v5.ipynb", "unsupported notebook format version 5"),
        ("bad_schema.ipynb", "does not follow the nbformat schema at cells/0: 'outputs'"),
    ],
)
def test_malformed_notebooks_raise_clear_errors(name: str, message: str):
    with pytest.raises(NotebookError, match=message):
        notebooks.read(FILES / name)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[1, 2]", "not a notebook"),
        (b'{"metadata": {}}', "no 'cells'"),
        (b'{"nbformat": 4, "cells": []}', "nbformat_minor is missing"),
        (b"", "not valid notebook JSON"),
    ],
)
def test_other_malformed_inputs(raw: bytes, message: str):
    with pytest.raises(NotebookError, match=message):
        notebooks.parse(raw)


def test_missing_file_is_a_notebook_error(tmp_path: Path):
    with pytest.raises(NotebookError, match=r"cannot open nope\.ipynb"):
        notebooks.read(tmp_path / "nope.ipynb")


def test_older_minor_is_upgraded_with_deterministic_ids():
    nb = notebooks.read(FILES / "old_minor.ipynb")
    assert nb.nbformat_minor == notebooks.CURRENT_MINOR == 5
    assert [c.id for c in nb.cells] == ["cell-0", "cell-1"]
    assert nb.cells[0].source == "x = 1\nx"  # list-of-lines source joined
    nbformat.validate(nb)


def test_typed_cells_and_roles():
    records = notebooks.cells(source())
    roles = {c.grade_id: c.kind for c in records}
    assert roles == {
        "intro": "readonly",
        "setup": "readonly",
        "answer_update": "answer",
        "test_update_rule": "test",
        "test_checks": "test",
        "answer_explain": "manual",
        "task_plot": "task",
    }
    tests = notebooks.grade_cells(source())
    assert [(c.grade_id, c.points, c.check_ids) for c in tests] == [
        ("test_update_rule", 2.0, ()),
        ("test_checks", 3.0, ("demo.update_rule",)),
    ]
    assert tests[0].nbgrader is not None and tests[0].nbgrader.schema_version == 3
    assert tests[0].nbgrader.checksum == compute_checksum(source().cells[3])


def test_malformed_nbgrader_metadata_names_the_cell():
    nb = source()
    nb.cells[3].metadata["nbgrader"]["points"] = "lots"
    with pytest.raises(NotebookError, match=r"cell 4 has malformed nbgrader metadata \(points"):
        notebooks.cells(nb)


def test_checksums_match_nbgrader():
    nb = source()
    for cell in nb.cells:
        assert notebooks.checksum(cell) == compute_checksum(cell)
    edited = copy.deepcopy(nb.cells[3])
    edited.source += "\n# changed"
    assert notebooks.checksum(edited) == compute_checksum(edited) != notebooks.checksum(nb.cells[3])


# -- restore ------------------------------------------------------------------------------


def test_untouched_release_is_restored_silently_with_hidden_tests():
    restored, messages = restoration.restore(submission(), source())
    assert messages == []
    assert "BEGIN HIDDEN TESTS" in by_id(restored, "test_update_rule")[0].source
    assert by_id(restored, "answer_update")[0].source == submission().cells[2].source
    nbformat.validate(restored)


def test_edited_test_cell_is_restored_with_a_message():
    sub = submission()
    by_id(sub, "test_update_rule")[0].source = "pass  # tests? what tests"
    restored, messages = restoration.restore(sub, source())
    assert by_id(restored, "test_update_rule")[0].source == source().cells[3].source
    assert messages == [
        "The test cell 'test_update_rule' was edited; it was restored from the assignment."
    ]


def test_edited_read_only_and_task_cells_are_restored():
    sub = submission()
    by_id(sub, "intro")[0].source = "my notes"
    by_id(sub, "setup")[0].source = "import numpy as np\nLR = 10.0"
    by_id(sub, "task_plot")[0].source = "done"
    restored, messages = restoration.restore(sub, source())
    src, sub = source(), submission()
    expected = [(src if r.protected else sub).cells[r.index].source for r in notebooks.cells(src)]
    assert [c.source for c in restored.cells] == expected
    assert messages == [
        "The read-only cell 'intro' was edited; it was restored from the assignment.",
        "The read-only cell 'setup' was edited; it was restored from the assignment.",
        "The task cell 'task_plot' was edited; it was restored from the assignment.",
    ]


def test_points_or_lock_tampering_counts_as_an_edit():
    sub = submission()
    by_id(sub, "test_checks")[0].metadata["nbgrader"]["points"] = 300
    by_id(sub, "setup")[0].metadata["nbgrader"]["locked"] = False
    restored, messages = restoration.restore(sub, source())
    assert by_id(restored, "test_checks")[0].metadata["nbgrader"]["points"] == 3
    assert by_id(restored, "setup")[0].metadata["nbgrader"]["locked"] is True
    assert len(messages) == 2 and all("was edited" in m for m in messages)


def test_deleted_cells_come_back_in_place():
    sub = submission()
    sub.cells = [
        c
        for c in sub.cells
        if notebooks.grade_meta(c)["grade_id"] not in ("test_update_rule", "intro")
    ]
    restored, messages = restoration.restore(sub, source())
    assert [notebooks.grade_meta(c)["grade_id"] for c in restored.cells] == [
        notebooks.grade_meta(c)["grade_id"] for c in source().cells
    ]
    assert messages == [
        "The read-only cell 'intro' was deleted; it was restored from the assignment.",
        "The test cell 'test_update_rule' was deleted; it was restored from the assignment.",
    ]
    nbformat.validate(restored)


def test_duplicated_test_cell_is_removed_and_ids_stay_unique():
    sub = submission()
    sub.cells.append(nbformat.from_dict(json.loads(json.dumps(sub.cells[3]))))
    restored, messages = restoration.restore(sub, source())
    assert len(restored.cells) == len(source().cells)
    assert messages == ["The test cell 'test_update_rule' appeared twice; the copy was removed."]
    assert len({c.id for c in restored.cells}) == len(restored.cells)


def test_students_cannot_add_grade_cells_or_regrade_answers():
    sub = submission()
    fake = nbformat.v4.new_code_cell("pass")
    fake.metadata["nbgrader"] = {"grade_id": "bonus", "grade": True, "points": 100}
    sub.cells.append(fake)
    answer = by_id(sub, "answer_update")[0]
    answer.metadata["nbgrader"].update(grade=True, solution=False, points=50)
    dup = nbformat.from_dict(json.loads(json.dumps(answer)))
    dup["id"] = "dup"
    sub.cells.insert(3, dup)
    restored, messages = restoration.restore(sub, source())
    assert [c.grade_id for c in notebooks.grade_cells(restored)] == [
        "test_update_rule",
        "test_checks",
    ]
    assert (
        by_id(restored, "answer_update")[0].metadata["nbgrader"]
        == source().cells[2].metadata["nbgrader"]
    )
    assert "dup" in [c.id for c in restored.cells]  # the copy still runs as code
    assert messages == [
        "The answer cell 'answer_update' appeared twice; both copies run, the first one is graded.",
        "The cell 'bonus' is not part of the assignment; its grading metadata was removed.",
    ]


def test_malformed_metadata_in_a_submission_is_restored_not_raised():
    sub = submission()
    by_id(sub, "test_checks")[0].metadata["nbgrader"]["points"] = "lots"
    restored, messages = restoration.restore(sub, source())
    assert messages == [
        "The test cell 'test_checks' was edited; it was restored from the assignment."
    ]
    assert by_id(restored, "test_checks")[0].metadata["nbgrader"]["points"] == 3
    [record] = [r for r in notebooks.cells(sub, strict=False) if r.grade_id == "test_checks"]
    assert record.malformed and record.kind == "plain"


# -- the one cell-role classifier -----------------------------------------------------------

SHIPPED = [*sorted(COURSE_SOURCE.glob("source/*/*.ipynb")), FILES / "source.ipynb"]
NOUN = {"test": "test cell", "task": "task cell", "readonly": "read-only cell"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_plan_and_restoration_agree_with_the_classifier(path: Path):
    src = notebooks.read(path)
    records = notebooks.cells(src)
    code = [r for r in records if r.cell_type == "code"]
    _, indices, grade_cells = plan(src)
    assert grade_cells and any(r.kind == "readonly" for r in records)
    assert [(g.grade_id, g.points, g.index, g.check_ids) for g in grade_cells] == [
        (r.grade_id, r.points, r.index, r.check_ids) for r in code if r.kind == "test"
    ]
    assert indices == [r.index for r in code if not r.check_ids]
    mine = copy.deepcopy(src)
    for cell in mine.cells:
        cell.source = "# mine"
    restored, messages = restoration.restore(mine, src)
    assert [c.source for c in restored.cells] == [
        src.cells[r.index].source if r.protected else "# mine" for r in records
    ]
    assert messages == [
        f"The {NOUN[r.kind]} '{r.grade_id}' was edited; it was restored from the assignment."
        for r in records
        if r.protected
    ]


def test_plan_and_restoration_read_roles_only_through_cells(monkeypatch):
    """With cells() calling every cell plain, plan and restore see no role at all."""
    real = notebooks.cells

    def plain(nb, **kwargs):
        return [r.model_copy(update={"kind": "plain", "check_ids": ()}) for r in real(nb, **kwargs)]

    monkeypatch.setattr(notebooks, "cells", plain)
    src = source()
    _, indices, grade_cells = plan(src)
    assert grade_cells == []
    assert indices == [i for i, c in enumerate(src.cells) if c.cell_type == "code"]
    sub = submission()
    by_id(sub, "test_update_rule")[0].source = "pass"
    restored, messages = restoration.restore(sub, src)
    assert messages == []
    assert by_id(restored, "test_update_rule")[0].source == "pass"


def test_no_other_module_reads_nbgrader_roles():
    role = re.compile(r"""(get\(|\[)["'](grade|solution|locked|task|grade_id)["']|grade_meta""")
    root = Path(grader.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        # kit_checker.py is shipped to students and must stand alone (no grader imports)
        if path not in (root / "nbgrader_io" / "notebooks.py", root / "outputs" / "kit_checker.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if role.search(line)
    ]
    assert found == []


# -- check ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "ids"),
    [
        ('from grader import check\ncheck("a.b", globals())', ["a.b"]),
        ('check("a.b", globals())\ncheck("a.c", globals())', ["a.b", "a.c"]),
        ('import grader.judging.check\ngrader.checks.check("a.b", globals())', ["a.b"]),
        ('check("a.b", globals())\nassert True', []),
        ('check("a.b", globals())\nimport os', []),
        ("check(name, globals())", []),
        ('check("a.b", locals())', []),
        ('check("a.b", globals(), strict=True)', []),
        ('from os import system\ncheck("a.b", globals())', []),
        ('check("a.b", globals()); __import__("os").system("x")', []),
        ("this is not python", []),
        ("", []),
    ],
)
def test_check_ids_are_found_without_running_code(source: str, ids: list[str]):
    assert notebooks.check_ids(source) == ids


def test_released_strips_hidden_tests():
    text = "a = 1\n### BEGIN HIDDEN TESTS\nassert a\n### END HIDDEN TESTS\nb = 2"
    assert restoration.released(text) == "a = 1\nb = 2"
