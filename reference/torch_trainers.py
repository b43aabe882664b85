"""The torch counterpart of ``reference.trainers``: small torch models on a given batch order.

``train_torch_model`` is the plain loop, per mini-batch: index X and y with the batch,
zero_grad, forward, loss, backward, torch.optim.SGD step. Batches are consecutive slices of
``permutations[epoch]`` (``reference.batching.batches``), exactly what
DataLoader(TensorDataset(X, y), batch_size, sampler=permutation) yields, so the two loops
agree step for step. Iris comes from the copy scikit-learn ships: no download.
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from reference import _checks
from reference.batching import batches


@dataclass(frozen=True)
class TorchTrajectory:
    """What a torch training run did."""

    step_losses: np.ndarray
    """Loss of each mini-batch, at the parameters before its update."""
    epoch_losses: np.ndarray
    """Full-data loss after each epoch, in eval mode under no_grad."""
    epoch_accuracy: np.ndarray
    """Full-data accuracy after each epoch (argmax of (N, C) logits vs long labels), else NaN."""
    state: dict[str, torch.Tensor]
    """Final parameters and buffers, a detached copy of the trained model's state_dict."""
    n_updates: int
    """Optimizer steps taken (len(step_losses))."""


def iris_data(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Iris as shipped by scikit-learn: features (150, 4) of ``dtype`` and int64 labels (150,).

    Rows stay in the shipped order (sorted by class); labels are long so that
    cross_entropy accepts them. The file is read where scikit-learn keeps it, without
    importing scikit-learn (1.4 s): the same numbers ``sklearn.datasets.load_iris`` returns.
    """
    spec = importlib.util.find_spec("sklearn")  # finds the package, imports nothing
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("Iris comes from scikit-learn's copy: pip install scikit-learn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "iris.csv"
    rows = np.loadtxt(path, delimiter=",", skiprows=1)  # header: n, features, class names
    return torch.tensor(rows[:, :4], dtype=dtype), torch.tensor(rows[:, 4], dtype=torch.long)


def iris_mlp(seed: int, hidden: int = 16, dtype: torch.dtype = torch.float32) -> torch.nn.Module:
    """Linear(4, hidden) -> ReLU -> Linear(hidden, 3), torch's default init drawn from ``seed``.

    The global RNG is forked, so building the model leaves torch's random state untouched.
    """
    _checks.count("hidden", hidden, minimum=1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3)
        )
    return model.to(dtype)


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose argmax equals the label; NaN unless (N, C) logits, long labels."""
    if logits.ndim != 2 or y.dtype != torch.long:
        return float("nan")
    return float((logits.argmax(dim=1) == y).double().mean())


def train_torch_model(
    model: torch.nn.Module | Callable[[], torch.nn.Module],
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    lr: float,
    batch_size: int,
    epochs: int,
    permutations: Sequence[np.ndarray],
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    seed: int,
    drop_last: bool = False,
) -> TorchTrajectory:
    """Mini-batch torch.optim.SGD(lr, momentum, weight_decay) on loss_fn(model(X[B]), y[B]).

    ``model`` is a module (a deep copy is trained; the caller's is left as it was) or a
    zero-argument builder, called after torch.manual_seed(seed). Training runs under a
    forked RNG seeded with ``seed`` (for dropout and the like) and leaves the global RNG
    untouched. Updates run in train mode; each epoch's full-data loss is taken in eval mode
    under no_grad. Arguments are checked as in ``train_linear_regression``.
    """
    if not callable(model):
        raise ValueError(f"model must be a torch.nn.Module or a builder, got {model!r}")
    n = len(X)
    if n == 0 or len(y) != n:
        raise ValueError(f"X and y must have the same N >= 1 rows, got {len(X)} and {len(y)}")
    if not bool(torch.isfinite(X).all()):
        raise ValueError("X must be finite")
    _checks.non_negative("lr", lr)
    if _checks.count("batch_size", batch_size, minimum=1) > n:
        raise ValueError(f"batch_size must be <= N = {n}, got {batch_size}")
    _checks.count("epochs", epochs, minimum=1)
    _checks.non_negative("momentum", momentum)
    _checks.non_negative("weight_decay", weight_decay)
    if len(permutations) < epochs:
        raise ValueError(f"permutations has {len(permutations)} entries, need epochs={epochs}")
    orders = [np.asarray(permutations[e]) for e in range(epochs)]
    for e, perm in enumerate(orders):
        if perm.dtype.kind not in "iu" or not np.array_equal(np.sort(perm), np.arange(n)):
            raise ValueError(f"permutations[{e}] must be an integer permutation of range({n})")
    step_losses, epoch_losses, accuracy = [], [], []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # 1. a fresh model: built from the seed, or a copy of the one given
        net = copy.deepcopy(model) if isinstance(model, torch.nn.Module) else model()
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
        for perm in orders:
            net.train()
            for idx in batches(perm, batch_size, drop_last=drop_last):
                # 2. one mini-batch: zero_grad, forward, loss, backward, step
                index = torch.as_tensor(idx, dtype=torch.long)
                opt.zero_grad()
                loss = loss_fn(net(X[index]), y[index])
                loss.backward()
                opt.step()
                step_losses.append(loss.item())
            # 3. full-data loss and accuracy at the end of the epoch
            net.eval()
            with torch.no_grad():
                out = net(X)
                epoch_losses.append(float(loss_fn(out, y)))
                accuracy.append(_accuracy(out, y))
    state = {k: v.detach().clone() for k, v in net.state_dict().items()}
    return TorchTrajectory(
        step_losses=np.asarray(step_losses),
        epoch_losses=np.asarray(epoch_losses),
        epoch_accuracy=np.asarray(accuracy),
        state=state,
        n_updates=len(step_losses),
    )
