"""The messages between the sandbox pool and its workers, one JSON line each.

A neutral leaf like ``grader.evidence`` (standard library, pydantic and the evidence models
only), so both sides of the sandbox import it::

    pool   --JobRecord-->    zygote  (stdin)      one per submission
    zygote --ReadyReport-->  pool    (stdout)     once, after the warm-up
    child  --ChildEvent-->   zygote  (a pipe)     a stream: cell started, cell done,
                                                  probe started, evidence, ended
    zygote --WorkerReport--> pool    (stdout)     one per job: what it saw and why it stopped

Each side writes ``line(message)`` (``model_dump_json()`` and a newline) and reads with
``model_validate_json`` (``CHILD_EVENT.validate_json`` for the discriminated union of
events). NaN and inf travel as the JSON constants ``NaN``, ``Infinity`` and ``-Infinity``
(every model here has ``grader.evidence.WIRE``'s config), which pydantic reads back as
floats; a line that does not validate is a protocol error of the side that sent it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter
from pydantic_core import PydanticSerializationError

from grader.evidence import WIRE, Evidence, ProbeRequest


class SandboxLimits(BaseModel):
    """Limits applied to one submission."""

    model_config = WIRE

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


class JobRecord(BaseModel):
    """One submission for a zygote to run: the pool's line on the zygote's stdin."""

    model_config = WIRE

    cells: list[str]
    """Source of each code cell to run, in order."""
    requests: list[ProbeRequest] = Field(default_factory=list)
    """The probes to run after the cells, in order."""
    limits: SandboxLimits = Field(default_factory=SandboxLimits)
    """Time, memory and output limits of this job."""


class ContainmentRecord(BaseModel):
    """How a worker's children are contained, decided once per worker by a dry run."""

    model_config = WIRE

    on: bool = False
    """Some containment beyond resource limits holds (namespaces, a uid of its own)."""
    namespaces: bool = False
    """Children get their own mount and network namespaces (``grader.inside.isolation``)."""
    uid: int | None = None
    """The unprivileged uid children run as (a root worker only), else None."""
    facts: list[str] = Field(default_factory=list)
    """What holds, in words, e.g. ``"no network"``, ``"an unprivileged uid of its own"``."""
    problems: list[str] = Field(default_factory=list)
    """Why the stronger levels were refused (the dry runs' errors), or that it is off."""


class DryRunReport(BaseModel):
    """What a throwaway containment child says back to the worker deciding the level."""

    model_config = WIRE

    facts: list[str] = Field(default_factory=list)
    """What the containment enforced (when it worked)."""
    error: str | None = None
    """``"<ExceptionType>: <message>"`` when containing or reading Python failed."""


class ReadyReport(BaseModel):
    """The zygote's first line: warmed up and ready for jobs."""

    model_config = WIRE

    kind: Literal["ready"] = "ready"
    """Tag of the message."""
    seconds: float
    """Seconds the warm-up (imports and one torch step) took."""
    pid: int
    """Process id of the zygote."""
    containment: ContainmentRecord
    """How this zygote's children are contained."""


class CellRecord(BaseModel):
    """How one code cell ran."""

    model_config = WIRE

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
    execution_count: int | None = None
    """The ``In [n]`` number IPython gave the cell, as Jupyter shows it; None when it took
    none (a blank cell, one that never ran or was stopped before IPython counted it)."""


# -- the child's events -------------------------------------------------------------------


class CellStartedEvent(BaseModel):
    """The child is about to run a cell."""

    model_config = WIRE

    kind: Literal["cell_started"] = "cell_started"
    """Tag of the event."""
    cell: int
    """Index of the cell in ``JobRecord.cells``."""


class CellDoneEvent(BaseModel):
    """A cell finished (ok, raised or stopped by its alarm)."""

    model_config = WIRE

    kind: Literal["cell_done"] = "cell_done"
    """Tag of the event."""
    record: CellRecord
    """How it ran, its outputs included."""


