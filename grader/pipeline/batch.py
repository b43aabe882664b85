"""Grade a class: every submission of the chosen assignments, in parallel warm workers.

For each submission this writes, atomically and in this order: the executed notebook
(``autograded/``, with the files nbgrader copies beside it), ``feedback/.../<notebook>.html``,
``results/.../results.json`` (Gradescope), ``results/.../classroom.json`` (GitHub Classroom),
``results/.../gdgrade.json`` (the canonical SubmissionResult, written last: its presence with
its regrade key means "graded"), then the gradebook row, whose late penalty (nbgrader's) the
outputs then show (``grader.outputs.artefacts``). A submission whose regrade key
(``regrade.key``: the submission, source notebook, checks, misconceptions, gdgrade's version)
matches its ``gdgrade.json`` is not regraded unless ``force``.

Re-measure at the end of the batch: a submission graded in this run with a check that needs
review (an undecided timing check, its points awarded provisionally) is graded once more
after the rest of the class, when the machine is quieter. The regrade replaces the first
result, artefacts and gradebook row only when it left fewer checks undecided and ran as
well; otherwise the first result stands, still flagged for review. ``remeasure=False``
skips this pass.

On Dask (``executor="dask"``) each task carries the course root and the submission's paths
as absolute paths (workers run in directories of their own, on machines that mount the
course at the same path) and the batch's ``SandboxLimits``; each worker process keeps one
warm sandbox per course and limits.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import gc
import io
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.errors import ClusterError, UsageError
from grader.nbgrader_io import autograded
from grader.nbgrader_io.course import (
    CourseDir,
    SubmittedNotebook,
    cell_timeout,
    write_atomic,
)
from grader.nbgrader_io.release import check_ready
from grader.outputs import artefacts, feedback
from grader.outputs.results import SubmissionResult
from grader.pipeline import regrade
from grader.pipeline.grade import grade_notebook
from grader.pipeline.warm import Starting, judges_ready, warm_start
from grader.protocol import SandboxLimits

Progress = Callable[[SubmissionResult], None]
Planned = Callable[[int], None]
DASK_CONNECT_TIMEOUT = 5
"""Seconds to reach a Dask scheduler before giving up (distributed's own default is 30)."""


def previous(
    course: CourseDir, sub: SubmittedNotebook, common: dict[str, str] | None = None
) -> SubmissionResult | None:
    """The stored result of a submission, if it is current (same regrade key); ``common``:
    the assignment's ``regrade.shared`` key parts, when already hashed."""
    return regrade.reusable(course, sub, common)


def save(
    course: CourseDir, sub: SubmittedNotebook, result: SubmissionResult, executed: object
) -> None:
    """Write every artefact of one graded submission, the canonical result last."""
    if executed is not None:  # with the files nbgrader's autograde copies beside it
        autograded.write(course, sub, executed)  # type: ignore[arg-type]
    artefacts.write(course, sub, result)  # feedback, LMS files, gdgrade.json last


def grade_one(
    course: CourseDir,
    sub: SubmittedNotebook,
    sandbox: object,
    common: dict[str, str] | None = None,
) -> SubmissionResult:
    """Grade and save one submission (the unit of work a local or Dask worker runs);
    ``common``: the assignment's ``regrade.shared`` key parts, when already hashed."""
    inputs, because = regrade.why(course, sub, common)
    result, executed = grade_notebook(
        sub.notebook,
        sub.source,
        student=sub.student,
        assignment=sub.assignment,
        sandbox=sandbox,  # type: ignore[arg-type]
    )
    result = regrade.stamp(result, inputs, because)
    save(course, sub, result, executed)
    return result


def settled(old: SubmissionResult, new: SubmissionResult) -> bool:
    """Whether a regrade decided more than the first grading and ran as well."""
    return new.to_review < old.to_review and (
        new.execution == "ok" or new.execution == old.execution
    )


def regrade_one(
    course: CourseDir, sub: SubmittedNotebook, sandbox: object, old: SubmissionResult
) -> SubmissionResult:
    """Grade a held submission once more: save and return the regrade if it ``settled``
    more, else return the first result (whose artefacts are already saved)."""
    result, executed = grade_notebook(
        sub.notebook,
        sub.source,
        student=sub.student,
        assignment=sub.assignment,
        sandbox=sandbox,  # type: ignore[arg-type]
    )
    if not settled(old, result):
        return old
    result = regrade.stamp(result, old.inputs, old.grade_reason)
    save(course, sub, result, executed)
    return result


_WORKER_SANDBOXES: dict[tuple[str, str], object] = {}
_WORKER_LOCK = threading.Lock()


def grade_remote(root: str, sub: SubmittedNotebook, limits: SandboxLimits) -> str:
    """Dask task: grade one submission with this worker process's own warm sandbox.

    ``root`` is the course directory as it travels to the worker (an absolute path);
    ``limits`` are the batch's limits, applied on the worker as they are locally.
    """
    course = CourseDir(Path(root))
    return grade_one(course, sub, _worker_sandbox(root, limits)).model_dump_json()


def regrade_remote(root: str, sub: SubmittedNotebook, limits: SandboxLimits, old: str) -> str:
    """Dask task: ``regrade_one`` with this worker's sandbox; ``old`` is the first result's
    JSON."""
    course = CourseDir(Path(root))
    first = SubmissionResult.model_validate_json(old)
    return regrade_one(course, sub, _worker_sandbox(root, limits), first).model_dump_json()


def _dask_threads() -> int:
    """Threads of the Dask worker this runs in (1 outside one)."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def _worker_sandbox(root: str, limits: SandboxLimits) -> object:
    """This Dask worker process's warm sandbox for one course and set of limits, started on
    first use and kept for the next task (closed when the worker's Python exits): one warm
    process, one zygote per thread of the Dask worker."""
    from grader.sandbox.pool import Sandbox

    key = (root, limits.model_dump_json())
    with _WORKER_LOCK:
        if key not in _WORKER_SANDBOXES:
            sandbox = Sandbox(workers=_dask_threads(), limits=limits, hide=[root])
            atexit.register(sandbox.close)
            _WORKER_SANDBOXES[key] = sandbox
        return _WORKER_SANDBOXES[key]


def on_the_wire(sub: SubmittedNotebook) -> SubmittedNotebook:
    """The submission with absolute paths: a worker runs in a directory of its own, maybe
    on another machine that mounts the course at the same path."""
    return replace(sub, notebook=sub.notebook.resolve(), source=sub.source.resolve())


Work = Callable[[CourseDir, SubmittedNotebook, object], SubmissionResult]


@contextlib.contextmanager
def _local_sandbox(
    course: CourseDir,
    todo: list[SubmittedNotebook],
    workers: int,
    limits: SandboxLimits,
    starting: Starting | None = None,
) -> Iterator[object]:
    """A warm sandbox for this class (``grader.pipeline.warm``), its warm process importing
    what the assignments' notebooks import; while it starts (imports torch...), this process
    loads the assignments' checks (their imports too) on the other core. A broken checks
    file stops the sandbox, then says why. ``starting``: the sandbox the command started
    already (``warm.class_start``), closed by the command."""
    hide = [course.root]  # hidden tests, other students' work, the gradebook
    sources = sorted({s.source for s in todo})
    students = [s.notebook for s in todo]  # whether one of them imports torch
    start = (
        warm_start(sources, students=students, workers=workers, limits=limits, hide=hide)
        if starting is None
        else contextlib.nullcontext(starting)
    )
    with start as up:
        _load_checks(todo)
        judges_ready(sources, up)
        if not up.done():  # idle otherwise: ready the feedback pages' renderer
            feedback.warm_up()
        with _frozen_heap():  # what is loaded by now, while the warm process still starts
            yield up.wait()


def _load_checks(todo: list[SubmittedNotebook]) -> None:
    """Load the checks of every assignment to grade (``grade_notebook`` finds them loaded)."""
    from grader.judging import registry

    for source in {s.source for s in todo}:
        registry.load_near(source)


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep what is alive before grading (modules, checks, torch) out of the cyclic garbage
    collector until the class is graded: its full passes over those objects cost seconds
    per class. Whatever grading allocates is collected as usual. No collection first: its
    pass (0.2-0.3 s holding the GIL) would hold up the sandbox's start in the other thread;
    garbage frozen with the rest is collected after ``unfreeze``."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _local(
    course: CourseDir,
    todo: list[SubmittedNotebook],
    sandbox: object,
    workers: int,
    work: Work = grade_one,
):
    with ThreadPoolExecutor(workers) as pool:
        yield from zip(todo, pool.map(lambda s: work(course, s, sandbox), todo), strict=True)


def _dask(
    course: CourseDir,
    todo: list[SubmittedNotebook],
    scheduler: str | None,
    limits: SandboxLimits,
    task: Callable[..., str] = grade_remote,
    extra: Callable[[SubmittedNotebook], tuple[Any, ...]] = lambda s: (),
):
    from dask.distributed import Client, as_completed

    try:
        client = (
            Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
            if scheduler
            else Client(processes=False)
        )
    except (OSError, ValueError, TypeError) as exc:
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        raise ClusterError(f"cannot reach {where}: {exc}") from None
    with client:
        root = str(course.root.resolve())
        futures = {
            client.submit(task, root, on_the_wire(s), limits, *extra(s), pure=False): s
            for s in todo
        }
        for fut in as_completed(futures):
            yield futures[fut], SubmissionResult.model_validate_json(fut.result())


def autograde(
    root: Path,
    assignments: list[str] | None = None,
    *,
    workers: int = 2,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
    planned: Planned | None = None,
    limits: SandboxLimits | None = None,
    remeasure: bool = True,
    starting: Starting | None = None,
) -> list[SubmissionResult]:
    """Grade every submission in the course directory, locally or on a Dask cluster, then
    (``remeasure``) once more those of this run with a check that needs review.

    ``planned`` is called once with the number of submissions to grade (those not reused),
    before the first is graded; ``progress`` with each result as it is recorded.
    ``starting``: a local sandbox the caller started for this class already (the command
    line starts it before importing this module: ``warm.class_start``); its limits are the
    ones that apply.
    """
    if executor not in ("local", "dask"):
        raise UsageError(f"executor must be 'local' or 'dask', got {executor!r}")
    if workers < 1:
        raise UsageError(f"workers must be at least 1, got {workers}")
    assignments = check_ready(root, assignments)  # before anything is written
    if limits is None:  # the course's Execute.timeout per cell, as nbgrader autograde
        timeout = cell_timeout(root)
        limits = SandboxLimits(cell_timeout=timeout) if timeout else SandboxLimits()
    course = CourseDir(root)
    subs = course.submissions(assignments)
    common = {a: regrade.shared(course, a) for a in {s.assignment for s in subs}}
    results: dict[SubmittedNotebook, SubmissionResult] = {}
    todo = []
    for sub in subs:
        old = None if force else previous(course, sub, common[sub.assignment])
        if old is None:
            todo.append(sub)
        else:
            results[sub] = old
            # a resubmission of the same notebook: its new timestamp and secret
            autograded.carry(course, sub)
            feedback.carry(course, sub)
            # a run killed after saving may not have recorded it
            results[sub] = artefacts.record(course, sub, old)  # lateness may be new
    if planned:
        planned(len(todo))
    if not todo and starting is not None:
        starting.cancel()  # nothing to grade: the command's sandbox is not waited for
    if todo:
        with contextlib.ExitStack() as stack:
            if executor == "local":
                sandbox = stack.enter_context(
                    _local_sandbox(course, todo, workers, limits, starting)
                )
            else:
                sandbox = None
                stack.enter_context(_frozen_heap())
            _grade(course, todo, results, sandbox, workers, scheduler, limits, progress, common)
            held = [s for s in todo if results[s].to_review] if remeasure else []
            if held:
                _regrade(course, held, results, sandbox, workers, scheduler, limits)
    ordered = [results[s] for s in subs]
    write_grades_csv(course.root / "grades.csv", ordered)
    return ordered


def _grade(
    course: CourseDir,
    todo: list[SubmittedNotebook],
    results: dict[SubmittedNotebook, SubmissionResult],
    sandbox: object | None,
    workers: int,
    scheduler: str | None,
    limits: SandboxLimits,
    progress: Progress | None,
    common: dict[str, dict[str, str]],
) -> None:
    """First pass: grade, save and record each submission, reporting progress."""
    graded = (
        _dask(course, todo, scheduler, limits)
        if sandbox is None
        else _local(
            course,
            todo,
            sandbox,
            workers,
            lambda c, s, sb: grade_one(c, s, sb, common[s.assignment]),
        )
    )
    for sub, result in graded:
        results[sub] = result = artefacts.record(course, sub, result)  # with its lateness
        if progress:
            progress(result)


def _regrade(
    course: CourseDir,
    held: list[SubmittedNotebook],
    results: dict[SubmittedNotebook, SubmissionResult],
    sandbox: object | None,
    workers: int,
    scheduler: str | None,
    limits: SandboxLimits,
) -> None:
    """Re-measure pass on the same warm sandbox: a regrade that settled more replaces the
    first result and its gradebook row."""
    again = (
        _dask(
            course,
            held,
            scheduler,
            limits,
            regrade_remote,
            lambda s: (results[s].model_dump_json(),),
        )
        if sandbox is None
        else _local(
            course,
            held,
            sandbox,
            min(workers, len(held)),
            lambda c, s, sb: regrade_one(c, s, sb, results[s]),
        )
    )
    for sub, result in list(again):
        if result != results[sub]:
            results[sub] = artefacts.record(course, sub, result)


def write_grades_csv(path: Path, results: Iterable[SubmissionResult]) -> None:
    """One row per student and assignment: score (after any late penalty, as ``nbgrader
    export``'s), max score, execution status, then as nbgrader exports them the score before
    the penalty and the penalty, and the seconds late."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    head = ["student", "assignment", "notebook", "score", "max_score", "execution"]
    writer.writerow([*head, "raw_score", "late_submission_penalty", "seconds_late"])
    for r in sorted(results, key=lambda r: (r.assignment, r.student, r.notebook)):
        row = [r.student, r.assignment, r.notebook, r.final_score, r.max_score, r.execution]
        late = [r.late.penalty, r.late.seconds_late] if r.late else [0.0, 0.0]
        writer.writerow([*row, r.score, *late])
    write_atomic(path, buf.getvalue())
