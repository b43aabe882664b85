"""Learning-rate schedules: the learning rate at step (or epoch) n, for an int or an array.

Step decay, two conventions. The course notes write eta_n = eta_0 * drop**floor((1 + n) / r),
so the first drop happens at n = r - 1. torch's StepLR uses gamma**floor(n / step_size): the
first drop happens at n = step_size. ``step_decay`` follows the notes, ``step_lr`` follows
torch; the two agree except at the last epoch before each of torch's drops, where the notes'
rate has already dropped one epoch early.
"""

from __future__ import annotations

import numpy as np

from reference import _checks

Steps = int | np.ndarray


def _n(n: Steps) -> np.ndarray:
    arr = np.asarray(n)
    if arr.dtype.kind not in "iu" or np.any(arr < 0):
        raise ValueError(f"n must be a non-negative integer or integer array, got {n!r}")
    return arr.astype(np.int64)


def _out(value: np.ndarray, n: Steps) -> float | np.ndarray:
    return float(value) if np.ndim(n) == 0 else value.astype(np.float64)


def time_based(lr0: float, *, decay: float, n: Steps) -> float | np.ndarray:
    """eta_0 = lr0, eta_{k+1} = eta_k / (1 + decay * k): eta_n = lr0 / prod_{k<n}(1 + decay k).

    The k = 0 factor is 1, so eta_1 = eta_0; the decay starts from the second update.
    """
    _checks.positive("lr0", lr0)
    _checks.non_negative("decay", decay)
    steps = _n(n)
    top = int(steps.max()) if steps.size else 0
    factors = np.concatenate([[1.0], np.cumprod(1.0 + decay * np.arange(top))])
    return _out(lr0 / factors[steps], n)


def step_decay(lr0: float, *, drop: float, every: int, n: Steps) -> float | np.ndarray:
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    _checks.positive("lr0", lr0)
    _checks.positive("drop", drop)
    _checks.count("every", every, minimum=1)
    return _out(lr0 * drop ** np.floor((1 + _n(n)) / every), n)


def step_lr(lr0: float, *, step_size: int, gamma: float, n: Steps) -> float | np.ndarray:
    """torch.optim.lr_scheduler.StepLR: lr0 * gamma ** floor(n / step_size)."""
    _checks.positive("lr0", lr0)
    _checks.positive("gamma", gamma)
    _checks.count("step_size", step_size, minimum=1)
    return _out(lr0 * gamma ** (_n(n) // step_size), n)


def exponential(lr0: float, *, k: float, n: Steps) -> float | np.ndarray:
    """lr0 * exp(-k * n); torch's ExponentialLR with gamma = exp(-k)."""
    _checks.positive("lr0", lr0)
    _checks.non_negative("k", k)
    return _out(lr0 * np.exp(-k * _n(n)), n)


def linear_scaling(base_lr: float, *, base_batch: int, new_batch: int) -> float:
    """The linear scaling rule: base_lr * new_batch / base_batch."""
    _checks.positive("base_lr", base_lr)
    _checks.count("base_batch", base_batch, minimum=1)
    _checks.count("new_batch", new_batch, minimum=1)
    return base_lr * new_batch / base_batch


def linear_warmup(
    lr0: float, *, warmup_steps: int, n: Steps, start_factor: float
) -> float | np.ndarray:
    """torch LinearLR(start_factor, end_factor=1, total_iters=warmup_steps) in closed form:
    lr0 * (start_factor + (1 - start_factor) * min(n, warmup_steps) / warmup_steps)."""
    _checks.positive("lr0", lr0)
    _checks.count("warmup_steps", warmup_steps, minimum=1)
    if not 0 < start_factor <= 1:
        raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")
    frac = np.minimum(_n(n), warmup_steps) / warmup_steps
    return _out(lr0 * (start_factor + (1 - start_factor) * frac), n)


def cosine(lr0: float, *, t_max: int, n: Steps, eta_min: float = 0.0) -> float | np.ndarray:
    """torch CosineAnnealingLR closed form: eta_min + (lr0 - eta_min)(1 + cos(pi n / t_max)) / 2."""
    _checks.positive("lr0", lr0)
    _checks.count("t_max", t_max, minimum=1)
    _checks.non_negative("eta_min", eta_min)
    return _out(eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * _n(n) / t_max)) / 2, n)
