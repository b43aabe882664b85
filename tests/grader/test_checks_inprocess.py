"""Test-only checks (trainers from ``builders.trainer_check``, the course's builder; series
built from grader.judging.judges) run through
``grader.judging.check.run_in_process`` on namespaces made by exec'ing the fixtures in
``tests/files/trainers``: correct solutions in several styles pass without a diagnosis,
each mistake in the library is failed and named. The first line of every fixture states
what it expects ("full marks" or "diagnosis <mistake id>")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.evidence import Evidence, ProbeRequest
from grader.inside.probes import encode
from grader.judging import judges, registry
from grader.judging.builders import trainer_check
from grader.judging.check import Check, Verdict, run_in_process

TRAINERS = Path(__file__).parent.parent / "files" / "trainers"
N, D, SEED = 24, 2, 5


def problem(epochs: int) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(N, D))
    y = X @ np.array([1.5, -0.7]) + 0.3 + 0.2 * rng.normal(size=N)
    perms = [rng.permutation(N) for _ in range(epochs)]
    return {"X": X, "y": y, "w0": np.zeros(D), "b0": 0.0, "permutations": perms}


def reference_losses(inputs: dict[str, Any]) -> list[float]:
    from grader.judging.misconceptions.linreg_trainer import reference_losses as ref

    return ref(inputs).tolist()


def trainer(check_id: str, hyper: dict[str, Any], *, record: bool = False) -> Check:
    """A linear-regression trainer check on this file's data, built as the course builds its
    own (``builders.trainer_check``, the contract in grader.inside.probes)."""
    return trainer_check(
        check_id,
        name="trainer",
        points=4,
        target="train",
        hyper=hyper,
        record=record,
        problem=problem(hyper["epochs"]),
    )


def flat(value: Any) -> list[float]:
    if isinstance(value, list | tuple):
        return [x for v in value for x in flat(v)]
    return [float(value)]


def series(
    check_id: str,
    target: str,
    args: list,
    kwargs: dict,
    expected: list[float],
    family: str,
    family_inputs: dict,
    *,
    rtol: float = 1e-6,
) -> Check:
    """A check of a function returning numbers, flattened, against a reference series."""

    def request() -> ProbeRequest:
        inputs = {"args": encode(args), "kwargs": encode(kwargs)}
        return ProbeRequest(check_id=check_id, probe="call", target=target, inputs=inputs)

    def judge(req: ProbeRequest, ev: Evidence) -> Verdict:
        return judges.trajectory(
            flat(ev.value),
            expected,
            rtol=rtol,
            atol=1e-7,
            what="value",
            mistakes=(family, family_inputs),
        )

    return registry.register(
        Check(id=check_id, name=target, points=2, request=request, judge=judge)
    )


trainer("inproc.trainer", {"lr": 0.05, "batch_size": 5, "epochs": 3})
trainer(
    "inproc.momentum_wd",
    {"lr": 0.03, "batch_size": 8, "epochs": 3, "momentum": 0.9, "weight_decay": 0.1},
)
trainer("inproc.scaled", {"base_lr": 0.01, "base_batch": 4, "batch_size": 12, "epochs": 3})
trainer("inproc.accum", {"lr": 0.05, "batch_size": 4, "epochs": 3, "accumulation_steps": 3})
trainer(
    "inproc.accum_leftover", {"lr": 0.05, "batch_size": 4, "epochs": 3, "accumulation_steps": 4}
)
trainer("inproc.scaled_short", {"base_lr": 0.01, "base_batch": 4, "batch_size": 10, "epochs": 3})
trainer("inproc.record", {"lr": 0.05, "batch_size": 5, "epochs": 3}, record=True)

MOM = {
    "scales": [0.3, 3.0],
    "x0": [1.0, -2.0],
    "lr": 0.1,
    "momentum": 0.9,
    "dampening": 0.3,
    "steps": 15,
}
_mom_kw = {k: MOM[k] for k in ("lr", "momentum", "dampening", "steps")}
series(
    "inproc.momentum", "momentum_iterates", [MOM["scales"], MOM["x0"]], _mom_kw, [], "momentum", MOM
)
SCHED = {"lr0": 0.2, "drop": 0.5, "every": 3, "n": 10}


def _rates(rule: str) -> list[float]:
    from grader.judging.misconceptions.schedule import step_rates

    return step_rates(SCHED, rule).tolist()


_rng = np.random.default_rng(8)
ACC = {
    "X": _rng.normal(size=(11, 2)),
    "y": _rng.normal(size=11),
    "w": np.array([0.3, -0.4]),
    "b": 0.1,
    "micro_batches": [np.arange(0, 4), np.arange(4, 8), np.arange(8, 11)],
}
BN = {
    "gamma": np.array([1.2, 0.7]),
    "beta": np.array([0.0, 0.5]),
    "momentum": 0.2,
    "batches": [_rng.normal(1, 2, size=(5, 2)) for _ in range(3)],
}


def _register_series() -> None:
    from grader.judging.misconceptions import REFERENCES

    series(
        "inproc.momentum",
        "momentum_iterates",
        [MOM["scales"], MOM["x0"]],
        _mom_kw,
        REFERENCES["momentum"](MOM).tolist(),
        "momentum",
        MOM,
    )
    series(
        "inproc.steplr",
        "steplr_rates",
        [0.2, 0.5, 3, 10],
        {},
        _rates("steplr"),
        "schedule",
        {**SCHED, "convention": "steplr"},
    )
    series(
        "inproc.notes",
        "notes_rates",
        [0.2, 0.5, 3, 10],
        {},
        _rates("notes"),
        "schedule",
        {**SCHED, "convention": "notes"},
    )
    acc_args = [ACC["X"], ACC["y"], ACC["w"], ACC["b"], ACC["micro_batches"]]
    series(
        "inproc.accum_grad",
        "accumulated_gradient",
        acc_args,
        {},
        REFERENCES["accumulation"](ACC).tolist(),
        "accumulation",
        ACC,
    )
    bn_args = [BN["batches"], BN["gamma"], BN["beta"], BN["momentum"]]
    series(
        "inproc.bn",
        "bn_train",
        bn_args,
        {},
        REFERENCES["batchnorm"](BN).tolist(),
        "batchnorm",
        BN,
        rtol=1e-4,
    )


_register_series()

CASES = [
    ("correct_loop", "inproc.trainer"),
    ("correct_dataloader", "inproc.trainer"),
    ("correct_numpy", "inproc.trainer"),
    ("unusual_float32", "inproc.trainer"),
    ("correct_loop", "inproc.momentum_wd"),
    ("correct_dataloader", "inproc.momentum_wd"),
    ("correct_numpy", "inproc.momentum_wd"),
    ("correct_scaled", "inproc.scaled"),
    ("correct_accumulation", "inproc.accum"),
    ("correct_record_own_shuffle", "inproc.record"),
    ("correct_momentum", "inproc.momentum"),
    ("correct_schedules", "inproc.steplr"),
    ("correct_schedules", "inproc.notes"),
    ("correct_accumulate", "inproc.accum_grad"),
    ("correct_batchnorm", "inproc.bn"),
    ("unusual_batchnorm_float32", "inproc.bn"),
    ("mistake_no_zero_grad", "inproc.trainer"),
    ("mistake_no_shuffle", "inproc.trainer"),
    ("mistake_sum_not_mean", "inproc.trainer"),
    ("mistake_sign_error", "inproc.trainer"),
    ("mistake_lr_not_scaled", "inproc.scaled"),
    ("mistake_loss_not_divided_by_k", "inproc.accum"),
    ("mistake_weight_decay_after_momentum", "inproc.momentum_wd"),
    ("mistake_momentum_buffer_zero", "inproc.momentum"),
    ("mistake_step_decay_notes_formula", "inproc.steplr"),
    ("mistake_step_decay_steplr_formula", "inproc.notes"),
    ("mistake_uneven_last_micro_batch", "inproc.accum_grad"),
    ("mistake_accumulation_not_divided", "inproc.accum_grad"),
    ("mistake_bn_running_stats_in_training", "inproc.bn"),
    ("mistake_bn_biased_running_var", "inproc.bn"),
    ("mistake_loss_broadcast", "inproc.trainer"),
    ("mistake_step_once_per_epoch", "inproc.trainer"),
    ("mistake_weights_reset_each_epoch", "inproc.trainer"),
    ("mistake_momentum_nesterov", "inproc.momentum_wd"),
    ("mistake_momentum_ema", "inproc.momentum_wd"),
    ("mistake_weight_decay_notes_2lambda", "inproc.momentum_wd"),
    ("mistake_momentum_buffer_reset_each_epoch", "inproc.momentum_wd"),
    ("correct_accumulation", "inproc.accum_leftover"),
    ("correct_scaled", "inproc.scaled_short"),
    ("mistake_leftover_group_dropped", "inproc.accum_leftover"),
    ("mistake_lr_scaled_by_k", "inproc.accum"),
    ("mistake_short_batch_mean_by_b", "inproc.scaled_short"),
    ("mistake_loss_full_data", "inproc.trainer"),
    ("mistake_leftover_group_rescaled", "inproc.accum_leftover"),
    ("mistake_momentum_ema_first_gradient", "inproc.momentum_wd"),
    ("mistake_order_inverted", "inproc.trainer"),
    ("mistake_short_batch_gradient_by_b", "inproc.scaled_short"),
]


def expectation(name: str) -> tuple[bool, str | None]:
    header = (TRAINERS / f"{name}.py").read_text().splitlines()[0]
    mistake = header.split("diagnosis ")[1].split()[0] if "diagnosis " in header else None
    return "full marks" in header, mistake


def namespace(name: str) -> dict[str, Any]:
    ns: dict[str, Any] = {}
    exec(compile((TRAINERS / f"{name}.py").read_text(), f"{name}.py", "exec"), ns)
    return ns


@pytest.mark.parametrize(("name", "check_id"), CASES)
def test_fixture_gets_its_verdict_and_diagnosis(name: str, check_id: str) -> None:
    full, mistake = expectation(name)
    result = run_in_process(check_id, namespace(name))
    if full:
        assert result.status == "passed", result.feedback
        assert result.points == result.max_points and result.diagnosis is None
    else:
        assert result.status == "failed" and result.points == 0, result.feedback
        named = [result.diagnosis.mistake, *result.diagnosis.candidates]
        assert result.diagnosis is not None and mistake in named, (
            result.diagnosis,
            result.feedback,
        )
        assert result.diagnosis.fix
        assert "differs from the reference at step" in result.feedback or (
            "same order" in result.feedback
        )


def test_every_library_mistake_has_a_fixture_that_is_diagnosed() -> None:
    registry.load_builtin()
    import grader.judging.misconceptions  # noqa: F401  (registers the library)
    from tests.grader import test_families_gd, test_families_iris, test_families_norm

    covered = {expectation(name)[1] for name, _ in CASES} | test_families_gd.COVERED
    covered |= test_families_iris.COVERED | test_families_norm.covered()
    builtin = {
        m.id
        for m in registry.MISCONCEPTIONS.values()
        if m.__module__.startswith("grader.judging.misconceptions")
    }
    assert builtin <= covered, f"no fixture for {sorted(builtin - covered)}"


def test_trainer_plot_shows_student_reference_and_mistake() -> None:
    result = run_in_process("inproc.trainer", namespace("mistake_no_zero_grad"))
    assert set(result.plot.series) == {"student", "reference", "known mistake"}
    assert "exactly the values of a known mistake" in result.feedback


def test_diverging_trainer_is_reported_as_nan_not_a_crash() -> None:
    good = reference_losses({**problem(3), "lr": 0.05, "batch_size": 5, "epochs": 3})

    def train(X, y, w0, b0, *, order, **hyper):
        return [*good[:2], float("nan"), float("inf"), *good[4:]]

    result = run_in_process("inproc.trainer", {"train": train})
    assert result.status == "failed" and "diverged at step 2: loss_2 = nan" in result.feedback
    assert result.plot.series["student"] == good[:2]  # cut at the NaN: JSON-safe
    result.model_dump_json()


def test_missing_and_crashing_trainers_are_errors_with_student_frames() -> None:
    assert run_in_process("inproc.trainer", {}).status == "error"

    def train(X, y, w0, b0, **kw):
        return X[0] @ y  # shape error in the student's code

    result = run_in_process("inproc.trainer", {"train": train})
    assert result.status == "error" and "ValueError" in result.feedback
    assert "test_checks_inprocess.py" in result.feedback and "grader/probes.py" not in (
        result.feedback
    )


def test_own_shuffle_without_reshuffling_is_named_no_shuffle() -> None:
    code = (TRAINERS / "correct_record_own_shuffle.py").read_text()
    code = code.replace("shuffle=True", "shuffle=False")
    ns: dict[str, Any] = {}
    exec(compile(code, "unshuffled.py", "exec"), ns)
    result = run_in_process("inproc.record", ns)
    assert result.status == "failed" and result.diagnosis.mistake == "no_shuffle"


OWN_SHUFFLE = """
import torch
from torch.utils.data import DataLoader


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    g = torch.Generator().manual_seed(4)
    loader = LOADER
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = ((xb @ w + b - yb) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
"""
LOADERS = {
    "reshuffles": "DataLoader(X, batch_size=batch_size, shuffle=True, generator=g)",
    "one_shuffle_reused": (
        "DataLoader(X, batch_size=batch_size, sampler=torch.randperm(len(X), generator=g).tolist())"
    ),
    "never_shuffles": "DataLoader(X, batch_size=batch_size)",
}


def own_shuffle(loader: str) -> dict[str, Any]:
    ns: dict[str, Any] = {}
    exec(compile(OWN_SHUFFLE.replace("LOADER", LOADERS[loader]), f"{loader}.py", "exec"), ns)
    return ns


@pytest.mark.parametrize("check_id", ["fixture.trainer_record", "inproc.record"])
@pytest.mark.parametrize("loader", list(LOADERS))
def test_a_trainer_that_never_reshuffles_fails_the_record_check(loader, check_id) -> None:
    """``trainer_check(..., record=True)``: the student shuffles; reshuffling is required."""
    result = run_in_process(check_id, own_shuffle(loader))
    if loader == "reshuffles":
        assert result.status == "passed", result.feedback
        assert result.points == result.max_points and result.diagnosis is None
        return
    assert result.status == "failed" and result.points == 0, result.feedback
    assert "same order in every epoch" in result.feedback
    assert "never reshuffles" in result.feedback
    assert result.diagnosis is not None and result.diagnosis.mistake == "no_shuffle"
    assert "new order at the start of every epoch" in result.diagnosis.fix


def test_course_trainer_ignoring_the_given_order_is_named_no_shuffle() -> None:
    """The course's trainer checks hand the order over: reading 0..N-1 instead is named."""

    def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
        from reference.trainers import train_linear_regression

        kept = [np.arange(len(X))] * epochs
        return train_linear_regression(
            X, y, w0=w0, b0=b0, lr=lr, batch_size=batch_size, epochs=epochs, permutations=kept
        ).step_losses.tolist()

    def correct(X, y, w0, b0, *, lr, batch_size, epochs, order):
        from reference.trainers import train_linear_regression

        return train_linear_regression(
            X, y, w0=w0, b0=b0, lr=lr, batch_size=batch_size, epochs=epochs, permutations=order
        ).step_losses.tolist()

    assert run_in_process("gd_variants.minibatch", {"train": correct}).status == "passed"
    result = run_in_process("gd_variants.minibatch", {"train": train})
    assert result.status == "failed" and result.diagnosis.mistake == "no_shuffle", result
    assert "same order every epoch" in result.feedback
