"""The schedule families built from ``reference.schedules`` (``schedule``, ``time_based``,
``exponential``, ``warmup``, ``scaling``, ``range_lrs``).

Each family's ``run`` with every part at its default is the oracle each of lr_rules' checks
compares with. Each mistake added for issue 26 is written here as a student writes it (plain
code, not through the family), graded by the course's real check, and named exactly; two
readings with the same values are named together. A right answer in float32 is never
named."""

from __future__ import annotations

import textwrap
import warnings
from typing import Any

import numpy as np
import pytest

from grader.judging import registry
from grader.judging.check import run_in_process
from grader.judging.misconceptions import library

FAMILIES = ("schedule", "time_based", "exponential", "warmup", "scaling", "range_lrs")


def _grade(source: str, check_id: str):
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_in_process(check_id, namespace)


def _checks() -> list[str]:
    registry.load_assignment("lr_rules")
    return sorted(c.id for c in registry.CHECKS.values() if c.family and c.family[0] in FAMILIES)


# -- the default is the oracle ----------------------------------------------------------------


@pytest.mark.parametrize("check_id", _checks())
def test_the_default_run_is_the_checks_expected_value(check_id: str) -> None:
    check = registry.get(check_id)
    family, inputs = check.family
    want = np.asarray(check.answer().value, dtype=np.float64).ravel()
    got = np.asarray(library.SPACES[family](inputs), dtype=np.float64).ravel()
    assert np.array_equal(got, want), check_id


def test_every_schedule_family_of_lr_rules_is_checked_here() -> None:
    assert {registry.get(c).family[0] for c in _checks()} == set(FAMILIES) - {"range_lrs"}


def test_the_default_range_run_is_the_range_checks_reference() -> None:
    """The range test's check compares with the rates of a reference epoch cut at the
    explosion; the family's default run is that."""
    from grader.course.lr_rules import RANGE, RANGE_HYPER, RANGE_INPUTS
    from reference.schedules import range_test
    from reference.trainers import train_linear_regression

    start, end, b = RANGE_HYPER["lr_start"], RANGE_HYPER["lr_end"], RANGE_HYPER["batch_size"]
    rates = range_test(start, end, n_batches=13, losses=[1.0])[0]
    ref = train_linear_regression(
        RANGE["X"],
        RANGE["y"],
        w0=RANGE["w0"],
        b0=0.0,
        lr=start,
        batch_size=b,
        epochs=1,
        permutations=RANGE["permutations"],
        lr_schedule=lambda t: rates[t],
    )
    kept = range_test(start, end, n_batches=13, losses=ref.step_losses)[1]
    assert 1 < kept < 13  # the test stops inside the epoch: the stop rule matters
    assert np.array_equal(library.SPACES["range_lrs"](RANGE_INPUTS), ref.lrs[:kept])


def test_an_alternative_that_is_the_conventions_own_part_does_not_apply() -> None:
    """Where the notes' rule is asked, "the notes' formula" is no mistake, and the other way
    round: the family does not produce it."""
    from grader.judging.misconceptions.schedule import run
    from reference import schedules

    inputs = {"lr0": 0.1, "drop": 0.5, "every": 4, "n": 12}
    with pytest.raises(ValueError):
        run({**inputs, "convention": "notes"}, count=schedules.notes_count)
    with pytest.raises(ValueError):
        run({**inputs, "convention": "steplr"}, count=schedules.epochs_done)
    assert np.array_equal(
        run({**inputs, "convention": "steplr"}, count=schedules.notes_count),
        schedules.step_decay(0.1, drop=0.5, every=4, n=np.arange(12)),
    )


# -- new mistakes, written as students write them ---------------------------------------------

STEPLR = "lr_rules.step_lr"
NOTES = "lr_rules.step_decay_notes"

