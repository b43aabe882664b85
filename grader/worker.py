"""The sandbox worker: a warm "zygote" process that forks one child per submission.

The zygote (``python -m grader.worker``) imports torch, numpy, IPython and matplotlib and
runs one tiny training step, then reads jobs (JSON lines) on stdin. For each job it forks a
child that drops into a scratch directory with a scrubbed environment, resource limits and
an import blocker, runs the cells with IPython, runs the probes and streams events back on
a pipe. The zygote enforces time limits (SIGKILL of the child's process group) and answers
with one JSON line. Only JSON leaves the child; the parent validates it.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from typing import Any

BLOCKED = (
    "reference",
    "grader.judges",
    "grader.registry",
    "grader.misconceptions",
    "grader.course",
    "grader.grading",
    "grader.autograde",
    "grader.sandbox",
)
GRACE = 2.0
"""Seconds a timed-out cell gets to honour SIGALRM before the child is killed."""
MB = 1024 * 1024


class CellTimeout(Exception):
    """Raised inside a cell or probe by SIGALRM when it runs past the per-cell limit."""


class Blocker:
    """A meta-path finder that refuses the trusted modules during grading."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ImportError(f"'{name}' is not available while your notebook is graded")


def warm_up() -> Any:
    """Import the heavy libraries and exercise torch once; return a fresh IPython shell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot
    import numpy  # noqa: F401
    import torch
    from IPython.core.interactiveshell import InteractiveShell

    import grader.probes
    import grader.recording
    import grader.timing  # noqa: F401

    class GradingShell(InteractiveShell):
        """IPython without a GUI: ``%matplotlib inline`` works, tracebacks are ours."""

        def enable_gui(self, gui: Any = None) -> None:
            return None

        def showtraceback(self, *args: Any, **kwargs: Any) -> None:
            return None

        def showsyntaxerror(self, *args: Any, **kwargs: Any) -> None:
            return None

    torch.set_num_threads(1)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = model(torch.randn(4, 3)).pow(2).mean()
    loss.backward()
    opt.step()
    return GradingShell.instance()


def _emit(fd: int, msg: dict[str, Any]) -> None:
    data = (json.dumps(msg) + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]


def _vm_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _confine(scratch: str, limits: dict[str, Any], keep_fd: int) -> None:
    """Session, limits, fds, cwd, environment and import blocker for the child."""
    os.setsid()
    memory = _vm_bytes() + int(limits["memory_mb"]) * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * MB, 64 * MB))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, keep_fd)
    os.closerange(keep_fd + 1, 1024)
    os.chdir(scratch)
    os.environ.clear()
    os.environ.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": scratch,
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
        }
    )
    for name in list(sys.modules):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            del sys.modules[name]
    sys.meta_path.insert(0, Blocker())


def _on_alarm(signum: int, frame: Any) -> None:
    raise CellTimeout("this cell ran past the time limit")


def _run_cell(shell: Any, source: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Run one cell with IPython, capturing outputs as nbformat v4 output dicts."""
    from IPython.utils.capture import capture_output

    results: list[dict[str, Any]] = []
    hook = shell.displayhook
    hook.write_output_prompt = lambda: None
    hook.write_format_data = lambda data, md=None: results.append(
        {"output_type": "execute_result", "data": data, "metadata": {}, "execution_count": None}
    )
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, float(limits["cell_timeout"]))
    try:
        with capture_output() as cap:
            res = shell.run_cell(source, store_history=False)
    except CellTimeout as exc:  # raised outside the cell's own try/except
        res, cap = None, None
        err: BaseException | None = exc
    else:
        err = res.error_before_exec or res.error_in_exec
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    outputs = _outputs(cap, results, err, int(limits["output_bytes"]))
    status = "ok" if err is None else ("timeout" if isinstance(err, CellTimeout) else "error")
    return {"status": status, "outputs": outputs, "seconds": time.perf_counter() - start}


def _outputs(cap: Any, results: list, err: BaseException | None, cap_bytes: int) -> list:
    outs: list[dict[str, Any]] = []
    for name in ("stdout", "stderr"):
        text = getattr(cap, name, "") if cap is not None else ""
        if text:
            if len(text) > cap_bytes:
                note = f"\n[output truncated: {len(text)} characters, limit {cap_bytes}]\n"
                text = text[:cap_bytes] + note
            outs.append({"output_type": "stream", "name": name, "text": text})
    for rich in getattr(cap, "outputs", []) if cap is not None else []:
        data = {k: v for k, v in rich.data.items() if len(str(v)) <= cap_bytes}
        outs.append({"output_type": "display_data", "data": data, "metadata": {}})
    outs.extend(results)
    if err is not None:
        frames = traceback.format_exception(type(err), err, err.__traceback__)
        tb = [f for f in frames if "site-packages" not in f and "grader/worker" not in f]
        outs.append(
            {
                "output_type": "error",
                "ename": type(err).__name__,
                "evalue": str(err)[:2000],
                "traceback": tb[-20:],
            }
        )
    return outs


