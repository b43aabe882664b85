"""Mistakes of the ``schedule`` family: step-decay learning rates per epoch.

Inputs: ``lr0, drop, every, n`` (the rates of epochs 0..n-1) and ``convention``, the rule the
check asks for: ``"steplr"`` (torch's StepLR, lr0 * drop ** floor(n / every)) or ``"notes"``
(the notes' lr0 * drop ** floor((1 + n) / every)). ``run`` is the oracle of that convention
(``reference.schedules.step_lr`` or ``step_decay``) with parts swapped; an alternative that
puts back the convention's own part is no mistake there and does not apply (so the notes'
count is a mistake only where StepLR is asked, and the other way round).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import alternative, register, register_space
from reference import schedules

FAMILY = "schedule"
CONVENTIONS = {"steplr": schedules.STEP_LR, "notes": schedules.NOTES_STEP}
"""The textbook parts of each convention a check may ask for."""
NOTES = "assignments/notes/03-optimizers-lr-momentum-sgd.md, Learning Rate Scheduling"
"""Where the notes write step decay."""


def run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """The rates of epochs 0..n-1 under the check's convention, with ``parts`` swapped."""
    default = CONVENTIONS[inputs["convention"]]
    if any(fn is getattr(default, name) for name, fn in parts.items()):
        raise ValueError("the convention's own part is not a mistake")
    n = np.arange(inputs["n"])
    return schedules.step_lr(
        inputs["lr0"],
        step_size=inputs["every"],
        gamma=inputs["drop"],
        n=n,
        parts=replace(default, **parts),
    )


register_space(FAMILY, run)


def step_rates(inputs: dict[str, Any], rule: str) -> np.ndarray:
    """The right rates of ``rule`` (``"notes"`` or ``"steplr"``) for the inputs."""
    return run({**inputs, "convention": rule})


# -- alternatives -----------------------------------------------------------------------------


def read_after_step(n: np.ndarray) -> np.ndarray:
    """Epoch n reads the rate after scheduler.step(): the count of epoch n + 1."""
    return n + 1


def no_floor(count: np.ndarray, every: int) -> np.ndarray:
    """The drops without the floor: count / every."""
    return count / every


def one_drop_more(count: np.ndarray, every: int) -> np.ndarray:
    """One drop already at epoch 0: floor(count / every) + 1."""
    return count // every + 1


def plus_one_outside(count: np.ndarray, every: int) -> np.ndarray:
    """floor(1 + count / every): the 1 added after the division."""
    return np.floor(1 + count / every)


for _mistake in [
    alternative(
        "step_decay_notes_formula",
        "the notes' floor((1+n)/r) was used where StepLR's floor(n/r) is asked",
        "torch's StepLR drops the rate at n = r, 2r, ...: use lr0 * gamma ** floor(n / r). "
        f"The notes ({NOTES}) count 1 + n, one epoch ahead of StepLR; this function asks "
        "for the rates StepLR itself gives.",
        FAMILY,
        count=schedules.notes_count,
    ),
    alternative(
        "step_decay_read_after_step",
        "the rate was read after scheduler.step(): epoch n got the rate of epoch n + 1",
        "Read the rate of an epoch (get_last_lr()) before calling scheduler.step() at its "
        "end: epoch 0 runs at lr0.",
        FAMILY,
        count=read_after_step,
    ),
    alternative(
        "step_decay_steplr_formula",
        "StepLR's floor(n/r) was used where the notes' floor((1+n)/r) is asked",
        "The notes' step decay drops one epoch earlier: use lr0 * drop ** floor((1 + n) / r) "
        f"as the notes write it ({NOTES}).",
        FAMILY,
        count=schedules.epochs_done,
    ),
    alternative(
        "step_decay_no_floor",
        "the floor was left out: the rate decays a little every epoch (drop ** (count / r))",
        "The rate drops in steps: take the floor of the division (math.floor(x / r), or "
        "x // r for ints) before raising drop to it.",
        FAMILY,
        drops=no_floor,
    ),
    alternative(
        "step_decay_at_epoch_0",
        "the rate is already decayed once at epoch 0: every rate is drop times the right one",
        "Epoch 0 runs at lr0 itself; the first drop comes only after a period has passed. "
        "Count the drops from 0 (no + 1 on the exponent, no scheduler.step() before the first "
        "epoch).",
        FAMILY,
        drops=one_drop_more,
    ),
    alternative(
        "step_decay_precedence",
        "floor(1 + n / r) was computed: the 1 is added after the division, not before it",
        "Add 1 to n before dividing: math.floor((1 + n) / r), with the parentheses around 1 + n.",
        FAMILY,
        count=schedules.epochs_done,
        drops=plus_one_outside,
    ),
]:
    register(_mistake)
