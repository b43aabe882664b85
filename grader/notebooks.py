"""Read, validate and repair submissions; read nbgrader metadata; find check calls.

``restore`` puts every protected cell (test cells and locked cells, keyed by nbgrader's
grade_id) back as the source notebook has it, hidden tests included, and says so when the
student had edited, deleted or duplicated one. A cell counts as edited when it differs from
its released form (the source with hidden tests removed).
"""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import nbformat

from grader.errors import NotebookError

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def read(path: Path) -> nbformat.NotebookNode:
    """Read a v4 notebook; anything unreadable raises NotebookError with a clear message."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot open {Path(path).name}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(
            f"the file is not UTF-8 text (bad byte at position {exc.start}); "
            "save the notebook from Jupyter again"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"the file is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); it may have been edited by hand or truncated"
        ) from None
    if not isinstance(data, dict) or "cells" not in data:
        raise NotebookError("the file has no 'cells': it is not a Jupyter notebook")
    major = data.get("nbformat")
    if major != 4:
        raise NotebookError(f"unsupported notebook format version {major!r}: nbformat 4 needed")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except (nbformat.ValidationError, ValueError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0][:300]
        raise NotebookError(f"the notebook does not follow the nbformat schema: {first}") from None
    return nb


def grade_meta(cell: dict[str, Any]) -> dict[str, Any]:
    """nbgrader metadata of a cell ({} when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_protected(cell: dict[str, Any]) -> bool:
    """Test cells and locked cells are restored from the source."""
    meta = grade_meta(cell)
    test_cell = bool(meta.get("grade")) and not meta.get("solution")
    return bool(meta.get("grade_id")) and (test_cell or bool(meta.get("locked")))


def released(source: str) -> str:
    """A source cell's text as students receive it: the hidden-test block removed."""
    out, hidden = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            hidden = True
        elif line.strip() == HIDDEN_END:
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out).strip()


def restore(
    submission: nbformat.NotebookNode, source: nbformat.NotebookNode
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The submission with protected cells taken from the source, and messages about it."""
    wanted = {grade_meta(c)["grade_id"]: c for c in source.cells if is_protected(c)}
    order = [grade_meta(c).get("grade_id") for c in source.cells]
    nb = copy.deepcopy(submission)
    cells, seen, messages = [], set(), []
    for cell in nb.cells:
        gid = grade_meta(cell).get("grade_id")
        if gid in wanted:
            if gid in seen:
                messages.append(f"The cell '{gid}' appeared twice; the copy was removed.")
                continue
            seen.add(gid)
            original = wanted[gid]
            if cell.get("source", "").strip() != released(original.source):
                messages.append(
                    f"The cell '{gid}' was edited; it was restored from the assignment."
                )
            cell = copy.deepcopy(original)
        cells.append(cell)
    for gid, original in wanted.items():
        if gid in seen:
            continue
        messages.append(f"The cell '{gid}' was deleted; it was restored from the assignment.")
        before = order[: order.index(gid)]
        ids = [grade_meta(c).get("grade_id") for c in cells]
        spot = max((ids.index(b) + 1 for b in before if b in ids), default=0)
        cells.insert(spot, copy.deepcopy(original))
    nb.cells = cells
    return nb, messages


def check_ids(source: str) -> list[str]:
    """Check ids called by a cell made only of ``check("id", globals())`` calls and imports.

    Returns [] for any other cell (it is then run as ordinary code). Never executes code.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    ids = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        call = node.value if isinstance(node, ast.Expr) else None
        if not isinstance(call, ast.Call) or not call.args:
            return []
        name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
        first = call.args[0]
        if (
            name != "check"
            or not isinstance(first, ast.Constant)
            or not isinstance(first.value, str)
        ):
            return []
        ids.append(first.value)
    return ids
