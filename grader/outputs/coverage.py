"""``gdgrade coverage``: which graded checks and quiz items assess each course topic.

Topics come from ``assignments/topics.yaml``; graded items are the registered checks of the
course's assignments (each declares ``topics``); quiz items come from the banks in
``quizzes/``. ``problems`` lists what an instructor must fix: a topic with no graded item or
no quiz item, an item naming an unknown topic, a graded item naming none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.judging import registry
from grader.nbgrader_io.course import CourseDir


@dataclass
class Row:
    """One topic and what assesses it."""

    topic: str
    title: str
    graded: list[tuple[str, float]] = field(default_factory=list)
    quizzed: list[tuple[str, float]] = field(default_factory=list)


def matrix(course: Path) -> tuple[list[Row], list[str]]:
    """Rows per topic (in topics.yaml order) and the problems found."""
    from grader.quizzes import bank

    titles = bank.load_topics(course / "topics.yaml")
    rows = {t: Row(t, title) for t, title in titles.items()}
    problems: list[str] = []
    for assignment in CourseDir(course).assignments():
        for chk in registry.checks_for(assignment):
            if not chk.topics:
                problems.append(f"graded check {chk.id} names no topic")
            for t in chk.topics:
                if t not in rows:
                    problems.append(f"graded check {chk.id} names unknown topic {t!r}")
                else:
                    rows[t].graded.append((chk.id, chk.points))
    for quiz in bank.load_all():
        for item in quiz.items:
            for t in item.topics:
                if t not in rows:
                    problems.append(f"quiz item {quiz.id}.{item.id} names unknown topic {t!r}")
                else:
                    rows[t].quizzed.append((f"{quiz.id}.{item.id}", item.points))
    for row in rows.values():
        if not row.graded:
            problems.append(f"topic {row.topic} has no graded item")
        if not row.quizzed:
            problems.append(f"topic {row.topic} has no quiz item")
    return list(rows.values()), problems


def cell_text(items: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name} ({points:g})" for name, points in items) or "-"


def markdown(rows: list[Row]) -> str:
    """The matrix as a Markdown table."""
    lines = ["| topic | graded items (points) | quiz items (points) |", "|---|---|---|"]
    lines += [
        f"| {r.topic}: {r.title} | {cell_text(r.graded)} | {cell_text(r.quizzed)} |" for r in rows
    ]
    return "\n".join(lines) + "\n"


def html(rows: list[Row]) -> str:
    """The matrix as a standalone HTML page."""
    from html import escape

    body = "".join(
        f"<tr><td><b>{escape(r.topic)}</b><br>{escape(r.title)}</td>"
        f"<td>{escape(cell_text(r.graded))}</td><td>{escape(cell_text(r.quizzed))}</td></tr>"
        for r in rows
    )
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Course coverage</title>"
        "<style>td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top}"
        "table{border-collapse:collapse}</style><h1>Course coverage</h1><table>"
        "<tr><th>topic</th><th>graded items (points)</th><th>quiz items (points)</th></tr>"
        f"{body}</table></html>"
    )
