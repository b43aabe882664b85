"""lr_rules students, written from the released notebook only."""

from make_corpus import Student, variant

PLOT = """...
res = lr_range_test(X_rt, y_rt, np.zeros(2), 0.0, lr_start=1e-4, lr_end=1.0, batch_size=8,
                    order=[rng.permutation(256)])
plt.plot(res["lrs"], res["losses"])
plt.xscale("log")
plt.xlabel("learning rate")
plt.ylabel("batch loss")
plt.show()
"""

# ---------------------------------------------------------------- correct: loops
LOOPS = Student(
    "correct_loops",
    style="plain loops and lists, explicit NumPy gradients",
    cells={
        "time_based": '''
import numpy as np


def time_based_lrs(lr0, decay, epochs):
    """Time-based decay: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n)."""
    lrs = []
    eta = lr0
    for n in range(epochs):
        lrs.append(eta)
        eta = eta / (1 + decay * n)
    return lrs
''',
        "step_notes": '''
import math


def step_decay_lrs(lr0, drop, every, epochs):
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    lrs = []
    for n in range(epochs):
        lrs.append(lr0 * drop ** math.floor((1 + n) / every))
    return lrs
''',
        "step_torch": '''
def steplr_lrs(lr0, step_size, gamma, epochs):
    """The learning rates torch.optim.lr_scheduler.StepLR produces."""
    lrs = []
    for n in range(epochs):
        lrs.append(lr0 * gamma ** (n // step_size))
    return lrs
''',
        "exponential": '''
def exponential_lrs(lr0, k, epochs):
    """Exponential decay: lr0 * exp(-k * n)."""
    lrs = []
    for n in range(epochs):
        lrs.append(lr0 * math.exp(-k * n))
    return lrs
''',
        "scaling": '''
def scale_lr(base_lr, base_batch, new_batch):
    """Learning rate for new_batch by the linear scaling rule."""
    return base_lr * new_batch / base_batch
''',
        "warmup": '''
def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    lrs = []
    for t in range(steps):
        if t >= warmup_steps:
            factor = 1.0
        else:
            factor = start_factor + (1 - start_factor) * t / warmup_steps
        lrs.append(lr0 * factor)
    return lrs
''',
        "range": '''
def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    """One epoch with an exponentially growing learning rate: lrs and losses."""
    idx_all = order[0]
    n = len(idx_all)
    n_batches = math.ceil(n / batch_size)
    gamma = (lr_end / lr_start) ** (1 / n_batches)
    w = np.array(w0, dtype=float)
    b = float(b0)
    lrs, losses = [], []
    for i in range(n_batches):
        idx = idx_all[i * batch_size:(i + 1) * batch_size]
        lr = lr_start * gamma**i
        r = X[idx] @ w + b - y[idx]
        lrs.append(lr)
        losses.append(float(np.mean(r**2)))
        if losses[-1] > 10 * losses[0]:
            break  # the loss exploded: stop, as find_lr does
        w = w - lr * 2 * X[idx].T @ r / len(r)
        b = b - lr * 2 * np.mean(r)
    return {"lrs": lrs, "losses": losses}
''',
        "plot": PLOT,
        "sgd": '''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    w = np.array(w0, dtype=float)
    b = float(b0)
    buf_w, buf_b = None, None
    losses = []
    for e in range(epochs):
        for s in range(0, len(order[e]), batch_size):
            idx = order[e][s:s + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r**2)))
            gw = 2 * X[idx].T @ r / len(r) + weight_decay * w
            gb = 2 * np.mean(r) + weight_decay * b
            if momentum != 0:
                if buf_w is None:
                    buf_w, buf_b = gw, gb
                else:
                    buf_w = momentum * buf_w + gw
                    buf_b = momentum * buf_b + gb
                gw, gb = buf_w, buf_b
            w = w - lr * gw
            b = b - lr * gb
    return losses
''',
    },
)

