"""What every export starts from: flattened questions, plain decimals, escaped HTML texts.

The formats themselves are read back by third-party parsers in test_export_gift.py (gift-pegjs),
test_export_moodle.py (an XSD 1.1 of what Moodle's importer reads) and test_export_qti.py
(text2qti's Canvas QTI as the reference).
"""

from __future__ import annotations

import pytest

from grader.quizzes import export, variants
from grader.quizzes.gift import gift_html
from grader.quizzes.lms_question import html_text

from .lms_check import HOSTILE, hostile_variant, shown


@pytest.mark.parametrize(
    ("value", "text"),
    [(5e-7, "0.0000005"), (3.333333333e-05, "0.00003333333333"), (-0.0, "0"), (0.0, "0"),
     (1.2e20, "120000000000000000000"), (-11.76, "-11.76"), (100 / 3, "33.33333333"), (8.4, "8.4")],
)  # fmt: skip
def test_numbers_are_plain_decimals(value: float, text: str) -> None:
    assert export.decimal(value) == text
    assert float(text) == pytest.approx(value, rel=1e-9)


def test_html_text_shows_literally() -> None:
    assert html_text("a<b & c>d") == "a&lt;b &amp; c&gt;d"
    assert shown(html_text(HOSTILE)) == HOSTILE
    assert shown(html_text("two\nlines\n")) == "two\nlines"


def test_gift_text_is_html_then_gift_escaped() -> None:
    assert export.gift_escape("a = b: {c} ~ #d \\") == "a \\= b\\: \\{c\\} \\~ \\#d \\\\"
    assert gift_html("a<b & {c}\nx#") == "a&lt;b &amp; \\{c\\}<br>x\\#"


def test_option_feedback_only_on_wrong_options(quizzes) -> None:
    for quiz in quizzes.values():
        for q in export.questions(variants.build(quiz, "ana")):
            assert all(not c.feedback for c in q.choices if c.correct), q.name
    pick = export.questions(hostile_variant())[1]
    assert [c.feedback for c in pick.choices] == ["", "WHY " + HOSTILE]


def test_essay_keeps_model_answer_and_rubric_for_graders_only(quizzes) -> None:
    essays = [
        q for q in export.questions(variants.build(quizzes["exit_ticket"])) if q.kind == "essay"
    ]
    assert len(essays) == 3
    for q in essays:
        assert q.grader_info.startswith("Model answer: ") and "Rubric: " in q.grader_info
        assert "Model answer" not in q.general and "Rubric" not in q.general
