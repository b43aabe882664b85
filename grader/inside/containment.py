"""How far a sandbox child is contained, decided once per worker, and the cleanup after it.

``decide`` tries the strongest level on a throwaway child and keeps the first that works:

1. Linux namespaces (``grader.inside.isolation``) and, when the worker is root, an unprivileged
   uid of its own (``UID_BASE + worker pid``) with RLIMIT_NPROC and no new privileges;
2. the namespaces alone;
3. the uid alone (root where namespaces are refused, as in a default Docker container;
   it needs a Python that other users can read);
4. nothing beyond the worker's resource limits (``problems`` says why).

The decision is a ``grader.protocol.ContainmentRecord``; the zygote sends it to the pool in
its ``ReadyReport``.

``contain`` applies the chosen level in a real child; ``reap`` kills whatever that uid left
running after the child, ``setsid()`` escapees included.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import tempfile
import time

from pydantic import ValidationError

from grader.inside import isolation
from grader.paths import GRADER_DIR, REPO_ROOT
from grader.protocol import ContainmentRecord, DryRunReport

INSIDE_ROOMS = ("inside", "__pycache__")
"""Folders of ``grader`` the child may still read."""

NPROC_LIMIT = 64
"""Processes and threads the notebook's uid may have (RLIMIT_NPROC, root only)."""
UID_BASE = 200_000
"""Children run as uid ``UID_BASE + zygote pid`` when the zygote is root."""
PR_SET_NO_NEW_PRIVS = 38
ROOT = str(REPO_ROOT)
HIDDEN_IN_REPO = ("reference", "assignments", "tests", "benchmarks", "quizzes")
"""Top-level parts of this repository a child cannot read (the oracles and what they answer)."""


def hidden_paths() -> list[str]:
    """Instructor directories covered in the child: the oracles, the course, the tests, and
    every room of ``grader`` but ``inside`` (the judges, the course's checks...)."""
    mine = [os.path.join(ROOT, d) for d in HIDDEN_IN_REPO]
    rooms = [
        str(p) for p in sorted(GRADER_DIR.iterdir()) if p.is_dir() and p.name not in INSIDE_ROOMS
    ]
    return mine + rooms + [p for p in os.environ.get("GDGRADE_HIDE", "").split(os.pathsep) if p]


def contain(scratch: str, uid: int | None, namespaces: bool = True) -> list[str]:
    """Namespaces (``grader.inside.isolation``), then the unprivileged uid; returns what holds."""
    facts = isolation.isolate(scratch, ROOT, hidden_paths()) if namespaces else []
    if uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (NPROC_LIMIT, NPROC_LIMIT))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        facts += ["an unprivileged uid of its own", f"at most {NPROC_LIMIT} processes"]
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return facts


def scratch_dir(uid: int | None, prefix: str) -> str:
    """A fresh scratch directory that ``uid`` (the child's, when it has its own) owns."""
    path = tempfile.mkdtemp(prefix=prefix)
    if uid is not None:
        os.chown(path, uid, uid)
    return path


UNREADABLE = "an unprivileged uid cannot read"
"""How a dry-run problem starts when the Python or the grader is closed to other users."""


def unreadable(path: str, uid: int | None) -> str:
    """Why ``uid`` cannot open ``path``: the first directory on the way closed to others."""
    closed, current = path, "/"
    for part in os.path.realpath(path).split(os.sep)[1:-1]:
        current = os.path.join(current, part)
        if os.path.isdir(current) and os.stat(current).st_mode & 0o005 != 0o005:
            closed = current
            break
    mode = oct(os.stat(closed).st_mode & 0o777) if os.path.exists(closed) else "?"
    return (
        f"{UNREADABLE} {path} (uid {uid}): {closed} is mode {mode}; "
        f"`chmod o+rx {closed}` lets notebooks run under a uid of their own"
    )


def _dry_run(uid: int | None, namespaces: bool) -> list[str]:
    """Contain a throwaway child and check it can still read Python; raises OSError if not."""
    import numpy

    scratch = scratch_dir(uid, "gdgrade-check-")
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        try:
            facts = contain(scratch, uid, namespaces)
            for path in (os.__file__, numpy.__file__, __file__):
                with open(path, "rb") as fh:
                    fh.read(1)
            import wave  # noqa: F401  (a stdlib module the zygote has not imported)

            with open(os.path.join(scratch, "probe.txt"), "w") as fh:
                fh.write("ok")
            answer = DryRunReport(facts=facts)
        except PermissionError as err:
            answer = DryRunReport(error=unreadable(err.filename or "", uid))
        except BaseException as err:
            answer = DryRunReport(error=f"{type(err).__name__}: {err}")
        os.write(write_fd, answer.model_dump_json().encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        answer = DryRunReport.model_validate_json(text)
    except ValidationError:
        answer = DryRunReport(error="the check child died")
    if answer.error is not None:
        raise OSError(answer.error)
    return answer.facts


def decide() -> ContainmentRecord:
    """How this worker's children are contained, decided once by a dry run.

    The first that works of namespaces + unprivileged uid, namespaces alone, the uid alone
    (root in a container that refuses namespaces), nothing (``problems`` says why).
    ``GDGRADE_ISOLATE=0`` turns it off.
    """
    global _CONTAINMENT
    if _CONTAINMENT is None:
        _CONTAINMENT = ContainmentRecord()  # "off" while the dry runs decide
        problems: list[str] = []
        uid = UID_BASE + os.getpid()
        tries = [(uid, True), (None, True), (uid, False)] if os.geteuid() == 0 else [(None, True)]
        if os.environ.get("GDGRADE_ISOLATE", "1") == "0":
            tries, problems = [], ["turned off (GDGRADE_ISOLATE=0)"]
        for uid_, namespaces in tries:
            try:
                facts = _dry_run(uid_, namespaces)
            except OSError as err:
                problems.append(str(err))
                continue
            found = ContainmentRecord(
                on=True, namespaces=namespaces, uid=uid_, facts=facts, problems=problems
            )
            break
        else:
            found = ContainmentRecord(problems=problems)
        _CONTAINMENT = found
    return _CONTAINMENT


_CONTAINMENT: ContainmentRecord | None = None


def live_processes(uid: int) -> bool:
    """Whether a process (not a zombie) runs as ``uid``."""
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{name}").st_uid == uid:
                    with open(f"/proc/{name}/stat") as fh:
                        if fh.read().rsplit(")", 1)[1].split()[0] != "Z":
                            return True
    return False


def reap(uid: int | None) -> None:
    """Kill every process running as ``uid`` (what a submission left behind, setsid()
    escapees included): kill(-1) from a helper with that uid, until none is left."""
    if uid is None or not live_processes(uid):
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            for _ in range(50):
                os.kill(-1, signal.SIGKILL)  # everything this uid may signal: its own
                time.sleep(0.002)
                if not live_processes(uid):
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
