"""Write the demo course's source notebooks and sample submissions from the content modules.

Run ``python -m assignments.authoring.build`` after editing a content module; a test checks
that the committed notebooks are what this writes. Each content module defines NOTEBOOK,
CELLS (made with ``md``, ``answer``, ``test``) and SAMPLES (made with ``sample``).
"""

from __future__ import annotations

import importlib
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = (
    "gd_basics",
    "gd_variants",
    "lr_rules",
    "accumulation_normalization",
    "minibatch_in_action",
)
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


@dataclass(frozen=True)
class Cell:
    kind: str
    grade_id: str
    source: str
    points: float = 0.0
    topics: tuple[str, ...] = ()


def md(grade_id: str, text: str) -> Cell:
    """A locked markdown cell."""
    return Cell("markdown", grade_id, textwrap.dedent(text).strip())


def given(grade_id: str, code: str) -> Cell:
    """A locked code cell students run but do not edit (restored from the source)."""
    return Cell("given", grade_id, textwrap.dedent(code).strip())


def answer(grade_id: str, head: str, body: str) -> Cell:
    """A solution cell: ``head`` is kept for students, ``body`` becomes the solution region."""
    head = textwrap.dedent(head).strip("\n")
    body = textwrap.dedent(body).strip("\n")
    indent = " " * 4 if head.rstrip().endswith(('"""', ":")) and "def " in head else ""
    inner = textwrap.indent(f"### BEGIN SOLUTION\n{body}\n### END SOLUTION", indent)
    return Cell("answer", grade_id, f"{head}\n{inner}" if head else inner)


def test(
    grade_id: str,
    check_id: str,
    points: float,
    *,
    hidden: bool = False,
    topics: tuple[str, ...] = (),
) -> Cell:
    """A test cell that runs one check (public, or hidden until grading).

    A public cell falls back to the student kit (``gdgrade_kit.py`` beside the released
    notebook) where gdgrade is not installed; a hidden one runs with gdgrade only."""
    call = f'check("{check_id}", globals())'
    if hidden:
        src = (
            "# Hidden tests run when your notebook is graded.\n"
            f"### BEGIN HIDDEN TESTS\nfrom grader import check\n{call}\n### END HIDDEN TESTS"
        )
    else:
        src = f"{SELF_CHECK}\n{call}"
    return Cell("test", grade_id, src, points, topics)


SELF_CHECK = """\
# Self-check: run this cell. Without gdgrade, gdgrade_kit.py beside this notebook checks.
try:
    from grader import check
except ModuleNotFoundError:
    from gdgrade_kit import check"""
"""The head of every public test cell (``grader.nbgrader_io.notebooks.check_ids`` reads it)."""

HOW_TO_CHECK = """\
**Self-checks.** Run each test cell that says *Self-check* once you have written the
function above it. A pass prints `[passed]` and what matched; a failure raises an
AssertionError that says `[failed]` (and where your answer differs) or `[error]` (your
function raised or is not defined yet). The checks come from `gdgrade_kit.py` and
`selfcheck.json`, which must stay in the folder beside this notebook; they need only NumPy
(and torch where the task uses it). In a terminal in this folder,
`python -m gdgrade_kit check {notebook}.ipynb` runs them all at once. Hidden tests run only
when your notebook is graded."""
"""The paragraph added to the first cell of a notebook that has self-checks."""


@dataclass(frozen=True)
class Sample:
    expected: str
    """First line of the sample, e.g. 'expected score: 15/17 (sign error in update)'."""
    answers: dict[str, str] = field(default_factory=dict)
    """grade_id -> the student's code for that answer cell (others keep the solution)."""


def sample(expected: str, **answers: str) -> Sample:
    return Sample(expected, {k: textwrap.dedent(v).strip("\n") for k, v in answers.items()})


def _meta(cell: Cell) -> dict:
    base = {"grade_id": cell.grade_id, "schema_version": 3}
    if cell.kind in ("markdown", "given"):
        return {**base, "grade": False, "solution": False, "locked": True}
    if cell.kind == "answer":
        return {**base, "grade": False, "solution": True, "locked": False}
    return {**base, "grade": True, "solution": False, "locked": True, "points": cell.points}


def first_cell(cells: list[Cell], name: str) -> list[Cell]:
    """The cells with HOW_TO_CHECK after the first (markdown) cell's text, when a test cell
    is a public self-check."""
    public = any(c.kind == "test" and "BEGIN HIDDEN TESTS" not in c.source for c in cells)
    if not public or not cells or cells[0].kind != "markdown":
        return cells
    head = cells[0]
    text = f"{head.source}\n\n{HOW_TO_CHECK.format(notebook=name)}"
    return [Cell(head.kind, head.grade_id, text, head.points, head.topics), *cells[1:]]


def source_notebook(cells: list[Cell], name: str) -> nbformat.NotebookNode:
    cells = first_cell(cells, name)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for cell in cells:
        new = (
            nbformat.v4.new_markdown_cell if cell.kind == "markdown" else nbformat.v4.new_code_cell
        )
        nb_cell = new(cell.source)
        nb_cell.id = cell.grade_id.replace("_", "-")  # stable ids: rebuilds give no churn
        nb_cell.metadata["nbgrader"] = _meta(cell)
        if cell.topics:
            nb_cell.metadata["gdgrade"] = {"topics": list(cell.topics)}
        nb.cells.append(nb_cell)
    return nb


def sample_notebook(cells: list[Cell], smp: Sample, name: str) -> nbformat.NotebookNode:
    """The released notebook as a student would hand it in, answers filled in."""
    from grader.nbgrader_io.restoration import released

    nb = source_notebook(cells, name)
    for nb_cell, cell in zip(nb.cells, cells, strict=True):
        if cell.kind == "answer":
            solution = "\n".join(
                line
                for line in cell.source.splitlines()
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
            )
            nb_cell.source = smp.answers.get(cell.grade_id, solution)
        elif cell.kind == "test":
            nb_cell.source = released(cell.source)
    note = nbformat.v4.new_markdown_cell(f"<!-- {smp.expected} -->")
    note.id = "expected-score"
    nb.cells.insert(0, note)
    return nb


def build(root: Path = ROOT, names: tuple[str, ...] = ASSIGNMENTS) -> list[Path]:
    """Write every source notebook and sample; return the paths written."""
    written = []
    for name in names:
        mod = importlib.import_module(f"assignments.authoring.{name}")
        path = root / "source" / name / f"{mod.NOTEBOOK}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(source_notebook(mod.CELLS, mod.NOTEBOOK), path)
        written.append(path)
        for student, smp in mod.SAMPLES.items():
            out = root / "samples" / name / student / f"{mod.NOTEBOOK}.ipynb"
            out.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(sample_notebook(mod.CELLS, smp, mod.NOTEBOOK), out)
            written.append(out)
    return written


if __name__ == "__main__":
    import sys

    for p in build(names=tuple(sys.argv[1:]) or ASSIGNMENTS):
        print(p.relative_to(ROOT))
    from grader.nbgrader_io import grading_copy

    grading_copy.main([])  # the wheel's solution-free copy follows the sources
