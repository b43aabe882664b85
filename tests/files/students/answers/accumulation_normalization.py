"""accumulation_normalization students, written from the released notebook only."""

from make_corpus import Student, variant

PLOT = """...
sizes = range(1, 9)
gaps = []
for last in sizes:
    n = 32 + last  # four micro-batches of 8, then one of `last`
    idx = np.arange(n)
    mbs = [idx[i:i + 8] for i in range(0, n, 8)]
    Xs, ys = Xp[:n], yp[:n]
    exact = accumulated_gradient(Xs, ys, np.zeros(2), 0.0, [idx])
    naive = np.zeros(3)
    for mb in mbs:
        naive += accumulated_gradient(Xs[mb], ys[mb], np.zeros(2), 0.0, [np.arange(len(mb))])
    naive /= len(mbs)
    gaps.append(np.linalg.norm(naive - exact))
plt.plot(list(sizes), gaps, "o-")
plt.xlabel("size of the last micro-batch")
plt.ylabel("|naive - full| gradient")
plt.show()
"""

# ---------------------------------------------------------------- correct: NumPy loops
NUMPY = Student(
    "correct_numpy_loops",
    style="NumPy with explicit loops and gradient formulas",
    cells={
        "accum": '''
import numpy as np


def accumulated_gradient(X, y, w, b, micro_batches):
    """Full-batch MSE gradient [dw..., db] accumulated over micro-batches."""
    N = sum(len(mb) for mb in micro_batches)
    grad = np.zeros(X.shape[1] + 1)
    for mb in micro_batches:
        r = X[mb] @ w + b - y[mb]
        g_w = 2 * X[mb].T @ r / len(mb)
        g_b = 2 * r.mean()
        grad += len(mb) / N * np.append(g_w, g_b)
    return grad
''',
        "plot": PLOT,
        "trainer": '''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    k = accumulation_steps
    w = np.array(w0, dtype=float)
    b = float(b0)
    losses = []
    for e in range(epochs):
        starts = list(range(0, len(order[e]), batch_size))
        acc_w, acc_b = np.zeros_like(w), 0.0
        for i, s in enumerate(starts):
            idx = order[e][s:s + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r**2)))
            acc_w += 2 * X[idx].T @ r / len(idx) / k
            acc_b += 2 * np.mean(r) / k
            if (i + 1) % k == 0 or i + 1 == len(starts):
                w = w - lr * acc_w
                b = b - lr * acc_b
                acc_w, acc_b = np.zeros_like(w), 0.0
    return losses
''',
        "bn_train": '''
def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    n = x.shape[0]
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    y = gamma * (x - mean) / np.sqrt(var + eps) + beta
    unbiased = var * n / (n - 1)
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * unbiased
    return y, new_mean, new_var
''',
        "bn_eval": '''
def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """BatchNorm forward in eval mode (running statistics)."""
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
''',
        "one_sample": '''
def one_sample_outputs(x, gamma, beta, eps=1e-5):
    """(BatchNorm training-mode output, LayerNorm output) for a batch of one sample."""
    # With one sample the batch mean is the sample itself and the variance is 0, so
    # x - mean = 0 and bn_y = beta whatever x holds: the input is wiped out.
    bn_mean = x.mean(axis=0, keepdims=True)
    bn_var = x.var(axis=0, keepdims=True)
    bn_y = gamma * (x - bn_mean) / np.sqrt(bn_var + eps) + beta
    ln_mean = x.mean(axis=1, keepdims=True)
    ln_var = x.var(axis=1, keepdims=True)
    ln_y = gamma * (x - ln_mean) / np.sqrt(ln_var + eps) + beta
    return bn_y, ln_y
''',
        "layer_norm": '''
# x: NumPy float64 array of shape (N, F); gamma, beta: shape (F,). The checks use N > 1.
def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm over the last axis of each sample."""
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
''',
        "group_norm": '''
# x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    N, C, L = x.shape
    g = x.reshape(N, num_groups, C // num_groups, L)
    mean = g.mean(axis=(2, 3), keepdims=True)
    var = g.var(axis=(2, 3), keepdims=True)
    normed = ((g - mean) / np.sqrt(var + eps)).reshape(N, C, L)
    return gamma[None, :, None] * normed + beta[None, :, None]
''',
        "standardize": '''
def standardize(X_train, X_test):
    """(Z_train, Z_test), both scaled with the training mean and std."""
    mu = X_train.mean(axis=0)
    sd = X_train.std(axis=0)
    return (X_train - mu) / sd, (X_test - mu) / sd
''',
    },
)

