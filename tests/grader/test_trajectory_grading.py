"""Trainers graded by what they do: three correct styles pass, each mistake is diagnosed,
and the verdict is the same in one process and through the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.judging.check import run_in_process
from grader.pipeline.grade import grade_notebook

from .conftest import TRAINERS, notebook, write

CASES = [
    ("correct_loop", "fixture.trainer", None),
    ("correct_dataloader", "fixture.trainer", None),
    ("correct_numpy", "fixture.trainer", None),
    ("unusual_float32", "fixture.trainer", None),
    ("correct_loop", "fixture.trainer_momentum_wd", None),
    ("correct_dataloader", "fixture.trainer_momentum_wd", None),
    ("correct_numpy", "fixture.trainer_momentum_wd", None),
    ("correct_scaled", "fixture.trainer_scaled", None),
    ("correct_accumulation", "fixture.trainer_accum", None),
    ("correct_record_own_shuffle", "fixture.trainer_record", None),
    ("mistake_no_zero_grad", "fixture.trainer", "no_zero_grad"),
    ("mistake_no_shuffle", "fixture.trainer", "no_shuffle"),
    ("mistake_sum_not_mean", "fixture.trainer", "sum_not_mean"),
    ("mistake_sign_error", "fixture.trainer", "sign_error"),
    ("mistake_lr_not_scaled", "fixture.trainer_scaled", "lr_not_scaled"),
    ("mistake_loss_not_divided_by_k", "fixture.trainer_accum", "loss_not_divided_by_k"),
    (
        "mistake_weight_decay_after_momentum",
        "fixture.trainer_momentum_wd",
        "weight_decay_after_momentum",
    ),
]


def expected_from_header(name: str) -> tuple[bool, str | None]:
    header = (TRAINERS / f"{name}.py").read_text().splitlines()[0]
    full = "full marks" in header
    mistake = header.split("diagnosis ")[1].split()[0] if "diagnosis " in header else None
    return full, mistake


@pytest.mark.parametrize(("name", "check_id", "mistake"), CASES)
def test_sandboxed_verdict_and_diagnosis(name, check_id, mistake, sandbox, tmp_path: Path):
    full, header_mistake = expected_from_header(name)
    assert header_mistake == mistake, "fixture header and test table disagree"
    code = (TRAINERS / f"{name}.py").read_text()
    path = write(notebook(code, [check_id]), tmp_path / "nb.ipynb")
    result, executed = grade_notebook(
        path, path, student="s", assignment="fixture", sandbox=sandbox
    )
    [chk] = result.checks
    if full:
        assert chk.status == "passed", chk.feedback
        assert result.score == result.max_score == 4
        assert chk.diagnosis is None
    else:
        assert chk.status == "failed" and result.score == 0
        assert "differs from the reference at step" in chk.feedback
        assert chk.diagnosis is not None
        assert mistake in [chk.diagnosis.mistake, *chk.diagnosis.candidates]
        assert set(chk.plot.series) == {"student", "reference", "known mistake"}
    assert executed is not None


@pytest.mark.parametrize(("name", "check_id", "mistake"), CASES)
def test_same_verdict_in_process(name, check_id, mistake, sandbox, tmp_path: Path):
    code = (TRAINERS / f"{name}.py").read_text()
    namespace: dict = {}
    exec(compile(code, name, "exec"), namespace)
    local = run_in_process(check_id, namespace)
    path = write(notebook(code, [check_id]), tmp_path / "nb.ipynb")
    result, _ = grade_notebook(path, path, student="s", assignment="fixture", sandbox=sandbox)
    [remote] = result.checks
    assert (local.status, local.points) == (remote.status, remote.points)
    assert (local.diagnosis and local.diagnosis.mistake) == (
        remote.diagnosis and remote.diagnosis.mistake
    )


ONE_SHUFFLE_REUSED = """
import torch
from torch.utils.data import DataLoader


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    order = torch.randperm(len(X), generator=torch.Generator().manual_seed(3)).tolist()
    loader = DataLoader(X, batch_size=batch_size, sampler=order)  # the same order every epoch
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = ((xb @ w + b - yb) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
"""


def test_sandboxed_record_check_fails_a_trainer_that_never_reshuffles(sandbox, tmp_path: Path):
    path = write(notebook(ONE_SHUFFLE_REUSED, ["fixture.trainer_record"]), tmp_path / "nb.ipynb")
    result, _ = grade_notebook(path, path, student="s", assignment="fixture", sandbox=sandbox)
    [chk] = result.checks
    assert chk.status == "failed" and result.score == 0, chk.feedback
    assert "same order in every epoch" in chk.feedback and "never reshuffles" in chk.feedback
    assert chk.diagnosis is not None and chk.diagnosis.mistake == "no_shuffle"
