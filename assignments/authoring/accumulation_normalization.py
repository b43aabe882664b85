"""Assignment 4, accumulation_normalization: gradient accumulation and normalization layers."""

from assignments.authoring.build import answer, md, sample, test

NOTEBOOK = "accumulation_normalization"

BN_TRAIN = """
    x = np.asarray(x, dtype=float)
    m = len(x)
    mean, var = x.mean(axis=0), x.var(axis=0)
    y = (x - mean) / np.sqrt(var + eps) * gamma + beta
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    return y, new_mean, new_var
"""

CELLS = [
    md(
        "intro",
        """
        # Gradient accumulation and normalization

        From `01-minibatch-gradient-descent.md`, parts 8 and 9: simulating a large batch by
        accumulating gradients, and how BatchNorm depends on the batch size while LayerNorm
        and GroupNorm do not. The model in part 1 is linear regression with the mean squared
        error; gradients are returned as one vector `[dL/dw_1, ..., dL/dw_d, dL/db]`.
    """,
    ),
    md(
        "accum_md",
        """
        ## 1. Accumulation equal to the big batch

        `micro_batches` is a list of index arrays that together cover the whole data set,
        possibly with a **shorter last one**. Return the gradient of the MSE over all samples
        computed micro-batch by micro-batch. Dividing every micro-batch loss by the number of
        micro-batches is only right when they have equal sizes: weight each by `n_i / N`.
        `X` (N, d), `y` (N,) and `w` (d,) are NumPy float64 arrays, `b` a float, and each
        entry of `micro_batches` a 1-D NumPy int64 array. Return a NumPy float array of
        shape `(d + 1,)`.

        *Where the notes differ:* the accumulation loop at the end of part 8 divides every
        micro-batch loss by `accumulation_steps`. That equals the big batch's gradient only
        when all micro-batches hold the same number of samples, which the notes assume; here
        the last one may be shorter, so each gets the weight `n_i / N` instead.
    """,
    ),
    answer(
        "accum",
        '''
        import numpy as np


        def accumulated_gradient(X, y, w, b, micro_batches):
            """Full-batch MSE gradient [dw..., db] accumulated over micro-batches."""
    ''',
        """
        total = np.zeros(len(w) + 1)
        for idx in micro_batches:
            r = X[idx] @ w + b - y[idx]
            grad = np.append(2 * X[idx].T @ r / len(idx), 2 * np.mean(r))
            total += grad * len(idx) / len(X)
        return total
    """,
    ),
    test(
        "test_accum",
        "accumulation_normalization.accumulated_gradient",
        2,
        topics=("grad_accumulation",),
    ),
    answer(
        "plot",
        """
        # Plot how far the naive 1/k recipe lands from the full-batch gradient as the last
        # micro-batch shrinks (micro-batches of 8, the last one holding 1 to 8 samples).
        import matplotlib.pyplot as plt

        rng = np.random.default_rng(1)
        Xp, yp = rng.normal(size=(40, 2)), rng.normal(size=40)
        """,
        """
        gaps = []
        for last in range(1, 9):
            n = 32 + last
            parts = [np.arange(i, min(i + 8, n)) for i in range(0, n, 8)]
            full = accumulated_gradient(Xp[:n], yp[:n], np.zeros(2), 0.0, parts)
            naive = np.mean([accumulated_gradient(Xp[p], yp[p], np.zeros(2), 0.0,
                                                  [np.arange(len(p))]) for p in parts], axis=0)
            gaps.append(np.linalg.norm(naive - full))
        plt.plot(range(1, 9), gaps, marker="o")
        plt.xlabel("size of the last micro-batch")
        plt.ylabel("|naive - full-batch gradient|")
        plt.show()
        """,
    ),
    md(
        "trainer_md",
        """
        ## 2. A trainer with accumulation

        The model is the linear regression of part 1: prediction `X[idx] @ w + b`, loss the
        mean squared error of the micro-batch. In epoch `e` the micro-batches are
        `order[e][0:batch_size]`, `order[e][batch_size:2 * batch_size]`, ... in that order
        (the data size is a multiple of `batch_size` in this part, so they all have equal
        sizes). Add up the gradients of each micro-batch's loss divided by k =
        `accumulation_steps`, and every k micro-batches take one plain gradient step on `w`
        and `b` with learning rate `lr` (no momentum, no weight decay), then start the sum
        from zero.

        Groups do not span epochs: when an epoch's number of micro-batches is not a multiple
        of k, the leftover micro-batches still make one last step at the end of the epoch,
        each still divided by k (the usual `if (i + 1) % k == 0 or i + 1 == len(loader)`
        loop, with `i` counting from 0 in every epoch), and the next epoch starts a new
        group. Return the loss of every micro-batch, computed before the step it contributes
        to, as its plain mean squared error (**not** divided by k), as a list of floats.

        *Where the notes differ:* the notes' loop in part 8 steps when `(batch_idx + 1) % k
        == 0` only, so at the end of an epoch whose micro-batches do not fill the last group
        those gradients are either never used or (without a `zero_grad`) carried into the
        next epoch's first group. Here the leftover group steps at the end of its own epoch,
        so every epoch sees all of its data.

        The arguments are typed as in `gd_variants`' `train`: `X` (N, d), `y` (N,), `w0`
        (d,) NumPy float64 arrays, `b0` and `lr` floats, `batch_size`, `epochs` and
        `accumulation_steps` ints, and `order` a list of `epochs` NumPy int64 arrays of shape
        `(N,)`.
    """,
    ),
    answer(
        "trainer",
        '''
        def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
            """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    ''',
        """
        w, b, losses = np.asarray(w0, dtype=float), float(b0), []
        for epoch in range(epochs):
            perm = np.asarray(order[epoch])
            starts = list(range(0, len(perm), batch_size))
            gw, gb = np.zeros_like(w), 0.0
            for i, start in enumerate(starts):
                idx = perm[start : start + batch_size]
                r = X[idx] @ w + b - y[idx]
                losses.append(float(np.mean(r**2)))
                gw = gw + 2 * X[idx].T @ r / len(idx) / accumulation_steps
                gb = gb + 2 * np.mean(r) / accumulation_steps
                if (i + 1) % accumulation_steps == 0 or i + 1 == len(starts):
                    w, b = w - lr * gw, b - lr * gb
                    gw, gb = np.zeros_like(w), 0.0
        return losses
    """,
    ),
    test(
        "test_trainer_public",
        "accumulation_normalization.accumulation_trainer_public",
        1,
        topics=("grad_accumulation",),
    ),
    test(
        "test_trainer",
        "accumulation_normalization.accumulation_trainer",
        3,
        hidden=True,
        topics=("grad_accumulation",),
    ),
    md(
        "bn_md",
        """
        ## 3. BatchNorm from scratch

        For x of shape `(N, C)`: in training mode normalise each column with the batch mean
        and the **biased** variance (divide by N), scale by `gamma`, shift by `beta`, and
        update the running statistics with the **unbiased** variance (divide by N - 1):
        `running = (1 - momentum) * running + momentum * batch_statistic`. In eval mode use
        the running statistics and leave them unchanged. `x`, `gamma`, `beta` and the running
        statistics are NumPy float64 arrays (`x` of shape `(N, C)`, the others `(C,)`).
        `batchnorm_train` returns the tuple `(y, new_running_mean, new_running_var)`;
        `batchnorm_eval` returns `y` alone (the running statistics are not returned, since
        eval mode does not change them). `y` is a NumPy array of `x`'s shape. The checks use
        N > 1.
    """,
    ),
    answer(
        "bn_train",
        '''
        def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
            """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    ''',
        BN_TRAIN,
    ),
    test(
        "test_bn_train",
        "accumulation_normalization.batchnorm_train",
        3,
        hidden=True,
        topics=("batchnorm",),
    ),
    answer(
        "bn_eval",
        '''
        def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
            """BatchNorm forward in eval mode (running statistics)."""
    ''',
        "return (np.asarray(x) - running_mean) / np.sqrt(running_var + eps) * gamma + beta",
    ),
    test(
        "test_bn_eval",
        "accumulation_normalization.batchnorm_eval",
        2,
        hidden=True,
        topics=("batchnorm",),
    ),
    md(
        "one_md",
        """
        ### A batch of one sample

        Why does a batch of one sample break training mode, and why do LayerNorm and
        GroupNorm not care? Answer with `one_sample_outputs(x, gamma, beta, eps)`: for `x` of
        shape `(1, C)` (NumPy float64, `gamma` and `beta` of shape `(C,)`) return
        `(bn_y, ln_y)`, two NumPy arrays of shape `(1, C)`: the training-mode BatchNorm
        output from the formula above (batch mean and biased batch variance; torch's
        `batch_norm` refuses such a batch, so write it out) and the LayerNorm output over
        the row. Say in a comment what `bn_y` is, whatever `x` holds, and why.

        *Where the notes differ:* part 9 of the notes calls a batch of one "undefined" and
        says it "can't normalize". Here, with the biased variance and `eps` in the
        denominator, the formula is defined: it has a value you can compute, and that value
        is the point of the question. (The unbiased variance, dividing by N - 1, is the one
        that is undefined for N = 1; torch refuses the batch for that reason.)
    """,
    ),
    answer(
        "one_sample",
        '''
        def one_sample_outputs(x, gamma, beta, eps=1e-5):
            """(BatchNorm training-mode output, LayerNorm output) for a batch of one sample."""
    ''',
        """
        # BatchNorm: the batch mean is the sample itself and the batch variance 0, so
        # x - mean = 0 and bn_y = beta for every x: the sample's features are lost.
        # LayerNorm takes its statistics over the features of the sample: no batch needed.
        x = np.asarray(x, dtype=float)
        bn_y = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) * gamma + beta
        mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
        ln_y = (x - mean) / np.sqrt(var + eps) * gamma + beta
        return bn_y, ln_y
    """,
    ),
    test(
        "test_one_sample",
        "accumulation_normalization.one_sample",
        1,
        hidden=True,
        topics=("batchnorm", "layer_group_norm"),
    ),
    answer(
        "layer_norm",
        '''
        # x: NumPy float64 array of shape (N, F); gamma, beta: shape (F,). The checks use N > 1.
        def layer_norm(x, gamma, beta, eps=1e-5):
            """LayerNorm over the last axis of each sample."""
    ''',
        """
        x = np.asarray(x, dtype=float)
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + eps) * gamma + beta
    """,
    ),
    test(
        "test_layer_norm",
        "accumulation_normalization.layer_norm",
        2,
        hidden=True,
        topics=("layer_group_norm",),
    ),
    answer(
        "group_norm",
        '''
        # x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
        # The groups are runs of consecutive channels, as in torch.nn.GroupNorm: with
        # G = num_groups, group g holds channels g * C // G to (g + 1) * C // G - 1.
        def group_norm(x, num_groups, gamma, beta, eps=1e-5):
            """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    ''',
        """
        x = np.asarray(x, dtype=float)
        g = x.reshape(x.shape[0], num_groups, -1)
        g = (g - g.mean(axis=2, keepdims=True)) / np.sqrt(g.var(axis=2, keepdims=True) + eps)
        return g.reshape(x.shape) * gamma[None, :, None] + beta[None, :, None]
    """,
    ),
    test(
        "test_group_norm",
        "accumulation_normalization.group_norm",
        2,
        hidden=True,
        topics=("layer_group_norm",),
    ),
    md(
        "std_md",
        """
        ## 4. Standardising inputs

        Standardise the training features column by column with their mean and (population)
        standard deviation, and apply the **training** statistics to the test features: the
        same idea as BatchNorm's running statistics in eval mode. `X_train` `(N, d)` and
        `X_test` `(M, d)` are NumPy float64 arrays; return the tuple `(Z_train, Z_test)` of
        arrays of the same shapes.
    """,
    ),
    answer(
        "standardize",
        '''
        def standardize(X_train, X_test):
            """(Z_train, Z_test), both scaled with the training mean and std."""
    ''',
        """
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        return (X_train - mean) / std, (X_test - mean) / std
    """,
    ),
    test("test_standardize", "accumulation_normalization.standardize", 1, topics=("batchnorm",)),
]