# ---------------------------------------------------------------- correct: torch built-ins
TORCH = Student(
    "correct_torch_builtins",
    style="torch autograd for the gradients, torch.nn.functional norms, NumPy returns",
    cells={
        "accum": '''
import numpy as np
import torch


def accumulated_gradient(X, y, w, b, micro_batches):
    """Full-batch MSE gradient [dw..., db] accumulated over micro-batches."""
    Xt = torch.from_numpy(np.asarray(X, dtype=float))
    yt = torch.from_numpy(np.asarray(y, dtype=float))
    wt = torch.tensor(np.asarray(w, dtype=float), requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    N = sum(len(mb) for mb in micro_batches)
    for mb in micro_batches:
        idx = torch.as_tensor(mb)
        loss = torch.nn.functional.mse_loss(Xt[idx] @ wt + bt, yt[idx])
        (loss * len(mb) / N).backward()  # gradients add up in .grad
    return torch.cat([wt.grad, bt.grad.reshape(1)]).numpy()
''',
        "plot": PLOT,
        "trainer": '''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    Xt = torch.as_tensor(X, dtype=torch.float64)
    yt = torch.as_tensor(y, dtype=torch.float64)
    model = torch.nn.Linear(Xt.shape[1], 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.as_tensor(w0, dtype=torch.float64).reshape(1, -1))
        model.bias.fill_(float(b0))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for e in range(epochs):
        batches = torch.as_tensor(order[e]).split(batch_size)
        opt.zero_grad()
        for i, idx in enumerate(batches):
            loss = torch.nn.functional.mse_loss(model(Xt[idx]).squeeze(1), yt[idx])
            losses.append(loss.item())
            (loss / accumulation_steps).backward()
            if (i + 1) % accumulation_steps == 0 or i + 1 == len(batches):
                opt.step()
                opt.zero_grad()
    return losses
''',
        "bn_train": '''
def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    rm = torch.tensor(running_mean, dtype=torch.float64)  # copies: batch_norm updates in place
    rv = torch.tensor(running_var, dtype=torch.float64)
    y = torch.nn.functional.batch_norm(
        torch.as_tensor(x), rm, rv, weight=torch.as_tensor(gamma), bias=torch.as_tensor(beta),
        training=True, momentum=momentum, eps=eps,
    )
    return y.numpy(), rm.numpy(), rv.numpy()
''',
        "bn_eval": '''
def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """BatchNorm forward in eval mode (running statistics)."""
    y = torch.nn.functional.batch_norm(
        torch.as_tensor(x), torch.tensor(running_mean), torch.tensor(running_var),
        weight=torch.as_tensor(gamma), bias=torch.as_tensor(beta), training=False, eps=eps,
    )
    return y.numpy()
''',
        "one_sample": '''
def one_sample_outputs(x, gamma, beta, eps=1e-5):
    """(BatchNorm training-mode output, LayerNorm output) for a batch of one sample."""
    xt = torch.as_tensor(x)
    # bn_y == beta: a single sample minus its own mean is 0, and its variance is 0
    centred = xt - xt.mean(0, keepdim=True)
    var = centred.pow(2).mean(0, keepdim=True)
    bn_y = torch.as_tensor(gamma) * centred / torch.sqrt(var + eps) + torch.as_tensor(beta)
    ln_y = torch.nn.functional.layer_norm(
        xt, (xt.shape[-1],), torch.as_tensor(gamma), torch.as_tensor(beta), eps
    )
    return bn_y.numpy(), ln_y.numpy()
''',
        "layer_norm": '''
# x: NumPy float64 array of shape (N, F); gamma, beta: shape (F,). The checks use N > 1.
def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm over the last axis of each sample."""
    xt = torch.as_tensor(x)
    out = torch.nn.functional.layer_norm(
        xt, xt.shape[-1:], weight=torch.as_tensor(gamma), bias=torch.as_tensor(beta), eps=eps
    )
    return out.numpy()
''',
        "group_norm": '''
# x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    out = torch.nn.functional.group_norm(
        torch.as_tensor(x), num_groups, torch.as_tensor(gamma), torch.as_tensor(beta), eps
    )
    return out.numpy()
''',
        "standardize": '''
def standardize(X_train, X_test):
    """(Z_train, Z_test), both scaled with the training mean and std."""
    tr = torch.as_tensor(X_train)
    mu = tr.mean(dim=0)
    sd = tr.std(dim=0, unbiased=False)
    return ((tr - mu) / sd).numpy(), ((torch.as_tensor(X_test) - mu) / sd).numpy()
''',
    },
)