# ---------------------------------------------------------------- correct: NumPy vectorised
VECTOR = Student(
    "correct_numpy_vectorised",
    style="NumPy arrays and closed forms (cumprod, floor_divide, exp), .tolist() returns",
    cells={
        "time_based": '''
import numpy as np


def time_based_lrs(lr0, decay, epochs):
    """Time-based decay: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n)."""
    if epochs <= 0:
        return []
    divisors = 1.0 + decay * np.arange(epochs - 1)
    return np.concatenate([[lr0], lr0 / np.cumprod(divisors)]).tolist()
''',
        "step_notes": '''
import math


def step_decay_lrs(lr0, drop, every, epochs):
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    n = np.arange(epochs)
    return (lr0 * np.power(float(drop), np.floor((1 + n) / every))).tolist()
''',
        "step_torch": '''
def steplr_lrs(lr0, step_size, gamma, epochs):
    """The learning rates torch.optim.lr_scheduler.StepLR produces."""
    n = np.arange(epochs)
    return (lr0 * np.power(float(gamma), n // step_size)).tolist()
''',
        "exponential": '''
def exponential_lrs(lr0, k, epochs):
    """Exponential decay: lr0 * exp(-k * n)."""
    return list(lr0 * np.exp(-k * np.arange(epochs)))
''',
        "scaling": '''
def scale_lr(base_lr, base_batch, new_batch):
    """Learning rate for new_batch by the linear scaling rule."""
    factor = new_batch / base_batch
    return base_lr * factor
''',
        "warmup": '''
def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    t = np.minimum(np.arange(steps), warmup_steps)
    factors = start_factor + (1.0 - start_factor) * t / warmup_steps
    return (lr0 * factors).tolist()
''',
        "range": '''
def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    """One epoch with an exponentially growing learning rate: lrs and losses."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    idx_all = np.asarray(order[0])
    batches = np.array_split(idx_all, np.arange(batch_size, len(idx_all), batch_size))
    gamma = (lr_end / lr_start) ** (1.0 / len(batches))
    lrs = lr_start * gamma ** np.arange(len(batches))
    theta = np.append(np.asarray(w0, dtype=float), b0)
    A = np.column_stack([X, np.ones(len(X))])
    losses = []
    for lr, idx in zip(lrs, batches):
        r = A[idx] @ theta - y[idx]
        losses.append(r @ r / len(idx))
        if losses[-1] > 10 * losses[0]:
            break
        theta -= lr * 2 * A[idx].T @ r / len(idx)
    return {"lrs": lrs[: len(losses)].tolist(), "losses": np.array(losses).tolist()}
''',
        "plot": PLOT,
        "sgd": '''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.append(np.asarray(w0, dtype=float), b0)  # bias decays too
    velocity = np.zeros_like(theta)
    first = True
    losses = []
    for e in range(epochs):
        idx_all = np.asarray(order[e])
        for start in range(0, len(idx_all), batch_size):
            idx = idx_all[start:start + batch_size]
            r = A[idx] @ theta - y[idx]
            losses.append(float(r @ r / len(idx)))
            g = 2 * A[idx].T @ r / len(idx) + weight_decay * theta
            velocity = g if first else momentum * velocity + g
            first = False
            theta = theta - lr * velocity
    return losses
''',
    },
)