def child(job: dict[str, Any], fd: int, scratch: str, shell: Any) -> None:
    """Everything that runs in the forked child; streams events on ``fd``."""
    from grader import probes
    from grader.evidence import ErrorInfo, Evidence, ProbeRequest

    limits = job["limits"]
    _confine(scratch, limits, fd)
    signal.signal(signal.SIGALRM, _on_alarm)
    shell.user_ns.clear()
    shell.init_user_ns()
    for i, source in enumerate(job["cells"]):
        _emit(fd, {"event": "start", "cell": i})
        _emit(fd, {"event": "done", "cell": i, "record": _run_cell(shell, source, limits)})
    _emit(fd, {"event": "probes"})
    for raw in job["requests"]:
        request = ProbeRequest.model_validate(raw)
        signal.setitimer(signal.ITIMER_REAL, float(limits["cell_timeout"]))
        try:
            ev = probes.run(request, shell.user_ns)
        except BaseException as exc:  # a timeout or a student's BaseException in a probe
            ev = Evidence(
                check_id=request.check_id,
                error=ErrorInfo(type=type(exc).__name__, message=str(exc)[:500]),
            )
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        _emit(fd, {"event": "evidence", "evidence": json.loads(ev.model_dump_json())})
    _emit(fd, {"event": "end"})


def supervise(job: dict[str, Any], shell: Any) -> dict[str, Any]:
    """Fork a child for one job, enforce the time limits, collect its events."""
    limits = job["limits"]
    scratch = tempfile.mkdtemp(prefix="gdgrade-")
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            child(job, write_fd, scratch, shell)
        finally:
            os._exit(0)
    os.close(write_fd)
    cells: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    events = {"status": "ok", "message": "", "ended": False}
    buf = b""
    phase_start, phase = time.monotonic(), "cell"
    total_deadline = start + float(limits["total_timeout"])
    while True:
        cell_deadline = phase_start + float(limits["cell_timeout"]) + GRACE
        deadline = min(total_deadline, cell_deadline) if phase != "idle" else total_deadline
        ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            what = (
                "the whole notebook"
                if time.monotonic() >= total_deadline
                else (f"cell {len(cells) + 1}" if phase == "cell" else "a check")
            )
            limit = (
                limits["total_timeout"] if what == "the whole notebook" else limits["cell_timeout"]
            )
            events.update(
                status="timeout", message=f"{what} ran longer than {limit:g} s and was stopped"
            )
            _kill(pid)
            break
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            msg = json.loads(line)
            kind = msg["event"]
            phase_start = time.monotonic()
            if kind == "done":
                cells.append(msg["record"])
            elif kind == "evidence":
                evidence.append(msg["evidence"])
            elif kind == "probes":
                phase = "probe"
            elif kind == "end":
                events["ended"] = True
    os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    shutil.rmtree(scratch, ignore_errors=True)
    if events["status"] == "ok" and not events["ended"]:
        if os.WIFSIGNALED(status):
            sig = signal.Signals(os.WTERMSIG(status)).name
            hint = " (probably out of memory)" if sig == "SIGKILL" else ""
            events.update(
                status="crashed", message=f"the notebook's process was killed by {sig}{hint}"
            )
        else:
            code = os.WEXITSTATUS(status)
            events.update(
                status="crashed",
                message=f"the notebook's process exited (exit code {code}) at cell "
                f"{len(cells) + 1}: do not call os._exit or exit the kernel",
            )
    return {
        "status": events["status"],
        "message": events["message"],
        "cells": cells,
        "evidence": evidence,
        "seconds": time.monotonic() - start,
    }


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(ProcessLookupError):
            target()


def main() -> None:
    """Zygote loop: warm up, then answer one JSON line per job line."""
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    start = time.perf_counter()
    shell = warm_up()
    out.write(json.dumps({"event": "ready", "seconds": time.perf_counter() - start}) + "\n")
    out.flush()
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(supervise(json.loads(line), shell)) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
