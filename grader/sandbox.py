"""Run a submission's cells in an isolated, warm worker; get back records and Evidence.

``Sandbox(workers=N)`` starts N zygote processes (``grader.worker``) that have torch
imported and exercised; ``run`` sends one job to a free zygote, which forks a fresh child
for it. A job that crashes, hangs or exhausts memory comes back as an ExecutionRecord that
says so; a zygote that dies is replaced and the next job runs normally.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from grader.errors import SandboxError
from grader.evidence import Evidence, ProbeRequest


class SandboxLimits(BaseModel):
    """Limits applied to one submission."""

    model_config = ConfigDict(frozen=True)

    cell_timeout: float = 60.0
    """Seconds one cell (or one probe) may run."""
    total_timeout: float = 600.0
    """Seconds the whole notebook, probes included, may run."""
    memory_mb: int = 4096
    """Address space the student's code may add to the warm worker, in MiB."""
    output_bytes: int = 200_000
    """Characters of captured output kept per stream and cell."""


class CellRecord(BaseModel):
    """How one code cell ran."""

    model_config = ConfigDict(frozen=True)

    status: Literal["ok", "error", "timeout"]
    """ok, raised an exception, or stopped at the time limit."""
    outputs: list[dict[str, Any]] = Field(default_factory=list)
    """nbformat v4 output dicts (stream, display_data, execute_result, error)."""
    seconds: float = 0.0
    """Wall time of the cell."""


class ExecutionRecord(BaseModel):
    """How a submission ran as a whole, and the evidence its probes collected."""

    model_config = ConfigDict(frozen=True)

    status: Literal["ok", "error", "timeout", "memory", "crashed"]
    """ok; a cell raised; a limit stopped it; it ran out of memory; the process died."""
    message: str = ""
    """What happened, for the student."""
    cells: list[CellRecord] = Field(default_factory=list)
    """One record per cell that ran, in order."""
    evidence: list[Evidence] = Field(default_factory=list)
    """Validated Evidence for each probe that finished."""
    seconds: float = 0.0
    """Wall time in the worker."""
    overhead_seconds: float = 0.0
    """Time beyond the cells and probes themselves (fork, transfer, validation)."""


_MEMORY_ERRORS = ("MemoryError", "_ArrayMemoryError", "OutOfMemoryError")


class _Zygote:
    """One warm worker process and its pipes."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME", "PYTHONPATH")}
        env.update({"OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        ready = self.proc.stdout.readline() if self.proc.stdout else ""
        if not ready:
            raise SandboxError("the sandbox worker failed to start")
        self.warmup_seconds = float(json.loads(ready)["seconds"])

    def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SandboxError("the sandbox worker died")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Sandbox:
    """A pool of warm workers; ``run`` is thread-safe (one job per worker at a time)."""

    def __init__(self, workers: int = 1, limits: SandboxLimits | None = None) -> None:
        self.limits = limits or SandboxLimits()
        self._free: queue.Queue[_Zygote] = queue.Queue()
        for _ in range(max(1, workers)):
            self._free.put(_Zygote())

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker."""
        while not self._free.empty():
            self._free.get_nowait().close()

    def run(
        self,
        cells: list[str],
        requests: list[ProbeRequest],
        *,
        limits: SandboxLimits | None = None,
    ) -> ExecutionRecord:
        """Run cells then probes in a fresh child of a warm worker."""
        lim = limits or self.limits
        job = {
            "cells": cells,
            "requests": [r.model_dump(mode="json") for r in requests],
            "limits": lim.model_dump(),
        }
        start = time.perf_counter()
        zygote = self._free.get()
        try:
            raw = zygote.ask(job)
        except SandboxError as exc:
            zygote.close()
            zygote = _Zygote()
            raw = {"status": "crashed", "message": str(exc), "cells": [], "evidence": []}
        finally:
            self._free.put(zygote)
        return _record(raw, lim, time.perf_counter() - start)


def _record(raw: dict[str, Any], limits: SandboxLimits, wall: float) -> ExecutionRecord:
    """Validate the worker's answer; evidence that does not validate is dropped."""
    cells = [CellRecord.model_validate(c) for c in raw.get("cells", [])]
    evidence = []
    for item in raw.get("evidence", []):
        try:
            evidence.append(Evidence.model_validate(item))
        except ValidationError:
            continue
    status, message = raw.get("status", "crashed"), raw.get("message", "")
    errors = [
        (i, o) for i, c in enumerate(cells) for o in c.outputs if o.get("output_type") == "error"
    ]
    late = next((i for i, c in enumerate(cells) if c.status == "timeout"), None)
    if status == "ok" and late is not None:
        status = "timeout"
        message = f"cell {late + 1} ran longer than {limits.cell_timeout:g} s and was stopped"
    elif status == "ok" and errors:
        i, out = errors[0]
        if out.get("ename") in _MEMORY_ERRORS or "can't allocate memory" in out.get("evalue", ""):
            status = "memory"
            message = f"cell {i + 1} ran out of memory (limit {limits.memory_mb} MiB)"
        else:
            status = "error"
            message = f"cell {i + 1} raised {out.get('ename')}: {out.get('evalue', '')[:300]}"
    busy = sum(c.seconds for c in cells) + sum(e.seconds for e in evidence)
    return ExecutionRecord(
        status=status,
        message=message,
        cells=cells,
        evidence=evidence,
        seconds=wall,
        overhead_seconds=max(0.0, wall - busy),
    )
