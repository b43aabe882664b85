"""Checks of assignment 3, lr_rules."""

from __future__ import annotations

import numpy as np

from grader.evidence import Evidence, ProbeRequest
from grader.inside.probes import encode
from grader.judging import judges, registry, trajectories
from grader.judging.builders import linreg_problem, series_check, trainer_check, value_check
from grader.judging.check import Check, Verdict
from grader.judging.explain import Context
from grader.judging.judges import SEQUENCE

EPOCHS = 12
N = np.arange(EPOCHS)


def _rates(kind: str):
    from reference import schedules

    return {
        "time": lambda: schedules.time_based(0.1, decay=0.05, n=N),
        "notes": lambda: schedules.step_decay(0.1, drop=0.5, every=4, n=N),
        "steplr": lambda: schedules.step_lr(0.1, step_size=4, gamma=0.5, n=N),
        "exp": lambda: schedules.exponential(0.1, k=0.2, n=N),
        "warmup": lambda: schedules.linear_warmup(0.4, warmup_steps=5, n=N, start_factor=0.1),
    }[kind]()


STEP = {"lr0": 0.1, "drop": 0.5, "every": 4, "n": EPOCHS}

series_check(
    "lr_rules.time_based",
    name="time-based decay",
    points=2,
    target="time_based_lrs",
    args=(0.1, 0.05, EPOCHS),
    expected=lambda: _rates("time"),
    family="time_based",
    family_inputs={"lr0": 0.1, "decay": 0.05, "n": EPOCHS},
    accept=SEQUENCE,  # "returns the learning rate of epochs 0, 1, ... as a list"
    what="lr",
    topics=("lr_schedules",),
    hidden=False,
)
series_check(
    "lr_rules.step_decay_notes",
    name="the notes' step decay",
    points=2,
    target="step_decay_lrs",
    args=(0.1, 0.5, 4, EPOCHS),
    expected=lambda: _rates("notes"),
    family="schedule",
    family_inputs={**STEP, "convention": "notes"},
    accept=SEQUENCE,
    what="lr",
    topics=("lr_schedules",),
)
series_check(
    "lr_rules.step_lr",
    name="StepLR's step decay",
    points=2,
    target="steplr_lrs",
    args=(0.1, 4, 0.5, EPOCHS),
    expected=lambda: _rates("steplr"),
    family="schedule",
    family_inputs={**STEP, "convention": "steplr"},
    accept=SEQUENCE,
    what="lr",
    topics=("lr_schedules",),
)
series_check(
    "lr_rules.exponential",
    name="exponential decay",
    points=1,
    target="exponential_lrs",
    args=(0.1, 0.2, EPOCHS),
    expected=lambda: _rates("exp"),
    family="exponential",
    family_inputs={"lr0": 0.1, "k": 0.2, "n": EPOCHS},
    accept=SEQUENCE,
    what="lr",
    topics=("lr_schedules",),
)
SCALING = [(0.1, 32, 128), (0.1, 256, 64), (0.05, 64, 64)]


def _scaled():
    from reference.schedules import linear_scaling

    return [linear_scaling(b, base_batch=bb, new_batch=nb) for b, bb, nb in SCALING]


value_check(
    "lr_rules.linear_scaling",
    name="linear scaling rule",
    points=1,
    target="scale_lr",
    calls=[(case, {}) for case in SCALING],
    expected=_scaled,
    family="scaling",
    family_inputs={"calls": SCALING},
    topics=("linear_scaling",),
    hidden=False,
)
series_check(
    "lr_rules.warmup",
    name="linear warm-up",
    points=2,
    target="warmup_lrs",
    args=(0.4, 5, 0.1, EPOCHS),
    expected=lambda: _rates("warmup"),
    family="warmup",
    family_inputs={"lr0": 0.4, "warmup_steps": 5, "start_factor": 0.1, "n": EPOCHS},
    accept=SEQUENCE,
    what="lr",
    topics=("warmup",),
)

RANGE = linreg_problem(31, 64, 2, 1)
RANGE_HYPER = {"lr_start": 1e-3, "lr_end": 30.0, "batch_size": 5}
"""13 batches, the last of 4 (gamma counts it); the loss explodes at batch 12 (lr ~ 6), so
the test stops one batch before the end."""


RANGE_INPUTS = {**RANGE, "order": RANGE["permutations"], **RANGE_HYPER}
"""The ``range_lrs`` family's inputs: the check's data, order and hyper-parameters."""


