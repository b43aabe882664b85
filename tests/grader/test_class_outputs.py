"""Lateness and misconception counts in every output, on a real graded course.

One released gd_basics course, graded once by gdgrade: ada (correct, on time), ben (the
update's sign flipped: "uphill" named on four checks, submitted 2 h 13 min late) and cleo
(the factor 2 missing, 30 min late, later given a one-hour extension). Each late-penalty
rule nbgrader ships ("none", "zero") and an instructor's own plugin are then checked against
what the real ``nbgrader export`` reports for the same course.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.tests import run_nbgrader

from grader.judging import registry
from grader.judging.misconceptions.library import CONCEPTS
from grader.nbgrader_io.release import release, submit
from grader.outputs import gradebook, lateness
from grader.outputs.report import misconceptions, write_report
from grader.outputs.results import SubmissionResult
from grader.paths import COURSE_SOURCE
from grader.pipeline.batch import autograde

A = "gd_basics"
DUE = "2026-01-10 12:00:00 UTC"
STAMPS = {  # as nbgrader's exchange writes timestamp.txt
    "ada_correct": "2026-01-10 11:00:00.000000 UTC",
    "ben_sign_error": "2026-01-10 14:13:20.000000 UTC",
    "cleo_missing_factor_two": "2026-01-10 12:30:00.000000 UTC",
}
BEN_LATE_S = 2 * 3600 + 13 * 60 + 20
PER_HOUR = '''
import math
from nbgrader.plugins import LateSubmissionPlugin

class PerStartedHour(LateSubmissionPlugin):
    """One point per started hour late."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return float(math.ceil(total_seconds_late / 3600))

