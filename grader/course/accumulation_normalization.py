"""Checks of assignment 4, accumulation_normalization."""

from __future__ import annotations

import numpy as np

from grader.judging.builders import series_check, trainer_check
from grader.judging.explain import Context
from grader.judging.judges import ARRAY_LIKE

A = "accumulation_normalization"
rng = np.random.default_rng(41)
X, Y = rng.normal(size=(10, 2)), rng.normal(size=10)
W, B = np.array([0.5, -1.0]), 0.2
MICRO = [np.arange(0, 4), np.arange(4, 8), np.arange(8, 10)]
ACCUM = {"X": X, "y": Y, "w": W, "b": B, "micro_batches": MICRO}

BN_X = rng.normal(2.0, 3.0, size=(6, 3))
GAMMA, BETA = np.array([1.5, 0.5, 1.0]), np.array([0.1, -0.2, 0.0])
BN = {"gamma": GAMMA, "beta": BETA, "momentum": 0.1, "batches": [BN_X]}
EVAL_X, EVAL_MEAN, EVAL_VAR = (
    rng.normal(size=(4, 3)),
    np.array([1.0, -1.0, 0.5]),
    np.array([2.0, 0.5, 1.0]),
)
LN_X = rng.normal(size=(4, 6))  # batch sizes > 1: statistics pooled over the batch show
LN_GAMMA, LN_BETA = np.linspace(0.5, 1.5, 6), np.linspace(-0.3, 0.2, 6)  # a swap shows
GN_GAMMA, GN_BETA = np.linspace(0.5, 1.5, 6), np.linspace(-0.1, 0.1, 6)
GN_X = rng.normal(size=(3, 6, 4))
STD_TRAIN, STD_TEST = rng.normal(3, 2, size=(20, 3)), rng.normal(3, 2, size=(5, 3))
ONE_X = np.array([[2.0, -1.0, 0.5, 4.0]])
ONE_GAMMA, ONE_BETA = np.array([1.5, 0.5, 1.0, 2.0]), np.array([0.1, -0.2, 0.0, 0.3])


def _accumulated():
    from reference.accumulation import weighted_accumulated_gradient

    gw, gb = weighted_accumulated_gradient(X, Y, W, B, micro_batches=MICRO)
    return np.append(gw, gb)


def _bn_train():
    from reference.normalization import batch_norm

    return batch_norm(
        BN_X,
        GAMMA,
        BETA,
        running_mean=np.zeros(3),
        running_var=np.ones(3),
        training=True,
        momentum=0.1,
    )


def _bn_eval():
    from reference.normalization import batch_norm

    return batch_norm(
        EVAL_X, GAMMA, BETA, running_mean=EVAL_MEAN, running_var=EVAL_VAR, training=False
    )[0]


def _layer_norm():
    from reference.normalization import layer_norm

    return layer_norm(LN_X, LN_GAMMA, LN_BETA)


def _group_norm():
    from reference.normalization import group_norm

    return group_norm(GN_X, 3, GN_GAMMA, GN_BETA)


def _one_sample():
    """BatchNorm's training formula on one sample (torch and the oracle refuse the batch:
    x - mean is 0, so the output is beta) and LayerNorm over the row."""
    from reference.normalization import layer_norm

    bn = np.broadcast_to(ONE_BETA, ONE_X.shape).copy()
    return bn, layer_norm(ONE_X, ONE_GAMMA, ONE_BETA)


def _standardize():
    from reference.normalization import standardize

    z, mean, std = standardize(STD_TRAIN)
    return z, standardize(STD_TEST, mean=mean, std=std)[0]


