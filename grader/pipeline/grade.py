"""Grade one submission: notebook -> sandbox -> evidence -> judges -> SubmissionResult.

``run_checks`` is the one path from code cells to CheckResults (run in the sandbox with the
checks' probes, then judge); ``grade_notebook``, the self-check and the pytest session use it.

Test cells that only call ``check("<id>", globals())`` are not executed as code: their
checks are probed inside the worker after the student's cells ran and judged here. Any
other test cell (plain asserts) runs in the sandbox in place and scores like nbgrader does
(full points unless it raises).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from grader.errors import NotebookError
from grader.evidence import CheckResult, ErrorInfo, Evidence, ProbeRequest
from grader.judging import registry
from grader.judging.check import Check
from grader.nbgrader_io import notebooks, restoration
from grader.outputs.results import CellResult, SubmissionResult

if TYPE_CHECKING:
    from grader.sandbox.execution import ExecutionRecord
    from grader.sandbox.pool import Sandbox

_STATUS_ORDER = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}
MAX_LISTED = 10
"""Notebooks a missing notebook's message names at most."""


@dataclass(frozen=True)
class GradeCell:
    """A test cell of the source notebook and what grading it takes."""

    grade_id: str
    points: float
    index: int
    """Position of the cell in the (restored) submission."""
    check_ids: tuple[str, ...]
    """Checks the cell calls; empty for a plain assert cell, which runs as code."""


def plan(nb: nbformat.NotebookNode) -> tuple[list[str], list[int], list[GradeCell]]:
    """Code to run, the notebook index of each code cell run, and the grade cells.

    Roles come from ``notebooks.cells`` (NotebookError on malformed nbgrader metadata).
    """
    sources: list[str] = []
    indices: list[int] = []
    cells: list[GradeCell] = []
    for record in notebooks.cells(nb):
        if record.cell_type != "code":
            continue
        if record.kind == "test":
            gid = record.grade_id
            assert gid is not None  # a test cell has a grade_id
            cells.append(GradeCell(gid, record.points, record.index, record.check_ids))
        if not record.check_ids:
            sources.append(record.source)
            indices.append(record.index)
    return sources, indices, cells


def cell_names(nb: nbformat.NotebookNode, indices: list[int]) -> list[str]:
    """How messages name the code cells run: "cell 'iterates'" by grade id, else by the
    functions it defines ("the cell defining gd_iterates"), else its place in the notebook
    ("cell 5 of the notebook", counting every cell from 1)."""
    out = []
    for i in indices:
        cell = nb.cells[i]
        meta = notebooks.metadata(cell, i)
        gid = meta.grade_id if meta else None
        defined = re.findall(r"^def (\w+)", cell.get("source", ""), flags=re.M)
        if gid:
            out.append(f"cell '{gid}'")
        elif defined:
            out.append(f"the cell defining {', '.join(defined)}")
        else:
            out.append(f"cell {i + 1} of the notebook")
    return out


def run_checks(
    sandbox: Sandbox,
    sources: list[str],
    checks: Iterable[Check],
    names: list[str] | None = None,
) -> tuple[ExecutionRecord, dict[str, CheckResult]]:
    """Run the code cells in the sandbox with the checks' probes, then judge every check.

    The one path from a notebook's code to CheckResults: ``grade_notebook`` (autograde and
    ``gdgrade grade``), the student's self-check and the pytest session all use it. Results
    are keyed by check id, in the order given (a repeated check runs once).
    ``names``: how messages name each cell (``cell_names``).
    """
    wanted = {chk.id: chk for chk in checks}
    requests = {cid: chk.request() for cid, chk in wanted.items()}
    record = sandbox.run(sources, list(requests.values()), names=names)
    return record, _judge(wanted, requests, record)


