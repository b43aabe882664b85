"""The oracle registry agrees with reference/ and each wrong-answer oracle makes its mistake."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.quizzes import oracles
from reference import batching, descent, schedules

LR = st.sampled_from([0.05, 0.1, 0.25, 0.4, 0.5, 0.9, 1.2])
X0 = st.sampled_from([-6.0, -2.5, 1.0, 4.0])


@settings(max_examples=25, deadline=None)
@given(x0=X0, lr=LR, steps=st.integers(1, 4))
def test_quadratic_iterates_match_reference(x0: float, lr: float, steps: int) -> None:
    ref = descent.gd_trajectory(lambda x: 2 * x, x0, lr=lr, steps=steps)[1:]
    got = oracles.call("quadratic_gd_iterates", x0=x0, lr=lr, steps=steps)
    np.testing.assert_allclose(got, ref)
    wrong = oracles.call("quadratic_gd_iterates_no_factor_two", x0=x0, lr=lr, steps=steps)
    np.testing.assert_allclose(
        wrong, descent.gd_trajectory(lambda x: x, x0, lr=lr, steps=steps)[1:]
    )


def test_mini_exercise_from_the_notes() -> None:
    small = oracles.call("quadratic_gd_iterates", x0=-6, lr=0.5, steps=2)
    large = oracles.call("quadratic_gd_iterates", x0=-6, lr=1.2, steps=2)
    np.testing.assert_allclose(
        small, descent.gd_trajectory(lambda x: 2 * x, -6.0, lr=0.5, steps=2)[1:]
    )
    np.testing.assert_allclose(
        large, descent.gd_trajectory(lambda x: 2 * x, -6.0, lr=1.2, steps=2)[1:]
    )
    assert abs(large[1]) > abs(large[0]) > 6
    assert oracles.call("quadratic_gd_verdict", lr=0.5) == "converges"
    assert oracles.call("quadratic_gd_verdict", lr=1.2) == "diverges"
    assert oracles.call("quadratic_gd_verdict", lr=1.0) == "oscillates"
    assert descent.is_stable(0.5, 2.0) and not descent.is_stable(1.2, 2.0)


@settings(max_examples=25, deadline=None)
@given(w=st.floats(-3, 3), g=st.floats(-3, 3), lr=LR)
def test_update_and_its_sign_error(w: float, g: float, lr: float) -> None:
    right = oracles.call("gd_update", w=w, g=g, lr=lr)
    wrong = oracles.call("gd_update_sign_error", w=w, g=g, lr=lr)
    assert right + wrong == pytest.approx(2 * w)
    assert right - wrong == pytest.approx(-2 * lr * g, abs=1e-12)


def test_schedule_oracles_match_reference_and_off_by_one() -> None:
    for every, drops in [(5, 1), (10, 2), (20, 3)]:
        n = oracles.call("last_epoch_before_drop", every=every, drops=drops)
        notes = oracles.call("notes_step_decay_lr", lr0=0.1, drop=0.5, every=every, n=n)
        torch_ = oracles.call("torch_step_lr", lr0=0.1, drop=0.5, every=every, n=n)
        assert notes == schedules.step_decay(0.1, drop=0.5, every=every, n=n)
        assert torch_ == schedules.step_lr(0.1, step_size=every, gamma=0.5, n=n)
        assert notes == pytest.approx(torch_ * 0.5)  # the notes have dropped once more
    scaled = oracles.call("scaled_lr", base_lr=0.1, base_batch=32, new_batch=128)
    backwards = oracles.call("scaled_lr_backwards", base_lr=0.1, base_batch=32, new_batch=128)
    assert scaled == schedules.linear_scaling(0.1, base_batch=32, new_batch=128)
    assert scaled / backwards == pytest.approx(16)


def test_batching_oracles_match_reference() -> None:
    for n, b in [(1000, 32), (120, 16), (150, 50), (105, 4)]:
        for drop in (False, True):
            got = oracles.call("updates_per_epoch", n_samples=n, batch_size=b, drop_last=drop)
            assert got == batching.updates_per_epoch(n, b, drop_last=drop)
        kept = batching.batches(np.arange(n), b, drop_last=True)
        assert oracles.call("samples_dropped", n_samples=n, batch_size=b) == n - sum(map(len, kept))


def test_accumulation_weight_reads_the_reference() -> None:
    # N = 10 in micro-batches 4, 4, 2: the last two samples weigh 1 / (3 * 2), not 1 / 10
    last = oracles.call("accumulated_last_sample_weight", n_samples=10, micro_batch=4)
    full = oracles.call("big_batch_sample_weight", n_samples=10, micro_batch=4)
    sizes = [len(b) for b in batching.batches(np.arange(10), 4)]
    assert last == pytest.approx(1 / (len(sizes) * sizes[-1]))
    assert full == pytest.approx(1 / 10)
    assert oracles.call("accumulated_last_sample_weight", n_samples=12, micro_batch=4) == (
        pytest.approx(1 / 12)
    )


def test_every_registered_oracle_has_a_docstring_and_keyword_only_args() -> None:
    assert len(oracles.ORACLES) > 40
    for name, fn in oracles.ORACLES.items():
        assert fn.__doc__, name
        params = oracles.signature(name).parameters.values()
        assert all(p.kind is p.KEYWORD_ONLY for p in params), name
