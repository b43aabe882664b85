"""Moodle XML exports checked against an XSD 1.1 of what Moodle's importer (qformat_xml) reads,
and read back as Moodle would show them."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import xmlschema

from grader.quizzes import export, variants

from .lms_check import FILES, HOSTILE, hostile_variant, shown


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema11:
    return xmlschema.XMLSchema11(FILES / "moodle_quiz.xsd")


def _questions(text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(text)
    assert root.tag == "quiz"
    return {q.findtext("name/text"): q for q in root.findall("question")}


def test_schema_rejects_what_moodle_cannot_read(schema) -> None:
    good = export.to_moodle_xml([hostile_variant()])
    schema.validate(good)
    for old, new in [
        ("<tolerance>0.0000005</tolerance>", "<tolerance>5e-07</tolerance>"),
        ('type="essay"', 'type="essays"'),
        ("graderinfo", "notes"),
        ('fraction="100"', 'fraction="50"'),
    ]:
        assert old in good, old
        assert not schema.is_valid(good.replace(old, new)), new


def test_every_bank_is_valid_and_keeps_answers(schema, quizzes) -> None:
    for quiz in quizzes.values():
        built = [variants.build(quiz), variants.build(quiz, "ana")]
        text = export.to_moodle_xml(built)
        schema.validate(text)
        by_name = _questions(text)
        for v in built:
            for q in export.questions(v):
                el = by_name[q.name]
                assert shown(el.findtext("questiontext/text")) == " ".join(q.text.split())
                assert shown(el.findtext("generalfeedback/text")) == " ".join(q.general.split())
                if q.kind == "numerical":
                    right = el.find("answer")
                    assert float(right.findtext("text")) == pytest.approx(q.answer, rel=1e-9)
                    assert float(right.findtext("tolerance")) == pytest.approx(q.width, rel=1e-9)
                elif q.kind in {"single", "multiple"}:
                    answers = el.findall("answer")
                    assert [shown(a.findtext("text")) for a in answers] == [
                        c.text for c in q.choices
                    ]
                    for a, c in zip(answers, q.choices, strict=True):
                        assert (float(a.get("fraction")) > 0) == c.correct
                        feedback = shown(a.findtext("feedback/text") or "")
                        assert feedback == ("" if c.correct else " ".join(c.feedback.split()))


def test_essay_model_answer_and_rubric_only_in_graderinfo(quizzes) -> None:
    quiz = quizzes["exit_ticket"]
    by_name = _questions(export.to_moodle_xml([variants.build(quiz)]))
    essays = [i for i in quiz.items if i.kind == "short_answer"]
    assert essays
    for item in essays:
        el = by_name[item.id]
        info = shown(el.findtext("graderinfo/text"))
        assert " ".join(item.model_answer.split()) in " ".join(info.split())
        assert all(p.description in info for p in item.rubric)
        seen_by_students = " ".join(
            shown(t.text or "") for tag in ("questiontext", "generalfeedback")
            for t in el.iterfind(f"{tag}/text")
        )  # fmt: skip
        assert "Model answer" not in seen_by_students and "Rubric" not in seen_by_students
        assert not any(p.description in seen_by_students for p in item.rubric)


def test_hostile_text_round_trips(schema) -> None:
    text = export.to_moodle_xml([hostile_variant("x<y>&z")])
    schema.validate(text)
    by_name = _questions(text)
    assert set(by_name) == {None, "num [x<y>&z]", "pick [x<y>&z]", "several [x<y>&z]",
                            "essay [x<y>&z]"}  # fmt: skip
    for el in list(by_name.values())[1:]:
        assert shown(el.findtext("questiontext/text")) == HOSTILE
        assert shown(el.findtext("generalfeedback/text")) == "EXPLAIN " + HOSTILE
    num = by_name["num [x<y>&z]"]
    assert [a.findtext("tolerance") for a in num.findall("answer")] == ["0.0000005"] * 2
    assert shown(num.findall("answer")[1].findtext("feedback/text")) == "WRONG " + HOSTILE
    pick = by_name["pick [x<y>&z]"]
    assert [shown(a.findtext("text")) for a in pick.findall("answer")] == [
        "RIGHT " + HOSTILE, "WRONG " + HOSTILE,
    ]  # fmt: skip
    assert [shown(a.findtext("feedback/text") or "") for a in pick.findall("answer")] == [
        "", "WHY " + HOSTILE,
    ]  # fmt: skip
    essay = by_name["essay [x<y>&z]"]
    assert shown(essay.findtext("graderinfo/text")) == (
        f"Model answer: MODEL-ANSWER {HOSTILE}\nRubric: RUBRIC-POINT."
    )
    assert "NOT-FOR-RIGHT" not in text
