"""Reading a Canvas QTI zip as Canvas does: its layout, each item's structure, and what a
response scores and which feedback it shows (QTI 1.2 response processing)."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
CANVAS = "{http://canvas.instructure.com/xsd/cccv1p0}"


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def layout(files: dict[str, bytes]) -> set[tuple]:
    """The manifest's resources, identifiers replaced by their role, checked against the zip."""
    manifest = ET.fromstring(files["imsmanifest.xml"])
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
    shapes = set()
    for r in resources.values():
        hrefs = [f.get("href") for f in r.iter(f"{CP}file")]
        assert all(h in files for h in hrefs), hrefs
        deps = [resources[d.get("identifierref")].get("type") for d in r.iter(f"{CP}dependency")]
        names = tuple(_shape(h) for h in hrefs)
        shapes.add((r.get("type"), names, tuple(deps)))
    return shapes


def _shape(href: str) -> str:
    """A path with the assessment identifier replaced: ID/ID.xml, ID/assessment_meta.xml."""
    folder, _, name = href.partition("/")
    if name == f"{folder}.xml":
        return "ID/ID.xml"
    return f"ID/{name}" if name else href


def assessments(files: dict[str, bytes]) -> list[ET.Element]:
    return [
        ET.fromstring(data)
        for name, data in sorted(files.items())
        if re.fullmatch(r"([^/]+)/\1\.xml", name)
    ]


def question_type(item: ET.Element) -> str:
    for f in item.iter(f"{QTI}qtimetadatafield"):
        if f.findtext(f"{QTI}fieldlabel") == "question_type":
            return f.findtext(f"{QTI}fieldentry")
    raise AssertionError("item without question_type")


def paths(el: ET.Element, prefix: str = "") -> set[str]:
    """Every element path below ``el``, namespaces dropped."""
    out = set()
    for child in el:
        path = f"{prefix}/{child.tag.split('}')[-1]}"
        out |= {path} | paths(child, path)
    return out


def _holds(cond: ET.Element, response: set[str] | float) -> bool:
    tag = cond.tag.split("}")[-1]
    if tag in {"conditionvar", "and"}:
        return all(_holds(c, response) for c in cond)
    if tag == "or":
        return any(_holds(c, response) for c in cond)
    if tag == "not":
        return not _holds(cond[0], response)
    if tag == "other":
        return True
    if isinstance(response, set):
        assert tag == "varequal", tag
        return cond.text in response
    value = float(cond.text)
    return {"varequal": response == value, "vargte": response >= value,
            "varlte": response <= value}[tag]  # fmt: skip


def respond(item: ET.Element, response: set[str] | float) -> tuple[float, list[str]]:
    """The SCORE a response gets and the feedback texts (HTML) it is shown, in order."""
    score, shown = 0.0, []
    for rc in item.iterfind(f"{QTI}resprocessing/{QTI}respcondition"):
        if not _holds(rc.find(f"{QTI}conditionvar"), response):
            continue
        for setvar in rc.iterfind(f"{QTI}setvar"):
            score = float(setvar.text)
        shown += [d.get("linkrefid") for d in rc.iterfind(f"{QTI}displayfeedback")]
        if rc.get("continue") == "No":
            break
    texts = {fb.get("ident"): fb for fb in item.iterfind(f"{QTI}itemfeedback")}
    return score, [texts[ident].findtext(f".//{QTI}mattext") for ident in shown]


def choices(item: ET.Element) -> list[tuple[str, str]]:
    """(ident, text) of each option shown."""
    return [
        (label.get("ident"), label.findtext(f".//{QTI}mattext"))
        for label in item.iterfind(f".//{QTI}render_choice/{QTI}response_label")
    ]
