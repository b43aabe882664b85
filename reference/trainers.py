"""Mini-batch SGD for mean-squared-error linear regression, on a batch order the caller picks.

Loss of a batch B: L_B = (1/|B|) sum_{i in B} (x_i . w + b - y_i)^2, the plain mean with no
1/2 (as torch.nn.MSELoss). Epoch e reads ``permutations[e]`` in consecutive slices of
``batch_size`` (``reference.batching.batches``; N is batch GD, 1 is SGD); a short last slice
is kept, or dropped with ``drop_last``. With ``accumulation_steps = k`` the gradients of k
consecutive micro-batches, each of L_B / k, are summed before one optimizer step. Groups do
not span epochs: a trailing group of fewer than k micro-batches still steps, with the same
1/k (the usual ``if (i + 1) % k == 0 or i + 1 == len(loader)`` loop). The optimizer is
torch.optim.SGD over the one vector (w, b) (``reference.optim``): weight decay and momentum
act on w and b alike. Update t (0, 1, ... over the whole run) uses ``lr_schedule(t)``, the
rate itself, or ``lr`` when there is no schedule (torch: LambdaLR(opt, lambda t:
lr_schedule(t) / lr), stepped after every optimizer step).

The loop is written as named parts (``TrainerParts``: the epoch's order, its batches, the
gradient, zero_grad, the 1/k weight, the optimizer step, what is logged, the start of an
epoch); the defaults below are the textbook ones, and the grader swaps one part at a time to
reproduce a student's mistake (``grader.judging.misconceptions.linreg_trainer``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reference import _checks
from reference.batching import batches
from reference.optim import sgd_step


@dataclass(frozen=True)
class Trajectory:
    """What a training run did, step by step; every array is read-only."""

    step_losses: np.ndarray
    """Loss of each micro-batch at the parameters before the update it contributes to."""
    epoch_losses: np.ndarray
    """Full-data loss after each epoch's last update, one per epoch."""
    lrs: np.ndarray
    """Learning rate of each optimizer update, in order."""
    w: np.ndarray
    """Final weights, shape (d,)."""
    b: float
    """Final bias."""
    n_updates: int
    """Optimizer steps taken (len(lrs))."""


