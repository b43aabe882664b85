"""What a sandbox run did: the limits it ran under and the records built from the worker's facts.

``build_record`` turns the ``WorkerReport`` a zygote sends back
(``grader.inside.zygote.supervise``), or the ``WorkerFailure`` the pool saw instead, into an
``ExecutionRecord``: one ``CellRecord`` per cell, the notebook's status with a message the
student can act on (time-out, memory, crash, a worker that failed), and one ``Evidence`` per
probe request, an error Evidence where the probe never ran.

``SandboxLimits`` and ``CellRecord`` are wire types (``grader.protocol``), re-exported here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.evidence import WIRE, ErrorInfo, Evidence, ProbeRequest
from grader.protocol import CellRecord, PhaseRecord, SandboxLimits, WorkerReport

__all__ = [
    "CellRecord",
    "ExecutionRecord",
    "ExecutionStatus",
    "SandboxLimits",
    "WorkerFailure",
    "build_record",
]

MEMORY_ERRORS = ("MemoryError", "_ArrayMemoryError", "OutOfMemoryError")
MEMORY_TEXT = ("can't allocate memory", "DefaultCPUAllocator", "Cannot allocate memory")


ExecutionStatus = Literal["ok", "error", "timeout", "memory", "crashed"]


class WorkerFailure(BaseModel):
    """No report came back from the zygote: it died, stopped answering or sent a bad line."""

    model_config = ConfigDict(frozen=True)

    reason: str
    """What went wrong, e.g. ``"the sandbox worker died or stopped answering"``."""


class ExecutionRecord(BaseModel):
    """How a submission ran as a whole, and the evidence its probes collected."""

    model_config = WIRE

    status: ExecutionStatus
    """ok; a cell raised; a limit stopped a cell or the notebook; it ran out of memory;
    the process died (exit code or signal in the message)."""
    message: str = ""
    """What happened, for the student ("" when ok)."""
    cells: list[CellRecord] = Field(default_factory=list)
    """One record per cell given, in order (``skipped`` for those that never ran)."""
    evidence: list[Evidence] = Field(default_factory=list)
    """One Evidence per request, in order; an error Evidence where the probe could not run."""
    seconds: float = 0.0
    """Wall time of ``run``, queueing for a free worker excluded."""
    overhead_seconds: float = 0.0
    """``seconds`` minus the time in the cells and probes (fork, transfer, validation)."""


def _is_memory_error(out: dict[str, Any]) -> bool:
    text = str(out.get("evalue", ""))
    return out.get("ename") in MEMORY_ERRORS or any(t in text for t in MEMORY_TEXT)


def cell_name(i: int, names: list[str] | None) -> str:
    """How messages name the i-th cell run: its given name (the grader passes the grade id
    or the function it defines), else "code cell <i + 1>"."""
    return names[i] if names and i < len(names) and names[i] else f"code cell {i + 1}"


def _where(phase: PhaseRecord, names: list[str] | None = None) -> str:
    if phase.phase == "cell" and phase.cell is not None:
        return cell_name(phase.cell, names)
    if phase.phase == "probe":
        return f"the check '{phase.check_id}'"
    return "the notebook"


def _stopped(
    report: WorkerReport | WorkerFailure, lim: SandboxLimits, names: list[str] | None = None
) -> tuple[ExecutionStatus, str] | None:
    """Status and message when the child did not finish on its own; None when it did."""
    if isinstance(report, WorkerFailure):
        return "crashed", f"the grading worker failed: {report.reason}"
    killed = report.killed
    if killed is not None:
        if killed.reason == "total_timeout":
            return "timeout", (
                f"the notebook ran longer than its total limit of {lim.total_timeout:g} s and "
                f"was stopped during {_where(killed.during, names)}"
            )
        if killed.reason == "timeout":
            return "timeout", (
                f"{_where(killed.during, names)} ran longer than {lim.cell_timeout:g} s and was "
                "stopped"
            )
        return "crashed", f"the notebook's process broke the grading protocol ({killed.detail})"
    if report.ended:
        return None
    where = _where(report.phase, names)
    sig, code = report.signal, report.exit_code
    if sig == "SIGKILL":
        return "memory", (
            f"the notebook's process was killed during {where} (SIGKILL), most likely "
            f"for using too much memory (limit {lim.memory_mb} MiB)"
        )
    if sig == "SIGXCPU":
        return "timeout", f"the notebook used more CPU time than allowed during {where}"
    if sig is not None:
        return "crashed", f"the notebook's process was killed by {sig} during {where}"
    return "crashed", (
        f"the notebook's process exited with exit code {code} during {where}: do not call "
        "os._exit() or end the process in a notebook"
    )


def _cell_records(
    report: WorkerReport | WorkerFailure, n: int, stop: tuple[str, str] | None
) -> list[CellRecord]:
    """A record per cell: those that ran, the one that was running, the skipped rest."""
    ran = report.cells[:n] if isinstance(report, WorkerReport) else []
    records = [r if r.index == i else r.model_copy(update={"index": i}) for i, r in enumerate(ran)]
    if len(records) < n and stop is not None and isinstance(report, WorkerReport):
        status, message = stop
        if report.phase.phase == "cell" and report.phase.cell == len(records):
            error = {
                "output_type": "error",
                "ename": "CellTimeout" if status == "timeout" else "KernelDied",
                "evalue": message,
                "traceback": [],
            }
            cell_status = "timeout" if status == "timeout" else "error"
            records.append(
                CellRecord(
                    index=len(records),
                    status=cell_status,
                    outputs=[error],
                    seconds=report.phase_seconds,
                )
            )
    records.extend(CellRecord(index=i, status="skipped") for i in range(len(records), n))
    return records


def _summary(
    cells: list[CellRecord], lim: SandboxLimits, names: list[str] | None = None
) -> tuple[ExecutionStatus, str]:
    """Status and message of a notebook whose process finished."""
    failed = [c for c in cells if c.status in ("error", "timeout")]
    if not failed:
        return "ok", ""
    first = failed[0]
    more = f" ({len(failed) - 1} more cells failed)" if len(failed) > 1 else ""
    where = cell_name(first.index, names)
    error = next((o for o in first.outputs if o.get("output_type") == "error"), {})
    if first.status == "timeout":
        return "timeout", f"{where} ran longer than {lim.cell_timeout:g} s and was stopped{more}"
    if _is_memory_error(error):
        return "memory", f"{where} ran out of memory (limit {lim.memory_mb} MiB){more}"
    if error.get("ename") == "NotImplementedError":  # nbgrader's stub, still in place
        return "error", f"{where} is not answered (it still raises NotImplementedError){more}"
    return "error", f"{where} raised {error.get('ename')}: {str(error.get('evalue'))[:300]}{more}"


_VERB = {"crashed": "crashed", "timeout": "timed out", "memory": "ran out of memory"}


def _evidence(
    report: WorkerReport | WorkerFailure, requests: list[ProbeRequest], status: str, message: str
) -> list[Evidence]:
    """Evidence in request order; an error Evidence where a probe did not run."""
    got: dict[str, Evidence] = {}
    for ev in report.evidence if isinstance(report, WorkerReport) else []:
        got.setdefault(ev.check_id, ev)
    verb = _VERB.get(status, "stopped")
    out = []
    for request in requests:
        ev = got.get(request.check_id)
        if ev is None:
            err = ErrorInfo(
                type="NotRun",
                message=f"the notebook {verb} before this check could run: {message}",
            )
            ev = Evidence(check_id=request.check_id, error=err, meta={"not_run": True})
        out.append(ev)
    return out


def build_record(
    report: WorkerReport | WorkerFailure,
    cells: list[str],
    requests: list[ProbeRequest],
    lim: SandboxLimits,
    wall: float,
    names: list[str] | None = None,
) -> ExecutionRecord:
    """The ExecutionRecord for the worker's report on one job (or the pool's failure);
    ``names``: how messages name each cell (``cell_name``)."""
    stop = _stopped(report, lim, names)
    records = _cell_records(report, len(cells), stop)
    status, message = stop if stop is not None else _summary(records, lim, names)
    evidence = _evidence(report, requests, status, message or "unknown reason")
    busy = sum(c.seconds for c in records) + sum(e.seconds for e in evidence)
    return ExecutionRecord(
        status=status,
        message=message,
        cells=records,
        evidence=evidence,
        seconds=wall,
        overhead_seconds=max(0.0, wall - busy),
    )
