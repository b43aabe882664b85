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


def _mask(theta: np.ndarray, which: Any) -> np.ndarray:
    """Which entries of (w, b) a per-parameter bug touches: "w", "b" or True (both)."""
    on = np.zeros_like(theta)
    if which in (True, "both", "w"):
        on[:-1] = 1.0
    if which in (True, "both", "b"):
        on[-1] = 1.0
    return on


def linreg(inputs: dict[str, Any], **bug: Any) -> np.ndarray:
    """Per-step losses of the linear-regression trainer with the named bugs switched on.

    Whole-update bugs (``True``): ``no_shuffle``, ``order_reused`` (epoch 0's order in
    every epoch), ``drop_short`` (the short last batch skipped where it should be kept),
    ``unscaled_lr``, ``no_divide_k``, ``wd_after``, ``wd_none`` (no weight decay),
    ``wd_w_only`` (not on b), ``wd_sign`` (weight decay added with the wrong sign),
    ``loss_after`` (the loss of the batch logged after the step; k = 1 only), ``loss_sum``
    (the batch loss logged as a sum).
    Per-parameter bugs take ``"w"``, ``"b"`` or ``True`` (both): ``no_zero_grad``, ``sign``
    (the whole step goes uphill), ``half`` (the gradient lacks its factor 2), ``sum_grad``
    (summed over the batch, not averaged), ``frozen`` (never updated), ``flip_grad`` (the
    gradient of the loss has the wrong sign; weight decay and momentum act as they should),
    ``k_once`` (not divided by the accumulation steps k).

    Two inputs the range test adds: ``lrs``, the rate of each update (in place of ``lr``),
    and ``explode``: the run stops after the first batch whose loss exceeds ``explode``
    times the first batch's loss.
    """
    from reference.batching import batches
    from reference.trainers import mse, mse_gradient

    X, y = np.asarray(inputs["X"], float), np.asarray(inputs["y"], float)
    theta = np.append(np.asarray(inputs["w0"], float), float(inputs["b0"]))
    k, lr = inputs.get("accumulation_steps", 1), inputs["lr"]
    lr = inputs["base_lr"] if bug.get("unscaled_lr") else lr
    mom, wd = inputs.get("momentum", 0.0), inputs.get("weight_decay", 0.0)
    if bug.get("loss_after") and k != 1:
        raise ValueError("loss_after is modelled for one batch per step only")
    drop_last = inputs.get("drop_last", False)
    if bug.get("drop_short"):
        if drop_last:
            raise ValueError("the check already drops the short last batch")
        drop_last = True
    sign, half = _mask(theta, bug.get("sign")), _mask(theta, bug.get("half"))
    flipped, undivided = _mask(theta, bug.get("flip_grad")), _mask(theta, bug.get("k_once"))
    summed, frozen = _mask(theta, bug.get("sum_grad")), _mask(theta, bug.get("frozen"))
    decayed = np.ones_like(theta)
    if bug.get("wd_none") or bug.get("wd_w_only"):
        decayed[-1 if bug.get("wd_w_only") else slice(None)] = 0.0
    wd_sign = -1.0 if bug.get("wd_sign") else 1.0
    rates, explode = inputs.get("lrs"), inputs.get("explode")
    buf, stale, losses, updates = None, np.zeros_like(theta), [], 0
    for epoch in range(inputs["epochs"]):
        perm = np.arange(len(X)) if bug.get("no_shuffle") else inputs["permutations"][epoch]
        perm = inputs["permutations"][0] if bug.get("order_reused") else perm
        micro = batches(np.asarray(perm), inputs["batch_size"], drop_last=drop_last)
        for start in range(0, len(micro), k):
            # 1. accumulate the gradients of up to k micro-batches
            grad = np.zeros_like(theta)
            for idx in micro[start : start + k]:
                loss = mse(X[idx], y[idx], theta[:-1], theta[-1])
                losses.append(loss * len(idx) if bug.get("loss_sum") else loss)
                gw, gb = mse_gradient(X[idx], y[idx], theta[:-1], theta[-1])
                g = np.append(gw, gb) * np.where(summed > 0, len(idx), 1.0)
                g = g * np.where(half > 0, 0.5, 1.0) * np.where(flipped > 0, -1.0, 1.0)
                grad += g if bug.get("no_divide_k") else g / np.where(undivided > 0, 1, k)
            # 2. without zero_grad, .grad keeps every earlier gradient
            if bug.get("no_zero_grad"):  # True: every parameter; "w" or "b": that one only
                kept = _mask(theta, bug["no_zero_grad"])
                stale = stale + grad * kept
                grad = np.where(kept > 0, stale, grad)
            # 3. SGD step: weight decay, momentum (first buffer = gradient), update
            decay = wd_sign * wd * decayed * theta
            g = grad if bug.get("wd_after") else grad + decay
            if mom:
                buf = g if buf is None else mom * buf + g
                g = buf
            if bug.get("wd_after"):
                g = g + decay
            rate = lr if rates is None else rates[updates]
            updates += 1
            step = np.where(sign > 0, -1.0, 1.0) * rate * g
            theta = theta - np.where(frozen > 0, 0.0, step)
            if bug.get("loss_after"):  # the batch's loss, read after its own update
                losses[-1] = mse(X[idx], y[idx], theta[:-1], theta[-1])
            if explode is not None and losses[-1] > explode * losses[0]:
                return np.asarray(losses)  # the range test stops at the exploding batch
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