# ---------------------------------------------------------------- correct: torch schedulers
TORCH = Student(
    "correct_torch_schedulers",
    style="real torch schedulers (StepLR, LinearLR, ExponentialLR) and torch.optim.SGD",
    cells={
        "time_based": '''
import numpy as np
import torch


def time_based_lrs(lr0, decay, epochs):
    """Time-based decay: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    sched = torch.optim.lr_scheduler.MultiplicativeLR(
        opt, lr_lambda=lambda n: 1 / (1 + decay * (n - 1))
    )
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs
''',
        "step_notes": '''
import math


def step_decay_lrs(lr0, drop, every, epochs):
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    return [lr0 * math.pow(drop, math.floor((1 + n) / every)) for n in range(epochs)]
''',
        "step_torch": '''
def steplr_lrs(lr0, step_size, gamma, epochs):
    """The learning rates torch.optim.lr_scheduler.StepLR produces."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    lrs = []
    for _ in range(epochs):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return lrs
''',
        "exponential": '''
def exponential_lrs(lr0, k, epochs):
    """Exponential decay: lr0 * exp(-k * n)."""
    return [lr0 * math.exp(-k * n) for n in range(epochs)]
''',
        "scaling": '''
def scale_lr(base_lr, base_batch, new_batch):
    """Learning rate for new_batch by the linear scaling rule."""
    return new_batch / base_batch * base_lr
''',
        "warmup": '''
def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr0)
    sched = torch.optim.lr_scheduler.LinearLR(
        opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps
    )
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs
''',
        "range": '''
def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    """One epoch with an exponentially growing learning rate: lrs and losses."""
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float64)
    w = torch.tensor(np.asarray(w0, dtype=float), requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    batches = torch.as_tensor(np.asarray(order[0])).split(batch_size)
    opt = torch.optim.SGD([w, b], lr=lr_start)
    gamma = (lr_end / lr_start) ** (1 / len(batches))
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=gamma)
    lrs, losses = [], []
    for idx in batches:
        opt.zero_grad()
        loss = torch.mean((Xt[idx] @ w + b - yt[idx]) ** 2)
        lrs.append(sched.get_last_lr()[0])
        losses.append(loss.item())
        if loss.item() > 10 * losses[0]:
            break
        loss.backward()
        opt.step()
        sched.step()
    return {"lrs": lrs, "losses": losses}
''',
        "plot": PLOT,
        "sgd": '''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    Xt = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.float64)
    w = torch.tensor(np.asarray(w0, dtype=float), requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr, momentum=momentum, weight_decay=weight_decay)
    losses = []
    for e in range(epochs):
        for idx in torch.as_tensor(np.asarray(order[e])).split(batch_size):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(Xt[idx] @ w + b, yt[idx])
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return losses
''',
    },
)

# ---------------------------------------------------------------- correct: helpers + prints
HELPERS = Student(
    "correct_helpers_prints",
    style="list comprehensions, one shared batch/gradient helper, prints and a comparison",
    cells={
        "time_based": '''
import numpy as np


def time_based_lrs(lr0, decay, epochs):
    """Time-based decay: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n)."""
    out = [lr0] if epochs > 0 else []
    while len(out) < epochs:
        n = len(out) - 1
        out.append(out[n] / (1 + decay * n))
    return out


print(time_based_lrs(0.1, 0.5, 5))
''',
        "step_notes": '''
import math


def step_decay_lrs(lr0, drop, every, epochs):
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    return [lr0 * drop ** ((1 + n) // every) for n in range(epochs)]


print(step_decay_lrs(0.1, 0.5, 3, 8))
''',
        "step_torch": '''
def steplr_lrs(lr0, step_size, gamma, epochs):
    """The learning rates torch.optim.lr_scheduler.StepLR produces."""
    return [lr0 * gamma ** math.floor(n / step_size) for n in range(epochs)]


notes = step_decay_lrs(0.1, 0.5, 3, 8)
torch_style = steplr_lrs(0.1, 3, 0.5, 8)
print("they disagree at epochs", [n for n in range(8) if notes[n] != torch_style[n]])
''',
        "exponential": '''
def exponential_lrs(lr0, k, epochs):
    """Exponential decay: lr0 * exp(-k * n)."""
    return [float(lr0 * np.exp(-k * n)) for n in range(epochs)]


print(exponential_lrs(0.1, 0.1, 4))
''',
        "scaling": '''
def scale_lr(base_lr, base_batch, new_batch):
    """Learning rate for new_batch by the linear scaling rule."""
    k = new_batch / base_batch
    print(f"batch x{k:g} -> lr x{k:g}")
    return base_lr * k
''',
        "warmup": '''
def warmup_factor(t, warmup_steps, start_factor):
    frac = min(t, warmup_steps) / warmup_steps
    return start_factor + frac * (1 - start_factor)


def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    return [lr0 * warmup_factor(t, warmup_steps, start_factor) for t in range(steps)]


print(warmup_lrs(0.4, 4, 0.25, 6))
''',
        "range": '''
def mse_and_grad(X, y, w, b, idx):
    Xb, yb = X[idx], y[idx]
    r = Xb @ w + b - yb
    return np.mean(r**2), 2 * Xb.T @ r / len(yb), 2 * np.mean(r)


def split_batches(indices, batch_size):
    return [indices[i:i + batch_size] for i in range(0, len(indices), batch_size)]


def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    """One epoch with an exponentially growing learning rate: lrs and losses."""
    batches = split_batches(order[0], batch_size)
    gamma = (lr_end / lr_start) ** (1 / len(batches))
    w, b = np.asarray(w0, dtype=float), float(b0)
    out = {"lrs": [], "losses": []}
    for i, idx in enumerate(batches):
        lr = lr_start * gamma**i
        loss, gw, gb = mse_and_grad(X, y, w, b, idx)
        out["lrs"].append(lr)
        out["losses"].append(float(loss))
        if out["losses"][-1] > 10 * out["losses"][0]:
            break
        w, b = w - lr * gw, b - lr * gb
    return out
''',
        "plot": PLOT + 'print("lowest loss at lr", res["lrs"][int(np.argmin(res["losses"]))])\n',
        "sgd": '''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    w, b = np.asarray(w0, dtype=float), float(b0)
    state = {}
    history = []
    for e in range(epochs):
        for idx in split_batches(order[e], batch_size):
            loss, gw, gb = mse_and_grad(X, y, w, b, idx)
            history.append(float(loss))
            gw = gw + weight_decay * w
            gb = gb + weight_decay * b
            if momentum:
                if "w" not in state:
                    state["w"], state["b"] = np.copy(gw), gb
                else:
                    state["w"] = momentum * state["w"] + gw
                    state["b"] = momentum * state["b"] + gb
                gw, gb = state["w"], state["b"]
            w = w - lr * gw
            b = b - lr * gb
    return history
''',
    },
)

