"""Mistakes of lr_rules' learning rates: time-based, exponential and warm-up schedules, the
linear scaling rule and the rates of the learning-rate range test.

Each family's ``run`` is its oracle in ``reference.schedules`` called with the check's inputs
and some of its parts swapped; a mistake is a known alternative for a part. Families and
their inputs (the check's own arguments):

* ``time_based``: eta_0..eta_{n-1} of eta_{k+1} = eta_k / (1 + decay * k); ``lr0, decay, n``.
* ``exponential``: lr0 * exp(-k * n) for n = 0..n-1; ``lr0, k, n``.
* ``warmup``: lr0 * (s + (1 - s) * min(t, W) / W) for t = 0..n-1; ``lr0, warmup_steps,
  start_factor, n``.
* ``scaling``: base_lr * new_batch / base_batch per call; ``calls``: (base_lr, base_batch,
  new_batch) tuples.
* ``range_lrs``: the rates the range test records, up to and including the batch whose loss
  passes 10 times the first (``reference.schedules.range_test`` on the losses of
  ``reference.trainers.train_linear_regression`` at those rates); ``X, y, w0, b0, order,
  lr_start, lr_end, batch_size``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import alternative, register, register_space
from reference import schedules

NOTES_SCALING = "assignments/notes/01-minibatch-gradient-descent.md, Part 7"
"""Where the notes scale the rate relative to a batch of 32 written into the code."""

# -- time-based decay -------------------------------------------------------------------------


def run_time_based(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """``reference.schedules.time_based`` on the check's inputs, ``parts`` swapped."""
    return schedules.time_based(
        inputs["lr0"],
        decay=inputs["decay"],
        n=np.arange(inputs["n"]),
        parts=replace(schedules.TIME_BASED, **parts),
    )


register_space("time_based", run_time_based)


def from_lr0(rates: list[float], lr0: float) -> float:
    """Every rate computed from lr0, not from the previous rate."""
    return lr0


def time_step_ahead(rate: float, decay: float, k: int) -> float:
    """rate / (1 + decay * (k + 1)): the factor of the next epoch."""
    return rate / (1 + decay * (k + 1))


def time_step_precedence(rate: float, decay: float, k: int) -> float:
    """rate / 1 + decay * k: the division done before the addition."""
    return rate / 1 + decay * k


# -- exponential decay ------------------------------------------------------------------------