# ---------------------------------------------------------------- correct: vectorised
VECTOR = Student(
    "correct_vectorised",
    style="vectorised NumPy: one weighted residual vector, einsum, keepdims everywhere",
    cells={
        "accum": '''
import numpy as np


def accumulated_gradient(X, y, w, b, micro_batches):
    """Full-batch MSE gradient [dw..., db] accumulated over micro-batches."""
    X = np.asarray(X, dtype=float)
    N = sum(map(len, micro_batches))
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.append(w, b)
    parts = [len(mb) / N * (2 / len(mb)) * A[mb].T @ (A[mb] @ theta - y[mb])
             for mb in micro_batches]
    return np.sum(parts, axis=0)
''',
        "plot": PLOT,
        "trainer": '''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.append(np.asarray(w0, dtype=float), b0)
    losses = []
    for e in range(epochs):
        micro = np.array_split(order[e], range(batch_size, len(order[e]), batch_size))
        for g in range(0, len(micro), accumulation_steps):
            group = micro[g:g + accumulation_steps]
            total = np.zeros_like(theta)
            for idx in group:
                r = A[idx] @ theta - y[idx]
                losses.append(float(r @ r) / len(idx))
                total += (2 / len(idx)) * A[idx].T @ r / accumulation_steps
            theta = theta - lr * total
    return losses
''',
        "bn_train": '''
def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    mu = np.mean(x, axis=0)
    var_b = np.var(x, axis=0)
    var_u = np.var(x, axis=0, ddof=1)
    x_hat = (x - mu) / np.sqrt(var_b + eps)
    return (
        x_hat * gamma + beta,
        running_mean + momentum * (mu - running_mean),
        running_var + momentum * (var_u - running_var),
    )
''',
        "bn_eval": '''
def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """BatchNorm forward in eval mode (running statistics)."""
    scale = gamma / np.sqrt(running_var + eps)
    return x * scale + (beta - running_mean * scale)
''',
        "one_sample": '''
def one_sample_outputs(x, gamma, beta, eps=1e-5):
    """(BatchNorm training-mode output, LayerNorm output) for a batch of one sample."""
    # bn_y is just beta: one sample is its own batch mean, variance 0
    bn_y, _, _ = batchnorm_train(x, gamma, beta, np.zeros(x.shape[1]), np.ones(x.shape[1]))
    return bn_y, layer_norm(x, gamma, beta, eps)
''',
        "layer_norm": '''
# x: NumPy float64 array of shape (N, F); gamma, beta: shape (F,). The checks use N > 1.
def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm over the last axis of each sample."""
    centred = x - x.mean(-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(-1, keepdims=True) + eps) * gamma + beta
''',
        "group_norm": '''
# x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    N, C, L = x.shape
    flat = x.reshape(N, num_groups, -1)
    z = (flat - flat.mean(-1, keepdims=True)) / np.sqrt(flat.var(-1, keepdims=True) + eps)
    return z.reshape(N, C, L) * gamma.reshape(1, C, 1) + beta.reshape(1, C, 1)
''',
        "standardize": '''
def standardize(X_train, X_test):
    """(Z_train, Z_test), both scaled with the training mean and std."""
    mu, sd = np.mean(X_train, 0, keepdims=True), np.std(X_train, 0, keepdims=True)
    return (X_train - mu) / sd, (X_test - mu) / sd
''',
    },
)

