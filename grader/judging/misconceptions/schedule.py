"""Mistakes of the ``schedule`` family: step-decay learning rates per epoch."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register


def step_rates(inputs: dict[str, Any], rule: str) -> np.ndarray:
    """Learning rates n = 0..n-1: ``"notes"`` floor((1+n)/r) or ``"steplr"`` floor(n/r)."""
    from reference.schedules import step_decay, step_lr

    n = np.arange(inputs["n"])
    if rule == "notes":
        return step_decay(inputs["lr0"], drop=inputs["drop"], every=inputs["every"], n=n)
    return step_lr(inputs["lr0"], step_size=inputs["every"], gamma=inputs["drop"], n=n)


for _mistake in [
    Mistake(
        "step_decay_notes_formula",
        "the notes' floor((1+n)/r) was used where StepLR's floor(n/r) is asked",
        "torch's StepLR drops the rate at n = r, 2r, ...: use lr0 * gamma ** floor(n / r).",
        "schedule",
        lambda i: step_rates(i, "notes"),
    ),
    Mistake(
        "step_decay_steplr_formula",
        "StepLR's floor(n/r) was used where the notes' floor((1+n)/r) is asked",
        "The notes' step decay drops one epoch earlier: use lr0 * drop ** floor((1 + n) / r).",
        "schedule",
        lambda i: step_rates(i, "steplr"),
    ),
]:
    register(_mistake)
