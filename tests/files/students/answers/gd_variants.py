"""gd_variants students, written from the released notebook only."""

from make_corpus import Student, variant

PLOT_LOOP = """...
n_epochs = 20
perm_rng = np.random.default_rng(1)
orders = [perm_rng.permutation(64) for _ in range(n_epochs)]
for B in [1, 8, 64]:
    losses = train(X_toy, y_toy, np.zeros(2), 0.0, lr=0.05, batch_size=B, epochs=n_epochs,
                   order=orders)
    per_epoch = int(np.ceil(64 / B))
    last = [losses[(e + 1) * per_epoch - 1] for e in range(n_epochs)]
    plt.plot(range(1, n_epochs + 1), last, label=f"B = {B}")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("loss of the last batch")
plt.legend()
plt.show()
"""

# ---------------------------------------------------------------- correct: NumPy loops
NUMPY = Student(
    "correct_numpy_slicing",
    style="NumPy, explicit gradient formula, slicing order[e] in a loop, float64",
    cells={
        "count": '''
import math


def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    if drop_last:
        return n // batch_size
    return math.ceil(n / batch_size)
''',
        "train": '''
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    w = np.array(w0, dtype=float)
    b = float(b0)
    losses = []
    for e in range(epochs):
        idx_epoch = order[e]
        for start in range(0, len(idx_epoch), batch_size):
            idx = idx_epoch[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            r = Xb @ w + b - yb
            losses.append(float(np.mean(r**2)))
            grad_w = 2 * Xb.T @ r / len(yb)
            grad_b = 2 * np.mean(r)
            w = w - lr * grad_w
            b = b - lr * grad_b
    return losses
''',
        "plot": PLOT_LOOP,
        "noise": '''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    grads = np.zeros((trials, d + 1))
    for t in range(trials):
        idx = rng.integers(0, n, size=batch_size)
        r = X[idx] @ w + b - y[idx]
        grads[t, :d] = 2 * X[idx].T @ r / batch_size
        grads[t, d] = 2 * r.mean()
    return grads
''',
        "timing": '''
import torch

X_time = torch.randn(256, 32)
y_time = torch.randn(256)


def epoch(batch_size, device="cpu"):
    """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    X, y = X_time.to(device), y_time.to(device)
    w = torch.zeros(32, device=device, requires_grad=True)
    b = torch.zeros(1, device=device, requires_grad=True)
    perm = torch.randperm(256, device=device)
    for start in range(0, 256, batch_size):
        idx = perm[start:start + batch_size]
        loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
            w.grad.zero_()
            b.grad.zero_()
''',
        "memory": '''
def batch_bytes(batch_size, n_features):
    """Bytes of a float32 batch of shape (batch_size, n_features)."""
    return batch_size * n_features * 4
''',
    },
)

# ---------------------------------------------------------------- correct: torch autograd
AUTOGRAD = Student(
    "correct_torch_autograd",
    style="torch float64 tensors, autograd and manual no_grad updates, torch.randint noise",
    cells={
        "count": '''
import math


def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    full, rest = divmod(n, batch_size)
    return full + (1 if rest and not drop_last else 0)
''',
        "train": '''
import numpy as np
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float64)
    w = torch.tensor(np.asarray(w0, dtype=float), requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    losses = []
    for e in range(epochs):
        idx_all = torch.as_tensor(np.asarray(order[e]), dtype=torch.long)
        for idx in torch.split(idx_all, batch_size):
            loss = torch.mean((Xt[idx] @ w + b - yt[idx]) ** 2)
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad = None
            b.grad = None
    return losses
''',
        "plot": """...
orders = [np.random.default_rng(e).permutation(64) for e in range(15)]
fig, ax = plt.subplots()
for B in (1, 8, 64):
    batch_losses = np.array(
        train(X_toy, y_toy, np.zeros(2), 0.0, lr=0.05, batch_size=B, epochs=15, order=orders)
    )
    ax.semilogy(batch_losses.reshape(15, -1)[:, -1], label=f"B={B}")
ax.set_xlabel("epoch")
ax.set_ylabel("last batch loss")
ax.legend()
""",
        "noise": '''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    Xt = torch.as_tensor(np.asarray(X, dtype=float))
    yt = torch.as_tensor(np.asarray(y, dtype=float))
    rows = []
    for _ in range(trials):
        idx = torch.as_tensor(rng.choice(len(yt), size=batch_size, replace=True))
        wt = torch.tensor(np.asarray(w, dtype=float), requires_grad=True)
        bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        loss = ((Xt[idx] @ wt + bt - yt[idx]) ** 2).mean()
        gw, gb = torch.autograd.grad(loss, [wt, bt])
        rows.append(torch.cat([gw, gb.reshape(1)]))
    return torch.stack(rows).numpy()
''',
        "timing": '''
import torch

X_time = torch.randn(256, 32)
y_time = torch.randn(256)


def epoch(batch_size, device="cpu"):
    """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    model = torch.nn.Linear(32, 1).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    X, y = X_time.to(device), y_time.to(device)
    perm = torch.randperm(len(X), device=device)
    for idx in perm.split(batch_size):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X[idx]).squeeze(-1), y[idx])
        loss.backward()
        opt.step()
''',
        "memory": '''
def batch_bytes(batch_size, n_features):
    """Bytes of a float32 batch of shape (batch_size, n_features)."""
    return batch_size * n_features * torch.finfo(torch.float32).bits // 8
''',
    },
)

