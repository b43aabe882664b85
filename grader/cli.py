"""The ``gdgrade`` command line: thin commands, heavy imports inside each command.

Errors are policy. A ``GraderError`` raised anywhere below a command is caught once, here,
and reaches the user as one line, ``gdgrade: error: <message>`` on stderr, with the error's
exit code (2 for usage and course errors, 1 for the rest); click's own usage errors (a bad
choice, a number out of range, a file that is not there) keep click's message and code 2.
Commands check their paths and names before anything is created.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer
from typer.core import TyperGroup

from grader.errors import GraderError, UsageError
from grader.quizzes.cli import app as quiz_app

STARTED = time.monotonic()
"""When this command started (its closing throughput line counts from here)."""
OWN_PACKAGES = ("grader", "reference")
"""A missing module of these is a bug (a traceback); any other is a missing dependency."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``gdgrade: error: <message>`` as one line on stderr and exit with ``code``."""
    line = "; ".join(part.strip() for part in message.splitlines() if part.strip())
    typer.echo(f"gdgrade: error: {line or 'failed'}", err=True)
    raise typer.Exit(code)


class ErrorBoundary(TyperGroup):
    """The top-level group: every command (and ``quiz``'s) runs inside its ``invoke``."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            fail(str(exc), exc.exit_code)
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] in OWN_PACKAGES:
                raise
            fail(f"missing dependency {exc.name!r}: reinstall gdgrade (pip install -e .)", 1)


app = typer.Typer(
    cls=ErrorBoundary,
    rich_markup_mode=None,  # click's plain help, and its usage errors as one `Error:` line
    help="gdgrade: autograde gradient-descent assignments and run exit-ticket quizzes.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(quiz_app, name="quiz")  # its help is quiz_app's, which names every command
Course = Annotated[Path, typer.Option("--course", help="nbgrader course directory.")]


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="New course directory (absent or empty).")],
) -> None:
    """Start a course: nbgrader_config.py, an example assignment and its private checks."""
    from grader.pipeline.init import create_course, next_steps

    for path in create_course(directory):
        typer.echo(f"created {path}")
    typer.echo(next_steps(directory))


@app.command()
def release(
    assignment: Annotated[str, typer.Argument(help="Assignment name (source/<name>/).")],
    course: Course = Path("."),
) -> None:
    """Check the assignment (its checks, mistakes and graded solution), then generate the
    student version (nbgrader generate_assignment) and the self-check kit."""
    from grader.nbgrader_io.release import NOTES, check_assignments, check_course, missing_notes
    from grader.pipeline.preflight import release_checked

    check_assignments(check_course(course), [assignment])  # before the first line printed
    from grader.sandbox import launch

    launch.early(hide=[str(course)])  # the warm process that grades the solution, starting
    typer.echo(f"checking {assignment}: its checks, mistakes and graded solution")
    (out,) = release_checked(course, [assignment])  # nothing is written when a check fails
    typer.echo(f"released {assignment} -> {out}")
    for name in missing_notes(course, assignment):
        typer.echo(f"warning: {assignment} cites {name}, not in {course / NOTES}/", err=True)
    typer.echo(f"self-check kit -> {out} (gdgrade_kit.py, selfcheck.json)")


@app.command()
def autograde(
    assignments: Annotated[
        list[str] | None, typer.Argument(help="Assignments (default all).")
    ] = None,
    course: Course = Path("."),
    workers: Annotated[int, typer.Option(min=1, help="Parallel warm workers.")] = 2,
    executor: Annotated[
        Literal["local", "dask"], typer.Option(help="Warm workers here, or a Dask cluster.")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (with --executor dask).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Regrade unchanged submissions too.")] = False,
    cell_timeout: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            help="Seconds per cell [default: the course's Execute.timeout, else 30]",
        ),
    ] = None,
    total_timeout: Annotated[float, typer.Option(min=0.001, help="Seconds per notebook.")] = 300.0,
    memory_mb: Annotated[int, typer.Option(min=1, help="Memory per notebook (MiB).")] = 4096,
) -> None:
    """Grade submitted/<student>/<assignment>/ and write feedback, results and gradebook."""
    if scheduler and executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    if executor == "local":  # the sandbox's warm process starts importing now
        from grader.sandbox import launch

        launch.early(hide=[str(course)])

    from grader.nbgrader_io.release import check_ready, nothing_to_grade

    assignments = check_ready(course, assignments)  # before anything is imported or written
    hint = nothing_to_grade(course, assignments)
    if hint:
        typer.echo(hint)
        return
    if executor == "local":  # the warm process learns what to import before pydantic loads
        from grader.pipeline.warm import tell_class

        tell_class(course, assignments)

    from grader.nbgrader_io.course import cell_timeout as configured
    from grader.pipeline.warm import class_start
    from grader.protocol import SandboxLimits

    limits = SandboxLimits(
        cell_timeout=cell_timeout or configured(course) or SandboxLimits().cell_timeout,
        total_timeout=total_timeout,
        memory_mb=memory_mb,
    )
    local = executor == "local"  # the sandbox starts first; the imports below run beside it
    early = class_start(course, assignments, workers=workers, limits=limits) if local else None
    with early or contextlib.nullcontext() as starting:
        from grader.outputs.summary import print_summary
        from grader.pipeline.batch import autograde as run
        from grader.pipeline.progress import ClassProgress

        with ClassProgress(sys.stdout, live=sys.stdout.isatty(), since=STARTED) as bar:
            results = run(
                course,
                assignments,
                workers=workers,
                force=force,
                executor=executor,
                scheduler=scheduler,
                limits=limits,
                progress=bar.advance,
                planned=bar.planned,
                starting=starting,
            )
    print_summary(results)
    typer.echo(bar.throughput(reused=len(results) - bar.done))


@app.command()
def grade(
    notebook: Annotated[
        Path,
        typer.Argument(
            help="The student's notebook (missing: scored 0, saying why).", dir_okay=False
        ),
    ],
    assignment: Annotated[str, typer.Option(help="Assignment name.")],
    source: Annotated[
        Path | None,
        typer.Option(help="Source notebook (default: shipped).", exists=True, dir_okay=False),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for results.json / feedback.")] = Path("."),
    github_output: Annotated[
        Path | None, typer.Option(help="Append result=<base64> here ($GITHUB_OUTPUT).")
    ] = None,
) -> None:
    """Grade one notebook (a student repository's CI): results, feedback, Classroom output."""
    from grader.sandbox import launch

    launch.early()  # the sandbox's warm process starts importing now
    if source is None:
        source = _shipped_source(assignment)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory")
    if github_output is not None and not github_output.parent.is_dir():
        raise UsageError(f"--github-output {github_output}: no directory {github_output.parent}")

    from grader.pipeline.single import grade_single

    result = grade_single(notebook, assignment, source=source, out=out, github_output=github_output)
    typer.echo(f"{result.student}: {result.score:g}/{result.max_score:g} ({result.execution})")
    if result.execution == "invalid":  # reported (the job's reporter fails it), not an error
        typer.echo(" ".join(result.messages), err=True)


@app.command()
def gradescope(
    assignment: Annotated[str, typer.Argument(help="Assignment name (source/<name>/).")],
    course: Annotated[
        Path | None, typer.Option("--course", help="Course folder (default: the shipped course).")
    ] = None,
    out: Annotated[Path, typer.Option(help="The zip to write.")] = Path("autograder.zip"),
    hidden_visibility: Annotated[
        Literal["hidden", "after_due_date", "after_published", "visible"],
        typer.Option(help="When students see the hidden tests' details."),
    ] = "after_published",
    output_format: Annotated[
        Literal["text", "md", "simple_format", "html", "ansi"],
        typer.Option(help="How Gradescope renders the outputs."),
    ] = "text",
) -> None:
    """Write a Gradescope autograder zip: setup.sh, run_autograder, gdgrade and the assignment."""
    from grader.nbgrader_io.release import check_course
    from grader.outputs.gradescope import build_bundle

    if course is not None:
        check_course(course)
    path = build_bundle(
        assignment,
        course=course,
        out=out,
        hidden_visibility=hidden_visibility,
        output_format=output_format,
    )
    typer.echo(f"gradescope autograder -> {path} (upload it as the assignment's autograder)")


@app.command()
def check(
    notebook: Annotated[Path, typer.Argument(help="Your notebook.", exists=True, dir_okay=False)],
) -> None:
    """Run the public self-checks of a notebook (no hidden test is revealed)."""
    from grader.pipeline.selfcheck import run_public_checks

    raise typer.Exit(run_public_checks(notebook))


@app.command()
def report(course: Course = Path(".")) -> None:
    """Write reports/class.html: score distributions, pass rates, misconceptions, slowest."""
    from grader.nbgrader_io.release import check_course

    check_course(course)

    from grader.outputs.report import write_report

    typer.echo(f"class report -> {write_report(course)}")


@app.command()
def coverage(
    course: Annotated[
        Path | None, typer.Option("--course", help="Course folder (default: the demo course).")
    ] = None,
    format: Annotated[
        Literal["table", "md", "html"], typer.Option(help="A terminal table, Markdown or HTML.")
    ] = "table",
) -> None:
    """Print the topic x assessment matrix; exit 1 if a topic is not assessed both ways."""
    from grader.errors import CourseError
    from grader.nbgrader_io.release import check_course
    from grader.paths import COURSE_SOURCE

    course = check_course(course or COURSE_SOURCE)
    if not (course / "topics.yaml").is_file():
        raise CourseError(f"{course} has no topics.yaml (the topics the matrix is made of)")

    from grader.outputs import coverage as cov

    rows, problems = cov.matrix(course)
    if format == "md":
        typer.echo(cov.markdown(rows), nl=False)
    elif format == "html":
        typer.echo(cov.html(rows))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Course coverage")
        for col in ("topic", "graded items (points)", "quiz items (points)"):
            table.add_column(col)
        for r in rows:
            table.add_row(r.topic, cov.cell_text(r.graded), cov.cell_text(r.quizzed))
        Console().print(table)
    for p in problems:
        typer.echo(f"problem: {p}", err=True)
    raise typer.Exit(1 if problems else 0)


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Where to build the demo course.")] = Path(
        "demo-course"
    ),
) -> None:
    """Run the main job on the embedded demo course: release, grade, feedback, report, quiz."""
    from grader.pipeline.demo import run_demo

    run_demo(workdir)


def _shipped_source(assignment: str) -> Path:
    """The shipped course's source notebook of ``assignment``; UsageError when none."""
    from grader.pipeline.single import shipped_source

    return shipped_source(assignment)


def main() -> None:
    """Console-script entry point."""
    from grader.nbgrader_io import imports

    imports.install()  # nbgrader without its server extensions, nbformat without rfc3987
    try:
        app()
    finally:  # exiting: the interpreter's last collections skip what is alive now (torch,
        gc.freeze()  # nbgrader, the checks), which they took seconds to walk; exit frees it


if __name__ == "__main__":
    main()