MISTAKES = [  # (mistake id, check, student's code)
    (
        "step_decay_no_floor",
        STEPLR,
        """
        def steplr_lrs(lr0, step_size, gamma, epochs):
            return [lr0 * gamma ** (n / step_size) for n in range(epochs)]
        """,
    ),
    (
        "step_decay_no_floor",
        NOTES,
        """
        def step_decay_lrs(lr0, drop, every, epochs):
            return [lr0 * drop ** ((1 + n) / every) for n in range(epochs)]
        """,
    ),
    (
        "step_decay_at_epoch_0",
        STEPLR,
        """
        def steplr_lrs(lr0, step_size, gamma, epochs):
            rates, lr = [], lr0
            for n in range(epochs):
                if n % step_size == 0:
                    lr = lr * gamma
                rates.append(lr)
            return rates
        """,
    ),
    (
        "step_decay_precedence",
        NOTES,
        """
        import math

        def step_decay_lrs(lr0, drop, every, epochs):
            return [lr0 * drop ** math.floor(1 + n / every) for n in range(epochs)]
        """,
    ),
    (
        "time_based_precedence",
        "lr_rules.time_based",
        """
        def time_based_lrs(lr0, decay, epochs):
            rates = [lr0]
            for n in range(epochs - 1):
                rates.append(rates[-1] / 1 + decay * n)
            return rates
        """,
    ),
    (
        "exponential_precedence",
        "lr_rules.exponential",
        """
        import math

        def exponential_lrs(lr0, k, epochs):
            return [lr0 * math.exp(-k) * n for n in range(epochs)]
        """,
    ),
    (
        "exponential_k_as_gamma",
        "lr_rules.exponential",
        """
        import torch

        def exponential_lrs(lr0, k, epochs):
            opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
            sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=k)
            rates = []
            for _ in range(epochs):
                rates.append(sched.get_last_lr()[0])
                opt.step()
                sched.step()
            return rates
        """,
    ),
    (
        "warmup_slope_without_1_minus_s",
        "lr_rules.warmup",
        """
        def warmup_lrs(lr0, warmup_steps, start_factor, steps):
            return [lr0 * (start_factor + min(t, warmup_steps) / warmup_steps)
                    for t in range(steps)]
        """,
    ),
    (
        "warmup_slope_without_1_minus_s_capped",
        "lr_rules.warmup",
        """
        def warmup_lrs(lr0, warmup_steps, start_factor, steps):
            out = []
            for t in range(steps):
                factor = start_factor + t / warmup_steps
                out.append(lr0 * min(factor, 1.0))
            return out
        """,
    ),
    (
        "warmup_precedence",
        "lr_rules.warmup",
        """
        def warmup_lrs(lr0, warmup_steps, start_factor, steps):
            return [lr0 * start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps
                    for t in range(steps)]
        """,
    ),
    (
        "scaling_integer_ratio",
        "lr_rules.linear_scaling",
        """
        def scale_lr(base_lr, base_batch, new_batch):
            k = new_batch // base_batch
            return base_lr * k
        """,
    ),
    (
        "scaling_floored",
        "lr_rules.linear_scaling",
        """
        def scale_lr(base_lr, base_batch, new_batch):
            return base_lr * new_batch // base_batch
        """,
    ),
    (
        "scaling_notes_base_32",
        "lr_rules.linear_scaling",
        """
        def scale_lr(base_lr, base_batch, new_batch):
            return base_lr * (new_batch / 32)
        """,
    ),
]

RANGE = """
import math
import numpy as np

def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    perm = np.asarray(order[0])
    n_batches = math.ceil(len(perm) / batch_size)
    gamma = (lr_end / lr_start) ** (1 / n_batches)
    w, b = np.array(w0, dtype=float), float(b0)
    lrs, losses = [], []
    for i in range(n_batches):
        idx = perm[i * batch_size : (i + 1) * batch_size]
        lr = lr_start * gamma ** i
        err = X[idx] @ w + b - y[idx]
        loss = float(np.mean(err ** 2))
        lrs.append(lr)
        losses.append(loss)
        w = w - lr * 2 * X[idx].T @ err / len(idx)
        b = b - lr * 2 * float(np.mean(err))
        if loss > 10 * losses[0]:
            break
    return {"lrs": lrs, "losses": losses}
"""


def _range(old: str, new: str) -> str:
    assert RANGE.count(old) == 1, old
    return RANGE.replace(old, new)