def _range_request() -> ProbeRequest:
    inputs = {
        "X": encode(RANGE["X"]),
        "y": encode(RANGE["y"]),
        "w0": encode(RANGE["w0"]),
        "b0": 0.0,
        "order": [encode(RANGE["permutations"][0])],
        "hyper": RANGE_HYPER,
    }
    return ProbeRequest(
        check_id="lr_rules.range_test", probe="train", target="lr_range_test", inputs=inputs
    )


def _range_judge(req: ProbeRequest, ev: Evidence) -> Verdict:
    from reference.batching import updates_per_epoch
    from reference.schedules import range_test
    from reference.trainers import train_linear_regression

    n_batches = updates_per_epoch(64, RANGE_HYPER["batch_size"])
    start, end = RANGE_HYPER["lr_start"], RANGE_HYPER["lr_end"]
    rates = range_test(start, end, n_batches=n_batches, losses=[1.0])[0]
    ref = train_linear_regression(
        RANGE["X"],
        RANGE["y"],
        w0=RANGE["w0"],
        b0=0.0,
        lr=RANGE_HYPER["lr_start"],
        batch_size=RANGE_HYPER["batch_size"],
        epochs=1,
        permutations=RANGE["permutations"],
        lr_schedule=lambda step: rates[step],
    )
    kept = range_test(start, end, n_batches=n_batches, losses=ref.step_losses)[1]
    lrs = ev.lrs
    if lrs is None:
        return Verdict("failed", 'return a dict with keys "lrs" and "losses"')
    trainer = {  # the linreg_trainer family's inputs: one epoch at the test's rates
        **RANGE,
        "lr": start,
        "batch_size": RANGE_HYPER["batch_size"],
        "epochs": 1,
        "lrs": rates,
        "explode": 10.0,
    }
    # where the losses already differ, the test stops elsewhere because the training is
    # wrong: the count of rates then says nothing of the stopping rule
    same_losses = _same_start(trajectories.losses_of(ev), ref.step_losses[:kept])
    verdicts = [
        judges.trajectory(
            lrs,
            ref.lrs[:kept],
            rtol=1e-9,
            atol=1e-12,
            what="lr",
            title="range test lr",
            mistakes=("range_lrs", RANGE_INPUTS),
            among=None if same_losses else _rate_mistakes(),
        ),
        judges.trajectory(
            ev,
            ref.step_losses[:kept],
            title="range test loss",
            log_y=True,
            mistakes=("linreg_trainer", trainer),
            context=Context(factors={"B": RANGE_HYPER["batch_size"], "N": 64}),
        ),
    ]
    if not same_losses:
        verdicts[0] = judges.unexplained(verdicts[0])
    if _names(verdicts[0]):  # the rates name the mistake: a relation of the losses (stopped
        verdicts[1] = judges.unexplained(verdicts[1])  # one step early...) would add a cause
    elif _names(verdicts[1]):  # the losses name the mistake: they come first, and a relation
        verdicts = [verdicts[1], judges.unexplained(verdicts[0])]  # of the rates would add one
    return judges.all_of(*verdicts)


STOPPING_MISTAKES = {"range_exploding_batch_dropped", "range_never_stops"}
"""The range test's mistakes of where it stops: read from the reference's losses."""


def _rate_mistakes() -> set[str]:
    from grader.judging import misconceptions

    return {m.id for m in misconceptions.mistakes("range_lrs")} - STOPPING_MISTAKES


def _same_start(losses: list[float] | None, reference: list[float]) -> bool:
    """Whether the losses agree with the reference's as far as both go."""
    n = min(len(losses or []), len(reference))
    return n > 0 and trajectories.compare(losses[:n], reference[:n]).matches


def _names(verdict: Verdict) -> bool:
    """Whether a failed verdict names a library mistake."""
    return verdict.diagnosis is not None and bool(verdict.diagnosis.mistake)


registry.register(
    Check(
        id="lr_rules.range_test",
        name="learning-rate range test",
        points=2,
        request=_range_request,
        judge=_range_judge,
        topics=("lr_range_test",),
    )
)
trainer_check(
    "lr_rules.momentum_weight_decay",
    name="SGD with momentum and weight decay",
    points=3,
    target="train_sgd",
    hyper={"lr": 0.02, "batch_size": 8, "epochs": 3, "momentum": 0.9, "weight_decay": 0.05},
    seed=32,
    topics=("momentum", "weight_decay"),
)
trainer_check(
    "lr_rules.momentum_weight_decay_public",
    name="self-check: SGD with momentum and weight decay on 10 samples (B = 4)",
    points=1,
    target="train_sgd",
    hyper={"lr": 0.05, "batch_size": 4, "epochs": 2, "momentum": 0.9, "weight_decay": 0.1},
    seed=33,
    n=10,
    topics=("momentum", "weight_decay"),
    hidden=False,
)
