"""The warm parent of a sandbox's zygotes: warm up once, then fork one zygote per worker.

``python -m grader.inside.forkserver FD`` runs ``zygote.warm_up`` (IPython, the class's
libraries, torch's first training step when torch is one of them; with ``GDGRADE_WARM_LATER``
set it imports IPython first, then reads the list of libraries, ``{"warm": [...] | null}``,
from the socket: ``grader.sandbox.launch``), sends ``{"warm": seconds, "pid": pid}`` on the
Unix socket FD (its end of the pool's socketpair, SOCK_SEQPACKET), then waits there. Each
message that arrives carries two file descriptors, the read end of a job pipe and the write
end of a report pipe; the forkserver forks a zygote that serves them (``zygote.serve``): it
decides its own containment (its uid comes from its own pid, so no two workers share one),
says ready and answers jobs, each in a fresh confined child. A fork of the warm process takes
milliseconds, so the imports and the torch warm-up are paid once per sandbox, not once per
worker, and a dead worker is replaced at once. The zygotes share the warm process's pages
until they write to them.

A zygote dies with the forkserver (PR_SET_PDEATHSIG); the forkserver kills its zygotes and
exits when the pool closes its end of the socket (or dies), and reaps the zygotes that exit.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys
import time

from grader.inside import zygote

REAP_EVERY = 0.5
"""Seconds between looks for zygotes that exited (the forkserver reaps them)."""


def _reap(zygotes: set[int]) -> None:
    for pid in list(zygotes):
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == 0:
                continue
        zygotes.discard(pid)


def _become_zygote(sock: socket.socket, fds: list[int], shell: object, warm: float) -> None:
    """In the forked process: serve the pool on the two pipes; never returns."""
    code = 0
    try:
        parent = os.getppid()
        sock.close()
        zygote.die_with_parent(parent)
        jobs, out = os.fdopen(fds[0], "rb"), os.fdopen(fds[1], "wb")
        zygote.serve(shell, warm, jobs, out)
    except BaseException:  # the pool sees the pipe close: a failed worker
        code = 70
    finally:
        os._exit(code)


def main() -> None:
    """Warm up, say so on the socket, then fork a zygote for each pair of pipes received."""
    sock = socket.socket(fileno=int(sys.argv[1]))
    os.dup2(2, 1)  # a stray print goes where stderr goes, never into a pipe of the pool
    start = time.perf_counter()
    modules = None
    if os.environ.get("GDGRADE_WARM_LATER"):  # launched early: what to warm comes next
        zygote.preimport()
        data = sock.recv(65536)
        if not data:  # the pool closed its end before it knew
            return
        modules = json.loads(data)["warm"]
    shell = zygote.warm_up(modules)
    warm = time.perf_counter() - start
    sock.sendall(json.dumps({"warm": warm, "pid": os.getpid()}).encode())
    zygotes: set[int] = set()
    while True:
        _reap(zygotes)
        if not select.select([sock], [], [], REAP_EVERY)[0]:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, 64, 2)
        except OSError:
            break
        if not data:  # the pool closed its end
            break
        if len(fds) == 2:
            pid = os.fork()
            if pid == 0:
                _become_zygote(sock, fds, shell, warm)
            zygotes.add(pid)
        for fd in fds:
            os.close(fd)
    for pid in zygotes:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
