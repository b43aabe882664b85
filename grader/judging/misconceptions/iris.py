"""Mistakes of minibatch_in_action's outputs: the Iris torch trainer, the loader's batch
sizes, the class counts per batch and the batch-size sweep.

Each family is a reference computation with one of its named parts swapped for a known
alternative; ``run(inputs)`` with no part swapped is the reference, so it cannot drift from
the oracle:

* ``iris_trainer``: per-batch losses of ``reference.torch_trainers.train_torch_model``
  (``TorchParts``: the epoch's order, its batches, the optimizer, zero_grad, the batch's loss,
  which batches step, the loss logged, the start of an epoch); inputs ``X, y`` (torch
  tensors, the check's), ``lr, batch_size, epochs, seed, orders``.
* ``loader_sizes``: the batch sizes (``reference.batching.batch_sizes``, ``BatchingParts``) of
  each ``(n, batch_size, drop_last)`` in ``cases``, encoded by ``encode_calls`` (each call's
  length, then its entries).
* ``class_counts``: ``[n0, n1, n2]`` per batch (``reference.batching.class_counts``) for each
  order in ``orders`` over labels ``y`` and ``batch_size``, encoded the same way.
* ``sweep``: the final accuracy per batch size of ``reference.torch_trainers.batch_size_sweep``;
  inputs ``X, y, batch_sizes, epochs, lr, seed``. A correct sweep may shuffle with any
  generator, so it has no single reference: the family's is the shuffle the task suggests
  (a DataLoader with ``generator=torch.Generator().manual_seed(seed)``), and its mistakes are
  named when the student shuffled that way, or did not shuffle at all (a loader without
  shuffling reads the sorted rows the same way every time). ``SWEEP_REUSE`` (one model
  trained on through all batch sizes) is named by the sweep check from the full batch run
  alone, whatever the shuffle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, alternative, register, register_space
from reference import batching

NOTES_01 = "assignments/notes/01-minibatch-gradient-descent.md"
NOTES_04 = "assignments/notes/04-minibatch-in-action-iris.md"

# -- iris_trainer ------------------------------------------------------------------------------


def iris_run(
    inputs: dict[str, Any],
    *,
    given: Callable | None = None,
    shown: Callable | None = None,
    **parts: Any,
) -> np.ndarray:
    """Per-batch losses of the reference torch trainer on Iris with ``parts`` swapped
    (``TorchParts`` fields); ``given`` reads the settings another way (fewer epochs),
    ``shown`` returns other values than every batch's loss (the per-epoch losses)."""
    import torch

    from reference import torch_trainers

    inputs = given(inputs) if given is not None else inputs
    X, seed = inputs["X"], int(inputs["seed"])
    trajectory = torch_trainers.train_torch_model(
        torch_trainers.iris_mlp(seed, dtype=X.dtype),
        X,
        inputs["y"],
        loss_fn=torch.nn.functional.cross_entropy,
        lr=inputs["lr"],
        batch_size=int(inputs["batch_size"]),
        epochs=int(inputs["epochs"]),
        permutations=[np.asarray(o) for o in inputs["orders"]],
        seed=seed,
        parts=replace(torch_trainers.TEXTBOOK, **parts),
    )
    losses = np.asarray(trajectory.step_losses)
    return np.asarray(shown(losses, inputs)) if shown is not None else losses


register_space("iris_trainer", iris_run)


def _drop_short(order, batch_size, *, drop_last):
    """The short last batch dropped (drop_last=True)."""
    if drop_last:
        raise ValueError("the check already drops the short last batch")
    return batching.batches(order, batch_size, drop_last=True)


def _optimizer(name: str) -> Callable:
    """Another optimizer than plain SGD."""

    def build(params, *, lr, momentum, weight_decay):
        import torch

        if name == "adam":
            return torch.optim.Adam(params, lr=lr)
        return torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=weight_decay)

    return build


def _summed(loss_fn, out, target):
    """cross_entropy(..., reduction='sum')."""
    return loss_fn(out, target, reduction="sum")


