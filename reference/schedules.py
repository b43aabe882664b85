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
"""

from __future__ import annotations

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
    return float(value) if np.ndim(n) == 0 else value.astype(np.float64)


def time_based(lr0: float, *, decay: float, n: Steps) -> float | np.ndarray:
    """Time-based decay: eta_0 = lr0 and eta_{k+1} = eta_k / (1 + decay * k).

    Unrolled, eta_n = lr0 / prod_{k=0}^{n-1} (1 + decay * k), computed with one cumulative
    product up to max(n). The k = 0 factor is 1, so eta_1 = eta_0: the decay first shows at n = 2.
    """
    _checks.positive("lr0", lr0)
    _checks.non_negative("decay", decay)
    steps = _n(n)
    top = int(steps.max()) if steps.size else 0
    factors = np.concatenate([[1.0], np.cumprod(1.0 + decay * np.arange(top))])
    return _out(lr0 / factors[steps], n)


def step_decay(lr0: float, *, drop: float, every: int, n: Steps) -> float | np.ndarray:
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every) (first drop at n = every - 1)."""
    _checks.positive("lr0", lr0)
    _checks.positive("drop", drop)
    _checks.count("every", every, minimum=1)
    return _out(lr0 * drop ** ((1 + _n(n)) // every), n)


def step_lr(lr0: float, *, step_size: int, gamma: float, n: Steps) -> float | np.ndarray:
    """torch's StepLR: lr0 * gamma ** floor(n / step_size) (first drop at n = step_size)."""
    _checks.positive("lr0", lr0)
    _checks.positive("gamma", gamma)
    _checks.count("step_size", step_size, minimum=1)
    return _out(lr0 * gamma ** (_n(n) // step_size), n)


def exponential(lr0: float, *, k: float, n: Steps) -> float | np.ndarray:
    """Exponential decay: lr0 * exp(-k * n), torch's ExponentialLR with gamma = exp(-k)."""
    _checks.positive("lr0", lr0)
    _checks.non_negative("k", k)
    return _out(lr0 * np.exp(-k * _n(n)), n)


def linear_scaling(base_lr: float, *, base_batch: int, new_batch: int) -> float:
    """Linear scaling rule: base_lr * new_batch / base_batch (k times the batch, k times the lr)."""
    _checks.positive("base_lr", base_lr)
    _checks.count("base_batch", base_batch, minimum=1)
    _checks.count("new_batch", new_batch, minimum=1)
    return float(base_lr * new_batch / base_batch)


def linear_warmup(
    lr0: float, *, warmup_steps: int, n: Steps, start_factor: float
) -> float | np.ndarray:
    """Linear warm-up: lr0 * (s + (1 - s) * min(n, warmup_steps) / warmup_steps), s = start_factor.

    The closed form of torch's LinearLR(start_factor, end_factor=1, total_iters=warmup_steps),
    which torch computes recursively; 0 < start_factor <= 1 as torch requires.
    """
    _checks.positive("lr0", lr0)
    _checks.count("warmup_steps", warmup_steps, minimum=1)
    if not 0 < start_factor <= 1:
        raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")
    frac = np.minimum(_n(n), warmup_steps) / warmup_steps
    return _out(lr0 * (start_factor + (1 - start_factor) * frac), n)


def cosine(lr0: float, *, t_max: int, n: Steps, eta_min: float = 0.0) -> float | np.ndarray:
    """Cosine annealing: eta_min + (lr0 - eta_min) * (1 + cos(pi * n / t_max)) / 2.

    The closed form of torch's CosineAnnealingLR(t_max, eta_min), which torch computes
    recursively; it reaches eta_min at n = t_max and climbs back after it (period 2 * t_max).
    """
    _checks.positive("lr0", lr0)
    _checks.count("t_max", t_max, minimum=1)
    _checks.non_negative("eta_min", eta_min)
    return _out(eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * _n(n) / t_max)) / 2, n)


def range_test(
    lr_start: float, lr_end: float, *, n_batches: int, losses: np.ndarray, explode: float = 10.0
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
    gamma = (lr_end / lr_start) ** (1 / n_batches)
    rates = lr_start * gamma ** np.arange(n_batches, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    over = np.flatnonzero(losses > explode * losses[0])
    return rates, int(over[0]) + 1 if len(over) else len(losses)
