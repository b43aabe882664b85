"""``gdgrade demo``: the main job on the embedded demo course.

Copies the shipped course (``assignments/``) into a working directory, releases every
assignment as ``gdgrade release`` does (checked first, then nbgrader's generate step and the
self-check kit), submits the sample submissions in nbgrader's layout, grades them,
writes the feedback, the class report and an exit-ticket quiz for the sample class, and
prints a summary with where to look.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from grader.errors import UsageError
from grader.paths import COURSE_SOURCE

DEMO_MARKER = ".gdgrade-demo"
"""The file that marks a folder as a demo course, which the next demo may replace."""


def check_workdir(workdir: Path) -> None:
    """UsageError unless ``workdir`` is absent, empty, or a course an earlier demo built."""
    if not workdir.exists():
        return
    if workdir.is_dir() and (not any(workdir.iterdir()) or (workdir / DEMO_MARKER).is_file()):
        return
    raise UsageError(
        f"{workdir} exists and is not a demo course (the demo replaces its workdir): "
        "delete it or pick another --workdir"
    )


def build_course(workdir: Path, *, source: Path = COURSE_SOURCE) -> Path:
    """A fresh course directory: nbgrader config, sources, released assignments with their
    self-check kits, and submitted samples."""
    from grader.nbgrader_io.course import CourseDir
    from grader.nbgrader_io.release import submit
    from grader.pipeline.preflight import release_checked

    check_workdir(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / DEMO_MARKER).write_text("built by gdgrade demo; replaced on the next run\n")
    shutil.copy(source / "nbgrader_config.py", workdir / "nbgrader_config.py")
    shutil.copytree(source / "source", workdir / "source")
    if (source / "notes").is_dir():  # the notes the notebooks cite, released beside them
        shutil.copytree(source / "notes", workdir / "notes")
    assignments = CourseDir(workdir).assignments()
    release_checked(workdir, assignments)  # as `gdgrade release` does: checked, with the kit
    for assignment in assignments:
        for nb in sorted((source / "samples" / assignment).glob("*/*.ipynb")):
            submit(workdir, nb.parent.name, assignment, nb)
    return workdir


def run_demo(workdir: Path) -> None:
    """Build the course, grade it, report, run the quiz, and print where everything is."""
    check_workdir(workdir)  # before the heavy imports and the first line printed

    from rich.console import Console

    from grader.outputs.report import write_report
    from grader.outputs.summary import print_summary
    from grader.pipeline.batch import autograde

    console = Console()
    start = time.perf_counter()
    console.print(
        f"[bold]1. Building the demo course in {workdir}[/bold] "
        "(checked release with the self-check kits)"
    )
    course = build_course(workdir)
    console.print("[bold]2. Grading the sample submissions[/bold]")
    results = autograde(course, workers=2, force=True)
    print_summary(results)
    console.print("[bold]3. Class report[/bold]")
    report = write_report(course)
    quiz_dir = run_quiz(course, console)
    console.print(f"\nDone in {time.perf_counter() - start:.0f} s. Where to look:")
    console.print(
        f"  feedback per student   {course / 'feedback'}/<student>/<assignment>/<notebook>.html"
    )
    console.print(f"  Gradescope / Classroom {course / 'results'}/<student>/<assignment>/")
    console.print(f"  gradebook              {course / 'gradebook.db'} and {course / 'grades.csv'}")
    console.print(f"  class report           {report}")
    console.print(f"  exit-ticket quiz       {quiz_dir}")


def run_quiz(course: Path, console: object) -> Path:
    """Grade the sample class's exit-ticket responses; returns the quiz folder."""
    from grader.quizzes.demo import run as quiz_demo

    return quiz_demo(course / "quiz", console)
