"""The sandbox worker: a warm "zygote" process that forks one child per submission.

``warm_up`` imports IPython and the class's libraries (by default numpy, matplotlib with Agg
and torch) and, with torch, runs one tiny forward/backward/optimizer step; the pool's zygotes
are forked from one warm process that did it (``grader.inside.forkserver``), and ``python -m
grader.inside.zygote`` is a zygote of its own on stdin/stdout. A zygote says ready
(``ReadyReport``), then reads jobs (one ``grader.protocol.JobRecord`` JSON line each) and
answers each with one ``WorkerReport`` line of raw facts (``grader.sandbox.execution`` turns
them into an ``ExecutionRecord``).

Ahead of each job (while the grader judges the last one) it forks a child (``Spare``) that,
before any student code runs:

1. starts its own session (so its process group can be killed as a whole);
2. sets resource limits: file size, open files, no core files, and once its job arrives
   on a pipe of its own, the job's address space (the warm size plus ``memory_mb``) and
   CPU seconds;
3. contains itself (``grader.inside.containment``, decided once per zygote by a dry run): its
   own mount and network namespaces (``grader.inside.isolation``: read-only file system
   outside scratch,
   private /tmp, instructor directories hidden, no network), then, when the zygote is
   root, an unprivileged uid of its own (``UID_BASE + zygote pid``) with a process limit,
   which bounds fork bombs and lets the zygote kill every process the submission started;
4. moves into a fresh scratch directory (removed afterwards) with a scrubbed environment
   and stdin/stdout/stderr on /dev/null;
5. removes trusted modules from ``sys.modules`` and installs ``TrustedModuleBlocker``.

The child runs the cells with IPython (magics work, ``%matplotlib inline`` gives PNGs) in
the namespace a new Jupyter kernel gives its cells (``fresh_namespace``: ``__name__`` is
``"__main__"``, ``In``/``Out``/``_`` history), a failing cell does not stop later ones, and a
SIGALRM per cell stops a slow cell. Then it
runs ``grader.inside.probes.run`` for each request and streams events
(``grader.protocol.ChildEvent``, one JSON line each) on a pipe; a line that is too large or
does not validate is a protocol error, and the zygote kills the child.
The zygote is the watchdog: it SIGKILLs the child when a cell or probe runs past its limit
plus a grace period (a cell that ignores SIGALRM) or when the total time is up.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import io
import json
import os
import resource
import select
import shutil
import signal
import site
import sys
import tempfile
import time
import traceback
from typing import Any, BinaryIO

from pydantic import ValidationError

from grader.evidence import ErrorInfo, Evidence, ProbeRequest
from grader.inside import containment
from grader.paths import GRADER_DIR, REPO_ROOT
from grader.protocol import (
    CHILD_EVENT,
    CellDoneEvent,
    CellRecord,
    CellStartedEvent,
    ChildEvent,
    EndedEvent,
    EvidenceEvent,
    JobRecord,
    KilledRecord,
    KillReason,
    PhaseRecord,
    ProbeStartedEvent,
    ReadyReport,
    SandboxLimits,
    WorkerReport,
    line,
)

TRUSTED_ROOTS = ("reference", "assignments", "tests")
"""Top-level packages a notebook may not import while it is graded."""
WIRE_TYPES = ("grader", "grader.evidence", "grader.protocol", "grader.paths")
"""The trusted-side-free ``grader`` modules a child may import besides ``grader.inside``."""
GRACE = 2.0
"""Seconds a timed-out cell gets to honour SIGALRM before the child is killed."""
MB = 1024 * 1024
FILE_LIMIT = 256 * MB
"""Largest file the notebook may write (RLIMIT_FSIZE)."""
MAX_EVIDENCE = 16 * MB
"""Largest serialized Evidence (its ``EvidenceEvent`` line) a probe may send back."""
MAX_MESSAGE = 64 * MB
"""Largest single event line the zygote accepts from a child."""


def is_trusted(name: str) -> bool:
    """Whether a module name belongs to the trusted side (oracles, judges, checks...)."""
    root = name.split(".")[0]
    if root in TRUSTED_ROOTS:
        return True
    inside = name == "grader.inside" or name.startswith("grader.inside.")
    return root == "grader" and not inside and name not in WIRE_TYPES


class TrustedModuleBlocker:
    """A meta-path finder that refuses the trusted modules during grading."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        """Raise for trusted names; return None (let others find it) for the rest."""
        if is_trusted(name):
            # no ``name=``: ``from grader import judges`` must not swallow it
            raise ModuleNotFoundError(f"'{name}' is not available while your notebook is graded")

    def invalidate_caches(self) -> None:
        """Nothing cached."""


class CellTimeout(Exception):
    """Raised inside a cell or probe by SIGALRM when it runs past the per-cell limit."""


# -- zygote: warm-up --------------------------------------------------------------------


DEFAULT_WARM = ("numpy", "matplotlib.pyplot", "torch")
"""What a warm process imports besides IPython when the pool names nothing."""


def warm_modules() -> list[str]:
    """The modules the pool asked the warm process to import (``GDGRADE_WARM``, comma
    separated: the class's own imports, ``grader.sandbox.preload``), else ``DEFAULT_WARM``."""
    asked = os.environ.get("GDGRADE_WARM")
    return list(DEFAULT_WARM) if asked is None else [m for m in asked.split(",") if m]


def preimport() -> None:
    """What every warm-up imports, whatever the class (IPython's shell, the probes): a warm
    process launched before its class is known imports it while it waits."""
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401
    from traitlets.config import Config  # noqa: F401

    import grader.inside.probes
    import grader.inside.timing  # noqa: F401


def warm_up(modules: list[str] | None = None) -> Any:
    """Import IPython and ``modules`` (default ``warm_modules()``; one that fails to import
    is left to the notebook), exercise torch once when torch is one of them (its import and
    first step cost 2 s: a class that never uses torch does not wait for them), return the
    IPython shell."""
    modules = warm_modules() if modules is None else modules
    roots = {m.split(".")[0] for m in modules}
    plots = "matplotlib" in roots
    if plots:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib_inline.backend_inline  # noqa: F401  (what %matplotlib inline loads)
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    import grader.inside.probes
    import grader.inside.timing  # noqa: F401

    for name in modules:
        with contextlib.suppress(Exception, SystemExit):
            importlib.import_module(name)

    class CapturingPublisher(DisplayPublisher):
        """Sends display() / inline figures to the current cell's capture."""

        def publish(self, data: dict, metadata: dict | None = None, **kwargs: Any) -> None:
            if _CAPTURE is not None:
                _CAPTURE.add_rich("display_data", data, metadata or {})

        def clear_output(self, wait: bool = False) -> None:
            return None

    class GradingShell(InteractiveShell):
        """IPython without a terminal: no GUI event loops, tracebacks recorded by us."""

        def enable_gui(self, gui: Any = None) -> None:
            return None

        def showtraceback(self, exc_tuple: Any = None, *args: Any, **kwargs: Any) -> None:
            with contextlib.suppress(Exception):  # sys.last_value etc., as IPython sets them
                self._get_exc_info(exc_tuple)

        def showsyntaxerror(self, *args: Any, **kwargs: Any) -> None:
            with contextlib.suppress(Exception):
                self._get_exc_info()

        def _format_exception_for_storage(self, exception: BaseException, *a: Any, **k: Any):
            # IPython keeps a coloured traceback of each failing cell (for %notebook); its
            # formatter (stack_data, pygments) costs 20-240 ms a cell. Plain text will do.
            lines = traceback.format_exception(exception)
            return {"ename": type(exception).__name__, "evalue": str(exception), "traceback": lines}

    if "torch" in roots:
        _warm_torch()
    if plots:
        plt.figure()
        plt.close("all")

    config = Config()
    config.HistoryManager.enabled = False
    shell = GradingShell.instance(config=config)
    shell.display_pub = CapturingPublisher(shell=shell)
    hook = shell.displayhook
    hook.write_output_prompt = lambda: None
    hook.write_format_data = lambda data, md=None: (
        _CAPTURE.add_rich("execute_result", data, md or {}) if _CAPTURE is not None else None
    )
    _PRISTINE.update(shell.user_ns)
    # What is alive now lives as long as the zygote: keep it out of the cyclic collector,
    # whose first full pass over torch's and IPython's objects cost each child ~0.2 s. No
    # collection first: it finds nothing after these imports and takes 0.1 s of the start.
    gc.freeze()
    return shell


def _warm_torch() -> None:
    """Import torch and the recording datasets; run one tiny training step (a first step in
    a process costs 1.2 s: torch._dynamo and the kernels' first calls)."""
    import torch

    import grader.inside.recording  # noqa: F401  (the probes' torch datasets)

    torch.set_num_threads(1)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = model(torch.randn(4, 3)).pow(2).mean()
    loss.backward()
    opt.step()


_PRISTINE: dict[str, Any] = {}
"""The user namespace of the new shell (no cell has run in it): what each child starts from."""


def fresh_namespace(shell: Any) -> None:
    """Give the child's shell the namespace a new Jupyter kernel gives its first cell.

    ``__name__ == "__main__"`` (so cell-defined functions and classes have ``__module__``
    ``"__main__"`` and ``if __name__ == "__main__":`` blocks run), ``__builtins__`` the
    builtins module, ``__doc__``, ``get_ipython``, ``_``/``__``/``___`` and empty
    ``In``/``Out`` history numbered from 1, with ``sys.modules["__main__"]`` the module whose
    ``__dict__`` the cells run in (pickle finds their functions there). Whatever the zygote's
    namespace held besides is dropped, so one submission never sees another's names.
    """
    ns = shell.user_ns
    ns.clear()
    ns.update(_PRISTINE)
    history = shell.history_manager
    if history is not None:
        history.reset(new_session=False)  # Out, exceptions; _dh = [the scratch directory]
        history.input_hist_parsed[:] = [""]
        history.input_hist_raw[:] = [""]
        history.db_input_cache[:] = []
        history._i00 = history._i = history._ii = history._iii = ""
    shell.execution_count = 1
    sys.modules["__main__"] = shell.user_module


# -- child: confinement -----------------------------------------------------------------


def _vm_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _setlimit(which: int, value: int) -> None:
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (value, value))


