"""Read, validate and repair submissions; read nbgrader metadata; find check calls.

* ``read`` / ``parse`` accept any nbformat 4.x notebook (older minors are upgraded to the
  current one, with deterministic cell ids) and raise ``NotebookError`` with a message a
  student can act on for anything else.
* ``cells`` gives typed ``NotebookCellRecord`` objects with their ``NbgraderMetadata``.
* ``checksum`` is nbgrader's cell checksum (``nbgrader.utils.compute_checksum``).
* ``restore`` puts every protected cell (test, task and read-only cells, keyed by nbgrader's
  grade_id) back as the source notebook has it, hidden tests included, and says so when the
  student edited, deleted or duplicated one. A cell counts as edited when it differs from
  its released form (the source with hidden tests removed). Grading metadata the source
  does not know is removed, so a student cannot add a test cell of their own.
* ``check_ids`` finds ``check("<id>", globals())`` calls in a test cell without running it.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import warnings
from pathlib import Path
from typing import Any, Literal

import nbformat
from nbformat.v4.rwbase import rejoin_lines
from pydantic import BaseModel, ConfigDict, ValidationError

from grader.errors import NotebookError

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
CURRENT_MINOR = nbformat.v4.nbformat_minor
"""The nbformat 4 minor version notebooks are upgraded to (5: cells have ids)."""

CellKind = Literal["answer", "manual", "test", "task", "readonly", "plain"]


class NbgraderMetadata(BaseModel):
    """A cell's ``metadata.nbgrader`` block, typed (nbgrader schema version 3)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    grade_id: str | None = None
    """nbgrader's id of the cell, unique in the notebook."""
    grade: bool = False
    """The cell is graded: a test cell (code) or a manually graded answer."""
    solution: bool = False
    """The student writes this cell (an answer cell)."""
    locked: bool = False
    """The student may not edit the cell (it is restored from the source)."""
    task: bool = False
    """A markdown task cell, graded by hand."""
    points: float | None = None
    """Points of a grade or task cell."""
    checksum: str | None = None
    """nbgrader's checksum of the cell as released (see ``checksum``)."""
    schema_version: int | None = None
    """Version of nbgrader's metadata schema (3 for nbgrader >= 0.6)."""
    cell_type: str | None = None
    """The cell type nbgrader recorded, when it did."""


class NotebookCellRecord(BaseModel):
    """One cell of a notebook with its nbgrader role."""

    model_config = ConfigDict(frozen=True)

    index: int
    """Position in the notebook."""
    cell_type: str
    """``code``, ``markdown`` or ``raw``."""
    source: str
    """The cell's text."""
    nbgrader: NbgraderMetadata | None = None
    """nbgrader metadata, None for a cell nbgrader does not know."""
    kind: CellKind = "plain"
    """answer (autograded answer), manual (manually graded answer), test, task, readonly
    (locked, not graded) or plain (no nbgrader role)."""
    check_ids: tuple[str, ...] = ()
    """Check ids a test cell calls through ``check("<id>", globals())`` (else empty)."""

    @property
    def grade_id(self) -> str | None:
        """The cell's grade_id, or None."""
        return self.nbgrader.grade_id if self.nbgrader else None

    @property
    def points(self) -> float:
        """Points of a graded cell (0 otherwise)."""
        return float(self.nbgrader.points or 0) if self.nbgrader else 0.0


# -- reading ------------------------------------------------------------------------------


def read(path: str | Path) -> nbformat.NotebookNode:
    """Read and validate a notebook file (see ``parse``)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise NotebookError(f"cannot open {Path(path).name}: {exc.strerror}") from None
    return parse(raw)


def parse(raw: bytes | str) -> nbformat.NotebookNode:
    """A validated nbformat 4 notebook at the current minor version, or NotebookError."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotebookError(
                f"the file is not UTF-8 text (bad byte 0x{raw[exc.start]:02x} at position "
                f"{exc.start}); save the notebook from Jupyter again"
            ) from None
    else:
        text = raw
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"the file is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); it may have been edited by hand or truncated"
        ) from None
    if not isinstance(data, dict):
        raise NotebookError("the file holds JSON but not a notebook (no top-level object)")
    major = data.get("nbformat")
    if major != 4:
        if major is None and "cells" not in data:
            raise NotebookError("the file has no 'cells': it is not a Jupyter notebook")
        raise NotebookError(
            f"unsupported notebook format version {major!r}: nbformat 4 is needed "
            "(open the notebook in a current Jupyter and save it again)"
        )
    if not isinstance(data.get("cells"), list):
        raise NotebookError("the file has no 'cells' list: it is not a Jupyter notebook")
    minor = data.get("nbformat_minor")
    if not isinstance(minor, int) or minor < 0:
        raise NotebookError(f"the notebook's nbformat_minor is missing or invalid: {minor!r}")
    nb = rejoin_lines(nbformat.from_dict(data))  # list-of-lines sources become strings
    if minor < CURRENT_MINOR:
        _upgrade_minor(nb, minor)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a newer minor validates against the newest schema
            nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "notebook"
        raise NotebookError(
            f"the notebook does not follow the nbformat schema at {where}: {exc.message[:300]}"
        ) from None
    return nb


