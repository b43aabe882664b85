"""The sandbox's warm process: launched, told what to warm, asked to fork zygotes.

A leaf of the standard library (and ``grader.errors`` / ``grader.paths``), so a command can
launch the warm process first thing, before it imports pydantic's models or reads its course:
``early`` launches it with what to warm still open; the process imports IPython and the
sandbox's own modules (0.3 s) while the command starts, then waits on its socket. ``tell``
sends it the class's modules as soon as the command knows them (before it imports pydantic's
models and the pool: the warm process waits for nothing it could be importing); the
``Sandbox`` the command starts next ``adopt``s it (``Forkserver.send_warm`` is then a no-op,
or sends the list when nobody told it yet). A launch nobody adopts is stopped when the
command exits.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence

from grader.errors import WorkerStartError
from grader.paths import REPO_ROOT

ROOT = REPO_ROOT
"""Directory holding the ``grader`` package; the workers start there (not a PYTHONPATH)."""
START_TIMEOUT = 180.0
"""Seconds the warm process may take to import torch and warm up."""
LATER = "later"
"""``GDGRADE_WARM_LATER``'s value: the modules to warm come on the socket."""


def environment(
    home: str, isolate: bool, hide: Sequence[str], warm: Sequence[str] | None, later: bool
) -> dict[str, str]:
    """The warm process's whole environment (nothing of the grader's own is passed on)."""
    env = {} if warm is None else {"GDGRADE_WARM": ",".join(warm)}
    env |= {"GDGRADE_WARM_LATER": LATER} if later else {}
    return env | {
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


def make_home() -> str:
    """A new home directory for a sandbox's processes (``tmp/`` inside), reachable by a child
    that runs as its own uid."""
    home = tempfile.mkdtemp(prefix="gdgrade-worker-")
    os.makedirs(os.path.join(home, "tmp"))
    for path in (home, os.path.join(home, "tmp")):
        os.chmod(path, 0o711)
    return home


class Forkserver:
    """The warm process the zygotes are forked from, and the socket that asks it to fork.

    ``later``: launched before the modules to warm are known; ``send_warm`` gives them."""

    def __init__(
        self,
        home: str,
        isolate: bool = True,
        hide: Sequence[str] = (),
        warm: Sequence[str] | None = None,
        later: bool = False,
    ) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.inside.forkserver", str(theirs.fileno())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            env=environment(home, isolate, hide, warm, later),
            cwd=ROOT,
        )
        theirs.close()
        self.sock = ours
        self.lock = threading.Lock()
        self.warm_seconds = 0.0
        self.told = not later
        """Whether the process knows what to import (launched with it, or sent since)."""
        self.warm = None if warm is None else list(warm)
        """What it was told to import (None: its defaults)."""

    def send_warm(self, warm: Sequence[str] | None) -> None:
        """The modules a ``later`` warm process imports (None: its defaults); sent once, a
        later call changes nothing (``accepts`` says whether it wants the same)."""
        if self.told:
            return
        self.told, self.warm = True, None if warm is None else list(warm)
        with contextlib.suppress(OSError):  # gone: ``wait_warm`` says so
            self.sock.sendall(json.dumps({"warm": self.warm}).encode())

    def accepts(self, warm: Sequence[str] | None) -> bool:
        """Whether this process warms ``warm``: not told yet, or told the same."""
        return not self.told or self.warm == (None if warm is None else list(warm))

    def wait_warm(self) -> None:
        """Block until the warm-up is done; WorkerStartError if it fails."""
        ready = select.select([self.sock], [], [], START_TIMEOUT)[0]
        try:
            data = self.sock.recv(4096) if ready else b""
            self.warm_seconds = float(json.loads(data)["warm"])
        except (OSError, ValueError, KeyError, TypeError):
            self.close()
            raise WorkerStartError(
                f"the sandbox's warm process did not start (exit code {self.proc.returncode}); "
                f"try `{sys.executable} -m grader.inside.zygote` to see why"
            ) from None

    def alive(self) -> bool:
        """Whether the warm process still runs."""
        return self.proc.poll() is None

    def fork(self) -> tuple[int, int]:
        """Have it fork a zygote; returns our ends of its pipes (jobs in, reports out)."""
        job_r, job_w = os.pipe()
        report_r, report_w = os.pipe()
        try:
            with self.lock:
                socket.send_fds(self.sock, [b"fork"], [job_r, report_w])
        except OSError:
            os.close(job_w)
            os.close(report_r)
            raise WorkerStartError("the sandbox's warm process is gone") from None
        finally:
            os.close(job_r)
            os.close(report_w)
        return job_w, report_r

    def kill(self) -> None:
        """Kill the process only: whoever waits on the socket sees it gone at once."""
        if self.proc.poll() is None:
            self.proc.kill()

    def close(self) -> None:
        """Stop it (its zygotes die with it: PR_SET_PDEATHSIG)."""
        with contextlib.suppress(OSError):
            self.sock.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Launched:
    """A warm process launched before its class is known, with its home directory."""

    def __init__(self, *, isolate: bool = True, hide: Sequence[str] = ()) -> None:
        self.home = make_home()
        self.isolate = isolate
        self.hide = tuple(os.path.abspath(p) for p in hide)
        self.server = Forkserver(self.home, isolate, self.hide, later=True)

    def close(self) -> None:
        """Stop the process and remove its home (a launch no sandbox adopted)."""
        self.server.close()
        shutil.rmtree(self.home, ignore_errors=True)


_pending: Launched | None = None
_pending_lock = threading.Lock()


def early(*, hide: Sequence[str] = ()) -> None:
    """Launch this command's warm process now (contained, ``hide`` hidden from notebooks);
    the command's sandbox adopts it. Stopped at exit if none does."""
    global _pending
    with _pending_lock:
        if _pending is None:
            _pending = Launched(hide=hide)
            atexit.register(_drop)


def tell(warm: Sequence[str] | None) -> None:
    """Send this command's early launch the modules to import (None: its defaults), if
    there is one and nobody told it yet."""
    with _pending_lock:
        if _pending is not None:
            _pending.server.send_warm(warm)


def adopt(*, isolate: bool, hide: Sequence[str]) -> Launched | None:
    """The early launch, when it was launched with these options (taken: a second ask gets
    None); a launch with other options is stopped."""
    global _pending
    with _pending_lock:
        launched, _pending = _pending, None
    if launched is None:
        return None
    if launched.isolate == isolate and launched.hide == tuple(os.path.abspath(p) for p in hide):
        return launched
    launched.close()
    return None


def drop() -> None:
    """Stop the early launch nobody adopted, now (a pytest session that asked no check)."""
    _drop()


def _drop() -> None:
    global _pending
    with _pending_lock:
        launched, _pending = _pending, None
    if launched is not None:
        launched.close()
