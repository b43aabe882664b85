"""Checks of assignment 1, gd_basics; every expected value comes from ``reference``."""

from __future__ import annotations

import numpy as np

from grader.judging.builders import series_check, value_check
from grader.judging.explain import Context
from grader.judging.judges import ARRAY_LIKE, SEQUENCE
from grader.judging.misconceptions.basics import encode_bools, encode_stops


def _sgd(w, g, lr):
    from reference.optim import sgd_step

    return sgd_step(np.asarray(w, float), np.asarray(g, float), None, lr=lr)[0]


def _square(x0, lr, steps):
    from reference.descent import gd_trajectory

    return gd_trajectory(lambda x: 2 * x, x0, lr=lr, steps=steps)


def _stopping():
    from reference.descent import gd_until

    out = []
    for args in STOP_CASES:
        r = gd_until(
            lambda x: 2 * x,
            lambda x: float(x * x),
            args[0],
            lr=args[1],
            grad_tol=args[2],
            loss_tol=args[3],
            max_steps=args[4],
        )
        out.append([r.reason, r.steps])
    return out


def _stable():
    from reference.descent import is_stable

    return [is_stable(lr, lipschitz) for lr, lipschitz in STABLE_CASES]


def _saddle():
    from reference.descent import gd_trajectory

    return gd_trajectory(lambda p: np.array([2 * p[0], -2 * p[1]]), SADDLE_P0, lr=0.1, steps=20)


SADDLE_P0 = [1.0, 0.01]
"""Off the x axis, so that the y coordinate moves (a sign error in df/dy shows)."""


SCALES = np.array([0.2, 4.0])
MOMENTUM = {
    "scales": SCALES.tolist(),
    "x0": [1.0, 1.0],
    "lr": 0.4,
    "momentum": 0.5,
    "dampening": 0.3,  # not the momentum: (1 - momentum) * g in place of (1 - dampening) shows
    "steps": 15,
}


def _momentum(momentum, dampening, steps):
    from reference.descent import momentum_trajectory

    return momentum_trajectory(
        lambda x: SCALES * x,
        [1.0, 1.0],
        lr=0.4,
        momentum=momentum,
        dampening=dampening,
        steps=steps,
    )


def _plain_gd():
    from reference.descent import gd_trajectory

    return gd_trajectory(lambda x: SCALES * x, [1.0, 1.0], lr=0.4, steps=5)


MOMENTUM_ZERO = {**MOMENTUM, "momentum": 0.0, "dampening": 0.3, "steps": 5}
"""Momentum 0 with a dampening that is no simple factor (0.5 would halve every damped step,
which reads as a lost factor 2)."""


LRS = [0.0, 0.1, 0.5, 0.99, 1.0, 1.2, 2.5]
"""Both ends of 0 < lr < 2/L = 1 are in: lr = 0 and lr = 1 are not stable."""
STABLE_CASES = [(lr, 2.0) for lr in LRS] + [(0.6, 4.0), (1.5, 1.0)]
"""The text's L = 2, then two other L: a bound written for L = 2 alone gets both wrong."""
STOP_CASES = [
    (-6, 0.25, 1e-3, 0.0, 100),
    (-6, 0.1, 0.0, 1e-2, 500),
    (-6, 0.01, 0.0, 0.0, 5),
    (-6, 1.2, 0.0, 0.0, 10_000),
    (-6, 0.25, 12.0, 0.0, 100),  # |f'(-6)| = 12 = grad_tol: strict <, so one step is made
    (-6, 0.25, 0.0, 27.0, 100),  # the first loss change is 36 - 9 = 27 = loss_tol
    (-6, 0.5, 1e-3, 0.0, 1),  # x reaches 0 on the last step: rule 1 is not checked after it
    (-6, 0.25, 13.0, 0.0, 0),  # no step, so no rule: max_steps although |f'(-6)| < grad_tol
]
"""x0 is the integer -6, as the text writes it."""

