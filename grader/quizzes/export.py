"""LMS exports of quiz variants: Moodle GIFT, Moodle XML, and Canvas QTI 1.2 (a zip).

Every variant is first flattened into ``Question``s an LMS can grade: a trace becomes one
numerical question per iterate, a short answer an essay (rubric in the grader notes).
Numeric tolerances carry over as absolute half-widths, max(atol, rtol * |answer|), and the
common wrong answers as 0-credit answers with their feedback.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Literal
from xml.etree import ElementTree as ET

from grader.quizzes.variants import SHARED, ItemVariant, QuizVariant

FORMATS = ("gift", "moodle-xml", "qti")


@dataclass
class Question:
    """One LMS question."""

    name: str
    kind: Literal["numerical", "single", "multiple", "essay"]
    text: str
    points: float
    answer: float = 0.0
    width: float = 0.0
    wrong: list[tuple[float, str]] = field(default_factory=list)
    options: list[tuple[str, str, bool, str]] = field(default_factory=list)  # key, text, ok, fb
    general: str = ""


def num(value: float) -> str:
    """A number as exported: up to 10 significant digits, no float noise."""
    text = f"{value:.10g}"
    return "0" if text == "-0" else text


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
        tol = item.tolerance
        assert tol is not None and isinstance(item.answer, float)
        wrong = [(float(w.value), w.feedback.strip()) for w in item.wrong_answers]  # type: ignore[arg-type]
        return [
            Question(
                item.id + tag,
                "numerical",
                text + (f" ({item.unit})" if item.unit else ""),
                item.points,
                item.answer,
                tol.width(item.answer),
                wrong,
                general=expl,
            )
        ]
    if item.kind == "trace":
        tol = item.tolerance
        assert tol is not None and isinstance(item.answer, list)
        k = len(item.answer)
        qs = []
        for i, value in enumerate(item.answer):
            wrong = [
                (w.value[i], w.feedback.strip())
                for w in item.wrong_answers
                if isinstance(w.value, list) and not tol.accepts(value, w.value[i])
            ]
            qs.append(
                Question(
                    f"{item.id}_{i + 1}{tag}",
                    "numerical",
                    f"{text} Enter {item.variable}_{i + 1}.",
                    item.points / k,
                    float(value),
                    tol.width(float(value)),
                    wrong,
                    general=expl,
                )
            )
        return qs
    if item.kind in {"multiple_choice", "multiple_select"}:
        kind = "single" if item.kind == "multiple_choice" else "multiple"
        opts = [(o.key, o.text, o.correct, o.feedback.strip()) for o in item.options]
        return [Question(item.id + tag, kind, text, item.points, options=opts, general=expl)]  # type: ignore[arg-type]
    rubric = "; ".join(p.description for p in item.rubric)
    general = f"Model answer: {item.answer} Rubric: {rubric}."
    return [Question(item.id + tag, "essay", text, item.points, general=general)]


# --- GIFT -----------------------------------------------------------------------------------


def gift_escape(text: str) -> str:
    """Escape GIFT's special characters ~ = # { } : and backslash; newlines to spaces."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def _gift_question(q: Question) -> str:
    e = gift_escape
    head = f"::{e(q.name)}::{e(q.text)} "
    if q.kind == "numerical":
        parts = [f"={num(q.answer)}:{num(q.width)}#Correct."]
        parts += [f"=%0%{num(v)}:{num(q.width)}#{e(fb)}" for v, fb in q.wrong]
        body = "{#\n\t" + "\n\t".join(parts) + "\n"
    elif q.kind == "essay":
        body = "{\n"
    else:
        n_ok = sum(o[2] for o in q.options)
        lines = []
        for _key, text, ok, fb in q.options:
            if q.kind == "single":
                mark = "=" if ok else "~"
            else:
                mark = f"~%{num(100 / n_ok)}%" if ok else f"~%-{num(100 / n_ok)}%"
            lines.append(f"{mark}{e(text)}" + (f"#{e(fb)}" if fb else ""))
        body = "{\n\t" + "\n\t".join(lines) + "\n"
    general = f"\t####{e(q.general)}\n" if q.general else ""
    return head + body + general + "}"


def to_gift(variants: list[QuizVariant]) -> str:
    """Moodle GIFT text: a $CATEGORY per variant, one question per block."""
    blocks = []
    for v in variants:
        blocks.append(f"$CATEGORY: $course$/gdgrade/{v.quiz_id}/{_slug(v.student)}")
        blocks += [_gift_question(q) for q in questions(v)]
    return "\n\n".join(blocks) + "\n"


def _slug(student: str) -> str:
    return "shared" if student == SHARED else student


# --- Moodle XML -----------------------------------------------------------------------------


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = value
    return el


def _moodle_question(root: ET.Element, q: Question) -> None:
    qtype = {"numerical": "numerical", "essay": "essay"}.get(q.kind, "multichoice")
    el = ET.SubElement(root, "question", {"type": qtype})
    _text(el, "name", q.name, None)
    _text(el, "questiontext", q.text)
    _text(el, "generalfeedback", q.general)
    ET.SubElement(el, "defaultgrade").text = num(q.points)
    if q.kind == "numerical":
        for fraction, value, fb in [
            ("100", q.answer, "Correct."),
            *(("0", v, f) for v, f in q.wrong),
        ]:
            ans = ET.SubElement(el, "answer", {"fraction": fraction})
            ET.SubElement(ans, "text").text = num(value)
            ET.SubElement(ans, "tolerance").text = num(q.width)
            _text(ans, "feedback", fb)
    elif q.kind == "essay":
        ET.SubElement(el, "responseformat").text = "editor"
        _text(el, "graderinfo", q.general)
    else:
        ET.SubElement(el, "single").text = "true" if q.kind == "single" else "false"
        ET.SubElement(el, "shuffleanswers").text = "0"
        ET.SubElement(el, "answernumbering").text = "ABCD"
        n_ok = sum(o[2] for o in q.options)
        for _key, text, ok, fb in q.options:
            share = 100 / n_ok if q.kind == "multiple" else 100
            fraction = num(share if ok else (-share if q.kind == "multiple" else 0))
            ans = ET.SubElement(el, "answer", {"fraction": fraction, "format": "html"})
            ET.SubElement(ans, "text").text = text
            _text(ans, "feedback", fb)


