"""Checks of assignment 5, minibatch_in_action (Iris from scikit-learn's bundled copy)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from grader.evidence import Diagnosis, Evidence, ProbeRequest
from grader.inside.probes import encode
from grader.judging import judges, misconceptions, registry
from grader.judging.builders import series_check, trainer_context, value_check
from grader.judging.check import Check, Verdict
from grader.judging.judges import SEQUENCE
from grader.judging.misconceptions.iris import SWEEP_REUSE, SWEEP_SEEDED, encode_calls

A = "minibatch_in_action"
LOADER_CASES = [(150, 16, False), (150, 16, True), (150, 150, False), (150, 7, True)]
HYPER = {"lr": 0.05, "batch_size": 16, "epochs": 3, "seed": 3}
PUBLIC = {"lr": 0.05, "batch_size": 32, "epochs": 1, "seed": 1}
SORTED_B = 16
"""Does not divide 150: the last batch holds 6 samples."""
SWEEP = {"batch_sizes": [8, 32, 150], "epochs": 20, "lr": 0.05, "seed": 0}


@cache
def _iris():
    import torch

    from reference.torch_trainers import iris_data

    return iris_data(torch.float64)


def _orders(epochs: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.permutation(150) for _ in range(epochs)]


def _sizes():
    from reference.batching import batches

    return [[len(b) for b in batches(np.arange(n), bs, drop_last=d)] for n, bs, d in LOADER_CASES]


def _reference_losses(hyper: dict, orders: list[np.ndarray]) -> np.ndarray:
    import torch

    from reference.torch_trainers import iris_mlp, train_torch_model

    X, y = _iris()
    return train_torch_model(
        iris_mlp(hyper["seed"], dtype=torch.float64),
        X,
        y,
        loss_fn=torch.nn.functional.cross_entropy,
        lr=hyper["lr"],
        batch_size=hyper["batch_size"],
        epochs=hyper["epochs"],
        permutations=orders,
        seed=hyper["seed"],
    ).step_losses


def _trainer(
    check_id: str,
    name: str,
    points: float,
    hyper: dict,
    topics: tuple[str, ...],
    *,
    seed: int = 51,
    hidden: bool = True,
) -> None:
    orders = _orders(hyper["epochs"], seed)
    X, y = _iris()
    series_check(
        check_id,
        name=name,
        points=points,
        target="train_iris",
        args=(X, y),
        kwargs={**hyper, "order": orders},  # NumPy int64 arrays, as the text says
        expected=lambda: _reference_losses(hyper, orders),
        accept=SEQUENCE,  # "returns the loss of every batch"
        what="loss",
        rtol=1e-6,
        atol=1e-9,
        topics=topics,
        hidden=hidden,
        context=trainer_context(150, hyper),
        family="iris_trainer",
        family_inputs={"X": X, "y": y, **hyper, "orders": orders},
    )


def _named(verdict: Verdict, found: Any) -> Verdict:
    """The verdict with a named mistake's title in its message and as its diagnosis."""
    text = f"{verdict.feedback} ({misconceptions.named_text(found)})"
    return replace(verdict, feedback=text, diagnosis=found)


def _with_family(chk: Check, family: str, inputs: dict[str, Any]) -> Check:
    """The check, whose failures are diagnosed by ``family`` (its results per call, encoded
    by ``encode_calls``)."""

    def judge(req: ProbeRequest, ev: Evidence) -> Verdict:
        verdict = chk.judge(req, ev)
        if verdict.status != "failed":
            return verdict
        try:
            student = encode_calls([flatten_rows(r) for r in ev.value])
        except (TypeError, ValueError):
            return verdict
        found = misconceptions.diagnose(student, family, inputs)
        return _named(verdict, found) if found.mistake else verdict

    return registry.register(replace(chk, judge=judge))


