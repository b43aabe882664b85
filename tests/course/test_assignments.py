"""The five assignments through the real nbgrader round trip, and gdgrade agreeing with it."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml
from nbgrader.api import Gradebook

from assignments.authoring.build import build
from grader.judging import registry
from grader.nbgrader_io import notebooks
from grader.paths import COURSE_SOURCE
from grader.pipeline.grade import plan

from .conftest import ASSIGNMENTS, expected_score, samples


def test_five_assignments_ship() -> None:
    assert (
        sorted(
            [
                "gd_basics",
                "gd_variants",
                "lr_rules",
                "accumulation_normalization",
                "minibatch_in_action",
            ]
        )
        == ASSIGNMENTS
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solutions_and_no_hidden_tests(nbgrader_course: Path, assignment):
    [released] = (nbgrader_course / "release" / assignment).glob("*.ipynb")
    text = released.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "HIDDEN TESTS"):
        assert marker not in text
    source = notebooks.read(next((COURSE_SOURCE / "source" / assignment).glob("*.ipynb")))
    release = notebooks.read(released)
    for src, rel in zip(source.cells, release.cells, strict=True):
        meta = notebooks.grade_meta(src)
        if meta.get("solution"):
            body = src.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            assert "raise NotImplementedError()" in rel.source
            for line in body.strip().splitlines():
                if len(line.strip()) > 12:
                    assert line.strip() not in rel.source, f"solution line leaked: {line}"


@pytest.mark.parametrize(
    ("assignment", "student", "notebook"), samples(), ids=[f"{a}-{s}" for a, s, _ in samples()]
)
def test_nbgrader_and_gdgrade_give_each_sample_its_stated_score(
    nbgrader_course: Path, gdgrade_course, assignment: str, student: str, notebook: Path
):
    score, total = expected_score(notebook)
    with Gradebook(f"sqlite:///{nbgrader_course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(assignment, student)
        assert (sub.score, sub.max_score) == (score, total)
        nb_cells = {
            g.name: g.score
            for g in gb.find_submission_notebook(notebook.stem, assignment, student).grades
        }
    [ours] = [r for r in gdgrade_course[1] if (r.assignment, r.student) == (assignment, student)]
    assert (ours.score, ours.max_score) == (score, total)
    assert {c.grade_id: c.points for c in ours.cells} == nb_cells


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebooks_run_cleanly_and_score_full_marks(
    nbgrader_course: Path, gdgrade_course, assignment: str
):
    with Gradebook(f"sqlite:///{nbgrader_course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(assignment, "instructor")
        assert sub.score == sub.max_score > 0
    [ours] = [
        r for r in gdgrade_course[1] if (r.assignment, r.student) == (assignment, "instructor")
    ]
    assert ours.execution == "ok", ours.messages
    assert ours.score == ours.max_score


def test_every_grade_cell_runs_one_known_check_with_its_points_and_topics() -> None:
    topics = set(yaml.safe_load((COURSE_SOURCE / "topics.yaml").read_text())["topics"])
    used = []
    for a in ASSIGNMENTS:
        nb = notebooks.read(next((COURSE_SOURCE / "source" / a).glob("*.ipynb")))
        _, _, cells = plan(nb)
        assert cells, f"{a} has no grade cells"
        for cell in cells:
            assert len(cell.check_ids) == 1, f"{a}:{cell.grade_id} should run one check"
            chk = registry.get(cell.check_ids[0])
            assert chk.points == cell.points, f"{chk.id}: {chk.points} vs cell {cell.points}"
            assert chk.topics and set(chk.topics) <= topics, chk.id
            used.append(chk.id)
    assert len(used) == len(set(used))
    assert set(used) == {c.id for a in ASSIGNMENTS for c in registry.checks_for(a)}


def _without_ids(path: Path) -> dict:
    data = json.loads(path.read_text())
    for cell in data["cells"]:
        cell.pop("id", None)  # nbformat gives every new cell a random id
    return data


def test_committed_notebooks_are_what_the_builder_writes(tmp_path: Path) -> None:
    for path in build(tmp_path):
        committed = COURSE_SOURCE / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} is not committed"
        assert _without_ids(committed) == _without_ids(path), committed


def test_each_assignment_has_the_required_samples() -> None:
    for a in ASSIGNMENTS:
        stated = [expected_score(nb) for aa, _, nb in samples() if aa == a]
        full = [s for s in stated if s[0] == s[1]]
        assert len(full) == 1 and len(stated) >= 5, a
        nb = nbformat.read(next((COURSE_SOURCE / "source" / a).glob("*.ipynb")), as_version=4)
        assert "plt." in "".join(c.source for c in nb.cells), f"{a} has no student plot"
