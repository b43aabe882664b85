"""Fixtures for the quiz tests: every bank loaded once, and the sample sheets."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.paths import QUIZ_DIR
from grader.quizzes import bank
from grader.quizzes.models import Quiz

SAMPLES = QUIZ_DIR / "samples"


@pytest.fixture(scope="session")
def quizzes() -> dict[str, Quiz]:
    """Every bank in quizzes/, by id."""
    return {q.id: q for q in bank.load_all()}


@pytest.fixture(scope="session")
def topics() -> dict[str, str]:
    """The course topics."""
    return bank.load_topics()


@pytest.fixture
def write_bank(tmp_path: Path):
    """Write YAML text to a bank file and return its path."""

    def write(text: str, name: str = "bank.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
