"""The fixed start of a grading command, paid in parallel: the sandbox first, the rest beside it.

The sandbox's warm process (a Python that imports IPython, numpy, torch when the class uses
it ... and forks the workers) is the longest part of a command's start on a small machine.
``warm_start`` launches it before anything else, from a thread of this process, so that
while it imports on one core this process imports the pipeline and loads the checks of the
assignments it grades on the other. ``gdgrade autograde``, ``gdgrade grade`` and
Gradescope's run_autograder all start this way, and launch the warm process itself even
earlier, first thing (``grader.sandbox.launch.early``): it imports IPython while the command
reads its course, and learns what else to import as soon as the command has read the
course (``tell_class``), else when the sandbox adopts it here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic's models: imported in the starting thread, not before it
    from grader.protocol import SandboxLimits
    from grader.sandbox.launch import Launched
    from grader.sandbox.pool import Sandbox


class Starting:
    """A sandbox on its way up: ``done`` says whether it is ready, ``wait`` returns it,
    ``cancel`` stops it when it is not needed after all."""

    def __init__(self, future: Future[Sandbox], launched: Launched | None = None) -> None:
        self._future = future
        self._launched = launched

    def cancel(self) -> None:
        """Not needed (every submission is unchanged): stop a warm process launched early
        at once, rather than wait for its warm-up only to close it."""
        if self._launched is not None and not self._future.done():
            self._launched.server.kill()  # the start sees it gone and cleans up

    def done(self) -> bool:
        """Whether the sandbox has started (or failed to)."""
        return self._future.done()

    def wait(self) -> Sandbox:
        """The started sandbox (WorkerStartError when it could not start)."""
        return self._future.result()


def _start(
    warm: list[str],
    workers: int,
    limits: SandboxLimits | None,
    hide: list[str],
    launched: Launched | None,
) -> Sandbox:
    from grader.sandbox.pool import Sandbox

    return Sandbox(workers=workers, limits=limits, hide=hide, warm=warm, launched=launched)


_found: tuple[tuple[Path, ...], tuple[Path, ...], list[str]] | None = None
"""The last ``_warm_list``: sources, students and what they import (``tell_class`` finds it,
``class_start`` reuses it rather than read every student's notebook again)."""


def _warm_list(sources: list[Path], students: list[Path]) -> list[str]:
    """What the sandbox's warm process imports for these notebooks (``preload.imported``)."""
    global _found
    from grader.sandbox import preload

    if _found is not None and _found[:2] == (tuple(sources), tuple(students)):
        return _found[2]
    warm = preload.imported(sources, students)
    _found = (tuple(sources), tuple(students), warm)
    return warm


@contextlib.contextmanager
def warm_start(
    sources: Iterable[Path],
    *,
    students: Iterable[Path] = (),
    workers: int = 1,
    limits: SandboxLimits | None = None,
    hide: Sequence[str | Path] = (),
) -> Iterator[Starting]:
    """Start a sandbox for the notebooks of ``sources`` now, in a thread; yield at once.

    The body does its own start-up meanwhile and calls ``wait`` for the sandbox; the
    sandbox is closed on the way out, also when the body stopped before waiting (a checks
    file that fails to load) or the start failed. ``students``: their notebooks can only
    add torch to what is warmed (``grader.sandbox.preload``); ``hide``: directories the
    notebooks must not read.
    """
    from grader.sandbox import launch

    hidden = [str(p) for p in hide]
    warm = _warm_list(list(sources), list(students))  # what the assignments import
    launched = launch.adopt(isolate=True, hide=hidden)  # the command's early launch, if any
    if launched is not None:  # told now, it imports while this thread imports the pool
        launched.server.send_warm(warm)
    # pool here: the thread then starts at once, not after importing pydantic's models
    # while this thread imports beside it
    import grader.sandbox.pool  # noqa: F401

    with ThreadPoolExecutor(1, thread_name_prefix="gdgrade-sandbox") as starter:
        future = starter.submit(_start, warm, workers, limits, hidden, launched)
        try:
            yield Starting(future, launched)
        finally:
            with contextlib.suppress(Exception):
                future.result().close()


def _class(root: Path, assignments: list[str]) -> tuple[list[Path], list[Path]]:
    """The source notebooks and the students' notebooks of ``assignments`` in the course."""
    from grader.nbgrader_io.course import CourseDir

    subs = CourseDir(root).submissions(assignments)
    return sorted({s.source for s in subs}), [s.notebook for s in subs]


def tell_class(root: Path, assignments: list[str]) -> None:
    """Tell the command's early launch (``grader.sandbox.launch.early``) what the class's
    notebooks import, as soon as the course is read: it imports torch while the command
    goes on importing (pydantic's models, the pool), not after."""
    from grader.sandbox import launch

    launch.tell(_warm_list(*_class(root, assignments)))


@contextlib.contextmanager
def class_start(
    root: Path, assignments: list[str], *, workers: int, limits: SandboxLimits
) -> Iterator[Starting]:
    """``warm_start`` for a class, as ``grader.pipeline.batch`` starts it (every submission
    of ``assignments`` in the course at ``root``, the course hidden from the notebooks),
    from a command that has not imported the batch yet: pass it on as ``starting``."""
    sources, students = _class(root, assignments)
    with warm_start(sources, students=students, workers=workers, limits=limits, hide=[root]) as up:
        yield up


def judges_ready(sources: Iterable[Path], starting: Starting) -> None:
    """While the sandbox still starts, import torch here too when the class's notebooks
    import it: their checks' oracles use it once the notebook has run (gd_variants' first
    judge would import it then, 1.2 s after the notebook ran, with nothing else to do).

    When the checks' own modules imported torch (their oracles train torch models:
    minibatch_in_action), import what torch's first optimizer imports too
    (``torch._dynamo``: 1.2 s on a quiet machine, 9.5 s on a busy one), which the first
    judge would import after the notebook ran.

    Then the checks' student-independent work (``registry.prepare``: gd_variants' variance
    bands, 1.4 s) is done here too, while the sandbox still runs."""
    import sys

    from grader.judging import registry
    from grader.sandbox import preload

    if not starting.done():
        if "torch.optim" in sys.modules:  # loaded with the checks
            import torch._dynamo
        elif any(m.split(".")[0] == preload.TORCH for m in preload.imported(sources)):
            import torch  # noqa: F401
    for work in registry.PREPARED:  # cached: the judges then find it done
        work()
