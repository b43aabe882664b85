"""Mistakes of the ``momentum`` family: iterates of momentum SGD on a diagonal quadratic."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference


def momentum_run(inputs: dict[str, Any], *, buf_zero: bool = False, **bug: bool) -> np.ndarray:
    """Iterates of momentum SGD (torch.optim.SGD's rule) on sum(scales * x^2 / 2), flattened;
    ``buf_zero`` starts the buffer at zero, so the first step is damped and scaled too.

    Other bugs: ``no_dampening`` (buf = momentum * buf + g), ``uphill`` (x + lr * buf),
    ``velocity`` (buf = momentum * buf - (1 - dampening) * g, still x - lr * buf), ``stale``
    (x steps with the buffer of the previous step, the buffer is updated after)."""
    scales, x = np.asarray(inputs["scales"], float), np.asarray(inputs["x0"], float)
    lr, mom, damp = inputs["lr"], inputs["momentum"], inputs.get("dampening", 0.0)
    damp = 0.0 if bug.get("no_dampening") else damp
    sign = -1.0 if bug.get("velocity") else 1.0
    buf, out = None, [x]
    for _ in range(inputs["steps"]):
        g = scales * x
        first = (1 - damp) * g if buf_zero else g  # a zero buffer damps the first gradient
        before = g if buf is None else buf
        buf = first if buf is None else mom * buf + sign * (1 - damp) * g
        used = before if bug.get("stale") else buf
        x = x + lr * used if bug.get("uphill") else x - lr * used
        out.append(x)
    return np.concatenate(out)


register_reference("momentum", momentum_run)

for _mistake in [
    Mistake(
        "momentum_buffer_zero",
        "the momentum buffer starts at zero instead of the first gradient",
        "Initialise the buffer with the first gradient itself, without dampening "
        "(torch.optim.SGD's convention), then buf = momentum * buf + (1 - dampening) * g.",
        "momentum",
        lambda i: momentum_run(i, buf_zero=True),
    ),
    Mistake(
        "momentum_no_dampening",
        "dampening is ignored (buf = momentum * buf + g)",
        "Weight the new gradient by (1 - dampening): buf = momentum * buf + (1 - dampening) * g "
        "(the first buffer is g itself).",
        "momentum",
        lambda i: momentum_run(i, no_dampening=True),
    ),
    Mistake(
        "momentum_uphill",
        "the step goes uphill (x + lr * buf)",
        "Subtract the step: x <- x - lr * buf.",
        "momentum",
        lambda i: momentum_run(i, uphill=True),
    ),
    Mistake(
        "momentum_velocity_sign",
        "the buffer subtracts the gradient (buf = momentum * buf - (1 - dampening) * g) and "
        "the step subtracts the buffer too",
        "Use one convention: torch's buf = momentum * buf + (1 - dampening) * g with "
        "x <- x - lr * buf (or a velocity v = momentum * v - lr * g with x <- x + v, not both).",
        "momentum",
        lambda i: momentum_run(i, velocity=True),
    ),
    Mistake(
        "momentum_stale_buffer",
        "each step uses the buffer of the previous step (x moves before the buffer is updated)",
        "Update the buffer with this step's gradient first, then step with it: "
        "buf = momentum * buf + (1 - dampening) * g; x = x - lr * buf.",
        "momentum",
        lambda i: momentum_run(i, stale=True),
    ),
]:
    register(_mistake)