def mse(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """L = (1/n) sum_i (x_i . w + b - y_i)^2 over the n rows of X (no 1/2)."""
    return float(np.mean((X @ w + b - y) ** 2))


def mse_gradient(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """Gradient of ``mse``: with r = X w + b - y, dL/dw = (2/n) X^T r and dL/db = (2/n) sum r."""
    r = X @ w + b - y
    return 2.0 * X.T @ r / len(y), 2.0 * float(np.sum(r)) / len(y)


def linear_problem(
    X: object, y: object, w: object, b: object, *, w_name: str = "w0", b_name: str = "b0"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Finite float64 X (N >= 1, d), y (N,), w (d values, any shape), scalar b; else ValueError
    naming the argument (w and b as ``w_name`` and ``b_name``)."""
    X = _checks.finite_array("X", X)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must be a 2-D array (N, d) with N >= 1, got shape {X.shape}")
    y = _checks.finite_array("y", y)
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
    w = _checks.finite_array(w_name, w).reshape(-1)
    if w.shape != (X.shape[1],):
        raise ValueError(f"{w_name} must hold {X.shape[1]} values (one per column of X)")
    b = _checks.finite_array(b_name, b).reshape(-1)
    if b.shape != (1,):
        raise ValueError(f"{b_name} must be a single number, got {b.size} values")
    return X, y, w, float(b[0])


def _permutation(permutations: Sequence[np.ndarray], epoch: int, n: int) -> np.ndarray:
    """permutations[epoch] as an index array, checked to be a permutation of range(n)."""
    perm = np.asarray(permutations[epoch])
    if perm.dtype.kind not in "iu" or not np.array_equal(np.sort(perm), np.arange(n)):
        raise ValueError(f"permutations[{epoch}] must be an integer permutation of range({n})")
    return perm


def _frozen(values: object) -> np.ndarray:
    """A read-only float64 copy of ``values``."""
    arr = np.array(values, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def _rate(lr: float, lr_schedule: Callable[[int], float] | None, t: int) -> float:
    """lr when there is no schedule, else lr_schedule(t), checked to be finite and >= 0."""
    if lr_schedule is None:
        return lr
    rate = float(lr_schedule(t))
    if not np.isfinite(rate) or rate < 0:
        raise ValueError(f"lr_schedule({t}) must be a finite number >= 0, got {rate!r}")
    return rate


def epoch_order(permutations: Sequence[np.ndarray], epoch: int) -> np.ndarray:
    """The order epoch ``epoch`` reads the samples in: its own permutation."""
    return permutations[epoch]


def zero_grad(grad: np.ndarray) -> np.ndarray:
    """The gradient buffer at the start of an update: zero (optimizer.zero_grad())."""
    return np.zeros_like(grad)


def share(g: np.ndarray, k: int, size: int) -> np.ndarray:
    """A micro-batch gradient's share of the accumulated gradient: g / k, also in a short
    trailing group of ``size`` < k micro-batches."""
    return g / k


def logged_losses(
    X: np.ndarray, y: np.ndarray, group: list[np.ndarray], before: np.ndarray, after: np.ndarray
) -> list[float]:
    """The losses recorded for a group's micro-batches: each at the parameters its gradient
    was taken at (``before`` the group's update)."""
    return [mse(X[idx], y[idx], before[:-1], before[-1]) for idx in group]


Group = tuple[int, int, bool, bool]
"""(start, stop, fresh, steps): an epoch's micro-batches start:stop, summed into a gradient
zeroed first when fresh, with one step after them when steps."""


def epoch_groups(n: int, k: int, carried: int) -> tuple[list[Group], int]:
    """An epoch's n micro-batches in groups of k from its first, the short last one too: each
    from a zero gradient, each with its step; nothing is carried into the next epoch (the
    returned count of micro-batches still waiting for a step is 0)."""
    return [(start, min(start + k, n), True, True) for start in range(0, n, k)], 0


def sgd_update(
    theta: np.ndarray, grad: np.ndarray, buf: np.ndarray | None, **hyper: float
) -> tuple[np.ndarray, np.ndarray | None]:
    """One optimizer step on the vector (w, b): torch.optim.SGD (``reference.optim``)."""
    return sgd_step(theta, grad, buf, **hyper)


def epoch_start(
    theta: np.ndarray, buf: np.ndarray | None, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Parameters and momentum buffer at the start of an epoch: carried over unchanged."""
    return theta, buf


def gradient(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The gradient of ``mse`` on one micro-batch as one vector (dL/dw, dL/db)."""
    gw, gb = mse_gradient(X, y, theta[:-1], theta[-1])
    return np.append(gw, gb)


@dataclass(frozen=True)
class TrainerParts:
    """The named parts of ``train_linear_regression``; the defaults are the textbook ones."""

    order: Callable[[Sequence[np.ndarray], int], np.ndarray] = epoch_order
    batches: Callable[..., list[np.ndarray]] = batches
    gradient: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] = gradient
    zero_grad: Callable[[np.ndarray], np.ndarray] = zero_grad
    share: Callable[[np.ndarray, int, int], np.ndarray] = share
    step: Callable[..., tuple[np.ndarray, np.ndarray | None]] = sgd_update
    logged: Callable[..., list[float]] = logged_losses
    epoch_start: Callable[..., tuple[np.ndarray, np.ndarray | None]] = epoch_start
    grouping: Callable[[int, int, int], tuple[list[Group], int]] = epoch_groups


TEXTBOOK = TrainerParts()
"""The parts of the reference trainer."""


def train_linear_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    w0: np.ndarray,
    b0: float,
    lr: float,
    batch_size: int,
    epochs: int,
    permutations: Sequence[np.ndarray],
    accumulation_steps: int = 1,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    lr_schedule: Callable[[int], float] | None = None,
    drop_last: bool = False,
    parts: TrainerParts = TEXTBOOK,
) -> Trajectory:
    """Mini-batch SGD on L_B = mean_B (x . w + b - y)^2 from (w0, b0); see the module docstring.

    Per optimizer update t: g = sum over its (up to k) micro-batches B of grad(L_B) / k, then
    (w, b) <- sgd_step((w, b), g, buf, lr=rate_t, momentum, weight_decay). Needs
    1 <= batch_size <= N, epochs >= 1, at least ``epochs`` permutations (extra ones are
    unused), lr, momentum, weight_decay finite and >= 0; otherwise ValueError naming the
    argument. The inputs are not modified.
    """
    X, y, w, b = linear_problem(X, y, w0, b0)
    lr = _checks.non_negative("lr", lr)
    _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > len(X):
        raise ValueError(f"batch_size must be <= N = {len(X)}, got {batch_size}")
    _checks.count("epochs", epochs, minimum=1)
    k = _checks.count("accumulation_steps", accumulation_steps, minimum=1)
    momentum = _checks.non_negative("momentum", momentum)
    weight_decay = _checks.non_negative("weight_decay", weight_decay)
    if lr_schedule is not None and not callable(lr_schedule):
        raise ValueError(f"lr_schedule must be None or a callable, got {lr_schedule!r}")
    if len(permutations) < epochs:
        raise ValueError(f"permutations has {len(permutations)} entries, need epochs={epochs}")
    orders = [_permutation(permutations, epoch, len(X)) for epoch in range(epochs)]
    start = np.append(w, b)
    theta, buf, grad = start, None, np.zeros_like(start)
    step_losses, epoch_losses, lrs = [], [], []  # per micro-batch, per epoch, per update
    hyper = {"momentum": momentum, "weight_decay": weight_decay}
    carried = 0  # micro-batches summed but not stepped yet (none: groups end with the epoch)
    for epoch in range(epochs):
        # 1. cut this epoch's order into micro-batches, and those into groups of k
        theta, buf = parts.epoch_start(theta, buf, start)
        micro = parts.batches(parts.order(orders, epoch), batch_size, drop_last=drop_last)
        groups, carried = parts.grouping(len(micro), k, carried)
        for first, stop, fresh, stepped in groups:
            # 2. zero the gradient, then add grad(L_B) / k of up to k micro-batches
            group = micro[first:stop]
            if fresh:
                grad = parts.zero_grad(grad)
            for idx in group:
                grad = grad + parts.share(parts.gradient(X[idx], y[idx], theta), k, len(group))
            # 3. one SGD step at this update's learning rate
            before = theta
            if stepped:
                rate = _rate(lr, lr_schedule, len(lrs))
                lrs.append(rate)
                theta, buf = parts.step(theta, grad, buf, lr=rate, **hyper)
            # 4. each micro-batch's loss, at the parameters its gradient was taken at
            step_losses += parts.logged(X, y, group, before, theta)
        # 5. full-data loss at the end of the epoch
        epoch_losses.append(mse(X, y, theta[:-1], theta[-1]))
    return Trajectory(
        step_losses=_frozen(step_losses),
        epoch_losses=_frozen(epoch_losses),
        lrs=_frozen(lrs),
        w=_frozen(theta[:-1]),
        b=float(theta[-1]),
        n_updates=len(lrs),
    )
