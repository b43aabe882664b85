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
RTOL = 1e-12
n = np.arange(EPOCHS)
lrs = st.floats(1e-3, 1.0)


def torch_lrs(make, lr0: float, epochs: int = EPOCHS) -> np.ndarray:
    """get_last_lr() at n = 0..epochs-1 of scheduler ``make(opt)`` driving a real SGD."""
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr0)
    sched = make(opt)
    out = []
    for _ in range(epochs):
        out.append(sched.get_last_lr()[0])
        param.grad = torch.ones_like(param)
        opt.step()
        sched.step()
    return np.asarray(out, dtype=np.float64)


def close(ours: np.ndarray, theirs: np.ndarray, scale: np.ndarray | float | None = None) -> bool:
    """|ours - theirs| <= RTOL * scale, the scale being |theirs| unless given."""
    scale = np.abs(theirs) if scale is None else scale
    return bool(np.all(np.abs(ours - theirs) <= RTOL * scale))


@settings(max_examples=30, deadline=None)
@given(lr0=lrs, step=st.integers(1, 10), gamma=st.floats(0.05, 0.99))
def test_step_lr_matches_torch(lr0: float, step: int, gamma: float) -> None:
    theirs = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step, gamma), lr0)
    assert close(schedules.step_lr(lr0, step_size=step, gamma=gamma, n=n), theirs)


@settings(max_examples=30, deadline=None)
@given(lr0=lrs, every=st.integers(1, 10), drop=st.floats(0.05, 0.99))
def test_notes_step_decay_is_step_lr_one_epoch_ahead(lr0: float, every: int, drop: float) -> None:
    theirs = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, every, drop), lr0, EPOCHS + 1)
    assert close(schedules.step_decay(lr0, drop=drop, every=every, n=n), theirs[1:])


@settings(max_examples=30, deadline=None)
@given(lr0=lrs, k=st.floats(0.0, 0.5))
def test_exponential_matches_exponential_lr(lr0: float, k: float) -> None:
    theirs = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, math.exp(-k)), lr0)
    assert close(schedules.exponential(lr0, k=k, n=n), theirs)


@settings(max_examples=30, deadline=None)
@given(lr0=lrs, warm=st.integers(1, 15), start=st.floats(0.01, 1.0))
def test_linear_warmup_matches_linear_lr(lr0: float, warm: int, start: float) -> None:
    theirs = torch_lrs(
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start, 1.0, total_iters=warm), lr0
    )
    ours = schedules.linear_warmup(lr0, warmup_steps=warm, n=n, start_factor=start)
    assert close(ours, theirs)
    assert ours[0] == pytest.approx(lr0 * start, rel=RTOL) and np.all(ours[warm:] == lr0)


@settings(max_examples=30, deadline=None)
@given(lr0=lrs, t_max=st.integers(1, 30), eta_min=st.sampled_from([0.0, 1e-4, 1e-3]))
def test_cosine_matches_cosine_annealing(lr0: float, t_max: int, eta_min: float) -> None:
    make = lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, t_max, eta_min)  # noqa: E731
    theirs = torch_lrs(make, lr0)  # 40 epochs: past t_max, where the cosine climbs back
    ours = schedules.cosine(lr0, t_max=t_max, n=n, eta_min=eta_min)
    # relative to lr0: at n = t_max with eta_min = 0 the rate itself is 0 (up to rounding)
    assert close(ours, theirs, scale=lr0)


@settings(max_examples=30, deadline=None)
@given(lr0=lrs, decay=st.floats(0.0, 0.5))
def test_time_based_follows_its_recurrence(lr0: float, decay: float) -> None:
    rates = [lr0]
    for k in range(EPOCHS - 1):
        rates.append(rates[-1] / (1 + decay * k))
    ours = schedules.time_based(lr0, decay=decay, n=n)
    assert close(ours, np.asarray(rates))
    assert ours[1] == ours[0] == lr0  # the k = 0 factor is 1
    for m in (0, 1, 7, EPOCHS - 1):
        assert schedules.time_based(lr0, decay=decay, n=m) == pytest.approx(rates[m], rel=RTOL)