# ---------------------------------------------------------------- correct: nn.Linear + optim
NNLINEAR = Student(
    "correct_nn_linear_optim",
    style="nn.Linear in float64, torch.optim.SGD, DataLoader with order[e] as its sampler",
    cells={
        "count": '''
import math


def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    return n // batch_size if drop_last else -(-n // batch_size)
''',
        "train": '''
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    X = torch.tensor(np.asarray(X), dtype=torch.float64)
    y = torch.tensor(np.asarray(y), dtype=torch.float64)
    model = torch.nn.Linear(X.shape[1], 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(np.asarray(w0, dtype=float)).reshape(1, -1))
        model.bias.fill_(float(b0))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.MSELoss()
    data = TensorDataset(X, y)
    losses = []
    for e in range(epochs):
        loader = DataLoader(data, batch_size=batch_size, sampler=[int(i) for i in order[e]])
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb).squeeze(1), yb)
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return losses
''',
        "plot": PLOT_LOOP,
        "noise": '''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    idx = rng.integers(0, len(y), size=(trials, batch_size))  # all batches at once
    Xb = X[idx]  # (trials, B, d)
    r = np.einsum("tbd,d->tb", Xb, np.asarray(w, dtype=float)) + b - y[idx]
    gw = 2 * np.einsum("tbd,tb->td", Xb, r) / batch_size
    gb = 2 * r.mean(axis=1, keepdims=True)
    return np.hstack([gw, gb])
''',
        "timing": '''
import torch
from torch.utils.data import DataLoader, TensorDataset

X_time = torch.randn(256, 32)
y_time = torch.randn(256)


def epoch(batch_size, device="cpu"):
    """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    model = torch.nn.Linear(32, 1).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(X_time, y_time), batch_size=batch_size, shuffle=True)
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad()
        loss = ((model(xb).squeeze(1) - yb) ** 2).mean()
        loss.backward()
        opt.step()
''',
        "memory": '''
import numpy as np


def batch_bytes(batch_size, n_features):
    """Bytes of a float32 batch of shape (batch_size, n_features)."""
    return int(np.dtype(np.float32).itemsize * batch_size * n_features)
''',
    },
)