def die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this child when the zygote dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the zygote died before the request took effect
        os._exit(75)


def _confine(scratch: str, keep: tuple[int, int], uid: int | None) -> None:
    """Session, fixed limits, fds (all closed but ``keep``), uid, cwd, environment and
    import blocker for the child; the job's own limits come with the job (``_limit``)."""
    parent = os.getppid()
    os.setsid()
    _setlimit(resource.RLIMIT_FSIZE, FILE_LIMIT)
    _setlimit(resource.RLIMIT_CORE, 0)
    _setlimit(resource.RLIMIT_NOFILE, 256)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    low, high = sorted(keep)
    os.closerange(3, low)
    os.closerange(low + 1, high)
    os.closerange(high + 1, 4096)
    level = containment.decide()
    if level.on:
        containment.contain(scratch, uid, level.namespaces)
    die_with_parent(parent)
    os.chdir(scratch)
    os.environ.clear()
    os.environ.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": scratch,
            "TMPDIR": scratch,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": scratch,
            "OMP_NUM_THREADS": "1",
        }
    )
    tempfile.tempdir = scratch
    # A checkout's root leaves the path; an installed gdgrade's root is site-packages: it stays.
    site_dirs = {os.path.abspath(p) for p in site.getsitepackages()}
    sys.path[:] = [scratch] + [
        p
        for p in sys.path
        if p and (os.path.abspath(p) != str(REPO_ROOT) or os.path.abspath(p) in site_dirs)
    ]
    for name in list(sys.modules):
        if is_trusted(name):
            del sys.modules[name]
    sys.meta_path.insert(0, TrustedModuleBlocker())


