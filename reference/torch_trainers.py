"""The torch counterpart of ``reference.trainers``: small torch models on a given batch order.

``train_torch_model`` is the plain loop, per mini-batch: index X and y with the batch,
zero_grad, forward, loss, backward, torch.optim.SGD step. Batches are consecutive slices of
``permutations[epoch]`` (``reference.batching.batches``), exactly what
DataLoader(TensorDataset(X, y), batch_size, sampler=permutation) yields, so the two loops
agree step for step. Iris comes from the copy scikit-learn ships: no download.
``batch_size_sweep`` trains a fresh model per batch size with a shuffling DataLoader.

The loops are written as named parts (``TorchParts``: the epoch's order, its batches, the
optimizer built, zero_grad, the batch's loss, whether a batch steps, the loss logged, the start
of an epoch; for the sweep the shuffle, the rate and the model of each batch size); the
defaults are the textbook ones, and the grader swaps one part at a time to reproduce a
student's mistake (``grader.judging.misconceptions.iris``).
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """Optimizer steps taken (one per mini-batch: len(step_losses))."""


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


def epoch_order(permutations: Sequence[np.ndarray], epoch: int) -> np.ndarray:
    """The order epoch ``epoch`` reads the samples in: its own permutation."""
    return permutations[epoch]


def sgd(params: Any, *, lr: float, momentum: float, weight_decay: float) -> torch.optim.Optimizer:
    """The optimizer: torch.optim.SGD with the run's settings."""
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def zero_grad(opt: torch.optim.Optimizer, i: int) -> None:
    """Before batch ``i`` of an epoch: clear the gradients (optimizer.zero_grad())."""
    opt.zero_grad()


def batch_loss(
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    out: torch.Tensor,
    target: torch.Tensor,
) -> torch.Tensor:
    """The loss of a batch: loss_fn on the model's raw output (logits for cross-entropy)."""
    return loss_fn(out, target)


def steps(i: int, n_batches: int) -> bool:
    """Whether batch ``i`` of ``n_batches`` ends with optimizer.step(): every batch does."""
    return True


def logged(loss: torch.Tensor, again: Callable[[], torch.Tensor]) -> float:
    """The value recorded for a batch: its loss before the update (loss.item()); ``again``
    would recompute it at the current parameters."""
    return loss.item()


def epoch_start(
    net: torch.nn.Module,
    opt: torch.optim.Optimizer,
    fresh: Callable[[], tuple[torch.nn.Module, torch.optim.Optimizer]],
) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    """Model and optimizer at the start of an epoch: carried over (``fresh`` would rebuild
    both)."""
    return net, opt


def loader_orders(n: int, epochs: int, seed: int) -> list[np.ndarray]:
    """The orders a DataLoader(shuffle=True, generator=torch.Generator().manual_seed(seed)),
    made once before the epoch loop, reads in its ``epochs`` epochs."""
    from torch.utils.data import DataLoader

    loader = DataLoader(
        torch.arange(n), batch_size=n, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    return [torch.cat(list(loader)).numpy() for _ in range(epochs)]


def sweep_lr(lr: float, batch_size: int) -> float:
    """The learning rate of one batch size of a sweep: lr itself, the same for every size."""
    return lr


def sweep_model(
    trained: torch.nn.Module | None, build: Callable[[], torch.nn.Module]
) -> torch.nn.Module:
    """The model a batch size of a sweep starts from: a fresh one (``trained`` is the last
    batch size's trained model, None at first)."""
    return build()


@dataclass(frozen=True)
class TorchParts:
    """The named parts of ``train_torch_model`` and ``batch_size_sweep``; the defaults are the
    textbook ones."""

    order: Callable[[Sequence[np.ndarray], int], np.ndarray] = epoch_order
    batches: Callable[..., list[np.ndarray]] = batches
    optimizer: Callable[..., torch.optim.Optimizer] = sgd
    zero_grad: Callable[[torch.optim.Optimizer, int], None] = zero_grad
    loss: Callable[..., torch.Tensor] = batch_loss
    steps: Callable[[int, int], bool] = steps
    logged: Callable[[torch.Tensor, Callable[[], torch.Tensor]], float] = logged
    epoch_start: Callable[..., tuple[torch.nn.Module, torch.optim.Optimizer]] = epoch_start
    shuffle: Callable[[int, int, int], list[np.ndarray]] = loader_orders
    sweep_lr: Callable[[float, int], float] = sweep_lr
    sweep_model: Callable[..., torch.nn.Module] = sweep_model


TEXTBOOK = TorchParts()
"""The parts of the reference loops."""


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
    parts: TorchParts = TEXTBOOK,
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
    step_losses, epoch_losses, accuracy, n_updates = [], [], [], 0
    hyper = {"lr": lr, "momentum": momentum, "weight_decay": weight_decay}

    def build() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
        net = copy.deepcopy(model) if isinstance(model, torch.nn.Module) else model()
        return net, parts.optimizer(net.parameters(), **hyper)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # 1. a fresh model (built from the seed, or a copy of the one given) and its optimizer
        net, opt = build()
        for epoch in range(epochs):
            net, opt = parts.epoch_start(net, opt, build)
            net.train()
            micro = parts.batches(parts.order(orders, epoch), batch_size, drop_last=drop_last)
            for i, idx in enumerate(micro):
                # 2. one mini-batch: zero_grad, forward, loss, backward, step
                index = torch.as_tensor(idx, dtype=torch.long)
                parts.zero_grad(opt, i)
                loss = parts.loss(loss_fn, net(X[index]), y[index])
                loss.backward()
                if parts.steps(i, len(micro)):
                    opt.step()
                    n_updates += 1

                def again(index: torch.Tensor = index, net: torch.nn.Module = net) -> torch.Tensor:
                    with torch.no_grad():  # the batch's loss at the parameters now
                        return parts.loss(loss_fn, net(X[index]), y[index])

                step_losses.append(parts.logged(loss, again))
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
        n_updates=n_updates,
    )


def batch_size_sweep(
    X: torch.Tensor,
    y: torch.Tensor,
    batch_sizes: Sequence[int],
    *,
    epochs: int,
    lr: float,
    seed: int,
    make_model: Callable[[int], torch.nn.Module] | None = None,
    parts: TorchParts = TEXTBOOK,
) -> dict[int, float]:
    """{batch_size: final full-data accuracy} of a fresh ``make_model(seed)`` (``iris_mlp``
    in X's dtype when None) per batch size, trained with torch.optim.SGD(lr) and cross-entropy
    for ``epochs`` epochs on a shuffling DataLoader seeded with ``seed`` (``loader_orders``),
    the short last batch kept."""
    if make_model is None:
        make_model = lambda s: iris_mlp(s, dtype=X.dtype)  # noqa: E731
    net, out = None, {}
    for b in batch_sizes:
        # 1. this batch size's model, rate and orders
        net = parts.sweep_model(net, lambda: make_model(seed))
        run = train_torch_model(
            net,
            X,
            y,
            loss_fn=torch.nn.functional.cross_entropy,
            lr=parts.sweep_lr(lr, b),
            batch_size=b,
            epochs=epochs,
            permutations=parts.shuffle(len(X), epochs, seed),
            seed=seed,
            parts=parts,
        )
        # 2. its accuracy after the last epoch; the trained weights kept with the model
        net.load_state_dict(run.state)
        out[b] = float(run.epoch_accuracy[-1])
    return out