def _softmax_first(loss_fn, out, target):
    """The loss of softmax(logits): cross_entropy applies log-softmax itself, so twice."""
    import torch

    return loss_fn(torch.softmax(out, dim=1), target)


def _fresh_each_epoch(net, opt, fresh):
    """make_model(seed) and the optimizer built again at the start of every epoch."""
    return fresh()


def _zero_once_per_epoch(opt, i):
    """opt.zero_grad() once, before the epoch's first batch."""
    if i == 0:
        opt.zero_grad()


def _epoch_means(losses: np.ndarray, inputs: dict[str, Any]) -> np.ndarray:
    """The mean of each epoch's batch losses."""
    return np.asarray([np.mean(e) for e in np.array_split(losses, int(inputs["epochs"]))])


def _fewer_epochs(first: int) -> Callable:
    """One epoch fewer: the last (range(epochs - 1)) or the first (range(1, epochs))."""

    def given(inputs: dict[str, Any]) -> dict[str, Any]:
        epochs = int(inputs["epochs"]) - 1
        return {**inputs, "epochs": epochs, "orders": list(inputs["orders"])[first:][:epochs]}

    return given


_TRAINER = [
    (
        "iris_no_zero_grad",
        "gradients accumulate across batches (no optimizer.zero_grad())",
        "Call opt.zero_grad() before every loss.backward(): backward() adds to .grad, so "
        "without it each step also applies every earlier batch's gradient.",
        {"zero_grad": lambda opt, i: None},
    ),
    (
        "iris_order_ignored",
        "every epoch read the rows in their stored order (order[e] ignored)",
        "Read epoch e in the order given: index X and y with order[e] (or pass it as the "
        "DataLoader's sampler); the stored rows are sorted by class.",
        {"order": lambda perms, e: np.arange(len(perms[e]))},
    ),
    (
        "iris_first_order_every_epoch",
        "every epoch read order[0] (the order was not renewed per epoch)",
        "Use order[epoch] inside the epoch loop, a new order for every epoch.",
        {"order": lambda perms, e: perms[0]},
    ),
    (
        "iris_reduction_sum",
        "the cross-entropy was summed over the batch (reduction='sum')",
        "Use the mean over the batch (cross_entropy's default reduction='mean'): the loss "
        "and the step must not grow with the batch size.",
        {"loss": _summed},
    ),
    (
        "iris_loss_after_step",
        "each batch's loss was recorded after the update, not before it",
        "Record loss.item() of the forward pass that the step used, before opt.step() "
        "changes the weights; do not recompute it afterwards.",
        {"logged": lambda loss, again: again().item()},
    ),
    (
        "iris_adam",
        "the model was trained with Adam instead of plain SGD",
        "Use torch.optim.SGD(model.parameters(), lr=lr), without momentum.",
        {"optimizer": _optimizer("adam")},
    ),
    (
        "iris_momentum",
        "SGD was given momentum",
        "Use plain torch.optim.SGD(model.parameters(), lr=lr): momentum=0 is asked for.",
        {"optimizer": _optimizer("momentum")},
    ),
    (
        "iris_one_epoch_short",
        "one epoch too few was trained (range off by one)",
        "Loop over range(epochs): epochs e = 0, ..., epochs - 1, each a full pass.",
        {"given": _fewer_epochs(0)},
    ),
    (
        "iris_epochs_from_one",
        "the epochs were counted from 1 (range(1, epochs)): the first epoch is skipped",
        "Loop over range(epochs), which starts at 0 and reads order[0] first; range(1, "
        "epochs) makes one epoch fewer.",
        {"given": _fewer_epochs(1)},
    ),
    (
        "iris_drop_last",
        "the short last batch of each epoch was dropped (drop_last)",
        "Keep the last, shorter batch: drop_last=False (the DataLoader's default) or slices "
        f"up to the end of order[e]. The notes ({NOTES_04}, section 4 'Drop Last Batch "
        f"Option'; {NOTES_01}, 'Common Mistakes to Avoid', Mistake 1) call drop_last=True "
        "GOOD for equal batch shapes; this task keeps the short batch so that every sample "
        "is read once per epoch and the loss list has ceil(150 / batch_size) entries per epoch.",
        {"batches": _drop_short},
    ),
    (
        "iris_epoch_means",
        "one mean loss per epoch was returned instead of every batch's loss",
        "Append loss.item() after every batch and return that list, one value per batch.",
        {"shown": _epoch_means},
    ),
    (
        "iris_softmax_before_cross_entropy",
        "softmax was applied to the model's output before cross_entropy / CrossEntropyLoss "
        "(which applies log-softmax itself)",
        "Pass the raw logits model(xb) to cross_entropy: it computes log_softmax inside, so "
        "a softmax before it squashes the logits and the model learns much more slowly.",
        {"loss": _softmax_first},
    ),
    (
        "iris_step_once_per_epoch",
        "opt.step() is called once per epoch, after the batch loop, not after every batch",
        "Call opt.zero_grad(), loss.backward() and opt.step() inside the batch loop, once per "
        "batch: outside it the gradients of the whole epoch pile up into one step.",
        {"zero_grad": _zero_once_per_epoch, "steps": lambda i, n: i == n - 1},
    ),
    (
        "iris_model_rebuilt_each_epoch",
        "make_model(seed) (and the optimizer) are built again inside the epoch loop: the "
        "weights start afresh every epoch",
        "Build the model and its optimizer once, before the epoch loop; every epoch continues "
        "training the same model.",
        {"epoch_start": _fresh_each_epoch},
    ),
]
for _id, _title, _fix, _parts in _TRAINER:
    register(alternative(_id, _title, _fix, "iris_trainer", **_parts))


