"""Normalization oracles against torch.nn layers in train and eval mode."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.normalization import batch_norm, group_norm, layer_norm, standardize

TOL = {np.float64: 1e-12, np.float32: 1e-5}
shapes = st.sampled_from([(8, 3), (4, 3, 5), (2, 4, 3, 3), (2, 3)])


@settings(max_examples=40, deadline=None)
@given(shape=shapes, dtype=st.sampled_from([np.float64, np.float32]), seed=st.integers(0, 999))
def test_batch_norm_train_then_eval_matches_torch(shape, dtype, seed) -> None:
    rng = np.random.default_rng(seed)
    c = shape[1]
    layer = {2: torch.nn.BatchNorm1d, 3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d}[len(shape)](
        c, momentum=0.2
    ).to(torch.float64 if dtype == np.float64 else torch.float32)
    gamma, beta = rng.normal(size=c).astype(dtype), rng.normal(size=c).astype(dtype)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    rm, rv = np.zeros(c, dtype), np.ones(c, dtype)
    for _ in range(3):
        x = (rng.normal(size=shape) * 3 + 1).astype(dtype)
        layer.train()
        want = layer(torch.tensor(x)).detach().numpy()
        got, rm, rv = batch_norm(
            x, gamma, beta, running_mean=rm, running_var=rv, training=True, momentum=0.2
        )
        assert np.max(np.abs(got - want)) <= TOL[dtype] * 10
        assert np.allclose(rm, layer.running_mean.numpy(), rtol=TOL[dtype], atol=TOL[dtype])
        assert np.allclose(rv, layer.running_var.numpy(), rtol=TOL[dtype], atol=TOL[dtype])
    layer.eval()
    x = rng.normal(size=shape).astype(dtype)
    got, rm2, _ = batch_norm(x, gamma, beta, running_mean=rm, running_var=rv, training=False)
    assert np.max(np.abs(got - layer(torch.tensor(x)).detach().numpy())) <= TOL[dtype] * 10
    assert np.array_equal(rm2, rm)


def test_batch_of_one_breaks_batch_norm_like_torch() -> None:
    x = np.ones((1, 3))
    with pytest.raises(ValueError) as ours:
        batch_norm(
            x,
            np.ones(3),
            np.zeros(3),
            running_mean=np.zeros(3),
            running_var=np.ones(3),
            training=True,
        )
    with pytest.raises(ValueError) as theirs:
        torch.nn.BatchNorm1d(3).train()(torch.ones(1, 3))
    assert str(ours.value) == str(theirs.value)


@settings(max_examples=30, deadline=None)
@given(
    shape=st.sampled_from([(1, 6), (5, 6), (1, 4, 6), (3, 2, 6)]),
    seed=st.integers(0, 999),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_layer_norm_matches_torch_even_at_batch_size_one(shape, seed, dtype) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    gamma, beta = rng.normal(size=6).astype(dtype), rng.normal(size=6).astype(dtype)
    want = torch.nn.functional.layer_norm(
        torch.tensor(x), (6,), torch.tensor(gamma), torch.tensor(beta)
    )
    got = layer_norm(x, gamma, beta)
    assert np.max(np.abs(got - want.numpy())) <= TOL[dtype] * 10


@settings(max_examples=30, deadline=None)
@given(
    shape=st.sampled_from([(1, 6), (1, 6, 4), (3, 6, 2, 2)]),
    groups=st.sampled_from([1, 2, 3]),
    seed=st.integers(0, 999),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_group_norm_matches_torch_even_at_batch_size_one(shape, groups, seed, dtype) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(dtype)
    gamma, beta = rng.normal(size=6).astype(dtype), rng.normal(size=6).astype(dtype)
    want = torch.nn.functional.group_norm(
        torch.tensor(x), groups, torch.tensor(gamma), torch.tensor(beta)
    )
    got = group_norm(x, groups, gamma, beta)
    assert np.max(np.abs(got - want.numpy())) <= TOL[dtype] * 10


def test_standardize_fits_on_train_and_reuses_on_test() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, size=(50, 3))
    Z, mean, std = standardize(X)
    assert np.allclose(Z.mean(axis=0), 0, atol=1e-12) and np.allclose(Z.std(axis=0), 1)
    Zt, _, _ = standardize(X[:5], mean=mean, std=std)
    assert np.allclose(Zt, Z[:5])
    with pytest.raises(ValueError, match="std"):
        standardize(np.ones((4, 2)))
