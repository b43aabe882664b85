"""The student corpus (tests/files/students/), graded by gdgrade in one batch.

Every notebook there was written from the released notebook only, by people playing
students who had not read the solutions or the grader: correct solutions in many styles
and solutions with one realistic mistake each (corpus.yaml says which, and which graded
cells the mistake should cost). A correct solution must get full marks on every cell; a
mistake must lose points on at least one of the cells the manifest names. The caught /
missed table per assignment is printed with the results (`pytest -s` shows it inline).
"""

from __future__ import annotations

import json
import shutil
import time
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from grader.nbgrader_io.release import submit
from grader.pipeline.batch import autograde

CORPUS = Path(__file__).resolve().parents[1] / "files" / "students"
MANIFEST = yaml.safe_load((CORPUS / "corpus.yaml").read_text())["students"]
CORRECT = [e for e in MANIFEST if e["kind"] == "correct"]
MISTAKES = [e for e in MANIFEST if e["kind"] == "mistake"]

# Correct solutions the grader still marks down (file -> the grader's message), kept
# as strict xfails so that a fix shows up. Empty: no false zero is known.
FALSE_ZEROS: dict[str, str] = {}
# Mistakes no check catches yet (file -> why), strict xfails for the same reason. Empty:
# every mistake of the corpus is caught.
MISSED: dict[str, str] = {}


def _student_id(entry: dict) -> str:
    return f"corpus_{entry['student']}"


@pytest.fixture(scope="module")
def corpus_results(gdgrade_course, tmp_path_factory) -> dict:
    """Per-cell results of every corpus notebook: {file: {grade_id: test dict}}."""
    root = tmp_path_factory.mktemp("corpus")
    course = root / "course"
    shutil.copytree(gdgrade_course[0], course)
    for entry in MANIFEST:
        # a submission keeps the released file name, <assignment>.ipynb
        staged = root / "staged" / _student_id(entry) / f"{entry['assignment']}.ipynb"
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / entry["file"], staged)
        submit(course, _student_id(entry), entry["assignment"], staged)
    start = time.monotonic()
    autograde(course, workers=2)
    elapsed = time.monotonic() - start
    results = {}
    for entry in MANIFEST:
        path = course / "results" / _student_id(entry) / entry["assignment"] / "results.json"
        assert path.is_file(), f"{entry['file']} was not graded"
        tests = json.loads(path.read_text())["tests"]
        results[entry["file"]] = {t["name"]: t for t in tests}
    _print_table(results, elapsed)
    return results


def _lost(cells: dict) -> dict[str, dict]:
    return {name: t for name, t in cells.items() if t["score"] < t["max_score"]}


def _caught(entry: dict, cells: dict) -> bool:
    return any(name in _lost(cells) for name in entry["costs"])


def _print_table(results: dict, elapsed: float) -> None:
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in MANIFEST:
        row = rows[entry["assignment"]]
        cells = results[entry["file"]]
        if entry["kind"] == "correct":
            row["correct"] += 1
            row["false zeros"] += bool(_lost(cells))
        else:
            row["mistakes"] += 1
            row["caught" if _caught(entry, cells) else "missed"] += 1
    cols = ["correct", "false zeros", "mistakes", "caught", "missed"]
    lines = [f"{'assignment':28s}" + "".join(f"{c:>13s}" for c in cols)]
    for assignment, row in rows.items():
        lines.append(f"{assignment:28s}" + "".join(f"{row[c]:>13d}" for c in cols))
    total = {c: sum(r[c] for r in rows.values()) for c in cols}
    lines.append(f"{'total':28s}" + "".join(f"{total[c]:>13d}" for c in cols))
    lines.append(f"graded {len(results)} notebooks in {elapsed:.0f} s")
    print("\nstudent corpus\n" + "\n".join(lines))


def _case(entry: dict, known: dict[str, str]):
    marks = []
    if entry["file"] in known:
        marks.append(pytest.mark.xfail(strict=True, reason=known[entry["file"]]))
    return pytest.param(entry, id=entry["file"].removesuffix(".ipynb"), marks=marks)


def test_manifest_matches_the_files() -> None:
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*.ipynb")}
    assert on_disk == {e["file"] for e in MANIFEST}
    by_assignment = defaultdict(lambda: defaultdict(int))
    for e in MANIFEST:
        by_assignment[e["assignment"]][e["kind"]] += 1
    assert len(by_assignment) == 5
    for assignment, kinds in by_assignment.items():
        assert kinds["correct"] >= 5 and kinds["mistake"] >= 5, assignment
    for e in MISTAKES:
        assert e["mistake"] and e["costs"], e["file"]


@pytest.mark.slow
@pytest.mark.parametrize("entry", [_case(e, FALSE_ZEROS) for e in CORRECT])
def test_correct_solution_gets_full_marks(corpus_results, entry) -> None:
    lost = _lost(corpus_results[entry["file"]])
    assert not lost, "\n".join(
        f"{name}: {t['score']}/{t['max_score']}\n{t['output']}" for name, t in lost.items()
    )


@pytest.mark.slow
@pytest.mark.parametrize("entry", [_case(e, MISSED) for e in MISTAKES])
def test_mistake_loses_points_where_expected(corpus_results, entry) -> None:
    cells = corpus_results[entry["file"]]
    assert _caught(entry, cells), (
        f"{entry['mistake']}: full marks on {entry['costs']} "
        f"(lost elsewhere: {sorted(_lost(cells))})"
    )