# ---------------------------------------------------------------- correct: per-sample loops
LOOPS = Student(
    "correct_per_sample_loops",
    style="loops over samples, groups and columns, Python lists, helper functions",
    cells={
        "accum": '''
import numpy as np


def sample_grad(x_i, y_i, w, b):
    r = float(np.dot(x_i, w) + b - y_i)
    return [2 * r * xj for xj in x_i] + [2 * r]


def accumulated_gradient(X, y, w, b, micro_batches):
    """Full-batch MSE gradient [dw..., db] accumulated over micro-batches."""
    N = 0
    for mb in micro_batches:
        N += len(mb)
    total = [0.0] * (len(w) + 1)
    for mb in micro_batches:
        mb_sum = [0.0] * (len(w) + 1)
        for i in mb:
            mb_sum = [a + g for a, g in zip(mb_sum, sample_grad(X[i], y[i], w, b))]
        mb_mean = [v / len(mb) for v in mb_sum]  # the micro-batch gradient
        total = [t + len(mb) / N * m for t, m in zip(total, mb_mean)]
    return np.array(total)
''',
        "plot": PLOT,
        "trainer": '''
def micro_grad(X, y, w, b, idx):
    r = X[idx] @ w + b - y[idx]
    return float(np.mean(r**2)), 2 * X[idx].T @ r / len(idx), 2 * float(np.mean(r))


def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    w, b = w0.copy(), float(b0)
    out = []
    for e in range(epochs):
        ids = list(order[e])
        micro = [ids[s:s + batch_size] for s in range(0, len(ids), batch_size)]
        gw, gb, pending = np.zeros_like(w), 0.0, 0
        for idx in micro:
            loss, dw, db = micro_grad(X, y, w, b, idx)
            out.append(loss)
            gw, gb = gw + dw / accumulation_steps, gb + db / accumulation_steps
            pending += 1
            if pending == accumulation_steps:
                w, b = w - lr * gw, b - lr * gb
                gw, gb, pending = np.zeros_like(w), 0.0, 0
        if pending:  # leftover micro-batches at the end of the epoch
            w, b = w - lr * gw, b - lr * gb
    return out
''',
        "bn_train": '''
def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    N, C = x.shape
    y = np.empty_like(x, dtype=float)
    new_mean = np.empty(C)
    new_var = np.empty(C)
    for c in range(C):
        col = x[:, c]
        m = sum(col) / N
        v_biased = sum((col - m) ** 2) / N
        v_unbiased = sum((col - m) ** 2) / (N - 1)
        y[:, c] = gamma[c] * (col - m) / (v_biased + eps) ** 0.5 + beta[c]
        new_mean[c] = (1 - momentum) * running_mean[c] + momentum * m
        new_var[c] = (1 - momentum) * running_var[c] + momentum * v_unbiased
    return y, new_mean, new_var
''',
        "bn_eval": '''
def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """BatchNorm forward in eval mode (running statistics)."""
    y = np.empty_like(x, dtype=float)
    for c in range(x.shape[1]):
        y[:, c] = gamma[c] * (x[:, c] - running_mean[c]) / (running_var[c] + eps) ** 0.5 + beta[c]
    return y
''',
        "one_sample": '''
def one_sample_outputs(x, gamma, beta, eps=1e-5):
    """(BatchNorm training-mode output, LayerNorm output) for a batch of one sample."""
    # BatchNorm: each column's only value is its own mean, so the output is beta, always.
    bn_y = np.array([[gamma[c] * 0.0 / (0.0 + eps) ** 0.5 + beta[c] for c in range(x.shape[1])]])
    return bn_y, layer_norm(x, gamma, beta, eps)
''',
        "layer_norm": '''
# x: NumPy float64 array of shape (N, F); gamma, beta: shape (F,). The checks use N > 1.
def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm over the last axis of each sample."""
    rows = []
    for row in x:
        m = row.mean()
        v = ((row - m) ** 2).mean()
        rows.append(gamma * (row - m) / np.sqrt(v + eps) + beta)
    return np.array(rows)
''',
        "group_norm": '''
# x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    N, C, L = x.shape
    per = C // num_groups
    y = np.empty_like(x, dtype=float)
    for n in range(N):
        for g in range(num_groups):
            block = x[n, g * per:(g + 1) * per, :]
            m, v = block.mean(), block.var()
            for c in range(g * per, (g + 1) * per):
                y[n, c] = gamma[c] * (x[n, c] - m) / np.sqrt(v + eps) + beta[c]
    return y
''',
        "standardize": '''
def standardize(X_train, X_test):
    """(Z_train, Z_test), both scaled with the training mean and std."""
    Z_train = np.empty_like(X_train, dtype=float)
    Z_test = np.empty_like(X_test, dtype=float)
    for j in range(X_train.shape[1]):
        m = X_train[:, j].mean()
        s = np.sqrt(((X_train[:, j] - m) ** 2).mean())
        Z_train[:, j] = (X_train[:, j] - m) / s
        Z_test[:, j] = (X_test[:, j] - m) / s
    return Z_train, Z_test
''',
    },
)

