"""Assignment 5, minibatch_in_action: DataLoader settings and batch-size sweeps on Iris."""

from assignments.authoring.build import answer, given, md, sample, test

NOTEBOOK = "minibatch_in_action"

TRAIN = """
    model = make_model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size,
                            sampler=[int(i) for i in order[epoch]])
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
"""

SWEEP = """
    result = {}
    for batch_size in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                            generator=torch.Generator().manual_seed(seed))
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()
        with torch.no_grad():
            result[batch_size] = (model(X).argmax(dim=1) == y).double().mean().item()
    return result
"""

CELLS = [
    md(
        "intro",
        """
        # Mini-batches in action: Iris

        Following `04-minibatch-in-action-iris.md` and `02-minibatch-as-regularization.md`:
        the `DataLoader` settings `batch_size`, `shuffle` and `drop_last`, a batch-size sweep,
        and what happens when sorted data is not shuffled. The data is the Iris copy that
        scikit-learn ships (150 flowers, 4 features, 3 classes, **sorted by class**), and the
        loss is cross-entropy, the loss for classification.
    """,
    ),
    md(
        "given_md",
        """
        The next cell is given: it imports NumPy and torch, loads the data and builds the
        model. Keep it as it is; the grader builds the same model from the same seed.
    """,
    ),
    given(
        "setup",
        """
        import numpy as np
        import torch
        from sklearn.datasets import load_iris
        from torch.utils.data import DataLoader, TensorDataset

        iris = load_iris()
        X_iris = torch.tensor(iris.data, dtype=torch.float64)
        y_iris = torch.tensor(iris.target, dtype=torch.long)


        def make_model(seed):
            torch.manual_seed(seed)
            layers = [torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)]
            return torch.nn.Sequential(*layers).double()
    """,
    ),
    md(
        "loader_md",
        """
        ## 1. What a DataLoader yields

        Return the sizes of the batches a `DataLoader` over `n` samples yields with this
        `batch_size` and `drop_last` (use a real `DataLoader`): `n` and `batch_size` are ints,
        `drop_last` a bool; return a list of ints. Pass `batch_size` and `drop_last` by name:
        a `DataLoader`'s third positional argument is `shuffle`, not `drop_last`.
    """,
    ),
    answer(
        "loader",
        '''
        def loader_batch_sizes(n, batch_size, drop_last):
            """Sizes of the batches of DataLoader(range(n), batch_size=..., drop_last=...)."""
    ''',
        """
        loader = DataLoader(torch.arange(n), batch_size=batch_size, drop_last=drop_last)
        return [len(batch) for batch in loader]
    """,
    ),
    test("test_loader", "minibatch_in_action.batch_sizes", 2, topics=("drop_last", "iris_sweep")),
    md(
        "train_md",
        """
        ## 2. Training on Iris in a given order

        `train_iris(X, y, *, lr, batch_size, epochs, order, seed)` builds `make_model(seed)`,
        trains it with `torch.optim.SGD` and cross-entropy, reading epoch `e` in the order
        `order[e]` in consecutive batches of `batch_size` (the last short batch kept), and
        returns the loss of every batch (before its update) as a list of floats.

        The checks pass `X_iris` and `y_iris` as made above (a float64 tensor of shape
        `(150, 4)` and a long tensor of shape `(150,)`), `lr` a float, `batch_size`,
        `epochs` and `seed` ints, and `order` a list of `epochs` NumPy int64 arrays of shape
        `(150,)`. Index the tensors with `order[e]` directly, or turn it into a tensor
        (`torch.as_tensor(order[e])`) or a list (a `DataLoader`'s `sampler` takes a list).

        *Where the notes differ:* notes 01 and 04 suggest `drop_last=True` so that every batch
        has the same size. Here the short last batch is kept, as a `DataLoader` does by
        default, so that every sample is read once per epoch and the loss list has
        ceil(150 / batch_size) entries per epoch.
    """,
    ),
    answer(
        "train",
        '''
        def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
            """Mini-batch SGD on Iris in the given order; returns per-batch losses."""
    ''',
        TRAIN,
    ),
    test(
        "test_train_public",
        "minibatch_in_action.iris_trainer_public",
        1,
        topics=("iris_sweep", "loss_functions"),
    ),
    test(
        "test_train",
        "minibatch_in_action.iris_trainer",
        3,
        hidden=True,
        topics=("iris_sweep", "loss_functions", "shuffling"),
    ),
    md(
        "sorted_md",
        """
        ## 3. What a loader without shuffling feeds the model

        The Iris rows are sorted by class. Write `batch_class_counts(y, batch_size, order)`:
        for the batches read from `order` (a NumPy int64 array of shape `(150,)`; consecutive
        batches of `batch_size`, the last short batch kept) return how many samples of
        class 0, 1 and 2 each batch holds, as a list with one `[n0, n1, n2]` list of ints
        per batch (a 2-D integer array is fine too); a class that a batch does not contain
        counts 0. `y` is `y_iris`. Compare the stored order `np.arange(150)` with a shuffled
        one: without shuffling a batch can mix classes only where it straddles the class
        boundaries at rows 50 and 100 (at most two batches, none when `batch_size` divides
        50); every other batch holds a single class, so each update pulls the model towards
        one class only (`04-minibatch-in-action-iris.md`).
    """,
    ),
    answer(
        "sorted",
        '''
        import numpy as np


        def batch_class_counts(y, batch_size, order):
            """Samples of each class in each batch read from order, [[n0, n1, n2], ...]."""
    ''',
        """
        labels = np.asarray(y)[np.asarray(order)]
        return [
            np.bincount(labels[start : start + batch_size], minlength=3).tolist()
            for start in range(0, len(labels), batch_size)
        ]
    """,
    ),
    test("test_sorted", "minibatch_in_action.sorted_order", 2, hidden=True, topics=("shuffling",)),
    md(
        "sweep_md",
        """
        ## 4. A batch-size sweep

        For each batch size, train a fresh `make_model(seed)` for `epochs` epochs with
        `torch.optim.SGD(lr=lr)` (no momentum), cross-entropy and a shuffling `DataLoader`
        (short last batch kept), and return `{batch_size: final training accuracy}`. The
        final training accuracy is that of the trained model on all 150 rows of `X` after
        the last epoch (predictions taken under `torch.no_grad()`), not a running accuracy
        counted batch by batch during the epoch; give it as a fraction in [0, 1] (a float,
        not a percentage). `X` and `y` are `X_iris` and `y_iris`, `batch_sizes` a list of
        ints, `epochs` and `seed` ints, `lr` a float. Shuffle with any generator you like
        (for example `generator=torch.Generator().manual_seed(seed)`, so that your run is
        repeatable): the check does not replay your shuffle. It compares each accuracy with
        a band around what correct runs with different shuffles reach, on both sides: too
        high is as wrong as too low.

        Smaller batches make more (noisier) updates per epoch; plot accuracy against the
        batch size and compare with the observations in section 6 of
        `04-minibatch-in-action-iris.md`.

        *Where the notes differ:* note 01 advises scaling the learning rate with the batch
        size, and note 04 runs its comparison with `drop_last=True`. This sweep keeps one
        `lr` for every batch size and the short last batch, so that the batch size is the
        only thing that changes between runs.
    """,
    ),
    answer(
        "sweep",
        '''
        def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
            """Final training accuracy for each batch size."""
    ''',
        SWEEP,
    ),
    test(
        "test_sweep",
        "minibatch_in_action.sweep",
        2,
        hidden=True,
        topics=("iris_sweep", "generalization"),
    ),
    answer(
        "plot",
        """
        # Plot the training accuracy reached by each batch size.
        import matplotlib.pyplot as plt
    """,
        """
        accs = batch_size_sweep(X_iris, y_iris, [8, 32, 150], epochs=10, lr=0.05, seed=0)
        plt.plot(list(accs), list(accs.values()), marker="o")
        plt.xscale("log")
        plt.xlabel("batch size")
        plt.ylabel("training accuracy after 10 epochs")
        plt.show()
    """,
    ),
]

