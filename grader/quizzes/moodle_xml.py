"""Moodle XML export: <quiz> with a category question per variant, then its questions.

Every text is HTML (format="html"), escaped so that it shows literally. The general feedback
is the worked reasoning students may see; an essay's model answer and rubric go to
``graderinfo``, which Moodle shows to graders only.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from grader.quizzes.lms_question import Question, decimal, html_text, questions, slug
from grader.quizzes.variants import QuizVariant

QTYPES = {"numerical": "numerical", "essay": "essay", "single": "multichoice"}


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> ET.Element:
    """<tag format=..><text>value</text></tag>; an HTML text is escaped plain text."""
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = html_text(value) if fmt == "html" else value
    return el


def _numerical(el: ET.Element, q: Question) -> None:
    for fraction, value, fb in [("100", q.answer, "Correct."), *(("0", v, f) for v, f in q.wrong)]:
        ans = ET.SubElement(el, "answer", {"fraction": fraction, "format": "moodle_auto_format"})
        ET.SubElement(ans, "text").text = decimal(value)
        ET.SubElement(ans, "tolerance").text = decimal(q.width)
        _text(ans, "feedback", fb)


def _essay(el: ET.Element, q: Question) -> None:
    for tag, value in [
        ("responseformat", "editor"),
        ("responserequired", "1"),
        ("responsefieldlines", "5"),
        ("attachments", "0"),
        ("attachmentsrequired", "0"),
    ]:
        ET.SubElement(el, tag).text = value
    _text(el, "graderinfo", q.grader_info)
    _text(el, "responsetemplate", "")


def _multichoice(el: ET.Element, q: Question) -> None:
    ET.SubElement(el, "single").text = "true" if q.kind == "single" else "false"
    ET.SubElement(el, "shuffleanswers").text = "0"
    ET.SubElement(el, "answernumbering").text = "ABCD"
    share = 100 / sum(c.correct for c in q.choices) if q.kind == "multiple" else 100
    for c in q.choices:
        fraction = share if c.correct else (-share if q.kind == "multiple" else 0)
        ans = ET.SubElement(el, "answer", {"fraction": decimal(fraction), "format": "html"})
        ET.SubElement(ans, "text").text = html_text(c.text)
        _text(ans, "feedback", c.feedback)


def moodle_question(root: ET.Element, q: Question) -> None:
    """Append one <question> to ``root``."""
    el = ET.SubElement(root, "question", {"type": QTYPES.get(q.kind, "multichoice")})
    _text(el, "name", q.name, None)
    _text(el, "questiontext", q.text)
    _text(el, "generalfeedback", q.general)
    ET.SubElement(el, "defaultgrade").text = decimal(q.points)
    ET.SubElement(el, "hidden").text = "0"
    if q.kind == "numerical":
        _numerical(el, q)
    elif q.kind == "essay":
        _essay(el, q)
    else:
        _multichoice(el, q)


def to_moodle_xml(variants: list[QuizVariant]) -> str:
    """Moodle XML: <quiz> with a category question per variant, then its questions."""
    root = ET.Element("quiz")
    for v in variants:
        cat = ET.SubElement(root, "question", {"type": "category"})
        _text(cat, "category", f"$course$/gdgrade/{v.quiz_id}/{slug(v.student)}", None)
        for q in questions(v):
            moodle_question(root, q)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
