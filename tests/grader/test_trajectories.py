"""Step-by-step comparison: where it differs, in the course's words a student can act on."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from grader.evidence import Evidence
from grader.judging.check import roundtrip
from grader.judging.trajectories import (
    EPOCH_HINT,
    LOSS_ATOL,
    LOSS_RTOL,
    compare,
    distance,
    losses_of,
)

REF = [1.0, 0.8, 0.6, 0.5, 0.45]


def test_matching_trajectory_passes_within_float32_precision():
    s = np.asarray(REF, dtype=np.float32).tolist()
    cmp = compare(s, REF, rtol=LOSS_RTOL, atol=LOSS_ATOL)
    assert cmp.matches and cmp.first_divergence is None and "all 5" in cmp.message


def test_divergence_names_the_step_and_values():
    cmp = compare([1.0, 0.8, 0.7, 0.6, 0.5], REF)
    assert not cmp.matches and cmp.first_divergence == 2
    assert cmp.message == "differs from the reference at step 2 (loss_2 = 0.7, reference 0.6)"
    assert (cmp.student_value, cmp.reference_value) == (0.7, 0.6)


def test_different_lengths_point_at_batching_when_told_to():
    cmp = compare([*REF, 0.44], REF, count_hint=EPOCH_HINT)
    assert not cmp.matches and cmp.first_divergence == 5
    assert "you returned 6 loss values, the reference 5" in cmp.message
    assert "drop_last" in cmp.message and "the first 5 agree" in cmp.message


def test_nan_is_named():
    cmp = compare([1.0, 0.8, math.nan, math.nan, math.nan], REF)
    assert (
        cmp.first_divergence == 2
        and cmp.message == "diverged at step 2: loss_2 = nan (reference 0.6)"
    )
    assert cmp.max_rel_error == math.inf


def test_an_identical_nan_is_not_a_divergence():
    assert compare([1.0, math.nan], [1.0, math.nan]).matches


# scale-free away from underflow: 3 * 1.001 * 2.2e-308 no longer rounds like 1.001 * 2.2e-308
finite = st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-200)


@given(st.lists(finite, min_size=1, max_size=30))
def test_distance_is_zero_to_itself_and_scale_free(xs):
    assert distance(xs, xs) == 0.0
    ys = [x * 1.001 for x in xs]
    assert distance([3 * y for y in ys], [3 * x for x in xs]) == distance(ys, xs) or math.isclose(
        distance([3 * y for y in ys], [3 * x for x in xs]), distance(ys, xs), rel_tol=1e-9
    )
    assert distance(ys, xs) <= 1.001e-3 + 1e-12


def test_distance_of_different_lengths_or_new_nans_is_infinite():
    assert distance([1.0], [1.0, 2.0]) == math.inf
    assert distance([1.0, math.nan], [1.0, 2.0]) == math.inf


def test_distance_does_not_blow_up_near_zero():
    ref = [1.0, -1.0, 1e-12]
    assert distance([1.0, -1.0, 1e-7], ref) < 1e-3  # a float32 rounding at a zero crossing


def test_losses_of_gives_every_loss_nan_and_inf_included():
    ev = roundtrip(Evidence(check_id="t", losses=[1.0, 0.8, math.nan, math.inf, -math.inf]))
    got = losses_of(ev)
    assert len(got) == 5 and got[:2] == [1.0, 0.8] and math.isnan(got[2])
    assert got[3:] == [math.inf, -math.inf]
    assert losses_of(Evidence(check_id="t")) is None
    cmp = compare(got, [1.0, 0.8, 0.6, 0.5, 0.45])
    assert cmp.first_divergence == 2 and "diverged at step 2: loss_2 = nan" in cmp.message


# the course's words (issue 15): one test per rule


def test_a_mismatch_differs_and_only_a_blow_up_diverges():
    ref = [-6.0, 8.4, -11.76]  # f(x) = x^2 at alpha 1.2: the reference itself grows
    assert compare([-6.0, 8.4, -11.0], ref, what="iterate").message == (
        "differs from the reference at step 2 (x_2 = -11, reference -11.76)"
    )
    assert compare([-6.0, 8.4, 3e12], ref, what="iterate").message == (
        "diverged at step 2: x_2 = 3e+12 (reference -11.76)"
    )
    assert "diverged" in compare([-6.0, 8.4, math.inf], ref, what="iterate").message


def test_steps_count_from_zero_like_the_plot_x0_being_the_start():
    cmp = compare([-6.0, 0.0, 1.0], [-6.0, 0.0, 0.0], what="iterate")
    assert cmp.first_divergence == 2 and "at step 2 (x_2 = 1," in cmp.message
    assert "at step 0 (x_0 = -5" in compare([-5.0, 0.0], [-6.0, 0.0], what="iterate").message


def test_two_d_iterates_are_counted_per_iterate():
    ref = [1.0, 0.0, 0.8, 0.0, 0.64, 0.0]  # x_0, x_1, x_2 in the plane
    cmp = compare([1.0, 0.0, 0.8, 0.0, 0.64, 0.1], ref, what="iterate", width=2)
    assert cmp.first_divergence == 2 and cmp.n_reference == 3
    assert (
        cmp.message
        == "differs from the reference at step 2 (x_2 = [0.64, 0.1], reference [0.64, 0])"
    )
    short = compare(ref[:4], ref, what="iterate", width=2)
    assert short.message.startswith("you returned 2 iterates, the reference 3 (x_0 to x_2)")
    assert compare(ref, ref, what="iterate", width=2).message == "all 3 iterates match"


def test_epoch_hint_only_where_there_are_epochs():
    iterates = compare([-6.0, 0.0, 0.0, 0.0], [-6.0, 0.0, 0.0], what="iterate")
    assert "ceil(N/B)" not in iterates.message and "epoch" not in iterates.message
    assert "steps + 1" in iterates.message
    assert "ceil(N/B)" not in compare([*REF, 0.4], REF).message


def test_values_are_printed_without_float_noise():
    cmp = compare([-6.0, 8.399999999999999, 1.0], [-6.0, 8.4, 0.0], what="iterate")
    assert "x_2 = 1, reference 0" in cmp.message
    assert "8.399999999999999" not in compare([8.399999999999999], [8.5]).message