MISTAKES += [
    (
        "range_gamma_precedence",
        "lr_rules.range_test",
        _range("** (1 / n_batches)", "** 1 / n_batches"),
    ),
    (
        "range_exploding_batch_dropped",
        "lr_rules.range_test",
        _range(
            "        lrs.append(lr)\n        losses.append(loss)\n",
            "        if losses and loss > 10 * losses[0]:\n            break\n"
            "        lrs.append(lr)\n        losses.append(loss)\n",
        ),
    ),
    (
        "range_never_stops",
        "lr_rules.range_test",
        _range("        if loss > 10 * losses[0]:\n            break\n", ""),
    ),
]
COVERED = {m for m, *_ in MISTAKES} | {"step_decay_read_after_step"}
"""The mistake ids this file names through their real checks."""


def test_the_student_solution_here_is_right() -> None:
    result = _grade(RANGE, "lr_rules.range_test")
    assert result.status == "passed" and result.diagnosis is None, result.feedback


@pytest.mark.parametrize(("mistake_id", "check_id", "source"), MISTAKES)
def test_a_new_mistake_is_named_by_its_check(mistake_id: str, check_id: str, source: str) -> None:
    result = _grade(source, check_id)
    mistake = registry.MISCONCEPTIONS[mistake_id]
    assert result.status == "failed", result.feedback
    assert result.diagnosis is not None, result.feedback
    assert result.diagnosis.mistake == mistake_id, (result.diagnosis, result.feedback)
    assert result.diagnosis.title == mistake.title and result.diagnosis.fix == mistake.fix
    assert f"a known mistake: {mistake.title}" in result.feedback


def test_decay_at_epoch_0_is_not_told_a_derivative() -> None:
    """Issue 26's wrong cause: a StepLR that also decays at epoch 0 (every rate half the
    reference's) was told of a missing factor 2 from a derivative."""
    source = next(s for m, _, s in MISTAKES if m == "step_decay_at_epoch_0")
    result = _grade(source, STEPLR)
    assert "derivative" not in result.feedback and "factor 2" not in result.feedback


READ_AFTER_STEP = """
import torch

def steplr_lrs(lr0, step_size, gamma, epochs):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    rates = []
    for _ in range(epochs):
        opt.step()
        sched.step()
        rates.append(sched.get_last_lr()[0])
    return rates
"""
NOTES_FORMULA = """
import math

def steplr_lrs(lr0, step_size, gamma, epochs):
    return [lr0 * gamma ** math.floor((1 + n) / step_size) for n in range(epochs)]
"""


@pytest.mark.parametrize("source", [READ_AFTER_STEP, NOTES_FORMULA])
def test_the_rate_after_step_and_the_notes_formula_are_named_together(source: str) -> None:
    """The same values from two causes: both are named, and the feedback says the values
    cannot tell which."""
    result = _grade(source, STEPLR)
    after = registry.MISCONCEPTIONS["step_decay_read_after_step"]
    notes = registry.MISCONCEPTIONS["step_decay_notes_formula"]
    assert result.status == "failed" and result.diagnosis is not None, result.feedback
    title = result.diagnosis.title
    assert title.startswith(library.SAME_VALUES), title
    assert notes.title in title and after.title in title
    assert notes.fix in result.diagnosis.fix and after.fix in result.diagnosis.fix
    assert library.SAME_VALUES in result.feedback


def test_the_notes_formula_cites_the_notes() -> None:
    """A course trap names the notes' file and section and says why the task differs."""
    for mistake_id in ("step_decay_notes_formula", "scaling_notes_base_32"):
        fix = registry.MISCONCEPTIONS[mistake_id].fix
        assert "assignments/notes/" in fix and ".md" in fix, fix


# -- right answers in float32 -----------------------------------------------------------------


@pytest.mark.parametrize("check_id", _checks())
def test_a_right_answer_in_float32_is_never_named(check_id: str) -> None:
    check = registry.get(check_id)
    family, inputs = check.family
    answer = check.answer()
    want = np.asarray(answer.value, dtype=np.float64).ravel()
    student = want.astype(np.float32)
    found = library.diagnose(student, family, inputs, want, rtol=answer.rtol, atol=answer.atol)
    assert found.mistake is None, found.title
