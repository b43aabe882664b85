"""Exports parse: GIFT by a small parser here, Moodle XML and QTI as XML with their structure."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

import pytest

from grader.quizzes import export, variants

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def _split_unescaped(text: str, seps: str) -> list[str]:
    """Split at separator characters not preceded by a backslash, keeping the separator."""
    parts, cur, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur += text[i : i + 2]
            i += 2
            continue
        if ch in seps:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
        i += 1
    parts.append(cur)
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def parse_gift(text: str) -> dict[str, dict]:
    """A small GIFT reader: title, kind, answers (value, tolerance, fraction, feedback)."""
    out: dict[str, dict] = {}
    category = None
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        if block.startswith("$CATEGORY:"):
            category = block.split(":", 1)[1].strip()
            continue
        m = re.match(r"^::(?P<title>(?:\\.|[^:])*)::(?P<body>.*)$", block, re.S)
        assert m, block
        title, body = _unescape(m["title"]), m["body"]
        opened = re.search(r"(?<!\\)\{", body)
        closed = [x.start() for x in re.finditer(r"(?<!\\)\}", body)]
        assert opened and closed, block
        answer = body[opened.end() : closed[-1]]
        answer = re.split(r"(?<!\\)####", answer)[0]
        q: dict = {"category": category, "text": _unescape(body[: opened.start()]), "answers": []}
        if answer.startswith("#"):
            q["kind"] = "numerical"
            for part in _split_unescaped(answer[1:], "=")[1:]:
                fraction = 100.0
                body_ = part[1:]
                pm = re.match(r"%(-?[\d.]+)%", body_)
                if pm:
                    fraction, body_ = float(pm[1]), body_[pm.end() :]
                value, _, feedback = body_.partition("#")
                v, _, tol = value.strip().partition(":")
                q["answers"].append((float(v), float(tol), fraction, _unescape(feedback)))
        elif not answer.strip():
            q["kind"] = "essay"
        else:
            q["kind"] = "choice"
            for part in _split_unescaped(answer.strip(), "=~")[1:]:
                mark, body_ = part[0], part[1:]
                fraction = 100.0 if mark == "=" else 0.0
                pm = re.match(r"%(-?[\d.]+)%", body_)
                if pm:
                    fraction, body_ = float(pm[1]), body_[pm.end() :]
                text_, _, feedback = body_.partition("#")
                q["answers"].append((_unescape(text_), fraction, _unescape(feedback)))
        out[title] = q
    return out


@pytest.fixture(scope="module")
def shared(quizzes):
    return {qid: variants.build(q) for qid, q in quizzes.items()}


def test_gift_round_trip_keeps_answers_and_tolerances(shared) -> None:
    for v in shared.values():
        parsed = parse_gift(export.to_gift([v]))
        for item in v.items:
            if item.kind == "numeric":
                right, *wrong = parsed[item.id]["answers"]
                assert right[0] == pytest.approx(item.answer, rel=1e-9, abs=1e-12)
                assert right[1] == pytest.approx(item.tolerance.width(item.answer))
                assert [w[0] for w in wrong] == pytest.approx([w.value for w in item.wrong_answers])
                assert all(w[2] == 0 for w in wrong)
            elif item.kind == "trace":
                for i, value in enumerate(item.answer):
                    q = parsed[f"{item.id}_{i + 1}"]
                    assert q["kind"] == "numerical"
                    assert q["answers"][0][0] == pytest.approx(value, abs=1e-9)
            elif item.kind in {"multiple_choice", "multiple_select"}:
                answers = parsed[item.id]["answers"]
                assert [a[0] for a in answers] == [o.text for o in item.options]
                good = [a[0] for a in answers if a[1] > 0]
                assert good == [o.text for o in item.options if o.correct]
                if item.kind == "multiple_select":
                    assert sum(a[1] for a in answers if a[1] > 0) == pytest.approx(100)
            else:
                assert parsed[item.id]["kind"] == "essay"


def test_gift_escapes_special_characters() -> None:
    assert export.gift_escape("a = b: {c} ~ #d") == "a \\= b\\: \\{c\\} \\~ \\#d"


def test_gift_per_student_categories(quizzes) -> None:
    vs = [variants.build(quizzes["gd_basics"], s) for s in ("ana", "ben")]
    parsed = parse_gift(export.to_gift(vs))
    assert parsed["update_one_weight [ana]"]["category"].endswith("gd_basics/ana")
    assert parsed["update_one_weight [ben]"]["category"].endswith("gd_basics/ben")


def test_moodle_xml_structure(shared, quizzes) -> None:
    v = shared["gd_basics"]
    root = ET.fromstring(export.to_moodle_xml([v]))
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    by_name = {q.findtext("name/text"): q for q in questions[1:]}
    for item in v.items:
        if item.kind == "numeric":
            q = by_name[item.id]
            assert q.get("type") == "numerical"
            first = q.find("answer")
            assert first.get("fraction") == "100"
            assert float(first.findtext("text")) == pytest.approx(item.answer)
            assert float(first.findtext("tolerance")) == pytest.approx(
                item.tolerance.width(item.answer)
            )
            assert q.findtext("questiontext/text")
        if item.kind == "multiple_choice":
            q = by_name[item.id]
            assert q.get("type") == "multichoice" and q.findtext("single") == "true"
            fr = [a.get("fraction") for a in q.findall("answer")]
            assert fr.count("100") == 1
    essay = ET.fromstring(export.to_moodle_xml([shared["exit_ticket"]]))
    assert any(q.get("type") == "essay" for q in essay.findall("question"))


def test_qti_zip_has_manifest_and_assessments(quizzes) -> None:
    vs = [variants.build(quizzes["exit_ticket"], s) for s in ("ana", "ben")]
    with zipfile.ZipFile(io.BytesIO(export.to_qti_zip(vs))) as zf:
        names = zf.namelist()
        assert "imsmanifest.xml" in names
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        hrefs = [f.get("href") for f in manifest.iter(f"{CP}file")]
        assert len(hrefs) == 2 and all(h in names for h in hrefs)
        for res in manifest.iter(f"{CP}resource"):
            assert res.get("type") == "imsqti_xmlv1p2"
        doc = ET.fromstring(zf.read(hrefs[0]))
    assert doc.tag == f"{QTI}questestinterop"
    items = list(doc.iter(f"{QTI}item"))
    types = {
        f.findtext(f"{QTI}fieldentry")
        for i in items for f in i.iter(f"{QTI}qtimetadatafield")
        if f.findtext(f"{QTI}fieldlabel") == "question_type"
    }  # fmt: skip
    assert {"essay_question", "multiple_choice_question", "numerical_question"} <= types
    trace = vs[0].items[3]
    first = next(i for i in items if i.get("title") == f"{trace.id}_1 [ana]")
    lo = float(first.find(f".//{QTI}vargte").text)
    hi = float(first.find(f".//{QTI}varlte").text)
    assert lo <= trace.answer[0] <= hi
