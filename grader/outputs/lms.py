"""Results files that learning-management systems read, derived from SubmissionResult.

* Gradescope's autograder ``results.json``: score, execution_time, output, tests[] with
  name, score, max_score, status ("passed"/"failed"), output, visibility.
  Hidden tests are ``after_published`` by default: shown when the instructor publishes the
  grades, not at the deadline (``after_due_date``); every text field is declared ``text``, so
  Gradescope shows ``<ipython-input-...>`` as written instead of reading it as HTML.
* GitHub Classroom's autograding runner result (version 3): status, max_score and tests[]
  with name, status ("pass"/"fail"/"error"), score, message, line_no, execution_time; the
  reporter action (classroom-resources/autograding-grading-reporter) reads it
  base64-encoded from a step output and prints it in the student repository's CI log, so a
  hidden check there shows its name and points only, never its message.

A cell whose check needs review (an undecided timing check) is never called a failure: its
points were awarded provisionally (``grader.judging.check.Check.grade``), so it carries its
points here like a passed cell, Gradescope's status follows them ("passed") and Classroom's
is "pass"; its text says "needs review" and why, for the student and the instructor.

A late submission (``SubmissionResult.late``, nbgrader's numbers) says so in both: Gradescope's
top-level ``score`` is the final score (it overrides the tests' sum) and its ``output`` starts
with the lateness; Classroom, whose reporter adds up the tests' scores, gets one more test,
"late submission", scoring minus the penalty, out of 0.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from grader.outputs import lateness
from grader.outputs.results import CellResult, SubmissionResult

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
"""When Gradescope shows a test to the student (its ``visibility`` field)."""
OutputFormat = Literal["text", "md", "simple_format", "html", "ansi"]
"""How Gradescope renders an output string (its ``output_format`` fields)."""
HIDDEN_NAME = "hidden check"
"""A hidden check's name before grades are released (its own name may give its inputs away)."""
HIDDEN_NOTE = "its details are shown when grades are released"
LATE_NAME = "late submission"
"""Name of the Classroom test that carries a late penalty."""

_CLASSROOM_STATUS = {"passed": "pass", "failed": "fail", "error": "error", "skipped": "fail"}


def _classroom_status(cell: CellResult) -> str:
    """Classroom's status of a cell; a held (needs review) cell that lost nothing is "pass"."""
    if cell.needs_review and cell.status == "skipped":
        return "pass"
    return _CLASSROOM_STATUS[cell.status]


def _cell_text(cell: CellResult, *, reveal_hidden: bool) -> str:
    """Feedback for one grade cell, withholding hidden checks' details unless revealed."""
    parts = [cell.feedback] if cell.feedback else []
    for c in cell.checks:
        state = "needs review, points awarded provisionally" if c.needs_review else c.status
        if c.hidden and not reveal_hidden:
            parts.append(f"{HIDDEN_NAME}: {c.points:g}/{c.max_points:g} ({state}); {HIDDEN_NOTE}")
            continue
        line = f"{c.name}: {c.points:g}/{c.max_points:g} ({state})"
        if c.feedback:
            line += f"\n{c.feedback}"
        if c.diagnosis is not None and c.diagnosis.mistake:
            line += f"\nLikely mistake: {c.diagnosis.title}. {c.diagnosis.fix}"
        parts.append(line)
    return "\n\n".join(parts)


def gradescope(
    result: SubmissionResult,
    *,
    reveal_hidden: bool = True,
    hidden_visibility: Visibility = "after_published",
    output_format: OutputFormat = "text",
) -> dict[str, Any]:
    """Gradescope autograder results for one submission.

    A cell with a hidden check gets ``hidden_visibility``; ``output_format`` is declared for
    the top-level output and, as the default, for every test's output and name."""
    tests = [
        {
            "name": cell.grade_id,
            "score": cell.points,
            "max_score": cell.max_points,
            "status": "passed" if cell.points >= cell.max_points else "failed",
            "output": _cell_text(cell, reveal_hidden=reveal_hidden),
            "visibility": hidden_visibility if any(c.hidden for c in cell.checks) else "visible",
        }
        for cell in result.cells
    ]
    late = lateness.line(result)
    return {
        "score": result.final_score,
        "execution_time": round(result.seconds, 3),
        "output": "\n".join(([f"Submitted {late}."] if late else []) + result.messages),
        "output_format": output_format,
        "test_output_format": output_format,
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def student_view(result: SubmissionResult) -> SubmissionResult:
    """``result`` as a student may see it before grades are released: each hidden check keeps
    its status and points but loses its name, message, diagnosis and plot."""
    gone = {"name": HIDDEN_NAME, "feedback": HIDDEN_NOTE, "diagnosis": None, "plot": None}

    def withheld(cell: CellResult) -> CellResult:
        checks = [c.model_copy(update=gone) if c.hidden else c for c in cell.checks]
        return cell.model_copy(update={"checks": checks})

    return result.model_copy(update={"cells": [withheld(c) for c in result.cells]})


def classroom(result: SubmissionResult) -> dict[str, Any]:
    """GitHub Classroom autograding runner result (version 3) for one submission.

    ``line_no`` is 0, the reporter's "no line" (it prints ``line <n>`` for anything else: a
    grade cell has no line in a test file); ``execution_time`` is the notebook's grading
    time, which its cells share, written as the Classroom runners write it ("1.23s")."""
    seconds = f"{result.seconds:.2f}s"
    tests = [
        {
            "name": cell.grade_id,
            "status": _classroom_status(cell),
            "score": cell.points,
            "max_score": cell.max_points,
            "message": _cell_text(cell, reveal_hidden=False) or None,
            "line_no": 0,
            "execution_time": seconds,
        }
        for cell in result.cells
    ]
    if result.late is not None:
        penalty = min(result.late.penalty, result.score)  # the sum stays the final score
        tests.append(
            {
                "name": LATE_NAME,
                "status": "fail" if penalty else "pass",
                "score": -penalty if penalty else 0.0,
                "max_score": 0,
                "message": f"Submitted {lateness.line(result)}.",
                "line_no": 0,
                "execution_time": seconds,
            }
        )
    everything_passed = all(c.points >= c.max_points for c in result.cells)
    everything_passed &= result.final_score >= result.score  # no points lost to lateness
    return {
        "version": 3,
        "status": "pass" if everything_passed else "fail",
        "max_score": result.max_score,
        "tests": tests,
    }


def classroom_output(result: SubmissionResult) -> str:
    """The base64 string a workflow step writes to ``$GITHUB_OUTPUT`` as ``result=``."""
    payload = json.dumps(classroom(result), separators=(",", ":"))
    return base64.b64encode(payload.encode()).decode()
