"""reference.descent: the exit-ticket example, stability, momentum vs torch, stopping rules."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import descent

SCALES = np.array([0.2, 4.0])  # gradient of the ill-conditioned 0.1 x1^2 + 2 x2^2


def square_grad(x: np.ndarray) -> np.ndarray:
    """Gradient of f(x) = x^2."""
    return 2 * x


def square(x: np.ndarray) -> float:
    return float(np.sum(x**2))


def gd_by_hand(x0: float, lr: float, steps: int) -> list[float]:
    """x_{t+1} = x_t - lr * 2 x_t, written out as a loop."""
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] - lr * 2 * xs[-1])
    return xs


def test_exit_ticket_lr_half_reaches_zero_in_one_step() -> None:
    xs = descent.gd_trajectory(square_grad, -6.0, lr=0.5, steps=5)
    assert xs.shape == (6,)
    assert np.array_equal(xs, gd_by_hand(-6.0, 0.5, 5))
    assert xs[0] == -6.0 and np.all(xs[1:] == 0.0)
    assert descent.is_stable(0.5, 2.0)


def test_exit_ticket_lr_one_point_two_diverges() -> None:
    xs = descent.gd_trajectory(square_grad, -6.0, lr=1.2, steps=30)
    assert np.array_equal(xs, gd_by_hand(-6.0, 1.2, 30))
    assert np.all(np.diff(np.abs(xs)) > 0)
    assert np.all(np.sign(xs[1:]) == -np.sign(xs[:-1]))  # it overshoots, flipping sign
    assert not descent.is_stable(1.2, 2.0)


def test_vector_start_gives_one_row_per_iterate() -> None:
    xs = descent.gd_trajectory(lambda x: SCALES * x, [1.0, 1.0], lr=0.4, steps=5)
    assert xs.shape == (6, 2)
    assert np.allclose(xs[-1], (1 - 0.4 * SCALES) ** 5, rtol=1e-14, atol=0)


def test_divergence_overflows_quietly_to_non_finite_values() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xs = descent.gd_trajectory(square_grad, 1.0, lr=10.0, steps=2000)
    assert not np.all(np.isfinite(xs))


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(0.01, 1.5), lip=st.floats(0.5, 4.0))
def test_stability_rule_matches_behaviour_on_a_quadratic(lr: float, lip: float) -> None:
    xs = descent.gd_trajectory(lambda x: lip * x, 1.0, lr=lr, steps=300)
    factor = abs(1 - lr * lip)
    if abs(factor - 1) > 1e-2:  # away from the boundary, 300 steps tell the two apart
        assert descent.is_stable(lr, lip) == (abs(xs[-1]) < 1e-1)


@settings(max_examples=40, deadline=None)
@given(
    lr=st.floats(0.01, 0.45),
    momentum=st.floats(0.0, 0.95),
    dampening=st.sampled_from([0.0, 0.2, 0.7]),
    nesterov=st.booleans(),
)
def test_momentum_matches_torch_on_ill_conditioned_quadratic(
    lr: float, momentum: float, dampening: float, nesterov: bool
) -> None:
    if nesterov:
        dampening, momentum = 0.0, max(momentum, 0.1)
    kw = {"lr": lr, "momentum": momentum, "dampening": dampening, "nesterov": nesterov}
    ours = descent.momentum_trajectory(lambda x: SCALES * x, [1.0, -2.0], steps=40, **kw)
    x = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], **kw)
    theirs = [x.detach().clone().numpy()]
    for _ in range(40):
        x.grad = torch.tensor(SCALES, dtype=torch.float64) * x.detach()
        opt.step()
        theirs.append(x.detach().clone().numpy())
    theirs = np.stack(theirs)
    assert ours.shape == (41, 2)
    # absolute 1e-12 while |x| <= 1, relative beyond (some of these runs diverge)
    assert np.all(np.abs(ours - theirs) <= 1e-12 * np.maximum(1.0, np.abs(theirs)))


def test_momentum_zero_is_plain_gd() -> None:
    plain = descent.gd_trajectory(lambda x: SCALES * x, [1.0, 1.0], lr=0.3, steps=20)
    heavy = descent.momentum_trajectory(
        lambda x: SCALES * x, [1.0, 1.0], lr=0.3, momentum=0.0, steps=20
    )
    assert np.array_equal(plain, heavy)


def test_gd_until_stops_on_the_gradient_rule() -> None:
    r = descent.gd_until(
        square_grad, square, -6.0, lr=0.25, grad_tol=1e-3, loss_tol=0, max_steps=100
    )
    assert r.reason == "grad_tol" and not r.diverged
    assert abs(2 * r.x) < 1e-3 <= abs(2 * r.iterates[-2])  # first iterate under the tolerance
    assert np.array_equal(r.iterates, gd_by_hand(-6.0, 0.25, r.steps))
    assert np.array_equal(r.losses, [square(x) for x in r.iterates])


def test_gd_until_stops_on_the_loss_rule() -> None:
    r = descent.gd_until(
        square_grad, square, -6.0, lr=0.1, grad_tol=0, loss_tol=1e-2, max_steps=500
    )
    changes = np.abs(np.diff(r.losses))
    assert r.reason == "loss_tol" and changes[-1] < 1e-2 and np.all(changes[:-1] >= 1e-2)


def test_gd_until_budget_and_early_gradient_stop() -> None:
    r = descent.gd_until(square_grad, square, -6.0, lr=0.01, grad_tol=0, loss_tol=0, max_steps=5)
    assert (r.reason, r.steps, r.iterates.shape, r.losses.shape) == ("max_steps", 5, (6,), (6,))
    r0 = descent.gd_until(square_grad, square, 0.0, lr=0.1, grad_tol=1e-8, loss_tol=0, max_steps=9)
    assert (r0.reason, r0.steps) == ("grad_tol", 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r0.reason = "max_steps"  # type: ignore[misc]


def test_gd_until_reports_divergence_past_the_bound() -> None:
    r = descent.gd_until(
        square_grad, square, -6.0, lr=1.2, grad_tol=0, loss_tol=0, max_steps=10_000
    )
    assert r.diverged and r.reason == "diverged"
    assert r.losses[-1] > descent.DIVERGENCE_BOUND >= r.losses[-2]
    assert r.steps == len(r.iterates) - 1 < 10_000
    bounded = descent.gd_until(
        square_grad, square, -6.0, lr=1.2, grad_tol=0, loss_tol=0, max_steps=5
    )
    assert bounded.reason == "max_steps" and not bounded.diverged


GOOD = {
    descent.gd_trajectory: {"grad": square_grad, "x0": 1.0, "lr": 0.1, "steps": 3},
    descent.momentum_trajectory: {
        "grad": square_grad, "x0": 1.0, "lr": 0.1, "momentum": 0.9, "steps": 3,
    },
    descent.gd_until: {
        "grad": square_grad, "f": square, "x0": 1.0, "lr": 0.1, "grad_tol": 0.0,
        "loss_tol": 0.0, "max_steps": 3,
    },
    descent.is_stable: {"lr": 0.1, "lipschitz": 2.0},
}  # fmt: skip


@pytest.mark.parametrize(
    ("fn", "bad", "name"),
    [
        (descent.gd_trajectory, {"lr": -0.1}, "lr"),
        (descent.gd_trajectory, {"steps": -1}, "steps"),
        (descent.gd_trajectory, {"steps": 2.5}, "steps"),
        (descent.gd_trajectory, {"x0": np.nan}, "x0"),
        (descent.gd_trajectory, {"x0": [np.inf, 0.0]}, "x0"),
        (descent.gd_trajectory, {"x0": np.eye(2)}, "x0"),
        (descent.gd_trajectory, {"grad": lambda x: np.ones(3)}, "grad"),
        (descent.momentum_trajectory, {"lr": -1.0}, "lr"),
        (descent.momentum_trajectory, {"momentum": -0.5}, "momentum"),
        (descent.momentum_trajectory, {"dampening": np.inf}, "dampening"),
        (descent.momentum_trajectory, {"nesterov": True, "dampening": 0.5}, "Nesterov"),
        (descent.momentum_trajectory, {"steps": 0, "nesterov": True, "momentum": 0}, "Nesterov"),
        (descent.gd_until, {"lr": -0.1}, "lr"),
        (descent.gd_until, {"grad_tol": -1.0}, "grad_tol"),
        (descent.gd_until, {"loss_tol": np.nan}, "loss_tol"),
        (descent.gd_until, {"max_steps": -2}, "max_steps"),
        (descent.gd_until, {"x0": [1.0, np.nan]}, "x0"),
        (descent.gd_until, {"grad": lambda x: np.ones(2)}, "grad"),
        (descent.is_stable, {"lipschitz": 0.0}, "lipschitz"),
        (descent.is_stable, {"lr": -0.1}, "lr"),
    ],
)
def test_bad_arguments_name_the_argument(fn, bad: dict, name: str) -> None:
    fn(**GOOD[fn])  # the defaults are fine, so the override is what fails
    with pytest.raises(ValueError, match=name):
        fn(**(GOOD[fn] | bad))