@pytest.mark.parametrize("every", [1, 2, 3, 5, 10])
def test_notes_step_decay_and_step_lr_differ_exactly_where_the_floors_do(every: int) -> None:
    notes = schedules.step_decay(0.1, drop=0.5, every=every, n=n)
    torch_rule = schedules.step_lr(0.1, step_size=every, gamma=0.5, n=n)
    differs = np.flatnonzero(notes != torch_rule).tolist()
    assert differs == [m for m in n if (1 + m) // every != m // every]
    assert differs == [m for m in n if (m + 1) % every == 0]  # the epoch before StepLR drops
    assert np.all(notes <= torch_rule)


def test_linear_scaling_rule() -> None:
    assert schedules.linear_scaling(0.1, base_batch=32, new_batch=128) == pytest.approx(0.4)
    assert schedules.linear_scaling(0.4, base_batch=128, new_batch=32) == pytest.approx(0.1)
    assert schedules.linear_scaling(0.1, base_batch=64, new_batch=64) == 0.1


SCHEDULES = [
    lambda m: schedules.time_based(0.1, decay=0.1, n=m),
    lambda m: schedules.step_decay(0.1, drop=0.5, every=3, n=m),
    lambda m: schedules.step_lr(0.1, step_size=3, gamma=0.5, n=m),
    lambda m: schedules.exponential(0.1, k=0.1, n=m),
    lambda m: schedules.linear_warmup(0.1, warmup_steps=4, n=m, start_factor=0.25),
    lambda m: schedules.cosine(0.1, t_max=10, n=m, eta_min=0.01),
]


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_scalar_in_float_out_and_array_in_array_out(schedule) -> None:
    arr = schedule(np.arange(12))
    assert arr.shape == (12,) and arr.dtype == np.float64
    for m in (0, 5, 11):
        assert type(schedule(m)) is float and schedule(m) == arr[m]
        assert type(schedule(np.int64(m))) is float
    assert np.array_equal(schedule(np.arange(12).reshape(3, 4)), arr.reshape(3, 4))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: schedules.time_based(0.0, decay=0.1, n=1), "lr0"),
        (lambda: schedules.time_based(0.1, decay=-0.1, n=1), "decay"),
        (lambda: schedules.step_decay(0.1, drop=0.5, every=0, n=1), "every"),
        (lambda: schedules.step_decay(0.1, drop=-0.5, every=2, n=1), "drop"),
        (lambda: schedules.step_lr(-1, step_size=2, gamma=0.5, n=1), "lr0"),
        (lambda: schedules.step_lr(0.1, step_size=0, gamma=0.5, n=1), "step_size"),
        (lambda: schedules.step_lr(0.1, step_size=2, gamma=0.0, n=1), "gamma"),
        (lambda: schedules.exponential(0.1, k=0.1, n=-1), "n"),
        (lambda: schedules.exponential(0.1, k=0.1, n=1.5), "n"),
        (lambda: schedules.exponential(0.1, k=0.1, n=np.array([0, -2])), "n"),
        (lambda: schedules.exponential(0.1, k=np.nan, n=1), "k"),
        (lambda: schedules.linear_scaling(0.1, base_batch=0, new_batch=2), "base_batch"),
        (lambda: schedules.linear_scaling(0.1, base_batch=2, new_batch=-2), "new_batch"),
        (lambda: schedules.linear_scaling(-0.1, base_batch=2, new_batch=2), "base_lr"),
        (lambda: schedules.linear_warmup(0.1, warmup_steps=0, n=1, start_factor=0.5), "warmup"),
        (lambda: schedules.linear_warmup(0.1, warmup_steps=5, n=1, start_factor=0), "start_factor"),
        (lambda: schedules.linear_warmup(0.1, warmup_steps=5, n=1, start_factor=2), "start_factor"),
        (lambda: schedules.cosine(0.1, t_max=0, n=1), "t_max"),
        (lambda: schedules.cosine(0.1, t_max=5, n=1, eta_min=-1e-3), "eta_min"),
    ],
)
def test_bad_arguments_name_the_argument(call, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call()
