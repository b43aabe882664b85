"""Mistakes of the ``momentum`` family: iterates of momentum SGD on a diagonal quadratic.

The family is ``reference.descent.momentum_trajectory`` (torch.optim.SGD's rule) on
sum(scales * x^2 / 2), flattened, with some of its parts (``DescentParts``: the buffer before
the first step, the buffer, the direction, the update, the order within a step) swapped for
known alternatives. Inputs: ``scales, x0, lr, momentum, dampening, steps``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.basics import uphill
from grader.judging.misconceptions.library import alternative, register, register_space
from reference import descent
from reference.optim import momentum_buffer, step_direction

FAMILY = "momentum"
NOTES_03 = "assignments/notes/03-optimizers-lr-momentum-sgd.md"


def run(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """The iterates of ``momentum_trajectory`` on ``inputs``, flattened, ``parts`` swapped."""
    scales = np.asarray(inputs["scales"], dtype=float)
    return descent.momentum_trajectory(
        lambda x: scales * x,
        inputs["x0"],
        lr=inputs["lr"],
        momentum=inputs["momentum"],
        dampening=inputs.get("dampening", 0.0),
        steps=inputs["steps"],
        parts=replace(descent.TEXTBOOK, **parts),
    ).ravel()


momentum_run = run
"""The family's oracle under its earlier name (instructors' checks files call it)."""

register_space(FAMILY, run)

# -- alternatives of single parts ---------------------------------------------------------------


def zero_buffer(x: np.ndarray) -> np.ndarray:
    """A buffer of zeros before the first step, so the first gradient is damped too."""
    return np.zeros_like(x)


def undamped(buf: np.ndarray | None, g: np.ndarray, *, momentum: float, dampening: float):
    """momentum * buf + g: dampening left out."""
    return momentum_buffer(buf, g, momentum=momentum, dampening=0.0)


def gradient_subtracted(
    buf: np.ndarray | None, g: np.ndarray, *, momentum: float, dampening: float
) -> np.ndarray:
    """momentum * buf - (1 - dampening) * g after the first buffer g."""
    return momentum_buffer(buf, g if buf is None else -g, momentum=momentum, dampening=dampening)


def averaged(buf: np.ndarray | None, g: np.ndarray, *, momentum: float, dampening: float):
    """An average, momentum * buf + (1 - momentum) * g: (1 - momentum) for (1 - dampening)."""
    return momentum_buffer(buf, g, momentum=momentum, dampening=momentum)


def forgotten(buf: np.ndarray | None, g: np.ndarray, *, momentum: float, dampening: float):
    """The buffer made afresh every step (buf = None inside the loop): always the gradient."""
    return momentum_buffer(None, g, momentum=momentum, dampening=dampening)


def nesterov(g: np.ndarray, buf: np.ndarray, *, momentum: float, nesterov: bool) -> np.ndarray:
    """g + momentum * buf: Nesterov's look-ahead direction."""
    return step_direction(g, buf, momentum=momentum, nesterov=True)


def stale_step(x, g, buf, *, lr, momentum, dampening, nesterov, parts):
    """x moves with the buffer as it was before this gradient (the first buffer on the
    first step when there is none yet); the buffer takes g afterwards."""
    moved, new = descent.momentum_step(
        x, g, buf, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, parts=parts
    )
    if buf is None or momentum == 0:
        return moved, new
    return parts.update(x, buf, lr=lr), new


def buffer_at_zero_momentum(x, g, buf, *, lr, momentum, dampening, nesterov, parts):
    """The buffer kept and damped at momentum 0 too: buf = (1 - dampening) * g after the
    first step (torch keeps no buffer at momentum 0 and steps by g)."""
    buf = parts.buffer(buf, g, momentum=momentum, dampening=dampening)
    d = parts.direction(g, buf, momentum=momentum, nesterov=nesterov)
    return parts.update(x, d, lr=lr), buf


def notes_velocity(x, g, v, *, lr, momentum, dampening, nesterov, parts):
    """The notes' rule: v = momentum * v - lr * g, x = x + v, v starting at 0 (no
    dampening)."""
    v = momentum * (0.0 if v is None else v) - lr * g
    return x + v, v


# -- the library ------------------------------------------------------------------------------

