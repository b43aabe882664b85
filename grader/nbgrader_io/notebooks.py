"""Read, validate and repair submissions; read nbgrader metadata; find check calls.

* ``read`` / ``parse`` accept any nbformat 4.x notebook (older minors are upgraded to the
  current one, with deterministic cell ids) and raise ``NotebookError`` with a message a
  student can act on for anything else.
* ``cells`` gives typed ``NotebookCellRecord`` objects with their ``NbgraderMetadata``: the
  one cell-role classifier (answer, manual, test, task, read-only, plain). Grading
  (``grader.pipeline.grade.plan``) and restoration read roles from it, never from the raw
  ``metadata.nbgrader`` block.
* ``checksum`` is nbgrader's cell checksum (``nbgrader.utils.compute_checksum``).
* ``grader.nbgrader_io.restoration`` puts protected cells back as the source notebook has them.
* ``check_ids`` finds ``check("<id>", globals())`` calls in a test cell without running it.
"""

from __future__ import annotations

import ast
import json
import warnings
from pathlib import Path
from typing import Any, Literal

import nbformat
from nbformat.v4.rwbase import rejoin_lines
from pydantic import BaseModel, ConfigDict, ValidationError

from grader import pysource
from grader.errors import NotebookError

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
CURRENT_MINOR = nbformat.v4.nbformat_minor
"""The nbformat 4 minor version notebooks are upgraded to (5: cells have ids)."""

CellKind = Literal["answer", "manual", "test", "task", "readonly", "plain"]
PROTECTED: frozenset[CellKind] = frozenset({"test", "task", "readonly"})
"""Roles whose cells are restored from the source notebook (the student may not edit them)."""


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
    malformed: bool = False
    """The cell's nbgrader metadata did not validate (only when read with ``strict=False``);
    ``nbgrader`` then keeps nothing but its grade_id."""

    @property
    def grade_id(self) -> str | None:
        """The cell's grade_id, or None."""
        return self.nbgrader.grade_id if self.nbgrader else None

    @property
    def points(self) -> float:
        """Points of a graded cell (0 otherwise)."""
        return float(self.nbgrader.points or 0) if self.nbgrader else 0.0

    @property
    def protected(self) -> bool:
        """A test, task or read-only cell: restored from the source."""
        return self.kind in PROTECTED

    @property
    def locked(self) -> bool:
        """nbgrader's ``is_locked``: grade cells and locked cells, never solution cells."""
        meta = self.nbgrader
        return meta is not None and not meta.solution and (meta.grade or meta.locked)


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
    """nbgrader metadata of a cell as a raw dict ({} when it has none).

    For lookups and nbgrader's checksum; a cell's role comes from ``cells`` (``kind``).
    """
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


def _lenient(cell: dict[str, Any]) -> NbgraderMetadata:
    """What is left of malformed nbgrader metadata: its grade_id, when it has one."""
    meta = cell.get("metadata", {}).get("nbgrader")
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return NbgraderMetadata(grade_id=None if gid is None else str(gid))


def cells(nb: nbformat.NotebookNode, *, strict: bool = True) -> list[NotebookCellRecord]:
    """Every cell as a typed record, with its nbgrader role.

    ``strict`` (a source notebook): NotebookError on malformed nbgrader metadata. Otherwise
    (a submission, whose metadata the student may have edited) such a cell keeps only its
    grade_id, has no role and is marked ``malformed``.
    """
    out = []
    for i, cell in enumerate(nb.cells):
        bad = False
        try:
            meta = metadata(cell, i)
        except NotebookError:
            if strict:
                raise
            meta, bad = _lenient(cell), True
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
                malformed=bad,
            )
        )
    return out


def grade_cells(nb: nbformat.NotebookNode) -> list[NotebookCellRecord]:
    """The test cells, in notebook order."""
    return [c for c in cells(nb) if c.kind == "test"]


def checksum(cell: dict[str, Any]) -> str:
    """nbgrader's checksum of a cell: ``nbgrader.utils.compute_checksum`` itself (md5 over
    source, cell type, grade/solution/locked flags, grade_id and a grade cell's points)."""
    from nbgrader.utils import compute_checksum  # imports nbgrader: seconds, so only here

    return compute_checksum(nbformat.from_dict(cell))


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
        names = all(a.name == "check" for a in node.names)
        return node.module in ("grader", "grader.judging.check") and names
    if isinstance(node, ast.Import):
        return all(a.name in ("grader", "grader.judging.check") for a in node.names)
    return _is_kit_fallback(node)


def _is_kit_fallback(node: ast.stmt) -> bool:
    """``try: from grader import check`` / ``except ModuleNotFoundError: from gdgrade_kit
    import check``: the released self-check cell, which the student kit answers where
    gdgrade is not installed (``ImportError`` is accepted too)."""
    if not isinstance(node, ast.Try) or node.orelse or node.finalbody or len(node.handlers) != 1:
        return False
    (handler,) = node.handlers
    caught = handler.type
    fallback = handler.body
    return (
        len(node.body) == 1
        and isinstance(node.body[0], ast.Import | ast.ImportFrom)
        and _is_checks_import(node.body[0])
        and isinstance(caught, ast.Name)
        and caught.id in ("ModuleNotFoundError", "ImportError")
        and handler.name is None
        and len(fallback) == 1
        and isinstance(fallback[0], ast.ImportFrom)
        and fallback[0].module == "gdgrade_kit"
        and [(a.name, a.asname) for a in fallback[0].names] == [("check", None)]
    )


def check_ids(source: str) -> list[str]:
    """Check ids called by a cell made only of ``check("id", globals())`` calls.

    The calls may be preceded by ``from grader import check``, or by the released form that
    falls back to the student kit (``try: from grader import check`` / ``except
    ModuleNotFoundError: from gdgrade_kit import check``). Returns [] for any
    other cell (it is then run as ordinary code). Parses with ``ast``; never runs code.
    """
    try:
        tree = pysource.parse(source)
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