def run_exponential(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """``reference.schedules.exponential`` on the check's inputs, ``parts`` swapped."""
    return schedules.exponential(
        inputs["lr0"],
        k=inputs["k"],
        n=np.arange(inputs["n"]),
        parts=replace(schedules.EXPONENTIAL, **parts),
    )


register_space("exponential", run_exponential)


def one_ahead(n: np.ndarray) -> np.ndarray:
    """Epoch n uses the count of epoch n + 1."""
    return n + 1


def exp_growing(k: float, count: np.ndarray) -> np.ndarray:
    """exp(k * count): the exponent's sign flipped."""
    return np.exp(k * count)


def exp_times_count(k: float, count: np.ndarray) -> np.ndarray:
    """exp(-k) * count: multiplied by n where exp(-k) should be raised to n."""
    return np.exp(-k) * count


def one_minus_k(k: float, count: np.ndarray) -> np.ndarray:
    """A fraction k lost each epoch: (1 - k) ** count, the first-order stand-in for exp(-k)."""
    return (1 - k) ** count


def k_as_gamma(k: float, count: np.ndarray) -> np.ndarray:
    """k ** count: k taken as ExponentialLR's gamma."""
    return k**count


# -- linear warm-up ---------------------------------------------------------------------------


def run_warmup(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """``reference.schedules.linear_warmup`` on the check's inputs, ``parts`` swapped."""
    return schedules.linear_warmup(
        inputs["lr0"],
        warmup_steps=inputs["warmup_steps"],
        n=np.arange(inputs["n"]),
        start_factor=inputs["start_factor"],
        parts=replace(schedules.WARMUP, **parts),
    )


register_space("warmup", run_warmup)


def progress_not_divided(count: np.ndarray, warmup_steps: int) -> np.ndarray:
    """min(t, W): the steps done, not divided by W."""
    return np.minimum(count, warmup_steps).astype(np.float64)


def progress_one_early(count: np.ndarray, warmup_steps: int) -> np.ndarray:
    """min(t, W - 1) / (W - 1): full one step early."""
    return np.minimum(count, warmup_steps - 1) / (warmup_steps - 1)


def progress_uncapped(count: np.ndarray, warmup_steps: int) -> np.ndarray:
    """t / W: growing on after W."""
    return count / warmup_steps


def rate_from_zero(lr0: float, start_factor: float, progress: np.ndarray) -> np.ndarray:
    """lr0 * progress: no start factor."""
    return lr0 * progress


def rate_capped(lr0: float, start_factor: float, progress: np.ndarray) -> np.ndarray:
    """lr0 * min(1, s + (1 - s) * progress)."""
    return lr0 * np.minimum(1.0, start_factor + (1 - start_factor) * progress)


def rate_full_slope(lr0: float, start_factor: float, progress: np.ndarray) -> np.ndarray:
    """lr0 * (s + progress): the slope without (1 - s)."""
    return lr0 * (start_factor + progress)


def rate_full_slope_capped(lr0: float, start_factor: float, progress: np.ndarray) -> np.ndarray:
    """lr0 * min(1, s + progress): the slope without (1 - s), capped at lr0."""
    return lr0 * np.minimum(1.0, start_factor + progress)


def rate_precedence(lr0: float, start_factor: float, progress: np.ndarray) -> np.ndarray:
    """lr0 * s + (1 - s) * progress: lr0 multiplies only the start factor."""
    return lr0 * start_factor + (1 - start_factor) * progress


# -- linear scaling ---------------------------------------------------------------------------


def run_scaling(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """``reference.schedules.linear_scaling`` for every (base_lr, base_batch, new_batch) call,
    ``parts`` swapped."""
    chosen = replace(schedules.SCALING, **parts)
    return np.asarray(
        [
            schedules.linear_scaling(lr, base_batch=base, new_batch=new, parts=chosen)
            for lr, base, new in inputs["calls"]
        ],
        dtype=np.float64,
    )


register_space("scaling", run_scaling)


def ratio_inverted(base_batch: int, new_batch: int) -> float:
    """base_batch / new_batch: the ratio upside down."""
    return base_batch / new_batch


def ratio_floored(base_batch: int, new_batch: int) -> float:
    """new_batch // base_batch: integer division."""
    return new_batch // base_batch


def ratio_to_32(base_batch: int, new_batch: int) -> float:
    """new_batch / 32: the notes' base batch, not the argument."""
    return new_batch / 32


def rate_sqrt(base_lr: float, ratio: float) -> float:
    """base_lr * sqrt(ratio)."""
    return base_lr * math.sqrt(ratio)


def rate_unscaled(base_lr: float, ratio: float) -> float:
    """base_lr, the ratio ignored."""
    return base_lr


def rate_floored(base_lr: float, ratio: float) -> float:
    """floor(base_lr * ratio): base_lr * new_batch // base_batch."""
    return math.floor(base_lr * ratio)


# -- range test -------------------------------------------------------------------------------


def run_range_lrs(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """The rates the range test records, with ``parts`` of ``reference.schedules.range_test``
    swapped: its rates for every batch, a training epoch at those rates
    (``reference.trainers``), then the batches it keeps on that epoch's losses."""
    from reference.batching import updates_per_epoch
    from reference.trainers import train_linear_regression

    chosen = replace(schedules.RANGE_TEST, **parts)
    order = inputs["order"]
    n_batches = updates_per_epoch(len(order[0]), inputs["batch_size"])
    start, end = inputs["lr_start"], inputs["lr_end"]
    rates = schedules.range_test(start, end, n_batches=n_batches, losses=[1.0], parts=chosen)[0]
    losses = train_linear_regression(
        inputs["X"],
        inputs["y"],
        w0=inputs["w0"],
        b0=inputs["b0"],
        lr=start,
        batch_size=inputs["batch_size"],
        epochs=1,
        permutations=order,
        lr_schedule=lambda t: rates[t],
    ).step_losses
    kept = schedules.range_test(start, end, n_batches=n_batches, losses=losses, parts=chosen)[1]
    return rates[:kept]


register_space("range_lrs", run_range_lrs)


def one_batch_short(n_batches: int) -> int:
    """n_batches - 1: the short last batch not counted."""
    return n_batches - 1


def grown_after_step(lr_start: float, gamma: float, i: np.ndarray) -> np.ndarray:
    """lr_start * gamma ** (i + 1): grown once before the first batch."""
    return lr_start * gamma ** (i + 1)


def growth_precedence(lr_start: float, lr_end: float, batches: int) -> float:
    """(lr_end / lr_start) ** 1 / batches: the power taken before the division."""
    return (lr_end / lr_start) ** 1 / batches


def kept_before_explosion(losses: np.ndarray, explode: float) -> int:
    """The batches before the first exploding one, that batch left out (all when none does)."""
    over = np.flatnonzero(losses > explode * losses[0])
    return int(over[0]) if len(over) else len(losses)


def kept_all(losses: np.ndarray, explode: float) -> int:
    """Every batch: no stop."""
    return len(losses)


# -- the library ------------------------------------------------------------------------------

for _mistake in [
    alternative(
        "time_based_closed_form",
        "time-based decay computed as lr0 / (1 + decay * n), not by the recursion",
        "Use the notes' recursion: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n), each "
        "rate from the previous one.",
        "time_based",
        source=from_lr0,
        step=time_step_ahead,
    ),
    alternative(
        "time_based_off_by_one",
        "the recursion divides by 1 + decay * (n + 1): every epoch is one ahead",
        "eta_{n+1} = eta_n / (1 + decay * n) with n starting at 0, so eta_1 = eta_0.",
        "time_based",
        step=time_step_ahead,
    ),
    alternative(
        "time_based_precedence",
        "eta / 1 + decay * n was computed: the division is done before the addition, so "
        "decay * n is added to the rate",
        "Put the divisor in parentheses: eta_{n+1} = eta_n / (1 + decay * n).",
        "time_based",
        step=time_step_precedence,
    ),
    alternative(
        "exponential_off_by_one",
        "every rate is one epoch ahead (lr0 * exp(-k * (n + 1)), as when the rate is read "
        "after scheduler.step())",
        "Epoch 0 has lr0 itself: lr_n = lr0 * exp(-k * n) for n = 0, 1, ...; with a torch "
        "scheduler, read the rate before calling scheduler.step().",
        "exponential",
        count=one_ahead,
    ),
    alternative(
        "exponential_growing",
        "the exponent has the wrong sign (lr0 * exp(k * n)): the rate grows",
        "Decay needs a negative exponent: lr0 * exp(-k * n).",
        "exponential",
        factor=exp_growing,
    ),
    alternative(
        "exponential_precedence",
        "lr0 * exp(-k) * n was computed: multiplied by n where exp(-k) is raised to the power n",
        "The exponent is -k * n: lr0 * math.exp(-k * n), or lr0 * math.exp(-k) ** n.",
        "exponential",
        factor=exp_times_count,
    ),
    alternative(
        "exponential_one_minus_k",
        "the rate loses a fraction k each epoch (lr0 * (1 - k) ** n), where exp(-k) is the "
        "factor per epoch",
        "Exponential decay multiplies by exp(-k) per epoch: lr0 * math.exp(-k * n). "
        "(1 - k) is only its first-order approximation, close for small k.",
        "exponential",
        factor=one_minus_k,
    ),
    alternative(
        "exponential_k_as_gamma",
        "k was used as the decay factor per epoch (lr0 * k ** n, ExponentialLR(gamma=k))",
        "k is the rate in the exponent: the factor per epoch is exp(-k), so lr0 * exp(-k * n) "
        "(ExponentialLR(gamma=math.exp(-k))).",
        "exponential",
        factor=k_as_gamma,
    ),
    alternative(
        "warmup_not_divided",
        "the warm-up fraction is not divided by warmup_steps",
        "The factor grows from start_factor to 1 over warmup_steps steps: "
        "start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps.",
        "warmup",
        progress=progress_not_divided,
    ),
    alternative(
        "warmup_not_divided_capped",
        "the warm-up factor grows by (1 - start_factor) per step (not divided by "
        "warmup_steps), capped at 1",
        "Divide the step count by warmup_steps: "
        "start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps.",
        "warmup",
        progress=progress_not_divided,
        rate=rate_capped,
    ),
    alternative(
        "warmup_one_step_early",
        "the warm-up divides by warmup_steps - 1 and reaches lr0 one step early",
        "lr0 is reached at t = warmup_steps: use min(t, warmup_steps) / warmup_steps.",
        "warmup",
        progress=progress_one_early,
    ),
    alternative(
        "warmup_from_zero",
        "the warm-up starts from 0, not from start_factor * lr0",
        "Start at start_factor: lr0 * (start_factor + (1 - start_factor) * min(t, W) / W).",
        "warmup",
        rate=rate_from_zero,
    ),
    alternative(
        "warmup_off_by_one",
        "the warm-up uses t + 1: step 0 already has the rate of step 1 (as when the rate is "
        "read after scheduler.step())",
        "Step 0 has start_factor * lr0: use min(t, W) / W with t = 0, 1, ...; with LinearLR, "
        "read the rate before calling scheduler.step().",
        "warmup",
        count=one_ahead,
    ),
    alternative(
        "warmup_never_ends",
        "the warm-up keeps growing after warmup_steps (no min(t, warmup_steps))",
        "After warmup_steps the rate stays at lr0: use min(t, warmup_steps) / warmup_steps.",
        "warmup",
        progress=progress_uncapped,
    ),
    alternative(
        "warmup_slope_without_1_minus_s",
        "the factor grows by t / warmup_steps from start_factor, without (1 - start_factor): "
        "it ends at 1 + start_factor, not 1",
        "The factor must climb the distance from start_factor to 1: start_factor + "
        "(1 - start_factor) * min(t, warmup_steps) / warmup_steps.",
        "warmup",
        rate=rate_full_slope,
    ),
    alternative(
        "warmup_slope_without_1_minus_s_capped",
        "the factor grows by t / warmup_steps from start_factor, without (1 - start_factor), "
        "capped at 1: it reaches lr0 too early",
        "The factor must climb the distance from start_factor to 1 over warmup_steps steps: "
        "start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps.",
        "warmup",
        rate=rate_full_slope_capped,
    ),
    alternative(
        "warmup_precedence",
        "lr0 * start_factor + (1 - start_factor) * t / W was computed: lr0 multiplies only "
        "the start factor",
        "Put the whole factor in parentheses: "
        "lr0 * (start_factor + (1 - start_factor) * min(t, W) / W).",
        "warmup",
        rate=rate_precedence,
    ),
    alternative(
        "scaling_inverted",
        "the ratio is upside down (base_lr * base_batch / new_batch)",
        "k times the batch, k times the rate: base_lr * new_batch / base_batch.",
        "scaling",
        ratio=ratio_inverted,
    ),
    alternative(
        "scaling_sqrt",
        "square-root scaling (base_lr * sqrt(new_batch / base_batch)), not the linear rule",
        "The linear scaling rule multiplies by the ratio itself: base_lr * new_batch / base_batch.",
        "scaling",
        rate=rate_sqrt,
    ),
    alternative(
        "scaling_none",
        "the rate is not scaled (base_lr returned)",
        "Multiply base_lr by new_batch / base_batch.",
        "scaling",
        rate=rate_unscaled,
    ),
    alternative(
        "scaling_integer_ratio",
        "the batch ratio was taken with integer division (new_batch // base_batch): a smaller "
        "new batch gives ratio 0",
        "Use true division: base_lr * new_batch / base_batch (// floors the ratio).",
        "scaling",
        ratio=ratio_floored,
    ),
    alternative(
        "scaling_floored",
        "base_lr * new_batch // base_batch floors the scaled rate (// is floor division)",
        "Use true division: base_lr * new_batch / base_batch.",
        "scaling",
        rate=rate_floored,
    ),
    alternative(
        "scaling_notes_base_32",
        "the rate was scaled relative to a batch of 32 (new_batch / 32), as in the notes' "
        "example, not to base_batch",
        f"Divide by the base_batch argument: base_lr * new_batch / base_batch. The notes "
        f"({NOTES_SCALING}, lr = base_lr * (batch_size / 32)) write 32 into the code because "
        "their base rate was tuned at batch 32; this function is given the base batch.",
        "scaling",
        ratio=ratio_to_32,
    ),
    alternative(
        "range_lr_after_step",
        "batch i uses lr_start * gamma ** (i + 1): the rate grew before the first batch",
        "The first batch uses lr_start itself: lr_i = lr_start * gamma ** i, then grow it "
        "(with ExponentialLR, record get_last_lr() before calling scheduler.step()).",
        "range_lrs",
        rate=grown_after_step,
    ),
    alternative(
        "range_gamma_one_batch_short",
        "gamma is computed from one batch too few (floor(N / B), or n_batches - 1)",
        "Count every batch the epoch reads, the short last one too: n_batches = ceil(N / B), "
        "and gamma = (lr_end / lr_start) ** (1 / n_batches).",
        "range_lrs",
        batches=one_batch_short,
    ),
    alternative(
        "range_gamma_precedence",
        "gamma = (lr_end / lr_start) ** 1 / n_batches: the power is taken before the division",
        "Put the exponent in parentheses: gamma = (lr_end / lr_start) ** (1 / n_batches).",
        "range_lrs",
        growth=growth_precedence,
    ),
    alternative(
        "range_exploding_batch_dropped",
        "the batch whose loss exploded was not recorded",
        "Record the batch's rate and loss first, then stop: the batch whose loss passes 10 "
        "times the first is still recorded, the ones after it are not run.",
        "range_lrs",
        kept=kept_before_explosion,
    ),
    alternative(
        "range_never_stops",
        "the test never stops: every batch is recorded after the loss exploded",
        "Stop as soon as a batch's loss is more than 10 times the first batch's loss "
        "(that batch still recorded).",
        "range_lrs",
        kept=kept_all,
    ),
]:
    register(_mistake)
