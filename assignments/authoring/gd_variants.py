"""Assignment 2, gd_variants: batch vs SGD vs mini-batch, noise, timing and memory."""

from assignments.authoring.build import answer, md, sample, test

NOTEBOOK = "gd_variants"

TRAIN = """
    losses = []
    w, b = np.array(w0, dtype=float), float(b0)
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r**2)))
            w = w - lr * 2 * X[idx].T @ r / len(idx)
            b = b - lr * 2 * np.mean(r)
    return losses
"""

CELLS = [
    md(
        "intro",
        """
        # Batch, stochastic and mini-batch gradient descent

        Following `01-minibatch-gradient-descent.md` (parts 1, 5 and 6),
        `02-minibatch-as-regularization.md` and the Day 4 plan in
        `05-assessment-and-day4-plan.md`, you will train a linear regression with the three
        flavours of gradient descent, count updates per epoch, measure how the gradient's
        noise shrinks with the batch size, and time an epoch at different batch sizes.
        The loss is the mean squared error (the right loss for regression; classification
        uses cross-entropy, as in the Iris notebook).
    """,
    ),
    md(
        "count_md",
        """
        ## 1. Updates per epoch

        An epoch over N samples in batches of B makes ⌈N/B⌉ updates; the last batch is short
        when B does not divide N, unless `drop_last=True` discards it. When B divides N there
        is no short batch, and `drop_last` changes nothing. `n` and `batch_size` are positive
        ints, `drop_last` a bool; return an int.

        **Where the notes differ.** `01-minibatch-gradient-descent.md` counts 31 updates for
        N = 1000 and B = 32 ("1000/32 ≈ 31"). 31 is the number of full batches, ⌊N/B⌋, the
        count with `drop_last=True`. Kept, the last batch of 8 samples makes an update too, so
        an epoch has ⌈1000/32⌉ = 32 (the notes now say so in an erratum).
    """,
    ),
    answer(
        "count",
        '''
        import math


        def count_updates(n, batch_size, drop_last):
            """Number of optimizer updates in one epoch."""
    ''',
        "return n // batch_size if drop_last else math.ceil(n / batch_size)",
    ),
    test("test_count", "gd_variants.updates_per_epoch", 2, topics=("gd_variants", "drop_last")),
    md(
        "train_md",
        """
        ## 2. One trainer, three flavours

        Write `train(X, y, w0, b0, *, lr, batch_size, epochs, order)` for the model
        `y ≈ X @ w + b` with the mean squared error. What the checks pass in:

        | argument | type |
        |---|---|
        | `X` | NumPy float64 array, shape `(N, d)` |
        | `y` | NumPy float64 array, shape `(N,)` |
        | `w0` | NumPy float64 array, shape `(d,)` (do not change it in place) |
        | `b0` | float |
        | `lr` | float; `batch_size`, `epochs`: ints |
        | `order` | list of `epochs` NumPy int64 arrays, each of shape `(N,)` |

        `order[e]` lists the sample indices of epoch `e` in the order to read them (the
        grader chooses it, as a shuffling DataLoader would); index with it as it is, or turn
        it into a tensor (`torch.as_tensor(order[e])`) or a list. Read consecutive batches of
        `batch_size` from it and keep the last short batch (N = 10 with B = 4 gives batches
        of 4, 4 and 2). Return the loss of every batch, computed **before** its update, as a
        list of floats (an array or tensor is fine too). With `batch_size = N` this is batch
        GD, with `batch_size = 1` it is SGD.

        Work in float64 or float32, as you like: each loss is compared with the reference's to a
        relative 1e-4 (plus 1e-7 absolute), and on the checks' runs float32 rounding stays
        far inside that (a float32 `nn.Linear` trainer passes as well as a float64 one).
    """,
    ),
    answer(
        "train",
        '''
        import numpy as np


        def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
            """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    ''',
        TRAIN,
    ),
    test(
        "test_train_public",
        "gd_variants.train_public",
        1,
        topics=("gd_variants", "shuffling"),
    ),
    test(
        "test_minibatch",
        "gd_variants.minibatch",
        3,
        hidden=True,
        topics=("gd_variants", "shuffling", "loss_functions"),
    ),
    test("test_batch_gd", "gd_variants.batch_gd", 2, hidden=True, topics=("gd_variants",)),
    test("test_sgd", "gd_variants.sgd", 2, hidden=True, topics=("gd_variants",)),
    answer(
        "plot",
        """
        # Plot the loss of the last batch of each epoch for B = 1, 8 and N on a toy problem.
        import matplotlib.pyplot as plt

        rng = np.random.default_rng(0)
        X_toy = rng.normal(size=(64, 2))
        y_toy = X_toy @ np.array([1.5, -2.0]) + 0.3 + 0.1 * rng.normal(size=64)
    """,
        """
        for B, lr in ((1, 0.01), (8, 0.05), (64, 0.1)):
            orders = [rng.permutation(64) for _ in range(20)]
            losses = train(X_toy, y_toy, np.zeros(2), 0.0, lr=lr, batch_size=B, epochs=20,
                           order=orders)
            per_epoch = len(losses) // 20
            plt.plot(losses[per_epoch - 1 :: per_epoch], label=f"B = {B}")
        plt.xlabel("epoch")
        plt.ylabel("loss of the last batch")
        plt.yscale("log")
        plt.legend()
        plt.show()
    """,
    ),
    md(
        "noise_md",
        """
        ## 3. Gradient noise shrinks like σ²/B

        Draw `trials` mini-batches of `batch_size` indices **with replacement** (use
        `np.random.default_rng(seed)`) and return each batch's gradient of the MSE with
        respect to `(w, b)`: an array of shape `(trials, d + 1)`, row `t` holding
        `[dL/dw_1, ..., dL/dw_d, dL/db]` of batch `t`. `X` (N, d), `y` (N,) and `w` (d,) are
        NumPy float64 arrays, `b` a float, the rest ints. The average of these estimates is
        the full gradient (the estimate is unbiased) and the variance of each column is that
        column's per-sample variance divided by B. (Drawn without replacement the variance
        is smaller by (N - B) / (N - 1): the check uses a small N, where that shows.)

        Any call of that generator that draws indices uniformly with replacement will do:
        `rng.integers(0, N, size=batch_size)` per trial, `rng.choice(N, size=(trials,
        batch_size))` at once, and so on. Correct answers therefore draw different batches, and
        the checks compare statistics only, never single draws. They call your function with
        B = 1, 4 and 16 (3000 trials each) and require, for every column: the mean of the
        estimates within 5 standard errors of the full gradient, and the variance divided by
        σ²/B inside the band that 200 reference runs (drawn with replacement) span, widened by
        half its width.
    """,
    ),
    answer(
        "noise",
        '''
        def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
            """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    ''',
        """
        rng = np.random.default_rng(seed)
        out = []
        for _ in range(trials):
            idx = rng.integers(0, len(X), size=batch_size)
            r = X[idx] @ w + b - y[idx]
            out.append(np.append(2 * X[idx].T @ r / batch_size, 2 * r.mean()))
        return np.array(out)
    """,
    ),
    test("test_unbiased", "gd_variants.unbiased", 2, hidden=True, topics=("unbiased_gradient",)),
    test("test_variance", "gd_variants.variance", 2, hidden=True, topics=("gradient_variance",)),
    md(
        "time_md",
        """
        ## 4. Time per epoch

        `epoch(batch_size, device)` should run one epoch of mini-batch SGD with torch on the
        data below (256 samples) on `device` and return nothing. `batch_size` is an int and
        `device` a string (`"cuda"` where a GPU is present, else `"cpu"`). Train the linear
        model `X_time @ w`, `w` a vector of 32 zeros made anew in each call (no bias), on the
        mean squared error with learning rate 0.01, reading the batches in order (no
        shuffling): ⌈256/B⌉ updates. The grader only times the function, calls at B = 1
        against calls at B = 256 on the same machine, and one epoch at B = 1 must take at
        least 10 times as long; it never judges an absolute time nor what `epoch` returns.
        Another model, rate or a shuffle therefore costs nothing, as long as every call
        makes the epoch's ⌈256/B⌉ updates.
    """,
    ),
    answer(
        "timing",
        '''
        import torch

        X_time = torch.randn(256, 32)
        y_time = torch.randn(256)


        def epoch(batch_size, device="cpu"):
            """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    ''',
        """
        X, y = X_time.to(device), y_time.to(device)
        w = torch.zeros(32, device=device, requires_grad=True)
        for start in range(0, len(X), batch_size):
            loss = (X[start : start + batch_size] @ w - y[start : start + batch_size]).pow(2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.01 * w.grad
                w.grad = None
    """,
    ),
    test("test_timing", "gd_variants.time_per_epoch", 2, hidden=True, topics=("time_per_epoch",)),
    md(
        "memory_md",
        """
        ## 5. Memory grows with the batch size

        Return the number of bytes one float32 input batch of shape `(batch_size, n_features)`
        occupies, as an int (`batch_size` and `n_features` are ints). This is why the largest
        batch that fits on the device bounds B.
    """,
    ),
    answer(
        "memory",
        '''
        def batch_bytes(batch_size, n_features):
            """Bytes of a float32 batch of shape (batch_size, n_features)."""
    ''',
        "return batch_size * n_features * 4",
    ),
    test("test_memory", "gd_variants.batch_memory", 1, topics=("memory_batch_size",)),
]

