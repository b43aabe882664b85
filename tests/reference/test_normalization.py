"""Normalization oracles against torch.nn layers (train and eval mode) and scikit-learn."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.preprocessing import StandardScaler

from reference.normalization import batch_norm, group_norm, layer_norm, standardize

# The oracles compute in float64 and round a float32 input's result to float32, so they are
# compared with torch run in float64 on the same (float32) inputs: a float32 answer is then
# right to its own rounding (~6e-8 relative). torch's own float32 kernels are not the
# reference: with a small variance they lose about u * |x| / sqrt(var + eps), up to 1e-4.
TOL = {np.float64: 1e-12, np.float32: 1e-6}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float64}
dtypes = st.sampled_from([np.float64, np.float32])


@st.composite
def channel_shapes(draw, min_n: int = 1) -> tuple[int, ...]:
    """(N, C) or (N, C, L) or (N, C, H, W), small."""
    n, c = draw(st.integers(min_n, 5)), draw(st.integers(1, 4))
    return (n, c, *draw(st.lists(st.integers(1, 3), max_size=2)))


def as_torch(x: np.ndarray) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


def assert_close(ours, theirs, tol: float, what: str) -> None:
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    theirs = theirs.astype(ours.dtype) if ours.dtype == np.float32 else theirs
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype, what
    gap = np.abs(ours.astype(np.float64) - theirs)
    assert np.all(gap <= tol * np.maximum(1.0, np.abs(theirs))), f"{what}: {gap.max():.3g}"


def torch_batch_norm(shape, c: int, momentum: float, eps: float, dtype) -> torch.nn.Module:
    kind = torch.nn.BatchNorm2d if len(shape) == 4 else torch.nn.BatchNorm1d
    return kind(c, momentum=momentum, eps=eps).to(TORCH_DTYPE[dtype])


@settings(max_examples=40, deadline=None)
@given(
    shape=channel_shapes(),
    dtype=dtypes,
    seed=st.integers(0, 999),
    momentum=st.sampled_from([0.0, 0.1, 0.3, 1.0]),
    eps=st.sampled_from([1e-5, 1e-3]),
)
def test_batch_norm_train_then_eval_matches_torch(shape, dtype, seed, momentum, eps) -> None:
    rng = np.random.default_rng(seed)
    c, tol = shape[1], TOL[dtype]
    layer = torch_batch_norm(shape, c, momentum, eps, dtype)
    gamma, beta = rng.normal(size=c).astype(dtype), rng.normal(size=c).astype(dtype)
    rm, rv = rng.normal(size=c).astype(dtype), rng.uniform(0.5, 2, size=c).astype(dtype)
    with torch.no_grad():
        for name, value in [("weight", gamma), ("bias", beta)]:
            getattr(layer, name).copy_(torch.tensor(value))
        layer.running_mean.copy_(torch.tensor(rm))
        layer.running_var.copy_(torch.tensor(rv))
    args = {"momentum": momentum, "eps": eps}
    # eval first, from arbitrary running statistics: they are used and come back unchanged
    x = (rng.normal(size=shape) * 3 + 1).astype(dtype)
    got, rm2, rv2 = batch_norm(
        x, gamma, beta, running_mean=rm, running_var=rv, training=False, **args
    )
    assert_close(got, layer.eval()(as_torch(x)), tol, "eval output")
    assert np.array_equal(rm2, rm) and np.array_equal(rv2, rv)
    for step in range(3):
        x = (rng.normal(size=shape) * 3 + 1).astype(dtype)
        if x.size == c:  # one value per channel: torch refuses to train, and so must we
            with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
                batch_norm(x, gamma, beta, running_mean=rm, running_var=rv, training=True, **args)
            return
        want = layer.train()(as_torch(x))
        got, rm, rv = batch_norm(
            x, gamma, beta, running_mean=rm, running_var=rv, training=True, **args
        )
        assert_close(got, want, tol, f"train output, step {step}")
        assert_close(rm, layer.running_mean, tol, f"running_mean, step {step}")
        assert_close(rv, layer.running_var, tol, f"running_var, step {step}")
    x = rng.normal(size=shape).astype(dtype)
    got, _, _ = batch_norm(x, gamma, beta, running_mean=rm, running_var=rv, training=False, **args)
    assert_close(got, layer.eval()(as_torch(x)), tol, "eval output after training")


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1), (1, 3, 1, 1)])
def test_batch_of_one_breaks_batch_norm_training_like_torch(shape) -> None:
    c = np.ones(3)
    with pytest.raises(ValueError) as ours:
        batch_norm(np.ones(shape), c, 0 * c, running_mean=0 * c, running_var=c, training=True)
    with pytest.raises(ValueError) as theirs:
        torch_batch_norm(shape, 3, 0.1, 1e-5, np.float64).train()(torch.ones(shape).double())
    assert str(ours.value) == str(theirs.value)
    # eval mode and a batch of one with several spatial values are fine
    batch_norm(np.ones(shape), c, 0 * c, running_mean=0 * c, running_var=c, training=False)
    batch_norm(np.ones((1, 3, 2)), c, 0 * c, running_mean=0 * c, running_var=c, training=True)


@settings(max_examples=30, deadline=None)
@given(
    shape=channel_shapes(),
    ndim=st.integers(1, 2),
    dtype=dtypes,
    seed=st.integers(0, 999),
    eps=st.sampled_from([1e-5, 1e-2]),
)
def test_layer_norm_matches_torch_even_at_batch_size_one(shape, ndim, dtype, seed, eps) -> None:
    rng = np.random.default_rng(seed)
    ndim = min(ndim, len(shape) - 1)  # normalise within a sample, never across the batch
    x = (rng.normal(size=shape) * 2 - 1).astype(dtype)
    tail = shape[len(shape) - ndim :]
    gamma, beta = rng.normal(size=tail).astype(dtype), rng.normal(size=tail).astype(dtype)
    layer = torch.nn.LayerNorm(tail, eps=eps).to(TORCH_DTYPE[dtype])
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    got = layer_norm(x, gamma, beta, normalized_ndim=ndim, eps=eps)
    assert_close(got, layer(as_torch(x)), TOL[dtype], "layer_norm")
    assert_close(layer_norm(x[:1], gamma, beta, normalized_ndim=ndim, eps=eps), got[:1], 0, "N=1")


@settings(max_examples=30, deadline=None)
@given(
    shape=channel_shapes(),
    groups_pick=st.integers(0, 3),
    dtype=dtypes,
    seed=st.integers(0, 999),
    eps=st.sampled_from([1e-5, 1e-2]),
)
def test_group_norm_matches_torch_even_at_batch_size_one(shape, groups_pick, dtype, seed, eps):
    rng = np.random.default_rng(seed)
    c = shape[1]
    groups = [g for g in range(1, c + 1) if c % g == 0]
    groups = groups[groups_pick % len(groups)]
    x = (rng.normal(size=shape) * 2 - 1).astype(dtype)
    gamma, beta = rng.normal(size=c).astype(dtype), rng.normal(size=c).astype(dtype)
    layer = torch.nn.GroupNorm(groups, c, eps=eps).to(TORCH_DTYPE[dtype])
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(gamma))
        layer.bias.copy_(torch.tensor(beta))
    if x.size == groups:  # N = 1 and one value per group: torch refuses, and so must we
        with pytest.raises(ValueError) as theirs:
            layer(as_torch(x))
        with pytest.raises(ValueError) as ours:
            group_norm(x, groups, gamma, beta, eps=eps)
        assert str(ours.value) == str(theirs.value)
        return
    got = group_norm(x, groups, gamma, beta, eps=eps)
    if x[0].size == groups:
        # one value per group: x - mean is 0, so y = beta exactly
        assert np.array_equal(
            got, np.broadcast_to(beta.reshape(1, c, *[1] * (x.ndim - 2)), x.shape)
        )
    assert_close(got, layer(as_torch(x)), TOL[dtype], "group_norm")
    if x[0].size > groups:  # batch size 1 works as long as a group has 2 values or more
        assert_close(group_norm(x[:1], groups, gamma, beta, eps=eps), got[:1], 0, "N=1")


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 999), n=st.integers(2, 30), d=st.integers(1, 4))
def test_standardize_matches_scikit_learn_on_train_and_test(seed: int, n: int, d: int) -> None:
    rng = np.random.default_rng(seed)
    X, X_test = rng.normal(3, 2, size=(n, d)), rng.normal(3, 2, size=(5, d))
    scaler = StandardScaler().fit(X)
    Z, mean, std = standardize(X)
    assert_close(Z, scaler.transform(X), 1e-12, "train")
    assert_close(std, np.sqrt(scaler.var_), 1e-12, "population std (ddof=0)")
    Z_test, mean2, std2 = standardize(X_test, mean=mean, std=std)
    assert_close(Z_test, scaler.transform(X_test), 1e-12, "test with the train statistics")
    assert np.array_equal(mean2, mean) and np.array_equal(std2, std)


def _bn(**kw):
    args = {"x": np.ones((4, 2)), "gamma": np.ones(2), "beta": np.zeros(2)}
    args |= {"running_mean": np.zeros(2), "running_var": np.ones(2), "training": True} | kw
    return batch_norm(args.pop("x"), args.pop("gamma"), args.pop("beta"), **args)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: _bn(x=np.ones(4)), "x"),
        (lambda: _bn(x=np.full((4, 2), np.nan)), "x"),
        (lambda: _bn(gamma=np.ones(3)), "gamma"),
        (lambda: _bn(beta=np.ones((2, 1))), "beta"),
        (lambda: _bn(running_mean=np.zeros(3)), "running_mean"),
        (lambda: _bn(running_var=np.array([1.0, np.inf])), "running_var"),
        (lambda: _bn(momentum=1.5), "momentum"),
        (lambda: _bn(eps=0.0), "eps"),
        (lambda: _bn(training="yes"), "training"),
        (lambda: layer_norm(np.ones((2, 3)), np.ones(2), np.zeros(3)), "gamma"),
        (
            lambda: layer_norm(np.ones((2, 3)), np.ones(3), np.zeros(3), normalized_ndim=3),
            "normalized_ndim",
        ),
        (lambda: layer_norm(np.ones((2, 3)), np.ones(3), np.zeros(3), eps=-1.0), "eps"),
        (lambda: group_norm(np.ones((2, 4)), 3, np.ones(4), np.zeros(4)), "num_groups"),
        (lambda: group_norm(np.ones((2, 4)), 0, np.ones(4), np.zeros(4)), "num_groups"),
        (lambda: group_norm(np.ones((2, 4)), 2, np.ones(2), np.zeros(4)), "gamma"),
        (lambda: standardize(np.ones((4, 2))), "std"),
        (lambda: standardize(np.ones((4, 2)), mean=np.zeros(2), std=np.array([1.0, -1.0])), "std"),
        (lambda: standardize(np.ones((4, 2)), mean=np.zeros(3)), "mean"),
        (lambda: standardize(np.ones(4)), "X"),
    ],
)
def test_bad_arguments_name_the_argument(call, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{re.escape(name)}\b"):
        call()
