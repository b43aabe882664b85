"""Grade a single notebook outside a course directory (student-repository CI)."""

from __future__ import annotations

from pathlib import Path

from grader.nbgrader_io.course import CourseDir, write_atomic, write_json
from grader.outputs import feedback, lms
from grader.outputs.results import SubmissionResult
from grader.paths import COURSE_SOURCE


def grade_single(
    notebook: Path,
    assignment: str,
    *,
    source: Path | None = None,
    out: Path = Path("."),
    github_output: Path | None = None,
) -> SubmissionResult:
    """Grade ``notebook`` against its source; write results.json, classroom.json, feedback."""
    from grader.pipeline.grade import grade_notebook
    from grader.sandbox.pool import Sandbox

    src = source or next(CourseDir(COURSE_SOURCE).source(assignment).glob("*.ipynb"))
    with Sandbox(workers=1) as sandbox:
        result, _ = grade_notebook(
            notebook,
            src,
            student=notebook.parent.name or "student",
            assignment=assignment,
            sandbox=sandbox,
        )
    write_json(out / "results.json", lms.gradescope(result))
    write_json(out / "classroom.json", lms.classroom(result))
    write_atomic(out / "feedback.html", feedback.render(result))
    if github_output is not None:
        with github_output.open("a", encoding="utf-8") as fh:
            fh.write(f"result={lms.classroom_output(result)}\n")
    return result
