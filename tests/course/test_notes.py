"""Every course-notes file that a notebook or a quiz item cites ships with the course.

Citations are found here independently of the release code: any ``<name>.md`` in any cell
of a notebook, and each quiz item's ``source``. The notes live in ``assignments/notes/``;
a release puts the ones a notebook cites beside it; the wheel carries them with the course.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from grader.paths import COURSE_SOURCE, QUIZ_DIR
from grader.quizzes.models import NOTES_FILES

from .conftest import ASSIGNMENTS

NAME = re.compile(r"[\w.-]+\.md\b")
NOTES = COURSE_SOURCE / "notes"


def cited(notebook: Path) -> set[str]:
    """Every ``*.md`` name in the notebook's cells."""
    cells = nbformat.read(notebook, as_version=4).cells
    return {name for cell in cells for name in NAME.findall(cell.source)}


def quiz_citations() -> set[str]:
    found = set()
    for bank in QUIZ_DIR.glob("*.yaml"):
        for item in yaml.safe_load(bank.read_text())["items"]:
            found.add(item["source"].split("#")[0])
    return found


def test_every_cited_notes_file_is_in_the_course() -> None:
    from_notebooks = {n for a in ASSIGNMENTS for nb in (COURSE_SOURCE / "source" / a).glob(
        "*.ipynb") for n in cited(nb)}  # fmt: skip
    from_quizzes = quiz_citations()
    assert from_notebooks and from_quizzes
    shipped = {p.name for p in NOTES.glob("*.md")}
    assert from_notebooks | from_quizzes | set(NOTES_FILES) <= shipped
    for name in shipped:  # real notes, not stubs
        text = (NOTES / name).read_text(encoding="utf-8")
        assert len(text) > 2000 and re.search(r"^#+ ", text, re.M), name


def test_a_release_puts_the_cited_notes_beside_the_notebook(gdgrade_course) -> None:
    course = gdgrade_course[0]
    for assignment in ASSIGNMENTS:
        folder = course / "release" / assignment
        (released,) = folder.glob("*.ipynb")
        names = cited(released)
        assert names, f"{assignment} cites no notes"
        for name in names:
            assert (folder / name).read_bytes() == (NOTES / name).read_bytes(), (assignment, name)
        assert {p.name for p in folder.glob("*.md")} == names  # and nothing uncited


# -- errata: the shipped notes are ours to correct; every correction is marked ---------------

FENCE = re.compile(r"^\s*```")
LOST_SYMBOL = [
    re.compile(r"\b(of|in|from|to)\s+[.,;:]"),  # "flat in the direction of ."
    re.compile(r"\bfrom\s+to\b"),  # "from to ." (two numbers lost)
    re.compile(r"\bthe direction( but|\.| improves)"),  # "in the [x_2] direction but"
]
"""Traces of symbols lost when the notes were converted (LaTeX dropped from prose)."""
MARKER = re.compile(r"\[erratum (\d+)\]")
ERRATA = "\n## Errata\n"


def prose_and_code(text: str) -> tuple[list[str], list[list[str]]]:
    """The lines outside fenced code blocks, and each block's lines (the fences excluded).

    A line starting with ``` inside a block must close it bare: one with an info string
    (a second ```python) is a doubled opening fence and fails here."""
    prose: list[str] = []
    blocks: list[list[str]] = []
    block: list[str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            if block is None:
                block = []
                continue
            assert line.strip() == "```", f"line {number}: a fence opened inside a code block"
            blocks.append(block)
            block = None
        elif block is None:
            prose.append(line)
        else:
            block.append(line)
    assert block is None, "a code block is never closed"
    return prose, blocks


@pytest.mark.parametrize("name", sorted(p.name for p in NOTES.glob("*.md")))
def test_notes_have_no_doubled_fences_nor_lost_symbols(name: str) -> None:
    prose, _ = prose_and_code((NOTES / name).read_text(encoding="utf-8"))
    for line in prose:
        for pattern in LOST_SYMBOL:
            assert not pattern.search(line), (name, line[:120])


@pytest.mark.parametrize("name", sorted(p.name for p in NOTES.glob("*.md")))
def test_every_erratum_is_marked_and_listed(name: str) -> None:
    text = (NOTES / name).read_text(encoding="utf-8")
    body, _, errata = text.partition(ERRATA)
    marked = {int(n) for n in MARKER.findall(body)}
    listed = [int(n) for n in re.findall(r"^(\d+)\. ", errata, re.M)]
    assert listed == list(range(1, len(listed) + 1)), name  # numbered 1, 2, ... in order
    assert marked == set(listed), (name, sorted(marked), listed)


def test_the_fence_and_symbol_checks_catch_the_old_errors() -> None:
    """The shapes of the errors the notes shipped with fail the checks above."""
    with pytest.raises(AssertionError, match="fence opened inside"):
        prose_and_code("text\n```python\n```python\nimport torch\n```\n")
    old = "very flat in the direction of . Let's see; a rate from to . here"
    assert sum(bool(p.search(old)) for p in LOST_SYMBOL) == 2
    fixed = prose_and_code("flat in the direction of $x_1$.\n```python\nx = 1\n```\n")
    assert fixed == (["flat in the direction of $x_1$."], [["x = 1"]])
