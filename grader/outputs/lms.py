"""Results files that learning-management systems read, derived from SubmissionResult.

* Gradescope's autograder ``results.json``: score, execution_time, output, tests[] with
  name, score, max_score, status ("passed"/"failed"), output, visibility.
* GitHub Classroom's autograding runner result (version 3): status, max_score and tests[]
  with name, status ("pass"/"fail"/"error"), score, message; the reporter action reads it
  base64-encoded from a step output.

A cell whose check needs review (an undecided timing check) is never called a failure: its
points were awarded provisionally (``grader.judging.check.Check.grade``), so it carries its
points here like a passed cell, Gradescope's status follows them ("passed") and Classroom's
is "pass"; its text says "needs review" and why, for the student and the instructor.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from grader.outputs.results import CellResult, SubmissionResult

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
        if c.hidden and not reveal_hidden and c.status == "passed":
            continue
        state = "needs review, points awarded provisionally" if c.needs_review else c.status
        line = f"{c.name}: {c.points:g}/{c.max_points:g} ({state})"
        if c.feedback:
            line += f"\n{c.feedback}"
        if c.diagnosis is not None and c.diagnosis.mistake:
            line += f"\nLikely mistake: {c.diagnosis.title}. {c.diagnosis.fix}"
        parts.append(line)
    return "\n\n".join(parts)


def gradescope(result: SubmissionResult, *, reveal_hidden: bool = True) -> dict[str, Any]:
    """Gradescope autograder results for one submission."""
    tests = [
        {
            "name": cell.grade_id,
            "score": cell.points,
            "max_score": cell.max_points,
            "status": "passed" if cell.points >= cell.max_points else "failed",
            "output": _cell_text(cell, reveal_hidden=reveal_hidden),
            "visibility": "after_due_date" if any(c.hidden for c in cell.checks) else "visible",
        }
        for cell in result.cells
    ]
    return {
        "score": result.score,
        "execution_time": round(result.seconds, 3),
        "output": "\n".join(result.messages),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def classroom(result: SubmissionResult) -> dict[str, Any]:
    """GitHub Classroom autograding runner result (version 3) for one submission."""
    tests = [
        {
            "name": cell.grade_id,
            "status": _classroom_status(cell),
            "score": cell.points,
            "max_score": cell.max_points,
            "message": _cell_text(cell, reveal_hidden=False) or None,
            "line_no": None,
            "execution_time": "",
        }
        for cell in result.cells
    ]
    everything_passed = all(c.points >= c.max_points for c in result.cells)
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
