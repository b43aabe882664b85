"""Learning-rate schedules: the learning rate at step (or epoch) n, counted from 0.

Every schedule takes ``n`` as a non-negative int (and returns a float) or an integer array
(and returns a float64 array of the same shape).

Step decay comes in two conventions that differ by one. The course notes write
eta_n = eta_0 * drop ** floor((1 + n) / r), so the first drop lands at n = r - 1; torch's
StepLR uses gamma ** floor(n / step_size), so its first drop lands at n = step_size.
``step_decay`` follows the notes and ``step_lr`` follows torch. With r = step_size the two
exponents differ exactly where floor((1 + n) / r) != floor(n / r), that is at n = r - 1,
2r - 1, ...: the last epoch before each of StepLR's drops, where the notes have already
dropped (for r = 1 that is every epoch).

Each schedule is written as small named parts (the count the formula uses at epoch n, the
number of drops, the decay factor, the warm-up's progress, ...) gathered in a frozen
``<Name>Parts`` dataclass whose defaults are the textbook functions below (``TIME_BASED``,
``STEP_LR``, ``NOTES_STEP``, ``EXPONENTIAL``, ``WARMUP``, ``SCALING``, ``RANGE_TEST``); the
grader swaps one part for a known alternative to reproduce a student's mistake
(``grader.judging.misconceptions.rates`` and ``.schedule``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reference import _checks

Steps = int | np.ndarray


def _n(n: Steps) -> np.ndarray:
    """n as an int64 array, rejecting negative or non-integer steps."""
    arr = np.asarray(n)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ValueError(f"n must be a non-negative integer or integer array, got {n!r}")
    return arr.astype(np.int64)


def _out(value: np.ndarray, n: Steps) -> float | np.ndarray:
    """A float for a scalar n, a float64 array for an array n."""
    return float(value) if np.ndim(n) == 0 else np.asarray(value).astype(np.float64)


def epochs_done(n: np.ndarray) -> np.ndarray:
    """The count a schedule uses at epoch (or step) n: the n completed before it."""
    return n


# -- time-based decay -------------------------------------------------------------------------


def previous_rate(rates: list[float], lr0: float) -> float:
    """The rate the next one is computed from: the previous one (a recursion)."""
    return rates[-1]


def time_step(rate: float, decay: float, k: int) -> float:
    """Epoch k + 1's rate from epoch k's: rate / (1 + decay * k)."""
    return rate / (1 + decay * k)


@dataclass(frozen=True)
class TimeBasedParts:
    """The parts of ``time_based``; the defaults are the notes' recursion."""

    source: Callable[[list[float], float], float] = previous_rate
    step: Callable[[float, float, int], float] = time_step


TIME_BASED = TimeBasedParts()


def time_based(
    lr0: float, *, decay: float, n: Steps, parts: TimeBasedParts = TIME_BASED
) -> float | np.ndarray:
    """Time-based decay: eta_0 = lr0 and eta_{k+1} = eta_k / (1 + decay * k).

    Computed by the recursion up to max(n). The k = 0 factor is 1, so eta_1 = eta_0: the
    decay first shows at n = 2.
    """
    _checks.positive("lr0", lr0)
    _checks.non_negative("decay", decay)
    steps = _n(n)
    top = int(steps.max()) if steps.size else 0
    rates = [float(lr0)]
    for k in range(top):
        rates.append(parts.step(parts.source(rates, lr0), decay, k))
    return _out(np.asarray(rates, dtype=np.float64)[steps], n)


# -- step decay -------------------------------------------------------------------------------


def notes_count(n: np.ndarray) -> np.ndarray:
    """The notes' count at epoch n: 1 + n (their first drop lands at n = every - 1)."""
    return 1 + n


def drops(count: np.ndarray, every: int) -> np.ndarray:
    """How many drops the rate has had: floor(count / every)."""
    return count // every


def decayed(lr0: float, factor: float, dropped: np.ndarray) -> np.ndarray:
    """lr0 after that many drops: lr0 * factor ** dropped."""
    return lr0 * factor**dropped


@dataclass(frozen=True)
class StepParts:
    """The parts of step decay; the defaults are torch's StepLR (``STEP_LR``)."""

    count: Callable[[np.ndarray], np.ndarray] = epochs_done
    drops: Callable[[np.ndarray, int], np.ndarray] = drops
    rate: Callable[[float, float, np.ndarray], np.ndarray] = decayed


