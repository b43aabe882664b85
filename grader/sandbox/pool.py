"""Run a submission's cells in an isolated, warm worker; get back records and Evidence.

``Sandbox(workers=N)`` starts one warm process (``python -m grader.inside.forkserver``,
launched by ``grader.sandbox.launch``, maybe before the sandbox: ``launched``) that imports
IPython and the class's libraries and exercises torch once when torch is one, then has it fork
N zygotes: the start-up is paid once per sandbox, and each worker is ready as soon as it has
decided its containment. ``run`` sends one job to a free zygote, which forks a fresh,
confined child for it (see ``grader.inside.zygote``). Whatever the student's code does
(raise, loop, sleep, exit the process, exhaust memory, flood the output), ``run`` returns an
``ExecutionRecord`` that says what happened, and the next submission runs normally. A zygote
that dies or stops answering is replaced by a new fork (and the warm process restarted if it
died too).

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
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from pydantic import ValidationError

from grader.errors import SandboxError, WorkerStartError
from grader.evidence import ProbeRequest
from grader.protocol import ContainmentRecord, JobRecord, ReadyReport, WorkerReport, line
from grader.sandbox.execution import ExecutionRecord, SandboxLimits, WorkerFailure, build_record
from grader.sandbox.launch import Forkserver as _Forkserver
from grader.sandbox.launch import Launched, make_home

READY_TIMEOUT = 60.0
"""Seconds a forked zygote may take to decide its containment and say ready."""
ANSWER_MARGIN = 30.0
"""Seconds beyond the total limit the parent waits for a zygote before replacing it."""


class _Forked:
    """A forked zygote as ``subprocess.Popen`` shows a process: its pipes, ``poll``, ``kill``
    and ``wait``, through a pidfd (it is the warm process's child, not ours)."""

    def __init__(self, job_w: int, report_r: int) -> None:
        self.stdin = os.fdopen(job_w, "wb")
        self.stdout = os.fdopen(report_r, "rb")
        self.pid: int | None = None
        self.returncode: int | None = None
        self._pidfd: int | None = None

    def attach(self, pid: int) -> None:
        """The zygote's pid, from its ReadyReport."""
        self.pid = pid
        with contextlib.suppress(OSError, AttributeError):
            self._pidfd = os.pidfd_open(pid)

    def _gone(self, timeout: float) -> bool:
        if self._pidfd is not None:
            return bool(select.select([self._pidfd], [], [], timeout)[0])
        if self.pid is None:
            return True
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(f"/proc/{self.pid}/stat") as fh:
                    if fh.read().rsplit(")", 1)[1].split()[0] in "ZX":
                        return True
            except OSError:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def poll(self) -> int | None:
        """None while it runs, else a return code (-9 if we killed it, else -1: unknown)."""
        if self.returncode is None and self._gone(0):
            self.returncode = -1
        return self.returncode

    def kill(self) -> None:
        """SIGKILL it (by pidfd where there is one: never another process with its pid)."""
        if self.pid is None or self.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        if self._gone(5.0):
            self.returncode = -int(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until it has exited (``timeout`` None: 10 s, then kill it)."""
        if self.returncode is None and self._gone(10.0 if timeout is None else timeout):
            self.returncode = -1
        if self.returncode is None and timeout is None:
            self.kill()
        return self.returncode

    def release(self) -> None:
        """Close the pidfd."""
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


class _Zygote:
    """One warm worker (forked by the sandbox's warm process) and its pipes."""

    def __init__(self, server: _Forkserver) -> None:
        self.asked = time.monotonic()
        self.proc: _Forked | subprocess.Popen = _Forked(*server.fork())
        self.warmup_seconds = 0.0
        self.ready_seconds = 0.0
        """Seconds from the fork request to its ReadyReport."""
        self.containment = ContainmentRecord()

    def wait_ready(self) -> None:
        """Block until the zygote says ready; WorkerStartError if it does not."""
        data = self._readline(time.monotonic() + READY_TIMEOUT)
        try:
            ready = None if data is None else ReadyReport.model_validate_json(data)
        except ValidationError:
            ready = None
        if ready is None:
            self.close()
            raise WorkerStartError(
                "a sandbox worker did not start; "
                f"try `{sys.executable} -m grader.inside.zygote` to see why"
            )
        if isinstance(self.proc, _Forked):
            self.proc.attach(ready.pid)
        self.ready_seconds = time.monotonic() - self.asked
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
        if isinstance(self.proc, _Forked):
            self.proc.release()


class Sandbox:
    """A pool of warm workers; ``run`` is thread-safe (one job per worker at a time)."""

    def __init__(
        self,
        workers: int = 1,
        limits: SandboxLimits | None = None,
        *,
        isolate: bool = True,
        hide: Sequence[str] = (),
        warm: Sequence[str] | None = None,
        launched: Launched | None = None,
    ) -> None:
        """Start ``workers`` warm zygotes (blocks until they are ready).

        ``isolate``: contain each child as far as this machine allows (``containment``
        says how); ``hide``: directories the notebook must not read (the course directory);
        ``warm``: modules the warm process imports besides IPython (default: numpy,
        matplotlib and torch; ``grader.sandbox.preload`` finds a class's own);
        ``launched``: a warm process launched already with these ``isolate`` and ``hide``
        (``grader.sandbox.launch.adopt``), which this sandbox takes over.
        """
        self.limits = limits or SandboxLimits()
        self._options = {"isolate": isolate, "hide": tuple(hide), "warm": warm}
        self._launched = launched
        self._home = launched.home if launched is not None else make_home()
        self._free: queue.Queue[_Zygote] = queue.Queue()
        self._all: list[_Zygote] = []
        self._lock = threading.Lock()
        self._restart_lock = threading.Lock()
        self._closed = False
        self._server: _Forkserver | None = None
        start = time.monotonic()
        try:
            self._server = self._start_server()
            zygotes = [_Zygote(self._server) for _ in range(max(1, workers))]
            self._all.extend(zygotes)
            for z in zygotes:
                z.wait_ready()
                self._free.put(z)
        except BaseException:
            self.close()
            raise
        self.start_seconds = time.monotonic() - start
        """Seconds from the start to every worker ready."""

    def _start_server(self) -> _Forkserver:
        launched, self._launched = self._launched, None  # once: a restart launches anew
        warm = self._options["warm"]
        if launched is not None and not launched.server.accepts(warm):
            launched.server.close()  # told to warm other modules: not this sandbox's
            launched = None
        if launched is not None:
            server = launched.server
            server.send_warm(warm)  # unless it was told already (``launch.tell``)
        else:
            server = _Forkserver(self._home, **self._options)
        server.wait_warm()
        return server

    @property
    def warm_seconds(self) -> float:
        """Seconds the warm process took to import and warm up (once per sandbox)."""
        return self._server.warm_seconds if self._server is not None else 0.0

    @property
    def ready_seconds(self) -> list[float]:
        """Per worker: seconds from asking the warm process to fork it to its ReadyReport."""
        return [z.ready_seconds for z in self._all]

    @property
    def server_pid(self) -> int | None:
        """Pid of the warm process the workers are forked from."""
        return self._server.proc.pid if self._server is not None else None

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
            server, self._server = self._server, None
        for z in zygotes:
            z.close()
        if server is not None:
            server.close()
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
        """A fresh zygote in place of a failed one, forked by the warm process (restarted
        first if it died); None if closed or it fails to start."""
        old.close()
        with self._lock:
            if old in self._all:
                self._all.remove(old)
            if self._closed:
                return None
        try:
            with self._restart_lock:
                server = self._server
                if server is None or not server.alive():
                    if server is not None:
                        server.close()
                    server = self._start_server()
                    with self._lock:
                        if self._closed:
                            server.close()
                            return None
                        self._server = server
            new = _Zygote(server)
            new.wait_ready()
        except WorkerStartError:
            return None
        with self._lock:
            if self._closed:
                new.close()
                return None
            self._all.append(new)
        return new