def flatten_rows(value: Any) -> list[Any]:
    """One call's result as a list of rows (a 2-D array sent as ``{"__array__": ...}``)."""
    if isinstance(value, dict) and "__array__" in value:
        value = value["__array__"]
    if not isinstance(value, list | tuple):
        raise TypeError(f"not a list: {value!r}")
    return list(value)


_with_family(
    value_check(
        f"{A}.batch_sizes",
        name="batch sizes a DataLoader yields",
        points=2,
        target="loader_batch_sizes",
        calls=[(c, {}) for c in LOADER_CASES],
        expected=_sizes,
        exact=True,
        topics=("drop_last", "iris_sweep"),
        hidden=False,
    ),
    "loader_sizes",
    {"cases": LOADER_CASES},
)
_trainer(
    f"{A}.iris_trainer_public",
    "self-check: one epoch on Iris (B = 32, last batch of 22)",
    1,
    PUBLIC,
    ("iris_sweep", "loss_functions"),
    seed=50,
    hidden=False,
)
_trainer(
    f"{A}.iris_trainer",
    "mini-batch SGD on Iris (shuffled order)",
    3,
    HYPER,
    ("iris_sweep", "loss_functions", "shuffling"),
)


def _class_counts() -> list[list[list[int]]]:
    from reference.batching import batches

    _, y = _iris()
    labels = y.numpy()
    return [
        [np.bincount(labels[b], minlength=3).tolist() for b in batches(order, SORTED_B)]
        for order in (np.arange(150), _orders(1, 52)[0])
    ]


_with_family(
    value_check(
        f"{A}.sorted_order",
        name="class counts per batch, sorted and shuffled (B = 16, last batch of 6)",
        points=2,
        target="batch_class_counts",
        calls=[
            ((_iris()[1], SORTED_B, order), {}) for order in (np.arange(150), _orders(1, 52)[0])
        ],
        expected=_class_counts,
        exact=True,
        accept=SEQUENCE,  # "a list of [n0, n1, n2] lists (a 2-D integer array is fine too)"
        topics=("shuffling",),
    ),
    "class_counts",
    {
        "y": _iris()[1].numpy(),
        "batch_size": SORTED_B,
        "orders": [np.arange(150), _orders(1, 52)[0]],
    },
)

SWEEP_SLACK = 0.1
"""Accuracy may fall this far below the lowest, or rise this far above the highest, of the
reference's shuffled runs."""
SWEEP_RUNS = 8
"""Shuffles the reference is run with per batch size (at B = 8 one shuffle reaches 0.76,
another 0.99)."""


BANDS_FILE = Path(__file__).with_name("sweep_bands.json")
"""The bands computed once (they cost 24 reference trainings, seconds of CPU, per command),
kept with the key of everything they depend on; a key that differs recomputes them."""


def _bands_key() -> str:
    """What decides the bands: the reference trainer's code, the sweep's settings and the
    torch and NumPy versions."""
    import torch

    from reference import torch_trainers

    settings = json.dumps([SWEEP, SWEEP_RUNS, SWEEP_SLACK, torch.__version__, np.__version__])
    code = Path(torch_trainers.__file__).read_bytes()
    return hashlib.sha256(code + settings.encode()).hexdigest()


def compute_sweep_bands() -> dict[int, tuple[float, float]]:
    """Per batch size, [min, max] of the reference's accuracy over SWEEP_RUNS shuffles, widened
    by SWEEP_SLACK on both sides and kept within [0, 1]: a model reused across batch sizes
    reaches 0.98 at B = 150, where every fresh run reaches 0.69."""
    import torch

    from reference.torch_trainers import iris_mlp, train_torch_model

    X, y = _iris()
    bands = {}
    for b in SWEEP["batch_sizes"]:
        accs = []
        for s in range(SWEEP_RUNS):
            rng = np.random.default_rng(100 + s)
            run = train_torch_model(
                iris_mlp(SWEEP["seed"], dtype=torch.float64),
                X,
                y,
                loss_fn=torch.nn.functional.cross_entropy,
                lr=SWEEP["lr"],
                batch_size=b,
                epochs=SWEEP["epochs"],
                permutations=[rng.permutation(150) for _ in range(SWEEP["epochs"])],
                seed=SWEEP["seed"],
            )
            accs.append(run.epoch_accuracy[-1])
        bands[b] = (max(0.0, min(accs) - SWEEP_SLACK), min(1.0, max(accs) + SWEEP_SLACK))
    return bands


