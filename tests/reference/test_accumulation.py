"""Accumulated gradients against autograd on the concatenated batch."""

from __future__ import annotations

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


def autograd_gradient(X, y, w, b):
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.mse_loss(torch.tensor(X) @ wt + bt, torch.tensor(y)).backward()
    return wt.grad.numpy(), bt.grad.item()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 6), size=st.integers(1, 8))
def test_even_micro_batches_equal_the_big_batch(seed: int, k: int, size: int) -> None:
    rng = np.random.default_rng(seed)
    X, y, w = rng.normal(size=(k * size, 3)), rng.normal(size=k * size), rng.normal(size=3)
    micro = np.array_split(rng.permutation(k * size), k)
    gw, gb = autograd_gradient(X, y, w, 0.3)
    for fn in (accumulated_gradient, weighted_accumulated_gradient):
        aw, ab = fn(X, y, w, 0.3, micro_batches=micro)
        assert np.allclose(aw, gw, rtol=1e-12, atol=1e-12) and abs(ab - gb) < 1e-12
    fw, fb = full_batch_gradient(X, y, w, 0.3)
    assert np.allclose(fw, gw, rtol=1e-12, atol=1e-12) and abs(fb - gb) < 1e-12


def test_uneven_last_micro_batch_needs_weights() -> None:
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(10, 2)), rng.normal(size=10), rng.normal(size=2)
    micro = [np.arange(0, 4), np.arange(4, 8), np.arange(8, 10)]
    gw, _ = autograd_gradient(X, y, w, 0.0)
    naive = accumulated_gradient(X, y, w, 0.0, micro_batches=micro)
    weighted = weighted_accumulated_gradient(X, y, w, 0.0, micro_batches=micro)
    assert np.allclose(weighted[0], gw, rtol=1e-12, atol=1e-12)
    assert not np.allclose(naive[0], gw, rtol=1e-6, atol=1e-9)


def test_micro_batches_must_partition_the_data() -> None:
    X, y = np.zeros((4, 1)), np.zeros(4)
    with pytest.raises(ValueError, match="micro_batches"):
        accumulated_gradient(X, y, np.zeros(1), 0.0, micro_batches=[np.arange(3)])