SAMPLES = {
    "ada_correct": sample(
        "expected score: 17/17 (correct; torch autograd trainer and vectorised helpers)",
        train="""
            import numpy as np
            import torch


            def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
                X, y = torch.as_tensor(X), torch.as_tensor(y)
                w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
                b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
                opt = torch.optim.SGD([w, b], lr=lr)
                history = []
                for epoch in range(epochs):
                    for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
                        opt.zero_grad()
                        loss = torch.nn.functional.mse_loss(X[idx] @ w + b, y[idx])
                        loss.backward()
                        opt.step()
                        history.append(loss.item())
                return history
        """,
        count="""
            def count_updates(n, batch_size, drop_last):
                full, rest = divmod(n, batch_size)
                return full + (1 if rest and not drop_last else 0)
        """,
    ),
    "ben_no_zero_grad": sample(
        "expected score: 9/17 (no zero_grad: gradients pile up; every trainer check fails)",
        train="""
            import numpy as np
            import torch


            def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
                X, y = torch.as_tensor(X), torch.as_tensor(y)
                w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
                b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
                opt = torch.optim.SGD([w, b], lr=lr)
                history = []
                for epoch in range(epochs):
                    for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
                        loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
                        loss.backward()
                        opt.step()
                        history.append(loss.item())
                return history
        """,
    ),
    "cleo_no_shuffle": sample(
        "expected score: 11/17 (ignores the order: all trainer checks but batch GD fail)",
        train="""
            import numpy as np


            def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
                losses = []
                w, b = np.array(w0, dtype=float), float(b0)
                for epoch in range(epochs):
                    for start in range(0, len(X), batch_size):
                        xb, yb = X[start : start + batch_size], y[start : start + batch_size]
                        r = xb @ w + b - yb
                        losses.append(float(np.mean(r**2)))
                        w = w - lr * 2 * xb.T @ r / len(yb)
                        b = b - lr * 2 * np.mean(r)
                return losses
        """,
    ),
    "dev_sum_not_mean": sample(
        "expected score: 11/17 (sums the batch gradient: all trainer checks but SGD fail)",
        train="""
            import numpy as np


            def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
                losses = []
                w, b = np.array(w0, dtype=float), float(b0)
                for epoch in range(epochs):
                    perm = np.asarray(order[epoch])
                    for start in range(0, len(perm), batch_size):
                        idx = perm[start : start + batch_size]
                        r = X[idx] @ w + b - y[idx]
                        losses.append(float(np.mean(r**2)))
                        w = w - lr * 2 * X[idx].T @ r
                        b = b - lr * 2 * np.sum(r)
                return losses
        """,
    ),
    "eve_drop_last": sample(
        "expected score: 15/17 (always drops the short last batch when counting updates)",
        count="""
            def count_updates(n, batch_size, drop_last):
                return n // batch_size
        """,
    ),
    "fay_crash": sample(
        "expected score: 5/17 (syntax error in the trainer cell, which also imports numpy)",
        train="""
            import numpy as np


            def train(X, y, w0, b0, *, lr, batch_size, epochs, order)
                return []
        """,
    ),
}
