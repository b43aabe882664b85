"""The sandbox: IPython semantics, limits, containment, and the next submission after a bad one.

One module-scoped warm sandbox with short limits keeps this file fast; a bad notebook is
always followed by a good one on the same sandbox, which must be graded normally.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel

from grader.errors import SandboxError
from grader.evidence import ErrorInfo, Evidence, ProbeRequest
from grader.inside import zygote as worker
from grader.inside.containment import UNREADABLE
from grader.inside.probes import encode
from grader.judging import registry
from grader.protocol import (
    CHILD_EVENT,
    CellDoneEvent,
    CellRecord,
    CellStartedEvent,
    ContainmentRecord,
    DryRunReport,
    EndedEvent,
    EvidenceEvent,
    JobRecord,
    KilledRecord,
    PhaseRecord,
    ProbeStartedEvent,
    ReadyReport,
    WorkerReport,
    line,
)
from grader.sandbox.execution import SandboxLimits, WorkerFailure, build_record
from grader.sandbox.pool import Sandbox, _Zygote

LIMITS = SandboxLimits(cell_timeout=1.0, total_timeout=12, memory_mb=1024, output_bytes=50_000)
PROBE = [ProbeRequest(check_id="t.f", probe="call", target="f", inputs={"args": [3]})]
GOOD = ["def f(a):\n    return 2 * a"]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(workers=1, limits=LIMITS) as sb:
        yield sb


def assert_graded_normally(sandbox: Sandbox) -> None:
    after = sandbox.run(GOOD, PROBE)
    assert after.status == "ok", after.message
    assert after.evidence[0].value == 6 and after.evidence[0].error is None


BAD = {
    "infinite loop": (["while True:\n    pass"], "timeout", "code cell 1 ran longer than 1 s"),
    "sleep": (["import time\ntime.sleep(1e6)"], "timeout", "code cell 1 ran longer than 1 s"),
    "catches BaseException": (
        [
            "while True:\n    try:\n        sum(range(10**6))\n"
            "    except BaseException:\n        pass"
        ],
        "timeout",
        "code cell 1 ran longer than 1 s",
    ),
    "blocks SIGALRM": (
        [
            "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\n"
            "while True:\n    pass"
        ],
        "timeout",
        "code cell 1 ran longer than 1 s",
    ),
    "os._exit": (["import os\nos._exit(3)"], "crashed", "exit code 3 during code cell 1"),
    "segfault": (
        ["import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"],
        "crashed",
        "killed by SIGSEGV during code cell 1",
    ),
    "numpy 8 GB": (
        ["import numpy as np\nblob = np.ones(8 * 1024**3 // 8)"],
        "memory",
        "code cell 1 ran out of memory (limit 1024 MiB)",
    ),
    "torch 8 GB": (
        ["import torch\nblob = torch.ones(2 * 1024**3)"],
        "memory",
        "code cell 1 ran out of memory",
    ),
    "exception in an import": (
        ["import this_module_does_not_exist"],
        "error",
        "code cell 1 raised ModuleNotFoundError: No module named 'this_module_does_not_exist'",
    ),
    "import reference": (
        ["import reference"],
        "error",
        "'reference' is not available while your notebook is graded",
    ),
    "import the judges": (
        ["from grader import judges"],
        "error",
        "'grader.judging' is not available while your notebook is graded",
    ),
    "import the checks": (
        ["import grader.judging.check"],
        "error",
        "'grader.judging' is not available while your notebook is graded",
    ),
    "SystemExit": (["raise SystemExit(1)"], "error", "raised SystemExit"),
    "KeyboardInterrupt": (["raise KeyboardInterrupt"], "error", "raised KeyboardInterrupt"),
    "syntax error": (["def f(:"], "error", "raised SyntaxError"),
    "writes to the grader's pipe": (
        [
            "import os, stat\nfor fd in range(3, 64):\n    try:\n"
            "        if stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
            "            os.write(fd, b'{not json}\\n')\n    except OSError:\n        pass"
        ],
        "crashed",
        "broke the grading protocol",
    ),
}


@pytest.mark.parametrize(("cells", "status", "text"), BAD.values(), ids=BAD.keys())
def test_bad_cells_are_contained_and_the_next_submission_is_graded(sandbox, cells, status, text):
    record = sandbox.run(cells + GOOD, PROBE)
    assert record.status == status, record.message
    assert text in record.message
    assert len(record.cells) == 2 and record.cells[0].status in ("error", "timeout")
    assert_graded_normally(sandbox)


def test_a_cell_stopped_by_sigalrm_does_not_stop_the_rest(sandbox):
    record = sandbox.run(["import time\ntime.sleep(1e6)", *GOOD], PROBE)
    assert [c.status for c in record.cells] == ["timeout", "ok"]
    assert record.evidence[0].value == 6
    assert record.cells[0].outputs[-1]["ename"] == "CellTimeout"


def test_a_killed_notebook_skips_the_rest_and_its_checks_say_why(sandbox):
    record = sandbox.run(["import os\nos._exit(3)", *GOOD, "x = 1"], PROBE)
    assert [c.status for c in record.cells] == ["error", "skipped", "skipped"]
    assert record.cells[0].outputs[0]["ename"] == "KernelDied"
    [ev] = record.evidence
    assert ev.check_id == "t.f" and ev.error is not None and ev.meta == {"not_run": True}
    assert ev.error.message.startswith(
        "the notebook crashed before this check could run: the notebook's process exited "
        "with exit code 3"
    )


def test_a_hanging_check_is_stopped(sandbox):
    cells = ["def f(a):\n    while True:\n        pass"]
    record = sandbox.run(cells, [*PROBE, ProbeRequest(check_id="t.g", probe="value", target="f")])
    first, second = record.evidence
    assert first.error is not None and "ran longer than 1 s" in first.error.message
    assert second.value_type == "function"  # the next check still ran
    assert_graded_normally(sandbox)


def test_total_time_limit(sandbox):
    limits = LIMITS.model_copy(update={"total_timeout": 1.5})
    cells = ["import time\ntime.sleep(0.6)"] * 4
    record = sandbox.run(cells, PROBE, limits=limits)
    assert record.status == "timeout"
    assert record.message.startswith("the notebook ran longer than its total limit of 1.5 s")
    assert [c.status for c in record.cells][:2] == ["ok", "ok"]
    assert record.cells[-1].status == "skipped"
    assert record.evidence[0].error.type == "NotRun"
    assert_graded_normally(sandbox)


def test_output_is_capped_per_cell_and_in_total(sandbox):
    record = sandbox.run(["print('x' * 5_000_000)", "print('small')"], [])
    big = record.cells[0].outputs
    assert len(big[0]["text"]) == LIMITS.output_bytes
    assert "output truncated: 4950001 more characters" in big[-1]["text"]
    assert "this cell's output limit" in big[-1]["text"]
    assert record.cells[1].outputs[0]["text"] == "small\n"

    limits = LIMITS.model_copy(update={"total_output_bytes": 60_000})
    record = sandbox.run(["print('y' * 40_000)"] * 3, [], limits=limits)
    kept = [
        sum(len(o.get("text", "")) for o in c.outputs if "truncated" not in o.get("text", ""))
        for c in record.cells
    ]
    assert kept == [40_001, 20_000 - 1, 0]
    assert "the notebook's total output limit" in record.cells[2].outputs[-1]["text"]


def test_ipython_semantics_magics_and_inline_plots(sandbox):
    cells = [
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()",
        "x = 20\nx + 1",
        "%time y = sum(range(10))",
        "from IPython.display import display, HTML\ndisplay(HTML('<b>hi</b>'))",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])",  # inline backend: flushed
    ]
    roomy = LIMITS.model_copy(update={"cell_timeout": 10.0})  # a first plot on a busy machine
    requests = [ProbeRequest(check_id="y", probe="value", target="y")]
    record = sandbox.run(cells, requests, limits=roomy)
    assert record.status == "ok", record.message
    plot, result, timed, html, flushed = (c.outputs for c in record.cells)
    assert [o["output_type"] for o in plot] == ["display_data"]
    assert plot[0]["data"]["image/png"]
    assert result == [
        {
            "output_type": "execute_result",
            "data": {"text/plain": "21"},
            "metadata": {},
            "execution_count": 2,
        }
    ]
    assert "Wall time" in timed[0]["text"]
    assert html[0]["data"]["text/html"] == "<b>hi</b>"
    assert any("image/png" in o.get("data", {}) for o in flushed)
    assert record.evidence[0].value == 45


def test_cells_are_numbered_as_jupyter_numbers_them(sandbox):
    # a blank cell takes no number; one that raises or is stopped does (In/Out agree)
    cells = ["a = 1", "   \n", "a + 1", "raise ValueError('x')", "while True:\n    pass", "In[-1]"]
    record = sandbox.run(cells, [])
    counts = [c.execution_count for c in record.cells]
    assert counts == [1, None, 2, 3, 4, 5]
    [shown] = record.cells[2].outputs
    assert shown["execution_count"] == 2 and shown["data"]["text/plain"] == "2"
    assert record.cells[4].status == "timeout"
    assert record.cells[5].outputs[0]["data"]["text/plain"] == repr("In[-1]")
    assert_graded_normally(sandbox)


def test_scratch_directory_environment_and_paths(sandbox):
    code = (
        "import os, sys\ncwd = os.getcwd()\nenv = dict(os.environ)\n"
        "paths = list(sys.path)\nopen('f.txt', 'w').write('x')\nfiles = os.listdir('.')"
    )
    names = ("cwd", "env", "paths", "files")
    requests = [ProbeRequest(check_id=n, probe="value", target=n) for n in names]
    record = sandbox.run([code], requests)
    cwd, env, paths, files = (e.value for e in record.evidence)
    assert os.path.basename(cwd).startswith("gdgrade-") and files == ["f.txt"]
    assert sorted(env) == [
        "HOME",
        "LANG",
        "MPLBACKEND",
        "MPLCONFIGDIR",
        "OMP_NUM_THREADS",
        "PATH",
        "TMPDIR",
    ]
    assert env["HOME"] == cwd and env["PATH"] == "/usr/local/bin:/usr/bin:/bin"
    root = os.path.dirname(os.path.dirname(os.path.abspath(worker.__file__)))
    assert paths[0] == cwd and root not in paths
    assert not os.path.exists(cwd), "scratch directory left behind"


def test_each_submission_starts_fresh(sandbox):
    sandbox.run(["import numpy as np\nleak = 1\nnp.random.seed(1)"], [])
    record = sandbox.run(
        ["import torch\nfirst = torch.rand(1).item()"],
        [
            ProbeRequest(check_id="leak", probe="value", target="leak"),
            ProbeRequest(check_id="first", probe="value", target="first"),
        ],
    )
    leak, first = record.evidence
    assert leak.missing
    again = sandbox.run(
        ["import torch\nfirst = torch.rand(1).item()"],
        [ProbeRequest(check_id="first", probe="value", target="first")],
    )
    assert again.evidence[0].value == first.value  # same warm RNG state for everyone


def test_warm_workers_keep_overhead_small(sandbox):
    records = [sandbox.run(GOOD, PROBE) for _ in range(5)]
    assert sorted(r.overhead_seconds for r in records)[2] < 0.5


def test_parallel_runs_and_a_dead_worker_is_replaced():
    with Sandbox(workers=2, limits=LIMITS) as sb:
        results: list = [None, None]

        def go(i: int) -> None:
            results[i] = sb.run(["import time\ntime.sleep(0.8)", *GOOD], PROBE)

        start = time.perf_counter()
        threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert time.perf_counter() - start < 1.5, "two workers did not run in parallel"
        assert all(r.status == "ok" and r.evidence[0].value == 6 for r in results)

        zygote = sb._all[0]  # a zygote dies between jobs: replaced, nobody notices
        zygote.proc.kill()
        zygote.proc.wait()
        assert_graded_normally(sb)
        assert_graded_normally(sb)


KILL_WORKER = [
    "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nimport time\ntime.sleep(1e6)"
]


def test_a_notebook_that_kills_its_worker():
    # without the uid switch (an ordinary user, or isolation off) the kill succeeds
    with Sandbox(workers=1, limits=LIMITS, isolate=False) as sb:
        dead = sb.run(KILL_WORKER, PROBE)
        assert dead.status == "crashed" and "grading worker failed" in dead.message
        assert dead.evidence[0].error.type == "NotRun"
        assert_graded_normally(sb)


def test_a_contained_notebook_cannot_signal_its_worker(sandbox):
    closed = any(p.startswith(UNREADABLE) for p in sandbox.containment.problems)
    if sandbox.containment.uid is None and (os.geteuid() != 0 or closed):
        pytest.skip(f"no uid switch here (root only): {sandbox.containment.problems}")
    record = sandbox.run(KILL_WORKER, PROBE)
    assert record.cells[0].status == "error"
    assert "PermissionError" in str(record.cells[0].outputs)
    assert_graded_normally(sandbox)


# -- interpreting the worker's report (no process) --------------------------------------


def report(**kw) -> WorkerReport:
    return WorkerReport(**kw)


def test_a_sigkill_nobody_sent_reads_as_memory():
    record = build_record(
        report(signal="SIGKILL", phase=PhaseRecord(phase="cell", cell=0)), ["x"], PROBE, LIMITS, 1.0
    )
    assert record.status == "memory"
    assert "killed during code cell 1 (SIGKILL), most likely for using too much memory" in (
        record.message
    )
    assert record.evidence[0].error.message.startswith(
        "the notebook ran out of memory before this check could run"
    )


def test_a_failed_worker_reads_as_crashed_and_its_checks_say_why():
    record = build_record(WorkerFailure(reason="it stopped answering"), ["x"], PROBE, LIMITS, 1.0)
    assert record.status == "crashed"
    assert record.message == "the grading worker failed: it stopped answering"
    assert [c.status for c in record.cells] == ["skipped"]
    assert record.evidence[0].error.type == "NotRun"


def test_a_protocol_kill_names_what_was_unreadable():
    killed = KilledRecord(reason="protocol", during=PhaseRecord(phase="between"), detail="why")
    record = build_record(report(killed=killed), ["x"], PROBE, LIMITS, 1.0)
    assert record.status == "crashed"
    assert record.message == "the notebook's process broke the grading protocol (why)"


def test_evidence_keeps_request_order():
    requests = [ProbeRequest(check_id=c, probe="value", target="x") for c in ("b", "a")]
    got = [Evidence(check_id="a"), Evidence(check_id="b")]
    record = build_record(report(ended=True, evidence=got), [], requests, LIMITS, 0.1)
    assert [e.check_id for e in record.evidence] == ["b", "a"]


# -- the protocol: every message through JSON and back ----------------------------------

NAN_EVIDENCE = Evidence(
    check_id="t.f",
    value={"w": [math.nan, math.inf], "b": -math.inf},
    losses=[1.0, 0.5, math.nan, math.inf],
    lrs=[0.1, math.nan],
    meta={"finite": False, "x": -math.inf},
    error=ErrorInfo(type="ValueError", message="m"),
)
MESSAGES: list[BaseModel] = [
    JobRecord(
        cells=["x = 1", "print('\u00e9')"],
        requests=[
            ProbeRequest(
                check_id="t.f",
                probe="call",
                target="f",
                inputs={"args": [encode(np.array([1.0, np.nan, -np.inf]))], "b": math.inf},
            )
        ],
        limits=LIMITS,
    ),
    ReadyReport(seconds=1.5, pid=12, containment=ContainmentRecord(on=True, facts=["no network"])),
    ContainmentRecord(problems=["unshare: Operation not permitted"]),
    DryRunReport(facts=["no network"]),
    DryRunReport(error="OSError: no"),
    CellStartedEvent(cell=3),
    CellDoneEvent(
        record=CellRecord(
            index=3,
            status="ok",
            outputs=[{"output_type": "stream", "name": "stdout", "text": "hi\n"}],
            seconds=0.25,
        )
    ),
    ProbeStartedEvent(check_id="t.f"),
    EvidenceEvent(evidence=NAN_EVIDENCE),
    EndedEvent(),
    WorkerReport(
        cells=[CellRecord(status="timeout")],
        evidence=[NAN_EVIDENCE],
        killed=KilledRecord(reason="timeout", during=PhaseRecord(phase="probe", check_id="t.f")),
        phase=PhaseRecord(phase="probe", check_id="t.f"),
        exit_code=None,
        signal="SIGKILL",
        seconds=2.0,
    ),
]


EVENTS = (CellStartedEvent, CellDoneEvent, ProbeStartedEvent, EvidenceEvent, EndedEvent)


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_through_one_json_line(message: BaseModel):
    data = line(message)
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    if isinstance(message, EVENTS):
        back = CHILD_EVENT.validate_json(data)
    else:
        back = type(message).model_validate_json(data)
    assert type(back) is type(message)
    assert line(back) == data  # NaN != NaN: compare the JSON, which spells NaN the same


def test_nan_and_inf_travel_as_json_constants():
    data = line(EvidenceEvent(evidence=NAN_EVIDENCE))
    assert b"NaN" in data and b"-Infinity" in data
    back = CHILD_EVENT.validate_json(data).evidence
    assert back.losses[:2] == [1.0, 0.5] and math.isnan(back.losses[2])
    assert back.losses[3] == math.inf and math.isnan(back.lrs[1])
    assert math.isnan(back.value["w"][0]) and back.value["b"] == -math.inf
    assert back.meta["x"] == -math.inf


def test_text_json_cannot_carry_is_replaced_not_a_crash():
    record = CellRecord(status="ok", outputs=[{"output_type": "stream", "text": "a\udcffb"}])
    back = CHILD_EVENT.validate_json(line(CellDoneEvent(record=record)))
    assert back.record.outputs[0]["text"] == "a?b"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"{not json}", "an unreadable message (the line: Invalid JSON"),
        (b'{"kind": "launch", "cell": 1}', "an unreadable message (the line: Input tag 'launch'"),
        (b'{"kind": "cell_started"}', "an unreadable message (cell_started.cell: Field required"),
        (
            b'{"kind": "cell_done", "record": {"status": "fine"}}',
            "an unreadable message (cell_done.record.status: Input should be 'ok'",
        ),
        (
            b'{"kind": "evidence", "evidence": {"check_id": "t.f", "losses": "many"}}',
            "an unreadable message (evidence.evidence.losses: Input should be a valid",
        ),
    ],
    ids=["not JSON", "unknown kind", "field missing", "bad cell status", "bad evidence"],
)
def test_a_malformed_event_is_named(data: bytes, detail: str):
    with pytest.raises(ValueError) as info:
        CHILD_EVENT.validate_json(data)
    assert worker.unreadable(info.value).startswith(detail)


MALFORMED = [
    b'{"kind": "cell_done", "record": {"status": "fine"}}',
    b'{"kind": "evidence", "evidence": {"check_id": "t.f", "losses": "many"}}',
    b'{"kind": "ended", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
]


@pytest.mark.parametrize("data", MALFORMED, ids=["bad cell record", "bad evidence", "deep"])
def test_a_malformed_event_from_a_child_is_an_error_record_not_a_crash(sandbox, data: bytes):
    payload = data + b"\n"
    cell = (
        "import os, stat\nfor fd in range(3, 64):\n    try:\n"
        "        if stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
        f"            os.write(fd, {payload!r})\n    except OSError:\n        pass"
    )
    record = sandbox.run([cell, *GOOD], PROBE)
    assert record.status == "crashed", record.message
    assert "broke the grading protocol (an unreadable message (" in record.message
    assert record.evidence[0].error.type == "NotRun"
    assert_graded_normally(sandbox)


def test_an_unreadable_report_is_a_failed_worker(tmp_path: Path):
    script = "import sys\nsys.stdin.readline()\nprint('{\"cells\": 5}', flush=True)\n"
    zygote = _Zygote.__new__(_Zygote)
    zygote.proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        with pytest.raises(SandboxError, match=r"sent an unreadable report \(cells: "):
            zygote.ask(JobRecord(cells=[]), wait=30)
    finally:
        zygote.close()


NAN_AT_STEP_3 = """
import torch

