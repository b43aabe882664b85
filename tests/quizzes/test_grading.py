"""Grading one response, and whole sheets: the samples in quizzes/samples/."""

from __future__ import annotations

import csv

import pytest

from grader.errors import ConfigError
from grader.quizzes import grading, sheet, variants
from grader.quizzes.grading import show

from .conftest import SAMPLES


def _item(quizzes, quiz: str, item: str, student: str = "ana") -> variants.ItemVariant:
    return next(i for i in variants.build(quizzes[quiz], student).items if i.id == item)


def test_numeric_correct_within_tolerance_and_decimal_comma(quizzes) -> None:
    item = _item(quizzes, "gd_basics", "update_one_weight")
    assert grading.grade(item, show(item.answer)).status == "correct"
    assert grading.grade(item, show(item.answer).replace(".", ",") + " ").status == "correct"
    width = item.tolerance.width(item.answer)
    assert grading.grade(item, repr(item.answer + 0.9 * width)).status == "correct"
    assert grading.grade(item, repr(item.answer + 3 * width)).status == "incorrect"


def test_numeric_wrong_answer_gets_its_feedback(quizzes) -> None:
    for student in ("ana", "ben", "cleo"):
        item = _item(quizzes, "gd_basics", "update_one_weight", student)
        (sign,) = item.wrong_answers
        rec = grading.grade(item, show(sign.value))
        assert (rec.status, rec.matched, rec.points) == ("incorrect", "sign_error", 0.0)
        assert "uphill" in rec.feedback


def test_linear_scaling_backwards_and_steplr_off_by_one(quizzes) -> None:
    for item_id, label in [("linear_scaling", "scaled_backwards"),
                           ("notes_step_decay", "steplr_convention"),
                           ("torch_step_lr", "notes_convention")]:  # fmt: skip
        item = _item(quizzes, "lr_rules", item_id, "dev")
        wrong = next(w for w in item.wrong_answers if w.label == label)
        assert grading.grade(item, show(wrong.value)).matched == label


def test_trace_partial_and_mistake(quizzes) -> None:
    item = _item(quizzes, "exit_ticket", "mini_exercise_large_lr")
    assert grading.grade(item, show(item.answer)).status == "correct"
    half = grading.grade(item, f"{show(item.answer[0])}; 99")
    assert (half.status, half.points) == ("partial", item.points / 2)  # 1 of 2 iterates
    no_two = next(w for w in item.wrong_answers if w.label == "missing_factor_two")
    rec = grading.grade(item, show(no_two.value))
    assert (rec.status, rec.matched) == ("incorrect", "missing_factor_two")
    assert grading.grade(item, "diverges").status == "unreadable"


def test_choice_items(quizzes) -> None:
    item = _item(quizzes, "exit_ticket", "oscillating_loss")
    right = next(o for o in item.options if o.correct)
    assert grading.grade(item, right.text.upper()).status == "correct"
    rec = grading.grade(item, "increase_lr")
    assert rec.matched == "increase_lr" and "overshoot" in rec.feedback
    multi = _item(quizzes, "gd_basics", "stopping_rules")
    letters = {o.key: variants.letter(i) for i, o in enumerate(multi.options)}
    good = ", ".join(letters[k] for k in multi.answer)
    assert grading.grade(multi, good).points == multi.points
    one_wrong = good + ", " + letters["loss_zero"]
    rec = grading.grade(multi, one_wrong)
    assert rec.status == "partial" and rec.matched == "loss_zero"
    assert rec.points == pytest.approx((len(multi.answer) - 1) / len(multi.answer))


def test_short_answers_score_and_flag(quizzes) -> None:
    item = _item(quizzes, "exit_ticket", "slow_landscape_features")
    full = grading.grade(item, "Plateaus and saddle points: the gradient is near zero there.")
    assert (full.status, full.points, full.needs_review) == ("correct", 1.0, False)
    part = grading.grade(item, "saddle points")
    assert part.status == "review" and part.needs_review and 0 < part.points < 1
    essay = grading.grade(item, "it goes slowly when things are hard to optimise")
    assert essay.needs_review and essay.points == 0
    plus = grading.grade(_item(quizzes, "exit_ticket", "update_single_weight"), "w = w + α*g")
    assert plus.matched == "plus_sign" and plus.needs_review


def test_blank_and_missing(quizzes) -> None:
    item = _item(quizzes, "gd_basics", "largest_stable_lr")
    assert grading.grade(item, "  ").status == "blank"
    assert grading.grade(item, None).status == "missing"


@pytest.fixture(scope="module")
def graded(quizzes):
    students = sheet.read_students(SAMPLES / "students.csv")
    return sheet.grade_sheet(quizzes["gd_basics"], SAMPLES / "gd_basics_responses.csv", students)


def test_sample_sheet_scores(graded) -> None:
    by = {s.student_id: s for s in graded.students}
    assert by["ana"].score == by["ana"].max_score  # decimal commas and a superseded row
    assert by["gus"].score == by["gus"].max_score
    ben = {r.question_id: r for r in by["ben"].items}
    assert ben["update_one_weight"].matched == "sign_error"
    assert ben["quadratic_three_steps"].matched == "sign_error"
    cleo = {r.question_id: r for r in by["cleo"].items}
    assert cleo["quadratic_three_steps"].matched == "missing_factor_two"
    assert cleo["largest_stable_lr"].matched == "curvature_without_two"
    assert cleo["steps_to_tolerance"].status == "correct"  # "7 steps"
    dev = {r.question_id: r.status for r in by["dev"].items}
    assert dev["update_one_weight"] == "blank" and dev["mse_gradient_one_weight"] == "unreadable"
    assert by["dev"].needs_review
    assert {r.status for r in by["fay"].items} == {"missing"}
    assert {r.status for r in by["hal"].items} == {"missing"}


def test_nothing_is_dropped_silently(graded) -> None:
    kinds = {i.kind for i in graded.issues}
    assert kinds == {
        "duplicate",
        "unknown_question",
        "no_student_id",
        "unknown_student",
        "other_quiz",
    }
    answered = sum(r.status != "missing" for s in graded.students for r in s.items)
    skipped = sum(i.kind in {"unknown_question", "no_student_id", "other_quiz", "duplicate"}
                  for i in graded.issues)  # fmt: skip
    assert answered + skipped == graded.rows_read


def test_outputs_written(graded, tmp_path) -> None:
    paths = sheet.write_outputs(graded, tmp_path)
    again = sheet.load_result(paths["results"])
    assert again == graded
    rows = list(csv.DictReader(paths["scores"].open()))
    assert [r["student_id"] for r in rows] == [s.student_id for s in graded.students]
    page = (paths["feedback"] / "ben.md").read_text()
    assert "uphill" in page and "Score:" in page


def test_sheet_without_required_columns(tmp_path, quizzes) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,answer\nana,1\n")
    with pytest.raises(ConfigError, match="question_id"):
        sheet.grade_sheet(quizzes["gd_basics"], bad)


def test_header_aliases_and_case(tmp_path, quizzes) -> None:
    item = _item(quizzes, "exit_ticket", "oscillating_loss", "zed")
    f = tmp_path / "r.csv"
    f.write_text(f"Student,Question ID,Answer\nzed, Oscillating_Loss ,{item.answer}\n")
    (res,) = sheet.grade_sheet(quizzes["exit_ticket"], f).students
    assert {r.question_id: r.status for r in res.items}["oscillating_loss"] == "correct"
