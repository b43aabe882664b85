"""Every instruction in a shipped notebook that points at a cell points at one that exists
(issue 15: "explain in the next markdown cell" where there was none).

Each sentence of a markdown cell that mentions a cell must match one of the forms below,
and the cell it names must be there, of the kind it says; a sentence in a new form fails
until a form is added here.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from grader.paths import COURSE_SOURCE

from .conftest import ASSIGNMENTS

SENTENCE = re.compile(r"[^.!?]*\bcells?\b[^.!?]*[.!?]?", re.S | re.I)


def role(cell: nbformat.NotebookNode) -> str:
    """ "answer", "test", "given" (locked, not graded) or "plain" (no nbgrader metadata)."""
    meta = cell.metadata.get("nbgrader") or {}
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "test"
    return "given" if meta.get("locked") else "plain"


def points_at(sentence: str, cells: list, index: int) -> bool:
    """Whether the cell ``sentence`` (in cell ``index``) names exists as it says; raises
    for a form this test does not know."""
    text = " ".join(sentence.split()).lower()
    later = cells[index + 1 :]
    if m := re.search(r"next (markdown|code)? ?cell", text):
        if not later:
            return False
        kind = m.group(1)
        nxt = later[0] if kind is None else next((c for c in later if c.cell_type == kind), None)
        if nxt is None:
            return False
        if "is given" in text:
            return role(nxt) == "given"
        if re.search(r"\b(explain|write|answer)\b", text):
            return role(nxt) == "answer"
        return True
    if m := re.search(r"your (\w+) cell", text):
        return any(
            role(c) == "answer" and m.group(1) in (c.metadata["nbgrader"].get("grade_id") or "")
            for c in later
        )
    if m := re.search(r"cells that say \W*([\w-]+)", text):
        return any(role(c) == "test" and m.group(1) in c.source.lower() for c in cells)
    if "test cell" in text:
        return any(role(c) == "test" for c in cells)
    raise AssertionError(f"a sentence this test cannot resolve: {sentence!r}")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_cell_an_instruction_names_exists(assignment: str) -> None:
    (path,) = (COURSE_SOURCE / "source" / assignment).glob("*.ipynb")
    cells = nbformat.read(path, as_version=4).cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            for sentence in SENTENCE.findall(cell.source):
                assert points_at(sentence, cells, i), (assignment, i, sentence)


def test_the_forms_tell_a_missing_cell() -> None:
    """The resolver itself: the issue's broken instruction fails, a good one passes."""
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    answer = code("x = 1", metadata={"nbgrader": {"solution": True, "grade_id": "plot"}})
    broken = [md("Explain in the next markdown cell why."), code("pass")]
    assert not points_at("Explain in the next markdown cell why.", broken, 0)
    good = [md("Say in a comment of your plot cell why."), answer]
    assert points_at("Say in a comment of your plot cell why.", good, 0)
    assert not points_at("Say in a comment of your loss cell why.", good, 0)
    with pytest.raises(AssertionError, match="cannot resolve"):
        points_at("Run every cell twice.", good, 0)