def _limit(limits: SandboxLimits) -> None:
    """The job's memory (the warm size plus ``memory_mb``) and CPU limits (lowered only)."""
    _setlimit(resource.RLIMIT_AS, _vm_bytes() + limits.memory_mb * MB)
    _setlimit(resource.RLIMIT_CPU, int(limits.total_timeout) + 10)


# -- child: output capture --------------------------------------------------------------


class Capture:
    """Outputs of one cell as nbformat v4 dicts, capped per cell and in total."""

    def __init__(self, cell_cap: int, budget: list[int], execution_count: int) -> None:
        self.outputs: list[dict[str, Any]] = []
        self.left = cell_cap
        self.cell_cap = cell_cap
        self.budget = budget  # one-element list shared by all cells: characters left in total
        self.dropped = 0
        self.count = execution_count
        self.why = ""

    def _drop(self, size: int) -> None:
        self.dropped += size
        if not self.why:
            total = self.budget[0] < self.left
            self.why = "the notebook's total" if total else "this cell's"

    def _take(self, size: int) -> bool:
        if size <= min(self.left, self.budget[0]):
            self.left -= size
            self.budget[0] -= size
            return True
        self._drop(size)
        return False

    def add_text(self, name: str, text: str) -> None:
        room = min(self.left, self.budget[0])
        kept, lost = text[:room], len(text) - min(room, len(text))
        self.left -= len(kept)
        self.budget[0] -= len(kept)
        if lost:
            self._drop(lost)
        if not kept:
            return
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += kept
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": kept})

    def add_rich(self, kind: str, data: dict[str, Any], metadata: dict[str, Any]) -> None:
        data = {k: v for k, v in data.items() if isinstance(v, str | dict | list)}
        if not self._take(sum(len(json.dumps(v)) for v in data.values())):
            return
        out: dict[str, Any] = {"output_type": kind, "data": data, "metadata": metadata}
        if kind == "execute_result":
            out["execution_count"] = self.count
        self.outputs.append(out)

    def finish(self) -> list[dict[str, Any]]:
        if self.dropped:
            note = (
                f"\n[output truncated: {self.dropped} more characters were not kept; "
                f"{self.why} output limit was reached]\n"
            )
            self.outputs.append({"output_type": "stream", "name": "stderr", "text": note})
        return self.outputs