# ---------------------------------------------------------------- correct: torch autograd + prints
AUTOGRAD = Student(
    "correct_autograd_prints",
    style="raw torch tensors with autograd and manual updates, prints of intermediate results",
    cells={
        "accum": '''
import numpy as np
import torch


def accumulated_gradient(X, y, w, b, micro_batches):
    """Full-batch MSE gradient [dw..., db] accumulated over micro-batches."""
    theta = torch.tensor(np.append(w, b), requires_grad=True)
    X = torch.tensor(X)
    y = torch.tensor(y)
    N = sum(len(mb) for mb in micro_batches)
    grad = torch.zeros_like(theta)
    for mb in micro_batches:
        mb = torch.as_tensor(mb)
        pred = X[mb] @ theta[:-1] + theta[-1]
        loss = ((pred - y[mb]) ** 2).mean()
        (g,) = torch.autograd.grad(loss, theta)
        grad += g * (len(mb) / N)
    print("accumulated gradient:", grad.tolist())
    return grad.numpy()
''',
        "plot": PLOT,
        "trainer": '''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    X, y = torch.tensor(X), torch.tensor(y)
    w = torch.tensor(w0, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    losses = []
    for e in range(epochs):
        idx_all = torch.as_tensor(order[e])
        n_micro = (len(idx_all) + batch_size - 1) // batch_size
        for i in range(n_micro):
            idx = idx_all[i * batch_size:(i + 1) * batch_size]
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            losses.append(loss.item())
            (loss / accumulation_steps).backward()
            if (i + 1) % accumulation_steps == 0 or i == n_micro - 1:
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        print(f"epoch {e}: mean micro-batch loss {np.mean(losses[-n_micro:]):.4f}")
    return losses
''',
        "bn_train": '''
def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    xt = torch.as_tensor(x)
    mean = xt.mean(0)
    var_biased = xt.var(0, unbiased=False)
    var_unbiased = xt.var(0, unbiased=True)
    y = (xt - mean) / torch.sqrt(var_biased + eps) * torch.as_tensor(gamma) + torch.as_tensor(beta)
    rm = (1 - momentum) * torch.as_tensor(running_mean) + momentum * mean
    rv = (1 - momentum) * torch.as_tensor(running_var) + momentum * var_unbiased
    return y.numpy(), rm.numpy(), rv.numpy()
''',
        "bn_eval": '''
def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """BatchNorm forward in eval mode (running statistics)."""
    x_hat = (torch.as_tensor(x) - torch.as_tensor(running_mean)) / torch.sqrt(
        torch.as_tensor(running_var) + eps
    )
    return (x_hat * torch.as_tensor(gamma) + torch.as_tensor(beta)).numpy()
''',
        "one_sample": '''
def one_sample_outputs(x, gamma, beta, eps=1e-5):
    """(BatchNorm training-mode output, LayerNorm output) for a batch of one sample."""
    # bn_y equals beta for any x: mean of one sample = the sample, so x - mean = 0
    xt = torch.as_tensor(x)
    bn_y = ((xt - xt.mean(0)) / torch.sqrt(xt.var(0, unbiased=False) + eps)
            * torch.as_tensor(gamma) + torch.as_tensor(beta))
    ln_y = layer_norm(x, gamma, beta, eps)
    print("bn_y", bn_y.numpy(), "beta", beta)
    return bn_y.numpy(), ln_y
''',
        "layer_norm": '''
# x: NumPy float64 array of shape (N, F); gamma, beta: shape (F,). The checks use N > 1.
def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm over the last axis of each sample."""
    xt = torch.as_tensor(x)
    mean = xt.mean(dim=1, keepdim=True)
    var = xt.var(dim=1, unbiased=False, keepdim=True)
    return ((xt - mean) / torch.sqrt(var + eps) * torch.as_tensor(gamma)
            + torch.as_tensor(beta)).numpy()
''',
        "group_norm": '''
# x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    xt = torch.as_tensor(x)
    N, C, L = xt.shape
    grouped = xt.view(N, num_groups, C // num_groups * L)
    mean = grouped.mean(-1, keepdim=True)
    var = grouped.var(-1, unbiased=False, keepdim=True)
    z = ((grouped - mean) / torch.sqrt(var + eps)).view(N, C, L)
    return (z * torch.as_tensor(gamma).view(1, C, 1) + torch.as_tensor(beta).view(1, C, 1)).numpy()
''',
        "standardize": '''
def standardize(X_train, X_test):
    """(Z_train, Z_test), both scaled with the training mean and std."""
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0, ddof=0)
    print("train mean", mean, "train std", std)
    return (X_train - mean) / std, (X_test - mean) / std
''',
    },
)

