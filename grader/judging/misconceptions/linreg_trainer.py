"""Mistakes of the ``linreg_trainer`` family: per-step losses of a mini-batch SGD trainer.

``linreg(inputs, **bug)`` is ``reference.trainers.train_linear_regression`` rewritten with
switches, one per mistake; with no switch on it reproduces the reference exactly (a test
holds it to that).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference

FAMILY = "linreg_trainer"
_KEYS = ("lr", "batch_size", "epochs", "accumulation_steps", "momentum", "weight_decay")


def reference_losses(inputs: dict[str, Any]) -> np.ndarray:
    """The correct per-step losses (``reference.trainers.train_linear_regression``)."""
    from reference.trainers import train_linear_regression

    return train_linear_regression(
        inputs["X"],
        inputs["y"],
        w0=inputs["w0"],
        b0=inputs["b0"],
        permutations=inputs["permutations"],
        drop_last=inputs.get("drop_last", False),
        **{k: inputs[k] for k in _KEYS if k in inputs},
    ).step_losses


def linreg(inputs: dict[str, Any], **bug: bool) -> np.ndarray:
    """Per-step losses of the linear-regression trainer with the named bugs switched on.

    Bugs: ``no_zero_grad``, ``no_shuffle``, ``sum_grad``, ``sign``, ``unscaled_lr``,
    ``no_divide_k``, ``wd_after``.
    """
    from reference.batching import batches
    from reference.trainers import mse, mse_gradient

    X, y = np.asarray(inputs["X"], float), np.asarray(inputs["y"], float)
    theta = np.append(np.asarray(inputs["w0"], float), float(inputs["b0"]))
    k, lr = inputs.get("accumulation_steps", 1), inputs["lr"]
    lr = inputs["base_lr"] if bug.get("unscaled_lr") else lr
    mom, wd = inputs.get("momentum", 0.0), inputs.get("weight_decay", 0.0)
    buf, stale, losses = None, np.zeros_like(theta), []
    for epoch in range(inputs["epochs"]):
        perm = np.arange(len(X)) if bug.get("no_shuffle") else inputs["permutations"][epoch]
        micro = batches(
            np.asarray(perm), inputs["batch_size"], drop_last=inputs.get("drop_last", False)
        )
        for start in range(0, len(micro), k):
            # 1. accumulate the gradients of up to k micro-batches
            grad = np.zeros_like(theta)
            for idx in micro[start : start + k]:
                losses.append(mse(X[idx], y[idx], theta[:-1], theta[-1]))
                gw, gb = mse_gradient(X[idx], y[idx], theta[:-1], theta[-1])
                g = np.append(gw, gb) * (len(idx) if bug.get("sum_grad") else 1)
                grad += g if bug.get("no_divide_k") else g / k
            # 2. without zero_grad, .grad keeps every earlier gradient
            if bug.get("no_zero_grad"):
                stale = stale + grad
                grad = stale
            # 3. SGD step: weight decay, momentum (first buffer = gradient), update
            g = grad if bug.get("wd_after") else grad + wd * theta
            if mom:
                buf = g if buf is None else mom * buf + g
                g = buf
            if bug.get("wd_after"):
                g = g + wd * theta
            theta = theta + lr * g if bug.get("sign") else theta - lr * g
    return np.asarray(losses)


register_reference(FAMILY, reference_losses)
_LIBRARY = [
    (
        "no_zero_grad",
        "gradients accumulate across steps (no zero_grad)",
        "Call optimizer.zero_grad() (or reset w.grad / your gradient) before every "
        "backward pass; otherwise each step also applies all the earlier gradients.",
        "no_zero_grad",
    ),
    (
        "no_shuffle",
        "the data is read in the same order every epoch (no shuffling)",
        "Read each epoch in the order given for that epoch (order[epoch]) instead of "
        "0, 1, ..., N-1; when you shuffle yourself, draw a new order at the start of every "
        "epoch rather than reusing one.",
        "no_shuffle",
    ),
    (
        "sum_not_mean",
        "the batch gradient is summed instead of averaged",
        "Average the loss over the batch (mean, not sum), so the step does not grow with B.",
        "sum_grad",
    ),
    (
        "sign_error",
        "the update goes uphill (w + lr * grad)",
        "Step against the gradient: w <- w - lr * grad.",
        "sign",
    ),
    (
        "lr_not_scaled",
        "the learning rate was not scaled with the batch size",
        "Apply the linear scaling rule: lr = base_lr * batch_size / base_batch.",
        "unscaled_lr",
    ),
    (
        "loss_not_divided_by_k",
        "the loss was not divided by the accumulation steps",
        "Divide each micro-batch loss by k (accumulation_steps) before backward(), so k "
        "micro-batches add up to the gradient of one big batch.",
        "no_divide_k",
    ),
    (
        "weight_decay_after_momentum",
        "weight decay was added after the momentum update",
        "Add weight_decay * w to the gradient before it enters the momentum buffer "
        "(torch.optim.SGD's order).",
        "wd_after",
    ),
]
for _id, _title, _fix, _bug in _LIBRARY:
    register(Mistake(_id, _title, _fix, FAMILY, lambda i, _b=_bug: linreg(i, **{_b: True})))
