"""Quiz marks add up in every export, summed from what each importer-side reader gets.

* GIFT, read by gift-pegjs: GIFT has no marks, so Moodle imports every question at 1 mark;
  the bank's total is the number of questions.
* Moodle XML, validated by xmlschema against the XSD of Moodle's importer: the sum of the
  ``defaultgrade`` of the questions.
* Canvas QTI: the sum of the items' ``points_possible`` and the assessment's own
  ``points_possible`` (assessment_meta.xml), as Canvas reads them.

Marks are added as decimals (Canvas and Moodle store decimal marks), and for the shipped
banks every mark is whole. The bank's total is the sum of its items' points.
"""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from grader.errors import UsageError
from grader.quizzes import export, variants
from grader.quizzes.lms_question import shares

from .lms_check import FILES, parse_gift
from .qti_check import CANVAS, QTI, assessments, unzip


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema11:
    return xmlschema.XMLSchema11(FILES / "moodle_quiz.xsd")


def bank_total(quiz) -> Decimal:
    return sum((Decimal(str(item.points)) for item in quiz.items), Decimal(0))


def gift_marks(text: str) -> list[Decimal]:
    """One mark per question gift-pegjs reads (Moodle's default mark; GIFT carries none)."""
    return [Decimal(1) for q in parse_gift(text) if q["type"] != "Category"]


def moodle_marks(text: str, schema: xmlschema.XMLSchema11) -> list[Decimal]:
    data = schema.to_dict(text)
    return [Decimal(str(q["defaultgrade"])) for q in data["question"] if q["@type"] != "category"]


def qti_marks(data: bytes) -> tuple[list[Decimal], list[Decimal]]:
    """(every item's points_possible, every assessment's points_possible)."""
    files = unzip(data)
    items = []
    for doc in assessments(files):
        for field in doc.iter(f"{QTI}qtimetadatafield"):
            if field.findtext(f"{QTI}fieldlabel") == "points_possible":
                items.append(Decimal(field.findtext(f"{QTI}fieldentry")))
    metas = [
        Decimal(ET.fromstring(body).findtext(f"{CANVAS}points_possible"))
        for name, body in files.items()
        if name.endswith("/assessment_meta.xml")
    ]
    return items, metas


def test_every_bank_adds_up_in_whole_marks_in_every_export(quizzes, schema) -> None:
    for quiz in quizzes.values():
        v = variants.build(quiz, "ana")
        total = bank_total(quiz)
        gift = gift_marks(export.to_gift([v]))
        moodle = moodle_marks(export.to_moodle_xml([v]), schema)
        qti, (meta,) = qti_marks(export.to_qti_zip([v]))
        for name, marks in [("gift", gift), ("moodle-xml", moodle), ("qti", qti)]:
            assert sum(marks) == total, (quiz.id, name, marks)
            assert all(m == m.to_integral_value() and m > 0 for m in marks), (quiz.id, name)
        assert meta == total, quiz.id


def test_a_trace_is_worth_a_point_per_iterate(quizzes) -> None:
    traces = [i for q in quizzes.values() for i in q.items if i.kind == "trace"]
    assert traces
    assert all(i.points == i.steps for i in traces)


@pytest.mark.parametrize(
    ("points", "parts", "marks"),
    [(1, 3, ["0.34", "0.33", "0.33"]), (3, 3, ["1", "1", "1"]), (2, 3, ["0.67", "0.67", "0.66"]),
     (0.125, 2, ["0.063", "0.062"]), (10, 4, ["2.5"] * 4)],
)  # fmt: skip
def test_shares_add_up_exactly(points: float, parts: int, marks: list[str]) -> None:
    got = shares(points, parts)
    assert [Decimal(str(m)).normalize() for m in got] == [Decimal(m) for m in marks]
    assert sum(Decimal(str(m)) for m in got) == Decimal(str(points))


def _one_point_trace(quizzes):
    """gd_basics with its three-step trace given 1 point (a bank may say so)."""
    quiz = quizzes["gd_basics"]
    items = [i.model_copy(update={"points": 1.0}) if i.kind == "trace" else i for i in quiz.items]
    return quiz.model_copy(update={"items": items})


def test_an_uneven_split_still_adds_up_where_marks_are_decimals(quizzes, schema) -> None:
    quiz = _one_point_trace(quizzes)
    v = variants.build(quiz, "ana")
    total = bank_total(quiz)
    assert total == 11
    qti, (meta,) = qti_marks(export.to_qti_zip([v]))
    moodle = moodle_marks(export.to_moodle_xml([v]), schema)
    for marks in (qti, moodle):
        assert sum(marks) == total
        assert sorted(m for m in marks if m < 1) == [
            Decimal("0.33"),
            Decimal("0.33"),
            Decimal("0.34"),
        ]
    assert meta == total


def test_gift_refuses_marks_it_cannot_carry(quizzes) -> None:
    v = variants.build(_one_point_trace(quizzes), "ana")
    with pytest.raises(UsageError) as info:
        export.to_gift([v])
    message = str(info.value)
    assert "quadratic_three_steps_1 [ana] (0.34)" in message
    assert message.startswith("quiz 'gd_basics': GIFT carries no marks")
    assert "Moodle counts every question as 1" in message and "points = steps" in message
