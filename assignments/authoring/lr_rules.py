"""Assignment 3, lr_rules: schedules, linear scaling, warm-up, range test, momentum + decay."""

from assignments.authoring.build import answer, md, sample, test

NOTEBOOK = "lr_rules"

SGD = """
    theta = np.append(np.asarray(w0, dtype=float), float(b0))
    buf, losses = None, []
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            r = X[idx] @ theta[:-1] + theta[-1] - y[idx]
            losses.append(float(np.mean(r**2)))
            g = np.append(2 * X[idx].T @ r / len(idx), 2 * np.mean(r))
            g = g + weight_decay * theta
            buf = g if buf is None else momentum * buf + g
            theta = theta - lr * buf
    return losses
"""

CELLS = [
    md(
        "intro",
        """
        # Learning-rate rules

        Based on `03-optimizers-lr-momentum-sgd.md` (schedules, momentum, weight decay),
        `01-minibatch-gradient-descent.md` (linear scaling rule, the learning-rate range test)
        and `05-assessment-and-day4-plan.md` (a short warm-up with the scaled rate). Every
        schedule function takes plain Python numbers (floats for rates and factors, ints for
        counts of epochs and steps) and returns the learning rate of epochs 0, 1, …,
        `epochs - 1` as a list of floats.
    """,
    ),
    answer(
        "time_based",
        '''
        import numpy as np


        def time_based_lrs(lr0, decay, epochs):
            """Time-based decay: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n)."""
    ''',
        """
        rates = [lr0]
        for n in range(epochs - 1):
            rates.append(rates[-1] / (1 + decay * n))
        return rates
    """,
    ),
    test("test_time_based", "lr_rules.time_based", 2, topics=("lr_schedules",)),
    md(
        "step_md",
        """
        ## Step decay, two conventions

        The notes write step decay as `lr0 * drop ** floor((1 + n) / every)`. PyTorch's
        `StepLR` uses `lr0 * gamma ** floor(n / step_size)`. Implement both and find the
        epochs where they disagree.
    """,
    ),
    answer(
        "step_notes",
        '''
        import math


        def step_decay_lrs(lr0, drop, every, epochs):
            """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    ''',
        "return [lr0 * drop ** math.floor((1 + n) / every) for n in range(epochs)]",
    ),
    test("test_step_notes", "lr_rules.step_decay_notes", 2, hidden=True, topics=("lr_schedules",)),
    answer(
        "step_torch",
        '''
        def steplr_lrs(lr0, step_size, gamma, epochs):
            """The learning rates torch.optim.lr_scheduler.StepLR produces."""
    ''',
        "return [lr0 * gamma ** (n // step_size) for n in range(epochs)]",
    ),
    test("test_step_torch", "lr_rules.step_lr", 2, hidden=True, topics=("lr_schedules",)),
    answer(
        "exponential",
        '''
        def exponential_lrs(lr0, k, epochs):
            """Exponential decay: lr0 * exp(-k * n)."""
    ''',
        "return [lr0 * math.exp(-k * n) for n in range(epochs)]",
    ),
    test("test_exponential", "lr_rules.exponential", 1, hidden=True, topics=("lr_schedules",)),
    md(
        "scaling_md",
        """
        ## Linear scaling and warm-up

        When the batch grows from `base_batch` to `new_batch`, the linear scaling rule scales
        the learning rate by the same factor (all three arguments are numbers; return a
        float). Large learning rates are then reached by a linear warm-up:
        `LinearLR(start_factor, total_iters=warmup_steps)` multiplies the rate by a factor
        growing linearly from `start_factor` to 1. Step 0 uses `start_factor * lr0`; the
        factor reaches 1 at step `warmup_steps` (not `warmup_steps - 1`) and stays 1 after it.
        `warmup_steps` is at least 1, and the checks never pass 0: the rule above would divide
        by zero there, and torch's `LinearLR(total_iters=0)` is no "warm-up of 0 steps"
        either (it keeps `start_factor * lr0` for ever). Return the rates of steps 0, …,
        `steps - 1` as a list of floats.
    """,
    ),
    answer(
        "scaling",
        '''
        def scale_lr(base_lr, base_batch, new_batch):
            """Learning rate for new_batch by the linear scaling rule."""
    ''',
        "return base_lr * new_batch / base_batch",
    ),
    test("test_scaling", "lr_rules.linear_scaling", 1, topics=("linear_scaling",)),
    answer(
        "warmup",
        '''
        def warmup_lrs(lr0, warmup_steps, start_factor, steps):
            """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    ''',
        """
        return [lr0 * (start_factor + (1 - start_factor) * min(n, warmup_steps) / warmup_steps)
                for n in range(steps)]
    """,
    ),
    test("test_warmup", "lr_rules.warmup", 2, hidden=True, topics=("warmup",)),
    md(
        "range_md",
        """
        ## The learning-rate range test

        Train for one epoch (MSE linear regression, batches of `batch_size` read from
        `order[0]`, the last short batch kept) while the learning rate grows exponentially
        from `lr_start` to `lr_end`: batch i uses `lr_start * gamma ** i` with
        `gamma = (lr_end / lr_start) ** (1 / number_of_batches)`, as `ExponentialLR` stepped
        after every batch would. `number_of_batches` is ⌈N / batch_size⌉, the short last
        batch counted (it is `len(train_loader)` in the notes' `find_lr`). As in `find_lr`,
        stop as soon as a batch's loss is more than 10 times the first batch's loss: that
        batch is still recorded, the batches after it are not run.

        `X`, `y`, `w0` are NumPy float64 arrays of shapes `(N, d)`, `(N,)`, `(d,)`, `b0` is a
        float, `order` a list holding one NumPy int64 array of shape `(N,)`. Return
        `{"lrs": [...], "losses": [...]}` (lists of floats; the loss of each batch before its
        update) and plot loss against learning rate on a log axis: pick a rate a little below
        the point where the loss starts to rise.
    """,
    ),
    answer(
        "range",
        '''
        def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
            """One epoch with an exponentially growing learning rate: lrs and losses."""
    ''',
        """
        perm = np.asarray(order[0])
        n_batches = math.ceil(len(perm) / batch_size)
        gamma = (lr_end / lr_start) ** (1 / n_batches)
        w, b = np.asarray(w0, dtype=float), float(b0)
        lrs, losses = [], []
        for i, start in enumerate(range(0, len(perm), batch_size)):
            idx = perm[start : start + batch_size]
            lr = lr_start * gamma**i
            r = X[idx] @ w + b - y[idx]
            lrs.append(lr)
            losses.append(float(np.mean(r**2)))
            w, b = w - lr * 2 * X[idx].T @ r / len(idx), b - lr * 2 * np.mean(r)
            if losses[-1] > 10 * losses[0]:
                break
        return {"lrs": lrs, "losses": losses}
    """,
    ),
    test("test_range", "lr_rules.range_test", 2, hidden=True, topics=("lr_range_test",)),
    answer(
        "plot",
        """
        # Plot the range test: loss against learning rate on a log axis.
        import matplotlib.pyplot as plt

        rng = np.random.default_rng(3)
        X_rt = rng.normal(size=(256, 2))
        y_rt = X_rt @ np.array([2.0, -1.0]) + 0.1 * rng.normal(size=256)
        """,
        """
        sweep = lr_range_test(X_rt, y_rt, np.zeros(2), 0.0, lr_start=1e-4, lr_end=3.0,
                              batch_size=4, order=[rng.permutation(256)])
        plt.plot(sweep["lrs"], sweep["losses"])
        plt.xscale("log")
        plt.yscale("log")
        plt.xlabel("learning rate")
        plt.ylabel("batch loss")
        plt.show()
        """,
    ),
    md(
        "momentum_md",
        """
        ## Momentum and weight decay together

        Extend the mini-batch trainer with `torch.optim.SGD`'s momentum and weight decay:
        add `weight_decay * w` to the gradient first, then update the buffer (the first buffer
        is the gradient itself, later ones `momentum * buffer + gradient`), then step by
        `lr * buffer`. Weight decay applies to the bias too, as it does for every parameter
        given to `SGD`. It changes the gradient only: the loss you report for a batch is its
        plain mean squared error, **without** a `weight_decay / 2 * |w|²` penalty term.

        **Where the notes differ.** `03-optimizers-lr-momentum-sgd.md` writes weight decay as a
        penalty on the loss, L + λ‖θ‖², whose gradient adds 2λθ. `torch.optim.SGD` adds
        `weight_decay * w`, the gradient of (λ/2)‖θ‖², which is also the update the notes
        write just above that penalty, w_new = w_old - γ(∇L/m + λ·w_old). Follow torch: add
        `weight_decay * w`, not `2 * weight_decay * w`.

        The arguments are typed as in `gd_variants`' `train`: `X` (N, d), `y` (N,) and `w0`
        (d,) NumPy float64 arrays, `b0`, `lr`, `momentum` and `weight_decay` floats,
        `batch_size` and `epochs` ints, and `order` a list of `epochs` NumPy int64 arrays of
        shape `(N,)`: epoch `e` reads consecutive batches of `order[e]`, the last short batch
        kept. Return the loss of every batch (before its update) as a list of floats.
    """,
    ),
    answer(
        "sgd",
        '''
        def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
            """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    ''',
        SGD,
    ),
    test(
        "test_sgd_public",
        "lr_rules.momentum_weight_decay_public",
        1,
        topics=("momentum", "weight_decay"),
    ),
    test(
        "test_sgd",
        "lr_rules.momentum_weight_decay",
        3,
        hidden=True,
        topics=("momentum", "weight_decay"),
    ),
]

