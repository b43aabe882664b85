"""Mistakes of the ``linreg_trainer`` family: per-step losses of a mini-batch SGD trainer.

The family is the reference trainer itself (``reference.trainers.train_linear_regression``)
with one of its named parts (``TrainerParts``) swapped for a known alternative: the order of
an epoch, its batches, the gradient, zero_grad, the 1/k weight, the optimizer step, what is
logged, the start of an epoch. ``run(inputs)`` with no part swapped is the reference, so the
family cannot drift from the oracle. Inputs: the trainer's keyword arguments (``X, y, w0,
b0, permutations, lr, batch_size, epochs``, optional ``accumulation_steps, momentum,
weight_decay, drop_last``), plus ``base_lr`` when the check asks for linear scaling, and
``lrs`` / ``explode`` for the range test (a rate per update; the run is cut after the first
batch whose loss exceeds ``explode`` times the first's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import alternative, register, register_space
from reference import trainers
from reference.batching import batches
from reference.optim import sgd_step

FAMILY = "linreg_trainer"
_KEYS = ("lr", "batch_size", "epochs", "accumulation_steps", "momentum", "weight_decay")
NOTES_01 = "assignments/notes/01-minibatch-gradient-descent.md"
NOTES_03 = "assignments/notes/03-optimizers-lr-momentum-sgd.md"


def run(
    inputs: dict[str, Any],
    *,
    given: Callable | None = None,
    built: Callable | None = None,
    **parts: Any,
) -> np.ndarray:
    """Per-step losses of the reference trainer on ``inputs`` with ``parts`` swapped
    (``TrainerParts`` fields); ``given`` reads the settings another way (the base rate for the
    scaled one, every batch of an epoch in one update); ``built`` makes parts from the
    inputs (those that need the batch size)."""
    inputs = given(inputs) if given is not None else inputs
    parts = {**parts, **(built(inputs) if built is not None else {})}
    rates = inputs.get("lrs")
    trajectory = trainers.train_linear_regression(
        inputs["X"],
        inputs["y"],
        w0=inputs["w0"],
        b0=inputs["b0"],
        permutations=inputs["permutations"],
        drop_last=inputs.get("drop_last", False),
        lr_schedule=None if rates is None else (lambda t: rates[t]),
        parts=replace(trainers.TEXTBOOK, **parts),
        **{k: inputs[k] for k in _KEYS if k in inputs},
    )
    losses = np.asarray(trajectory.step_losses)
    explode = inputs.get("explode")
    if explode is not None:  # the range test stops at the first exploding batch
        over = np.flatnonzero(losses > explode * losses[0])
        losses = losses[: over[0] + 1] if len(over) else losses
    return losses


def reference_losses(inputs: dict[str, Any]) -> np.ndarray:
    """The correct per-step losses (the reference trainer, every part at its default)."""
    return run(inputs)


register_space(FAMILY, run)


def global_counter_groups(n: int, k: int, carried: int) -> tuple[list[trainers.Group], int]:
    """The notes' loop run over every epoch with one counter: a step whenever (i + 1) % k == 0,
    i never reset. An epoch's leftover micro-batches stay in the gradient and the next
    epoch's first ones complete their group; the last epoch's leftover never steps."""
    groups, start, fresh = [], 0, carried == 0
    while start < n:
        need = k - carried if start == 0 and carried else k
        stop = min(start + need, n)
        full = stop - start == need
        groups.append((start, stop, fresh, full))
        start, fresh = stop, full  # zeroed after each step
    return groups, (carried + n) % k


def full_groups_only(n: int, k: int, carried: int) -> tuple[list[trainers.Group], int]:
    """Groups of k from the epoch's first micro-batch, each from a zero gradient; only a
    full group steps, so a short trailing group's gradient is never used."""
    groups, _ = trainers.epoch_groups(n, k, carried)
    return [(start, stop, True, stop - start == k) for start, stop, _, _ in groups], 0