class CappedStream(io.TextIOBase):
    """``sys.stdout`` / ``sys.stderr`` during a cell: writes go to the current Capture."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if _CAPTURE is not None and text:
            _CAPTURE.add_text(self.name, str(text))
        return len(text)

    def flush(self) -> None:
        return None


_CAPTURE: Capture | None = None
_ARMED = False


def _on_alarm(signum: int, frame: Any) -> None:
    if _ARMED:
        raise CellTimeout("this cell ran past the time limit and was stopped")


def _arm(seconds: float) -> None:
    global _ARMED
    _ARMED = True
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _disarm() -> None:
    global _ARMED
    _ARMED = False
    signal.setitimer(signal.ITIMER_REAL, 0)


def _error_output(err: BaseException) -> dict[str, Any]:
    """An nbformat error output, the traceback cut down to the student's own frames."""
    frames = traceback.format_exception(type(err), err, err.__traceback__)
    here = str(GRADER_DIR)
    tb = [f for f in frames if "site-packages" not in f and here not in f]
    return {
        "output_type": "error",
        "ename": type(err).__name__,
        "evalue": str(err)[:2000],
        "traceback": tb[-20:],
    }


def run_cell(
    shell: Any, source: str, index: int, limits: SandboxLimits, budget: list[int]
) -> CellRecord:
    """Run one cell with IPython; return how it ran."""
    global _CAPTURE
    # the count IPython gives the cell (an empty cell takes none, as in Jupyter)
    _CAPTURE = capture = Capture(limits.output_bytes, budget, shell.execution_count)
    err: BaseException | None = None
    start = time.perf_counter()
    try:
        _arm(limits.cell_timeout)
        res = shell.run_cell(source, store_history=True)  # In/Out/_N as in Jupyter
        err = res.error_before_exec or res.error_in_exec
    except CellTimeout as exc:  # fired outside the cell's own code (IPython machinery)
        err = exc
    finally:
        _disarm()
        sys.stdout, sys.stderr = CappedStream("stdout"), CappedStream("stderr")
    seconds = time.perf_counter() - start
    _CAPTURE = None
    outputs = capture.finish()
    if err is not None:
        outputs.append(_error_output(err))
    status = "ok" if err is None else ("timeout" if isinstance(err, CellTimeout) else "error")
    counted = shell.execution_count > capture.count  # IPython counts a cell it ran, not a blank one
    return CellRecord(
        index=index,
        status=status,
        outputs=outputs,
        seconds=seconds,
        execution_count=capture.count if counted else None,
    )


def _emit(fd: int, data: bytes) -> None:
    """Write one event line (``grader.protocol.line``) on the event pipe."""
    while data:
        data = data[os.write(fd, data) :]


