"""Known mistakes, each a variant of the reference, and the diagnosis that names one.

A Mistake belongs to a family (what it produces from the check's inputs):

* ``linreg_trainer``: per-step losses of mini-batch SGD on linear regression; inputs are the
  keyword arguments of ``reference.trainers.train_linear_regression`` plus ``base_lr``.
* ``accumulation``: the accumulated gradient (w then b) over ``micro_batches``.
* ``momentum``: iterates of momentum SGD on a diagonal quadratic (``scales, x0, lr,
  momentum, dampening, steps``), flattened.
* ``schedule``: learning rates per epoch of a step-decay schedule (``lr0, drop, every, n``).
* ``batchnorm``: BatchNorm output and running statistics, flattened, over a few batches.

``diagnose`` names a mistake only when the student's output matches it within tolerance
and is clearly closer to it than to the reference and to every other mistake; a wrong name
is worse than none. Instructors add mistakes with ``grader.registry.register_misconception``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import registry, trajectories
from grader.evidence import Diagnosis

MATCH_RTOL = 1e-3
"""How close the student's output must be to a mistaken one to name that mistake."""
CLEAR_MARGIN = 5.0
"""The named mistake must be this many times closer than any alternative."""


@dataclass(frozen=True)
class Mistake:
    """A named misconception and how to reproduce its output."""

    id: str
    title: str
    fix: str
    family: str
    simulate: Callable[[dict[str, Any]], np.ndarray]


def linreg(inputs: dict[str, Any], **bug: Any) -> np.ndarray:
    """Per-step losses of the linear-regression trainer with one bug switched on."""
    from reference.batching import batches
    from reference.trainers import mse, mse_gradient

    X, y = np.asarray(inputs["X"], float), np.asarray(inputs["y"], float)
    theta = np.append(np.asarray(inputs["w0"], float), float(inputs["b0"]))
    k, lr = inputs.get("accumulation_steps", 1), inputs["lr"]
    lr = inputs.get("base_lr", lr) if bug.get("unscaled_lr") else lr
    mom = inputs.get("momentum", 0.0)
    wd = inputs.get("weight_decay", 0.0)
    buf, total, losses = None, np.zeros_like(theta), []
    for epoch in range(inputs["epochs"]):
        perm = (
            np.arange(len(X))
            if bug.get("no_shuffle")
            else np.asarray(inputs["permutations"][epoch])
        )
        micro = batches(perm, inputs["batch_size"], drop_last=inputs.get("drop_last", False))
        for start in range(0, len(micro), k):
            grad = np.zeros_like(theta)
            for idx in micro[start : start + k]:
                losses.append(mse(X[idx], y[idx], theta[:-1], theta[-1]))
                gw, gb = mse_gradient(X[idx], y[idx], theta[:-1], theta[-1])
                g = np.append(gw, gb) * (len(idx) if bug.get("sum_grad") else 1)
                grad += g if bug.get("no_divide_k") else g / k
            if bug.get("no_zero_grad"):
                total, grad = total + grad, total + grad
            g = grad if bug.get("wd_after") else grad + wd * theta
            if mom:
                buf = g if buf is None else mom * buf + g
                g = buf
            if bug.get("wd_after"):
                g = g + wd * theta
            theta = theta + lr * g if bug.get("sign") else theta - lr * g
    return np.asarray(losses)


def momentum_run(inputs: dict[str, Any], *, buf_zero: bool = False) -> np.ndarray:
    """Iterates of SGD with momentum and dampening on sum(scales * x^2 / 2), flattened."""
    scales, x = np.asarray(inputs["scales"], float), np.asarray(inputs["x0"], float)
    lr, mom, damp = inputs["lr"], inputs["momentum"], inputs.get("dampening", 0.0)
    buf, out = None, [x]
    for _ in range(inputs["steps"]):
        g = scales * x
        first = (1 - damp) * g if buf_zero else g
        buf = first if buf is None else mom * buf + (1 - damp) * g
        x = x - lr * buf
        out.append(x)
    return np.concatenate(out)


def _accumulated(inputs: dict[str, Any], *, divide: bool) -> np.ndarray:
    from reference.accumulation import accumulated_gradient, full_batch_gradient

    X, y, w, b = inputs["X"], inputs["y"], inputs["w"], inputs["b"]
    if divide:
        gw, gb = accumulated_gradient(X, y, w, b, micro_batches=inputs["micro_batches"])
        return np.append(gw, gb)
    parts = [
        full_batch_gradient(np.asarray(X)[m], np.asarray(y)[m], w, b)
        for m in inputs["micro_batches"]
    ]
    return np.append(sum(p[0] for p in parts), sum(p[1] for p in parts))


def _steps(inputs: dict[str, Any], rule: str) -> np.ndarray:
    from reference.schedules import step_decay, step_lr

    n = np.arange(inputs["n"])
    if rule == "notes":
        return step_decay(inputs["lr0"], drop=inputs["drop"], every=inputs["every"], n=n)
    return step_lr(inputs["lr0"], step_size=inputs["every"], gamma=inputs["drop"], n=n)


def batchnorm_run(inputs: dict[str, Any], *, running_in_train=False, biased=False) -> np.ndarray:
    """BatchNorm over ``inputs['batches']`` in training mode, optionally with a bug."""
    c = np.asarray(inputs["gamma"]).shape[0]
    rm, rv, out = np.zeros(c), np.ones(c), []
    mom, eps = inputs.get("momentum", 0.1), inputs.get("eps", 1e-5)
    for x in inputs["batches"]:
        x = np.asarray(x, float)
        mean, var, m = x.mean(axis=0), x.var(axis=0), len(x)
        mu, sd = (rm, np.sqrt(rv + eps)) if running_in_train else (mean, np.sqrt(var + eps))
        out.append(((x - mu) / sd * inputs["gamma"] + inputs["beta"]).ravel())
        rm = (1 - mom) * rm + mom * mean
        rv = (1 - mom) * rv + mom * (var if biased else var * m / (m - 1))
        out.extend([rm, rv])
    return np.concatenate(out)


