"""A student's variant as Markdown, HTML or a Jupyter notebook, and the answer key as JSON."""

from __future__ import annotations

import html
from typing import Any

from grader.quizzes.variants import ItemVariant, QuizVariant, letter

FORMATS = ("md", "html", "ipynb")


def _blank(item: ItemVariant) -> str:
    """How the answer space is shown."""
    if item.kind == "numeric":
        return "Answer: ________" + (f" {item.unit}" if item.unit else "")
    if item.kind == "trace":
        names = "; ".join(f"{item.variable}_{i + 1} = ____" for i in range(len(item.answer)))
        return f"Answer: {names}"
    if item.kind == "multiple_select":
        return "Answer (all letters that apply): ________"
    if item.kind == "multiple_choice":
        return "Answer (one letter): ________"
    return "Answer (a sentence or two):"


def item_markdown(number: int, item: ItemVariant) -> str:
    """One question as Markdown."""
    lines = [f"### {number}. `{item.id}` ({item.points:g} pt)", "", item.prompt.strip(), ""]
    lines += [f"- **{letter(i)}.** {o.text}" for i, o in enumerate(item.options)]
    if item.options:
        lines.append("")
    lines.append(f"*{_blank(item)}*")
    return "\n".join(lines)


def markdown(variant: QuizVariant) -> str:
    """The whole quiz as Markdown."""
    head = [f"# {variant.title}", "", f"Student: `{variant.student}`"]
    if variant.minutes:
        head.append(f"  \nTime: about {variant.minutes} minutes")
    head += ["", variant.description.strip(), ""]
    body = [item_markdown(i + 1, item) for i, item in enumerate(variant.items)]
    return "\n".join(head) + "\n" + "\n\n".join(body) + "\n"


def to_html(variant: QuizVariant) -> str:
    """The whole quiz as a standalone HTML page."""
    e = html.escape
    parts = [
        f"<h1>{e(variant.title)}</h1><p>Student: <code>{e(variant.student)}</code></p>",
        f"<p>{e(variant.description.strip())}</p><ol>",
    ]
    for item in variant.items:
        opts = "".join(f"<li>{e(o.text)}</li>" for o in item.options)
        opts = f"<ol type='A'>{opts}</ol>" if opts else ""
        parts.append(
            f"<li id='{e(item.id)}'><p>{e(item.prompt.strip())}</p>{opts}"
            f"<p><em>{e(_blank(item))}</em></p></li>"
        )
    body = "".join(parts) + "</ol>"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{e(variant.title)}"
        f"</title></head><body>{body}</body></html>\n"
    )


def notebook(variant: QuizVariant) -> str:
    """The quiz as a notebook: a Markdown cell per question and a raw cell for each answer."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["gdgrade_quiz"] = {"quiz": variant.quiz_id, "student": variant.student}
    nb.cells.append(
        nbformat.v4.new_markdown_cell(
            f"# {variant.title}\n\nStudent: `{variant.student}`\n\n{variant.description.strip()}"
        )
    )
    for i, item in enumerate(variant.items):
        nb.cells.append(nbformat.v4.new_markdown_cell(item_markdown(i + 1, item)))
        answer = nbformat.v4.new_raw_cell("")
        answer.metadata["gdgrade_question_id"] = item.id
        nb.cells.append(answer)
    nbformat.validate(nb)
    return nbformat.writes(nb)


def render(variant: QuizVariant, fmt: str) -> str:
    """The variant in ``fmt`` (md, html or ipynb)."""
    if fmt == "md":
        return markdown(variant)
    if fmt == "html":
        return to_html(variant)
    if fmt == "ipynb":
        return notebook(variant)
    raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")


def rounded(value: Any) -> Any:
    """A key value without float noise: 8.4, not 8.399999999999999 (10 significant digits,
    as the prompts print their parameters)."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def key(variant: QuizVariant) -> dict[str, Any]:
    """The answer key: {"quiz", "student", "items": [{"id", "answer", ...}]}."""
    items = []
    for item in variant.items:
        entry: dict[str, Any] = {"id": item.id, "kind": item.kind, "answer": rounded(item.answer)}
        if item.tolerance is not None:
            entry["tolerance"] = item.tolerance.model_dump()
        if item.params:
            entry["params"] = rounded(item.params)
        if item.wrong_answers:
            entry["wrong_answers"] = {w.label: rounded(w.value) for w in item.wrong_answers}
        items.append(entry)
    return {"quiz": variant.quiz_id, "student": variant.student, "items": items}
