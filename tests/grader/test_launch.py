"""A command launches the sandbox's warm process first thing (``grader.sandbox.launch``):
the sandbox started later adopts it and tells it what to warm; a launch with other options
or none adopting it is stopped, leaving no process behind."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from grader.evidence import ProbeRequest
from grader.sandbox import launch
from grader.sandbox.execution import SandboxLimits
from grader.sandbox.pool import Sandbox
from tests.grader.test_pool import gone, running

LIMITS = SandboxLimits(cell_timeout=5.0, total_timeout=20, memory_mb=1024)
PROBE = [ProbeRequest(check_id="t.f", probe="call", target="f", inputs={"args": [3]})]
CELLS = ["import numpy as np\ndef f(a):\n    return int(np.int64(2) * a)"]


def test_the_sandbox_adopts_the_early_launch_and_warms_what_it_is_told(tmp_path: Path) -> None:
    secret = tmp_path / "hidden_tests.txt"
    secret.write_text("the course's own")
    launch.early(hide=[str(tmp_path)])
    launched = launch.adopt(isolate=True, hide=[str(tmp_path)])
    assert launched is not None and launch.adopt(isolate=True, hide=[str(tmp_path)]) is None
    pid = launched.server.proc.pid
    cells = [*CELLS, f"import os\nseen = os.path.exists({str(secret)!r})"]
    look = ProbeRequest(check_id="t.seen", probe="value", target="seen")
    with Sandbox(
        workers=1, limits=LIMITS, hide=[tmp_path], warm=["numpy"], launched=launched
    ) as sb:
        assert sb.server_pid == pid  # no second warm process
        record = sb.run(cells, [*PROBE, look])
        assert record.status == "ok" and record.evidence[0].value == 6
        if sb.containment.on:  # the launch hid the course as asked
            assert record.evidence[1].value is False
    assert gone(pid)
    assert not Path(launched.home).exists()


def loads(pid: int, library: str, within: float = 60.0) -> bool:
    """Whether process ``pid`` maps a shared library named like ``library`` in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/maps") as fh:
            if library in fh.read():
                return True
        time.sleep(0.1)
    return False


def test_a_launch_told_early_warms_up_before_any_sandbox_adopts_it(tmp_path: Path) -> None:
    launch.early(hide=[str(tmp_path)])
    launch.tell(["numpy"])  # what ``tell_class`` does once the command has read its course
    launched = launch.adopt(isolate=True, hide=[str(tmp_path)])
    assert launched is not None and launched.server.told
    pid = launched.server.proc.pid
    assert loads(pid, "_multiarray_umath")  # numpy, with no sandbox started yet
    with Sandbox(
        workers=1, limits=LIMITS, hide=[tmp_path], warm=["numpy"], launched=launched
    ) as sb:
        assert sb.server_pid == pid  # the same list: adopted, not told twice
        assert sb.run(CELLS, PROBE).evidence[0].value == 6
    assert gone(pid)


def _notebook(path: Path, code: str) -> None:
    import nbformat

    path.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), path)


def test_autograde_tells_the_launch_what_the_class_imports_once_it_has_read_the_course(
    tmp_path: Path,
) -> None:
    from grader.pipeline import warm

    _notebook(tmp_path / "source" / "a" / "a.ipynb", "import numpy as np")
    _notebook(tmp_path / "submitted" / "s1" / "a" / "a.ipynb", "import numpy as np\nx = 1")
    launch.early(hide=[str(tmp_path)])
    told = launch._pending
    assert told is not None and not told.server.told
    warm.tell_class(tmp_path, ["a"])  # as ``gdgrade autograde`` does, before the pool loads
    assert told.server.told and told.server.warm == ["numpy"]
    assert loads(told.server.proc.pid, "_multiarray_umath")  # importing, no sandbox yet
    with warm.class_start(tmp_path, ["a"], workers=1, limits=LIMITS) as up:
        sb = up.wait()
        assert sb.server_pid == told.server.proc.pid  # adopted: the same warm process
        assert sb.run(CELLS, PROBE).evidence[0].value == 6
    assert gone(told.server.proc.pid)


def test_a_sandbox_that_warms_other_modules_starts_its_own_warm_process(tmp_path: Path) -> None:
    launch.early(hide=[str(tmp_path)])
    launch.tell(["matplotlib.pyplot"])
    launched = launch.adopt(isolate=True, hide=[str(tmp_path)])
    assert launched is not None
    told = launched.server.proc.pid
    with Sandbox(
        workers=1, limits=LIMITS, hide=[tmp_path], warm=["numpy"], launched=launched
    ) as sb:
        assert sb.server_pid != told and gone(told)
        assert sb.run(CELLS, PROBE).evidence[0].value == 6
    assert not Path(launched.home).exists()


def test_a_launch_with_other_options_or_never_adopted_is_stopped(tmp_path: Path) -> None:
    launch.early(hide=[str(tmp_path)])
    first = launch._pending
    assert first is not None and running(first.server.proc.pid)
    assert launch.adopt(isolate=True, hide=[]) is None  # another course: not this launch
    assert gone(first.server.proc.pid) and not Path(first.home).exists()

    launch.early()
    second = launch._pending
    assert second is not None
    launch._drop()  # what the command's exit does with a launch nobody adopted
    assert gone(second.server.proc.pid) and not Path(second.home).exists()
    assert sys.modules["grader.sandbox.launch"]._pending is None


def test_a_start_not_needed_is_cancelled_without_waiting_for_its_warm_up(tmp_path: Path) -> None:
    import pytest

    from grader.errors import WorkerStartError
    from grader.pipeline.warm import warm_start

    source = Path(__file__).resolve().parents[2] / "assignments/source/gd_variants"
    launch.early(hide=[str(tmp_path)])
    pid = launch._pending.server.proc.pid
    with warm_start(sorted(source.glob("*.ipynb")), hide=[tmp_path]) as up:
        up.cancel()  # every submission unchanged: the torch warm-up is not waited for
        with pytest.raises(WorkerStartError):
            up.wait()
    assert gone(pid)


JUDGES_READY = """
import sys
from pathlib import Path
from grader.judging import registry
from grader.pipeline.warm import judges_ready, warm_start

sources = sorted(Path(sys.argv[1]).glob("*.ipynb"))
with warm_start(sources) as up:
    registry.load_assignment(Path(sys.argv[1]).name)  # as the command loads them meanwhile
    judges_ready(sources, up)  # at once: the warm process is still importing
    print("torch" in sys.modules, "torch._dynamo" in sys.modules)
"""


def test_a_torch_class_has_torch_imported_for_its_judges_while_the_sandbox_starts() -> None:
    import subprocess

    course = Path(__file__).resolve().parents[2] / "assignments" / "source"
    seen = {}
    # torch in the notebook, not, and in the checks' oracles (which train with torch.optim)
    for name in ("gd_variants", "gd_basics", "minibatch_in_action"):
        proc = subprocess.run(
            [sys.executable, "-c", JUDGES_READY, str(course / name)],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        seen[name] = proc.stdout.split()[-2:]
    assert seen == {
        "gd_variants": ["True", "False"],  # the optimizer's imports: in the warm process
        "gd_basics": ["False", "False"],
        "minibatch_in_action": ["True", "True"],
    }
