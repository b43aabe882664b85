"""reference.optim.sgd_step against torch.optim.SGD in every option combination."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.optim import sgd_step

options = st.fixed_dictionaries(
    {
        "lr": st.floats(1e-4, 0.5),
        "momentum": st.sampled_from([0.0, 0.5, 0.9]),
        "dampening": st.sampled_from([0.0, 0.3]),
        "nesterov": st.booleans(),
        "weight_decay": st.sampled_from([0.0, 1e-3, 0.1]),
        "maximize": st.booleans(),
    }
)


def _valid(o: dict) -> bool:
    return not (o["nesterov"] and (o["momentum"] <= 0 or o["dampening"] != 0))


@settings(max_examples=60, deadline=None)
@given(o=options, seed=st.integers(0, 2**31 - 1))
def test_fifty_steps_match_torch_sgd(o: dict, seed: int) -> None:
    rng = np.random.default_rng(seed)
    grads = rng.normal(size=(50, 5))
    p0 = rng.normal(size=5)
    if not _valid(o):
        with pytest.raises(ValueError) as ours:
            sgd_step(p0, grads[0], None, **o)
        with pytest.raises(ValueError) as theirs:
            torch.optim.SGD([torch.zeros(1)], **o)
        assert str(ours.value) == str(theirs.value)
        return
    param = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], **o)
    p, buf = p0, None
    for g in grads:
        param.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        p, buf = sgd_step(p, g, buf, **o)
    assert np.max(np.abs(p - param.detach().numpy())) <= 1e-12


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lr": -0.1}, "learning rate"),
        ({"lr": 0.1, "momentum": -1}, "momentum"),
        ({"lr": 0.1, "weight_decay": -1}, "weight_decay"),
    ],
)
def test_invalid_settings_are_worded_like_torch(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name) as ours:
        sgd_step(np.zeros(2), np.zeros(2), None, **kwargs)
    with pytest.raises(ValueError) as theirs:
        torch.optim.SGD([torch.zeros(1)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_buffer_starts_as_the_gradient_and_stays_none_without_momentum() -> None:
    g = np.array([1.0, -2.0])
    _, buf = sgd_step(np.zeros(2), g, None, lr=0.1, momentum=0.9, dampening=0.5)
    assert np.array_equal(buf, g)
    assert sgd_step(np.zeros(2), g, None, lr=0.1)[1] is None


def test_mismatched_shapes_name_grad() -> None:
    with pytest.raises(ValueError, match="grad"):
        sgd_step(np.zeros(2), np.zeros(3), None, lr=0.1)