# -- loader_sizes and class_counts -------------------------------------------------------------


def encode_calls(results: list[Any]) -> list[float]:
    """Nested per-call results as one flat vector: each call's length, then its numbers."""
    out: list[float] = []
    for r in results:
        items = list(r.tolist() if hasattr(r, "tolist") else r)
        out.append(float(len(items)))
        for item in items:
            item = item.tolist() if hasattr(item, "tolist") else item
            out.extend(float(v) for v in (item if isinstance(item, list | tuple) else [item]))
    return out


def loader_sizes(inputs: dict[str, Any], **parts: Any) -> list[float]:
    """Batch sizes per (n, batch_size, drop_last) case (``reference.batching.batch_sizes``)
    with ``parts`` swapped (``BatchingParts`` fields)."""
    chosen = replace(batching.TEXTBOOK, **parts)
    return encode_calls(
        [batching.batch_sizes(n, b, drop_last=d, parts=chosen) for n, b, d in inputs["cases"]]
    )


def class_counts(inputs: dict[str, Any], **parts: Any) -> list[float]:
    """[n0, n1, n2] per batch for each order (``reference.batching.class_counts``) with
    ``parts`` swapped (``BatchingParts`` fields)."""
    chosen = replace(batching.TEXTBOOK, **parts)
    labels, b = np.asarray(inputs["y"]), int(inputs["batch_size"])
    return encode_calls(
        [batching.class_counts(labels, order, b, parts=chosen) for order in inputs["orders"]]
    )


register_space("loader_sizes", loader_sizes)
register_space("class_counts", class_counts)

SHORT_KEPT_ALWAYS = lambda rest, drop_last: rest > 0  # noqa: E731
"""drop_last ignored: the short batch kept whenever there is one."""
SHORT_KEPT_INVERTED = lambda rest, drop_last: rest > 0 and drop_last  # noqa: E731
"""drop_last read the other way round."""
SHORT_KEPT_NEVER = lambda rest, drop_last: False  # noqa: E731
"""The short batch always dropped (floor(N / B))."""
SHORT_KEPT_EVEN_EMPTY = lambda rest, drop_last: not drop_last  # noqa: E731
"""A last batch of N mod B counted even when that is 0."""
DROP_LAST_NOTES = (
    f"{NOTES_01}, 'Common Mistakes to Avoid', Mistake 1, calls DataLoader(..., drop_last=True) "
    f"GOOD, and {NOTES_04} (section 4, 'Drop Last Batch Option') runs its comparison with it"
)
"""Where the notes recommend dropping the short batch (a course trap)."""