def sha256(path: Path) -> str:
    """Hex digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def grade_notebook(
    submission: Path,
    source: Path,
    *,
    student: str,
    assignment: str,
    sandbox: Sandbox,
) -> tuple[SubmissionResult, nbformat.NotebookNode | None]:
    """Grade one notebook against its source; return the result and the executed notebook."""
    start = time.perf_counter()
    registry.load_near(source)  # the course's own checks/<assignment>.py, if it has some
    source_nb = notebooks.read(source)
    digest = sha256(submission) if submission.is_file() else ""
    base = {"student": student, "assignment": assignment, "notebook": source.stem}
    try:
        submitted = notebooks.read(submission)
    except NotebookError as exc:
        _, _, grade_cells = plan(source_nb)
        why = missing(submission) if not submission.exists() else f"could not be read: {exc}"
        result = _all_zero(grade_cells, base, f"Your notebook {why}")
        return result.model_copy(update={"notebook_sha256": digest}), None
    restored, messages = restoration.restore(submitted, source_nb)
    sources, indices, grade_cells = plan(restored)
    checks = [registry.get(cid) for cell in grade_cells for cid in cell.check_ids]
    record, results = run_checks(sandbox, sources, checks, cell_names(restored, indices))
    by_index = dict(zip(indices, record.cells, strict=False))
    cell_results = [_cell_result(cell, results, by_index.get(cell.index)) for cell in grade_cells]
    _fill_outputs(restored, by_index, cell_results, grade_cells)
    messages = [*messages, *([record.message] if record.status != "ok" else [])]
    result = SubmissionResult(
        **base,
        score=round(sum(c.points for c in cell_results), 6),
        max_score=sum(c.max_points for c in cell_results),
        cells=cell_results,
        execution=record.status,
        messages=messages,
        seconds=time.perf_counter() - start,
        notebook_sha256=digest,
        sandbox=sandbox.describe_containment(),
    )
    return result, restored


def missing(submission: Path) -> str:
    """Why a notebook that is not there scores 0: the name and place graded, and the
    notebooks found around it (hidden folders and checkpoints left out)."""
    folder = submission.parent
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = Path(here).relative_to(folder)
        found += [(rel / f).as_posix() for f in sorted(files) if f.endswith(".ipynb")]
    where = "the current folder" if folder == Path() else str(folder)
    listed = ", ".join(found[:MAX_LISTED]) or "none"
    if len(found) > MAX_LISTED:
        listed += f" and {len(found) - MAX_LISTED} more"
    return (
        f"was not found: the notebook graded is {submission} and every test scores 0 "
        f"without it; notebooks found in {where}: {listed}. "
        f"Name your notebook {submission.name} and put it there."
    )


def _judge(
    checks: dict[str, Check], requests: dict[str, ProbeRequest], record: ExecutionRecord
) -> dict[str, CheckResult]:
    """Judge each check on its evidence; a check with no evidence scores zero with a reason."""
    evidence = {e.check_id: e for e in record.evidence}
    out: dict[str, CheckResult] = {}
    for cid, chk in checks.items():
        ev = evidence.get(cid) or Evidence(
            check_id=cid,
            error=ErrorInfo(
                type="NotGraded",
                message=f"the notebook stopped before this check could run ({record.message})",
            ),
        )
        out[cid] = chk.grade(requests[cid], ev)
    return out


def _cell_result(cell: GradeCell, results: dict[str, CheckResult], run: object) -> CellResult:
    """Points of one grade cell: its checks' points, or nbgrader's rule for plain cells."""
    if cell.check_ids:
        checks = [results[cid] for cid in cell.check_ids]
        earned = min(cell.points, sum(c.points for c in checks))
        status = max((c.status for c in checks), key=_STATUS_ORDER.__getitem__)
        return CellResult(
            grade_id=cell.grade_id,
            points=earned,
            max_points=cell.points,
            status=status,
            checks=checks,
        )
    ok = run is not None and getattr(run, "status", "") == "ok"
    feedback = "" if ok else _cell_error_text(run)
    return CellResult(
        grade_id=cell.grade_id,
        points=cell.points if ok else 0.0,
        max_points=cell.points,
        status="passed" if ok else ("failed" if run is not None else "error"),
        feedback=feedback,
    )


def _cell_error_text(run: object) -> str:
    """The error a plain test cell raised, as text."""
    if run is None or getattr(run, "status", "") == "skipped":
        return "This test cell did not run: the notebook stopped before it."
    for out in getattr(run, "outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"
    return f"The test cell ended with status {getattr(run, 'status', '?')}."


def _fill_outputs(
    nb: nbformat.NotebookNode,
    by_index: dict[int, object],
    cell_results: list[CellResult],
    grade_cells: list[GradeCell],
) -> None:
    """Put the sandbox's outputs, ``In [n]`` numbers and the checks' feedback into the
    executed notebook (a check cell is judged, not run: it gets no number)."""
    for index, run in by_index.items():
        nb.cells[index].outputs = [nbformat.from_dict(o) for o in getattr(run, "outputs", [])]
        nb.cells[index].execution_count = getattr(run, "execution_count", None)
    for cell, result in zip(grade_cells, cell_results, strict=True):
        if not cell.check_ids:
            continue
        text = "\n".join(
            f"[{c.status}] {c.name}: {c.points:g}/{c.max_points:g}\n{c.feedback}".rstrip()
            for c in result.checks
        )
        nb.cells[cell.index].outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=text + "\n")
        ]
        nb.cells[cell.index].execution_count = None


def _all_zero(grade_cells: list[GradeCell], base: dict[str, str], message: str) -> SubmissionResult:
    """A result that scores every grade cell zero with one message (unreadable notebook)."""
    cells = [
        CellResult(
            grade_id=c.grade_id,
            points=0.0,
            max_points=c.points,
            status="error",
            feedback=message,
        )
        for c in grade_cells
    ]
    return SubmissionResult(
        **base,
        score=0.0,
        max_score=sum(c.points for c in grade_cells),
        cells=cells,
        execution="invalid",
        messages=[message],
    )
