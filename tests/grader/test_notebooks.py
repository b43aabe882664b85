"""Reading, validating and repairing submissions."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from grader import notebooks
from grader.errors import NotebookError

from .conftest import notebook


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b'{"cells": [', r"not valid notebook JSON \(line 1"),
        (b'{"metadata": {}}', "no 'cells'"),
        (json.dumps({"cells": [], "nbformat": 3, "nbformat_minor": 0}).encode(), "version 3"),
        (
            json.dumps(
                {
                    "cells": [{"cell_type": "code"}],
                    "metadata": {},
                    "nbformat": 4,
                    "nbformat_minor": 5,
                }
            ).encode(),
            "schema",
        ),
    ],
)
def test_malformed_notebooks_raise_clear_errors(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=message):
        notebooks.read(path)


def source_notebook() -> nbformat.NotebookNode:
    nb = notebook("def f(x):\n    return x", ["demo.check"])
    nb.cells[1].source += "\n### BEGIN HIDDEN TESTS\nassert f(2) == 2\n### END HIDDEN TESTS"
    return nb


def released_notebook() -> nbformat.NotebookNode:
    nb = source_notebook()
    nb.cells[1].source = notebooks.released(nb.cells[1].source)
    return nb


def test_untouched_release_is_restored_silently_with_hidden_tests():
    restored, messages = notebooks.restore(released_notebook(), source_notebook())
    assert messages == []
    assert "BEGIN HIDDEN TESTS" in restored.cells[1].source


def test_edited_deleted_and_duplicated_test_cells_are_restored_and_reported():
    src = source_notebook()
    edited = released_notebook()
    edited.cells[1].source = "pass  # tests? what tests"
    restored, messages = notebooks.restore(edited, src)
    assert restored.cells[1].source == src.cells[1].source
    assert messages == ["The cell 'test_0' was edited; it was restored from the assignment."]

    deleted = released_notebook()
    del deleted.cells[1]
    restored, messages = notebooks.restore(deleted, src)
    assert [c.source for c in restored.cells] == [c.source for c in src.cells]
    assert "deleted" in messages[0]

    doubled = released_notebook()
    doubled.cells.append(nbformat.from_dict(json.loads(json.dumps(doubled.cells[1]))))
    restored, messages = notebooks.restore(doubled, src)
    assert len(restored.cells) == 2 and "twice" in messages[0]


def test_check_ids_are_found_without_running_code():
    assert notebooks.check_ids('from grader.checks import check\ncheck("a.b", globals())') == [
        "a.b"
    ]
    assert notebooks.check_ids('check("a.b", globals())\ncheck("a.c", globals())') == [
        "a.b",
        "a.c",
    ]
    assert notebooks.check_ids('check("a.b", globals())\nassert True') == []
    assert notebooks.check_ids("check(name, globals())") == []
    assert notebooks.check_ids("this is not python") == []
