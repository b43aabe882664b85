"""Protected cells of a submission, put back as the source notebook has them.

``restore`` puts every protected cell (test, task and read-only cells, keyed by nbgrader's
grade_id) back as the source has it, hidden tests included, and says so when the student
edited, deleted or duplicated one. A cell counts as edited when it differs from its
released form (``released``: the source with hidden tests removed). Grading metadata the
source does not know is removed, so a student cannot add a test cell of their own.
"""

from __future__ import annotations

import copy
from typing import Any

import nbformat

from grader.nbgrader_io.notebooks import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    grade_meta,
    is_locked,
    is_protected,
)


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


_NOUN = {"test": "test cell", "task": "task cell", "readonly": "read-only cell"}


def _noun(cell: dict[str, Any]) -> str:
    meta = grade_meta(cell)
    role = "readonly"
    if meta.get("grade") and not meta.get("solution"):
        role = "test"
    elif meta.get("task"):
        role = "task"
    return _NOUN[role]


def _changed(cell: dict[str, Any], original: dict[str, Any]) -> bool:
    """Whether a submitted protected cell differs from its released form."""
    mine, theirs = grade_meta(cell), grade_meta(original)
    return (
        cell.get("cell_type") != original.get("cell_type")
        or cell.get("source", "").strip() != released(original.get("source", ""))
        or is_locked(cell) != is_locked(original)
        or bool(mine.get("task")) != bool(theirs.get("task"))
        or (mine.get("points") != theirs.get("points") and bool(theirs.get("grade")))
    )


def _fresh(original: dict[str, Any], cell_id: str | None) -> nbformat.NotebookNode:
    """A copy of a source cell with the submission's id (ids stay unique)."""
    new = copy.deepcopy(original)
    if cell_id is not None:
        new["id"] = cell_id
    return new


def restore(
    submission: nbformat.NotebookNode, source: nbformat.NotebookNode
) -> tuple[nbformat.NotebookNode, list[str]]:
    """The submission with protected cells taken from the source, and messages about it.

    * test, task and read-only cells (by grade_id) come from the source, hidden tests
      included; an edited one is reported, a duplicate is removed, a deleted one is put
      back after the cell that precedes it in the source;
    * answer cells keep the student's text but get the source's nbgrader metadata (the
      student cannot change points or turn an answer into a test); a duplicated answer
      cell keeps running as code without grading metadata;
    * nbgrader metadata whose grade_id the source does not know is removed.
    """
    known = {grade_meta(c)["grade_id"]: c for c in source.cells if grade_meta(c).get("grade_id")}
    wanted = {gid: c for gid, c in known.items() if is_protected(c)}
    order = [grade_meta(c).get("grade_id") for c in source.cells]
    nb = copy.deepcopy(submission)
    out: list[nbformat.NotebookNode] = []
    seen: set[str] = set()
    messages: list[str] = []
    for cell in nb.cells:
        gid = grade_meta(cell).get("grade_id")
        if gid is None:
            if "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
            out.append(cell)
            continue
        if gid not in known:
            messages.append(
                f"The cell '{gid}' is not part of the assignment; its grading metadata was removed."
            )
            del cell.metadata["nbgrader"]
            out.append(cell)
            continue
        original = known[gid]
        if gid in wanted:
            noun = _noun(original)
            if gid in seen:
                messages.append(f"The {noun} '{gid}' appeared twice; the copy was removed.")
                continue
            if _changed(cell, original):
                messages.append(
                    f"The {noun} '{gid}' was edited; it was restored from the assignment."
                )
            out.append(_fresh(original, cell.get("id")))
        elif gid in seen:
            messages.append(
                f"The answer cell '{gid}' appeared twice; both copies run, the first one is graded."
            )
            del cell.metadata["nbgrader"]
            out.append(cell)
        else:
            if cell.get("cell_type") != original.get("cell_type"):
                messages.append(
                    f"The answer cell '{gid}' changed type; it was set back to "
                    f"{original.get('cell_type')}."
                )
                cell = _retyped(cell, original.get("cell_type", "code"))
            cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            out.append(cell)
        seen.add(gid)
    for gid, original in wanted.items():
        if gid in seen:
            continue
        messages.append(
            f"The {_noun(original)} '{gid}' was deleted; it was restored from the assignment."
        )
        before = order[: order.index(gid)]
        ids = [grade_meta(c).get("grade_id") for c in out]
        spot = max((ids.index(b) + 1 for b in before if b in ids), default=0)
        out.insert(spot, _fresh(original, None))
        seen.add(gid)
    nb.cells = out
    _unique_ids(nb)
    return nb, messages


def _retyped(cell: nbformat.NotebookNode, cell_type: str) -> nbformat.NotebookNode:
    """A cell turned into another type, keeping its text and id (as nbgrader does)."""
    make = {
        "code": nbformat.v4.new_code_cell,
        "markdown": nbformat.v4.new_markdown_cell,
        "raw": nbformat.v4.new_raw_cell,
    }[cell_type]
    new = make(cell.get("source", ""), metadata=cell.get("metadata", {}))
    if "id" in cell:
        new["id"] = cell["id"]
    return new


def _unique_ids(nb: nbformat.NotebookNode) -> None:
    """Give restored cells fresh ids where they collide or are missing (nbformat >= 4.5)."""
    if nb.get("nbformat_minor", 0) < 5:
        return
    used: set[str] = set()
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not cid or cid in used:
            cid = f"restored-{i}"
            while cid in used:
                cid += "x"
            cell["id"] = cid
        used.add(cid)
