"""The summary table printed after grading, the line saying what the run graded and why,
the line counting the checks that need review (undecided timing checks, their points
awarded provisionally) and the one counting late submissions. Scores are final: after the
late penalty nbgrader's gradebook holds."""

from __future__ import annotations

from collections import Counter, defaultdict

from grader.outputs.results import SubmissionResult


def print_summary(results: list[SubmissionResult]) -> None:
    """One row per assignment: submissions, mean score, full marks, crashed, mistakes named,
    checks that need review; then "N checks need review" with where, when there are any."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    rows: dict[str, list[SubmissionResult]] = defaultdict(list)
    for r in results:
        rows[r.assignment].append(r)
    # fits 80 columns with the longest shipped name (accumulation_normalization): names and
    # numbers never wrap or truncate, two-line headers, no side borders, shared padding
    table = Table(
        title="gdgrade autograde", box=box.SIMPLE_HEAD, collapse_padding=True, show_edge=False
    )
    table.add_column("assignment", no_wrap=True)
    for col in ("submitted", "mean\nscore", "full\nmarks", "not\nok", "mistakes\nnamed"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("need\nreview", justify="right", no_wrap=True)
    for name, rs in sorted(rows.items()):
        named = sum(1 for r in rs for c in r.checks if c.diagnosis and c.diagnosis.mistake)
        table.add_row(
            name,
            str(len(rs)),
            f"{sum(r.final_score for r in rs) / len(rs):.1f}/{rs[0].max_score:g}",
            str(sum(r.final_score >= r.max_score for r in rs)),
            str(sum(r.execution != "ok" for r in rs)),
            str(named),
            str(sum(r.to_review for r in rs)),
        )
    console = Console()
    console.print(table)
    console.print(run_line(results), soft_wrap=True)
    for line in (review_line(results), late_line(results)):
        if line:
            console.print(line, soft_wrap=True)
    for line in sorted({r.sandbox for r in results if r.sandbox}):
        console.print(line, soft_wrap=True)


def run_line(results: list[SubmissionResult]) -> str:
    """ "3 graded (2 new, 1 checks changed), 24 unchanged, skipped": what this run graded
    and why (``SubmissionResult.grade_reason``), and how many stored results it reused."""
    reasons = Counter(r.grade_reason for r in results)
    skipped = reasons.pop("unchanged", 0)
    why = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common() if reason)
    line = f"{sum(reasons.values())} graded" + (f" ({why})" if why else "")
    return line + (f", {skipped} unchanged, skipped" if skipped else "")


def review_line(results: list[SubmissionResult]) -> str:
    """ "N checks need review: ..." naming student, assignment and check; "" when none."""
    held = [
        f"{r.student}/{r.assignment} {c.check_id}"
        for r in results
        for c in r.checks
        if c.needs_review
    ]
    if not held:
        return ""
    noun = "check needs" if len(held) == 1 else "checks need"
    return (
        f"{len(held)} {noun} review (undecided, points awarded provisionally; flagged "
        f"needs_manual_grade in the gradebook): {', '.join(held)}"
    )


def late_line(results: list[SubmissionResult]) -> str:
    """ "2 late submissions: ben/gd_basics (late by 2 h 13 min: penalty -11, score 0 / 17),
    ..."; "" when none."""
    from grader.outputs import lateness

    late = [f"{r.student}/{r.assignment} ({lateness.line(r)})" for r in results if r.late]
    if not late:
        return ""
    noun = "late submission" if len(late) == 1 else "late submissions"
    return f"{len(late)} {noun}: {', '.join(late)}"
