"""The summary table printed after grading."""

from __future__ import annotations

from collections import defaultdict

from grader.outputs.results import SubmissionResult


def print_summary(results: list[SubmissionResult]) -> None:
    """One row per assignment: submissions, mean score, full marks, crashed, mistakes named."""
    from rich.console import Console
    from rich.table import Table

    rows: dict[str, list[SubmissionResult]] = defaultdict(list)
    for r in results:
        rows[r.assignment].append(r)
    table = Table(title="gdgrade autograde")
    for col in (
        "assignment",
        "submissions",
        "mean score",
        "full marks",
        "not ok",
        "mistakes named",
    ):
        table.add_column(col)
    for name, rs in sorted(rows.items()):
        named = sum(1 for r in rs for c in r.checks if c.diagnosis and c.diagnosis.mistake)
        table.add_row(
            name,
            str(len(rs)),
            f"{sum(r.score for r in rs) / len(rs):.1f} / {rs[0].max_score:g}",
            str(sum(r.score >= r.max_score for r in rs)),
            str(sum(r.execution != "ok" for r in rs)),
            str(named),
        )
    console = Console()
    console.print(table)
    for line in sorted({r.sandbox for r in results if r.sandbox}):
        console.print(line, soft_wrap=True)
