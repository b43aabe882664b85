"""Quiz outputs in the course's words: keys and scores without float noise, wrong answers
as students read them, and one student count for `quiz grade` and `quiz summary`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import grader.cli
from grader.quizzes import render, sheet, variants
from grader.quizzes import summary as summarizing
from grader.quizzes.grading import show_points

from .conftest import SAMPLES

ROSTER = SAMPLES / "students.csv"
SHEET = SAMPLES / "exit_ticket_responses.csv"


def _graded(quizzes):
    return sheet.grade_sheet(quizzes["exit_ticket"], SHEET, sheet.read_students(ROSTER))


def test_answer_key_has_no_float_noise(quizzes):
    text = json.dumps(render.key(variants.build(quizzes["exit_ticket"], "ana")))
    assert "[8.4, -11.76]" in text
    assert "8.399999999999999" not in text and "99999" not in text


def test_scores_are_shown_as_short_decimals(quizzes):
    assert (show_points(1 / 3), show_points(8 / 3), show_points(1.0)) == ("0.33", "2.67", "1")
    pages = "".join(sheet.feedback_markdown(s, "t") for s in _graded(quizzes).students)
    assert "0.33/1" in pages and "0.333333" not in pages


def test_common_wrong_answers_are_their_text_not_ids(quizzes, topics):
    view = summarizing.summarize(_graded(quizzes), topics)
    wrong = {t.topic: t.common_wrong for t in view.topics}
    assert wrong["update_rule"] == (
        "update_single_weight: Adding the gradient moves uphill and increases the loss; subtract it"
    )
    assert not any(w and w.endswith(("plus_sign", "increase_lr")) for w in wrong.values())


def test_quiz_grade_and_summary_count_the_same_students(tmp_path):
    runner = CliRunner()
    args = [str(SHEET), "--students", str(ROSTER)]
    graded = runner.invoke(
        grader.cli.app, ["quiz", "grade", "exit_ticket", *args, "-o", str(tmp_path / "g")]
    )
    summed = runner.invoke(
        grader.cli.app, ["quiz", "summary", "exit_ticket", *args, "-o", str(tmp_path / "s")]
    )
    assert graded.exit_code == summed.exit_code == 0, graded.output + summed.output
    assert "graded 7 students" in graded.output
    assert "7 students (5 with responses)" in summed.output
    data = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert (data["students"], data["responded"]) == (7, 5)
    assert "7 students (5 with responses)" in (tmp_path / "s" / "summary.md").read_text()