# ---------------------------------------------------------------- correct: float32
FLOAT32 = Student(
    "correct_float32_helpers",
    style="NumPy float32 (the text does not ask for float64), helper functions, prints",
    cells={
        "count": '''
import math


def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    count = 0
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start)
        if size < batch_size and drop_last:
            continue
        count += 1
    return count


print(count_updates(10, 3, False), count_updates(10, 3, True))
''',
        "train": '''
import numpy as np


def mse(Xb, yb, w, b):
    return np.mean((Xb @ w + b - yb) ** 2)


def mse_grads(Xb, yb, w, b):
    r = Xb @ w + b - yb
    return 2.0 * Xb.T @ r / len(yb), 2.0 * r.sum() / len(yb)


def batches(indices, size):
    for i in range(0, len(indices), size):
        yield indices[i:i + size]


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    w = np.asarray(w0, dtype=np.float32).copy()
    b = np.float32(b0)
    history = []
    for e in range(epochs):
        for idx in batches(np.asarray(order[e]), batch_size):
            history.append(float(mse(X[idx], y[idx], w, b)))
            gw, gb = mse_grads(X[idx], y[idx], w, b)
            w -= np.float32(lr) * gw
            b -= np.float32(lr) * gb
    return history
''',
        "plot": PLOT_LOOP + 'print("last batch loss, B = N:", last[-1])\n',
        "noise": '''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(trials):
        pick = rng.choice(X.shape[0], batch_size)  # replace=True is the default
        gw, gb = mse_grads(X[pick], y[pick], w, b)
        out.append(np.append(gw, gb))
    return np.array(out)


G = minibatch_gradients(X_toy, y_toy, np.zeros(2), 0.0, 8, 500, 0)
print(G.shape, G.mean(axis=0), G.var(axis=0))
''',
        "timing": '''
import torch

X_time = torch.randn(256, 32)
y_time = torch.randn(256)


def epoch(batch_size, device="cpu"):
    """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    X, y = X_time.to(device), y_time.to(device)
    w = torch.zeros(32, 1, device=device, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.01)
    order = torch.randperm(X.shape[0])
    n_batches = (X.shape[0] + batch_size - 1) // batch_size
    for i in range(n_batches):
        idx = order[i * batch_size:(i + 1) * batch_size]
        opt.zero_grad()
        loss = ((X[idx] @ w).squeeze(1) - y[idx]).pow(2).mean()
        loss.backward()
        opt.step()


import time

for B in (1, 256):
    t0 = time.perf_counter()
    epoch(B)
    print(B, time.perf_counter() - t0)
''',
        "memory": '''
def batch_bytes(batch_size, n_features):
    """Bytes of a float32 batch of shape (batch_size, n_features)."""
    bytes_per_float = 32 // 8
    return bytes_per_float * batch_size * n_features


print(batch_bytes(256, 3 * 224 * 224) / 2**20, "MiB")
''',
    },
)

# ---------------------------------------------------------------- correct: lists, stacked gradient
LISTS = Student(
    "correct_lists_index_lists",
    style="batches built as Python index lists, gradient as one stacked vector",
    cells={
        "count": '''
import math


def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    n_full = math.floor(n / batch_size)
    if drop_last or n % batch_size == 0:
        return n_full
    return n_full + 1
''',
        "train": '''
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    A = np.hstack([X, np.ones((len(X), 1))])  # bias as an extra column
    theta = np.append(np.asarray(w0, dtype=float), float(b0))
    losses = []
    for epoch_order in list(order)[:epochs]:
        epoch_order = list(epoch_order)
        batch_list = [epoch_order[i:i + batch_size] for i in range(0, len(epoch_order), batch_size)]
        for batch in batch_list:
            Ab, yb = A[batch], y[batch]
            resid = Ab @ theta - yb
            losses.append((resid @ resid) / len(batch))
            theta = theta - lr * (2.0 / len(batch)) * (Ab.T @ resid)
    return [float(v) for v in losses]
''',
        "plot": PLOT_LOOP,
        "noise": '''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    A = np.hstack([np.asarray(X, dtype=float), np.ones((len(X), 1))])
    theta = np.append(np.asarray(w, dtype=float), float(b))
    result = []
    for _ in range(trials):
        batch = rng.integers(len(A), size=batch_size)
        resid = A[batch] @ theta - np.asarray(y)[batch]
        result.append(2.0 / batch_size * A[batch].T @ resid)
    return np.array(result)
''',
        "timing": '''
import torch

X_time = torch.randn(256, 32)
y_time = torch.randn(256)


def epoch(batch_size, device="cpu"):
    """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    X = X_time.to(device)
    y = y_time.to(device)
    w = torch.zeros(32, device=device)
    b = torch.zeros((), device=device)
    lr = 0.01
    perm = torch.randperm(256).tolist()
    for s in range(0, 256, batch_size):
        idx = perm[s:s + batch_size]
        xb, yb = X[idx], y[idx]
        r = xb @ w + b - yb
        w = w - lr * 2 * xb.T @ r / len(idx)
        b = b - lr * 2 * r.mean()
    return w, b
''',
        "memory": '''
import torch


def batch_bytes(batch_size, n_features):
    """Bytes of a float32 batch of shape (batch_size, n_features)."""
    return torch.tensor([], dtype=torch.float32).element_size() * batch_size * n_features
''',
    },
)

