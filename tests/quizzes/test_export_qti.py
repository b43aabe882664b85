"""Canvas QTI exports compared with what text2qti (a Canvas QTI generator) writes for the same
kinds of question, and run through QTI 1.2 response processing as Canvas runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from grader.quizzes import export, variants
from grader.quizzes.lms_question import decimal
from grader.quizzes.qti import QTI_TYPES

from .lms_check import FILES, HOSTILE, hostile_variant, shown
from .qti_check import (
    CANVAS,
    QTI,
    assessments,
    choices,
    layout,
    paths,
    question_type,
    respond,
    unzip,
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """text2qti's zip for files/text2qti_reference.md (one question of each kind)."""
    work = tmp_path_factory.mktemp("text2qti")
    source = work / "reference.md"
    source.write_text((FILES / "text2qti_reference.md").read_text(encoding="utf-8"))
    text2qti = Path(sys.executable).with_name("text2qti")
    env = {**os.environ, "HOME": str(work)}  # text2qti writes its config file to HOME
    proc = subprocess.run([str(text2qti), str(source)], cwd=work, env=env, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return unzip((work / "reference.zip").read_bytes())


def _items(files: dict[str, bytes]) -> list[ET.Element]:
    return [item for doc in assessments(files) for item in doc.iter(f"{QTI}item")]


def test_zip_and_manifest_laid_out_as_text2qti(reference) -> None:
    ours = unzip(export.to_qti_zip([hostile_variant(), hostile_variant("ana")]))
    assert layout(ours) == layout(reference)
    meta = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
    assert ("imsqti_xmlv1p2", ("ID/ID.xml",), (meta,)) in layout(ours)
    assert sum(n.endswith("/assessment_meta.xml") for n in ours) == 2


def test_assessment_meta_as_text2qti(reference) -> None:
    def meta(files):
        (name,) = [n for n in files if n.endswith("/assessment_meta.xml")]
        return ET.fromstring(files[name])

    ref = meta(reference)
    v = hostile_variant()
    ours = meta(unzip(export.to_qti_zip([v])))
    assert ours.tag == ref.tag == f"{CANVAS}quiz"
    tags = [c.tag for c in ours]
    assert set(tags) <= {c.tag for c in ref}
    for tag in ("title", "description", "quiz_type", "points_possible", "assignment"):
        assert f"{CANVAS}{tag}" in tags
    assert {c.tag for c in ours.find(f"{CANVAS}assignment")} <= {
        c.tag for c in ref.find(f"{CANVAS}assignment")
    }
    assert ours.findtext(f"{CANVAS}title") == "TITLE " + HOSTILE
    assert shown(ours.findtext(f"{CANVAS}description")) == "DESC " + HOSTILE
    total = sum(q.points for q in export.questions(v))
    assert float(ours.findtext(f"{CANVAS}points_possible")) == total


def test_items_have_text2qti_structure(reference) -> None:
    ref = {question_type(i): i for i in _items(reference)}
    ours = {question_type(i): i for i in _items(unzip(export.to_qti_zip([hostile_variant()])))}
    assert set(ours) == set(ref) == set(QTI_TYPES.values())
    for kind, item in ours.items():
        assert paths(item) == paths(ref[kind]), kind
        for fb in item.iterfind(f"{QTI}itemfeedback"):
            assert fb.find(f"{QTI}flow_mat/{QTI}material/{QTI}mattext").get("texttype") == (
                "text/html"
            )


def _check_item(item: ET.Element, q) -> None:
    links = {d.get("linkrefid") for d in item.iter(f"{QTI}displayfeedback")}
    assert links == {fb.get("ident") for fb in item.iterfind(f"{QTI}itemfeedback")}
    assert shown(item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")) == " ".join(
        q.text.split()
    )
    general = [" ".join(q.general.split())] if q.general else []
    if q.kind == "numerical":
        for response in (q.answer, q.answer - 0.999 * q.width, q.answer + 0.999 * q.width):
            score, fb = respond(item, response)
            assert (score, [shown(t) for t in fb]) == (100, general), (q.name, response)
        for value, why in q.wrong:
            score, fb = respond(item, value)
            assert score == 0 and shown(fb[-1]).count(f"If you answered {decimal(value)}: ") == 1
            assert " ".join(why.split()) in shown(fb[-1])
    elif q.kind in {"single", "multiple"}:
        shown_choices = choices(item)
        assert [shown(t) for _, t in shown_choices] == [c.text for c in q.choices]
        right = {ident for (ident, _), c in zip(shown_choices, q.choices, strict=True) if c.correct}
        score, fb = respond(item, right)
        assert (score, [shown(t) for t in fb]) == (100, general), q.name
        for (ident, _), c in zip(shown_choices, q.choices, strict=True):
            if not c.correct:
                score, fb = respond(item, {ident} if q.kind == "single" else right | {ident})
                expected = [" ".join(c.feedback.split())] if c.feedback else []
                assert (score, [shown(t) for t in fb]) == (0, general + expected), q.name
    else:
        score, fb = respond(item, set())
        assert (score, [shown(t) for t in fb]) == (0, general)


def test_every_bank_scores_and_explains(quizzes) -> None:
    for quiz in quizzes.values():
        built = [variants.build(quiz), variants.build(quiz, "ana")]
        docs = assessments(unzip(export.to_qti_zip(built)))
        by_title = {doc.find(f"{QTI}assessment").get("title"): doc for doc in docs}
        assert list(by_title) == [f"{quiz.title} [ana]", quiz.title]
        for v, doc in zip(
            built, [by_title[quiz.title], by_title[f"{quiz.title} [ana]"]], strict=True
        ):
            items = list(doc.iter(f"{QTI}item"))
            qs = export.questions(v)
            assert [i.get("title") for i in items] == [q.name for q in qs]
            for item, q in zip(items, qs, strict=True):
                assert question_type(item) == QTI_TYPES[q.kind]
                _check_item(item, q)


def test_hostile_text_round_trips() -> None:
    v = hostile_variant("x<y>&z")
    (doc,) = assessments(unzip(export.to_qti_zip([v])))
    assert doc.find(f"{QTI}assessment").get("title") == f"TITLE {HOSTILE} [x<y>&z]"
    items = list(doc.iter(f"{QTI}item"))
    for item, q in zip(items, export.questions(v), strict=True):
        _check_item(item, q)
        assert shown(item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")) == HOSTILE
    num, pick, several, _ = items
    assert [shown(t) for _, t in choices(several)] == [
        "RIGHT " + HOSTILE, "WRONG " + HOSTILE, "ALSO " + HOSTILE,
    ]  # fmt: skip
    score, fb = respond(pick, {choices(pick)[1][0]})
    assert score == 0 and [shown(t) for t in fb] == ["EXPLAIN " + HOSTILE, "WHY " + HOSTILE]
    score, fb = respond(num, 0.5)
    assert score == 0 and shown(fb[-1]) == f"If you answered 0.5: WRONG {HOSTILE}"
    text = ET.tostring(doc, encoding="unicode")
    assert "NOT-FOR-RIGHT" not in text and "MODEL-ANSWER" not in text