def run_probe(request: ProbeRequest, shell: Any, limits: SandboxLimits) -> bytes:
    """One probe under the per-cell time limit; its ``EvidenceEvent`` as a JSON line."""
    from grader.inside import probes

    try:
        _arm(limits.cell_timeout)
        ev = probes.run(request, shell.user_ns)
    except BaseException as exc:  # a timeout outside the student's call, or SystemExit...
        ev = Evidence(
            check_id=request.check_id,
            error=ErrorInfo(type=type(exc).__name__, message=str(exc)[:500]),
        )
    finally:
        _disarm()
    if ev.error is not None and ev.error.type == "CellTimeout":
        msg = f"this check ran longer than {limits.cell_timeout:g} s and was stopped"
        ev = ev.model_copy(update={"error": ev.error.model_copy(update={"message": msg})})
    data = line(EvidenceEvent(evidence=ev))
    if len(data) > MAX_EVIDENCE:
        ev = Evidence(
            check_id=request.check_id,
            error=ErrorInfo(
                type="ValueTooLarge",
                message=f"the value is too large to grade ({len(data) // MB} MB as JSON)",
            ),
        )
        data = line(EvidenceEvent(evidence=ev))
    return data


def _read_job(fd: int) -> JobRecord | None:
    """The job line the zygote writes on ``fd``; None when it closes the pipe without one."""
    parts = []
    while not parts or not parts[-1].endswith(b"\n"):
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return None
        parts.append(chunk)
    os.close(fd)
    return JobRecord.model_validate_json(b"".join(parts))


def child(job_fd: int, fd: int, scratch: str, shell: Any, uid: int | None) -> None:
    """Everything that runs in the forked child: confine itself, wait for the job on
    ``job_fd``, then run it, streaming events on ``fd``."""
    _confine(scratch, (job_fd, fd), uid)
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.stdout, sys.stderr = CappedStream("stdout"), CappedStream("stderr")
    fresh_namespace(shell)
    job = _read_job(job_fd)
    if job is None:  # the zygote is closing
        return
    limits = job.limits
    _limit(limits)
    budget = [limits.total_output_bytes]
    for i, source in enumerate(job.cells):
        _emit(fd, line(CellStartedEvent(cell=i)))
        try:
            record = run_cell(shell, source, i, limits, budget)
        except CellTimeout:  # the alarm landed between the cell and its disarm
            record = CellRecord(index=i, status="timeout")
        _emit(fd, line(CellDoneEvent(record=record)))
    for request in job.requests:
        _emit(fd, line(ProbeStartedEvent(check_id=request.check_id)))
        _emit(fd, run_probe(request, shell, limits))
    _emit(fd, line(EndedEvent()))


# -- zygote: supervision ----------------------------------------------------------------


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            target()


class Watch:
    """What the zygote saw of one child: events, and why it stopped it (if it did)."""

    def __init__(self) -> None:
        self.cells: list[CellRecord] = []
        self.evidence: list[Evidence] = []
        self.phase = PhaseRecord()
        self.ended = False
        self.killed: KilledRecord | None = None
        self.since = time.monotonic()
        """When the current phase began."""

    def event(self, event: ChildEvent) -> None:
        """Take one event: record what it carries and where the child is now."""
        self.since = time.monotonic()
        if isinstance(event, CellStartedEvent):
            self.phase = PhaseRecord(phase="cell", cell=event.cell)
        elif isinstance(event, CellDoneEvent):
            self.cells.append(event.record)
            self.phase = PhaseRecord(phase="between")
        elif isinstance(event, ProbeStartedEvent):
            self.phase = PhaseRecord(phase="probe", check_id=event.check_id)
        elif isinstance(event, EvidenceEvent):
            self.evidence.append(event.evidence)
            self.phase = PhaseRecord(phase="between")
        else:
            self.ended = True

    def kill(self, pid: int, reason: KillReason, detail: str = "") -> Watch:
        """Record why, SIGKILL the child's process group, return self."""
        self.killed = KilledRecord(reason=reason, during=self.phase, detail=detail)
        _kill(pid)
        return self


def unreadable(err: ValidationError) -> str:
    """What was wrong with a line that does not validate as an event, in a few words."""
    first = err.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "the line"
    return f"an unreadable message ({where}: {first['msg']})"[:300]