def carried_leftover_groups(n: int, k: int, carried: int) -> tuple[list[trainers.Group], int]:
    """The notes' step condition with the counter restarted every epoch and the gradient
    zeroed only after a step: an epoch's leftover micro-batches make no step of their own,
    and their gradient is summed into the next epoch's first group."""
    groups, _ = full_groups_only(n, k, carried)
    return [(a, b, a > 0 or carried == 0, full) for a, b, _, full in groups], n % k

# -- alternatives of single parts ---------------------------------------------------------------


def _which(which: str) -> np.ndarray:
    """Index of (w, b) that a per-parameter alternative touches: "w" -> [:-1], "b" -> [-1:]."""
    return np.s_[:-1] if which == "w" else np.s_[-1:]


def _scaled_gradient(factor: float | str, which: str = "both") -> Callable:
    """The gradient with ``factor`` applied (to w, b or both); "B" is the batch size."""

    def grad(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
        g = trainers.gradient(X, y, theta)
        f = len(y) if factor == "B" else factor
        if which == "both":
            return g * f
        g[_which(which)] *= f
        return g

    return grad


def _kept_gradient(which: str = "both") -> Callable:
    """zero_grad not called (for one parameter or both): the buffer keeps every gradient."""

    def keep(grad: np.ndarray) -> np.ndarray:
        if which == "both":
            return grad
        kept = np.zeros_like(grad)
        kept[_which(which)] = grad[_which(which)]
        return kept

    return keep


def _k_once(which: str) -> Callable:
    """One parameter's gradient not divided by k; the other's is."""

    def share(g: np.ndarray, k: int, size: int) -> np.ndarray:
        out = g / k
        out[_which(which)] = g[_which(which)]
        return out

    return share


def _uphill(theta, grad, buf, **hyper):
    """The step added instead of subtracted."""
    new, buf = sgd_step(theta, grad, buf, **hyper)
    return 2 * theta - new, buf


def _frozen(which: str) -> Callable:
    def step(theta, grad, buf, **hyper):
        new, buf = sgd_step(theta, grad, buf, **hyper)
        new[_which(which)] = theta[_which(which)]
        return new, buf

    return step


def _decay(how: str) -> Callable:
    """Weight decay done another way than torch's g + weight_decay * theta before momentum."""

    def step(theta, grad, buf, *, lr, momentum, weight_decay):
        decay = weight_decay * theta
        if how == "after":
            new, buf = sgd_step(theta, grad, buf, lr=lr, momentum=momentum)
            return new - lr * decay, buf
        if how == "w_only":
            decay[-1] = 0.0
        scale = {"none": 0.0, "sign": -1.0, "twice": 2.0}.get(how, 1.0)
        return sgd_step(theta, grad + scale * decay, buf, lr=lr, momentum=momentum)

    return step


def _momentum(how: str) -> Callable:
    """Momentum other than torch's (first buffer = the gradient, then mu * buf + g)."""

    def step(theta, grad, buf, *, lr, momentum, weight_decay):
        if not momentum:
            raise ValueError("no momentum in this check")
        if how == "nesterov":
            return sgd_step(
                theta, grad, buf, lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay
            )
        if how in ("ema", "ema_first"):  # buf = mu * buf + (1 - mu) * g
            g = grad + weight_decay * theta
            first = (1 - momentum) * g if how == "ema" else g  # from zero, or from g
            buf = first if buf is None else momentum * buf + (1 - momentum) * g
            return theta - lr * buf, buf
        raise ValueError(f"unknown momentum variant {how!r}")

    return step


def _epoch_reset(what: str) -> Callable:
    def start(theta, buf, first):
        return (theta, None) if what == "buffer" else (first.copy(), buf)

    return start


def _logged_after(X, y, group, before, after) -> list[float]:
    """The group's last micro-batch logged after the update (all of them when k = 1)."""
    losses = trainers.logged_losses(X, y, group, before, after)
    return losses[:-1] + trainers.logged_losses(X, y, group[-1:], after, after)


def _logged_full_data(X, y, group, before, after) -> list[float]:
    """The loss over the whole training set, logged in place of each micro-batch's."""
    return [trainers.mse(X, y, before[:-1], before[-1]) for _ in group]


def _logged_sum(X, y, group, before, after) -> list[float]:
    losses = trainers.logged_losses(X, y, group, before, after)
    return [loss * len(idx) for loss, idx in zip(losses, group, strict=True)]


def _broadcast_loss(X, y, group, before, after) -> list[float]:
    """F.mse_loss of a (B, 1) prediction against (B,) targets: the mean over B x B pairs."""
    out = []
    for idx in group:
        p = X[idx] @ before[:-1] + before[-1]
        out.append(float(np.mean((p[:, None] - y[idx][None, :]) ** 2)))
    return out


def _broadcast_gradient(X, y, theta) -> np.ndarray:
    """The gradient of that B x B mean: every prediction against the targets' mean."""
    r = X @ theta[:-1] + theta[-1] - np.mean(y)
    return np.append(2.0 * X.T @ r / len(y), 2.0 * np.sum(r) / len(y))


def _nominal_b(batch_size: int) -> tuple[Callable, Callable]:
    """Loss and gradient averaged over the nominal batch size, also for the short batch."""

    def grad(X, y, theta):
        return trainers.gradient(X, y, theta) * len(y) / batch_size

    def logged(X, y, group, before, after):
        losses = trainers.logged_losses(X, y, group, before, after)
        return [loss * len(idx) / batch_size for loss, idx in zip(losses, group, strict=True)]

    return grad, logged


def _drop_short(order, batch_size, *, drop_last):
    if drop_last:
        raise ValueError("the check already drops the short last batch")
    return batches(order, batch_size, drop_last=True)


_SINGLE = [
    (
        "no_zero_grad",
        "gradients accumulate across steps (no zero_grad)",
        "Call optimizer.zero_grad() (or reset w.grad / your gradient) before every backward "
        "pass; otherwise each step also applies all the earlier gradients.",
        {"zero_grad": _kept_gradient()},
    ),
    (
        "no_shuffle",
        "the data is read in the same order every epoch (no shuffling)",
        "Read each epoch in the order given for that epoch (order[epoch]) instead of 0, 1, ..., "
        "N-1; when you shuffle yourself, draw a new order at the start of every epoch rather "
        "than reusing one.",
        {"order": lambda perms, e: np.arange(len(perms[e]))},
    ),
    (
        "order_inverted",
        "order[e] is read as ranks (np.argsort(order[e])): the batches hold other samples",
        "order[e] lists the samples to read, in order: batch j is order[e][j*B:(j+1)*B], the "
        "rows X[order[e][j*B:(j+1)*B]]; no argsort.",
        {"order": lambda perms, e: np.argsort(perms[e])},
    ),
    (
        "order_reused",
        "the first epoch's order is used in every epoch",
        "Read epoch e in its own order, order[e] (or draw a new permutation at the start of "
        "every epoch), not order[0] or one permutation made before the epoch loop.",
        {"order": lambda perms, e: perms[0]},
    ),
    (
        "short_batch_dropped",
        "the short last batch of each epoch is skipped (drop_last=True)",
        "Keep the last, smaller batch: it is one more update per epoch (ceil(N / B) in all); "
        "leave drop_last=False, or slice up to len(order[e]) without dropping the rest.",
        {"batches": _drop_short},
    ),
    (
        "sum_not_mean",
        "the batch gradient is summed instead of averaged",
        "Average the loss over the batch (mean, not sum), so the step does not grow with B.",
        {"gradient": _scaled_gradient("B")},
    ),
    (
        "no_factor_two",
        "the MSE gradient lacks its factor 2 (the gradient of half the MSE)",
        "The gradient of mean((Xw + b - y)^2) is 2/n X^T r for w and 2/n sum(r) for b: keep "
        "the factor 2 in both.",
        {"gradient": _scaled_gradient(0.5)},
    ),
    (
        "loss_sum",
        "the batch loss is a sum, not a mean (reduction='sum')",
        "Average the squared errors over the batch (np.mean, or reduction='mean'): both the "
        "logged loss and the step then stop growing with the batch size.",
        {"gradient": _scaled_gradient("B"), "logged": _logged_sum},
    ),
    (
        "loss_logged_as_sum",
        "the logged loss is the batch's sum of squared errors; the update is right",
        "Log the mean of the squared errors over the batch (as the update uses), not their sum.",
        {"logged": _logged_sum},
    ),
    (
        "loss_logged_after_step",
        "the loss is computed after the update, on the new weights (the last micro-batch of "
        "each group, when k > 1)",
        "Record the batch's loss before the step, from the forward pass that the gradient comes "
        "from (compute r, log mean(r^2), then update).",
        {"logged": _logged_after},
    ),
    (
        "loss_full_data",
        "the loss of the whole training set is logged for each batch, not the batch's loss",
        "Record the loss of the batch the step is made on (mean over X[idx], y[idx]), "
        "computed before its update.",
        {"logged": _logged_full_data},
    ),
    (
        "leftover_group_rescaled",
        "a trailing group of fewer than k micro-batches is divided by its own size, not by k",
        "Divide every micro-batch loss by k, also in the last, shorter group of an epoch (the "
        "same 1/k as the others).",
        {"share": lambda g, k, size: g / size},
    ),
    (
        "loss_broadcast",
        "the loss compares a (B, 1) prediction with (B,) targets, so it "
        "broadcasts to a B x B table (every prediction against every target)",
        "Make prediction and target the same shape before the loss: pred.squeeze(1) (or "
        "y.view(-1, 1)); F.mse_loss warns about this broadcast.",
        {"gradient": _broadcast_gradient, "logged": _broadcast_loss},
    ),
    (
        "short_batch_mean_by_b",
        "the short last batch is averaged over batch_size, not over the samples it holds",
        "Divide by the number of samples in the batch (len(idx), or use .mean()), which is "
        "smaller than batch_size for the last batch of an epoch.",
        {
            "built": lambda i: dict(
                zip(("gradient", "logged"), _nominal_b(i["batch_size"]), strict=True)
            )
        },
    ),
    (
        "short_batch_gradient_by_b",
        "the gradient of the short last batch is divided by batch_size, not by the samples it "
        "holds (its logged loss is right)",
        "Divide by the number of samples in the batch (len(idx)), which is smaller than "
        "batch_size for the last batch of an epoch.",
        {"built": lambda i: {"gradient": _nominal_b(i["batch_size"])[0]}},
    ),
    (
        "leftover_group_dropped",
        "a trailing group of fewer than k micro-batches makes no update (the step only when "
        "(i + 1) % k == 0)",
        "Step after the last micro-batch of the epoch too: if (i + 1) % k == 0 or i + 1 == "
        "len(batches); the short group keeps the same 1/k.",
        {"grouping": full_groups_only},
    ),
    (
        "accumulation_global_counter",
        "the micro-batches are counted over all epochs ((i + 1) % k, i never reset to 0): an "
        "epoch's leftover micro-batches are carried into the next epoch's first group",
        "Count from 0 in every epoch and step after its last micro-batch too: if (i + 1) % k "
        f"== 0 or i + 1 == len(batches). The notes' loop ({NOTES_01}, 'Gradient Accumulation "
        "(Simulating Large Batches)') steps on (batch_idx + 1) % accumulation_steps over one "
        "pass of the loader; with one counter over several epochs its groups span epochs. "
        "The assignment's groups end with their epoch, so every epoch sees all of its data.",
        {"grouping": global_counter_groups},
    ),
    (
        "accumulation_leftover_carried",
        "an epoch's leftover micro-batches make no step ((i + 1) % k only), and with zero_grad "
        "only after a step their gradient is added to the next epoch's first group",
        "Step after the epoch's last micro-batch too: if (i + 1) % k == 0 or i + 1 == "
        f"len(batches). The notes' loop ({NOTES_01}, 'Gradient Accumulation (Simulating Large "
        "Batches)') steps on (batch_idx + 1) % accumulation_steps alone, over one pass of the "
        "loader; the assignment's groups end with their epoch, so every epoch sees all of its "
        "data and no gradient crosses into the next.",
        {"grouping": carried_leftover_groups},
    ),
    (
        "lr_scaled_by_k",
        "the learning rate is multiplied by k (the linear scaling rule applied to accumulation)",
        "Accumulation already makes one step from k micro-batches with the loss divided by k: "
        "use the learning rate lr as given.",
        {"given": lambda i: {**i, "lr": i["lr"] * i.get("accumulation_steps", 1)}},
    ),
    (
        "sign_error",
        "the update goes uphill (w + lr * grad)",
        "Step against the gradient: w <- w - lr * grad.",
        {"step": _uphill},
    ),
    (
        "lr_not_scaled",
        "the learning rate was not scaled with the batch size",
        "Apply the linear scaling rule: lr = base_lr * batch_size / base_batch.",
        {"given": lambda i: {**i, "lr": i["base_lr"]}},
    ),
    (
        "loss_not_divided_by_k",
        "the loss was not divided by the accumulation steps",
        "Divide each micro-batch loss by k (accumulation_steps) before backward(), so k "
        "micro-batches add up to the gradient of one big batch.",
        {"share": lambda g, k, size: g},
    ),
    (
        "step_once_per_epoch",
        "the optimizer steps once per epoch (after every batch's backward), not once per batch",
        "Call optimizer.step() (and zero_grad()) inside the batch loop, once per batch; outside "
        "it the gradients of the whole epoch pile up into one step.",
        {
            "given": lambda i: {**i, "accumulation_steps": len(i["X"])},
            "share": lambda g, k, size: g,
        },
    ),
    (
        "weight_decay_after_momentum",
        "weight decay was added after the momentum update",
        "Add weight_decay * w to the gradient before it enters the momentum buffer "
        "(torch.optim.SGD's order).",
        {"step": _decay("after")},
    ),
    (
        "no_weight_decay",
        "weight decay is left out",
        "Add weight_decay * theta to the gradient of w and of b before the momentum buffer "
        "(g = grad + weight_decay * theta).",
        {"step": _decay("none")},
    ),
    (
        "weight_decay_not_on_bias",
        "weight decay is applied to w only, not to the bias",
        "torch.optim.SGD(weight_decay=...) decays every parameter it is given, b too: add "
        "weight_decay * b to the gradient of b as well.",
        {"step": _decay("w_only")},
    ),
    (
        "weight_decay_sign",
        "weight decay is subtracted from the gradient (it pushes the weights away from 0)",
        "Add weight_decay * theta to the gradient (g = grad + weight_decay * theta), so the "
        "step shrinks the weights.",
        {"step": _decay("sign")},
    ),
    (
        "weight_decay_notes_2lambda",
        "weight decay as the notes write the penalty: "
        "L + lambda * ||theta||^2, so 2 * weight_decay * theta in the gradient",
        f"The task follows torch.optim.SGD: the gradient gets weight_decay * theta (once). The "
        f"notes' penalty lambda * ||theta||^2 ({NOTES_03}, weight decay) differentiates to "
        "2 * lambda * theta: the same idea with lambda = weight_decay / 2.",
        {"step": _decay("twice")},
    ),
    (
        "momentum_nesterov",
        "Nesterov momentum where plain momentum is asked for",
        "Step along the buffer itself (theta -= lr * buf), not along g + momentum * buf "
        "(that is nesterov=True).",
        {"step": _momentum("nesterov")},
    ),
    (
        "momentum_ema",
        "the momentum buffer is an average: buf = mu * buf + (1 - mu) * g from zero",
        "torch.optim.SGD's buffer is buf = momentum * buf + g (the first buffer is g itself): "
        "no (1 - momentum) factor on the gradient.",
        {"step": _momentum("ema")},
    ),
    (
        "momentum_ema_first_gradient",
        "the momentum buffer is an average: buf = mu * buf + (1 - mu) * g after the first gradient",
        "torch.optim.SGD's buffer is buf = momentum * buf + g (the first buffer is g itself): "
        "no (1 - momentum) factor on the gradient.",
        {"step": _momentum("ema_first")},
    ),
    (
        "momentum_buffer_reset_each_epoch",
        "the momentum buffer starts afresh every epoch (the "
        "optimizer is created inside the epoch loop)",
        "Create the optimizer (and its buffer) once, before the epoch loop, so momentum carries "
        "over from one epoch to the next.",
        {"epoch_start": _epoch_reset("buffer")},
    ),
    (
        "weights_reset_each_epoch",
        "the weights start again from w0, b0 every epoch",
        "Initialise w and b once, before the epoch loop; every epoch continues from where the "
        "last one ended.",
        {"epoch_start": _epoch_reset("weights")},
    ),
]
for _id, _title, _fix, _parts in _SINGLE:
    register(alternative(_id, _title, _fix, FAMILY, **_parts))

_ONE = {"w": ("w", "b"), "b": ("b", "w")}  # the parameter with the mistake, the other one
_PER_PARAMETER = [  # (id stem, title, fix, parts): one parameter wrong, the other right
    (
        "sign",
        "the gradient of {p} has the wrong sign, so {p} goes uphill; {q} is right",
        "With r = Xw + b - y, dL/d{p} is 2/n X^T r for w and 2/n sum(r) for b; step "
        "{p} <- {p} - lr * dL/d{p}, as you did for {q}.",
        lambda p: {"gradient": _scaled_gradient(-1.0, p)},
    ),
    (
        "no_factor_two",
        "the gradient of {p} lacks its factor 2; {q}'s is right",
        "dL/d{p} of the mean squared error has a factor 2 (2/n X^T r for w, 2/n sum(r) for b): "
        "put it back in the update of {p}.",
        lambda p: {"gradient": _scaled_gradient(0.5, p)},
    ),
    (
        "sum_not_mean",
        "the gradient of {p} is summed over the batch, not averaged; {q}'s is averaged",
        "Divide the gradient of {p} by the batch size (np.mean or / len(idx)), as for {q}.",
        lambda p: {"gradient": _scaled_gradient("B", p)},
    ),
    (
        "not_divided_by_k",
        "the gradient of {p} is not divided by the accumulation steps k; {q}'s is",
        "Divide the gradient of {p} by accumulation_steps too (dividing the loss by k before "
        "backward() does it for every parameter at once).",
        lambda p: {"share": _k_once(p)},
    ),
    (
        "no_zero_grad",
        "the gradient of {p} is never reset, so it accumulates across steps; {q}'s is reset",
        "Zero {p}'s gradient before every backward pass as you do for {q} ({p}.grad.zero_(), or "
        "optimizer.zero_grad() for all parameters).",
        lambda p: {"zero_grad": _kept_gradient(p)},
    ),
    (
        "not_updated",
        "{p} is never updated; only {q} learns",
        "Update {p} in every step too: {p} <- {p} - lr * dL/d{p}.",
        lambda p: {"step": _frozen(p)},
    ),
]
for _stem, _title, _fix, _parts in _PER_PARAMETER:
    for _p, (_on, _off) in _ONE.items():
        register(
            alternative(
                f"{_stem}_{_p}_only",
                _title.format(p=_on, q=_off),
                _fix.format(p=_on, q=_off),
                FAMILY,
                **_parts(_p),
            )
        )
