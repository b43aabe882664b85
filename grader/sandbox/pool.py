"""Run a submission's cells in an isolated, warm worker; get back records and Evidence.

``Sandbox(workers=N)`` starts N zygote processes (``python -m grader.inside.zygote``) that have
torch imported and exercised; ``run`` sends one job to a free zygote, which forks a fresh,
confined child for it (see ``grader.inside.zygote``). Whatever the student's code does (raise,
loop, sleep, exit the process, exhaust memory, flood the output), ``run`` returns an
``ExecutionRecord`` that says what happened, and the next submission runs normally. A
zygote that dies or stops answering is replaced.

Only JSON crosses the boundary, one ``grader.protocol`` message a line: a ``JobRecord`` in,
a ``ReadyReport`` once and a ``WorkerReport`` per job out (cell outputs as nbformat v4
dicts, Evidence), validated here with pydantic; a report that does not validate counts as a
failed worker. A check whose probe never ran (the notebook died first) gets an Evidence
with an error saying why, so its judge scores zero with that message.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence

from pydantic import ValidationError

from grader.errors import SandboxError, WorkerStartError
from grader.evidence import ProbeRequest
from grader.paths import REPO_ROOT
from grader.protocol import ContainmentRecord, JobRecord, ReadyReport, WorkerReport, line
from grader.sandbox.execution import ExecutionRecord, SandboxLimits, WorkerFailure, build_record

ROOT = REPO_ROOT
"""Directory holding the ``grader`` package; the zygote starts there (not a PYTHONPATH)."""
START_TIMEOUT = 180.0
"""Seconds a zygote may take to import torch and warm up."""
ANSWER_MARGIN = 30.0
"""Seconds beyond the total limit the parent waits for a zygote before replacing it."""


class _Zygote:
    """One warm worker process and its pipes."""

    def __init__(self, home: str, isolate: bool = True, hide: Sequence[str] = ()) -> None:
        env = {
            "GDGRADE_ISOLATE": "1" if isolate else "0",
            "GDGRADE_HIDE": os.pathsep.join(os.path.abspath(p) for p in hide),
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": home,
            "IPYTHONDIR": os.path.join(home, "ipython"),
            "MPLCONFIGDIR": os.path.join(home, "mpl"),
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "TMPDIR": os.path.join(home, "tmp"),  # scratch dirs: removed with the sandbox
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.inside.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
        )
        self.warmup_seconds = 0.0
        self.containment = ContainmentRecord()

    def wait_ready(self) -> None:
        """Block until the zygote has warmed up; WorkerStartError if it does not."""
        data = self._readline(time.monotonic() + START_TIMEOUT)
        try:
            ready = None if data is None else ReadyReport.model_validate_json(data)
        except ValidationError:
            ready = None
        if ready is None:
            self.close()
            raise WorkerStartError(
                f"the sandbox worker did not start (exit code {self.proc.returncode}); "
                f"try `{sys.executable} -m grader.inside.zygote` to see why"
            )
        self.warmup_seconds = ready.seconds
        self.containment = ready.containment

    def _readline(self, deadline: float) -> bytes | None:
        """One line from the zygote, or None when it died or the deadline passed."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        parts: list[bytes] = []
        while not parts or not parts[-1].endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                self.proc.wait()
                return None
            parts.append(chunk)
        return b"".join(parts)

    def ask(self, job: JobRecord, wait: float) -> WorkerReport:
        """Send a job and wait for the report; SandboxError when the zygote fails."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line(job))
            self.proc.stdin.flush()
        except OSError:
            raise SandboxError("the sandbox worker died before the notebook ran") from None
        data = self._readline(time.monotonic() + wait)
        if data is None:
            raise SandboxError("the sandbox worker died or stopped answering")
        try:
            return WorkerReport.model_validate_json(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "the line"
            raise SandboxError(
                f"the sandbox worker sent an unreadable report ({where}: {first['msg']})"[:300]
            ) from None

    def close(self) -> None:
        """Stop the zygote (its children are killed with it by their own watchdog)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