_MISTAKES = [
    (
        "momentum_buffer_zero",
        "the momentum buffer starts at zero instead of the first gradient (so the first "
        "buffer is damped too: (1 - dampening) * g)",
        "Initialise the buffer with the first gradient itself, without dampening "
        "(torch.optim.SGD's convention), then buf = momentum * buf + (1 - dampening) * g.",
        {"start_buffer": zero_buffer},
        "",
    ),
    (
        "momentum_zero_keeps_buffer",
        "at momentum 0 a buffer is still kept and damped (buf = (1 - dampening) * g after "
        "the first step)",
        "With momentum = 0 keep no buffer and step by the gradient itself (plain GD, whatever "
        "dampening is), as torch.optim.SGD does: only a nonzero momentum uses the buffer.",
        {"step": buffer_at_zero_momentum},
        "",
    ),
    (
        "momentum_no_dampening",
        "dampening is ignored (buf = momentum * buf + g)",
        "Weight the new gradient by (1 - dampening): buf = momentum * buf + (1 - dampening) * g "
        "(the first buffer is g itself).",
        {"buffer": undamped},
        "",
    ),
    (
        "momentum_uphill",
        "the step goes uphill (x + lr * buf)",
        "Subtract the step: x <- x - lr * buf.",
        {"update": uphill},
        "",
    ),
    (
        "momentum_velocity_sign",
        "the buffer subtracts the gradient (buf = momentum * buf - (1 - dampening) * g) and "
        "the step subtracts the buffer too",
        "Use one convention: torch's buf = momentum * buf + (1 - dampening) * g with "
        "x <- x - lr * buf (or a velocity v = momentum * v - lr * g with x <- x + v, not both).",
        {"buffer": gradient_subtracted},
        "",
    ),
    (
        "momentum_buffer_reset_every_step",
        "the momentum buffer is created afresh at every step (buf = None inside the loop), so "
        "every step is a first step: plain gradient descent",
        "Create the buffer once, before the loop over steps, and carry it from step to step: "
        "buf = g on the first step, then buf = momentum * buf + (1 - dampening) * g.",
        {"buffer": forgotten},
        "",
    ),
    (
        "momentum_stale_buffer",
        "each step uses the buffer of the previous step (x moves before the buffer is updated)",
        "Update the buffer with this step's gradient first, then step with it: "
        "buf = momentum * buf + (1 - dampening) * g; x = x - lr * buf.",
        {"step": stale_step},
        "",
    ),
    (
        "momentum_nesterov_step",
        "Nesterov momentum: the step follows g + momentum * buf, not the buffer",
        "Plain momentum steps along the buffer itself, x <- x - lr * buf; g + momentum * buf "
        "is torch's nesterov=True, which the task does not ask for.",
        {"direction": nesterov},
        "momentum_nesterov",
    ),
    (
        "momentum_ema_weight",
        "the new gradient is weighted by (1 - momentum), an exponential average, instead of "
        "(1 - dampening): buf = momentum * buf + (1 - momentum) * g after the first buffer g",
        "Weight the new gradient by (1 - dampening), as torch.optim.SGD does: buf = momentum * "
        "buf + (1 - dampening) * g. The two agree only when dampening equals momentum.",
        {"buffer": averaged},
        "momentum_ema",
    ),
    (
        "momentum_ema_from_zero",
        "the buffer is an exponential moving average from zero: "
        "buf = momentum * buf + (1 - momentum) * g with buf = 0 at the start",
        "torch's buffer is not an average: the first buffer is the gradient itself, then "
        "buf = momentum * buf + (1 - dampening) * g, with (1 - dampening), not (1 - momentum).",
        {"start_buffer": zero_buffer, "buffer": averaged},
        "momentum_ema",
    ),
    (
        "momentum_notes_velocity",
        "the notes' velocity rule: v = momentum * v - lr * g, x = x + v, from v = 0, with no "
        "dampening",
        f"The notes ({NOTES_03}, Optimization Functions, Momentum) write momentum as a "
        "velocity with no dampening; with dampening = 0 it walks exactly as torch does, but "
        "the graded run has a nonzero dampening, and the task follows torch.optim.SGD (used by "
        "the later assignments): buf = g on the first step, then "
        "buf = momentum * buf + (1 - dampening) * g, and x = x - lr * buf.",
        {"step": notes_velocity},
        "",
    ),
]
for _id, _title, _fix, _parts, _concept in _MISTAKES:
    register(alternative(_id, _title, _fix, FAMILY, concept=_concept, **_parts))
