"""GIFT exports read back by gift-pegjs, the GIFT grammar Moodle-compatible tools use."""

from __future__ import annotations

import pytest

from grader.quizzes import export, variants

from .lms_check import HOSTILE, hostile_variant, parse_gift, shown

KINDS = {"numerical": "Numerical", "single": "MC", "multiple": "MC", "essay": "Essay"}


def _variants(quiz) -> list:
    return [variants.build(quiz), variants.build(quiz, "ana"), variants.build(quiz, "ben")]


def test_every_bank_parses_and_keeps_answers(quizzes) -> None:
    for quiz in quizzes.values():
        built = _variants(quiz)
        parsed = parse_gift(export.to_gift(built))
        expected = []
        for v in built:
            expected.append(None)  # its $CATEGORY
            expected += export.questions(v)
        assert len(parsed) == len(expected), quiz.id
        for got, q in zip(parsed, expected, strict=True):
            if q is None:
                assert got["type"] == "Category"
                continue
            assert (got["type"], got["title"]) == (KINDS[q.kind], q.name)
            assert got["stem"]["format"] == "html"
            assert shown(got["stem"]["text"]) == " ".join(q.text.split())
            if q.general:
                assert shown(got["globalFeedback"]["text"]) == " ".join(q.general.split())
            if q.kind == "numerical":
                right, *wrong = got["choices"]
                assert right["text"]["number"] == pytest.approx(q.answer, rel=1e-9, abs=1e-12)
                assert right["text"]["range"] == pytest.approx(q.width, rel=1e-9)
                assert [w["weight"] for w in wrong] == [0] * len(q.wrong)
                assert [w["text"]["number"] for w in wrong] == pytest.approx(
                    [v for v, _ in q.wrong]
                )
            elif q.kind in {"single", "multiple"}:
                _check_choices(got["choices"], q)


def _check_choices(choices: list[dict], q) -> None:
    assert [shown(c["text"]["text"]) for c in choices] == [c.text for c in q.choices]
    for c, option in zip(choices, q.choices, strict=True):
        credit = c["isCorrect"] if q.kind == "single" else c["weight"] > 0
        assert credit == option.correct
        # option feedback says why an option is wrong: never on a right one
        assert (c["feedback"] is None) == (not option.feedback)
        assert not (option.correct and c["feedback"]), (q.name, option.text)
    if q.kind == "multiple":
        assert sum(c["weight"] for c in choices if c["weight"] > 0) == pytest.approx(100)


def test_right_answer_of_the_prediction_item_gets_no_feedback(quizzes) -> None:
    parsed = parse_gift(export.to_gift([variants.build(quizzes["exit_ticket"])]))
    (q,) = [q for q in parsed if q.get("title") == "mini_exercise_prediction"]
    right = [c for c in q["choices"] if c["isCorrect"]]
    assert [shown(c["text"]["text"]) for c in right] == ["Diverges, alternating in sign"]
    assert right[0]["feedback"] is None


def test_tiny_tolerance_is_a_plain_decimal(quizzes) -> None:
    text = export.to_gift([variants.build(quizzes["lr_rules"])])
    assert "=0.0005:0.0000005#" in text and "e-0" not in text
    by_title = {q.get("title"): q for q in parse_gift(text)}
    assert by_title["notes_step_decay"]["choices"][0]["text"]["range"] == pytest.approx(5e-7)


def _one_mark(v):
    """The variant with every item worth 1 (GIFT exports nothing else)."""
    return v.model_copy(update={"items": [i.model_copy(update={"points": 1.0}) for i in v.items]})


def test_hostile_text_round_trips() -> None:
    for student in ("*shared*", "x:{y}#z"):
        hostile = _one_mark(hostile_variant(student))
        cat, num, pick, several, essay = parse_gift(export.to_gift([hostile]))
        assert cat["type"] == "Category"
        assert num["title"] == "num" if student == "*shared*" else f"num [{student}]"
        for q in (num, pick, several, essay):
            assert shown(q["stem"]["text"]) == HOSTILE
            assert shown(q["globalFeedback"]["text"]) == "EXPLAIN " + HOSTILE
        assert shown(num["choices"][1]["feedback"]["text"]) == "WRONG " + HOSTILE
        assert [shown(c["text"]["text"]) for c in several["choices"]] == [
            "RIGHT " + HOSTILE, "WRONG " + HOSTILE, "ALSO " + HOSTILE,
        ]  # fmt: skip
        assert [c["feedback"] and shown(c["feedback"]["text"]) for c in pick["choices"]] == [
            None, "WHY " + HOSTILE,
        ]  # fmt: skip
        assert "MODEL-ANSWER" not in str(essay) and "RUBRIC-POINT" not in str(essay)
