"""Canvas-flavoured QTI 1.2 items: HTML texts, scoring, and item feedback as Canvas imports it.

Feedback: ``general_fb`` (the worked reasoning, shown after any answer), ``<choice>_fb`` for
each wrong option, and for numerical questions ``general_incorrect_fb`` naming the common
wrong values (Canvas numerical answers are all correct answers, so a 0-credit answer with
its own feedback cannot be expressed).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from grader.quizzes.lms_question import Question, decimal, html_text

QTI_TYPES = {
    "numerical": "numerical_question",
    "single": "multiple_choice_question",
    "multiple": "multiple_answers_question",
    "essay": "essay_question",
}


def _mattext(parent: ET.Element, text: str) -> None:
    material = ET.SubElement(parent, "material")
    ET.SubElement(material, "mattext", {"texttype": "text/html"}).text = html_text(text)


def _meta(item: ET.Element, fields: dict[str, str]) -> None:
    meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        f = ET.SubElement(meta, "qtimetadatafield")
        ET.SubElement(f, "fieldlabel").text = label
        ET.SubElement(f, "fieldentry").text = entry


def _show(proc: ET.Element, feedback: str, cond: str | None = None) -> None:
    """A respcondition that shows ``feedback`` for choice ``cond`` (any response if None)."""
    rc = ET.SubElement(proc, "respcondition", {"continue": "Yes"})
    var = ET.SubElement(rc, "conditionvar")
    if cond is None:
        ET.SubElement(var, "other")
    else:
        ET.SubElement(var, "varequal", {"respident": "response1"}).text = cond
    ET.SubElement(rc, "displayfeedback", {"feedbacktype": "Response", "linkrefid": feedback})


def _score(proc: ET.Element) -> ET.Element:
    """The condition that gives full marks; returns its conditionvar to fill."""
    rc = ET.SubElement(proc, "respcondition", {"continue": "No"})
    var = ET.SubElement(rc, "conditionvar")
    ET.SubElement(rc, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
    return var


def _numerical(pres: ET.Element, proc: ET.Element, q: Question) -> None:
    resp = ET.SubElement(pres, "response_str", {"ident": "response1", "rcardinality": "Single"})
    fib = ET.SubElement(resp, "render_fib", {"fibtype": "Decimal"})
    ET.SubElement(fib, "response_label", {"ident": "answer1"})
    either = ET.SubElement(_score(proc), "or")
    ET.SubElement(either, "varequal", {"respident": "response1"}).text = decimal(q.answer)
    both = ET.SubElement(either, "and")
    ET.SubElement(both, "vargte", {"respident": "response1"}).text = decimal(q.answer - q.width)
    ET.SubElement(both, "varlte", {"respident": "response1"}).text = decimal(q.answer + q.width)


def _choices(pres: ET.Element, proc: ET.Element, q: Question, ident: str) -> None:
    card = "Single" if q.kind == "single" else "Multiple"
    resp = ET.SubElement(pres, "response_lid", {"ident": "response1", "rcardinality": card})
    render = ET.SubElement(resp, "render_choice")
    for c in q.choices:
        label = ET.SubElement(render, "response_label", {"ident": f"{ident}_{c.key}"})
        _mattext(label, c.text)
    for c in q.choices:
        if c.feedback:
            _show(proc, f"{ident}_{c.key}_fb", f"{ident}_{c.key}")
    var = _score(proc)
    target = var if q.kind == "single" else ET.SubElement(var, "and")
    for c in q.choices:
        if c.correct or q.kind == "multiple":
            parent = target if c.correct else ET.SubElement(target, "not")
            ET.SubElement(parent, "varequal", {"respident": "response1"}).text = f"{ident}_{c.key}"


def _feedback(item: ET.Element, ident: str, text: str) -> None:
    fb = ET.SubElement(item, "itemfeedback", {"ident": ident})
    _mattext(ET.SubElement(fb, "flow_mat"), text)


def wrong_values_text(q: Question) -> str:
    """The common wrong values of a numerical question and why each is wrong, one per line."""
    return "\n".join(f"If you answered {decimal(v)}: {fb}" for v, fb in q.wrong if fb)


def qti_item(section: ET.Element, q: Question, ident: str) -> None:
    """Append one Canvas QTI <item> for ``q`` to ``section``."""
    item = ET.SubElement(section, "item", {"ident": ident, "title": q.name})
    answer_ids = ",".join(f"{ident}_{c.key}" for c in q.choices)
    _meta(
        item,
        {
            "question_type": QTI_TYPES[q.kind],
            "points_possible": decimal(q.points),
            "original_answer_ids": answer_ids,
            "assessment_question_identifierref": f"{ident}_ref",
        },
    )
    pres = ET.SubElement(item, "presentation")
    _mattext(pres, q.text)
    proc = ET.SubElement(item, "resprocessing")
    ET.SubElement(
        ET.SubElement(proc, "outcomes"),
        "decvar",
        {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"},
    )
    if q.general:
        _show(proc, "general_fb")
    incorrect = wrong_values_text(q) if q.kind == "numerical" else ""
    if q.kind == "numerical":
        _numerical(pres, proc, q)
    elif q.kind == "essay":
        resp = ET.SubElement(pres, "response_str", {"ident": "response1", "rcardinality": "Single"})
        fib = ET.SubElement(resp, "render_fib")
        ET.SubElement(fib, "response_label", {"ident": "answer1", "rshuffle": "No"})
        rc = ET.SubElement(proc, "respcondition", {"continue": "No"})
        ET.SubElement(ET.SubElement(rc, "conditionvar"), "other")
    else:
        _choices(pres, proc, q, ident)
    if incorrect:
        _show(proc, "general_incorrect_fb")
    if q.general:
        _feedback(item, "general_fb", q.general)
    if incorrect:
        _feedback(item, "general_incorrect_fb", incorrect)
    for c in q.choices:
        if c.feedback:
            _feedback(item, f"{ident}_{c.key}_fb", c.feedback)