# ---------------------------------------------------------------- issue 23: other readings
# Three ways to read the text before it said what is free: the precision, which generator
# call draws the batches, and what epoch() trains and returns. Each is correct.
TORCH32 = Student(
    "correct_nn_linear_float32",
    style="as correct_numpy_slicing, but the trainer is a default (float32) nn.Linear",
    cells={
        **NUMPY.cells,
        "train": '''
import numpy as np
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    X = torch.as_tensor(X, dtype=torch.float32)
    y = torch.as_tensor(y, dtype=torch.float32)
    model = torch.nn.Linear(X.shape[1], 1)  # float32 weights
    with torch.no_grad():
        model.weight.copy_(torch.as_tensor(w0, dtype=torch.float32).reshape(1, -1))
        model.bias.fill_(float(b0))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for e in range(epochs):
        for idx in torch.split(torch.as_tensor(order[e]), batch_size):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X[idx]).squeeze(1), y[idx])
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return losses
''',
    },
)
UNIFORM_DRAWS = Student(
    "correct_noise_uniform_floats",
    style="as correct_lists_index_lists, but batches drawn as floor(N * rng.random(B))",
    cells={
        **LISTS.cells,
        "noise": '''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    n = len(X)
    rows = []
    for _ in range(trials):
        idx = np.floor(n * rng.random(batch_size)).astype(int)  # uniform, with replacement
        r = X[idx] @ w + b - y[idx]
        rows.append(np.concatenate([2 * X[idx].T @ r / batch_size, [2 * r.mean()]]))
    return np.array(rows)
''',
    },
)
EPOCH_LOSSES = Student(
    "correct_epoch_returns_losses",
    style="as correct_numpy_slicing, but epoch() shuffles, trains nn.Linear with a bias at "
    "lr 0.1 and returns its losses",
    cells={
        **NUMPY.cells,
        "timing": '''
import torch

X_time = torch.randn(256, 32)
y_time = torch.randn(256)


def epoch(batch_size, device="cpu"):
    """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    X, y = X_time.to(device), y_time.to(device)
    model = torch.nn.Linear(32, 1).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    perm = torch.randperm(len(X), device=device)
    losses = []
    for idx in torch.split(perm, batch_size):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(X[idx]).squeeze(1), y[idx])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
''',
    },
)

CORRECT = [NUMPY, AUTOGRAD, NNLINEAR, FLOAT32, LISTS, TORCH32, UNIFORM_DRAWS, EPOCH_LOSSES]