class ProbeStartedEvent(BaseModel):
    """The child is about to run the probe of a check."""

    model_config = WIRE

    kind: Literal["probe_started"] = "probe_started"
    """Tag of the event."""
    check_id: str
    """The check whose probe runs."""


class EvidenceEvent(BaseModel):
    """A probe finished; what it recorded."""

    model_config = WIRE

    kind: Literal["evidence"] = "evidence"
    """Tag of the event."""
    evidence: Evidence
    """The probe's Evidence (an error Evidence when the probe failed)."""


class EndedEvent(BaseModel):
    """Every cell and probe ran; the child is about to exit."""

    model_config = WIRE

    kind: Literal["ended"] = "ended"
    """Tag of the event."""


ChildEvent = Annotated[
    CellStartedEvent | CellDoneEvent | ProbeStartedEvent | EvidenceEvent | EndedEvent,
    Field(discriminator="kind"),
]
"""One line the child writes on its event pipe, told apart by ``kind``."""
CHILD_EVENT: TypeAdapter[ChildEvent] = TypeAdapter(ChildEvent)
"""Reads (``validate_json``) and writes (``dump_json``) a ``ChildEvent``."""


# -- the zygote's report ------------------------------------------------------------------


class PhaseRecord(BaseModel):
    """Where a child was in its job."""

    model_config = WIRE

    phase: Literal["setup", "cell", "between", "probe"] = "setup"
    """Confining itself; in a cell; between cells or probes; in a probe."""
    cell: int | None = None
    """Index of the cell running (``phase == "cell"``)."""
    check_id: str | None = None
    """The check whose probe is running (``phase == "probe"``)."""


KillReason = Literal["timeout", "total_timeout", "protocol"]
"""Why the zygote kills a child (see ``KilledRecord.reason``)."""


class KilledRecord(BaseModel):
    """Why the zygote killed a child."""

    model_config = WIRE

    reason: KillReason
    """A cell or probe ran past its limit plus grace; the whole job ran past its limit;
    the child sent a line that is too large or does not validate."""
    during: PhaseRecord = Field(default_factory=PhaseRecord)
    """Where the child was when it was killed."""
    detail: str = ""
    """What broke the protocol (``reason == "protocol"``), in words."""


class WorkerReport(BaseModel):
    """The zygote's answer to one job: the raw facts ``grader.sandbox.execution`` reads."""

    model_config = WIRE

    cells: list[CellRecord] = Field(default_factory=list)
    """Records of the cells that finished, in order."""
    evidence: list[Evidence] = Field(default_factory=list)
    """Evidence of the probes that finished, in order."""
    ended: bool = False
    """The child sent ``EndedEvent``: it ran everything."""
    killed: KilledRecord | None = None
    """Set when the zygote killed the child."""
    phase: PhaseRecord = Field(default_factory=PhaseRecord)
    """Where the child was at its last event."""
    phase_seconds: float = 0.0
    """Seconds since the child's last event (how long the current phase ran)."""
    exit_code: int | None = None
    """The child's exit status when it exited."""
    signal: str | None = None
    """Name of the signal that ended the child (e.g. ``"SIGKILL"``), if one did."""
    scratch: str = ""
    """The child's scratch directory (removed by now)."""
    seconds: float = 0.0
    """Wall time of the job in the zygote, fork to reap."""


def line(message: BaseModel) -> bytes:
    """``message`` as one JSON line (UTF-8, ending in a newline), ready to write.

    Text the student produced may hold lone surrogates (``"\\udcff"`` from a
    ``surrogateescape`` decode), which JSON cannot carry as UTF-8: those become ``?``.
    """
    try:
        return message.model_dump_json().encode() + b"\n"
    except PydanticSerializationError:
        text = json.dumps(message.model_dump(mode="json"), ensure_ascii=False)
        return text.encode("utf-8", "replace") + b"\n"