CORRECT = [NUMPY, TORCH, VECTOR, LOOPS, AUTOGRAD]

MISTAKES = [
    variant(
        NUMPY,
        "mistake_accum_naive_one_over_k",
        "every micro-batch gradient weighted 1/k (wrong when the last one is shorter)",
        ["test_accum"],
        accum='''
import numpy as np


def accumulated_gradient(X, y, w, b, micro_batches):
    """Full-batch MSE gradient [dw..., db] accumulated over micro-batches."""
    k = len(micro_batches)
    grad = np.zeros(X.shape[1] + 1)
    for mb in micro_batches:
        r = X[mb] @ w + b - y[mb]
        g_w = 2 * X[mb].T @ r / len(mb)
        g_b = 2 * r.mean()
        grad += np.append(g_w, g_b) / k
    return grad
''',
    ),
    variant(
        AUTOGRAD,
        "mistake_trainer_loss_not_divided",
        "micro-batch losses are not divided by accumulation_steps before backward",
        ["test_trainer_public", "test_trainer"],
        trainer='''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    X, y = torch.tensor(X), torch.tensor(y)
    w = torch.tensor(w0, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    losses = []
    for e in range(epochs):
        idx_all = torch.as_tensor(order[e])
        n_micro = (len(idx_all) + batch_size - 1) // batch_size
        for i in range(n_micro):
            idx = idx_all[i * batch_size:(i + 1) * batch_size]
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            if (i + 1) % accumulation_steps == 0 or i == n_micro - 1:
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        print(f"epoch {e}: mean micro-batch loss {np.mean(losses[-n_micro:]):.4f}")
    return losses
''',
    ),
    variant(
        TORCH,
        "mistake_trainer_leftover_dropped",
        "leftover micro-batches at the end of an epoch make no step (gradients cleared)",
        ["test_trainer_public", "test_trainer"],
        trainer='''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    Xt = torch.as_tensor(X, dtype=torch.float64)
    yt = torch.as_tensor(y, dtype=torch.float64)
    model = torch.nn.Linear(Xt.shape[1], 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.copy_(torch.as_tensor(w0, dtype=torch.float64).reshape(1, -1))
        model.bias.fill_(float(b0))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for e in range(epochs):
        batches = torch.as_tensor(order[e]).split(batch_size)
        opt.zero_grad()
        for i, idx in enumerate(batches):
            loss = torch.nn.functional.mse_loss(model(Xt[idx]).squeeze(1), yt[idx])
            losses.append(loss.item())
            (loss / accumulation_steps).backward()
            if (i + 1) % accumulation_steps == 0:
                opt.step()
                opt.zero_grad()
    return losses
''',
    ),
    variant(
        VECTOR,
        "mistake_bn_biased_running_var",
        "running variance updated with the biased batch variance (divide by N)",
        ["test_bn_train"],
        bn_train='''
def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    mu = np.mean(x, axis=0)
    var_b = np.var(x, axis=0)
    x_hat = (x - mu) / np.sqrt(var_b + eps)
    return (
        x_hat * gamma + beta,
        running_mean + momentum * (mu - running_mean),
        running_var + momentum * (var_b - running_var),
    )
''',
    ),
    variant(
        LOOPS,
        "mistake_bn_eps_dropped",
        "BatchNorm training output divides by sqrt(var) without eps",
        ["test_bn_train"],
        bn_train='''
def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    """BatchNorm forward in training mode: (y, new_running_mean, new_running_var)."""
    N, C = x.shape
    y = np.empty_like(x, dtype=float)
    new_mean = np.empty(C)
    new_var = np.empty(C)
    for c in range(C):
        col = x[:, c]
        m = sum(col) / N
        v_biased = sum((col - m) ** 2) / N
        v_unbiased = sum((col - m) ** 2) / (N - 1)
        y[:, c] = gamma[c] * (col - m) / v_biased**0.5 + beta[c]
        new_mean[c] = (1 - momentum) * running_mean[c] + momentum * m
        new_var[c] = (1 - momentum) * running_var[c] + momentum * v_unbiased
    return y, new_mean, new_var
''',
    ),
    variant(
        NUMPY,
        "mistake_bn_eval_batch_stats",
        "eval mode normalises with the batch statistics instead of the running ones",
        ["test_bn_eval"],
        bn_eval='''
def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """BatchNorm forward in eval mode (running statistics)."""
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta
''',
    ),
    variant(
        NUMPY,
        "mistake_layer_norm_pooled",
        "LayerNorm statistics pooled over the whole batch instead of per sample",
        ["test_layer_norm"],
        layer_norm='''
# x: NumPy float64 array of shape (N, F); gamma, beta: shape (F,). The checks use N > 1.
def layer_norm(x, gamma, beta, eps=1e-5):
    """LayerNorm over the last axis of each sample."""
    mean = x.mean()
    var = x.var()
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
''',
    ),
    variant(
        AUTOGRAD,
        "mistake_group_norm_unbiased",
        "GroupNorm with the unbiased variance (torch's var default)",
        ["test_group_norm"],
        group_norm='''
# x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    xt = torch.as_tensor(x)
    N, C, L = xt.shape
    grouped = xt.view(N, num_groups, C // num_groups * L)
    mean = grouped.mean(-1, keepdim=True)
    var = grouped.var(-1, keepdim=True)
    z = ((grouped - mean) / torch.sqrt(var + eps)).view(N, C, L)
    return (z * torch.as_tensor(gamma).view(1, C, 1) + torch.as_tensor(beta).view(1, C, 1)).numpy()
''',
    ),
    variant(
        VECTOR,
        "mistake_standardize_test_own_stats",
        "test features standardised with their own mean and std, not the training ones",
        ["test_standardize"],
        standardize='''
def standardize(X_train, X_test):
    """(Z_train, Z_test), both scaled with the training mean and std."""
    def z(a):
        return (a - np.mean(a, 0, keepdims=True)) / np.std(a, 0, keepdims=True)

    return z(X_train), z(X_test)
''',
    ),
    # ---- written the other way a student could read the text before it said so
    variant(
        TORCH,
        "mistake_trainer_global_counter",
        "the notes' loop: one global micro-batch counter and one zero_grad, so the leftover "
        "micro-batches of an epoch join the next epoch's first group",
        ["test_trainer_public", "test_trainer"],
        trainer='''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Mini-batch SGD with gradient accumulation; returns per-micro-batch losses."""
    Xt = torch.as_tensor(X, dtype=torch.float64)
    yt = torch.as_tensor(y, dtype=torch.float64)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    batch_idx = 0
    opt.zero_grad()
    for e in range(epochs):
        for idx in torch.as_tensor(order[e]).split(batch_size):
            loss = ((Xt[idx] @ w + b - yt[idx]) ** 2).mean()
            losses.append(loss.item())
            (loss / accumulation_steps).backward()
            if (batch_idx + 1) % accumulation_steps == 0:
                opt.step()
                opt.zero_grad()
            batch_idx += 1
    return losses
''',
    ),
    variant(
        NUMPY,
        "mistake_bn_eval_returns_running_stats",
        "batchnorm_eval returns (y, running_mean, running_var) like batchnorm_train",
        ["test_bn_eval"],
        bn_eval='''
def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """BatchNorm forward in eval mode (running statistics)."""
    y = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    return y, running_mean, running_var
''',
    ),
    variant(
        VECTOR,
        "mistake_group_norm_strided_groups",
        "groups of channels taken by stride (channel c in group c % G) instead of runs of "
        "consecutive channels",
        ["test_group_norm"],
        group_norm='''
# x: NumPy float64 array of shape (N, C, L), num_groups divides C; gamma, beta: (C,).
# The groups are runs of consecutive channels, as in torch.nn.GroupNorm: with
# G = num_groups, group g holds channels g * C // G to (g + 1) * C // G - 1.
def group_norm(x, num_groups, gamma, beta, eps=1e-5):
    """GroupNorm for x of shape (N, C, L): statistics per sample and group of channels."""
    N, C, L = x.shape
    g = x.reshape(N, C // num_groups, num_groups, L)
    mean = g.mean(axis=(1, 3), keepdims=True)
    var = g.var(axis=(1, 3), keepdims=True)
    normed = ((g - mean) / np.sqrt(var + eps)).reshape(N, C, L)
    return gamma[None, :, None] * normed + beta[None, :, None]
''',
    ),
    variant(
        LOOPS,
        "mistake_one_sample_bn_undefined",
        "the notes' 'batch size 1: undefined, can't normalize': bn_y returned as NaN",
        ["test_one_sample"],
        one_sample='''
def one_sample_outputs(x, gamma, beta, eps=1e-5):
    """(BatchNorm training-mode output, LayerNorm output) for a batch of one sample."""
    # One sample: the batch variance is undefined, BatchNorm cannot normalise.
    x = np.asarray(x, dtype=float)
    bn_y = np.full(x.shape, np.nan)
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    ln_y = (x - mean) / np.sqrt(var + eps) * gamma + beta
    return bn_y, ln_y
''',
    ),
]

STUDENTS = CORRECT + MISTAKES