class Sandbox:
    """A pool of warm workers; ``run`` is thread-safe (one job per worker at a time)."""

    def __init__(
        self,
        workers: int = 1,
        limits: SandboxLimits | None = None,
        *,
        isolate: bool = True,
        hide: Sequence[str] = (),
    ) -> None:
        """Start ``workers`` warm zygotes (blocks until they are ready).

        ``isolate``: contain each child as far as this machine allows (``containment``
        says how); ``hide``: directories the notebook must not read (the course directory).
        """
        self.limits = limits or SandboxLimits()
        self._options = {"isolate": isolate, "hide": tuple(hide)}
        self._home = tempfile.mkdtemp(prefix="gdgrade-worker-")
        os.makedirs(os.path.join(self._home, "tmp"))
        for path in (self._home, os.path.join(self._home, "tmp")):
            os.chmod(path, 0o711)  # a child running as its own uid can reach its scratch dir
        self._free: queue.Queue[_Zygote] = queue.Queue()
        self._all: list[_Zygote] = []
        self._lock = threading.Lock()
        self._closed = False
        try:
            zygotes = [_Zygote(self._home, **self._options) for _ in range(max(1, workers))]
            self._all.extend(zygotes)
            for z in zygotes:
                z.wait_ready()
                self._free.put(z)
        except BaseException:
            self.close()
            raise

    @property
    def containment(self) -> ContainmentRecord:
        """How children are contained: ``on``, ``namespaces``, ``uid``, ``facts``, ``problems``."""
        return self._all[0].containment if self._all else ContainmentRecord()

    def describe_containment(self) -> str:
        """One line for the instructor: what the sandbox enforces beyond rlimits."""
        c = self.containment
        if c.on:
            return "sandbox: " + "; ".join(c.facts)
        why = "; ".join(c.problems) or "unknown"
        return f"sandbox: resource limits only, no namespaces ({why}); see SECURITY.md"

    @property
    def workers(self) -> int:
        """Number of worker slots."""
        return len(self._all)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker and remove their home directory."""
        with self._lock:
            self._closed = True
            zygotes, self._all = self._all, []
        for z in zygotes:
            z.close()
        shutil.rmtree(self._home, ignore_errors=True)

    def run(
        self,
        cells: list[str],
        requests: list[ProbeRequest],
        *,
        limits: SandboxLimits | None = None,
        names: list[str] | None = None,
    ) -> ExecutionRecord:
        """Run the cells, then one probe per request, in a fresh child of a warm worker;
        ``names``: how messages name each cell (default "code cell <n>")."""
        lim = limits or self.limits
        job = JobRecord(cells=list(cells), requests=list(requests), limits=lim)
        zygote: _Zygote | None = self._take()
        start = time.perf_counter()
        if zygote.proc.poll() is not None:  # died between jobs: not this notebook's doing
            zygote = self._replace(zygote)
            if zygote is None:
                raise SandboxError("a sandbox worker died and could not be restarted")
        report: WorkerReport | WorkerFailure
        try:
            report = zygote.ask(job, lim.total_timeout + ANSWER_MARGIN)
        except SandboxError as exc:
            report = WorkerFailure(reason=str(exc))
            zygote = self._replace(zygote)
        finally:
            if zygote is not None:
                self._free.put(zygote)
        return build_record(report, cells, requests, lim, time.perf_counter() - start, names)

    def _take(self) -> _Zygote:
        """A free zygote; SandboxError when the sandbox is closed or has none left."""
        while True:
            with self._lock:
                if self._closed or not self._all:
                    raise SandboxError("the sandbox is closed or has no worker left")
            try:
                return self._free.get(timeout=1.0)
            except queue.Empty:
                continue

    def _replace(self, old: _Zygote) -> _Zygote | None:
        """A fresh zygote in place of a failed one (None if closed or it fails to start)."""
        old.close()
        with self._lock:
            if old in self._all:
                self._all.remove(old)
            if self._closed:
                return None
        new = _Zygote(self._home, **self._options)
        try:
            new.wait_ready()
        except WorkerStartError:
            return None
        with self._lock:
            if self._closed:
                new.close()
                return None
            self._all.append(new)
        return new
