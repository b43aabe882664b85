"""Mistakes of the ``momentum``, ``schedule``, ``accumulation`` and ``batchnorm`` families."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.misconceptions import Mistake, register, register_reference


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


def accumulated(inputs: dict[str, Any], *, weighting: str) -> np.ndarray:
    """Accumulated gradient (w then b): ``"n_i/N"`` (correct), ``"1/k"`` or ``"sum"``."""
    from reference.accumulation import full_batch_gradient

    X, y = np.asarray(inputs["X"], float), np.asarray(inputs["y"], float)
    parts = [np.asarray(m) for m in inputs["micro_batches"]]
    total = np.zeros(X.shape[1] + 1)
    for idx in parts:
        gw, gb = full_batch_gradient(X[idx], y[idx], inputs["w"], inputs["b"])
        weight = {"n_i/N": len(idx) / len(X), "1/k": 1 / len(parts), "sum": 1.0}[weighting]
        total += weight * np.append(gw, gb)
    return total


def step_rates(inputs: dict[str, Any], rule: str) -> np.ndarray:
    """Learning rates n = 0..n-1: ``"notes"`` floor((1+n)/r) or ``"steplr"`` floor(n/r)."""
    from reference.schedules import step_decay, step_lr

    n = np.arange(inputs["n"])
    if rule == "notes":
        return step_decay(inputs["lr0"], drop=inputs["drop"], every=inputs["every"], n=n)
    return step_lr(inputs["lr0"], step_size=inputs["every"], gamma=inputs["drop"], n=n)


def batchnorm_run(
    inputs: dict[str, Any], *, running_in_train: bool = False, biased: bool = False
) -> np.ndarray:
    """BatchNorm over ``inputs['batches']`` in training mode: output, running mean and
    running variance after each batch, flattened; optionally with one bug."""
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


register_reference("momentum", momentum_run)
register_reference("accumulation", lambda i: accumulated(i, weighting="n_i/N"))
register_reference("batchnorm", batchnorm_run)

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
        "uneven_last_micro_batch",
        "the short last micro-batch is weighted like the full ones",
        "Weight each micro-batch loss by n_i / N (its share of the samples), not 1/k, "
        "when the last micro-batch is smaller.",
        "accumulation",
        lambda i: accumulated(i, weighting="1/k"),
    ),
    Mistake(
        "accumulation_not_divided",
        "micro-batch gradients were summed without dividing",
        "Scale each micro-batch loss by n_i / N before backward(); the plain sum is k times "
        "too large.",
        "accumulation",
        lambda i: accumulated(i, weighting="sum"),
    ),
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
    Mistake(
        "bn_running_stats_in_training",
        "BatchNorm normalised with the running statistics in training mode",
        "In training mode normalise with the current batch's mean and biased variance; "
        "the running statistics are only for eval mode.",
        "batchnorm",
        lambda i: batchnorm_run(i, running_in_train=True),
    ),
    Mistake(
        "bn_biased_running_var",
        "the running variance was updated with the biased batch variance",
        "Update running_var with the unbiased batch variance (divide by m - 1); normalise "
        "with the biased one (divide by m).",
        "batchnorm",
        lambda i: batchnorm_run(i, biased=True),
    ),
]:
    register(_mistake)
