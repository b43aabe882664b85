"""The class view of a graded quiz, per concept (topic): percent of points earned, the most
common wrong answer, and a bar chart. Derived from a ``QuizGradeResult`` only."""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from grader.quizzes.grading import show
from grader.quizzes.records import ItemGradeRecord, QuizGradeResult


class TopicSummaryRecord(BaseModel):
    """How the class did on one topic."""

    model_config = ConfigDict(frozen=True)
    topic: str
    """Topic id."""
    title: str
    """Topic title from assignments/topics.yaml."""
    items: list[str]
    """Items assessing the topic."""
    answered: int
    """Responses (student x item) that were not missing from the sheet."""
    percent_correct: float
    """Points earned / points available over those responses, in percent."""
    common_wrong: str | None
    """The most common wrong answer as students see it: 'item: text' (the wrong option's
    text, the wrong value, or the named misconception in words)."""
    common_wrong_count: int
    """How many responses gave it."""


class QuizSummaryResult(BaseModel):
    """Per-topic class summary of one quiz."""

    model_config = ConfigDict(frozen=True)
    quiz_id: str
    """Quiz id."""
    title: str
    """Quiz title."""
    students: int
    """Students graded: every listed student (``--students``), like ``quiz grade``."""
    responded: int = 0
    """Students with at least one response in the sheet."""
    topics: list[TopicSummaryRecord]
    """In the order topics first appear in the quiz."""
    review_count: int
    """Responses flagged for manual review."""


def _wrong_key(rec: ItemGradeRecord) -> str | None:
    """What a wrong response is counted as."""
    if rec.status in {"correct", "missing", "blank"}:
        return None
    if rec.matched_text or rec.matched:  # as the reader sees it, the label for old records
        return f"{rec.question_id}: {rec.matched_text or rec.matched}"
    if rec.status in {"incorrect", "partial"} and rec.parsed is not None:
        return f"{rec.question_id}: {show(rec.parsed)}"
    return None


def summarize(result: QuizGradeResult, titles: dict[str, str]) -> QuizSummaryResult:
    """Aggregate ``result`` per topic."""
    records = [rec for s in result.students for rec in s.items]
    order: list[str] = []
    for rec in records:
        order += [t for t in rec.topics if t not in order]
    topics = []
    for topic in order:
        recs = [r for r in records if topic in r.topics and r.status != "missing"]
        avail = sum(r.max_points for r in recs)
        wrong = Counter(k for k in map(_wrong_key, recs) if k)
        top = wrong.most_common(1)[0] if wrong else (None, 0)
        topics.append(
            TopicSummaryRecord(
                topic=topic,
                title=titles.get(topic, topic),
                items=sorted({r.question_id for r in records if topic in r.topics}),
                answered=len(recs),
                percent_correct=round(100 * sum(r.points for r in recs) / avail, 1)
                if avail
                else 0.0,
                common_wrong=top[0],
                common_wrong_count=top[1],
            )
        )
    return QuizSummaryResult(
        quiz_id=result.quiz_id,
        title=result.quiz_title,
        students=len(result.students),
        responded=sum(any(r.status != "missing" for r in s.items) for s in result.students),
        topics=topics,
        review_count=sum(r.needs_review for r in records),
    )


def students_line(summary: QuizSummaryResult) -> str:
    """ "7 students (5 with responses)", the count ``quiz grade`` prints first."""
    if summary.responded == summary.students:
        return f"{summary.students} students"
    return f"{summary.students} students ({summary.responded} with responses)"


def plot(summary: QuizSummaryResult, path: Path) -> Path:
    """A horizontal bar chart of percent correct per topic (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [t.topic for t in summary.topics][::-1]
    values = [t.percent_correct for t in summary.topics][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    ax.barh(names, values, color=["#c0392b" if v < 50 else "#2e86c1" for v in values])
    ax.set_xlim(0, 100)
    ax.set_xlabel("percent of points earned")
    ax.set_title(f"{summary.title}\n{students_line(summary)}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def markdown(summary: QuizSummaryResult) -> str:
    """The summary as a Markdown page."""
    lines = [
        f"# {summary.title}: class summary",
        "",
        f"{students_line(summary)}; {summary.review_count} responses flagged for review.",
        "",
        "![percent correct per topic](summary.png)",
        "",
        "| topic | items | answered | % correct | most common wrong answer |",
        "|---|---|---|---|---|",
    ]
    for t in summary.topics:
        wrong = f"{t.common_wrong} ({t.common_wrong_count})" if t.common_wrong else "-"
        lines.append(
            f"| {t.topic} | {', '.join(t.items)} | {t.answered} | "
            f"{t.percent_correct:.1f} | {wrong} |"
        )
    return "\n".join(lines) + "\n"


def to_html(summary: QuizSummaryResult) -> str:
    """The summary as a standalone HTML page."""
    e = html.escape
    rows = "".join(
        f"<tr><td title='{e(t.title)}'>{e(t.topic)}</td><td>{e(', '.join(t.items))}</td>"
        f"<td>{t.answered}</td><td>{t.percent_correct:.1f}</td>"
        f"<td>{e(t.common_wrong or '-')}{f' ({t.common_wrong_count})' if t.common_wrong else ''}"
        "</td></tr>"
        for t in summary.topics
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{e(summary.title)}</title>"
        "</head><body>"
        f"<h1>{e(summary.title)}: class summary</h1><p>{e(students_line(summary))}; "
        f"{summary.review_count} responses flagged for review.</p>"
        "<img src='summary.png' alt='percent correct per topic'>"
        "<table border='1'><tr><th>topic</th><th>items</th><th>answered</th><th>% correct</th>"
        f"<th>most common wrong answer</th></tr>{rows}</table></body></html>\n"
    )


def write(summary: QuizSummaryResult, out: Path) -> dict[str, Path]:
    """summary.json, summary.md, summary.html and summary.png in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {ext: out / f"summary.{ext}" for ext in ("json", "md", "html", "png")}
    paths["json"].write_text(summary.model_dump_json(indent=2), encoding="utf-8")
    paths["md"].write_text(markdown(summary), encoding="utf-8")
    paths["html"].write_text(to_html(summary), encoding="utf-8")
    plot(summary, paths["png"])
    return paths
