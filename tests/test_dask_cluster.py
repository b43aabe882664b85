"""Grading on a real Dask cluster: `dask scheduler` and two `dask worker` processes on
127.0.0.1, started as an instructor starts them (not an in-process LocalCluster), each worker
in a directory of its own. `gdgrade autograde --course .` with non-default limits gives the
same scores and messages there as the local executor."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from grader.nbgrader_io.release import release, submit
from grader.outputs.report import load_results
from grader.paths import COURSE_SOURCE
from grader.pipeline.batch import autograde
from grader.protocol import SandboxLimits

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SAMPLES = COURSE_SOURCE / "samples" / "gd_basics"
LIMITS = SandboxLimits(cell_timeout=2, total_timeout=60, memory_mb=1024)
"""Each differs from the default (30 s, 300 s, 4096 MiB)."""


def _variant(root: Path, student: str, grade_id: str, prefix: str) -> None:
    """Submit the correct sample with ``prefix`` put before the code of one cell."""
    nb = nbformat.read(SAMPLES / "ada_correct" / "gd_basics.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = prefix + cell.source
    path = root.parent / "drafts" / student / "gd_basics.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    submit(root, student, "gd_basics", path)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """gd_basics released, with three students: correct, one cell sleeping past the cell
    limit, one cell asking for more memory than the limit."""
    root = tmp_path_factory.mktemp("dask") / "course"
    root.mkdir()
    shutil.copy(COURSE_SOURCE / "nbgrader_config.py", root)
    shutil.copytree(COURSE_SOURCE / "source" / "gd_basics", root / "source" / "gd_basics")
    release(root, "gd_basics")
    submit(root, "ada", "gd_basics", SAMPLES / "ada_correct" / "gd_basics.ipynb")
    _variant(root, "sid_sleepy", "stopping", "import time\ntime.sleep(5)\n")
    _variant(root, "hal_hungry", "saddle", "_hog = bytearray(1536 * 2**20)\n")
    return root


def _stop(procs: list[subprocess.Popen]) -> None:
    """Terminate each process group (a worker's nanny, worker and sandbox zygotes)."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> Iterator[str]:
    """Address of a scheduler with two single-thread workers, all separate processes."""
    from dask.distributed import Client

    here = tmp_path_factory.mktemp("cluster")
    info = here / "scheduler.json"
    procs: list[subprocess.Popen] = []
    log = (here / "cluster.log").open("w")

    def start(*args: str, cwd: Path) -> None:
        cwd.mkdir(exist_ok=True)
        procs.append(
            subprocess.Popen(
                [str(BIN / "dask"), *args],
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    try:
        start(
            "scheduler",
            *("--host", "127.0.0.1", "--port", "0", "--no-dashboard"),
            *("--scheduler-file", str(info)),
            cwd=here / "scheduler",
        )
        deadline = time.time() + 120
        while not info.is_file():
            assert time.time() < deadline and procs[0].poll() is None, "no scheduler"
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for name in ("w1", "w2"):
            start(
                "worker",
                address,
                *("--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1"),
                *("--no-dashboard", "--name", name, "--local-directory", str(here / name)),
                cwd=here / name,
            )
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        _stop(procs)
        log.close()


def _scores(results) -> dict[str, tuple]:
    return {
        r.student: (r.score, [c.points for c in r.cells], r.execution, r.messages) for r in results
    }


def test_cluster_grades_like_the_local_executor(course, scheduler, tmp_path) -> None:
    here = tmp_path / "local"
    shutil.copytree(course, here)
    local = _scores(autograde(here, ["gd_basics"], workers=1, limits=LIMITS))
    assert {s: v[0] for s, v in local.items()} == {"ada": 17, "hal_hungry": 15, "sid_sleepy": 14}
    assert local["sid_sleepy"][2:] == (
        "timeout",
        ["cell 'stopping' ran longer than 2 s and was stopped"],
    )
    assert local["hal_hungry"][2] == "memory"

    started = time.perf_counter()
    proc = subprocess.run(
        [
            str(BIN / "gdgrade"),
            "autograde",
            "gd_basics",
            *("--course", "."),  # the default: relative paths must not reach the workers
            *("--executor", "dask", "--scheduler", scheduler),
            *("--cell-timeout", "2", "--total-timeout", "60", "--memory-mb", "1024"),
        ],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(f"dask autograde: {time.perf_counter() - started:.1f} s")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _scores(load_results(course)) == local
