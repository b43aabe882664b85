"""Crash containment: each bad notebook yields a clear record and the next one runs normally."""

from __future__ import annotations

import pytest

from grader.evidence import ProbeRequest

PROBE = [ProbeRequest(check_id="t.f", probe="call", target="f", inputs={"args": [3]})]
GOOD = ["def f(a):\n    return 2 * a"]

BAD = [
    (["while True:\n    pass"], "timeout", "ran longer than"),
    (["import time\ntime.sleep(10**6)"], "timeout", "ran longer than"),
    (
        [
            "while True:\n    try:\n        sum(range(10**7))\n"
            "    except BaseException:\n        pass"
        ],
        "timeout",
        "ran longer than",
    ),
    (["import os\nos._exit(3)"], "crashed", "exit code 3"),
    (["import numpy as np\nblob = np.ones(8 * 1024**3 // 8)"], "memory", "out of memory"),
    (["import this_module_does_not_exist"], "error", "ModuleNotFoundError"),
    (["print('x' * 5_000_000)"], "ok", ""),
    (["import reference"], "error", "not available while your notebook is graded"),
    (["import grader.judges"], "error", "not available while your notebook is graded"),
    (["raise SystemExit(1)"], "error", "SystemExit"),
    (["raise KeyboardInterrupt"], "error", "KeyboardInterrupt"),
]


@pytest.mark.parametrize(("cells", "status", "text"), BAD)
def test_bad_cells_are_contained_and_the_next_submission_is_graded(sandbox, cells, status, text):
    record = sandbox.run(cells + GOOD, PROBE)
    assert record.status == status, record.message
    assert text in record.message
    after = sandbox.run(GOOD, PROBE)
    assert after.status == "ok" and after.evidence[0].value == 6


def test_huge_output_is_capped(sandbox):
    record = sandbox.run(["print('x' * 5_000_000)"], [])
    text = record.cells[0].outputs[0]["text"]
    assert len(text) < 300_000 and "output truncated" in text


def test_cells_after_an_error_still_run_and_probes_see_them(sandbox):
    record = sandbox.run(["1 / 0", *GOOD], PROBE)
    assert [c.status for c in record.cells] == ["error", "ok"]
    assert record.evidence[0].value == 6


def test_scratch_directory_and_scrubbed_environment(sandbox):
    code = "import os\ncwd = os.getcwd()\nenv = sorted(os.environ)\nopen('f.txt', 'w').write('x')"
    record = sandbox.run(
        [code],
        [
            ProbeRequest(check_id="c", probe="value", target="cwd"),
            ProbeRequest(check_id="e", probe="value", target="env"),
        ],
    )
    cwd, env = (e.value for e in record.evidence)
    assert "gdgrade-" in cwd
    assert env == ["HOME", "LANG", "MPLBACKEND", "OMP_NUM_THREADS", "PATH"]
    import os

    assert not os.path.exists(cwd), "scratch directory left behind"


def test_ipython_magics_and_inline_plots(sandbox):
    cell = "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"
    record = sandbox.run([cell], [])
    kinds = [o["output_type"] for o in record.cells[0].outputs]
    assert record.status == "ok" and "display_data" in kinds
    assert any("image/png" in o.get("data", {}) for o in record.cells[0].outputs)


def test_missing_function_and_student_exception_become_evidence(sandbox):
    record = sandbox.run(
        ["def f(a):\n    raise ValueError('nope')"],
        [*PROBE, ProbeRequest(check_id="g", probe="call", target="g")],
    )
    raised, missing = record.evidence
    assert raised.error.type == "ValueError" and "nope" in raised.error.message
    assert missing.missing


def test_warm_workers_keep_overhead_small(sandbox):
    records = [sandbox.run(GOOD, PROBE) for _ in range(5)]
    assert sorted(r.overhead_seconds for r in records)[2] < 1.0