def _watch(pid: int, read_fd: int, limits: SandboxLimits, start: float) -> Watch:
    """Read the child's events until it ends or a limit is hit (then kill it)."""
    watch, parts, size = Watch(), [b""], 0
    last = time.monotonic()
    total_deadline = start + limits.total_timeout
    step = limits.cell_timeout + GRACE
    while True:
        now = time.monotonic()
        deadline = min(total_deadline, last + step)
        ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - now))
        if not ready:
            total = time.monotonic() >= total_deadline
            return watch.kill(pid, "total_timeout" if total else "timeout")
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return watch
        parts.append(chunk)
        size += len(chunk)
        if b"\n" not in chunk:
            if size > MAX_MESSAGE:
                return watch.kill(pid, "protocol", "a message was too large")
            continue
        *lines, rest = b"".join(parts).split(b"\n")
        parts, size = [rest], len(rest)
        if size > MAX_MESSAGE:
            return watch.kill(pid, "protocol", "a message was too large")
        for data in lines:
            try:
                watch.event(CHILD_EVENT.validate_json(data))
            except ValidationError as err:
                return watch.kill(pid, "protocol", unreadable(err))
            last = watch.since
        if watch.ended:  # processes the notebook started may still hold the pipe open
            return watch


class Spare:
    """A child forked and confined before its job exists (while the grader judges the last
    one), so a job finds it ready: it waits for the job line on a pipe of its own."""

    def __init__(self, shell: Any) -> None:
        self.ended = False
        self.uid = containment.decide().uid
        self.scratch = containment.scratch_dir(self.uid, "gdgrade-")
        self.events, write_fd = os.pipe()
        job_fd, self.jobs = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.events)
            os.close(self.jobs)
            code = 0
            try:
                child(job_fd, write_fd, self.scratch, shell, self.uid)
            except BaseException:  # a failure of the grader's own code in the child
                code = 70
            finally:
                os._exit(code)
        os.close(write_fd)
        os.close(job_fd)

    def give(self, job: JobRecord) -> None:
        """Hand the job to the child (a dead child shows as the events pipe closing)."""
        with contextlib.suppress(OSError):
            _emit(self.jobs, line(job))
        os.close(self.jobs)

    def end(self) -> int:
        """Kill what is left of the child's session, reap it and every process of its
        uid, remove its scratch directory; its wait status (once; later calls: 0)."""
        if self.ended:
            return 0
        self.ended = True
        os.close(self.events)
        _kill(self.pid)  # the session's stragglers (the child itself has normally exited)
        _, status = os.waitpid(self.pid, 0)
        containment.reap(self.uid)
        shutil.rmtree(self.scratch, ignore_errors=True)
        return status

    def discard(self) -> None:
        """Stop an unused spare (the zygote is closing)."""
        with contextlib.suppress(OSError):
            os.close(self.jobs)
        self.end()


def supervise(job: JobRecord, spare: Spare) -> WorkerReport:
    """Give a job to the waiting child, enforce the time limits, return the raw facts."""
    start = time.monotonic()
    spare.give(job)
    watch = _watch(spare.pid, spare.events, job.limits, start)
    status = spare.end()
    return WorkerReport(
        cells=watch.cells,
        evidence=watch.evidence,
        ended=watch.ended,
        killed=watch.killed,
        phase=watch.phase,
        phase_seconds=time.monotonic() - watch.since,
        exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        signal=signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None,
        scratch=spare.scratch,
        seconds=time.monotonic() - start,
    )


def serve(shell: Any, warm: float, jobs: BinaryIO, out: BinaryIO) -> None:
    """Decide containment, say ready, then answer each JobRecord line with a WorkerReport.

    ``warm``: the seconds the warm-up took (here, or once in ``grader.inside.forkserver``).
    """
    ready = ReadyReport(seconds=warm, pid=os.getpid(), containment=containment.decide())
    out.write(line(ready))
    out.flush()
    spare = Spare(shell)
    try:
        for job in jobs:
            if job.strip():
                out.write(line(supervise(JobRecord.model_validate_json(job), spare)))
                out.flush()
                spare = Spare(shell)  # the next job's child, while this one is judged
    finally:
        spare.discard()


def main() -> None:
    """One zygote on stdin/stdout (the pool forks its zygotes from ``forkserver`` instead)."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    start = time.perf_counter()
    shell = warm_up()
    serve(shell, time.perf_counter() - start, sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
