"""The torch counterpart of the trainers: small torch models on a given batch order.

``train_torch_model`` is the plain loop (index the batch, zero_grad, forward, backward,
step) that torch.optim.SGD + DataLoader(sampler=order) also performs; Iris comes from the
copy scikit-learn ships, never a download.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from reference.batching import batches


@dataclass(frozen=True)
class TorchTrajectory:
    """What a torch training run did."""

    step_losses: np.ndarray
    """Loss of each mini-batch before its update."""
    epoch_losses: np.ndarray
    """Full-data loss after each epoch."""
    epoch_accuracy: np.ndarray
    """Full-data accuracy after each epoch (classification; NaN for regression)."""
    state: dict[str, torch.Tensor]
    """Final parameters (a state_dict copy)."""


def iris_data(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Iris features (150, 4) and integer labels (150,), sorted by class as shipped."""
    from sklearn.datasets import load_iris

    data = load_iris()
    return torch.tensor(data.data, dtype=dtype), torch.tensor(data.target, dtype=torch.long)


def iris_mlp(seed: int, hidden: int = 16, dtype: torch.dtype = torch.float32) -> torch.nn.Module:
    """A 4 -> hidden -> 3 MLP with ReLU, initialised from ``seed``."""
    gen = torch.random.fork_rng()
    with gen:
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3)
        )
    return model.to(dtype)


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    if logits.ndim < 2 or y.dtype != torch.long:
        return float("nan")
    return float((logits.argmax(dim=1) == y).double().mean())


def train_torch_model(
    model: torch.nn.Module,
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
    drop_last: bool = False,
) -> TorchTrajectory:
    """Train ``model`` in place with torch.optim.SGD on the given batches."""
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    step_losses, epoch_losses, accuracy = [], [], []
    for epoch in range(epochs):
        for idx in batches(np.asarray(permutations[epoch]), batch_size, drop_last=drop_last):
            index = torch.as_tensor(idx, dtype=torch.long)
            opt.zero_grad()
            loss = loss_fn(model(X[index]), y[index])
            loss.backward()
            opt.step()
            step_losses.append(loss.item())
        with torch.no_grad():
            out = model(X)
            epoch_losses.append(float(loss_fn(out, y)))
            accuracy.append(_accuracy(out, y))
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return TorchTrajectory(
        np.asarray(step_losses), np.asarray(epoch_losses), np.asarray(accuracy), state
    )