TIGHT = {"rtol": 1e-8, "atol": 1e-10}
series_check(
    f"{A}.accumulated_gradient",
    name="accumulation equals the big batch",
    points=2,
    target="accumulated_gradient",
    args=(X, Y, W, B, MICRO),
    expected=_accumulated,
    accept=ARRAY_LIKE,  # "one vector [dL/dw_1, ..., dL/dw_d, dL/db]": not a tuple (dw, db)
    family="accumulation",
    family_inputs=ACCUM,
    what="gradient entry",
    parts=(("dL/dw", (2,)), ("dL/db", ())),
    context=Context(factors={"k": len(MICRO), "N": len(X)}),
    topics=("grad_accumulation",),
    hidden=False,
    **TIGHT,
)
trainer_check(
    f"{A}.accumulation_trainer_public",
    name="self-check: accumulation on 10 samples (B = 2, k = 2: a leftover micro-batch)",
    points=1,
    target="train_accumulated",
    n=10,
    seed=40,
    hyper={"lr": 0.05, "batch_size": 2, "epochs": 2, "accumulation_steps": 2},
    topics=("grad_accumulation",),
    hidden=False,
)
trainer_check(
    f"{A}.accumulation_trainer",
    name="trainer with gradient accumulation",
    points=3,
    target="train_accumulated",
    n=56,  # 14 micro-batches of 4 an epoch: groups of 3, 3, 3, 3 and a leftover of 2 that
    seed=42,  # steps at the end of every epoch (dropped or carried over, it shows)
    hyper={"lr": 0.03, "batch_size": 4, "epochs": 3, "accumulation_steps": 3},
    topics=("grad_accumulation",),
)
series_check(
    f"{A}.batchnorm_train",
    name="BatchNorm in training mode",
    points=3,
    target="batchnorm_train",
    args=(BN_X, GAMMA, BETA, np.zeros(3), np.ones(3)),
    expected=_bn_train,
    accept=ARRAY_LIKE,
    family="batchnorm",
    family_inputs=BN,
    what="output entry",
    parts=("y", "running_mean", "running_var"),
    context=Context(eps=1e-5),
    topics=("batchnorm",),
    **TIGHT,
)
series_check(
    f"{A}.batchnorm_eval",
    name="BatchNorm in eval mode",
    points=2,
    target="batchnorm_eval",
    args=(EVAL_X, GAMMA, BETA, EVAL_MEAN, EVAL_VAR),
    expected=_bn_eval,
    accept=ARRAY_LIKE,
    family="bn_eval",
    family_inputs={
        "x": EVAL_X,
        "gamma": GAMMA,
        "beta": BETA,
        "running_mean": EVAL_MEAN,
        "running_var": EVAL_VAR,
    },
    what="output entry",
    parts=("y",),
    context=Context(eps=1e-5),
    topics=("batchnorm",),
    **TIGHT,
)
series_check(
    f"{A}.one_sample",
    name="a batch of one sample: BatchNorm gives beta, LayerNorm normalises",
    points=1,
    target="one_sample_outputs",
    args=(ONE_X, ONE_GAMMA, ONE_BETA),
    expected=_one_sample,
    accept=ARRAY_LIKE,
    family="one_sample",
    family_inputs={"x": ONE_X, "gamma": ONE_GAMMA, "beta": ONE_BETA},
    what="output entry",
    parts=("bn_y", "ln_y"),
    context=Context(eps=1e-5),
    topics=("batchnorm", "layer_group_norm"),
    **TIGHT,
)
series_check(
    f"{A}.layer_norm",
    name="LayerNorm on a batch of 4",
    points=2,
    target="layer_norm",
    args=(LN_X, LN_GAMMA, LN_BETA),
    expected=_layer_norm,
    accept=ARRAY_LIKE,
    family="layer_norm",
    family_inputs={"x": LN_X, "gamma": LN_GAMMA, "beta": LN_BETA},
    what="output entry",
    parts=("y",),
    context=Context(eps=1e-5),
    topics=("layer_group_norm",),
    **TIGHT,
)
series_check(
    f"{A}.group_norm",
    name="GroupNorm on a batch of 3",
    points=2,
    target="group_norm",
    args=(GN_X, 3, GN_GAMMA, GN_BETA),
    expected=_group_norm,
    accept=ARRAY_LIKE,
    family="group_norm",
    family_inputs={"x": GN_X, "num_groups": 3, "gamma": GN_GAMMA, "beta": GN_BETA},
    what="output entry",
    parts=("y",),
    context=Context(eps=1e-5),
    topics=("layer_group_norm",),
    **TIGHT,
)
series_check(
    f"{A}.standardize",
    name="standardising with training statistics",
    points=1,
    target="standardize",
    args=(STD_TRAIN, STD_TEST),
    expected=_standardize,
    accept=ARRAY_LIKE,
    family="standardize",
    family_inputs={"X_train": STD_TRAIN, "X_test": STD_TEST},
    what="entry",
    parts=("Z_train", "Z_test"),
    topics=("batchnorm",),
    hidden=False,
    **TIGHT,
)