for _id, _title, _fix, _parts in [
    (
        "loader_drop_last_ignored",
        "drop_last was not passed to the DataLoader (the short batch is always kept)",
        "Pass drop_last=drop_last to DataLoader: with True the short last batch is left out.",
        {"short_kept": SHORT_KEPT_ALWAYS},
    ),
    (
        "loader_drop_last_inverted",
        "drop_last was inverted (not drop_last)",
        "drop_last=True leaves the short last batch out; False keeps it.",
        {"short_kept": SHORT_KEPT_INVERTED},
    ),
    (
        "loader_always_drops",
        "the short last batch was always dropped (drop_last=True whatever the argument)",
        f"Keep the short last batch unless drop_last is True: pass drop_last=drop_last. "
        f"{DROP_LAST_NOTES}; here the loader must follow the argument, and a DataLoader's "
        "default (drop_last=False) keeps the short batch.",
        {"short_kept": SHORT_KEPT_NEVER},
    ),
    (
        "loader_last_batch_full",
        "every batch was given size batch_size, the short last one too",
        "The last batch holds n mod batch_size samples when batch_size does not divide n: "
        "read the sizes off the batches the loader yields (len(batch)).",
        {"short_size": lambda rest, b: b},
    ),
    (
        "loader_empty_last_batch",
        "a last batch of n mod batch_size was counted even when that is 0",
        "When batch_size divides n there is no short batch: ceil(n / batch_size) batches.",
        {"short_kept": SHORT_KEPT_EVEN_EMPTY},
    ),
]:
    register(alternative(_id, _title, _fix, "loader_sizes", **_parts))

for _id, _title, _fix, _parts in [
    (
        "counts_order_ignored",
        "the labels were read in their stored order, not in the order given",
        "Index the labels with the order first (y[order]), then cut consecutive batches.",
        {"read": lambda labels, order: labels},
    ),
    (
        "counts_short_dropped",
        "the short last batch was left out of the counts",
        "Count the last, shorter batch too: slice up to the end (range(0, len, batch_size)). "
        f"{DROP_LAST_NOTES}; this task keeps the short batch, as a DataLoader does by "
        "default, so that every sample is counted.",
        {"short_kept": SHORT_KEPT_NEVER},
    ),
    (
        "counts_no_minlength",
        "np.bincount without minlength: a batch's counts stop at its largest class, so "
        "classes it lacks are missing instead of 0",
        "Call np.bincount(labels, minlength=3) so that every batch gives three counts "
        "[n0, n1, n2], with 0 for a class the batch does not contain.",
        {"count": lambda labels, n_classes: np.bincount(labels).tolist()},
    ),
]:
    register(alternative(_id, _title, _fix, "class_counts", **_parts))

# -- sweep ------------------------------------------------------------------------------------

SWEEP_SEEDED = frozenset(
    {
        "sweep_generator_per_epoch",
        "sweep_lr_scaled_with_batch_size",
        "sweep_drop_last",
        "sweep_softmax_before_cross_entropy",
    }
)
"""Sweep mistakes reproduced on the task's seeded shuffle: a correct sweep with another
shuffle can land on the same accuracies by chance, so the check names them only where the
accuracies are also out of every correct run's band."""