def write_sweep_bands() -> Path:
    """Compute the bands and store them with their key (run after changing what decides
    them: ``python -c 'from grader.course.minibatch_in_action import write_sweep_bands;
    write_sweep_bands()'``)."""
    bands = {str(b): list(band) for b, band in compute_sweep_bands().items()}
    BANDS_FILE.write_text(json.dumps({"key": _bands_key(), "bands": bands}, indent=1) + "\n")
    return BANDS_FILE


@cache
def _sweep_bands() -> dict[int, tuple[float, float]]:
    """The stored bands when their key is today's, else computed now."""
    stored = json.loads(BANDS_FILE.read_text()) if BANDS_FILE.is_file() else {}
    if stored.get("key") == _bands_key():
        return {int(b): (low, high) for b, (low, high) in stored["bands"].items()}
    return compute_sweep_bands()


SOLO = SWEEP["batch_sizes"][-1]
"""The full batch, also run alone after the sweep: full-batch training reads every row in
every step, so its accuracy does not depend on the shuffle, and a fresh model reaches the
same accuracy alone as in the sweep; a model carried over from the smaller batch sizes does
not."""


@registry.prepare
@cache
def _solo_accuracies() -> np.ndarray:
    """The reference's accuracy after each epoch at B = SOLO, a fresh model alone: one batch
    of every row per epoch, so the same for every shuffle."""
    import torch

    from reference.torch_trainers import iris_mlp, train_torch_model

    X, y = _iris()
    run = train_torch_model(
        iris_mlp(SWEEP["seed"], dtype=torch.float64),
        X,
        y,
        loss_fn=torch.nn.functional.cross_entropy,
        lr=SWEEP["lr"],
        batch_size=SOLO,
        epochs=SWEEP["epochs"],
        permutations=[np.arange(150)] * SWEEP["epochs"],
        seed=SWEEP["seed"],
    )
    return run.epoch_accuracy


def _solo_verdict(solo: float) -> Verdict:
    """The full-batch run alone is exact: every correct run reaches the reference's final
    accuracy. One update earlier is where a running accuracy of the last epoch (or one
    epoch too few) lands."""
    accs = _solo_accuracies()
    what = f"accuracy of batch_size_sweep(X, y, [{SOLO}]) (full batch, same for any shuffle)"
    if not np.isfinite(solo):
        return Verdict("failed", f"{what}: no accuracy for batch size {SOLO}")
    half = 0.5 / len(_iris()[1])
    if abs(solo - accs[-1]) <= half:
        return Verdict("passed", f"{what} = {solo:.4f} as the reference's")
    text = f"{what} = {solo:.4f}; the reference's after its last epoch is {accs[-1]:.4f}"
    if abs(solo - accs[-2]) <= half:
        text += (
            f". {solo:.4f} is the reference's accuracy one update earlier, after epoch "
            f"{len(accs) - 1}: the final accuracy is that of the trained model on all rows "
            "after the last epoch, not one counted batch by batch during the last epoch"
            " (nor one epoch too few: the values alone cannot tell which)"
        )
    return Verdict("failed", text)


def _sweep_request() -> ProbeRequest:
    X, y = _iris()
    kwargs = {k: v for k, v in SWEEP.items() if k != "batch_sizes"}
    calls = [[X, y, SWEEP["batch_sizes"]], [X, y, [SOLO]]]
    return ProbeRequest(
        check_id=f"{A}.sweep",
        probe="call",
        target="batch_size_sweep",
        inputs={"calls": [{"args": encode(args), "kwargs": kwargs} for args in calls]},
    )