c.AssignLatePenalties.plugin_class = PerStartedHour
'''
RULES = {
    "none": 'c.LateSubmissionPlugin.penalty_method = "none"\n',
    "zero": 'c.LateSubmissionPlugin.penalty_method = "zero"\n',
    "PerStartedHour": PER_HOUR,
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, list[SubmissionResult]]:
    """The course, graded once with nbgrader's default rule ("none") and the due date set."""
    root = tmp_path_factory.mktemp("late") / "course"
    root.mkdir()
    shutil.copy(COURSE_SOURCE / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(COURSE_SOURCE / "source" / A, root / "source" / A)
    shutil.copytree(COURSE_SOURCE / "notes", root / "notes")
    release(root, A)
    for student, stamp in STAMPS.items():
        for nb in (COURSE_SOURCE / "samples" / A / student).glob("*.ipynb"):
            submit(root, student, A, nb)
        (root / "submitted" / student / A / "timestamp.txt").write_text(stamp)
    with Gradebook(gradebook.url(root)) as gb:
        gb.update_or_create_assignment(A, duedate=DUE)
    return root, autograde(root, workers=2)


def export(course: Path) -> dict[str, dict[str, str]]:
    """``nbgrader export`` of the course (its CSV), by student."""
    out = course / "export.csv"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(course)
        run_nbgrader(["export", f"--to={out}"])
    return {r["student_id"]: r for r in csv.DictReader(out.open()) if r["assignment"] == A}


def outputs(course: Path, student: str) -> tuple[dict, dict, str, SubmissionResult]:
    """results.json, classroom.json, the feedback page and gdgrade.json of a student."""
    res = course / "results" / student / A
    page = (course / "feedback" / student / A / f"{A}.html").read_text()
    stored = SubmissionResult.model_validate_json((res / "gdgrade.json").read_text())
    return (
        json.loads((res / "results.json").read_text()),
        json.loads((res / "classroom.json").read_text()),
        html.unescape(page),
        stored,
    )


def test_first_grading_knows_lateness_under_the_default_rule(graded) -> None:
    course, results = graded
    by = {r.student: r for r in results}
    assert by["ada_correct"].late is None
    ben = by["ben_sign_error"].late
    assert ben is not None and (ben.seconds_late, ben.penalty, ben.method) == (
        BEN_LATE_S,
        0.0,
        "none",
    )
    gradescope, _, page, _ = outputs(course, "ben_sign_error")
    assert "late by 2 h 13 min: no penalty" in page
    assert gradescope["output"].startswith("Submitted late by 2 h 13 min: no penalty")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_output_agrees_with_nbgrader_export(graded, tmp_path: Path, rule: str) -> None:
    course = tmp_path / "course"
    shutil.copytree(graded[0], course)
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write(RULES[rule])
    with Gradebook(gradebook.url(course)) as gb:
        gb.grant_extension(A, "cleo_missing_factor_two", hours=1)

    results = autograde(course, [A], workers=1)  # nothing regraded: lateness is refreshed
    assert {r.grade_reason for r in results} == {"unchanged"}
    exported = export(course)
    rows = {r["student"]: r for r in csv.DictReader((course / "grades.csv").open())}
    report = html.unescape(write_report(course).read_text())
    assert set(exported) == set(rows) == set(STAMPS)
    penalties = set()
    for r in results:
        want = exported[r.student]
        score, penalty = float(want["score"]), float(want["late_submission_penalty"] or 0)
        penalties.add(penalty)
        row = rows[r.student]
        assert float(row["score"]) == pytest.approx(score), r.student
        assert float(row["raw_score"]) == pytest.approx(float(want["raw_score"]))
        assert float(row["late_submission_penalty"]) == pytest.approx(penalty)
        gradescope, classroom, page, stored = outputs(course, r.student)
        assert stored.late == r.late and stored.grade_reason == "new"
        assert stored.final_score == r.final_score == pytest.approx(score)
        assert gradescope["score"] == pytest.approx(score)
        # what the Classroom reporter adds up: every test's score
        assert sum(t["score"] for t in classroom["tests"]) == pytest.approx(score)
        assert f"Score: <strong>{score:g}</strong> / {r.max_score:g}" in page
        if r.student == "ben_sign_error":
            assert r.late is not None and r.late.seconds_late == BEN_LATE_S
            cost = f"penalty -{penalty:g}" if penalty else "no penalty"
            text = f"late by 2 h 13 min: {cost}, score {score:g} / {r.max_score:g}"
            assert text == lateness.line(r)
            assert text in page and text in gradescope["output"] and text in report
            assert float(row["seconds_late"]) == BEN_LATE_S
        else:  # ada on time; cleo within her extension
            assert r.late is None and "late by" not in page
            assert not any(t["name"] == "late submission" for t in classroom["tests"])
            assert float(row["seconds_late"]) == 0
    if rule == "none":
        assert penalties == {0.0}
    else:
        assert max(penalties) > 0  # the rule took points off ben


def test_class_report_counts_students_once_per_concept(graded, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(graded[0], course)
    by = {r.student: r for r in graded[1]}

    def diagnosed(student: str) -> tuple[set[str], set[str]]:
        named = [c for c in by[student].checks if c.diagnosis and c.diagnosis.mistake]
        return {c.check_id for c in named}, {c.diagnosis.mistake for c in named}  # type: ignore[union-attr]

    ben_checks, ben_ids = diagnosed("ben_sign_error")
    assert len(ben_checks) == 4 and len(ben_ids) == 2  # one student, four checks, two ids
    cleo_checks, cleo_ids = diagnosed("cleo_missing_factor_two")
    assert len(cleo_ids) == 1

    rows = report_rows(write_report(course))
    assert len(rows) == 2  # ben's two ids are one concept ("the step goes uphill")
    by_checks = {row[2]: row for row in rows}
    ben_row = by_checks[", ".join(sorted(ben_checks))]
    cleo_row = by_checks[", ".join(sorted(cleo_checks))]
    assert ben_row[1] == cleo_row[1] == "1"  # students, not diagnosed checks
    assert ben_row[5] == "ben_sign_error" and cleo_row[5] == "cleo_missing_factor_two"
    for _title, _students, _checks, fix, href, _student in rows:
        page = (course / "reports" / href).resolve()
        assert page.is_relative_to((course / "feedback").resolve()) and page.is_file()
        assert fix and fix in html.unescape(page.read_text())


def test_concepts_name_registered_mistakes_of_several_families() -> None:
    registry.load_builtin()
    for concept, ids in CONCEPTS.items():
        mistakes = [registry.MISCONCEPTIONS[i] for i in ids]  # KeyError: a typo
        assert {m.concept for m in mistakes} == {concept}
        assert len({m.family for m in mistakes}) >= 2, concept
    assert misconceptions([]) == []


def report_rows(path: Path) -> list[list[str]]:
    """(title, students, checks, fix, example href, example student) per row of the class
    report's misconception table."""
    text = path.read_text()
    table = text.split("Students with the mistake", 1)[1].split("</table>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr><td>(.*?)</td></tr>", table, re.S):
        cells = tr.split("</td><td>")
        link = re.fullmatch(r'<a href="([^"]*)">([^<]*)</a>', cells[4])
        assert link, cells[4]
        title = re.sub(r"<br>.*", "", cells[0], flags=re.S)
        rows.append([html.unescape(c) for c in (title, *cells[1:4], *link.groups())])
    return rows
