"""Lateness in words, the same on every output that shows a score.

The numbers are nbgrader's (``grader.outputs.gradebook.record`` reads them back from the
gradebook after nbgrader's ``AssignLatePenalties`` step): this module only says them.
"""

from __future__ import annotations

from grader.outputs.results import LateResult, SubmissionResult

UNITS = (("d", 86400), ("h", 3600), ("min", 60))
"""Units of a lateness, largest first."""


def duration(seconds: float) -> str:
    """ "2 h 13 min", "1 d 3 h", "42 s": whole units, largest first, the rest cut off."""
    if seconds < 60:
        return f"{int(seconds)} s"
    parts = []
    left = int(seconds)
    for name, size in UNITS:
        if left >= size:
            parts.append(f"{left // size} {name}")
            left %= size
    return " ".join(parts)


def rule(late: LateResult) -> str:
    """The plugin's rule: "penalty_method 'zero'", or an instructor plugin's class name."""
    if late.method in ("none", "zero"):
        return f"penalty_method '{late.method}'"
    return f"late-penalty plugin {late.method}"


def line(result: SubmissionResult) -> str:
    """ "late by 2 h 13 min: penalty -11, score 0 / 17"; "" when on time."""
    late = result.late
    if late is None:
        return ""
    cost = f"penalty -{late.penalty:g}" if late.penalty else "no penalty"
    score = f"score {result.final_score:g} / {result.max_score:g}"
    return f"late by {duration(late.seconds_late)}: {cost}, {score}"


def detail(result: SubmissionResult) -> str:
    """Due date, submission time, the score before the penalty and the rule that set it."""
    late = result.late
    if late is None:
        return ""
    due = late.due.strftime("%Y-%m-%d %H:%M UTC")
    submitted = late.submitted.strftime("%Y-%m-%d %H:%M UTC")
    before = f"{result.score:g} / {result.max_score:g}"
    return f"due {due}, submitted {submitted}; {before} before the penalty; {rule(late)}"