# ---------------------------------------------------------------- correct: nn.Linear
NNLINEAR = Student(
    "correct_nn_linear",
    style="nn.Linear(float64) + torch.optim.SGD and a DataLoader over a Subset",
    cells={
        "time_based": '''
import numpy as np


def time_based_lrs(lr0, decay, epochs):
    """Time-based decay: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n)."""
    lrs = np.empty(epochs)
    for n in range(epochs):
        lrs[n] = lr0 if n == 0 else lrs[n - 1] / (1 + decay * (n - 1))
    return lrs.tolist()
''',
        "step_notes": '''
import math


def step_decay_lrs(lr0, drop, every, epochs):
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    result = []
    for epoch in range(epochs):
        exponent = math.floor((1 + epoch) / every)
        result.append(lr0 * (drop**exponent))
    return result
''',
        "step_torch": '''
def steplr_lrs(lr0, step_size, gamma, epochs):
    """The learning rates torch.optim.lr_scheduler.StepLR produces."""
    result, lr = [], lr0
    for epoch in range(epochs):
        if epoch > 0 and epoch % step_size == 0:
            lr = lr * gamma
        result.append(lr)
    return result
''',
        "exponential": '''
def exponential_lrs(lr0, k, epochs):
    """Exponential decay: lr0 * exp(-k * n)."""
    factor = math.exp(-k)
    return [lr0 * factor**n for n in range(epochs)]
''',
        "scaling": '''
def scale_lr(base_lr, base_batch, new_batch):
    """Learning rate for new_batch by the linear scaling rule."""
    return base_lr / base_batch * new_batch
''',
        "warmup": '''
def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    slope = (1.0 - start_factor) / warmup_steps
    return [lr0 * (start_factor + slope * t) if t < warmup_steps else lr0 for t in range(steps)]
''',
        "range": '''
import torch
from torch.utils.data import DataLoader, Subset, TensorDataset


def make_linear(w0, b0):
    w0 = np.asarray(w0, dtype=float)
    model = torch.nn.Linear(len(w0), 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight[:] = torch.from_numpy(w0.copy()).reshape(1, -1)
        model.bias[:] = float(b0)
    return model


def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    """One epoch with an exponentially growing learning rate: lrs and losses."""
    data = TensorDataset(torch.tensor(np.asarray(X, dtype=float)),
                         torch.tensor(np.asarray(y, dtype=float)))
    loader = DataLoader(Subset(data, [int(i) for i in order[0]]), batch_size=batch_size)
    model = make_linear(w0, b0)
    gamma = (lr_end / lr_start) ** (1 / len(loader))
    lrs, losses = [], []
    for i, (xb, yb) in enumerate(loader):
        lr = lr_start * gamma**i
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loss = torch.nn.functional.mse_loss(model(xb).squeeze(1), yb)
        lrs.append(lr)
        losses.append(loss.item())
        if losses[-1] > 10 * losses[0]:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {"lrs": lrs, "losses": losses}
''',
        "plot": PLOT,
        "sgd": '''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    data = TensorDataset(torch.tensor(np.asarray(X, dtype=float)),
                         torch.tensor(np.asarray(y, dtype=float)))
    model = make_linear(w0, b0)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                          weight_decay=weight_decay)
    losses = []
    for e in range(epochs):
        loader = DataLoader(Subset(data, [int(i) for i in order[e]]), batch_size=batch_size)
        for xb, yb in loader:
            pred = model(xb).squeeze(1)
            loss = ((pred - yb) ** 2).mean()
            losses.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
    return losses
''',
    },
)

