"""The Canvas QTI 1.2 zip: per variant an assessment and its ``assessment_meta.xml``, and a
manifest whose QTI resource depends on the meta resource, as Canvas's own exports lay it out."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

from grader.quizzes.lms_question import html_text, questions, slug, total
from grader.quizzes.qti import qti_item
from grader.quizzes.variants import SHARED, QuizVariant

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
META_RESOURCE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _title(variant: QuizVariant) -> str:
    return variant.title + ("" if variant.student == SHARED else f" [{variant.student}]")


def qti_assessment(variant: QuizVariant, ident: str) -> str:
    """One QTI 1.2 assessment document for one variant."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = ET.SubElement(root, "assessment", {"ident": ident, "title": _title(variant)})
    field = ET.SubElement(ET.SubElement(assessment, "qtimetadata"), "qtimetadatafield")
    ET.SubElement(field, "fieldlabel").text = "cc_maxattempts"
    ET.SubElement(field, "fieldentry").text = "1"
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for i, q in enumerate(questions(variant)):
        qti_item(section, q, f"{ident}_q{i + 1}")
    return _xml(root)


def assessment_meta(variant: QuizVariant, ident: str) -> str:
    """Canvas's quiz settings for one variant (title, description, points, an assignment)."""
    points = format(total(questions(variant)).normalize(), "f")  # exactly the items' sum
    quiz = ET.Element("quiz", {"identifier": ident, "xmlns": CANVAS_NS})
    settings = [
        ("title", _title(variant)),
        ("description", html_text(variant.description)),
        ("shuffle_answers", "false"),
        ("scoring_policy", "keep_highest"),
        ("quiz_type", "assignment"),
        ("points_possible", points),
        ("show_correct_answers", "true"),
        ("allowed_attempts", "1"),
        ("one_question_at_a_time", "false"),
        ("cant_go_back", "false"),
        ("available", "false"),
    ]
    for tag, value in settings:
        ET.SubElement(quiz, tag).text = value
    assignment = ET.SubElement(quiz, "assignment", {"identifier": f"{ident}_assignment"})
    for tag, value in [
        ("title", _title(variant)),
        ("workflow_state", "unpublished"),
        ("quiz_identifierref", ident),
        ("points_possible", points),
        ("grading_type", "points"),
        ("submission_types", "online_quiz"),
    ]:
        ET.SubElement(assignment, tag).text = value
    ET.SubElement(quiz, "assignment_group_identifierref").text = "gdgrade_quizzes"
    return _xml(quiz)


def manifest(quiz_id: str, idents: list[str]) -> str:
    """imsmanifest.xml: per assessment a QTI resource that depends on its meta resource."""
    root = ET.Element("manifest", {"identifier": f"gdgrade_{quiz_id}", "xmlns": CP_NS})
    meta = ET.SubElement(root, "metadata")
    ET.SubElement(meta, "schema").text = "IMS Content"
    ET.SubElement(meta, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for ident in idents:
        qti = ET.SubElement(resources, "resource", {"identifier": ident, "type": "imsqti_xmlv1p2"})
        ET.SubElement(qti, "file", {"href": f"{ident}/{ident}.xml"})
        ET.SubElement(qti, "dependency", {"identifierref": f"{ident}_meta"})
        href = f"{ident}/assessment_meta.xml"
        res = ET.SubElement(
            resources,
            "resource",
            {"identifier": f"{ident}_meta", "type": META_RESOURCE, "href": href},
        )
        ET.SubElement(res, "file", {"href": href})
    return _xml(root)


def to_qti_zip(variants: list[QuizVariant]) -> bytes:
    """A Canvas-importable zip: imsmanifest.xml, and per variant a folder with the assessment
    (<ident>/<ident>.xml) and its assessment_meta.xml."""
    idents = [re.sub(r"[^A-Za-z0-9_.-]", "_", f"{v.quiz_id}_{slug(v.student)}") for v in variants]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest(variants[0].quiz_id, idents))
        for v, ident in zip(variants, idents, strict=True):
            zf.writestr(f"{ident}/{ident}.xml", qti_assessment(v, ident))
            zf.writestr(f"{ident}/assessment_meta.xml", assessment_meta(v, ident))
    return buf.getvalue()
