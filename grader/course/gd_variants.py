"""Checks of assignment 2, gd_variants."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np

from grader.evidence import Evidence, ProbeRequest
from grader.inside.probes import encode
from grader.judging import explain, judges, registry
from grader.judging.builders import linreg_problem, trainer_check, value_check, widened
from grader.judging.check import Check, Verdict
from grader.judging.explain import variance_relations
from grader.judging.timing import judge_ratio

COUNT_CASES = [
    (1000, 32, False),
    (1000, 32, True),
    (150, 16, False),
    (150, 150, False),
    (150, 1, False),
    (10, 3, True),
    (160, 32, True),  # B divides N: drop_last drops nothing
]


def _counts():
    from reference.batching import updates_per_epoch

    return [updates_per_epoch(n, b, drop_last=d) for n, b, d in COUNT_CASES]


value_check(
    "gd_variants.updates_per_epoch",
    name="updates per epoch",
    points=2,
    target="count_updates",
    calls=[(case, {}) for case in COUNT_CASES],
    expected=_counts,
    exact=True,
    family="count_updates",
    family_inputs={"calls": COUNT_CASES},
    topics=("gd_variants", "drop_last"),
    hidden=False,
)
trainer_check(
    "gd_variants.train_public",
    name="self-check: mini-batch GD on 10 samples (B = 4, last batch of 2)",
    points=1,
    target="train",
    hyper={"lr": 0.05, "batch_size": 4, "epochs": 2},
    seed=10,
    n=10,
    topics=("gd_variants", "shuffling"),
    hidden=False,
)
trainer_check(
    "gd_variants.minibatch",
    name="mini-batch GD (N = 44, B = 8: last batch of 4)",
    points=3,
    target="train",
    hyper={"lr": 0.05, "batch_size": 8, "epochs": 4},
    seed=11,
    n=44,
    topics=("gd_variants", "shuffling", "loss_functions"),
)
trainer_check(
    "gd_variants.batch_gd",
    name="batch GD (B = N)",
    points=2,
    target="train",
    hyper={"lr": 0.1, "batch_size": 40, "epochs": 6},
    seed=12,
    topics=("gd_variants",),
)
trainer_check(
    "gd_variants.sgd",
    name="SGD (B = 1)",
    points=2,
    target="train",
    hyper={"lr": 0.01, "batch_size": 1, "epochs": 2},
    seed=13,
    topics=("gd_variants",),
)

NOISE = linreg_problem(21, 40, 2, 1)
NOISE["X"] = NOISE["X"] * np.array([3.0, 0.5])  # columns of very different variance
NOISE_W, NOISE_B, TRIALS, SIZES = np.array([0.5, -0.5]), 0.1, 3000, (1, 4, 16)
"""N = 40 is small, so sampling without replacement shrinks the variance visibly
((N - B) / (N - 1) = 0.62 at B = 16); every column is judged on its own."""
REFERENCE_RUNS = 200
"""Reference runs (with replacement, other seeds) that the variance bands come from."""
BAND_WIDEN = 0.5
"""Each band is the reference runs' [min, max], widened by this share of its width."""


def _noise_request(check_id: str) -> ProbeRequest:
    calls = [
        {"args": encode([NOISE["X"], NOISE["y"], NOISE_W, NOISE_B, b, TRIALS, 5])} for b in SIZES
    ]
    return ProbeRequest(
        check_id=check_id, probe="call", target="minibatch_gradients", inputs={"calls": calls}
    )


def _per_sample():
    """Per-sample gradients of the MSE at (w, b): the population the batches sample from."""
    r = NOISE["X"] @ NOISE_W + NOISE_B - NOISE["y"]
    return np.column_stack([2 * NOISE["X"] * r[:, None], 2 * r])


def _estimates(ev: Evidence) -> list[np.ndarray] | Verdict:
    try:
        arrays = [np.asarray(v, dtype=float) for v in ev.value]
    except (TypeError, ValueError):
        return Verdict("failed", "minibatch_gradients should return a (trials, d + 1) array")
    if any(a.shape != (TRIALS, 3) for a in arrays):
        verdict = Verdict(
            "failed", f"expected arrays of shape ({TRIALS}, 3), got {[a.shape for a in arrays]}"
        )
        return judges.explained(verdict, _shape_relation({a.shape for a in arrays}))
    return arrays


def _shape_relation(shapes: set[tuple[int, ...]]) -> explain.Relation | None:
    """What one wrong shape shared by every call says: axes swapped, or one trial off."""
    if len(shapes) != 1:
        return None
    (shape,) = shapes
    if shape == (3, TRIALS):
        return explain.Relation(
            "transpose",
            f"your arrays have shape {shape}, the asked ({TRIALS}, 3) with its axes swapped",
            "return one row per trial and one column per parameter: shape (trials, d + 1)",
        )
    if len(shape) == 2 and shape[1] == 3 and abs(shape[0] - TRIALS) == 1:
        d = shape[0] - TRIALS
        return explain.Relation(
            f"offset:{d:+d}",
            f"your arrays have {shape[0]} rows where {TRIALS} trials were asked: one row too "
            + ("few" if d < 0 else "many"),
            "return one row per trial: draw exactly `trials` mini-batches "
            "(for _ in range(trials)) and keep every row",
        )
    return None