# issue 23: before the text said warmup_steps >= 1, a warm-up of 0 steps could be read as
# "no warm-up"; guarding it is still right (the checks never pass 0)
WARMUP_ZERO = Student(
    "correct_warmup_zero_guarded",
    style="loops as correct_loops; warmup_steps = 0 guarded as no warm-up (lr0 throughout)",
    cells={
        **LOOPS.cells,
        "warmup": '''
def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    if warmup_steps == 0:  # no warm-up at all
        return [float(lr0)] * steps
    rates = []
    for t in range(steps):
        done = min(t, warmup_steps) / warmup_steps
        rates.append(lr0 * (start_factor + (1 - start_factor) * done))
    return rates
''',
    },
)

CORRECT = [LOOPS, VECTOR, TORCH, HELPERS, NNLINEAR, WARMUP_ZERO]

MISTAKES = [
    variant(
        LOOPS,
        "mistake_time_based_closed_form",
        "time-based decay written as lr0 / (1 + decay * n) instead of the recursion",
        ["test_time_based"],
        time_based='''
import numpy as np


def time_based_lrs(lr0, decay, epochs):
    """Time-based decay: eta_0 = lr0, eta_{n+1} = eta_n / (1 + decay * n)."""
    return [lr0 / (1 + decay * n) for n in range(epochs)]
''',
    ),
    variant(
        HELPERS,
        "mistake_step_notes_uses_steplr",
        "the notes' step decay implemented with torch's floor(n / every)",
        ["test_step_notes"],
        step_notes='''
import math


def step_decay_lrs(lr0, drop, every, epochs):
    """The notes' step decay: lr0 * drop ** floor((1 + n) / every)."""
    return [lr0 * drop ** (n // every) for n in range(epochs)]


print(step_decay_lrs(0.1, 0.5, 3, 8))
''',
    ),
    variant(
        VECTOR,
        "mistake_exponential_off_by_one",
        "exponential decay starts at n = 1 (lr0 * exp(-k * (n + 1)))",
        ["test_exponential"],
        exponential='''
def exponential_lrs(lr0, k, epochs):
    """Exponential decay: lr0 * exp(-k * n)."""
    return list(lr0 * np.exp(-k * np.arange(1, epochs + 1)))
''',
    ),
    variant(
        NNLINEAR,
        "mistake_scaling_sqrt",
        "square-root scaling of the learning rate instead of the linear rule",
        ["test_scaling"],
        scaling='''
def scale_lr(base_lr, base_batch, new_batch):
    """Learning rate for new_batch by the linear scaling rule."""
    return base_lr * math.sqrt(new_batch / base_batch)
''',
    ),
    variant(
        LOOPS,
        "mistake_warmup_not_divided",
        "warm-up factor grows by (1 - start_factor) per step: not divided by warmup_steps",
        ["test_warmup"],
        warmup='''
def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    lrs = []
    for t in range(steps):
        factor = min(1.0, start_factor + (1 - start_factor) * t)
        lrs.append(lr0 * factor)
    return lrs
''',
    ),
    variant(
        HELPERS,
        "mistake_warmup_reaches_one_early",
        "warm-up divides by warmup_steps - 1, reaching lr0 one step early",
        ["test_warmup"],
        warmup='''
def warmup_factor(t, warmup_steps, start_factor):
    frac = min(t, warmup_steps - 1) / (warmup_steps - 1)
    return start_factor + frac * (1 - start_factor)


def warmup_lrs(lr0, warmup_steps, start_factor, steps):
    """Learning rates of steps 0..steps-1 under a linear warm-up to lr0."""
    return [lr0 * warmup_factor(t, warmup_steps, start_factor) for t in range(steps)]


print(warmup_lrs(0.4, 4, 0.25, 6))
''',
    ),
    variant(
        LOOPS,
        "mistake_range_lr_after_step",
        "range test records and uses lr_start * gamma ** (i + 1): the scheduler stepped first",
        ["test_range"],
        range='''
def lr_range_test(X, y, w0, b0, *, lr_start, lr_end, batch_size, order):
    """One epoch with an exponentially growing learning rate: lrs and losses."""
    idx_all = order[0]
    n = len(idx_all)
    n_batches = math.ceil(n / batch_size)
    gamma = (lr_end / lr_start) ** (1 / n_batches)
    w = np.array(w0, dtype=float)
    b = float(b0)
    lrs, losses = [], []
    for i in range(n_batches):
        idx = idx_all[i * batch_size:(i + 1) * batch_size]
        lr = lr_start * gamma ** (i + 1)
        r = X[idx] @ w + b - y[idx]
        lrs.append(lr)
        losses.append(float(np.mean(r**2)))
        if losses[-1] > 10 * losses[0]:
            break  # the loss exploded: stop, as find_lr does
        w = w - lr * 2 * X[idx].T @ r / len(r)
        b = b - lr * 2 * np.mean(r)
    return {"lrs": lrs, "losses": losses}
''',
    ),
    variant(
        HELPERS,
        "mistake_sgd_no_decay_on_bias",
        "weight decay applied to w only, not to the bias",
        ["test_sgd_public", "test_sgd"],
        sgd='''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    w, b = np.asarray(w0, dtype=float), float(b0)
    state = {}
    history = []
    for e in range(epochs):
        for idx in split_batches(order[e], batch_size):
            loss, gw, gb = mse_and_grad(X, y, w, b, idx)
            history.append(float(loss))
            gw = gw + weight_decay * w
            if momentum:
                if "w" not in state:
                    state["w"], state["b"] = np.copy(gw), gb
                else:
                    state["w"] = momentum * state["w"] + gw
                    state["b"] = momentum * state["b"] + gb
                gw, gb = state["w"], state["b"]
            w = w - lr * gw
            b = b - lr * gb
    return history
''',
    ),
    variant(
        VECTOR,
        "mistake_sgd_decay_after_momentum",
        "weight decay added to the step after the momentum buffer, not to the gradient",
        ["test_sgd_public", "test_sgd"],
        sgd='''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    A = np.column_stack([X, np.ones(len(X))])
    theta = np.append(np.asarray(w0, dtype=float), b0)
    velocity = np.zeros_like(theta)
    first = True
    losses = []
    for e in range(epochs):
        idx_all = np.asarray(order[e])
        for start in range(0, len(idx_all), batch_size):
            idx = idx_all[start:start + batch_size]
            r = A[idx] @ theta - y[idx]
            losses.append(float(r @ r / len(idx)))
            g = 2 * A[idx].T @ r / len(idx)
            velocity = g if first else momentum * velocity + g
            first = False
            theta = theta - lr * (velocity + weight_decay * theta)
    return losses
''',
    ),
    # issue 23: weight decay read from the notes' penalty L + lambda * |theta|^2
    variant(
        LOOPS,
        "mistake_sgd_decay_doubled",
        "weight decay as the gradient of the notes' penalty lambda * |theta|^2: "
        "2 * weight_decay * theta instead of torch's weight_decay * theta",
        ["test_sgd_public", "test_sgd"],
        sgd='''
def train_sgd(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    """Mini-batch SGD with momentum and weight decay; returns per-batch losses."""
    w, b = np.array(w0, dtype=float), float(b0)
    buf_w, buf_b = None, None
    losses = []
    for e in range(epochs):
        perm = list(order[e])
        for start in range(0, len(perm), batch_size):
            idx = perm[start:start + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r ** 2)))
            # d/dtheta of L + weight_decay * |theta|^2
            gw = 2 * X[idx].T @ r / len(idx) + 2 * weight_decay * w
            gb = 2 * np.mean(r) + 2 * weight_decay * b
            if buf_w is None:
                buf_w, buf_b = gw, gb
            else:
                buf_w, buf_b = momentum * buf_w + gw, momentum * buf_b + gb
            w, b = w - lr * buf_w, b - lr * buf_b
    return losses
''',
    ),
]

STUDENTS = CORRECT + MISTAKES