def _mk(id: str, title: str, fix: str, family: str, fn: Callable) -> None:
    registry.register_misconception(Mistake(id, title, fix, family, fn))


_mk(
    "no_zero_grad",
    "gradients accumulate across steps (no zero_grad)",
    "Call optimizer.zero_grad() (or reset your gradient) before each backward pass.",
    "linreg_trainer",
    lambda i: linreg(i, no_zero_grad=True),
)
_mk(
    "no_shuffle",
    "the data is read in the same order every epoch",
    "Use the order given for each epoch (shuffle every epoch, e.g. DataLoader(shuffle=True)).",
    "linreg_trainer",
    lambda i: linreg(i, no_shuffle=True),
)
_mk(
    "sum_not_mean",
    "the batch gradient is summed instead of averaged",
    "Average the loss over the batch (mean, not sum) so the step does not grow with B.",
    "linreg_trainer",
    lambda i: linreg(i, sum_grad=True),
)
_mk(
    "sign_error",
    "the update goes uphill (w + lr * grad)",
    "Step against the gradient: w <- w - lr * grad.",
    "linreg_trainer",
    lambda i: linreg(i, sign=True),
)
_mk(
    "lr_not_scaled",
    "the learning rate was not scaled with the batch size",
    "Apply the linear scaling rule: lr = base_lr * B / base_B.",
    "linreg_trainer",
    lambda i: linreg(i, unscaled_lr=True),
)
_mk(
    "loss_not_divided_by_k",
    "the loss was not divided by the accumulation steps",
    "Divide each micro-batch loss by k before backward() so k micro-batches add up to one batch.",
    "linreg_trainer",
    lambda i: linreg(i, no_divide_k=True),
)
_mk(
    "momentum_buffer_zero",
    "the momentum buffer starts at zero instead of the first gradient",
    "Initialise the buffer with the first gradient (torch.optim.SGD's convention).",
    "momentum",
    lambda i: momentum_run(i, buf_zero=True),
)
_mk(
    "weight_decay_after_momentum",
    "weight decay was added after the momentum update",
    "Add weight_decay * w to the gradient before it enters the momentum buffer.",
    "linreg_trainer",
    lambda i: linreg(i, wd_after=True),
)
_mk(
    "uneven_last_micro_batch",
    "the short last micro-batch is weighted like the full ones",
    "Weight each micro-batch loss by n_i / N (not 1/k) when the last one is smaller.",
    "accumulation",
    lambda i: _accumulated(i, divide=True),
)
_mk(
    "accumulation_not_divided",
    "micro-batch gradients were summed without dividing",
    "Scale each micro-batch loss (by n_i / N) before backward().",
    "accumulation",
    lambda i: _accumulated(i, divide=False),
)
_mk(
    "step_decay_notes_formula",
    "the notes' floor((1+n)/r) was used where StepLR's floor(n/r) is asked",
    "torch's StepLR drops at n = r, 2r, ...: use floor(n / r).",
    "schedule",
    lambda i: _steps(i, "notes"),
)
_mk(
    "step_decay_steplr_formula",
    "StepLR's floor(n/r) was used where the notes' floor((1+n)/r) is asked",
    "The notes' step decay drops one epoch earlier: use floor((1 + n) / r).",
    "schedule",
    lambda i: _steps(i, "steplr"),
)
_mk(
    "bn_running_stats_in_training",
    "BatchNorm normalised with running statistics in training",
    "In training mode normalise with the current batch's mean and (biased) variance.",
    "batchnorm",
    lambda i: batchnorm_run(i, running_in_train=True),
)
_mk(
    "bn_biased_running_var",
    "the running variance was updated with the biased variance",
    "Update running_var with the unbiased batch variance (divide by m - 1).",
    "batchnorm",
    lambda i: batchnorm_run(i, biased=True),
)


def diagnose(
    student: Sequence[float], family: str, inputs: dict[str, Any], reference: Sequence[float]
) -> tuple[Diagnosis, np.ndarray | None]:
    """The clearly closest mistake of a family, with its output; or no mistake."""
    registry.load_builtin()
    candidates = [m for m in registry.MISCONCEPTIONS.values() if m.family == family]
    scored = []
    for mistake in candidates:
        try:
            output = np.asarray(mistake.simulate(inputs), dtype=np.float64)
        except (ValueError, KeyError, ZeroDivisionError, FloatingPointError):
            continue
        scored.append((trajectories.distance(student, output), mistake, output))
    scored.sort(key=lambda t: t[0])
    none = Diagnosis(mistake=None, title="This does not match any of the known mistakes.")
    if not scored:
        return none, None
    best, mistake, output = scored[0]
    others = [d for d, _, _ in scored[1:]] + [trajectories.distance(student, reference)]
    matches = trajectories.compare(student, output, rtol=MATCH_RTOL, atol=1e-9).matches
    if not matches or any(d <= max(best * CLEAR_MARGIN, 1e-9) for d in others):
        return none, None
    runner_up = scored[1][1].id if len(scored) > 1 else None
    return (
        Diagnosis(
            mistake=mistake.id,
            title=mistake.title,
            fix=mistake.fix,
            distance=best,
            runner_up=runner_up,
        ),
        output,
    )
