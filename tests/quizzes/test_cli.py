"""`gdgrade quiz ...` end to end through the main CLI."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from typer.testing import CliRunner

import grader.cli
from grader.paths import QUIZ_DIR
from grader.quizzes import bank, oracles

from .conftest import SAMPLES

runner = CliRunner()


def gd(*args: str):
    return runner.invoke(grader.cli.app, ["quiz", *map(str, args)])


def test_help_lists_commands() -> None:
    out = gd("--help").output
    for cmd in ("validate", "render", "key", "export", "grade", "summary"):
        assert cmd in out


def test_validate_ok_and_failing(tmp_path) -> None:
    res = gd("validate", *bank.bank_files())
    assert res.exit_code == 0, res.output
    assert res.output.count(": ok") == len(bank.bank_files())
    bad = tmp_path / "bad.yaml"
    text = (QUIZ_DIR / "exit_ticket.yaml").read_text()
    bad.write_text(text.replace("topics: [plateaus_saddles]", "topics: [plateaus]"))
    res = gd("validate", bad)
    assert res.exit_code == 1
    line = next(n for n, ln in enumerate(bad.read_text().splitlines(), 1) if "[plateaus]" in ln)
    assert f"bad.yaml:{line}: item 'slow_landscape_features', field topics" in res.output


def test_key_is_deterministic_json() -> None:
    a, b = gd("key", "exit_ticket", "--student", "ana"), gd("key", "exit_ticket", "-s", "ana")
    assert a.exit_code == 0 and a.output == b.output
    data = json.loads(a.output)
    assert data["quiz"] == "exit_ticket" and data["student"] == "ana"
    large = next(i for i in data["items"] if i["id"] == "mini_exercise_large_lr")
    exact = oracles.call("quadratic_gd_iterates", x0=-6, lr=1.2, steps=2)
    assert large["answer"] == pytest.approx(exact, rel=1e-12) and large["answer"] == [8.4, -11.76]


def test_key_by_path_differs_between_students() -> None:
    path = QUIZ_DIR / "lr_rules.yaml"
    assert gd("key", path, "-s", "ana").output != gd("key", path, "-s", "ben").output


@pytest.mark.parametrize("fmt", ["md", "html", "ipynb"])
def test_render(fmt: str, tmp_path) -> None:
    out = tmp_path / f"quiz.{fmt}"
    res = gd("render", "gd_basics", "--student", "ana", "--format", fmt, "--out", out)
    assert res.exit_code == 0, res.output
    assert "update_one_weight" in out.read_text()


def test_render_unknown_format_and_quiz() -> None:
    assert gd("render", "gd_basics", "-s", "ana", "--format", "pdf").exit_code == 2
    res = gd("render", "nope", "-s", "ana")
    assert res.exit_code == 1 and "known ids" in res.output


def test_export_formats(tmp_path) -> None:
    students = SAMPLES / "students.csv"
    gift = gd("export", "gd_basics", "--format", "gift", "--students", students)
    assert gift.exit_code == 0 and "$CATEGORY: $course$/gdgrade/gd_basics/hal" in gift.output
    xml = tmp_path / "q.xml"
    assert gd("export", "gd_basics", "--format", "moodle-xml", "--out", xml).exit_code == 0
    assert xml.read_text().startswith("<?xml")
    qti = tmp_path / "q.zip"
    res = gd("export", "exit_ticket", "--format", "qti", "--students", students, "--out", qti)
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(io.BytesIO(qti.read_bytes())) as zf:
        names = zf.namelist()
    assert len([n for n in names if n.endswith("assessment_meta.xml")]) == 7
    assert len([n for n in names if n.endswith(".xml")]) == 1 + 2 * 7
    assert gd("export", "gd_basics", "--format", "docx").exit_code == 2


def test_grade_and_summary_on_the_samples(tmp_path) -> None:
    out = tmp_path / "graded"
    res = gd("grade", "gd_basics", SAMPLES / "gd_basics_responses.csv", "--out", out,
             "--students", SAMPLES / "students.csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "unknown_question" in res.output and "bonus_question" in res.output
    for name in ("results.json", "scores.csv", "issues.csv", "feedback/ana.md", "feedback/hal.md"):
        assert (out / name).is_file(), name
    summ = tmp_path / "summary"
    res = gd("summary", "exit_ticket", SAMPLES / "exit_ticket_responses.csv", "--out", summ)
    assert res.exit_code == 0, res.output
    for name in ("summary.md", "summary.html", "summary.png", "summary.json"):
        assert (summ / name).stat().st_size > 0, name
    assert (summ / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((summ / "summary.json").read_text())
    topics = {t["topic"]: t for t in data["topics"]}
    assert set(topics) == {"update_rule", "negative_gradient", "plateaus_saddles", "stability",
                           "loss_functions"}  # fmt: skip
    assert topics["update_rule"]["common_wrong"] == (
        "update_single_weight: Adding the gradient moves uphill and increases the loss; subtract it"
    )
    assert 0 < topics["stability"]["percent_correct"] < 100


def test_grade_bad_sheet_exits_1(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\n")
    res = gd("grade", "gd_basics", bad, "--out", tmp_path / "o")
    assert res.exit_code == 1 and "question_id" in res.output
