"""Checks of assignment 5, minibatch_in_action (Iris from scikit-learn's bundled copy)."""

from __future__ import annotations

from functools import cache

import numpy as np

from grader.evidence import Evidence, ProbeRequest
from grader.inside.probes import encode
from grader.judging import judges, registry
from grader.judging.builders import series_check, trainer_context, value_check
from grader.judging.check import Check, Verdict
from grader.judging.judges import SEQUENCE

A = "minibatch_in_action"
LOADER_CASES = [(150, 16, False), (150, 16, True), (150, 150, False), (150, 7, True)]
HYPER = {"lr": 0.05, "batch_size": 16, "epochs": 3, "seed": 3}
SORTED = {"lr": 0.05, "batch_size": 10, "epochs": 2, "seed": 3}
SWEEP = {"batch_sizes": [8, 32, 150], "epochs": 20, "lr": 0.05, "seed": 0}


@cache
def _iris():
    import torch

    from reference.torch_trainers import iris_data

    return iris_data(torch.float64)


def _orders(epochs: int, shuffled: bool) -> list[np.ndarray]:
    rng = np.random.default_rng(51)
    return [rng.permutation(150) if shuffled else np.arange(150) for _ in range(epochs)]


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
    check_id: str, name: str, points: float, hyper: dict, shuffled: bool, topics: tuple[str, ...]
) -> None:
    orders = _orders(hyper["epochs"], shuffled)
    X, y = _iris()
    series_check(
        check_id,
        name=name,
        points=points,
        target="train_iris",
        args=(X, y),
        kwargs={**hyper, "order": [o.tolist() for o in orders]},
        expected=lambda: _reference_losses(hyper, orders),
        accept=SEQUENCE,  # "returns the loss of every batch"
        what="loss",
        rtol=1e-6,
        atol=1e-9,
        topics=topics,
        context=trainer_context(150, hyper),
    )


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
)
_trainer(
    f"{A}.iris_trainer",
    "mini-batch SGD on Iris (shuffled order)",
    3,
    HYPER,
    True,
    ("iris_sweep", "loss_functions", "shuffling"),
)
_trainer(
    f"{A}.sorted_order", "Iris in sorted order (no shuffling)", 2, SORTED, False, ("shuffling",)
)

SWEEP_SLACK = 0.1
"""Accuracy may fall this far below the lowest of the reference's shuffled runs."""


@cache
def _sweep_bands() -> dict[int, float]:
    """Lowest reference accuracy per batch size over three shuffles, minus the slack."""
    import torch

    from reference.torch_trainers import iris_mlp, train_torch_model

    X, y = _iris()
    low = {}
    for b in SWEEP["batch_sizes"]:
        accs = []
        for s in range(3):
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
        low[b] = max(0.0, min(accs) - SWEEP_SLACK)
    return low


def _sweep_request() -> ProbeRequest:
    X, y = _iris()
    kwargs = {k: v for k, v in SWEEP.items() if k != "batch_sizes"}
    return ProbeRequest(
        check_id=f"{A}.sweep",
        probe="call",
        target="batch_size_sweep",
        inputs={"args": encode([X, y, SWEEP["batch_sizes"]]), "kwargs": kwargs},
    )


def _sweep_judge(req: ProbeRequest, ev: Evidence) -> Verdict:
    if not isinstance(ev.value, dict):
        return Verdict("failed", "batch_size_sweep should return {batch_size: accuracy}")
    got = {str(k): v for k, v in ev.value.items()}
    verdicts = []
    for b, low in _sweep_bands().items():
        value = got.get(str(b))
        verdicts.append(
            judges.band(
                value if isinstance(value, float) else float("nan"),
                low=low,
                high=1.0,
                what=f"accuracy at B={b}",
                hint="train every batch size from make_model(seed)",
            )
        )
    return judges.all_of(*verdicts)


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
