"""Trusted-side judges: messages a student can act on, diagnosis only when it fits."""

from __future__ import annotations

import numpy as np
import pytest

from grader.evidence import Evidence
from grader.judging import judges
from grader.judging.misconceptions.linreg_trainer import reference_losses, run

rng = np.random.default_rng(2)
INPUTS = {
    "X": rng.normal(size=(12, 2)),
    "y": rng.normal(size=12),
    "w0": np.zeros(2),
    "b0": 0.0,
    "lr": 0.1,
    "batch_size": 4,
    "epochs": 3,
    "permutations": [rng.permutation(12) for _ in range(3)],
}
REF = reference_losses(INPUTS).tolist()


def ev(**kw) -> Evidence:
    return Evidence(check_id="t", **kw)


@pytest.mark.parametrize(
    ("evidence", "expected", "words"),
    [
        (ev(value=[1.0, 2.0]), [1.0, 2.0, 3.0], "shape (2,), expected (3,)"),
        (ev(value=[1.0, None], meta={"finite": False}), [1.0, 2.0], "NaN or inf"),
        (ev(value=[1.0], meta={"requires_grad": True}), [1.0], ".detach()"),
        (ev(value=[1.0], meta={"device": "cuda:0"}), [1.0], ".cpu()"),
        (ev(value="hello", value_type="str"), 1.0, "got a str"),
        (ev(value=1.5), 1.0, "is 1.5; expected 1"),
    ],
)
def test_close_fails_with_a_reason(evidence, expected, words):
    verdict = judges.close(evidence, expected, what="the answer")
    assert verdict.status == "failed" and words in verdict.feedback


def test_close_accepts_plain_values_and_tolerances():
    assert judges.close(np.float32(0.1), 0.1, rtol=1e-6).status == "passed"
    assert judges.close([0.1 + 1e-3], [0.1], rtol=1e-6).status == "failed"


def test_trajectory_names_the_mistake_and_plots_three_curves():
    student = run(INPUTS, zero_grad=lambda grad: grad).tolist()  # zero_grad never called
    verdict = judges.trajectory(ev(losses=student), REF, mistakes=("linreg_trainer", INPUTS))
    assert verdict.status == "failed" and verdict.diagnosis.mistake == "no_zero_grad"
    assert "exactly the values of a known mistake: gradients accumulate" in verdict.feedback
    assert set(verdict.plot.series) == {"student", "reference", "known mistake"}


def test_trajectory_names_nothing_for_an_unknown_error():
    wobble = 1 + 0.01 * np.sin(np.arange(len(REF)))  # no exact relation either
    student = (np.asarray(REF) * wobble).tolist()
    verdict = judges.trajectory(ev(losses=student), REF, mistakes=("linreg_trainer", INPUTS))
    assert verdict.status == "failed" and verdict.diagnosis.mistake is None
    assert verdict.diagnosis.title == "matches none of the known mistakes"
    assert verdict.diagnosis.relation is None
    assert set(verdict.plot.series) == {"student", "reference"}


def test_trajectory_passes_a_float32_student_without_diagnosis():
    student = np.asarray(REF, dtype=np.float32).tolist()
    verdict = judges.trajectory(ev(losses=student), REF, mistakes=("linreg_trainer", INPUTS))
    assert verdict.status == "passed" and verdict.diagnosis is None


def _replay() -> judges.Replay:
    return judges.Replay(12, 3, lambda perms: reference_losses({**INPUTS, "permutations": perms}))


def test_replay_uses_the_batches_the_student_read():
    order = [rng.permutation(12) for _ in range(3)]
    batches = [p[i : i + 4].tolist() for p in order for i in range(0, 12, 4)]
    student = reference_losses({**INPUTS, "permutations": order}).tolist()
    verdict = judges.trajectory(ev(losses=student, batches=batches), None, replay=_replay())
    assert verdict.status == "passed", verdict.feedback


@pytest.mark.parametrize(
    ("batches", "words"),
    [
        ([[0, 1, 2, 3]] * 9, "read some samples twice"),
        ([[0, 1, 2, 3]], "read 4 samples"),
        ([list(range(12))] * 3, "same order in every epoch (0, 1, ..., N-1"),
        ([[3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 11, 10]] * 3, "same order in every epoch (one shuffle"),
        (
            [[3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 11, 10], list(range(12)), [0, *range(11, 0, -1)]],
            "N-1 in epoch 2",
        ),
        (None, "read 0 samples"),
    ],
)
def test_replay_rejects_orders_that_are_not_epochs(batches, words):
    verdict = judges.trajectory(ev(losses=REF, batches=batches), None, replay=_replay())
    assert verdict.status == "failed" and words in verdict.feedback


def test_not_reshuffling_is_named_no_shuffle_with_a_fix_for_own_shufflers():
    batches = [[3, 1, 4, 0, 5, 9, 2, 6, 8, 7, 11, 10]] * 3
    verdict = judges.trajectory(ev(losses=REF, batches=batches), None, replay=_replay())
    assert "never reshuffles" in verdict.feedback and verdict.diagnosis.mistake == "no_shuffle"
    assert "new order at the start of every epoch" in verdict.diagnosis.fix


def test_a_repeated_order_on_tiny_data_is_not_an_accusation():
    """4 samples, 2 epochs: a fair shuffle repeats its order 1 time in 24; replay it instead."""
    tiny = {**INPUTS, "X": INPUTS["X"][:4], "y": INPUTS["y"][:4], "epochs": 2}
    order = [np.array([2, 0, 3, 1])] * 2
    student = reference_losses({**tiny, "permutations": order}).tolist()
    replay = judges.Replay(4, 2, lambda perms: reference_losses({**tiny, "permutations": perms}))
    batches = [p[i : i + 4].tolist() for p in order for i in range(0, 4, 4)]
    verdict = judges.trajectory(ev(losses=student, batches=batches), None, replay=replay)
    assert verdict.status == "passed", verdict.feedback


def test_distribution_checks_counts_final_loss_and_noise():
    losses = [2.0, 1.0, 0.6, 0.5, 0.52, 0.48]
    ok = judges.distribution(
        ev(losses=losses),
        steps_per_epoch=3,
        epochs=2,
        final_band=(0.4, 0.6),
        noise_band=(0.0, 0.1),
    )
    assert ok.status == "passed", ok.feedback
    short = judges.distribution(
        ev(losses=losses[:5]), steps_per_epoch=3, epochs=2, final_band=(0.4, 0.6)
    )
    assert short.status == "failed" and "you made 5 updates" in short.feedback
    off = judges.distribution(
        ev(losses=losses), steps_per_epoch=3, epochs=2, final_band=(0.0, 0.1), noise_band=(0.0, 0.1)
    )
    assert off.status == "failed" and off.fraction == 0.5
    assert judges.band_from_runs([1.0, 2.0], slack=0.1) == pytest.approx((0.7, 2.3))
