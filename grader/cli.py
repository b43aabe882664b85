"""The ``gdgrade`` command line: thin commands, heavy imports inside each command."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="gdgrade: autograde gradient-descent assignments and run exit-ticket quizzes.",
    no_args_is_help=True,
    add_completion=False,
)


def _add_subapps() -> None:
    """Attach command groups that live in their own modules."""
    try:
        from grader.quizzes.cli import app as quiz_app
    except ModuleNotFoundError:
        return
    app.add_typer(quiz_app, name="quiz", help="Exit-ticket quizzes: validate, render, grade.")


@app.command()
def demo() -> None:
    """Run the main job on the embedded demo course."""
    from grader.demo import run_demo

    run_demo()


def main() -> None:
    """Console-script entry point."""
    _add_subapps()
    app()


if __name__ == "__main__":
    main()