def sweep_accuracies(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """Final training accuracy per batch size of ``reference.torch_trainers.batch_size_sweep``
    on the check's data and settings, with ``parts`` swapped (``TorchParts`` fields)."""
    from reference import torch_trainers

    accs = torch_trainers.batch_size_sweep(
        inputs["X"],
        inputs["y"],
        list(inputs["batch_sizes"]),
        epochs=int(inputs["epochs"]),
        lr=float(inputs["lr"]),
        seed=int(inputs["seed"]),
        parts=replace(torch_trainers.TEXTBOOK, **parts),
    )
    return np.asarray(list(accs.values()))


register_space("sweep", sweep_accuracies)


def _no_shuffle(n: int, epochs: int, seed: int) -> list[np.ndarray]:
    """A DataLoader without shuffle=True: the stored, class-sorted rows every epoch."""
    return [np.arange(n)] * epochs


def _generator_per_epoch(n: int, epochs: int, seed: int) -> list[np.ndarray]:
    """The seeded generator (or the loader) made again inside the epoch loop: every epoch
    draws the first order of a fresh generator, the same one."""
    from reference.torch_trainers import loader_orders

    return loader_orders(n, 1, seed) * epochs


def _carried(trained, build):
    """One model trained on through all batch sizes (make_model called once)."""
    return build() if trained is None else trained


SWEEP_REUSE = register(
    Mistake(
        "sweep_one_model",
        "one model was trained on through all batch sizes (make_model called once)",
        "Build a fresh make_model(seed) and its optimizer inside the loop over batch sizes: "
        "a model carried over starts each batch size already trained.",
        "sweep_reuse",  # shuffled: the check names it from the full batch run alone
        lambda i: sweep_accuracies(i, sweep_model=_carried),
    )
)
for _id, _title, _fix, _parts in [
    (
        "sweep_no_shuffle",
        "the sweep's DataLoader does not shuffle: every epoch reads the class-sorted rows in order",
        "Pass shuffle=True to the sweep's DataLoader (a seeded generator keeps it "
        "reproducible), so batches mix the classes.",
        {"shuffle": _no_shuffle},
    ),
    (
        "sweep_one_model_no_shuffle",
        "one model trained on through all batch sizes, with a loader that does not shuffle",
        "Build a fresh make_model(seed) (and its optimizer) for every batch size, and pass "
        "shuffle=True to the DataLoader.",
        {"shuffle": _no_shuffle, "sweep_model": _carried},
    ),
    (
        "sweep_generator_per_epoch",
        "the random generator (or the DataLoader with it) is re-created inside the epoch loop, "
        "so every epoch reads the same shuffled order",
        "Make the generator and the DataLoader once per batch size, before the epoch loop: "
        "each pass over the loader then draws a new order from the same generator.",
        {"shuffle": _generator_per_epoch},
    ),
    (
        "sweep_lr_scaled_with_batch_size",
        "the learning rate was scaled with the batch size (lr * batch_size / 32), as the notes "
        "advise",
        f"Use the lr given for every batch size. {NOTES_01} ('Common Mistakes to Avoid', "
        "Mistake 2, and 'The Linear Scaling Rule') scales the rate with the batch size; this "
        "sweep keeps one lr so that the batch size is the only thing that changes between "
        "runs.",
        {"sweep_lr": lambda lr, b: lr * b / 32},
    ),
    (
        "sweep_drop_last",
        "the sweep's DataLoader drops the short last batch (drop_last=True)",
        f"Keep the short last batch (the DataLoader's default drop_last=False). "
        f"{DROP_LAST_NOTES}; this sweep keeps it, so that every sample is read once per "
        "epoch and the batch size is the only thing that changes between runs.",
        {"batches": _drop_short},
    ),
    (
        "sweep_softmax_before_cross_entropy",
        "softmax was applied to the model's output before cross_entropy / CrossEntropyLoss "
        "(which applies log-softmax itself)",
        "Pass the raw logits model(xb) to cross_entropy: it computes log_softmax inside, so "
        "a softmax before it squashes the logits and the model learns much more slowly.",
        {"loss": _softmax_first},
    ),
]:
    # A sweep costs three trainings (about 1.5 s of CPU): its alternatives are tried one at a
    # time, not in pairs (the library pairs only mistakes that declare their parts).
    register(replace(alternative(_id, _title, _fix, "sweep", **_parts), parts=()))
