"""Diagnosis beyond trainers (momentum, schedules, accumulation, BatchNorm), the rule that a
mistake is named only when it clearly fits, and the extension points."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.judging import misconceptions, registry
from grader.judging.builders import series_check
from grader.judging.check import run_in_process
from grader.judging.misconceptions import momentum, schedule

MOMENTUM = {
    "scales": [0.2, 4.0],
    "x0": [1.0, 1.0],
    "lr": 0.1,
    "momentum": 0.9,
    "dampening": 0.5,
    "steps": 20,
}
SCHEDULE = {"lr0": 0.1, "drop": 0.5, "every": 3, "n": 12}
rng = np.random.default_rng(3)
BN = {
    "gamma": np.array([1.5, 0.5]),
    "beta": np.array([0.1, -0.2]),
    "momentum": 0.1,
    "batches": [rng.normal(2, 3, size=(6, 2)) for _ in range(3)],
}
X = rng.normal(size=(10, 2))
Y = rng.normal(size=10)
ACCUM = {
    "X": X,
    "y": Y,
    "w": np.array([0.5, -1.0]),
    "b": 0.2,
    "micro_batches": [np.arange(0, 4), np.arange(4, 8), np.arange(8, 10)],
}


def _momentum_ref():
    from reference.descent import momentum_trajectory

    return momentum_trajectory(
        lambda x: np.asarray(MOMENTUM["scales"]) * x,
        MOMENTUM["x0"],
        lr=0.1,
        momentum=0.9,
        dampening=0.5,
        steps=20,
    ).ravel()


def _bn_ref():
    from reference.normalization import batch_norm

    rm, rv, out = np.zeros(2), np.ones(2), []
    for x in BN["batches"]:
        y, rm, rv = batch_norm(
            x, BN["gamma"], BN["beta"], running_mean=rm, running_var=rv, training=True, momentum=0.1
        )
        out += [y.ravel(), rm, rv]
    return np.concatenate(out)


def _accum_ref():
    from reference.accumulation import weighted_accumulated_gradient

    gw, gb = weighted_accumulated_gradient(
        X, Y, ACCUM["w"], 0.2, micro_batches=ACCUM["micro_batches"]
    )
    return np.append(gw, gb)


def _steplr_ref():
    from reference.schedules import step_lr

    return step_lr(0.1, step_size=3, gamma=0.5, n=np.arange(12))


def _notes_ref():
    from reference.schedules import step_decay

    return step_decay(0.1, drop=0.5, every=3, n=np.arange(12))


series_check(
    "fixture.momentum",
    name="momentum iterates",
    points=2,
    target="run",
    expected=_momentum_ref,
    family="momentum",
    family_inputs=MOMENTUM,
    what="iterate",
)
series_check(
    "fixture.steplr",
    name="StepLR rates",
    points=2,
    target="run",
    expected=_steplr_ref,
    family="schedule",
    family_inputs={**SCHEDULE, "convention": "steplr"},
    what="lr",
)
series_check(
    "fixture.notes_decay",
    name="notes' step decay",
    points=2,
    target="run",
    expected=_notes_ref,
    family="schedule",
    family_inputs={**SCHEDULE, "convention": "notes"},
    what="lr",
)
series_check(
    "fixture.bn",
    name="BatchNorm",
    points=2,
    target="run",
    expected=_bn_ref,
    family="batchnorm",
    family_inputs=BN,
    rtol=1e-8,
    atol=1e-10,
)
series_check(
    "fixture.accum",
    name="accumulated gradient",
    points=2,
    target="run",
    expected=_accum_ref,
    family="accumulation",
    family_inputs=ACCUM,
    rtol=1e-8,
    atol=1e-10,
)


def grade(check_id: str, fn) -> tuple[str, str | None]:
    result = run_in_process(check_id, {"run": fn})
    return result.status, result.diagnosis.mistake if result.diagnosis else None


@pytest.mark.parametrize(
    ("check_id", "fn", "mistake"),
    [
        (
            "fixture.momentum",
            lambda: momentum.run(MOMENTUM, start_buffer=momentum.zero_buffer),
            "momentum_buffer_zero",
        ),
        ("fixture.steplr", lambda: _notes_ref(), "step_decay_notes_formula"),
        ("fixture.notes_decay", lambda: _steplr_ref(), "step_decay_steplr_formula"),
        (
            "fixture.bn",
            lambda: registry.MISCONCEPTIONS["bn_running_stats_in_training"].simulate(BN),
            "bn_running_stats_in_training",
        ),
        (
            "fixture.bn",
            lambda: registry.MISCONCEPTIONS["bn_biased_running_var"].simulate(BN),
            "bn_biased_running_var",
        ),
        (
            "fixture.accum",
            lambda: registry.MISCONCEPTIONS["uneven_last_micro_batch"].simulate(ACCUM),
            "uneven_last_micro_batch",
        ),
        (
            "fixture.accum",
            lambda: registry.MISCONCEPTIONS["accumulation_not_divided"].simulate(ACCUM),
            "accumulation_not_divided",
        ),
    ],
)
def test_each_family_names_its_mistake(check_id: str, fn, mistake: str) -> None:
    assert grade(check_id, fn) == ("failed", mistake)


@pytest.mark.parametrize(
    ("check_id", "fn"),
    [
        ("fixture.momentum", _momentum_ref),
        ("fixture.steplr", _steplr_ref),
        ("fixture.bn", _bn_ref),
        ("fixture.accum", _accum_ref),
    ],
)
def test_correct_answers_pass_without_diagnosis(check_id: str, fn) -> None:
    assert grade(check_id, fn) == ("passed", None)


def test_wrong_but_unknown_answers_get_no_name() -> None:
    assert grade("fixture.steplr", lambda: _steplr_ref() * 1.3) == ("failed", None)
    assert grade("fixture.bn", lambda: _bn_ref() + 0.01) == ("failed", None)


def test_ambiguous_matches_are_not_named() -> None:
    # the notes' and StepLR's rules differ at every step
    both = {**SCHEDULE, "every": 1, "convention": "steplr"}
    ref = schedule.step_rates(both, "steplr")
    halfway = (ref + schedule.step_rates(both, "notes")) / 2
    diagnosis = misconceptions.diagnose(halfway, "schedule", both, ref)
    assert diagnosis.mistake is None


def test_library_has_at_least_ten_mistakes() -> None:
    builtin = [m for m in registry.MISCONCEPTIONS.values() if m.family != "custom"]
    assert len(builtin) >= 10
    assert all(m.title and m.fix for m in builtin)


def test_instructor_registers_a_mistake_and_it_is_diagnosed() -> None:
    registry.register_misconception(
        misconceptions.Mistake(
            "lr_doubled",
            "the learning rate is twice too large",
            "Halve it.",
            "schedule",
            lambda i: 2 * schedule.step_rates(i, "steplr"),
        )
    )
    try:
        assert grade("fixture.steplr", lambda: 2 * _steplr_ref()) == ("failed", "lr_doubled")
    finally:
        registry.MISCONCEPTIONS.pop("lr_doubled")


def test_a_course_checks_file_registers_checks(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "myown.py").write_text(
        textwrap.dedent("""
        from grader import value_check
        value_check("myown.double", name="doubling", points=1, target="double",
                    args=(21,), expected=lambda: 42)
    """)
    )
    registry.load_course(tmp_path)
    assert registry.get("myown.double").points == 1
    assert run_in_process("myown.double", {"double": lambda x: 2 * x}).status == "passed"
    assert run_in_process("myown.double", {"double": lambda x: x + 2}).status == "failed"


LINREG_CONFIGS = [
    {"lr": 0.05, "batch_size": 3, "epochs": 2},
    {"lr": 0.05, "batch_size": 4, "epochs": 2, "accumulation_steps": 2},
    {"lr": 0.02, "batch_size": 4, "epochs": 2, "momentum": 0.9, "weight_decay": 0.1},
    {"lr": 0.05, "batch_size": 4, "epochs": 2, "drop_last": True},
]


@pytest.mark.parametrize("hyper", LINREG_CONFIGS)
def test_linreg_simulator_without_bugs_is_the_reference(hyper) -> None:
    from grader.judging.misconceptions.linreg_trainer import reference_losses
    from reference.trainers import train_linear_regression

    inputs = {
        "X": X,
        "y": Y,
        "w0": np.zeros(2),
        "b0": 0.0,
        **hyper,
        "permutations": [rng.permutation(10) for _ in range(2)],
    }
    direct = train_linear_regression(
        inputs["X"], inputs["y"], **{k: v for k, v in inputs.items() if k not in ("X", "y")}
    ).step_losses
    assert np.array_equal(reference_losses(inputs), direct)
    for mistake in misconceptions.mistakes("linreg_trainer"):
        out = misconceptions.diagnose(reference_losses(inputs), "linreg_trainer", inputs)
        assert out.mistake is None, mistake.id  # the right answer is never a mistake


def test_diagnose_uses_the_family_reference_when_none_is_given() -> None:
    assert misconceptions.diagnose(_bn_ref(), "batchnorm", BN).mistake is None
    biased = registry.MISCONCEPTIONS["bn_biased_running_var"].simulate(BN)
    found = misconceptions.diagnose(biased, "batchnorm", BN)
    assert found.mistake == "bn_biased_running_var" and found.fix and found.distance == 0
    assert np.allclose(misconceptions.output_of(found), biased)


def test_an_entry_point_registers_a_mistake(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "my_mistakes.py").write_text(
        textwrap.dedent("""
        from grader import Mistake, register_mistake as register
        from grader.judging.misconceptions.schedule import step_rates
        register(Mistake("lr_tripled", "three times the rate", "Divide by 3.", "schedule",
                         lambda i: 3 * step_rates(i, "steplr")))
    """)
    )
    dist = tmp_path / "my_mistakes-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-mistakes\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[gdgrade.misconceptions]\nmine = my_mistakes\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_loaded", False)
    try:
        registry.load_builtin()
        assert grade("fixture.steplr", lambda: 3 * _steplr_ref()) == ("failed", "lr_tripled")
    finally:
        registry.MISCONCEPTIONS.pop("lr_tripled", None)


def test_a_course_checks_file_can_register_a_mistake(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "momentum_extra.py").write_text(
        textwrap.dedent("""
        from grader import Mistake, register_mistake as register
        from grader.judging.misconceptions.momentum import momentum_run
        register(Mistake("no_momentum", "momentum ignored", "Use the buffer.", "momentum",
                         lambda i: momentum_run({**i, "momentum": 0.0})))
    """)
    )
    registry.load_course(tmp_path)
    try:
        plain = momentum.momentum_run({**MOMENTUM, "momentum": 0.0})
        result = run_in_process("fixture.momentum", {"run": lambda: plain})
        assert result.status == "failed"
        # plain GD is also the built-in buffer made afresh every step: named together
        assert "no_momentum" in result.diagnosis.candidates, result.feedback
        assert "momentum ignored" in result.feedback
    finally:
        registry.MISCONCEPTIONS.pop("no_momentum", None)
