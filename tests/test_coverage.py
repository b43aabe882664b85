"""Every course topic is assessed by a graded check and by a quiz item (issue: coverage)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from grader.judging import registry
from grader.judging.check import Check
from grader.outputs import coverage
from grader.paths import COURSE_SOURCE


def test_all_24_topics_are_graded_and_quizzed() -> None:
    rows, problems = coverage.matrix(COURSE_SOURCE)
    assert problems == []
    assert len(rows) == 24
    assert all(r.graded and r.quizzed for r in rows)


def _course_with_topics(tmp_path: Path, drop: str | None = None) -> Path:
    course = tmp_path / "course"
    shutil.copytree(COURSE_SOURCE / "source", course / "source")
    data = yaml.safe_load((COURSE_SOURCE / "topics.yaml").read_text())
    if drop:
        data["topics"].pop(drop)
    (course / "topics.yaml").write_text(yaml.safe_dump(data))
    return course


def test_unknown_and_missing_topics_are_reported(tmp_path: Path) -> None:
    _, problems = coverage.matrix(_course_with_topics(tmp_path, drop=None))
    assert problems == []
    _, problems = coverage.matrix(_course_with_topics(tmp_path / "b", drop="plateaus_saddles"))
    assert "graded check gd_basics.saddle names unknown topic 'plateaus_saddles'" in problems
    assert any(p.startswith("quiz item") and "plateaus_saddles" in p for p in problems)


def test_a_check_without_topic_and_an_unassessed_topic_are_problems(tmp_path: Path) -> None:
    course = _course_with_topics(tmp_path)
    data = yaml.safe_load((course / "topics.yaml").read_text())
    data["topics"]["brand_new"] = {"title": "Something nobody assesses", "notes": "x.md"}
    (course / "topics.yaml").write_text(yaml.safe_dump(data))
    untagged = Check(
        id="gd_basics.untagged",
        name="untagged",
        points=1,
        request=lambda: None,
        judge=lambda r, e: None,
    )
    registry.register(untagged)
    try:
        _, problems = coverage.matrix(course)
    finally:
        registry.CHECKS.pop("gd_basics.untagged")
    assert "graded check gd_basics.untagged names no topic" in problems
    assert "topic brand_new has no graded item" in problems
    assert "topic brand_new has no quiz item" in problems


def test_cli_prints_the_matrix() -> None:
    out = subprocess.run(
        ["gdgrade", "coverage", "--format", "md"], capture_output=True, text=True, check=True
    ).stdout
    assert sum(line.startswith("| ") for line in out.splitlines()) == 25  # header + 24
    assert "gd_basics.saddle" in out
