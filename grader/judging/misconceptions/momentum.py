"""Mistakes of the ``momentum`` family: iterates of momentum SGD on a diagonal quadratic."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference


def momentum_run(inputs: dict[str, Any], *, buf_zero: bool = False) -> np.ndarray:
    """Iterates of momentum SGD (torch.optim.SGD's rule) on sum(scales * x^2 / 2), flattened;
    ``buf_zero`` starts the buffer at zero, so the first step is damped and scaled too."""
    scales, x = np.asarray(inputs["scales"], float), np.asarray(inputs["x0"], float)
    lr, mom, damp = inputs["lr"], inputs["momentum"], inputs.get("dampening", 0.0)
    buf, out = None, [x]
    for _ in range(inputs["steps"]):
        g = scales * x
        first = (1 - damp) * g if buf_zero else g  # a zero buffer damps the first gradient
        buf = first if buf is None else mom * buf + (1 - damp) * g
        x = x - lr * buf
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
]:
    register(_mistake)
