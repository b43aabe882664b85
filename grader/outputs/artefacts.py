"""One graded submission's outputs, and its gradebook row with the lateness that decides them.

``write`` puts the feedback page, the LMS results files and ``gdgrade.json`` (the canonical
result, last) in the course. ``record`` writes the gradebook row; nbgrader's late-penalty
step then decides how late the submission came and what that costs, and when that differs
from what the result says (a new grading knows nothing of it yet; a reused one may come from
before a new timestamp, due date, extension or penalty rule), the outputs are written again
with it, so that every one of them shows the score the gradebook holds.
"""

from __future__ import annotations

import json

from grader.nbgrader_io.course import CourseDir, SubmittedNotebook, write_atomic, write_json
from grader.outputs import feedback, gradebook, lms
from grader.outputs.results import SubmissionResult

REUSED = "unchanged"
"""``grade_reason`` of a result a run reused (``grader.pipeline.regrade.UNCHANGED``): the
stored file keeps the reason it was graded for."""


def write(course: CourseDir, sub: SubmittedNotebook, result: SubmissionResult) -> None:
    """Feedback page, ``results.json`` (Gradescope), ``classroom.json``, then ``gdgrade.json``."""
    feedback.write(course, sub, result)
    write_json(course.out("results", sub, "results.json"), lms.gradescope(result))
    write_json(course.out("results", sub, "classroom.json"), lms.classroom(result))
    canonical = course.out("results", sub, "gdgrade.json")
    if result.grade_reason == REUSED and canonical.is_file():
        graded_for = json.loads(canonical.read_text(encoding="utf-8")).get("grade_reason", "")
        result = result.model_copy(update={"grade_reason": graded_for})
    write_atomic(canonical, result.model_dump_json(indent=2))


def record(course: CourseDir, sub: SubmittedNotebook, result: SubmissionResult) -> SubmissionResult:
    """Write the gradebook row; returns the result with the gradebook's lateness, its
    outputs rewritten when that lateness is new to them."""
    late = gradebook.record(course.root, result)
    if late == result.late:
        return result
    result = result.model_copy(update={"late": late})
    write(course, sub, result)
    return result
