"""The ``gdgrade`` command line: thin commands, heavy imports inside each command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="gdgrade: autograde gradient-descent assignments and run exit-ticket quizzes.",
    no_args_is_help=True,
    add_completion=False,
)
Course = Annotated[Path, typer.Option("--course", help="nbgrader course directory.")]


def _add_subapps() -> None:
    """Attach command groups that live in their own modules."""
    try:
        from grader.quizzes.cli import app as quiz_app
    except ModuleNotFoundError:
        return
    app.add_typer(quiz_app, name="quiz", help="Exit-ticket quizzes: validate, render, grade.")


@app.command()
def release(
    assignment: Annotated[str, typer.Argument(help="Assignment name (source/<name>/).")],
    course: Course = Path("."),
) -> None:
    """Generate the student version with nbgrader's own generate_assignment."""
    from grader.nbgrader_io.release import release as do_release

    out = do_release(course, assignment)
    typer.echo(f"released {assignment} -> {out}")


@app.command()
def autograde(
    assignments: Annotated[
        list[str] | None, typer.Argument(help="Assignments (default all).")
    ] = None,
    course: Course = Path("."),
    workers: Annotated[int, typer.Option(help="Parallel warm workers.")] = 2,
    executor: Annotated[str, typer.Option(help="local or dask.")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    force: Annotated[bool, typer.Option(help="Regrade unchanged submissions too.")] = False,
    cell_timeout: Annotated[float, typer.Option(help="Seconds per cell.")] = 30.0,
    total_timeout: Annotated[float, typer.Option(help="Seconds per notebook.")] = 300.0,
    memory_mb: Annotated[int, typer.Option(help="Memory per notebook (MiB).")] = 4096,
) -> None:
    """Grade submitted/<student>/<assignment>/ and write feedback, results and gradebook."""
    from rich.progress import Progress

    from grader.outputs.summary import print_summary
    from grader.pipeline.batch import autograde as run
    from grader.sandbox.execution import SandboxLimits

    limits = SandboxLimits(
        cell_timeout=cell_timeout, total_timeout=total_timeout, memory_mb=memory_mb
    )
    with Progress(transient=True) as bar:
        task = bar.add_task("grading", total=None)
        results = run(
            course,
            assignments or None,
            workers=workers,
            force=force,
            executor=executor,
            scheduler=scheduler,
            limits=limits,
            progress=lambda r: bar.advance(task),
        )
    print_summary(results)


@app.command()
def grade(
    notebook: Annotated[Path, typer.Argument(help="The student's notebook.")],
    assignment: Annotated[str, typer.Option(help="Assignment name.")],
    source: Annotated[Path | None, typer.Option(help="Source notebook (default: shipped).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for results.json / feedback.")] = Path("."),
    github_output: Annotated[
        Path | None, typer.Option(help="Append result=<base64> here ($GITHUB_OUTPUT).")
    ] = None,
) -> None:
    """Grade one notebook (a student repository's CI): results, feedback, Classroom output."""
    from grader.pipeline.single import grade_single

    result = grade_single(notebook, assignment, source=source, out=out, github_output=github_output)
    typer.echo(f"{result.student}: {result.score:g}/{result.max_score:g} ({result.execution})")


@app.command()
def check(notebook: Annotated[Path, typer.Argument(help="Your notebook.")]) -> None:
    """Run the public self-checks of a notebook (no hidden test is revealed)."""
    from grader.pipeline.selfcheck import run_public_checks

    raise typer.Exit(run_public_checks(notebook))


@app.command()
def report(course: Course = Path(".")) -> None:
    """Write reports/class.html: score distributions, pass rates, misconceptions, slowest."""
    from grader.outputs.report import write_report

    typer.echo(f"class report -> {write_report(course)}")


@app.command()
def coverage(
    course: Annotated[
        Path | None, typer.Option("--course", help="Course folder (default: the demo course).")
    ] = None,
    format: Annotated[str, typer.Option(help="table, md or html.")] = "table",
) -> None:
    """Print the topic x assessment matrix; exit 1 if a topic is not assessed both ways."""
    from grader.outputs import coverage as cov
    from grader.paths import COURSE_SOURCE

    rows, problems = cov.matrix(course or COURSE_SOURCE)
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


def main() -> None:
    """Console-script entry point."""
    _add_subapps()
    app()


if __name__ == "__main__":
    main()
