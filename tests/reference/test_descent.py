"""reference.descent: the exit-ticket example, stability, momentum vs torch, stopping rules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import descent


def square_grad(x: np.ndarray) -> np.ndarray:
    return 2 * x


def test_exit_ticket_converges_at_half_and_diverges_at_one_point_two() -> None:
    for lr in (0.5, 1.2):
        xs = descent.gd_trajectory(square_grad, -6.0, lr=lr, steps=2)
        expected = [-6.0]
        for _ in range(2):
            expected.append(expected[-1] - lr * 2 * expected[-1])
        assert xs.shape == (3,)
        assert np.allclose(xs, expected, rtol=0, atol=0)
    assert descent.is_stable(0.5, 2.0) and not descent.is_stable(1.2, 2.0)
    big = descent.gd_trajectory(square_grad, -6.0, lr=1.2, steps=20)
    assert np.all(np.diff(np.abs(big)) > 0)


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(0.01, 1.2), lip=st.floats(0.5, 4.0))
def test_stability_rule_matches_behaviour_on_a_quadratic(lr: float, lip: float) -> None:
    xs = descent.gd_trajectory(lambda x: lip * x, 1.0, lr=lr, steps=200)
    factor = abs(1 - lr * lip)
    if abs(factor - 1) > 1e-3:
        assert descent.is_stable(lr, lip) == (abs(xs[-1]) < 1.0)


@settings(max_examples=40, deadline=None)
@given(
    lr=st.floats(0.01, 0.3),
    momentum=st.sampled_from([0.3, 0.9]),
    dampening=st.sampled_from([0.0, 0.2]),
    nesterov=st.booleans(),
)
def test_momentum_matches_torch_on_ill_conditioned_quadratic(
    lr: float, momentum: float, dampening: float, nesterov: bool
) -> None:
    if nesterov and dampening:
        dampening = 0.0
    scales = np.array([0.2, 4.0])  # gradient of 0.1 x1^2 + 2 x2^2

    def grad(x: np.ndarray) -> np.ndarray:
        return scales * x

    ours = descent.momentum_trajectory(
        grad,
        [1.0, 1.0],
        lr=lr,
        momentum=momentum,
        steps=30,
        dampening=dampening,
        nesterov=nesterov,
    )
    x = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov)
    theirs = [x.detach().clone().numpy()]
    for _ in range(30):
        x.grad = torch.tensor(scales, dtype=torch.float64) * x.detach()
        opt.step()
        theirs.append(x.detach().clone().numpy())
    assert ours.shape == (31, 2)
    assert np.max(np.abs(ours - np.stack(theirs))) <= 1e-12


def test_gd_until_names_the_rule_that_stopped_it() -> None:
    f = lambda x: float(np.sum(x**2))  # noqa: E731
    grad_stop = descent.gd_until(
        square_grad, f, -6.0, lr=0.25, grad_tol=1e-3, loss_tol=0, max_steps=100
    )
    assert grad_stop.reason == "grad_tol" and abs(grad_stop.x) * 2 < 1e-3
    loss_stop = descent.gd_until(
        square_grad, f, -6.0, lr=0.1, grad_tol=0, loss_tol=1e-2, max_steps=500
    )
    assert loss_stop.reason == "loss_tol"
    assert abs(loss_stop.losses[-1] - loss_stop.losses[-2]) < 1e-2
    budget = descent.gd_until(square_grad, f, -6.0, lr=0.01, grad_tol=0, loss_tol=0, max_steps=5)
    assert budget.reason == "max_steps" and budget.steps == 5 and len(budget.iterates) == 6
    blowup = descent.gd_until(
        square_grad, f, -6.0, lr=1.2, grad_tol=0, loss_tol=0, max_steps=10_000
    )
    assert blowup.diverged and blowup.reason == "diverged"


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"lr": -0.1, "steps": 3}, "lr"), ({"lr": 0.1, "steps": -1}, "steps")],
)
def test_bad_arguments_name_the_argument(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        descent.gd_trajectory(square_grad, 1.0, **kwargs)


def test_non_finite_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="x0"):
        descent.gd_trajectory(square_grad, float("nan"), lr=0.1, steps=2)