def _sweep_inputs() -> dict[str, Any]:
    """The ``sweep`` family's inputs: the check's data and settings."""
    X, y = _iris()
    return {"X": X, "y": y, **SWEEP}


def _accuracy(result: Any, b: int) -> float:
    """The accuracy a sweep's result gives for batch size b (NaN when it gives none)."""
    got = {str(k): v for k, v in result.items()} if isinstance(result, dict) else {}
    value = got.get(str(b))
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if number else float("nan")


def _sweep_named(values: list[float], solo: float, verdict: Verdict) -> Verdict:
    """A mistake that explains the student's accuracies exactly: one of the ``sweep`` family's
    (a loader without shuffling, or the task's seeded shuffle with one part changed), or one
    model trained on through the sweep (the full batch reaches another accuracy after the
    smaller batch sizes than alone)."""
    # a sweep inside the bands is named only by a mistake that no shuffle can produce by chance
    # (the others are not even run: a correct sweep would pay seven sweeps of CPU)
    among = None
    if verdict.status != "failed":
        among = {m.id for m in misconceptions.mistakes("sweep")} - SWEEP_SEEDED
    found = misconceptions.diagnose(values, "sweep", _sweep_inputs(), among=among)
    named = {found.mistake, *found.candidates} if found.mistake else set()
    if named and (verdict.status == "failed" or not named & SWEEP_SEEDED):
        shown = ", ".join(
            f"B={b}: {v:.4f}" for b, v in zip(SWEEP["batch_sizes"], values, strict=True)
        )
        text = f"your accuracies: {shown}"
        feedback = f"{verdict.feedback}\n{text}" if verdict.status == "failed" else text
        return _named(Verdict("failed", feedback, fraction=0.0), found)
    if np.isfinite(solo) and abs(solo - values[-1]) > 0.5 / len(_iris()[1]):
        m = SWEEP_REUSE
        text = (
            f"at B={SOLO} your sweep reaches {values[-1]:.4f} after the smaller batch sizes "
            f"but {solo:.4f} when it is the only batch size: the model is carried over"
        )
        feedback = f"{verdict.feedback}\n{text}" if verdict.status == "failed" else text
        found = Diagnosis(mistake=m.id, title=m.title, fix=m.fix, concept=m.concept_id)
        return _named(Verdict("failed", feedback, fraction=0.0), found)
    return verdict


def _sweep_judge(req: ProbeRequest, ev: Evidence) -> Verdict:
    results = ev.value if isinstance(ev.value, list) and len(ev.value) == 2 else [None, None]
    if not isinstance(results[0], dict):
        return Verdict("failed", "batch_size_sweep should return {batch_size: accuracy}")
    verdicts, values = [], []
    for b, (low, high) in _sweep_bands().items():
        values.append(_accuracy(results[0], b))
        verdicts.append(
            judges.band(
                values[-1],
                low=low,
                high=high,
                what=f"accuracy at B={b}",
                above="higher than any fresh run of plain SGD reaches: train every batch size "
                "from a fresh make_model(seed) with torch.optim.SGD(lr=lr), no momentum",
                below="lower than any reference run reaches: the model learns less than the "
                "reference's",
                factors={"N": len(_iris()[1])},  # a count of correct samples
            )
        )
    solo = _accuracy(results[1], SOLO)
    verdicts.append(_solo_verdict(solo))
    verdict = judges.all_of(*verdicts)
    if not all(np.isfinite(values)):
        return verdict
    return _sweep_named(values, solo, verdict)


registry.register(
    Check(
        id=f"{A}.sweep",
        name="batch-size sweep on Iris",
        points=2,
        request=_sweep_request,
        judge=_sweep_judge,
        topics=("iris_sweep", "generalization"),
    )
)
