"""Quiz variants flattened into questions an LMS can grade, and the text helpers the exports share.

A trace becomes one numerical question per iterate (its points split so that the marks add
up exactly, ``shares``), a short answer an essay whose model answer and rubric are grader
information (never student-visible feedback). Numeric tolerances carry over as absolute
half-widths, max(atol, rtol * |answer|), and the common wrong answers as 0-credit answers
with their feedback. Option feedback says why an option is wrong, so only wrong options
carry it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from grader.quizzes.variants import SHARED, ItemVariant, QuizVariant


@dataclass(frozen=True)
class Choice:
    """One option of a choice question."""

    key: str
    text: str
    correct: bool
    feedback: str = ""
    """Why this option is wrong; empty for a correct option."""


@dataclass(frozen=True)
class Question:
    """One LMS question; every text is plain text (each export escapes it for its format)."""

    name: str
    kind: Literal["numerical", "single", "multiple", "essay"]
    text: str
    points: float
    answer: float = 0.0
    width: float = 0.0
    wrong: list[tuple[float, str]] = field(default_factory=list)
    """Numerical: common wrong values with the feedback on each."""
    choices: list[Choice] = field(default_factory=list)
    general: str = ""
    """Worked reasoning, shown to students (general feedback)."""
    grader_info: str = ""
    """Essays: model answer and rubric, for graders only."""


def decimal(value: float) -> str:
    """A number as a plain decimal (no exponent), up to 10 significant digits: 0.0000005."""
    text = format(Decimal(f"{value:.10g}"), "f")
    return "0" if text in {"-0", "0"} else text


def html_text(text: str) -> str:
    """Plain text as an HTML fragment that shows it literally: & < > escaped, lines as <br>."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "<br>".join(html.escape(line, quote=False) for line in lines if line)


def shares(points: float, parts: int) -> list[float]:
    """``points`` split over ``parts`` questions in hundredths (or the finer decimal that
    ``points`` is written in) that add up exactly, the first ones taking the leftover: whole
    marks when ``parts`` divides ``points``; 1 over 3 is 0.34, 0.33, 0.33."""
    exact = Decimal(str(points))
    place = min(-2, int(exact.as_tuple().exponent))
    units = int(exact.scaleb(-place))
    base, extra = divmod(units, parts)
    return [float(Decimal(base + (i < extra)).scaleb(place)) for i in range(parts)]


def total(qs: list[Question]) -> Decimal:
    """The marks of ``qs`` added as an LMS adds decimal marks (exactly)."""
    return sum((Decimal(decimal(q.points)) for q in qs), Decimal(0))


def slug(student: str) -> str:
    """The student's part of a category or identifier ("shared" for the shared variant)."""
    return "shared" if student == SHARED else student


def questions(variant: QuizVariant) -> list[Question]:
    """Flatten a variant into LMS questions (names carry the student unless shared)."""
    tag = "" if variant.student == SHARED else f" [{variant.student}]"
    out: list[Question] = []
    for item in variant.items:
        out += _item_questions(item, tag)
    return out


def _item_questions(item: ItemVariant, tag: str) -> list[Question]:
    text, expl = item.prompt.strip(), item.explanation.strip()
    if item.kind == "numeric":
        assert item.tolerance is not None and isinstance(item.answer, float)
        wrong = [(float(w.value), w.feedback.strip()) for w in item.wrong_answers]  # type: ignore[arg-type]
        unit = f" ({item.unit})" if item.unit else ""
        width = item.tolerance.width(item.answer)
        return [
            Question(
                item.id + tag,
                "numerical",
                text + unit,
                item.points,
                item.answer,
                width,
                wrong,
                general=expl,
            )
        ]
    if item.kind == "trace":
        tol = item.tolerance
        assert tol is not None and isinstance(item.answer, list)
        qs = []
        marks = shares(item.points, len(item.answer))
        for i, value in enumerate(item.answer):
            wrong = [
                (w.value[i], w.feedback.strip())
                for w in item.wrong_answers
                if isinstance(w.value, list) and not tol.accepts(value, w.value[i])
            ]
            name = f"{item.id}_{i + 1}{tag}"
            prompt = f"{text} Enter {item.variable}_{i + 1}."
            answer, width = float(value), tol.width(float(value))
            q = Question(name, "numerical", prompt, marks[i], answer, width, wrong, general=expl)
            qs.append(q)
        return qs
    if item.kind in {"multiple_choice", "multiple_select"}:
        kind = "single" if item.kind == "multiple_choice" else "multiple"
        choices = [
            Choice(o.key, o.text, o.correct, "" if o.correct else o.feedback.strip())
            for o in item.options
        ]
        return [Question(item.id + tag, kind, text, item.points, choices=choices, general=expl)]  # type: ignore[arg-type]
    rubric = "; ".join(p.description for p in item.rubric)
    info = f"Model answer: {item.answer}\nRubric: {rubric}."
    return [Question(item.id + tag, "essay", text, item.points, general=expl, grader_info=info)]