STEP_LR = StepParts()
"""torch's StepLR: lr0 * gamma ** floor(n / step_size)."""
NOTES_STEP = StepParts(count=notes_count)
"""The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""


def step_decay(
    lr0: float, *, drop: float, every: int, n: Steps, parts: StepParts = NOTES_STEP
) -> float | np.ndarray:
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every) (first drop at n = every - 1)."""
    _checks.positive("lr0", lr0)
    _checks.positive("drop", drop)
    _checks.count("every", every, minimum=1)
    return _out(parts.rate(lr0, drop, parts.drops(parts.count(_n(n)), every)), n)


def step_lr(
    lr0: float, *, step_size: int, gamma: float, n: Steps, parts: StepParts = STEP_LR
) -> float | np.ndarray:
    """torch's StepLR: lr0 * gamma ** floor(n / step_size) (first drop at n = step_size)."""
    _checks.positive("lr0", lr0)
    _checks.positive("gamma", gamma)
    _checks.count("step_size", step_size, minimum=1)
    return _out(parts.rate(lr0, gamma, parts.drops(parts.count(_n(n)), step_size)), n)


# -- exponential decay ------------------------------------------------------------------------


def exp_factor(k: float, count: np.ndarray) -> np.ndarray:
    """The decay factor after ``count`` epochs: exp(-k * count)."""
    return np.exp(-k * count)


@dataclass(frozen=True)
class ExponentialParts:
    """The parts of ``exponential``; the defaults are torch's ExponentialLR(exp(-k))."""

    count: Callable[[np.ndarray], np.ndarray] = epochs_done
    factor: Callable[[float, np.ndarray], np.ndarray] = exp_factor


EXPONENTIAL = ExponentialParts()


def exponential(
    lr0: float, *, k: float, n: Steps, parts: ExponentialParts = EXPONENTIAL
) -> float | np.ndarray:
    """Exponential decay: lr0 * exp(-k * n), torch's ExponentialLR with gamma = exp(-k)."""
    _checks.positive("lr0", lr0)
    _checks.non_negative("k", k)
    return _out(lr0 * parts.factor(k, parts.count(_n(n))), n)


# -- linear scaling ---------------------------------------------------------------------------


def batch_ratio(base_batch: int, new_batch: int) -> float:
    """How many times larger the new batch is: new_batch / base_batch."""
    return new_batch / base_batch


def scaled(base_lr: float, ratio: float) -> float:
    """The rate scaled by the batch ratio: base_lr * ratio."""
    return base_lr * ratio


@dataclass(frozen=True)
class ScalingParts:
    """The parts of ``linear_scaling``; the defaults are the linear scaling rule."""

    ratio: Callable[[int, int], float] = batch_ratio
    rate: Callable[[float, float], float] = scaled


SCALING = ScalingParts()


def linear_scaling(
    base_lr: float, *, base_batch: int, new_batch: int, parts: ScalingParts = SCALING
) -> float:
    """Linear scaling rule: base_lr * new_batch / base_batch (k times the batch, k times the lr)."""
    _checks.positive("base_lr", base_lr)
    _checks.count("base_batch", base_batch, minimum=1)
    _checks.count("new_batch", new_batch, minimum=1)
    return float(parts.rate(base_lr, parts.ratio(base_batch, new_batch)))


# -- linear warm-up ---------------------------------------------------------------------------


def warmup_progress(count: np.ndarray, warmup_steps: int) -> np.ndarray:
    """The share of the warm-up done: min(count, warmup_steps) / warmup_steps."""
    return np.minimum(count, warmup_steps) / warmup_steps


def warmup_rate(lr0: float, start_factor: float, progress: np.ndarray) -> np.ndarray:
    """lr0 times a factor growing from start_factor to 1: start_factor + (1 - start_factor) *
    progress."""
    return lr0 * (start_factor + (1 - start_factor) * progress)


@dataclass(frozen=True)
class WarmupParts:
    """The parts of ``linear_warmup``; the defaults are torch's LinearLR."""

    count: Callable[[np.ndarray], np.ndarray] = epochs_done
    progress: Callable[[np.ndarray, int], np.ndarray] = warmup_progress
    rate: Callable[[float, float, np.ndarray], np.ndarray] = warmup_rate


