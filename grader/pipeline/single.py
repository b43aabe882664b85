"""Grade a single notebook outside a course directory: a student repository's CI (GitHub
Classroom, ``gdgrade grade``) and Gradescope's ``run_autograder`` (``gdgrade gradescope``).

What ``grade_single`` writes can reach the student before grades are released (the CI log,
an uploaded artifact), so hidden checks are written as ``lms.student_view`` has them: name,
status and points, no message. Gradescope holds hidden tests back itself (their visibility),
so its results.json keeps their details for when the grades are published.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import UsageError
from grader.paths import COURSE_SOURCE

if TYPE_CHECKING:  # imported once the sandbox is starting (``_grade``)
    from grader.outputs.results import SubmissionResult


def shipped_source(assignment: str, course: Path = COURSE_SOURCE) -> Path:
    """The source notebook of ``assignment`` in ``course`` (the shipped one by default)."""
    folder = course / "source"
    known = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    notebooks = sorted((folder / assignment).glob("*.ipynb")) if assignment in known else []
    if not notebooks:
        there = ", ".join(known) or f"no course at {course}"
        raise UsageError(
            f"no assignment {assignment!r} in the shipped course (there: {there}); "
            "pass --source NOTEBOOK to grade against another source"
        )
    return notebooks[0]


def _grade(
    notebook: Path, source: Path, assignment: str, student: str, course: Path | None = None
) -> SubmissionResult:
    """One notebook through one warm worker, started first (``grader.pipeline.warm``): while
    its warm process imports, this process imports the pipeline and loads the checks of
    ``assignment`` only (and ``course``'s own checks, when given)."""
    if not notebook.exists():  # scored 0, naming what is there: nothing to run
        from grader.pipeline.grade import grade_notebook

        load_checks(assignment, source, course)
        return grade_notebook(
            notebook,
            source,
            student=student,
            assignment=assignment,
            sandbox=None,  # type: ignore[arg-type]
        )[0]
    from grader.pipeline.warm import judges_ready, warm_start

    with warm_start([source], students=[notebook]) as up:
        from grader.outputs import feedback
        from grader.pipeline.grade import grade_notebook

        load_checks(assignment, source, course)
        judges_ready([source], up)
        if not up.done():  # idle otherwise: ready the feedback page's renderer
            feedback.warm_up()
        result, _ = grade_notebook(
            notebook, source, student=student, assignment=assignment, sandbox=up.wait()
        )
    return result


def load_checks(assignment: str, source: Path, course: Path | None = None) -> None:
    """The checks of ``assignment`` (the shipped module, entry points) and the own checks of
    ``course`` and of the course ``source`` lies in; no other shipped assignment's."""
    from grader.judging import registry

    if course is not None:
        registry.load_course(course)
    registry.load_near(source)
    registry.load_assignment(assignment)


def grade_single(
    notebook: Path,
    assignment: str,
    *,
    source: Path | None = None,
    out: Path = Path("."),
    github_output: Path | None = None,
) -> SubmissionResult:
    """Grade ``notebook`` against its source; write results.json, classroom.json, feedback."""
    src = source or shipped_source(assignment)
    result = _grade(notebook, src, assignment, notebook.parent.name or "student")
    from grader.nbgrader_io.course import write_atomic, write_json
    from grader.outputs import feedback, lms  # loaded while the sandbox started

    shown = lms.student_view(result)
    write_json(out / "results.json", lms.gradescope(shown))
    write_json(out / "classroom.json", lms.classroom(shown))
    write_atomic(out / "feedback.html", feedback.render(shown))
    if github_output is not None:
        with github_output.open("a", encoding="utf-8") as fh:
            fh.write(f"result={lms.classroom_output(shown)}\n")
    return result


def _submitted(folder: Path, name: str) -> Path:
    """The notebook Gradescope received: the one named like the source, else the only or
    first one (checkpoints ignored); a missing path when none, graded as unreadable."""
    found = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    named = [p for p in found if p.name == name]
    return (named or found or [folder / name])[0]


def run_gradescope(root: Path) -> SubmissionResult:
    """Gradescope's run_autograder: grade ``root/submission``, write ``root/results``.

    ``root`` is ``/autograder`` on Gradescope; the bundle's settings are in
    ``root/source/gdgrade_bundle.json`` and its course is where ``grader.paths`` looks."""
    from grader.sandbox import launch

    launch.early()  # the sandbox's warm process starts importing now
    from grader.nbgrader_io.course import write_json
    from grader.outputs import lms
    from grader.outputs.gradescope import CONFIG_NAME

    config = json.loads((root / "source" / CONFIG_NAME).read_text(encoding="utf-8"))
    assignment = config["assignment"]
    source = COURSE_SOURCE / "source" / assignment / config["notebook"]
    notebook = _submitted(root / "submission", config["notebook"])
    # the course's own checks/, when it has some, load while the sandbox starts
    result = _grade(notebook, source, assignment, "submission", course=COURSE_SOURCE)
    results = lms.gradescope(
        result,
        hidden_visibility=config["hidden_visibility"],
        output_format=config["output_format"],
    )
    write_json(root / "results" / "results.json", results)
    return result
