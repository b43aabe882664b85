"""Shared fixtures for the engine tests: test-only checks and one warm sandbox."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader.judging.builders import trainer_check
from grader.sandbox.execution import SandboxLimits
from grader.sandbox.pool import Sandbox

FILES = Path(__file__).parent.parent / "files"
TRAINERS = FILES / "trainers"

CHECKS = {
    "fixture.trainer": {"lr": 0.02, "batch_size": 8, "epochs": 3},
    "fixture.trainer_scaled": {"base_lr": 0.01, "base_batch": 4, "batch_size": 16, "epochs": 3},
    "fixture.trainer_accum": {"lr": 0.02, "batch_size": 4, "epochs": 3, "accumulation_steps": 3},
    "fixture.trainer_momentum_wd": {
        "lr": 0.02,
        "batch_size": 8,
        "epochs": 3,
        "momentum": 0.9,
        "weight_decay": 0.1,
    },
}
for _id, _hyper in CHECKS.items():
    trainer_check(_id, name="mini-batch trainer", points=4, target="train", hyper=_hyper, seed=7)
trainer_check(
    "fixture.trainer_record",
    name="trainer (own shuffle)",
    points=4,
    target="train",
    hyper={"lr": 0.02, "batch_size": 8, "epochs": 3},
    seed=7,
    record=True,
)


def notebook(code: str, check_ids: list[str], points: float = 4) -> nbformat.NotebookNode:
    """A source-style notebook: one answer cell with ``code``, one test cell per check."""
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell(code)
    answer.metadata["nbgrader"] = {
        "grade_id": "answer",
        "solution": True,
        "grade": False,
        "locked": False,
        "schema_version": 3,
    }
    nb.cells.append(answer)
    for i, cid in enumerate(check_ids):
        cell = nbformat.v4.new_code_cell(f'from grader import check\ncheck("{cid}", globals())')
        cell.metadata["nbgrader"] = {
            "grade_id": f"test_{i}",
            "grade": True,
            "solution": False,
            "locked": True,
            "points": points,
            "schema_version": 3,
        }
        nb.cells.append(cell)
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="session")
def sandbox():
    with Sandbox(
        workers=1, limits=SandboxLimits(cell_timeout=5, total_timeout=30, memory_mb=1024)
    ) as sb:
        yield sb
