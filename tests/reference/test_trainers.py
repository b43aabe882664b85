"""The linear-regression trainer and its torch counterpart against plain torch loops."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from reference.batching import batches
from reference.torch_trainers import iris_data, iris_mlp, train_torch_model
from reference.trainers import train_linear_regression


def problem(seed: int, n: int = 23, d: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 + 0.1 * rng.normal(size=n)
    perms = [rng.permutation(n) for _ in range(4)]
    return X, y, rng.normal(size=d), 0.0, perms


def torch_loop(X, y, w0, b0, perms, *, lr, batch_size, k, momentum, wd, drop_last, schedule):
    model = torch.nn.Linear(X.shape[1], 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(w0).view(1, -1))
        model.bias.fill_(b0)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=wd)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: schedule(s) / lr)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    losses = []
    for perm in perms:
        micro = batches(perm, batch_size, drop_last=drop_last)
        opt.zero_grad()
        for i, idx in enumerate(micro):
            index = torch.as_tensor(idx)
            loss = torch.nn.functional.mse_loss(model(Xt[index]).squeeze(1), yt[index])
            losses.append(loss.item())
            (loss / k).backward()
            if (i + 1) % k == 0 or i + 1 == len(micro):
                opt.step()
                sched.step()
                opt.zero_grad()
    return np.asarray(losses), model.weight.detach().numpy().ravel(), model.bias.item()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    batch_size=st.integers(1, 23),
    k=st.integers(1, 3),
    momentum=st.sampled_from([0.0, 0.9]),
    wd=st.sampled_from([0.0, 0.01]),
    drop_last=st.booleans(),
)
def test_matches_a_torch_loop_on_the_same_batches(seed, batch_size, k, momentum, wd, drop_last):
    X, y, w0, b0, perms = problem(seed)

    def schedule(step: int) -> float:
        return 0.05 / (1 + 0.1 * step)

    ours = train_linear_regression(
        X,
        y,
        w0=w0,
        b0=b0,
        lr=0.05,
        batch_size=batch_size,
        epochs=4,
        permutations=perms,
        accumulation_steps=k,
        momentum=momentum,
        weight_decay=wd,
        lr_schedule=schedule,
        drop_last=drop_last,
    )
    losses, w, b = torch_loop(
        X,
        y,
        w0,
        b0,
        perms,
        lr=0.05,
        batch_size=batch_size,
        k=k,
        momentum=momentum,
        wd=wd,
        drop_last=drop_last,
        schedule=schedule,
    )
    assert np.allclose(ours.step_losses, losses, rtol=1e-10, atol=1e-12)
    assert np.allclose(ours.w, w, rtol=1e-10, atol=1e-12) and abs(ours.b - b) < 1e-10
    assert ours.n_updates == len(ours.lrs)


def test_batch_gd_makes_one_update_per_epoch_and_sgd_n() -> None:
    X, y, w0, b0, perms = problem(1)
    full = train_linear_regression(
        X, y, w0=w0, b0=b0, lr=0.1, batch_size=len(X), epochs=4, permutations=perms
    )
    sgd = train_linear_regression(
        X, y, w0=w0, b0=b0, lr=0.01, batch_size=1, epochs=4, permutations=perms
    )
    assert full.n_updates == 4 and sgd.n_updates == 4 * len(X)
    assert np.all(np.diff(full.epoch_losses) < 0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lr": -1.0}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"epochs": 0}, "epochs"),
        ({"w0": np.zeros(5)}, "w0"),
        ({"permutations": [np.zeros(23, int)] * 4}, "permutations"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict, name: str) -> None:
    X, y, w0, b0, perms = problem(2)
    args = {"w0": w0, "b0": b0, "lr": 0.1, "batch_size": 4, "epochs": 2, "permutations": perms}
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        train_linear_regression(X, y, **args)


def test_torch_counterpart_matches_dataloader_and_sgd_on_iris() -> None:
    X, y = iris_data(torch.float64)
    perms = [np.random.default_rng(e).permutation(len(X)) for e in range(3)]
    ours = train_torch_model(
        iris_mlp(0, dtype=torch.float64),
        X,
        y,
        loss_fn=torch.nn.functional.cross_entropy,
        lr=0.05,
        batch_size=16,
        epochs=3,
        permutations=perms,
        momentum=0.9,
    )
    model = iris_mlp(0, dtype=torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for perm in perms:
        loader = DataLoader(TensorDataset(X, y), batch_size=16, sampler=perm.tolist())
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    assert np.allclose(ours.step_losses, losses, rtol=1e-12, atol=1e-14)
    assert ours.epoch_accuracy[-1] > 0.5
