"""What a sandbox run did: the limits it ran under and the records built from the worker's facts.

``build_record`` turns the raw JSON a zygote sends back (``grader.inside.zygote.supervise``) into
an ``ExecutionRecord``: one ``CellRecord`` per cell, the notebook's status with a message
the student can act on (time-out, memory, crash, a worker that failed), and one validated
``Evidence`` per probe request, an error Evidence where the probe never ran.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.evidence import ErrorInfo, Evidence, ProbeRequest

MEMORY_ERRORS = ("MemoryError", "_ArrayMemoryError", "OutOfMemoryError")
MEMORY_TEXT = ("can't allocate memory", "DefaultCPUAllocator", "Cannot allocate memory")


class SandboxLimits(BaseModel):
    """Limits applied to one submission."""

    model_config = ConfigDict(frozen=True)

    cell_timeout: float = Field(30.0, gt=0)
    """Seconds one cell (or one probe) may run."""
    total_timeout: float = Field(300.0, gt=0)
    """Seconds the whole notebook, probes included, may run."""
    memory_mb: int = Field(4096, gt=0)
    """Address space the student's code may add to the warm worker, in MiB."""
    output_bytes: int = Field(200_000, ge=0)
    """Characters of output (text, images as base64) kept per cell."""
    total_output_bytes: int = Field(2_000_000, ge=0)
    """Characters of output kept for the whole notebook."""


class CellRecord(BaseModel):
    """How one code cell ran."""

    model_config = ConfigDict(frozen=True)

    index: int = 0
    """Position of the cell in the list given to ``Sandbox.run``."""
    status: Literal["ok", "error", "timeout", "skipped"]
    """ok; raised an exception; stopped at the time limit; never ran (the notebook died
    or was stopped before it)."""
    outputs: list[dict[str, Any]] = Field(default_factory=list)
    """nbformat v4 output dicts (stream, display_data incl. image/png, execute_result,
    error), capped by ``SandboxLimits.output_bytes`` with a note when cut."""
    seconds: float = 0.0
    """Wall time of the cell."""


ExecutionStatus = Literal["ok", "error", "timeout", "memory", "crashed"]


class ExecutionRecord(BaseModel):
    """How a submission ran as a whole, and the evidence its probes collected."""

    model_config = ConfigDict(frozen=True)

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


def _where(phase: dict[str, Any]) -> str:
    if phase.get("phase") == "cell":
        return f"code cell {int(phase['cell']) + 1}"
    if phase.get("phase") == "probe":
        return f"the check '{phase['check_id']}'"
    return "the notebook"


def _stopped(raw: dict[str, Any], lim: SandboxLimits) -> tuple[ExecutionStatus, str] | None:
    """Status and message when the child did not finish on its own; None when it did."""
    if "worker_failed" in raw:
        return "crashed", f"the grading worker failed: {raw['worker_failed']}"
    killed, phase = raw.get("killed"), raw.get("phase", {})
    if killed is not None:
        reason = killed.get("reason")
        if reason == "total_timeout":
            return "timeout", (
                f"the notebook ran longer than its total limit of {lim.total_timeout:g} s and "
                f"was stopped during {_where(killed)}"
            )
        if reason == "timeout":
            return "timeout", (
                f"{_where(killed)} ran longer than {lim.cell_timeout:g} s and was stopped"
            )
        return "crashed", f"the notebook's process broke the grading protocol ({killed['detail']})"
    if raw.get("ended"):
        return None
    where = _where(phase)
    sig, code = raw.get("signal"), raw.get("exit_code")
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


def _cell_records(raw: dict[str, Any], n: int, stop: tuple[str, str] | None) -> list[CellRecord]:
    """A record per cell: those that ran, the one that was running, the skipped rest."""
    ran = [CellRecord.model_validate(c) for c in raw.get("cells", [])][:n]
    records = [r.model_copy(update={"index": i}) for i, r in enumerate(ran)]
    if len(records) < n and stop is not None:
        status, message = stop
        phase = raw.get("phase", {})
        if phase.get("phase") == "cell" and int(phase.get("cell", -1)) == len(records):
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
                    seconds=float(raw.get("phase_seconds", 0.0)),
                )
            )
    records.extend(CellRecord(index=i, status="skipped") for i in range(len(records), n))
    return records


def _summary(cells: list[CellRecord], lim: SandboxLimits) -> tuple[ExecutionStatus, str]:
    """Status and message of a notebook whose process finished."""
    failed = [c for c in cells if c.status in ("error", "timeout")]
    if not failed:
        return "ok", ""
    first = failed[0]
    more = f" ({len(failed) - 1} more cells failed)" if len(failed) > 1 else ""
    where = f"code cell {first.index + 1}"
    error = next((o for o in first.outputs if o.get("output_type") == "error"), {})
    if first.status == "timeout":
        return "timeout", f"{where} ran longer than {lim.cell_timeout:g} s and was stopped{more}"
    if _is_memory_error(error):
        return "memory", f"{where} ran out of memory (limit {lim.memory_mb} MiB){more}"
    return "error", f"{where} raised {error.get('ename')}: {str(error.get('evalue'))[:300]}{more}"


_VERB = {"crashed": "crashed", "timeout": "timed out", "memory": "ran out of memory"}


def _evidence(
    raw: dict[str, Any], requests: list[ProbeRequest], status: str, message: str
) -> list[Evidence]:
    """Validated Evidence in request order; an error Evidence where a probe did not run."""
    got: dict[str, Evidence] = {}
    for item in raw.get("evidence", []):
        try:
            ev = Evidence.model_validate(item)
        except ValidationError as exc:
            cid = item.get("check_id") if isinstance(item, dict) else None
            if isinstance(cid, str):
                err = ErrorInfo(type="InvalidEvidence", message=str(exc).splitlines()[0])
                got.setdefault(cid, Evidence(check_id=cid, error=err))
            continue
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
    raw: dict[str, Any],
    cells: list[str],
    requests: list[ProbeRequest],
    lim: SandboxLimits,
    wall: float,
) -> ExecutionRecord:
    """The ExecutionRecord for the worker's raw facts about one job."""
    stop = _stopped(raw, lim)
    records = _cell_records(raw, len(cells), stop)
    status, message = stop if stop is not None else _summary(records, lim)
    evidence = _evidence(raw, requests, status, message or "unknown reason")
    busy = sum(c.seconds for c in records) + sum(e.seconds for e in evidence)
    return ExecutionRecord(
        status=status,
        message=message,
        cells=records,
        evidence=evidence,
        seconds=wall,
        overhead_seconds=max(0.0, wall - busy),
    )
