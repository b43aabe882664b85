"""reference.optim.sgd_step against torch.optim.SGD in every option combination."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.optim import sgd_step

STEPS = 50
ATOL = 1e-12

# Every on/off combination of the five options; hypothesis picks the magnitudes.
COMBOS = list(itertools.product([False, True], repeat=5))


def _torch_rejects(o: dict) -> bool:
    return o["nesterov"] and (o["momentum"] <= 0 or o["dampening"] != 0)


@pytest.mark.parametrize(
    ("use_momentum", "use_dampening", "nesterov", "use_weight_decay", "maximize"), COMBOS
)
@settings(max_examples=6, deadline=None)
@given(
    lr=st.floats(1e-4, 0.5),
    momentum=st.floats(0.05, 0.99),
    dampening=st.floats(0.05, 0.9),
    weight_decay=st.floats(1e-4, 0.5),
    size=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_fifty_steps_match_torch_sgd(
    use_momentum: bool,
    use_dampening: bool,
    nesterov: bool,
    use_weight_decay: bool,
    maximize: bool,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    size: int,
    seed: int,
) -> None:
    o = {
        "lr": lr,
        "momentum": momentum if use_momentum else 0.0,
        "dampening": dampening if use_dampening else 0.0,
        "nesterov": nesterov,
        "weight_decay": weight_decay if use_weight_decay else 0.0,
        "maximize": maximize,
    }
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(STEPS, size))
    p0 = rng.normal(size=size)
    if _torch_rejects(o):
        with pytest.raises(ValueError) as ours:
            sgd_step(p0, grads[0], None, **o)
        with pytest.raises(ValueError) as theirs:
            torch.optim.SGD([torch.zeros(1)], **o)
        assert str(ours.value) == str(theirs.value)
        return
    param = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], **o)
    p, buf = p0, None
    for t, g in enumerate(grads):
        param.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        p, buf = sgd_step(p, g, buf, **o)
        gap = np.max(np.abs(p - param.detach().numpy()))
        assert gap <= ATOL, f"param differs from torch by {gap:.3g} at step {t + 1} with {o}"
        if o["momentum"]:
            theirs_buf = opt.state[param]["momentum_buffer"].numpy()
            assert np.max(np.abs(buf - theirs_buf)) <= ATOL, f"buffer differs at step {t + 1}"
        else:
            assert buf is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": -0.1},
        {"lr": 0.1, "momentum": -0.5},
        {"lr": 0.1, "weight_decay": -1e-3},
        {"lr": -0.1, "momentum": -0.5, "weight_decay": -1.0},
        {"lr": 0.1, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
    ],
)
def test_invalid_settings_are_worded_like_torch(kwargs: dict) -> None:
    with pytest.raises(ValueError) as ours:
        sgd_step(np.zeros(2), np.zeros(2), None, **kwargs)
    with pytest.raises(ValueError) as theirs:
        torch.optim.SGD([torch.zeros(1)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_first_buffer_is_the_gradient_itself_without_dampening() -> None:
    g = np.array([1.0, -2.0])
    _, buf = sgd_step(np.zeros(2), g, None, lr=0.1, momentum=0.9, dampening=0.5)
    assert np.array_equal(buf, g)
    _, buf2 = sgd_step(np.zeros(2), g, buf, lr=0.1, momentum=0.9, dampening=0.5)
    assert np.array_equal(buf2, 0.9 * g + 0.5 * g)
    assert sgd_step(np.zeros(2), g, None, lr=0.1)[1] is None


def test_inputs_are_not_modified() -> None:
    p, g, b = np.array([1.0, 2.0]), np.array([0.5, -0.5]), np.array([0.1, 0.2])
    before = [p.copy(), g.copy(), b.copy()]
    new_p, new_b = sgd_step(p, g, b, lr=0.1, momentum=0.9, weight_decay=0.1, maximize=True)
    _, first_b = sgd_step(p, g, None, lr=0.1, momentum=0.9)
    for arr, copy in zip([p, g, b], before, strict=True):
        assert np.array_equal(arr, copy)
    assert new_p is not p and new_b is not b and first_b is not g


@pytest.mark.parametrize(
    ("param", "grad", "buf", "name"),
    [
        (np.zeros(2), np.zeros(3), None, "grad"),
        (np.zeros(2), np.zeros(2), np.zeros(3), "buf"),
    ],
)
def test_mismatched_shapes_name_the_argument(param, grad, buf, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        sgd_step(param, grad, buf, lr=0.1, momentum=0.9)