WARMUP = WarmupParts()


def linear_warmup(
    lr0: float,
    *,
    warmup_steps: int,
    n: Steps,
    start_factor: float,
    parts: WarmupParts = WARMUP,
) -> float | np.ndarray:
    """Linear warm-up: lr0 * (s + (1 - s) * min(n, warmup_steps) / warmup_steps), s = start_factor.

    The closed form of torch's LinearLR(start_factor, end_factor=1, total_iters=warmup_steps),
    which torch computes recursively; 0 < start_factor <= 1 as torch requires.
    """
    _checks.positive("lr0", lr0)
    _checks.count("warmup_steps", warmup_steps, minimum=1)
    if not 0 < start_factor <= 1:
        raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")
    progress = parts.progress(parts.count(_n(n)), warmup_steps)
    return _out(parts.rate(lr0, start_factor, progress), n)


def cosine(lr0: float, *, t_max: int, n: Steps, eta_min: float = 0.0) -> float | np.ndarray:
    """Cosine annealing: eta_min + (lr0 - eta_min) * (1 + cos(pi * n / t_max)) / 2.

    The closed form of torch's CosineAnnealingLR(t_max, eta_min), which torch computes
    recursively; it reaches eta_min at n = t_max and climbs back after it (period 2 * t_max).
    """
    _checks.positive("lr0", lr0)
    _checks.count("t_max", t_max, minimum=1)
    _checks.non_negative("eta_min", eta_min)
    return _out(eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * _n(n) / t_max)) / 2, n)


# -- the learning-rate range test -------------------------------------------------------------


def all_batches(n_batches: int) -> int:
    """The batches the growth is spread over: all n_batches of the epoch."""
    return n_batches


def growth(lr_start: float, lr_end: float, batches: int) -> float:
    """The factor the rate grows by per batch: (lr_end / lr_start) ** (1 / batches)."""
    return (lr_end / lr_start) ** (1 / batches)


def grown(lr_start: float, gamma: float, i: np.ndarray) -> np.ndarray:
    """Batch i's rate: lr_start * gamma ** i (ExponentialLR read before its step)."""
    return lr_start * gamma**i


def kept_until_explosion(losses: np.ndarray, explode: float) -> int:
    """How many batches the test keeps: up to and including the first whose loss exceeds
    ``explode`` times the first batch's, or all of them."""
    over = np.flatnonzero(losses > explode * losses[0])
    return int(over[0]) + 1 if len(over) else len(losses)


@dataclass(frozen=True)
class RangeParts:
    """The parts of ``range_test``; the defaults are the notes' ``find_lr``."""

    batches: Callable[[int], int] = all_batches
    growth: Callable[[float, float, int], float] = growth
    rate: Callable[[float, float, np.ndarray], np.ndarray] = grown
    kept: Callable[[np.ndarray, float], int] = kept_until_explosion


RANGE_TEST = RangeParts()


def range_test(
    lr_start: float,
    lr_end: float,
    *,
    n_batches: int,
    losses: np.ndarray,
    explode: float = 10.0,
    parts: RangeParts = RANGE_TEST,
) -> tuple[np.ndarray, int]:
    """The learning-rate range test's rates and how many batches it keeps (the notes' find_lr).

    1. batch i uses lr_start * gamma ** i, gamma = (lr_end / lr_start) ** (1 / n_batches), with
       n_batches = ceil(N / B), the short last batch counted (len of the DataLoader);
    2. ``losses`` are the batch losses of that run; the test stops after the first batch whose
       loss exceeds ``explode`` times the first batch's, that batch included.
    Returns (rates of all n_batches batches, number of batches kept).
    """
    _checks.positive("lr_start", lr_start)
    _checks.count("n_batches", n_batches, minimum=1)
    gamma = parts.growth(lr_start, lr_end, parts.batches(n_batches))
    rates = parts.rate(lr_start, gamma, np.arange(n_batches, dtype=np.float64))
    kept = parts.kept(np.asarray(losses, dtype=np.float64), explode)
    return np.asarray(rates, dtype=np.float64), kept