MISTAKES = [
    variant(
        NUMPY,
        "mistake_count_ignores_drop_last",
        "count_updates always rounds up: drop_last is ignored",
        ["test_count"],
        count='''
import math


def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    return math.ceil(n / batch_size)
''',
    ),
    variant(
        LISTS,
        "mistake_count_plus_one",
        "count_updates returns n // B + 1 without drop_last, one too many when B divides n",
        ["test_count"],
        count='''
import math


def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    if drop_last:
        return n // batch_size
    return n // batch_size + 1
''',
    ),
    variant(
        NUMPY,
        "mistake_train_no_factor_two",
        "MSE gradient without the factor 2 (the gradient of half the MSE)",
        ["test_train_public", "test_minibatch", "test_batch_gd", "test_sgd"],
        train='''
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    w = np.array(w0, dtype=float)
    b = float(b0)
    losses = []
    for e in range(epochs):
        idx_epoch = order[e]
        for start in range(0, len(idx_epoch), batch_size):
            idx = idx_epoch[start:start + batch_size]
            Xb, yb = X[idx], y[idx]
            r = Xb @ w + b - yb
            losses.append(float(np.mean(r**2)))
            w = w - lr * Xb.T @ r / len(yb)
            b = b - lr * np.mean(r)
    return losses
''',
    ),
    variant(
        NNLINEAR,
        "mistake_train_drop_last",
        "DataLoader built with drop_last=True: the short last batch of each epoch is skipped",
        ["test_train_public", "test_minibatch", "test_batch_gd", "test_sgd"],
        train='''
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    X = torch.tensor(np.asarray(X), dtype=torch.float64)
    y = torch.tensor(np.asarray(y), dtype=torch.float64)
    model = torch.nn.Linear(X.shape[1], 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(np.asarray(w0, dtype=float)).reshape(1, -1))
        model.bias.fill_(float(b0))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.MSELoss()
    data = TensorDataset(X, y)
    losses = []
    for e in range(epochs):
        loader = DataLoader(data, batch_size=batch_size, sampler=[int(i) for i in order[e]],
                            drop_last=True)
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb).squeeze(1), yb)
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return losses
''',
    ),
    variant(
        AUTOGRAD,
        "mistake_train_no_zero_grad",
        "gradients never cleared between batches (autograd accumulates them)",
        ["test_train_public", "test_minibatch", "test_sgd"],
        train='''
import numpy as np
import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float64)
    w = torch.tensor(np.asarray(w0, dtype=float), requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    losses = []
    for e in range(epochs):
        idx_all = torch.as_tensor(np.asarray(order[e]), dtype=torch.long)
        for idx in torch.split(idx_all, batch_size):
            loss = torch.mean((Xt[idx] @ w + b - yt[idx]) ** 2)
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
    return losses
''',
    ),
    variant(
        LISTS,
        "mistake_train_ignores_order",
        "reads the samples in index order 0..N-1 every epoch instead of order[e]",
        ["test_train_public", "test_minibatch", "test_sgd"],
        train='''
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    """Mini-batch gradient descent on MSE linear regression; returns per-batch losses."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    A = np.hstack([X, np.ones((len(X), 1))])  # bias as an extra column
    theta = np.append(np.asarray(w0, dtype=float), float(b0))
    losses = []
    for _ in range(epochs):
        epoch_order = list(range(len(X)))
        batch_list = [epoch_order[i:i + batch_size] for i in range(0, len(epoch_order), batch_size)]
        for batch in batch_list:
            Ab, yb = A[batch], y[batch]
            resid = Ab @ theta - yb
            losses.append((resid @ resid) / len(batch))
            theta = theta - lr * (2.0 / len(batch)) * (Ab.T @ resid)
    return [float(v) for v in losses]
''',
    ),
    variant(
        NUMPY,
        "mistake_noise_without_replacement",
        "mini-batches drawn without replacement (rng.choice(..., replace=False))",
        ["test_variance"],
        noise='''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    grads = np.zeros((trials, d + 1))
    for t in range(trials):
        idx = rng.choice(n, size=batch_size, replace=False)
        r = X[idx] @ w + b - y[idx]
        grads[t, :d] = 2 * X[idx].T @ r / batch_size
        grads[t, d] = 2 * r.mean()
    return grads
''',
    ),
    variant(
        NNLINEAR,
        "mistake_noise_bias_first",
        "gradient columns in the order [db, dw...] instead of [dw..., db]",
        ["test_unbiased", "test_variance"],
        noise='''
def minibatch_gradients(X, y, w, b, batch_size, trials, seed):
    """Gradients of the MSE on random mini-batches, shape (trials, d + 1)."""
    rng = np.random.default_rng(seed)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    idx = rng.integers(0, len(y), size=(trials, batch_size))  # all batches at once
    Xb = X[idx]  # (trials, B, d)
    r = np.einsum("tbd,d->tb", Xb, np.asarray(w, dtype=float)) + b - y[idx]
    gw = 2 * np.einsum("tbd,tb->td", Xb, r) / batch_size
    gb = 2 * r.mean(axis=1, keepdims=True)
    return np.hstack([gb, gw])
''',
    ),
    variant(
        FLOAT32,
        "mistake_timing_full_batch",
        "epoch() ignores batch_size and makes one full-batch step",
        ["test_timing"],
        timing='''
import torch

X_time = torch.randn(256, 32)
y_time = torch.randn(256)


def epoch(batch_size, device="cpu"):
    """One epoch of mini-batch SGD on (X_time, y_time) on the given device."""
    X, y = X_time.to(device), y_time.to(device)
    w = torch.zeros(32, 1, device=device, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.01)
    opt.zero_grad()
    loss = ((X @ w).squeeze(1) - y).pow(2).mean()
    loss.backward()
    opt.step()
''',
    ),
    variant(
        AUTOGRAD,
        "mistake_memory_float64",
        "counts 8 bytes per value (float64) for a float32 batch",
        ["test_memory"],
        memory='''
def batch_bytes(batch_size, n_features):
    """Bytes of a float32 batch of shape (batch_size, n_features)."""
    return batch_size * n_features * 8
''',
    ),
    # issue 23: the notes' "1000/32 ≈ 31 updates" read as rounding N / B
    variant(
        LISTS,
        "mistake_count_rounded",
        "count_updates rounds N / B to the nearest int, as the notes' 1000/32 ~ 31: the short "
        "last batch is dropped whenever it is under half a batch",
        ["test_count"],
        count='''
def count_updates(n, batch_size, drop_last):
    """Number of optimizer updates in one epoch."""
    if drop_last:
        return n // batch_size
    return round(n / batch_size)  # 1000 / 32 = 31.25 -> 31
''',
    ),
]

STUDENTS = CORRECT + MISTAKES
