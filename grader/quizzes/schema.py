"""quizzes/schema.json: the JSON Schema of the bank format, generated from ``models.Quiz``."""

from __future__ import annotations

import json
from pathlib import Path

from grader.quizzes.bank import QUIZ_DIR
from grader.quizzes.models import Quiz

SCHEMA_FILE = QUIZ_DIR / "schema.json"


def generate() -> str:
    """The schema as stable, indented JSON text (what quizzes/schema.json must hold)."""
    schema = Quiz.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "gdgrade-quiz-bank.schema.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write(path: Path = SCHEMA_FILE) -> Path:
    """Regenerate the schema file."""
    path.write_text(generate(), encoding="utf-8")
    return path
