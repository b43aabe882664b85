"""Moodle GIFT export: one ``[html]`` question per block, a $CATEGORY per variant.

Texts are HTML-escaped first (GIFT text is rendered as HTML), then GIFT's own special
characters are escaped; numbers are plain decimals (GIFT parsers reject ``5e-07``). GIFT has
no marks: Moodle imports every question at 1 mark, so only questions worth 1 are exported.
"""

from __future__ import annotations

from grader.errors import UsageError
from grader.quizzes.lms_question import Question, decimal, html_text, questions, slug
from grader.quizzes.variants import QuizVariant

SPECIAL = "~=#{}:"


def gift_escape(text: str) -> str:
    """Escape backslash and GIFT's special characters ~ = # { } : with a backslash."""
    out = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out


def gift_html(text: str) -> str:
    """Plain text as GIFT HTML text: HTML-escaped, then GIFT-escaped, on one line."""
    return gift_escape(html_text(text))


def _answers(q: Question) -> list[str]:
    """The lines inside the braces (without the general feedback)."""
    e = gift_html
    if q.kind == "numerical":
        width = decimal(q.width)
        lines = [f"={decimal(q.answer)}:{width}#Correct."]
        for v, fb in q.wrong:
            lines.append(f"=%0%{decimal(v)}:{width}" + (f"#{e(fb)}" if fb else ""))
        return lines
    if q.kind == "essay":
        return []
    n_ok = sum(c.correct for c in q.choices)
    share = decimal(100 / n_ok)
    lines = []
    for c in q.choices:
        if q.kind == "single":
            mark = "=" if c.correct else "~"
        else:
            mark = f"~%{share}%" if c.correct else f"~%-{share}%"
        lines.append(mark + e(c.text) + (f"#{e(c.feedback)}" if c.feedback else ""))
    return lines


def gift_question(q: Question) -> str:
    """One question block."""
    lines = _answers(q)
    if q.general:
        lines.append(f"####{gift_html(q.general)}")
    body = "".join(f"\t{line}\n" for line in lines)
    numeric = "#" if q.kind == "numerical" else ""
    return f"::{gift_escape(q.name)}::[html]{gift_html(q.text)} {{{numeric}\n{body}}}"


def whole_marks(quiz_id: str, qs: list[Question]) -> None:
    """UsageError naming each question whose mark is not 1: GIFT carries no marks, so
    Moodle gives every imported question 1 mark (its default mark)."""
    odd = [f"{q.name} ({decimal(q.points)})" for q in qs if q.points != 1]
    if odd:
        raise UsageError(
            f"quiz {quiz_id!r}: GIFT carries no marks and Moodle counts every question as 1, "
            f"but these are worth other marks: {', '.join(odd)}; give such an item 1 point "
            "per question (a trace: points = steps), or export moodle-xml or qti"
        )


def to_gift(variants: list[QuizVariant]) -> str:
    """Moodle GIFT text: a $CATEGORY per variant, one question per block, every question
    worth 1 mark (as Moodle will count it; UsageError otherwise)."""
    blocks = []
    for v in variants:
        qs = questions(v)
        whole_marks(v.quiz_id, qs)
        blocks.append(f"$CATEGORY: $course$/gdgrade/{v.quiz_id}/{slug(v.student)}")
        blocks += [gift_question(q) for q in qs]
    return "\n\n".join(blocks) + "\n"