def _unbiased(req: ProbeRequest, ev: Evidence) -> Verdict:
    from reference.accumulation import full_batch_gradient

    arrays = _estimates(ev)
    if isinstance(arrays, Verdict):
        return arrays
    gw, gb = full_batch_gradient(NOISE["X"], NOISE["y"], NOISE_W, NOISE_B)
    full = np.append(gw, gb)
    sigma2 = _per_sample().var(axis=0)
    verdicts = []
    for size, est in zip(SIZES, arrays, strict=True):
        z = np.abs(est.mean(axis=0) - full) / np.sqrt(sigma2 / size / TRIALS)
        verdicts.append(
            judges.band(
                float(z.max()),
                low=0,
                high=5,
                what=f"B={size}: |mean - full gradient| in standard errors",
                hint="the average mini-batch gradient should be the full one",
            )
        )
    return judges.all_of(*verdicts)


COLUMNS = ("dL/dw_1", "dL/dw_2", "dL/db")


@registry.prepare
@cache
def _variance_bands() -> dict[int, list[tuple[float, float]]]:
    """Per batch size and column, the band of variance / (sigma^2 / B) over reference runs
    (indices drawn with replacement, as the text asks), widened by BAND_WIDEN."""
    per_sample, sigma2 = _per_sample(), _per_sample().var(axis=0)
    bands = {}
    for size in SIZES:
        ratios = []
        for run in range(REFERENCE_RUNS):
            idx = np.random.default_rng(1000 + run).integers(0, len(per_sample), (TRIALS, size))
            ratios.append(per_sample[idx].mean(axis=1).var(axis=0) / (sigma2 / size))
        bands[size] = [widened(col, BAND_WIDEN) for col in np.transpose(ratios)]
    return bands


def _variance(req: ProbeRequest, ev: Evidence) -> Verdict:
    arrays = _estimates(ev)
    if isinstance(arrays, Verdict):
        return arrays
    sigma2 = _per_sample().var(axis=0)
    verdicts = []
    for size, est in zip(SIZES, arrays, strict=True):
        scaled, bands = size * est.var(axis=0), _variance_bands()[size]
        ratios, swapped = scaled / sigma2, _columns_swapped(scaled, sigma2, bands)
        for j, (low, high) in enumerate(bands):
            others = {c: sigma2[k] / sigma2[j] for k, c in enumerate(COLUMNS) if k != j}
            verdicts.append(
                judges.band(
                    float(ratios[j]),
                    low=low,
                    high=high,
                    what=f"B={size}: variance of {COLUMNS[j]} / (sigma^2 / B)",
                    scaled=variance_relations(
                        size, len(NOISE["X"]), COLUMNS[j], others if swapped else None
                    ),
                )
            )
    return judges.all_of(*verdicts)


def _columns_swapped(
    variances: np.ndarray, sigma2: np.ndarray, bands: list[tuple[float, float]]
) -> bool:
    """Whether the columns' variances (times B) are the reference's in another column
    order: every column inside the band of the column it would be. A single column that
    happens to have another's variance is not a swap."""
    orders = itertools.permutations(range(len(sigma2)))
    next(orders)  # the first is the columns' own order
    return any(
        all(bands[k][0] <= variances[j] / sigma2[k] <= bands[k][1] for j, k in enumerate(order))
        for order in orders
    )


registry.register(
    Check(
        id="gd_variants.unbiased",
        name="mini-batch gradient is unbiased",
        points=2,
        request=lambda: _noise_request("gd_variants.unbiased"),
        judge=_unbiased,
        topics=("unbiased_gradient",),
    )
)
registry.register(
    Check(
        id="gd_variants.variance",
        name="gradient variance ~ sigma^2 / B",
        points=2,
        request=lambda: _noise_request("gd_variants.variance"),
        judge=_variance,
        topics=("gradient_variance",),
    )
)


def _timing_request() -> ProbeRequest:
    return ProbeRequest(
        check_id="gd_variants.time_per_epoch",
        probe="timing",
        target="epoch",
        inputs={"configs": {"B=1": {"batch_size": 1}, "B=256": {"batch_size": 256}}},
        options={"device": "cuda", "on_missing_gpu": "cpu", "repeats": 3, "warmup": 1},
    )


registry.register(
    Check(
        id="gd_variants.time_per_epoch",
        name="time per epoch: B = 1 vs B = N",
        points=2,
        request=_timing_request,
        judge=lambda req, ev: judge_ratio(ev, "B=1", "B=256", expect_at_least=10),
        topics=("time_per_epoch",),
    )
)


def _bytes():
    import torch

    return [torch.empty(b, f, dtype=torch.float32).nbytes for b, f in ((32, 10), (256, 784))]


value_check(
    "gd_variants.batch_memory",
    name="bytes of a float32 batch",
    points=1,
    target="batch_bytes",
    calls=[((32, 10), {}), ((256, 784), {})],
    expected=_bytes,
    exact=True,
    family="batch_bytes",
    family_inputs={"calls": [(32, 10), (256, 784)]},
    topics=("memory_batch_size",),
    hidden=False,
)
