"""Protected cells of a submission, put back as the source notebook has them.

``restore`` puts every protected cell (test, task and read-only cells, keyed by nbgrader's
grade_id) back as the source has it, hidden tests included, and says so when the student
edited, deleted or duplicated one. A cell counts as edited when it differs from its
released form (``released``: the source with hidden tests removed). Grading metadata the
source does not know is removed, so a student cannot add a test cell of their own. Cell
roles come from ``notebooks.cells``, the one classifier (the submission read leniently:
a student may have broken its metadata)."""

from __future__ import annotations

import copy
from typing import Any

import nbformat

from grader.nbgrader_io import notebooks
from grader.nbgrader_io.notebooks import HIDDEN_BEGIN, HIDDEN_END, NotebookCellRecord


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


def _changed(mine: NotebookCellRecord, theirs: NotebookCellRecord) -> bool:
    """Whether a submitted protected cell differs from its released form."""
    ours, src = mine.nbgrader, theirs.nbgrader
    assert ours is not None and src is not None  # both have a grade_id
    return (
        mine.malformed
        or mine.cell_type != theirs.cell_type
        or mine.source.strip() != released(theirs.source)
        or mine.locked != theirs.locked
        or ours.task != src.task
        or (ours.points != src.points and src.grade)
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
    theirs = notebooks.cells(source)
    known = {r.grade_id: r for r in theirs if r.grade_id}
    wanted = {gid: r for gid, r in known.items() if r.protected}
    order = [r.grade_id for r in theirs]
    nb = copy.deepcopy(submission)
    out: list[nbformat.NotebookNode] = []
    out_ids: list[str | None] = []  # the grade_id of each cell of ``out``
    seen: set[str] = set()
    messages: list[str] = []
    for mine, cell in zip(notebooks.cells(nb, strict=False), nb.cells, strict=True):
        gid = mine.grade_id
        if gid is None:
            if "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
            out.append(cell)
            out_ids.append(None)
            continue
        if gid not in known:
            messages.append(
                f"The cell '{gid}' is not part of the assignment; its grading metadata was removed."
            )
            del cell.metadata["nbgrader"]
            out.append(cell)
            out_ids.append(None)
            continue
        record = known[gid]
        original = source.cells[record.index]
        if gid in wanted:
            noun = _NOUN[record.kind]
            if gid in seen:
                messages.append(f"The {noun} '{gid}' appeared twice; the copy was removed.")
                continue
            if _changed(mine, record):
                messages.append(
                    f"The {noun} '{gid}' was edited; it was restored from the assignment."
                )
            out.append(_fresh(original, cell.get("id")))
            out_ids.append(gid)
        elif gid in seen:
            messages.append(
                f"The answer cell '{gid}' appeared twice; both copies run, the first one is graded."
            )
            del cell.metadata["nbgrader"]
            out.append(cell)
            out_ids.append(None)
        else:
            if cell.get("cell_type") != original.get("cell_type"):
                messages.append(
                    f"The answer cell '{gid}' changed type; it was set back to "
                    f"{original.get('cell_type')}."
                )
                cell = _retyped(cell, original.get("cell_type", "code"))
            cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            out.append(cell)
            out_ids.append(gid)
        seen.add(gid)
    for gid, record in wanted.items():
        if gid in seen:
            continue
        messages.append(
            f"The {_NOUN[record.kind]} '{gid}' was deleted; it was restored from the assignment."
        )
        before = order[: order.index(gid)]
        spot = max((out_ids.index(b) + 1 for b in before if b in out_ids), default=0)
        out.insert(spot, _fresh(source.cells[record.index], None))
        out_ids.insert(spot, gid)
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
