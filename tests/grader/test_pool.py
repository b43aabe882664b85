"""The pool's warm process: the workers are forked from one, a dead worker is forked again,
the warm process itself is restarted when it dies, and closing leaves no process behind."""

from __future__ import annotations

import os
import time

import pytest

from grader.evidence import ProbeRequest
from grader.sandbox.execution import SandboxLimits
from grader.sandbox.pool import Sandbox

LIMITS = SandboxLimits(cell_timeout=5.0, total_timeout=20, memory_mb=1024)
PROBE = [ProbeRequest(check_id="t.f", probe="call", target="f", inputs={"args": [3]})]
GOOD = ["def f(a):\n    return 2 * a"]


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def children(pid: int) -> list[int]:
    kids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and running(int(name)):
            try:
                if parent_of(int(name)) == pid:
                    kids.append(int(name))
            except (OSError, ValueError):
                continue
    return kids


def waiting_child(worker: int, within: float = 5.0) -> int:
    """The one child a worker keeps forked ahead of its next job."""
    deadline = time.monotonic() + within
    while len(kids := children(worker)) != 1:
        assert time.monotonic() < deadline, f"worker {worker} has children {kids}"
        time.sleep(0.02)
    return kids[0]


def graded(sandbox: Sandbox) -> bool:
    record = sandbox.run(GOOD, PROBE)
    return record.status == "ok" and record.evidence[0].value == 6


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=2, limits=LIMITS) as sb:
        yield sb


def test_the_workers_are_forked_from_one_warm_process(sandbox: Sandbox) -> None:
    server = sandbox.server_pid
    assert server is not None and parent_of(server) == os.getpid()
    workers = [z.proc.pid for z in sandbox._all]
    assert len(set(workers)) == 2 and server not in workers
    assert [parent_of(pid) for pid in workers] == [server, server]
    assert sandbox.warm_seconds > 0  # the warm-up ran once, in the warm process
    assert all(0 < s < sandbox.warm_seconds + 60 for s in sandbox.ready_seconds)
    uids = [z.containment.uid for z in sandbox._all]
    if uids[0] is not None:  # root: each worker's children get a uid of their own
        assert len(set(uids)) == 2
    assert graded(sandbox)


def test_a_dead_worker_is_forked_again_from_the_same_warm_process(sandbox: Sandbox) -> None:
    server = sandbox.server_pid
    dead = sandbox._all[0]
    dead.proc.kill()
    dead.proc.wait()
    assert not running(dead.proc.pid)
    for _ in range(3):
        assert graded(sandbox)
    workers = [z.proc.pid for z in sandbox._all]
    assert dead.proc.pid not in workers and len(workers) == 2
    assert sandbox.server_pid == server
    assert [parent_of(pid) for pid in workers] == [server, server]


def test_a_dead_warm_process_takes_its_workers_and_is_restarted() -> None:
    with Sandbox(workers=1, limits=LIMITS) as sb:
        server, worker = sb.server_pid, sb._all[0].proc.pid
        assert server is not None
        os.kill(server, 9)
        assert gone(worker), "a worker outlived its warm process"
        assert graded(sb)
        assert sb.server_pid not in (None, server)
        assert parent_of(sb._all[0].proc.pid) == sb.server_pid


def test_each_worker_forks_and_confines_its_next_child_before_the_job() -> None:
    with Sandbox(workers=1, limits=LIMITS) as sb:
        zygote = sb._all[0]
        uid = zygote.containment.uid
        for _ in range(2):
            spare = waiting_child(zygote.proc.pid)
            assert os.getsid(spare) == spare  # its own session: already confined
            if uid is not None:
                assert os.stat(f"/proc/{spare}").st_uid == uid
            record = sb.run(["import os\nprint(os.getpid())", *GOOD], PROBE)
            assert record.status == "ok" and record.evidence[0].value == 6
            assert record.cells[0].outputs[0]["text"] == f"{spare}\n"  # the job ran there
            assert gone(spare) and waiting_child(zygote.proc.pid) != spare


LOADED = (
    "import sys\nprint(*[m for m in ('matplotlib.pyplot', 'sklearn.datasets') if m in sys.modules])"
)


def test_the_children_find_the_classes_libraries_already_imported(sandbox: Sandbox) -> None:
    default = sandbox.run([LOADED, *GOOD], PROBE)
    assert default.cells[0].outputs[0]["text"] == "matplotlib.pyplot\n"
    with Sandbox(workers=1, limits=LIMITS, warm=["sklearn.datasets"]) as sb:
        record = sb.run([LOADED, *GOOD], PROBE)
        assert record.cells[0].outputs[0]["text"] == "sklearn.datasets\n"  # no matplotlib
        plotted = sb.run(
            ["%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])"], []
        )
        assert plotted.status == "ok"  # a library not warmed is still imported on demand
        assert any("image/png" in o.get("data", {}) for o in plotted.cells[0].outputs)


def test_closing_leaves_no_process() -> None:
    sb = Sandbox(workers=2, limits=LIMITS)
    assert graded(sb)
    pids = [sb.server_pid, *(z.proc.pid for z in sb._all)]
    pids += [waiting_child(pid) for pid in pids[1:]]
    sb.close()
    assert all(gone(pid) for pid in pids if pid is not None)
