"""Write the student corpus: filled-in copies of the released notebooks.

Each assignment's students live in `answers/<assignment>.py` as a list `STUDENTS`: a name,
the source of every answer cell (keyed by the cell's nbgrader grade_id) and, for a
mistake, the mistake in words and the graded cells it should cost. An answer that starts
with a line `...` keeps the given lines above `# YOUR CODE HERE` (plot cells). The script
copies the released notebook (every cell and its metadata), replaces the answer cells' sources the
way a student typing in Jupyter would, and writes

    <assignment>/<student>.ipynb      one per student
    corpus.yaml                       the manifest the course test reads

Usage (the released notebooks come from `gdgrade release <assignment> --course C`):

    python tests/files/students/make_corpus.py --release C/release
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
ASSIGNMENTS = (
    "gd_basics",
    "gd_variants",
    "lr_rules",
    "minibatch_in_action",
    "accumulation_normalization",
)


@dataclass
class Student:
    """One submission: answer-cell sources by grade_id, and what it should score."""

    name: str
    cells: dict[str, str]
    style: str = ""
    mistake: str | None = None
    costs: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "correct" if self.mistake is None else "mistake"


def variant(base: Student, name: str, mistake: str, costs: list[str], **cells: str) -> Student:
    """`base` with one answer cell (or more, for one mistake) replaced."""
    return Student(name, {**base.cells, **cells}, base.style, mistake, costs)


def load_students(assignment: str) -> list[Student]:
    path = HERE / "answers" / f"{assignment}.py"
    spec = importlib.util.spec_from_file_location(f"corpus_answers_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.STUDENTS)


def fill(released: nbformat.NotebookNode, student: Student) -> nbformat.NotebookNode:
    nb = copy.deepcopy(released)
    answer_ids = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            gid = meta["grade_id"]
            answer_ids.add(gid)
            if gid not in student.cells:
                raise SystemExit(f"{student.name}: no answer for cell {gid!r}")
            answer = student.cells[gid].strip("\n")
            if answer.startswith("...\n"):
                # keep the given lines above the placeholder, as a student typing below them
                given = cell.source.split("# YOUR CODE HERE")[0]
                answer = given + answer[4:]
            cell.source = answer
    extra = set(student.cells) - answer_ids
    if extra:
        raise SystemExit(f"{student.name}: answers for unknown cells {sorted(extra)}")
    return nb


def graded_ids(released: nbformat.NotebookNode) -> list[str]:
    return [
        c.metadata["nbgrader"]["grade_id"]
        for c in released.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, required=True, help="the course's release/")
    args = parser.parse_args()
    manifest: list[dict] = []
    for assignment in ASSIGNMENTS:
        if not (HERE / "answers" / f"{assignment}.py").exists():
            continue
        released = nbformat.read(args.release / assignment / f"{assignment}.ipynb", as_version=4)
        graded = graded_ids(released)
        out = HERE / assignment
        out.mkdir(exist_ok=True)
        for old in out.glob("*.ipynb"):
            old.unlink()
        students = load_students(assignment)
        names = [s.name for s in students]
        assert len(names) == len(set(names)), f"duplicate student names in {assignment}"
        for s in students:
            unknown = set(s.costs) - set(graded)
            assert not unknown, f"{assignment}/{s.name}: costs name no graded cell {unknown}"
            assert (s.mistake is None) == (not s.costs), f"{s.name}: mistake needs costs"
            nbformat.write(fill(released, s), out / f"{s.name}.ipynb")
            entry = {
                "file": f"{assignment}/{s.name}.ipynb",
                "assignment": assignment,
                "student": s.name,
                "kind": s.kind,
            }
            if s.mistake is None:
                entry["style"] = s.style
            else:
                entry["mistake"] = s.mistake
                entry["costs"] = list(s.costs)
            manifest.append(entry)
        print(f"{assignment}: {len(students)} students")
    header = (
        "# Student corpus written from the released notebooks (see make_corpus.py).\n"
        "# Generated by make_corpus.py: edit answers/<assignment>.py and rerun it.\n"
    )
    text = yaml.safe_dump({"students": manifest}, sort_keys=False, width=100)
    (HERE / "corpus.yaml").write_text(header + text)


if __name__ == "__main__":
    main()