def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for epoch in range(epochs):
        perm = torch.as_tensor(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            opt.zero_grad()
            scale = float("nan") if len(losses) == 2 else 1.0  # the bug: NaN from step 3 on
            loss = scale * ((X[idx] @ w + b - y[idx]) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
"""


def test_a_loss_that_becomes_nan_reaches_the_judge_whole(sandbox):
    chk = registry.get("fixture.trainer")  # registered by tests/grader/conftest.py
    request = chk.request()
    record = sandbox.run([NAN_AT_STEP_3], [request])
    assert record.status == "ok", record.message
    [ev] = record.evidence
    assert ev.error is None, ev.error
    assert len(ev.losses) == 15  # 40 samples, batches of 8, 3 epochs: not cut at the NaN
    assert all(math.isfinite(v) for v in ev.losses[:2])
    assert math.isnan(ev.losses[2]) and all(math.isnan(v) for v in ev.losses[2:])
    result = chk.grade(request, ev)
    assert result.status == "failed" and result.points == 0
    assert "diverged at step 2: loss_2 = nan" in result.feedback


@pytest.mark.parametrize(
    ("name", "trusted"),
    [
        ("reference", True),
        ("reference.descent", True),
        ("grader.judging.judges", True),
        ("grader.judging.check", True),
        ("grader.judging.registry", True),
        ("grader.course.gd_basics", True),
        ("assignments", True),
        ("grader.inside.probes", False),
        ("grader.evidence", False),
        ("numpy", False),
        ("referencex", False),
    ],
)
def test_trusted_module_names(name: str, trusted: bool):
    assert worker.is_trusted(name) is trusted


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\nState:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def test_processes_a_notebook_starts_are_killed_with_it(sandbox):
    cell = "import subprocess\npid = subprocess.Popen(['sleep', '1000']).pid"
    record = sandbox.run([cell], [ProbeRequest(check_id="pid", probe="value", target="pid")])
    pid = record.evidence[0].value
    assert isinstance(pid, int)
    time.sleep(0.2)
    assert not _alive(pid), "a process started by the notebook outlived it"