SAMPLES = {
    "ada_correct": sample(
        "expected score: 16/16 (correct; uses torch's own schedulers where it can)",
        step_torch="""
            import torch


            def steplr_lrs(lr0, step_size, gamma, epochs):
                opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
                sched = torch.optim.lr_scheduler.StepLR(opt, step_size, gamma)
                rates = []
                for _ in range(epochs):
                    rates.append(sched.get_last_lr()[0])
                    opt.step()
                    sched.step()
                return rates
        """,
        exponential="""
            def exponential_lrs(lr0, k, epochs):
                return list(lr0 * np.exp(-k * np.arange(epochs)))
        """,
    ),
    "ben_steplr_for_notes": sample(
        "expected score: 14/16 (the notes' step decay written with StepLR's floor(n / every))",
        step_notes="""
            import math


            def step_decay_lrs(lr0, drop, every, epochs):
                return [lr0 * drop ** (n // every) for n in range(epochs)]
        """,
    ),
    "cleo_scaling_backwards": sample(
        "expected score: 15/16 (linear scaling rule applied backwards)",
        scaling="""
            def scale_lr(base_lr, base_batch, new_batch):
                return base_lr * base_batch / new_batch
        """,
    ),
    "dev_decay_after_momentum": sample(
        "expected score: 12/16 (weight decay added after the momentum buffer: both SGD checks)",
        sgd="""
            def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
                theta = np.append(np.asarray(w0, dtype=float), float(b0))
                buf, losses = None, []
                for epoch in range(epochs):
                    perm = np.asarray(order[epoch])
                    for start in range(0, len(perm), batch_size):
                        idx = perm[start : start + batch_size]
                        r = X[idx] @ theta[:-1] + theta[-1] - y[idx]
                        losses.append(float(np.mean(r**2)))
                        g = np.append(2 * X[idx].T @ r / len(idx), 2 * np.mean(r))
                        buf = g if buf is None else momentum * buf + g
                        theta = theta - lr * (buf + weight_decay * theta)
                return losses
        """,
    ),
    "eve_crash": sample(
        "expected score: 14/16 (misspelt import stops the first cell: time_based_lrs is undefined)",
        time_based="""
            import numpy as np
            from torch.optim.lr_scheduler import StepLRR


            def time_based_lrs(lr0, decay, epochs):
                rates = [lr0]
                for n in range(epochs - 1):
                    rates.append(rates[-1] / (1 + decay * n))
                return rates
        """,
    ),
}