SAMPLES = {
    "ada_correct": sample(
        "expected score: 17/17 (correct; torch's functional batch_norm and einsum variants)",
        bn_train="""
            import torch


            def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
                rm = torch.tensor(running_mean, dtype=torch.float64)
                rv = torch.tensor(running_var, dtype=torch.float64)
                y = torch.nn.functional.batch_norm(
                    torch.as_tensor(x, dtype=torch.float64), rm, rv,
                    torch.as_tensor(gamma, dtype=torch.float64),
                    torch.as_tensor(beta, dtype=torch.float64),
                    training=True, momentum=momentum, eps=eps)
                return y.numpy(), rm.numpy(), rv.numpy()
        """,
        accum="""
            import numpy as np


            def accumulated_gradient(X, y, w, b, micro_batches):
                parts = []
                for idx in micro_batches:
                    r = X[idx] @ w + b - y[idx]
                    parts.append(np.append(2 * np.einsum("ij,i->j", X[idx], r), 2 * r.sum()))
                return np.sum(parts, axis=0) / len(X)
        """,
    ),
    "ben_naive_accumulation": sample(
        "expected score: 15/17 (divides by the number of micro-batches despite a short last one)",
        accum="""
            import numpy as np


            def accumulated_gradient(X, y, w, b, micro_batches):
                total = np.zeros(len(w) + 1)
                for idx in micro_batches:
                    r = X[idx] @ w + b - y[idx]
                    grad = np.append(2 * X[idx].T @ r / len(idx), 2 * np.mean(r))
                    total += grad / len(micro_batches)
                return total
        """,
    ),
    "cleo_no_divide_k": sample(
        "expected score: 13/17 (micro-batch gradients not divided by k: both trainer checks fail)",
        trainer="""
            def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order,
                                  accumulation_steps):
                w, b, losses = np.asarray(w0, dtype=float), float(b0), []
                for epoch in range(epochs):
                    perm = np.asarray(order[epoch])
                    starts = list(range(0, len(perm), batch_size))
                    gw, gb = np.zeros_like(w), 0.0
                    for i, start in enumerate(starts):
                        idx = perm[start : start + batch_size]
                        r = X[idx] @ w + b - y[idx]
                        losses.append(float(np.mean(r**2)))
                        gw, gb = gw + 2 * X[idx].T @ r / len(idx), gb + 2 * np.mean(r)
                        if (i + 1) % accumulation_steps == 0 or i + 1 == len(starts):
                            w, b = w - lr * gw, b - lr * gb
                            gw, gb = np.zeros_like(w), 0.0
                return losses
        """,
    ),
    "dev_biased_running_var": sample(
        "expected score: 14/17 (updates running_var with the biased batch variance)",
        bn_train="""
            def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
                mean, var = x.mean(axis=0), x.var(axis=0)
                y = (x - mean) / np.sqrt(var + eps) * gamma + beta
                return (y, (1 - momentum) * running_mean + momentum * mean,
                        (1 - momentum) * running_var + momentum * var)
        """,
    ),
    "eve_running_stats_in_training": sample(
        "expected score: 14/17 (normalises with the running statistics in training mode)",
        bn_train="""
            def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
                m = len(x)
                mean, var = x.mean(axis=0), x.var(axis=0)
                y = (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta
                return (y, (1 - momentum) * running_mean + momentum * mean,
                        (1 - momentum) * running_var + momentum * var * m / (m - 1))
        """,
    ),
    "fay_crash": sample(
        "expected score: 15/17 (a debugging line raises before accumulated_gradient is defined)",
        accum="""
            import numpy as np

            print(micro_batches)


            def accumulated_gradient(X, y, w, b, micro_batches):
                return np.zeros(len(w) + 1)
        """,
    ),
}