SAMPLES = {
    "ada_correct": sample(
        "expected score: 10/10 (correct; indexes tensors directly instead of a DataLoader)",
        train="""
            def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
                model = make_model(seed)
                opt = torch.optim.SGD(model.parameters(), lr=lr)
                out = []
                for epoch in range(epochs):
                    for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
                        opt.zero_grad()
                        loss = torch.nn.CrossEntropyLoss()(model(X[idx]), y[idx])
                        loss.backward()
                        opt.step()
                        out.append(float(loss))
                return out
        """,
    ),
    "ben_no_zero_grad": sample(
        "expected score: 6/10 (no zero_grad: both trainer checks fail)",
        train="""
            def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
                model = make_model(seed)
                opt = torch.optim.SGD(model.parameters(), lr=lr)
                losses = []
                for epoch in range(epochs):
                    for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
                        loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx])
                        loss.backward()
                        opt.step()
                        losses.append(loss.item())
                return losses
        """,
    ),
    "cleo_ignores_order": sample(
        "expected score: 6/10 (reads the data in stored order: both trainer checks fail)",
        train="""
            def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
                model = make_model(seed)
                opt = torch.optim.SGD(model.parameters(), lr=lr)
                losses = []
                for _ in range(epochs):
                    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=batch_size):
                        opt.zero_grad()
                        loss = torch.nn.functional.cross_entropy(model(xb), yb)
                        loss.backward()
                        opt.step()
                        losses.append(loss.item())
                return losses
        """,
    ),
    "dev_ignores_drop_last": sample(
        "expected score: 8/10 (the DataLoader is built without drop_last)",
        loader="""
            def loader_batch_sizes(n, batch_size, drop_last):
                return [len(b) for b in DataLoader(torch.arange(n), batch_size=batch_size)]
        """,
    ),
    "eve_crash": sample(
        "expected score: 4/10 (the trainer cell crashes; the sweep reuses it and fails too)",
        train="""
            print(model)


            def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
                return []
        """,
        sweep="""
            def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
                return {b: train_iris(X, y, lr=lr, batch_size=b, epochs=epochs, order=None,
                                      seed=seed)[-1] for b in batch_sizes}
        """,
    ),
}
