"""The linear-regression trainer and its torch counterpart against plain torch loops."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, TensorDataset

from reference.accumulation import full_batch_gradient
from reference.batching import batches
from reference.normalization import standardize
from reference.torch_trainers import iris_data, iris_mlp, train_torch_model
from reference.trainers import train_linear_regression

TRAJ_TOL = 1e-10
N, D, EPOCHS = 23, 3, 4

SCHEDULES = {
    "constant": None,
    "time": lambda t: 0.05 / (1 + 0.1 * t),
    "step": lambda t: 0.05 * 0.5 ** (t // 5),
}


def problem(seed: int, n: int = N, d: int = D) -> tuple:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 + 0.1 * rng.normal(size=n)
    perms = [rng.permutation(n) for _ in range(EPOCHS)]
    return X, y, rng.normal(size=d), float(rng.normal()), perms


def torch_loop(X, y, w0, b0, perms, *, lr, batch_size, k, momentum, wd, drop_last, schedule):
    """torch.nn.Linear (float64) + MSELoss + SGD + LambdaLR, the textbook accumulation loop."""
    model = torch.nn.Linear(X.shape[1], 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(w0).view(1, -1))
        model.bias.fill_(b0)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=wd)
    factor = (lambda t: 1.0) if schedule is None else (lambda t: schedule(t) / lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    criterion = torch.nn.MSELoss()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    losses, epoch_losses, lrs = [], [], []
    for perm in perms:
        micro = batches(perm, batch_size, drop_last=drop_last)
        opt.zero_grad()
        for i, idx in enumerate(micro):
            index = torch.as_tensor(idx)
            loss = criterion(model(Xt[index]).squeeze(1), yt[index])
            losses.append(loss.item())
            (loss / k).backward()
            if (i + 1) % k == 0 or i + 1 == len(micro):
                lrs.append(opt.param_groups[0]["lr"])
                opt.step()
                sched.step()
                opt.zero_grad()
        with torch.no_grad():
            epoch_losses.append(criterion(model(Xt).squeeze(1), yt).item())
    w, b = model.weight.detach().numpy().ravel(), model.bias.item()
    return np.asarray(losses), np.asarray(epoch_losses), np.asarray(lrs), w, b


def assert_close(ours, theirs, what: str, tol: float = TRAJ_TOL) -> None:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shapes {ours.shape} vs {theirs.shape}"
    gap = np.abs(ours - theirs)
    assert np.all(gap <= tol * (1 + np.abs(theirs))), f"{what}: max gap {gap.max():.3g}"


def check_against_torch(
    seed, *, batch_size, k=1, momentum=0.0, wd=0.0, drop_last=False, sched="constant"
):
    X, y, w0, b0, perms = problem(seed)
    schedule = SCHEDULES[sched]
    ours = train_linear_regression(
        X,
        y,
        w0=w0,
        b0=b0,
        lr=0.05,
        batch_size=batch_size,
        epochs=EPOCHS,
        permutations=perms,
        accumulation_steps=k,
        momentum=momentum,
        weight_decay=wd,
        lr_schedule=schedule,
        drop_last=drop_last,
    )
    losses, epoch_losses, lrs, w, b = torch_loop(
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
    assert_close(ours.step_losses, losses, "step_losses")
    assert_close(ours.epoch_losses, epoch_losses, "epoch_losses")
    assert_close(ours.lrs, lrs, "lrs")
    assert_close(ours.w, w, "w")
    assert_close(ours.b, b, "b")
    assert ours.n_updates == len(lrs)
    return ours


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    batch_size=st.integers(1, N),
    k=st.integers(1, 4),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    wd=st.sampled_from([0.0, 0.01]),
    drop_last=st.booleans(),
    sched=st.sampled_from(sorted(SCHEDULES)),
)
def test_matches_a_torch_loop_on_the_same_batches(
    seed, batch_size, k, momentum, wd, drop_last, sched
):
    check_against_torch(
        seed, batch_size=batch_size, k=k, momentum=momentum, wd=wd, drop_last=drop_last, sched=sched
    )


@pytest.mark.parametrize(("k", "drop_last"), [(2, False), (3, False), (2, True), (4, True)])
def test_accumulation_with_a_trailing_group_and_drop_last_matches_torch(k, drop_last) -> None:
    # N = 23, B = 5: 5 micro-batches (last of 3) or 4 with drop_last; none is a multiple of k
    # for every case here, so each epoch ends on a short group that still steps.
    ours = check_against_torch(7, batch_size=5, k=k, momentum=0.9, wd=0.01, drop_last=drop_last)
    micro = 4 if drop_last else 5
    assert ours.n_updates == EPOCHS * -(-micro // k)
    assert len(ours.step_losses) == EPOCHS * micro


def test_batch_gd_is_plain_gradient_descent_once_per_epoch() -> None:
    ours = check_against_torch(1, batch_size=N, momentum=0.0)
    X, y, w, b, _ = problem(1)
    for _ in range(EPOCHS):
        gw, gb = full_batch_gradient(X, y, w, b)
        w, b = w - 0.05 * gw, b - 0.05 * gb
    # one update per epoch: each step's loss is the previous epoch's full-data loss
    assert_close(ours.step_losses[1:], ours.epoch_losses[:-1], "step vs epoch losses", tol=1e-12)
    assert ours.n_updates == EPOCHS
    assert_close(ours.w, w, "w vs closed-form GD", tol=1e-12)
    assert np.all(np.diff(ours.epoch_losses) < 0)


def test_sgd_updates_once_per_sample() -> None:
    ours = check_against_torch(2, batch_size=1, momentum=0.9, wd=0.01, sched="time")
    assert ours.n_updates == EPOCHS * N == len(ours.step_losses)


def test_even_accumulation_follows_the_big_batch_trajectory() -> None:
    X, y, w0, b0, _ = problem(3, n=24)
    perms = [np.random.default_rng(e).permutation(24) for e in range(EPOCHS)]
    common = {"w0": w0, "b0": b0, "lr": 0.05, "epochs": EPOCHS, "permutations": perms}
    common |= {"momentum": 0.9, "weight_decay": 0.01}
    small = train_linear_regression(X, y, batch_size=4, accumulation_steps=3, **common)
    big = train_linear_regression(X, y, batch_size=12, **common)
    assert small.n_updates == big.n_updates == 2 * EPOCHS
    assert_close(small.w, big.w, "w", tol=1e-12)
    assert_close(small.epoch_losses, big.epoch_losses, "epoch_losses", tol=1e-12)


def test_inputs_untouched_and_results_read_only() -> None:
    X, y, w0, b0, perms = problem(4)
    before = [a.copy() for a in (X, y, w0, *perms)]
    ours = train_linear_regression(
        X, y, w0=w0, b0=b0, lr=0.1, batch_size=4, epochs=2, permutations=perms, momentum=0.9
    )
    assert all(np.array_equal(a, b) for a, b in zip(before, (X, y, w0, *perms), strict=True))
    with pytest.raises(ValueError, match="read-only"):
        ours.step_losses[0] = 0.0


def _bad_permutation() -> list:
    return [np.zeros(N, int)] * EPOCHS


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lr": -1.0}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": N + 1}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"epochs": 0}, "epochs"),
        ({"accumulation_steps": 0}, "accumulation_steps"),
        ({"momentum": -0.1}, "momentum"),
        ({"weight_decay": -1e-3}, "weight_decay"),
        ({"weight_decay": float("inf")}, "weight_decay"),
        ({"w0": np.zeros(5)}, "w0"),
        ({"w0": np.array([np.nan, 0.0, 0.0])}, "w0"),
        ({"b0": float("inf")}, "b0"),
        ({"b0": np.zeros(2)}, "b0"),
        ({"X": np.full((N, D), np.nan)}, "X"),
        ({"X": np.zeros(N)}, "X"),
        ({"y": np.zeros(N - 1)}, "y"),
        ({"permutations": _bad_permutation()}, "permutations"),
        ({"permutations": [np.arange(N, dtype=float)] * EPOCHS}, "permutations"),
        ({"epochs": EPOCHS + 1}, "permutations"),
        ({"lr_schedule": lambda t: -0.1}, "lr_schedule"),
        ({"lr_schedule": 0.1}, "lr_schedule"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict, name: str) -> None:
    X, y, w0, b0, perms = problem(2)
    args = {"X": X, "y": y, "w0": w0, "b0": b0, "lr": 0.1, "batch_size": 4}
    args |= {"epochs": EPOCHS, "permutations": perms}
    args |= kwargs
    with pytest.raises(ValueError, match=rf"^{re.escape(name)}\b"):
        train_linear_regression(args.pop("X"), args.pop("y"), **args)


def dataloader_loop(model, X, y, perms, *, batch_size, momentum, wd, drop_last):
    """DataLoader(TensorDataset, sampler=order) + torch.optim.SGD, the way a course writes it."""
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=momentum, weight_decay=wd)
    losses = []
    for perm in perms:
        loader = DataLoader(
            TensorDataset(X, y), batch_size=batch_size, sampler=perm.tolist(), drop_last=drop_last
        )
        for xb, yb in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return np.asarray(losses), model.state_dict()


@pytest.mark.parametrize(
    ("dtype", "batch_size", "momentum", "wd", "drop_last", "tol"),
    [
        (torch.float64, 16, 0.9, 0.0, False, 1e-12),
        (torch.float64, 7, 0.0, 0.01, True, 1e-12),
        (torch.float32, 32, 0.5, 0.001, False, 1e-6),
    ],
)
def test_torch_counterpart_matches_dataloader_and_sgd_on_iris(
    dtype, batch_size, momentum, wd, drop_last, tol
):
    X, y = iris_data(dtype)
    perms = [np.random.default_rng(e).permutation(len(X)) for e in range(3)]
    given_model = iris_mlp(0, dtype=dtype)
    untouched = {k: v.clone() for k, v in given_model.state_dict().items()}
    ours = train_torch_model(
        given_model,
        X,
        y,
        loss_fn=torch.nn.functional.cross_entropy,
        lr=0.05,
        batch_size=batch_size,
        epochs=3,
        permutations=perms,
        momentum=momentum,
        weight_decay=wd,
        seed=0,
        drop_last=drop_last,
    )
    losses, state = dataloader_loop(
        iris_mlp(0, dtype=dtype),
        X,
        y,
        perms,
        batch_size=batch_size,
        momentum=momentum,
        wd=wd,
        drop_last=drop_last,
    )
    assert_close(ours.step_losses, losses, "step_losses", tol=tol)
    for key, value in state.items():
        assert_close(ours.state[key].numpy(), value.numpy(), key, tol=tol)
    assert (
        ours.n_updates
        == len(losses)
        == 3 * (150 // batch_size + (not drop_last and 150 % batch_size > 0))
    )
    assert all(torch.equal(v, given_model.state_dict()[k]) for k, v in untouched.items())


def test_torch_counterpart_on_a_linear_model_equals_the_numpy_trainer() -> None:
    X, y, w0, b0, perms = problem(5)
    model = torch.nn.Linear(D, 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(w0).view(1, -1))
        model.bias.fill_(b0)
    ours = train_torch_model(
        model,
        torch.tensor(X),
        torch.tensor(y),
        loss_fn=lambda out, t: torch.nn.functional.mse_loss(out.squeeze(1), t),
        lr=0.05,
        batch_size=5,
        epochs=EPOCHS,
        permutations=perms,
        momentum=0.9,
        weight_decay=0.01,
        seed=0,
    )
    ref = train_linear_regression(
        X,
        y,
        w0=w0,
        b0=b0,
        lr=0.05,
        batch_size=5,
        epochs=EPOCHS,
        permutations=perms,
        momentum=0.9,
        weight_decay=0.01,
    )
    assert_close(ours.step_losses, ref.step_losses, "step_losses")
    assert_close(ours.epoch_losses, ref.epoch_losses, "epoch_losses")
    assert_close(ours.state["weight"].numpy().ravel(), ref.w, "w")
    assert np.all(np.isnan(ours.epoch_accuracy))


def test_iris_helpers_are_deterministic_and_leave_the_global_rng_alone() -> None:
    X, y = iris_data()
    assert X.shape == (150, 4) and X.dtype == torch.float32
    assert y.dtype == torch.long and sorted(set(y.tolist())) == [0, 1, 2]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = iris_mlp(7)
    assert torch.equal(torch.rand(3), expected)  # building a model left the global RNG alone
    b = iris_mlp(7, hidden=16)  # from a different global RNG state: the seed alone decides
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(iris_mlp(8)[0].weight, a[0].weight)
    ours = train_torch_model(
        lambda: iris_mlp(1),
        torch.tensor(standardize(X.numpy())[0], dtype=torch.float32),
        y,
        loss_fn=torch.nn.functional.cross_entropy,
        lr=0.1,
        batch_size=16,
        epochs=5,
        permutations=[np.random.default_rng(e).permutation(150) for e in range(5)],
        momentum=0.9,
        seed=0,
    )
    assert ours.epoch_accuracy[-1] > 0.9


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lr": -0.1}, "lr"),
        ({"batch_size": 151}, "batch_size"),
        ({"epochs": 0}, "epochs"),
        ({"momentum": -1.0}, "momentum"),
        ({"permutations": [np.zeros(150, int)]}, "permutations"),
    ],
)
def test_torch_counterpart_bad_arguments_name_the_argument(kwargs: dict, name: str) -> None:
    X, y = iris_data()
    args = {"loss_fn": torch.nn.functional.cross_entropy, "lr": 0.1, "batch_size": 16}
    args |= {"epochs": 1, "permutations": [np.arange(150)], "seed": 0} | kwargs
    with pytest.raises(ValueError, match=rf"^{re.escape(name)}\b"):
        train_torch_model(iris_mlp(0), X, y, **args)


def test_seed_drives_dropout_and_epoch_losses_are_taken_in_eval_mode() -> None:
    X, y = iris_data()
    X = torch.tensor(standardize(X.numpy())[0], dtype=torch.float32)

    def build() -> torch.nn.Module:
        return torch.nn.Sequential(
            torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(16, 3)
        )

    def run(seed: int):
        perms = [np.random.default_rng(e).permutation(150) for e in range(2)]
        return train_torch_model(
            build,
            X,
            y,
            loss_fn=torch.nn.functional.cross_entropy,
            lr=0.1,
            batch_size=30,
            epochs=2,
            permutations=perms,
            seed=seed,
        )

    a, b, c = run(0), run(0), run(1)
    assert np.array_equal(a.step_losses, b.step_losses)
    assert not np.array_equal(a.step_losses, c.step_losses)
    model = build()
    model.load_state_dict(a.state)
    with torch.no_grad():
        eval_loss = torch.nn.functional.cross_entropy(model.eval()(X), y).item()
    assert a.epoch_losses[-1] == pytest.approx(eval_loss, rel=1e-6)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_iris_is_the_data_scikit_learn_loads(dtype):
    from sklearn.datasets import load_iris

    shipped = load_iris()
    X, y = iris_data(dtype)
    assert X.dtype == dtype and y.dtype == torch.long
    assert torch.equal(X, torch.tensor(shipped.data, dtype=dtype))
    assert torch.equal(y, torch.tensor(shipped.target, dtype=torch.long))
