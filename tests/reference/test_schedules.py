"""reference.schedules against torch.optim.lr_scheduler, and the notes' conventions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import schedules

EPOCHS = 40


def torch_lrs(make, lr0: float, epochs: int = EPOCHS) -> np.ndarray:
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr0)
    sched = make(opt)
    out = []
    for _ in range(epochs):
        out.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return np.asarray(out)


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.abs(a - b) <= 1e-12 * np.abs(b) + 1e-300))


n = np.arange(EPOCHS)


@settings(max_examples=30, deadline=None)
@given(lr0=st.floats(1e-3, 1.0), step=st.integers(1, 10), gamma=st.floats(0.05, 0.99))
def test_step_lr_matches_torch(lr0: float, step: int, gamma: float) -> None:
    theirs = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step, gamma), lr0)
    assert close(schedules.step_lr(lr0, step_size=step, gamma=gamma, n=n), theirs)


@settings(max_examples=30, deadline=None)
@given(lr0=st.floats(1e-3, 1.0), k=st.floats(0.0, 0.5))
def test_exponential_matches_torch(lr0: float, k: float) -> None:
    theirs = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, math.exp(-k)), lr0)
    assert np.allclose(schedules.exponential(lr0, k=k, n=n), theirs, rtol=1e-12, atol=0)


@settings(max_examples=30, deadline=None)
@given(lr0=st.floats(1e-3, 1.0), warm=st.integers(1, 15), start=st.floats(0.01, 1.0))
def test_linear_warmup_matches_linear_lr(lr0: float, warm: int, start: float) -> None:
    theirs = torch_lrs(
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start, 1.0, total_iters=warm), lr0
    )
    ours = schedules.linear_warmup(lr0, warmup_steps=warm, n=n, start_factor=start)
    assert np.allclose(ours, theirs, rtol=1e-12, atol=0)


@settings(max_examples=30, deadline=None)
@given(lr0=st.floats(1e-3, 1.0), t_max=st.integers(1, 60), eta_min=st.floats(0, 1e-3))
def test_cosine_matches_cosine_annealing(lr0: float, t_max: int, eta_min: float) -> None:
    make = lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, t_max, eta_min)  # noqa: E731
    theirs = torch_lrs(make, lr0)
    ours = schedules.cosine(lr0, t_max=t_max, n=n, eta_min=eta_min)
    assert np.allclose(ours, theirs, rtol=1e-10, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(lr0=st.floats(1e-3, 1.0), decay=st.floats(0.0, 0.5))
def test_time_based_follows_its_recurrence(lr0: float, decay: float) -> None:
    rates = [lr0]
    for k in range(EPOCHS - 1):
        rates.append(rates[-1] / (1 + decay * k))
    assert close(schedules.time_based(lr0, decay=decay, n=n), np.asarray(rates))
    assert schedules.time_based(lr0, decay=decay, n=3) == pytest.approx(rates[3], rel=1e-12)


@pytest.mark.parametrize("every", [1, 2, 3, 5, 10])
def test_notes_step_decay_drops_one_epoch_before_step_lr(every: int) -> None:
    notes = schedules.step_decay(0.1, drop=0.5, every=every, n=n)
    torch_rule = schedules.step_lr(0.1, step_size=every, gamma=0.5, n=n)
    differs = np.flatnonzero(notes != torch_rule)
    expected = [m for m in n if (1 + m) // every != m // every]
    assert differs.tolist() == expected
    assert np.all(notes <= torch_rule)


def test_linear_scaling_rule() -> None:
    assert schedules.linear_scaling(0.1, base_batch=32, new_batch=128) == pytest.approx(0.4)
    assert schedules.linear_scaling(0.4, base_batch=128, new_batch=32) == pytest.approx(0.1)


def test_scalar_in_scalar_out() -> None:
    assert isinstance(schedules.exponential(0.1, k=0.1, n=3), float)
    assert schedules.exponential(0.1, k=0.1, n=np.arange(3)).shape == (3,)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: schedules.step_lr(-1, step_size=2, gamma=0.5, n=1), "lr0"),
        (lambda: schedules.step_lr(0.1, step_size=0, gamma=0.5, n=1), "step_size"),
        (lambda: schedules.exponential(0.1, k=0.1, n=-1), "n"),
        (lambda: schedules.linear_scaling(0.1, base_batch=0, new_batch=2), "base_batch"),
        (lambda: schedules.step_decay(0.1, drop=0.5, every=0, n=1), "every"),
    ],
)
def test_bad_arguments_name_the_argument(call, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call()