def _upgrade_minor(nb: nbformat.NotebookNode, minor: int) -> None:
    """Upgrade a 4.x (x < current) notebook in place; cell ids are ``cell-<index>``."""
    used = {c.get("id") for c in nb.cells if isinstance(c, dict)}
    for i, cell in enumerate(nb.cells):
        if isinstance(cell, dict) and "id" not in cell:
            new = f"cell-{i}"
            while new in used:
                new += "x"
            cell["id"] = new
            used.add(new)
    nb.metadata["orig_nbformat_minor"] = minor
    nb.nbformat_minor = CURRENT_MINOR


# -- nbgrader metadata --------------------------------------------------------------------


def grade_meta(cell: dict[str, Any]) -> dict[str, Any]:
    """nbgrader metadata of a cell as a raw dict ({} when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def metadata(cell: dict[str, Any], index: int = 0) -> NbgraderMetadata | None:
    """Typed nbgrader metadata of a cell, None when it has none; NotebookError if malformed."""
    meta = cell.get("metadata", {}).get("nbgrader")
    if meta is None:
        return None
    try:
        return NbgraderMetadata.model_validate(meta)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "nbgrader"
        raise NotebookError(
            f"cell {index + 1} has malformed nbgrader metadata ({field}: {first['msg']})"
        ) from None


def kind(meta: NbgraderMetadata | None, cell_type: str = "code") -> CellKind:
    """The nbgrader role of a cell, following nbgrader.utils (is_grade, is_solution, ...)."""
    if meta is None or not meta.grade_id:
        return "plain"
    if meta.solution:
        return "manual" if meta.grade and cell_type != "code" else "answer"
    if meta.grade:
        return "test"
    if meta.task:
        return "task"
    return "readonly" if meta.locked else "plain"


def is_locked(cell: dict[str, Any]) -> bool:
    """nbgrader's ``is_locked``: grade cells and locked cells, never solution cells."""
    meta = grade_meta(cell)
    if meta.get("solution"):
        return False
    return bool(meta.get("grade") or meta.get("locked"))


def is_protected(cell: dict[str, Any]) -> bool:
    """Test, task and read-only cells: restored from the source."""
    meta = grade_meta(cell)
    return bool(meta.get("grade_id")) and (is_locked(cell) or bool(meta.get("task")))


def cells(nb: nbformat.NotebookNode) -> list[NotebookCellRecord]:
    """Every cell as a typed record (NotebookError on malformed nbgrader metadata)."""
    out = []
    for i, cell in enumerate(nb.cells):
        meta = metadata(cell, i)
        role = kind(meta, cell.cell_type)
        source = cell.get("source", "")
        ids = tuple(check_ids(source)) if role == "test" and cell.cell_type == "code" else ()
        out.append(
            NotebookCellRecord(
                index=i,
                cell_type=cell.cell_type,
                source=source,
                nbgrader=meta,
                kind=role,
                check_ids=ids,
            )
        )
    return out


def grade_cells(nb: nbformat.NotebookNode) -> list[NotebookCellRecord]:
    """The test cells, in notebook order."""
    return [c for c in cells(nb) if c.kind == "test"]


def checksum(cell: dict[str, Any]) -> str:
    """nbgrader's checksum of a cell (same digest as ``nbgrader.utils.compute_checksum``).

    md5 over: source, cell type, ``str(is_grade)``, ``str(is_solution)``,
    ``str(is_locked)``, grade_id and, for grade cells, ``str(float(points))``.
    """
    meta = grade_meta(cell)
    m = hashlib.md5()
    m.update(cell.get("source", "").encode("utf-8"))
    m.update(cell.get("cell_type", "").encode("utf-8"))
    m.update(str(meta.get("grade", False)).encode("utf-8"))
    m.update(str(meta.get("solution", False)).encode("utf-8"))
    m.update(str(is_locked(cell)).encode("utf-8"))
    m.update(str(meta["grade_id"]).encode("utf-8"))
    if meta.get("grade", False):
        m.update(str(float(meta["points"])).encode("utf-8"))
    return m.hexdigest()


# -- restoring protected cells ------------------------------------------------------------


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


# -- check calls --------------------------------------------------------------------------


def _is_globals_call(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "globals"
        and not node.args
        and not node.keywords
    )


def _check_call(node: ast.stmt) -> str | None:
    """The id of a ``check("<id>", globals())`` statement, else None."""
    call = node.value if isinstance(node, ast.Expr) else None
    if not isinstance(call, ast.Call) or call.keywords or len(call.args) != 2:
        return None
    func = call.func
    named = (isinstance(func, ast.Name) and func.id == "check") or (
        isinstance(func, ast.Attribute) and func.attr == "check"
    )
    first, second = call.args
    if (
        named
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and _is_globals_call(second)
    ):
        return first.value
    return None


def _is_checks_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.module == "grader.checks" and all(a.name == "check" for a in node.names)
    if isinstance(node, ast.Import):
        return all(a.name == "grader.checks" for a in node.names)
    return False


def check_ids(source: str) -> list[str]:
    """Check ids called by a cell made only of ``check("id", globals())`` calls.

    The calls may be preceded by ``from grader.checks import check``. Returns [] for any
    other cell (it is then run as ordinary code). Parses with ``ast``; never runs code.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    ids: list[str] = []
    for node in tree.body:
        if _is_checks_import(node) and not ids:
            continue
        cid = _check_call(node)
        if cid is None:
            return []
        ids.append(cid)
    return ids
