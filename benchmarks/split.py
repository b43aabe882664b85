"""Where gdgrade autograde's time and memory go, measured around a real run (no stand-ins).

``Split`` wraps, for the length of a ``with`` block, the functions a batch calls (the
sandbox's start and ``run``, the judging, the artefact writers) to add up their seconds, and
``TreeMemory`` samples the memory of this process and all its descendants (the warm process,
the zygotes, the children running notebooks) in a thread.

    start-up   the sandbox's start: its warm process's imports and torch warm-up (once),
               then each worker forked and ready
    student    seconds inside the student's cells and the checks' probes (the child's clock)
    sandbox    the rest of each sandbox run: fork, containment, pipes, JSON, validation
    judging    the checks' judges on the evidence (oracles, misconception search)
    artefacts  executed notebook, feedback page, result files, gradebook row

The phases run in several threads at once, so they add up to more than the wall time.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from grader.outputs import gradebook
from grader.pipeline import batch, grade
from grader.sandbox import pool

PHASES = ("start-up", "student", "sandbox", "judging", "artefacts")


class Split:
    """Seconds per phase of the batches run inside the block."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.started: list[tuple[float, float]] = []
        """Per sandbox started: its warm process's warm-up and its slowest worker's ready
        time (seconds from the fork request)."""
        self._lock = threading.Lock()
        self._undo: list[tuple[object, str, object]] = []

    def add(self, phase: str, seconds: float) -> None:
        with self._lock:
            self.seconds[phase] += seconds

    def _wrap(self, owner: object, name: str, make: Callable[[Any], Any]) -> None:
        original = getattr(owner, name)
        self._undo.append((owner, name, original))
        setattr(owner, name, make(original))

    def _timed(self, phase: str) -> Callable[[Any], Any]:
        def make(original: Any) -> Any:
            def timed(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self.add(phase, time.perf_counter() - start)

            return timed

        return make

    def __enter__(self) -> Split:
        split = self

        def make_init(original: Any) -> Any:
            def init(sandbox: Any, *args: Any, **kwargs: Any) -> None:
                original(sandbox, *args, **kwargs)
                split.add("start-up", sandbox.start_seconds)
                split.started.append((sandbox.warm_seconds, max(sandbox.ready_seconds)))

            return init

        def make_run(original: Any) -> Any:
            def run(sandbox: Any, *args: Any, **kwargs: Any) -> Any:
                record = original(sandbox, *args, **kwargs)
                split.add("student", record.seconds - record.overhead_seconds)
                split.add("sandbox", record.overhead_seconds)
                return record

            return run

        self._wrap(pool.Sandbox, "__init__", make_init)
        self._wrap(pool.Sandbox, "run", make_run)
        self._wrap(grade, "_judge", self._timed("judging"))
        self._wrap(batch, "save", self._timed("artefacts"))
        self._wrap(gradebook, "record", self._timed("artefacts"))
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def per_submission(self, n: int) -> dict[str, float]:
        """Seconds per submission of each phase but the start-up (paid once per run)."""
        return {p: self.seconds[p] / n for p in PHASES if p != "start-up"}


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids[ppid].append(int(name))
    return kids


def _pss_kib(pid: int) -> int:
    """Proportional set size (shared pages divided among their sharers), else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for row in fh:
                if row.startswith("Pss:"):
                    return int(row.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status") as fh:
            for row in fh:
                if row.startswith("VmRSS:"):
                    return int(row.split()[1])
    except OSError:
        pass
    return 0


def tree_kib(root: int | None = None) -> int:
    """Memory (PSS, KiB) of a process and all its descendants now."""
    kids, todo, total = _children(), [root or os.getpid()], 0
    while todo:
        pid = todo.pop()
        total += _pss_kib(pid)
        todo.extend(kids.get(pid, []))
    return total


class TreeMemory:
    """Peak memory of this process tree while the block runs, sampled every ``every`` s."""

    def __init__(self, every: float = 0.25) -> None:
        self.every = every
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, tree_kib())
            self._stop.wait(self.every)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024
