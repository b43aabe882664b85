"""A check that needs review (an undecided timing check) in every output: points held
(awarded provisionally), never called a failure, flagged for an instructor."""

from __future__ import annotations

import json
from pathlib import Path

from nbgrader.api import Gradebook

from grader.evidence import CheckResult
from grader.outputs import feedback, gradebook, lms
from grader.outputs.report import write_report
from grader.outputs.results import CellResult, SubmissionResult
from grader.outputs.summary import review_line


def held_result(student: str = "ada", *, held: bool = True) -> SubmissionResult:
    timing = CheckResult(
        check_id="gd_variants.time_per_epoch",
        name="time per epoch",
        points=2,
        max_points=2,
        status="skipped" if held else "passed",
        feedback="The ratios straddle the threshold ... held for review" if held else "",
        needs_review=held,
    )
    other = CheckResult(
        check_id="gd_variants.sgd", name="SGD", points=2, max_points=2, status="passed"
    )
    cells = [
        CellResult(
            grade_id="test_timing", points=2, max_points=2, status=timing.status, checks=[timing]
        ),
        CellResult(grade_id="test_sgd", points=2, max_points=2, status="passed", checks=[other]),
    ]
    return SubmissionResult(
        student=student,
        assignment="gd_variants",
        notebook="gd_variants",
        score=4,
        max_score=4,
        cells=cells,
    )


def test_result_models_carry_the_flag_through_json():
    result = held_result()
    assert result.cells[0].needs_review and not result.cells[1].needs_review
    assert result.to_review == 1
    again = SubmissionResult.model_validate_json(result.model_dump_json())
    assert again == result and again.to_review == 1
    assert "needs review: points awarded provisionally" in feedback.render(result)


def test_lms_files_hold_the_points_and_do_not_call_it_fail():
    result = held_result()
    classroom = lms.classroom(result)
    timing = classroom["tests"][0]
    assert timing["status"] == "pass" and timing["score"] == timing["max_score"] == 2
    assert classroom["status"] == "pass"
    assert "needs review" in timing["message"] and "fail" not in timing["message"]
    gradescope = lms.gradescope(result)
    assert gradescope["score"] == 4
    assert gradescope["tests"][0]["status"] == "passed"
    assert "needs review" in gradescope["tests"][0]["output"]
    assert json.loads(json.dumps(classroom)) == classroom


def test_summary_and_report_count_the_checks_that_need_review(tmp_path: Path):
    results = [held_result("ada"), held_result("bob", held=False), held_result("cy")]
    line = review_line(results)
    assert line.startswith("2 checks need review")
    assert "ada/gd_variants gd_variants.time_per_epoch" in line and "bob" not in line
    assert review_line([held_result(held=False)]) == ""
    for r in results:
        out = tmp_path / "results" / r.student / r.assignment / "gdgrade.json"
        out.parent.mkdir(parents=True)
        out.write_text(r.model_dump_json(), encoding="utf-8")
    html = write_report(tmp_path).read_text(encoding="utf-8")
    assert "2 checks need review" in html and "cy" in html


def test_gradebook_flags_needs_manual_grade_and_clears_it_when_decided(tmp_path: Path):
    with Gradebook(gradebook.url(tmp_path)) as gb:
        gb.add_assignment("gd_variants")
        gb.add_notebook("gd_variants", "gd_variants")
        for name in ("test_timing", "test_sgd"):
            gb.add_grade_cell(name, "gd_variants", "gd_variants", max_score=2, cell_type="code")
    gradebook.record(tmp_path, held_result())
    assert gradebook.needing_review(tmp_path, "gd_variants") == {"ada": ["test_timing"]}
    assert gradebook.scores(tmp_path, "gd_variants") == {"ada": 4.0}  # held, not lost
    gradebook.record(tmp_path, held_result(held=False))  # the re-measure decided it
    assert gradebook.needing_review(tmp_path, "gd_variants") == {"ada": []}


class _NoSandbox:
    def __init__(self, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_batch_grades_held_submissions_once_more_at_the_end(tmp_path: Path, monkeypatch):
    from grader.pipeline import batch
    from grader.sandbox import pool

    (tmp_path / "source" / "gd_variants").mkdir(parents=True)
    (tmp_path / "source" / "gd_variants" / "gd_variants.ipynb").write_text("{}")
    for student in ("ada", "bob", "cy"):
        folder = tmp_path / "submitted" / student / "gd_variants"
        folder.mkdir(parents=True)
        (folder / "gd_variants.ipynb").write_text(student)
    # ada is held on the first grading and decided on the second; cy is held both times
    outcomes = {"ada": [True, False], "bob": [False], "cy": [True, True]}
    order: list[str] = []

    def fake_grade(submission, source, *, student, assignment, sandbox):
        order.append(student)
        return held_result(student, held=outcomes[student].pop(0)), None

    recorded: list[tuple[str, int]] = []
    monkeypatch.setattr(batch, "check_ready", lambda root, names: ["gd_variants"])
    monkeypatch.setattr(batch, "grade_notebook", fake_grade)
    monkeypatch.setattr(
        batch.artefacts.gradebook, "record", lambda c, r: recorded.append((r.student, r.to_review))
    )
    monkeypatch.setattr(pool, "Sandbox", _NoSandbox)

    results = batch.autograde(tmp_path, workers=1)
    assert order == ["ada", "bob", "cy", "ada", "cy"]  # the held ones, after the class
    assert [r.to_review for r in results] == [0, 0, 1]
    assert recorded == [("ada", 1), ("bob", 0), ("cy", 1), ("ada", 0)]  # cy keeps the first
    saved = SubmissionResult.model_validate_json(
        (tmp_path / "results" / "ada" / "gd_variants" / "gdgrade.json").read_text()
    )
    assert saved.to_review == 0

    outcomes.update(ada=[True], bob=[False], cy=[True])
    order.clear()
    batch.autograde(tmp_path, workers=1, force=True, remeasure=False)
    assert order == ["ada", "bob", "cy"]
