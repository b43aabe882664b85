"""Mistakes of minibatch_in_action's outputs: the Iris torch trainer, the loader's batch
sizes, the class counts per batch and the batch-size sweep.

Families and their inputs:

* ``iris_trainer``: per-batch losses of ``train_iris``; inputs ``X, y`` (torch tensors, the
  check's), ``lr, batch_size, epochs, seed, orders``. ``iris_run(inputs, **bug)`` is
  ``reference.torch_trainers.train_torch_model`` rewritten with a switch per mistake; with
  none it reproduces the reference step for step (a test holds it to that).
* ``loader_sizes``: the batch sizes of each ``(n, batch_size, drop_last)`` in ``cases``,
  encoded by ``encode_calls`` (each call's length, then its entries).
* ``class_counts``: ``[n0, n1, n2]`` per batch for each order in ``orders`` over labels
  ``y`` and ``batch_size``, encoded the same way.
* ``sweep``: the final accuracy per batch size of ``batch_size_sweep``; inputs ``X, y,
  batch_sizes, epochs, lr, seed``. A correct sweep shuffles, so it has no single reference;
  the mistakes here are the runs that are deterministic whatever the student's shuffle
  (a loader without shuffling reads the sorted rows the same way every time).
  ``SWEEP_REUSE`` (one model trained on through all batch sizes) shuffles: the sweep check
  names it when the full batch reaches another accuracy after the smaller batch sizes than
  alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference


def iris_run(inputs: dict[str, Any], **bug: Any) -> np.ndarray:
    """Per-batch losses of mini-batch training on Iris with the named bugs switched on.

    Bugs: ``no_zero_grad``, ``stored_order`` (rows 0..N-1 every epoch), ``first_order``
    (``orders[0]`` every epoch), ``reduction_sum``, ``loss_after_step`` (the batch's loss
    recomputed after the update), ``optimizer`` (``"adam"``, ``"momentum"``),
    ``epochs_short`` (one epoch fewer: True for the last, ``"from_one"`` for the first),
    ``drop_last``, ``epoch_means`` (one mean loss per epoch).
    """
    import torch

    from reference.batching import batches
    from reference.torch_trainers import iris_mlp

    X, y, seed = inputs["X"], inputs["y"], int(inputs["seed"])
    reduction = "sum" if bug.get("reduction_sum") else "mean"
    first = 1 if bug.get("epochs_short") == "from_one" else 0
    epochs = range(first, int(inputs["epochs"]) - (1 if bug.get("epochs_short") is True else 0))
    losses: list[list[float]] = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = iris_mlp(seed, dtype=X.dtype)
        if bug.get("optimizer") == "adam":
            opt = torch.optim.Adam(net.parameters(), lr=inputs["lr"])
        else:
            momentum = 0.9 if bug.get("optimizer") == "momentum" else 0.0
            opt = torch.optim.SGD(net.parameters(), lr=inputs["lr"], momentum=momentum)
        for epoch in epochs:
            perm = inputs["orders"][0 if bug.get("first_order") else epoch]
            if bug.get("stored_order"):
                perm = np.arange(len(X))
            losses.append([])
            for idx in batches(
                np.asarray(perm), int(inputs["batch_size"]), drop_last=bool(bug.get("drop_last"))
            ):
                index = torch.as_tensor(idx, dtype=torch.long)
                if not bug.get("no_zero_grad"):
                    opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(
                    net(X[index]), y[index], reduction=reduction
                )
                loss.backward()
                opt.step()
                if bug.get("loss_after_step"):
                    with torch.no_grad():
                        loss = torch.nn.functional.cross_entropy(
                            net(X[index]), y[index], reduction=reduction
                        )
                losses[-1].append(loss.item())
    if bug.get("epoch_means"):
        return np.asarray([np.mean(e) for e in losses])
    return np.asarray([v for e in losses for v in e])


register_reference("iris_trainer", iris_run)
for _id, _title, _fix, _bug in [
    (
        "iris_no_zero_grad",
        "gradients accumulate across batches (no optimizer.zero_grad())",
        "Call opt.zero_grad() before every loss.backward(): backward() adds to .grad, so "
        "without it each step also applies every earlier batch's gradient.",
        {"no_zero_grad": True},
    ),
    (
        "iris_order_ignored",
        "every epoch read the rows in their stored order (order[e] ignored)",
        "Read epoch e in the order given: index X and y with order[e] (or pass it as the "
        "DataLoader's sampler); the stored rows are sorted by class.",
        {"stored_order": True},
    ),
    (
        "iris_first_order_every_epoch",
        "every epoch read order[0] (the order was not renewed per epoch)",
        "Use order[epoch] inside the epoch loop, a new order for every epoch.",
        {"first_order": True},
    ),
    (
        "iris_reduction_sum",
        "the cross-entropy was summed over the batch (reduction='sum')",
        "Use the mean over the batch (cross_entropy's default reduction='mean'): the loss "
        "and the step must not grow with the batch size.",
        {"reduction_sum": True},
    ),
    (
        "iris_loss_after_step",
        "each batch's loss was recorded after the update, not before it",
        "Record loss.item() of the forward pass that the step used, before opt.step() "
        "changes the weights; do not recompute it afterwards.",
        {"loss_after_step": True},
    ),
    (
        "iris_adam",
        "the model was trained with Adam instead of plain SGD",
        "Use torch.optim.SGD(model.parameters(), lr=lr), without momentum.",
        {"optimizer": "adam"},
    ),
    (
        "iris_momentum",
        "SGD was given momentum",
        "Use plain torch.optim.SGD(model.parameters(), lr=lr): momentum=0 is asked for.",
        {"optimizer": "momentum"},
    ),
    (
        "iris_one_epoch_short",
        "one epoch too few was trained (range off by one)",
        "Loop over range(epochs): epochs e = 0, ..., epochs - 1, each a full pass.",
        {"epochs_short": True},
    ),
    (
        "iris_epochs_from_one",
        "the epochs were counted from 1 (range(1, epochs)): the first epoch is skipped",
        "Loop over range(epochs), which starts at 0 and reads order[0] first; range(1, "
        "epochs) makes one epoch fewer.",
        {"epochs_short": "from_one"},
    ),
    (
        "iris_drop_last",
        "the short last batch of each epoch was dropped (drop_last)",
        "Keep the last, shorter batch: drop_last=False (the DataLoader's default) or slices "
        "up to the end of order[e].",
        {"drop_last": True},
    ),
    (
        "iris_epoch_means",
        "one mean loss per epoch was returned instead of every batch's loss",
        "Append loss.item() after every batch and return that list, one value per batch.",
        {"epoch_means": True},
    ),
]:
    register(Mistake(_id, _title, _fix, "iris_trainer", lambda i, _b=_bug: iris_run(i, **_b)))


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


def loader_sizes(inputs: dict[str, Any], *, drop: str = "as_given", last: str = "") -> list[float]:
    """Batch sizes per case: ``drop`` ``"ignored"`` / ``"inverted"`` / ``"always"``; ``last``
    ``"full"`` (every batch B) or ``"empty"`` (a last batch of N mod B, even 0)."""
    out = []
    for n, b, d in inputs["cases"]:
        d = {"as_given": d, "ignored": False, "inverted": not d, "always": True}[drop]
        full, rest = divmod(n, b)
        if last == "empty":
            sizes = [b] * full + ([] if d else [rest])
        elif last == "full":
            sizes = [b] * (full + (1 if rest and not d else 0))
        else:
            sizes = [b] * full + ([rest] if rest and not d else [])
        out.append(sizes)
    return encode_calls(out)


register_reference("loader_sizes", loader_sizes)
for _id, _title, _fix, _kw in [
    (
        "loader_drop_last_ignored",
        "drop_last was not passed to the DataLoader (the short batch is always kept)",
        "Pass drop_last=drop_last to DataLoader: with True the short last batch is left out.",
        {"drop": "ignored"},
    ),
    (
        "loader_drop_last_inverted",
        "drop_last was inverted (not drop_last)",
        "drop_last=True leaves the short last batch out; False keeps it.",
        {"drop": "inverted"},
    ),
    (
        "loader_always_drops",
        "the short last batch was always dropped",
        "Keep the short last batch unless drop_last is True.",
        {"drop": "always"},
    ),
    (
        "loader_last_batch_full",
        "every batch was given size batch_size, the short last one too",
        "The last batch holds n mod batch_size samples when batch_size does not divide n: "
        "read the sizes off the batches the loader yields (len(batch)).",
        {"last": "full"},
    ),
    (
        "loader_empty_last_batch",
        "a last batch of n mod batch_size was counted even when that is 0",
        "When batch_size divides n there is no short batch: ceil(n / batch_size) batches.",
        {"last": "empty"},
    ),
]:
    register(Mistake(_id, _title, _fix, "loader_sizes", lambda i, _k=_kw: loader_sizes(i, **_k)))


def class_counts(inputs: dict[str, Any], *, bug: str = "") -> list[float]:
    """[n0, n1, n2] per batch for each order; ``bug``: ``"order_ignored"`` (labels in
    stored order), ``"short_dropped"`` (the short last batch left out)."""
    labels, b = np.asarray(inputs["y"]), int(inputs["batch_size"])
    out = []
    for order in inputs["orders"]:
        read = labels if bug == "order_ignored" else labels[np.asarray(order)]
        stop = len(read) - len(read) % b if bug == "short_dropped" else len(read)
        out.append([np.bincount(read[s : s + b], minlength=3).tolist() for s in range(0, stop, b)])
    return encode_calls(out)


register_reference("class_counts", class_counts)
for _id, _title, _fix in [
    (
        "counts_order_ignored",
        "the labels were read in their stored order, not in the order given",
        "Index the labels with the order first (y[order]), then cut consecutive batches.",
    ),
    (
        "counts_short_dropped",
        "the short last batch was left out of the counts",
        "Count the last, shorter batch too: slice up to the end (range(0, len, batch_size)).",
    ),
]:
    register(
        Mistake(_id, _title, _fix, "class_counts", lambda i, _b=_id[7:]: class_counts(i, bug=_b))
    )


def sweep_accuracies(inputs: dict[str, Any], *, reuse: bool = False) -> np.ndarray:
    """Final training accuracy per batch size of a sweep: each batch size's epochs read in
    ``inputs["orders"][i]`` (a list of permutations per batch size), or the sorted rows
    every epoch where ``orders`` is absent (a loader that does not shuffle); ``reuse``: one
    model trained on through all batch sizes."""
    import torch

    from reference.torch_trainers import iris_mlp, train_torch_model

    X, y, seed, epochs = inputs["X"], inputs["y"], int(inputs["seed"]), int(inputs["epochs"])
    model, out = iris_mlp(seed, dtype=X.dtype), []
    for i, b in enumerate(inputs["batch_sizes"]):
        orders = inputs.get("orders")
        run = train_torch_model(
            model if reuse else iris_mlp(seed, dtype=X.dtype),
            X,
            y,
            loss_fn=torch.nn.functional.cross_entropy,
            lr=inputs["lr"],
            batch_size=b,
            epochs=epochs,
            permutations=orders[i] if orders is not None else [np.arange(len(X))] * epochs,
            seed=seed,
        )
        if reuse:
            model.load_state_dict(run.state)
        out.append(run.epoch_accuracy[-1])
    return np.asarray(out)


SWEEP_REUSE = register(
    Mistake(
        "sweep_one_model",
        "one model was trained on through all batch sizes (make_model called once)",
        "Build a fresh make_model(seed) and its optimizer inside the loop over batch sizes: "
        "a model carried over starts each batch size already trained.",
        "sweep_reuse",  # shuffled: the check names it from the full batch run alone
        lambda i: sweep_accuracies(i, reuse=True),
    )
)
for _id, _title, _fix, _reuse in [
    (
        "sweep_no_shuffle",
        "the sweep's DataLoader does not shuffle: every epoch reads the class-sorted rows in order",
        "Pass shuffle=True to the sweep's DataLoader (a seeded generator keeps it "
        "reproducible), so batches mix the classes.",
        False,
    ),
    (
        "sweep_one_model_no_shuffle",
        "one model trained on through all batch sizes, with a loader that does not shuffle",
        "Build a fresh make_model(seed) (and its optimizer) for every batch size, and pass "
        "shuffle=True to the DataLoader.",
        True,
    ),
]:
    register(
        Mistake(
            _id,
            _title,
            _fix,
            "sweep",
            lambda i, _r=_reuse: sweep_accuracies({**i, "orders": None}, reuse=_r),
        )
    )
