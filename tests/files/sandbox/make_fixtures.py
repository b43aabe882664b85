"""Rebuild the fixture notebooks in this folder: ``python tests/files/sandbox/make_fixtures.py``.

``source.ipynb`` is an nbgrader source notebook with every cell role (read-only markdown,
locked code, autograded answer, plain test cell with hidden tests, check-only test cell,
manually graded answer, task); ``submission.ipynb`` is its released form with answers filled
in; the ``bad_*`` files are malformed submissions; ``old_minor.ipynb`` is a valid nbformat 4.2
notebook (no cell ids) that ``grader.nbgrader_io.notebooks.read`` upgrades.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbgrader.utils import compute_checksum

HERE = Path(__file__).parent


def meta(grade_id: str, **flags: object) -> dict[str, object]:
    base = {"grade": False, "solution": False, "locked": False, "schema_version": 3}
    return {**base, "grade_id": grade_id, **flags}


def source() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("# Gradient descent\nRead-only instructions."),
        nbformat.v4.new_code_cell("import numpy as np\nLR = 0.1"),
        nbformat.v4.new_code_cell(
            "def update(w, g, lr):\n    ### BEGIN SOLUTION\n    return w - lr * g\n"
            "    ### END SOLUTION"
        ),
        nbformat.v4.new_code_cell(
            "assert update(1.0, 1.0, 0.5) == 0.5\n### BEGIN HIDDEN TESTS\n"
            "assert update(2.0, 4.0, 0.25) == 1.0\n### END HIDDEN TESTS"
        ),
        nbformat.v4.new_code_cell('from grader import check\ncheck("demo.update_rule", globals())'),
        nbformat.v4.new_markdown_cell("### BEGIN SOLUTION\nThe step follows -g.\n### END SOLUTION"),
        nbformat.v4.new_markdown_cell("Plot the loss curve (graded by hand)."),
    ]
    metas = [
        meta("intro", locked=True),
        meta("setup", locked=True),
        meta("answer_update", solution=True),
        meta("test_update_rule", grade=True, locked=True, points=2),
        meta("test_checks", grade=True, locked=True, points=3),
        meta("answer_explain", grade=True, solution=True, points=1),
        meta("task_plot", task=True, locked=True, points=2),
    ]
    for i, (cell, m) in enumerate(zip(cells, metas, strict=True)):
        cell.metadata["nbgrader"] = m
        cell["id"] = f"c{i}"
        if m.get("grade") or m.get("locked"):
            cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
        nb.cells.append(cell)
    return nb


def released(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    from grader.nbgrader_io.restoration import released as strip

    out = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in out.cells:
        if cell.metadata["nbgrader"]["grade_id"] == "test_update_rule":
            cell.source = strip(cell.source)
        if cell.metadata["nbgrader"]["grade_id"] == "answer_update":
            cell.source = "def update(w, g, lr):\n    return w - lr * g"
        if cell.metadata["nbgrader"]["grade_id"] == "answer_explain":
            cell.source = "We step against the gradient."
    return out


def main() -> None:
    src = source()
    nbformat.write(src, HERE / "source.ipynb")
    nbformat.write(released(src), HERE / "submission.ipynb")
    (HERE / "bad_json.ipynb").write_text('{"cells": [{"cell_type": "code",\n')
    (HERE / "bad_utf8.ipynb").write_bytes(b'{"cells": [], "note": "caf\xe9"}')
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}
    (HERE / "bad_v3.ipynb").write_text(json.dumps(v3))
    v5 = {"nbformat": 5, "nbformat_minor": 0, "metadata": {}, "cells": []}
    (HERE / "bad_v5.ipynb").write_text(json.dumps(v5))
    (HERE / "bad_no_cells.ipynb").write_text(
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}})
    )
    schema = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "id": "a", "source": "x = 1", "metadata": {}}],
    }
    (HERE / "bad_schema.ipynb").write_text(json.dumps(schema))
    old = {
        "nbformat": 4,
        "nbformat_minor": 2,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": ["x = 1\n", "x"],
            },
            {"cell_type": "markdown", "metadata": {}, "source": "text"},
        ],
    }
    (HERE / "old_minor.ipynb").write_text(json.dumps(old, indent=1))


if __name__ == "__main__":
    main()