def to_moodle_xml(variants: list[QuizVariant]) -> str:
    """Moodle XML: <quiz> with a category question per variant, then its questions."""
    root = ET.Element("quiz")
    for v in variants:
        cat = ET.SubElement(root, "question", {"type": "category"})
        _text(cat, "category", f"$course$/gdgrade/{v.quiz_id}/{_slug(v.student)}", None)
        for q in questions(v):
            _moodle_question(root, q)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- Canvas QTI 1.2 -------------------------------------------------------------------------

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
QTI_TYPES = {
    "numerical": "numerical_question",
    "single": "multiple_choice_question",
    "multiple": "multiple_answers_question",
    "essay": "essay_question",
}


def _meta(item: ET.Element, fields: dict[str, str]) -> None:
    meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        f = ET.SubElement(meta, "qtimetadatafield")
        ET.SubElement(f, "fieldlabel").text = label
        ET.SubElement(f, "fieldentry").text = entry


def _qti_item(section: ET.Element, q: Question, ident: str) -> None:
    item = ET.SubElement(section, "item", {"ident": ident, "title": q.name})
    _meta(item, {"question_type": QTI_TYPES[q.kind], "points_possible": num(q.points)})
    pres = ET.SubElement(item, "presentation")
    ET.SubElement(
        ET.SubElement(pres, "material"), "mattext", {"texttype": "text/plain"}
    ).text = q.text
    proc = ET.SubElement(item, "resprocessing")
    ET.SubElement(
        ET.SubElement(proc, "outcomes"),
        "decvar",
        {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"},
    )
    if q.kind in {"numerical", "essay"}:
        resp = ET.SubElement(pres, "response_str", {"ident": "response1", "rcardinality": "Single"})
        fib = ET.SubElement(
            resp, "render_fib", {"fibtype": "Decimal"} if q.kind == "numerical" else {}
        )
        ET.SubElement(fib, "response_label", {"ident": "answer1", "rshuffle": "No"})
        if q.kind == "essay":
            return
        rc = ET.SubElement(proc, "respcondition", {"continue": "No"})
        cond = ET.SubElement(rc, "conditionvar")
        either = ET.SubElement(cond, "or")
        ET.SubElement(either, "varequal", {"respident": "response1"}).text = num(q.answer)
        both = ET.SubElement(either, "and")
        ET.SubElement(both, "vargte", {"respident": "response1"}).text = num(q.answer - q.width)
        ET.SubElement(both, "varlte", {"respident": "response1"}).text = num(q.answer + q.width)
        ET.SubElement(rc, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
        return
    card = "Single" if q.kind == "single" else "Multiple"
    resp = ET.SubElement(pres, "response_lid", {"ident": "response1", "rcardinality": card})
    choice = ET.SubElement(resp, "render_choice")
    for key, text, _ok, _fb in q.options:
        label = ET.SubElement(choice, "response_label", {"ident": key})
        ET.SubElement(
            ET.SubElement(label, "material"), "mattext", {"texttype": "text/plain"}
        ).text = text
    cond_el = ET.SubElement(proc, "respcondition", {"continue": "No"})
    cond = ET.SubElement(cond_el, "conditionvar")
    target = cond if q.kind == "single" else ET.SubElement(cond, "and")
    for key, _, ok, _ in q.options:
        if ok or q.kind == "multiple":
            parent = target if ok else ET.SubElement(target, "not")
            ET.SubElement(parent, "varequal", {"respident": "response1"}).text = key
    ET.SubElement(cond_el, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"


def qti_assessment(variant: QuizVariant, ident: str) -> str:
    """One QTI 1.2 assessment document for one variant."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    title = variant.title + ("" if variant.student == SHARED else f" [{variant.student}]")
    assessment = ET.SubElement(root, "assessment", {"ident": ident, "title": title})
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for i, q in enumerate(questions(variant)):
        _qti_item(section, q, f"{ident}_q{i + 1}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_qti_zip(variants: list[QuizVariant]) -> bytes:
    """A Canvas-importable zip: imsmanifest.xml plus one assessment XML per variant."""
    files: dict[str, str] = {}
    manifest = ET.Element(
        "manifest", {"identifier": f"gdgrade_{variants[0].quiz_id}", "xmlns": CP_NS}
    )
    meta = ET.SubElement(manifest, "metadata")
    ET.SubElement(meta, "schema").text = "IMS Content"
    ET.SubElement(meta, "schemaversion").text = "1.1.3"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    for v in variants:
        ident = f"{v.quiz_id}_{_slug(v.student)}".replace(" ", "_")
        href = f"{ident}/{ident}.xml"
        files[href] = qti_assessment(v, ident)
        res = ET.SubElement(
            resources,
            "resource",
            {"identifier": f"res_{ident}", "type": "imsqti_xmlv1p2", "href": href},
        )
        ET.SubElement(res, "file", {"href": href})
    ET.indent(manifest)
    files["imsmanifest.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(manifest, encoding="unicode")
        + "\n"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", files.pop("imsmanifest.xml"))
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()
