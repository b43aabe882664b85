"""Accumulated gradients against torch autograd on the concatenated batch."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.accumulation import (
    accumulated_gradient,
    full_batch_gradient,
    weighted_accumulated_gradient,
)

TOL = 1e-12


def close(a, b) -> bool:
    a, b = (
        np.append(*a) if isinstance(a, tuple) else a,
        np.append(*b) if isinstance(b, tuple) else b,
    )
    return bool(np.all(np.abs(a - b) <= TOL * (1 + np.abs(b))))


def torch_big_batch(X, y, w, b, order) -> np.ndarray:
    """Autograd of MSELoss on the micro-batches concatenated into one batch."""
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    idx = torch.as_tensor(order)
    torch.nn.MSELoss()(torch.tensor(X)[idx] @ wt + bt, torch.tensor(y)[idx]).backward()
    return np.append(wt.grad.numpy(), bt.grad.item())


def torch_accumulated(X, y, w, b, micro) -> np.ndarray:
    """The textbook loop: (loss / k).backward() per micro-batch, .grad accumulating."""
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    for idx in micro:
        i = torch.as_tensor(idx)
        loss = torch.nn.MSELoss()(torch.tensor(X)[i] @ wt + bt, torch.tensor(y)[i])
        (loss / len(micro)).backward()
    return np.append(wt.grad.numpy(), bt.grad.item())


def split(rng: np.random.Generator, sizes: list[int]) -> list[np.ndarray]:
    return np.split(rng.permutation(sum(sizes)), np.cumsum(sizes)[:-1])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 6), size=st.integers(1, 8))
def test_even_micro_batches_equal_the_big_batch(seed: int, k: int, size: int) -> None:
    rng = np.random.default_rng(seed)
    X, y, w, b = rng.normal(size=(k * size, 3)), rng.normal(size=k * size), rng.normal(size=3), 0.3
    micro = split(rng, [size] * k)
    big = torch_big_batch(X, y, w, b, np.concatenate(micro))
    assert close(full_batch_gradient(X, y, w, b), big)
    assert close(accumulated_gradient(X, y, w, b, micro_batches=micro), big)
    assert close(weighted_accumulated_gradient(X, y, w, b, micro_batches=micro), big)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), sizes=st.lists(st.integers(1, 6), min_size=1, max_size=5))
def test_weighted_equals_the_big_batch_and_naive_equals_the_torch_loop(seed, sizes) -> None:
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    X, y, w, b = rng.normal(size=(n, 2)), rng.normal(size=n), rng.normal(size=2), -0.7
    micro = split(rng, sizes)
    big = torch_big_batch(X, y, w, b, np.concatenate(micro))
    assert close(weighted_accumulated_gradient(X, y, w, b, micro_batches=micro), big)
    naive = accumulated_gradient(X, y, w, b, micro_batches=micro)
    assert close(naive, torch_accumulated(X, y, w, b, micro))
    # the naive error is sum_i (1/k - n_i/N) grad_i: zero when the sizes are equal
    parts = [np.append(*full_batch_gradient(X[m], y[m], w, b)) for m in micro]
    error = sum((1 / len(sizes) - len(m) / n) * g for m, g in zip(micro, parts, strict=True))
    assert close(np.append(*naive) - big, error)


def test_uneven_last_micro_batch_breaks_the_naive_recipe() -> None:
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(10, 2)), rng.normal(size=10), rng.normal(size=2)
    micro = [np.arange(0, 4), np.arange(4, 8), np.arange(8, 10)]
    big = torch_big_batch(X, y, w, 0.0, np.arange(10))
    naive = np.append(*accumulated_gradient(X, y, w, 0.0, micro_batches=micro))
    assert close(weighted_accumulated_gradient(X, y, w, 0.0, micro_batches=micro), big)
    assert np.max(np.abs(naive - big)) > 1e-3


def _grads(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, micro: list) -> np.ndarray:
    """Accumulated gradient of mean-squared error over even micro-batches (loss / k each)."""
    model.zero_grad()
    for idx in micro:
        (torch.nn.functional.mse_loss(model(X[idx]).squeeze(1), y[idx]) / len(micro)).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()]).numpy().copy()


@pytest.mark.parametrize(("norm", "equal"), [("batch", False), ("layer", True)])
def test_batch_norm_breaks_even_accumulation_layer_norm_does_not(norm: str, equal: bool) -> None:
    torch.manual_seed(0)
    layer = torch.nn.BatchNorm1d(4) if norm == "batch" else torch.nn.LayerNorm(4)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), layer, torch.nn.Linear(4, 1)).double()
    X, y = torch.randn(12, 3, dtype=torch.float64) * 2 + 1, torch.randn(12, dtype=torch.float64)
    big = _grads(model, X, y, [torch.arange(12)])
    accumulated = _grads(model, X, y, list(torch.arange(12).split(4)))
    assert close(accumulated, big) is equal


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"micro_batches": [np.arange(3)]}, "micro_batches"),
        ({"micro_batches": [np.arange(4), np.arange(2)]}, "micro_batches"),
        ({"micro_batches": []}, "micro_batches"),
        ({"micro_batches": [np.arange(4), np.arange(0)]}, "micro_batches"),
        ({"micro_batches": [np.arange(4.0)]}, "micro_batches"),
        ({"w": np.zeros(3)}, "w"),
        ({"b": float("nan")}, "b"),
        ({"X": np.full((4, 2), np.inf)}, "X"),
        ({"y": np.zeros(5)}, "y"),
    ],
)
@pytest.mark.parametrize("fn", [accumulated_gradient, weighted_accumulated_gradient])
def test_bad_arguments_name_the_argument(fn, kwargs: dict, name: str) -> None:
    args = {"X": np.zeros((4, 2)), "y": np.zeros(4), "w": np.zeros(2), "b": 0.0}
    args |= {"micro_batches": [np.arange(2), np.arange(2, 4)]} | kwargs
    with pytest.raises(ValueError, match=rf"^{re.escape(name)}\b"):
        fn(args.pop("X"), args.pop("y"), args.pop("w"), args.pop("b"), **args)