_WHOLE = [  # (id, title, fix, bugs): mistakes of the whole update or of what is logged
    (
        "short_batch_dropped",
        "the short last batch of each epoch is skipped (drop_last=True)",
        "Keep the last, smaller batch: it is one more update per epoch (ceil(N / B) in all); "
        "leave drop_last=False, or slice up to len(order[e]) without dropping the rest.",
        {"drop_short": True},
    ),
    (
        "order_reused",
        "the first epoch's order is used in every epoch",
        "Read epoch e in its own order, order[e] (or draw a new permutation at the start of "
        "every epoch), not order[0] or one permutation made before the epoch loop.",
        {"order_reused": True},
    ),
    (
        "no_factor_two",
        "the MSE gradient lacks its factor 2 (the gradient of half the MSE)",
        "The gradient of mean((Xw + b - y)^2) is 2/n X^T r for w and 2/n sum(r) for b: "
        "keep the factor 2 in both.",
        {"half": True},
    ),
    (
        "loss_sum",
        "the batch loss is a sum, not a mean (reduction='sum')",
        "Average the squared errors over the batch (np.mean, or reduction='mean'): both the "
        "logged loss and the step then stop growing with the batch size.",
        {"sum_grad": True, "loss_sum": True},
    ),
    (
        "loss_logged_as_sum",
        "the logged loss is the batch's sum of squared errors; the update is right",
        "Log the mean of the squared errors over the batch (as the update uses), not their sum.",
        {"loss_sum": True},
    ),
    (
        "loss_logged_after_step",
        "the loss is computed after the update, on the new weights",
        "Record the batch's loss before the step, from the forward pass that the gradient "
        "comes from (compute r, log mean(r^2), then update).",
        {"loss_after": True},
    ),
    (
        "no_weight_decay",
        "weight decay is left out",
        "Add weight_decay * theta to the gradient of w and of b before the momentum buffer "
        "(g = grad + weight_decay * theta).",
        {"wd_none": True},
    ),
    (
        "weight_decay_not_on_bias",
        "weight decay is applied to w only, not to the bias",
        "torch.optim.SGD(weight_decay=...) decays every parameter it is given, b too: add "
        "weight_decay * b to the gradient of b as well.",
        {"wd_w_only": True},
    ),
    (
        "weight_decay_sign",
        "weight decay is subtracted from the gradient (it pushes the weights away from 0)",
        "Add weight_decay * theta to the gradient (g = grad + weight_decay * theta), so the "
        "step shrinks the weights.",
        {"wd_sign": True},
    ),
]
for _id, _title, _fix, _bugs in _WHOLE:
    register(Mistake(_id, _title, _fix, FAMILY, lambda i, _b=_bugs: linreg(i, **_b)))

_ONE = {"w": ("w", "b"), "b": ("b", "w")}  # the parameter with the mistake, the other one
_PER_PARAMETER = [  # (id stem, title, fix, bug): one parameter wrong, the other right
    (
        "sign",
        "the gradient of {p} has the wrong sign, so {p} goes uphill; {q} is right",
        "With r = Xw + b - y, dL/d{p} is 2/n X^T r for w and 2/n sum(r) for b; step "
        "{p} <- {p} - lr * dL/d{p}, as you did for {q}.",
        "flip_grad",
    ),
    (
        "no_factor_two",
        "the gradient of {p} lacks its factor 2; {q}'s is right",
        "dL/d{p} of the mean squared error has a factor 2 (2/n X^T r for w, 2/n sum(r) for "
        "b): put it back in the update of {p}.",
        "half",
    ),
    (
        "sum_not_mean",
        "the gradient of {p} is summed over the batch, not averaged; {q}'s is averaged",
        "Divide the gradient of {p} by the batch size (np.mean or / len(idx)), as for {q}.",
        "sum_grad",
    ),
    (
        "not_divided_by_k",
        "the gradient of {p} is not divided by the accumulation steps k; {q}'s is",
        "Divide the gradient of {p} by accumulation_steps too (dividing the loss by k before "
        "backward() does it for every parameter at once).",
        "k_once",
    ),
    (
        "no_zero_grad",
        "the gradient of {p} is never reset, so it accumulates across steps; {q}'s is reset",
        "Zero {p}'s gradient before every backward pass as you do for {q} ({p}.grad.zero_(), "
        "or optimizer.zero_grad() for all parameters).",
        "no_zero_grad",
    ),
    (
        "not_updated",
        "{p} is never updated; only {q} learns",
        "Update {p} in every step too: {p} <- {p} - lr * dL/d{p}.",
        "frozen",
    ),
]
for _stem, _title, _fix, _bug in _PER_PARAMETER:
    for _p, (_on, _off) in _ONE.items():
        register(
            Mistake(
                f"{_stem}_{_p}_only",
                _title.format(p=_on, q=_off),
                _fix.format(p=_on, q=_off),
                FAMILY,
                lambda i, _b=_bug, _w=_p: linreg(i, **{_b: _w}),
            )
        )