value_check(
    "gd_basics.update_rule",
    name="update rule for one weight",
    points=1,
    target="update",
    args=(2.0, 0.5, 0.1),
    expected=lambda: _sgd(2.0, 0.5, 0.1),
    context=Context(base=[2.0]),  # the step starts at w
    family="update",
    family_inputs={"w": 2.0, "grad": 0.5, "lr": 0.1},
    topics=("update_rule", "negative_gradient"),
    hidden=False,
)
value_check(
    "gd_basics.update_rule_vector",
    name="update rule on arrays",
    points=1,
    target="update",
    args=(np.array([1.0, -2.0]), np.array([0.3, -4.0]), 0.25),
    expected=lambda: _sgd([1.0, -2.0], [0.3, -4.0], 0.25),
    accept=ARRAY_LIKE,  # the text says how w and grad come, not what the step returns
    context=Context(base=[1.0, -2.0]),
    family="update",
    family_inputs={"w": [1.0, -2.0], "grad": [0.3, -4.0], "lr": 0.25},
    topics=("update_rule",),
)
series_check(
    "gd_basics.exit_ticket",
    name="f(x)=x^2 from -6 at alpha 0.5",
    points=2,
    target="gd_iterates",
    args=(-6, 0.5, 2),
    expected=lambda: _square(-6, 0.5, 2),
    family="iterates",
    family_inputs={"x0": -6, "lr": 0.5, "steps": 2},
    accept=SEQUENCE,  # "a list or 1-D array of length steps + 1"
    what="iterate",
    topics=("stability", "update_rule"),
    hidden=False,
)
series_check(
    "gd_basics.exit_ticket_diverge",
    name="f(x)=x^2 from -6 at alpha 1.2",
    points=2,
    target="gd_iterates",
    args=(-6, 1.2, 10),  # an int, as the text says: an integer array cuts 8.4 to 8
    expected=lambda: _square(-6, 1.2, 10),
    family="iterates",
    family_inputs={"x0": -6, "lr": 1.2, "steps": 10},
    accept=SEQUENCE,
    what="iterate",
    topics=("stability",),
)
value_check(
    "gd_basics.stability_rule",
    name="stability rule 0 < alpha < 2/L",
    points=2,
    target="is_stable",
    calls=[(case, {}) for case in STABLE_CASES],
    expected=_stable,
    exact=True,
    family="stability",
    family_inputs={"calls": STABLE_CASES},
    as_numbers=encode_bools,
    topics=("stability",),
)
value_check(
    "gd_basics.stopping_rules",
    name="stopping rules",
    points=3,
    target="descend_until",
    calls=[(case, {}) for case in STOP_CASES],
    expected=_stopping,
    exact=True,
    family="stopping",
    family_inputs={"calls": STOP_CASES},
    as_numbers=encode_stops,
    topics=("stopping_rules",),
)
series_check(
    "gd_basics.saddle",
    name="GD near the saddle of x^2 - y^2",
    points=2,
    target="saddle_iterates",
    args=(SADDLE_P0, 0.1, 20),
    expected=_saddle,
    family="saddle",
    family_inputs={"p0": SADDLE_P0, "lr": 0.1, "steps": 20},
    what="iterate",
    topics=("plateaus_saddles",),
)
series_check(
    "gd_basics.momentum_zero_is_gd",
    name="momentum 0 is plain GD, whatever the dampening",
    points=1,
    target="momentum_iterates",
    args=([1.0, 1.0], 0.4, 0.0, 0.3, 5),  # the text: no buffer, so dampening plays no part
    expected=_plain_gd,
    family="momentum",
    family_inputs=MOMENTUM_ZERO,
    what="iterate",
    topics=("momentum",),
    hidden=False,
)
series_check(
    "gd_basics.momentum",
    name="momentum on 0.1 x1^2 + 2 x2^2",
    points=3,
    target="momentum_iterates",
    args=([1.0, 1.0], 0.4, 0.5, 0.3, 15),
    expected=lambda: _momentum(0.5, 0.3, 15),
    family="momentum",
    family_inputs=MOMENTUM,
    what="iterate",
    topics=("momentum",),
)
