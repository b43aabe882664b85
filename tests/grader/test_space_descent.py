"""The families of gd_basics' outputs and momentum built from ``reference.descent`` (``update``,
``iterates``, ``saddle``, ``stability``, ``stopping``, ``momentum``).

Each family's ``run`` with every part at its default is the oracle each of gd_basics' checks
compares with. Each mistake added for issue 26 is written here as a student writes it (plain
code, not through the family), graded by the course's real check, and named exactly; two
readings with the same values on a check are named together. A right answer in float32 is
never named."""

from __future__ import annotations

import textwrap
import warnings
from typing import Any

import numpy as np
import pytest

from grader.judging import registry
from grader.judging.check import run_in_process
from grader.judging.misconceptions import diagnose, library, named_text
from grader.judging.misconceptions.basics import encode_bools, encode_stops

FAMILIES = ("update", "iterates", "saddle", "stability", "stopping", "momentum")
NUMBERS = {"stability": encode_bools, "stopping": encode_stops}
"""How a family's check turns its value into the family's numbers (default: flattened)."""


def _grade(source: str, check_id: str):
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_in_process(check_id, namespace)


def _checks() -> list[str]:
    registry.load_assignment("gd_basics")
    return sorted(c.id for c in registry.CHECKS.values() if c.family and c.family[0] in FAMILIES)


def _numbers(family: str, value: Any) -> np.ndarray:
    encode = NUMBERS.get(family, lambda v: np.asarray(v, dtype=np.float64))
    return np.asarray(encode(value), dtype=np.float64).ravel()


# -- the default is the oracle ----------------------------------------------------------------


@pytest.mark.parametrize("check_id", _checks())
def test_the_default_run_is_the_checks_expected_value(check_id: str) -> None:
    check = registry.get(check_id)
    family, inputs = check.family
    want = _numbers(family, check.answer().value)
    got = np.asarray(library.SPACES[family](inputs), dtype=np.float64).ravel()
    assert np.array_equal(got, want), check_id


def test_every_family_here_has_a_check_of_gd_basics() -> None:
    assert {registry.get(c).family[0] for c in _checks()} == set(FAMILIES)


def test_no_family_module_recomputes_the_oracle() -> None:
    """The families call ``reference.descent``; none keeps a loop of its own."""
    from pathlib import Path

    from grader.judging.misconceptions import basics, momentum

    for module in (basics, momentum):
        text = Path(module.__file__).read_text()
        assert "for _ in range" not in text and "reference import descent" in text


# -- correct solutions in float32 are never named ------------------------------------------

FLOAT32 = [
    (
        "gd_basics.exit_ticket_diverge",
        """
        import numpy as np

        def gd_iterates(x0, lr, steps):
            xs = np.zeros(steps + 1, dtype=np.float32)
            xs[0] = x0
            for k in range(steps):
                xs[k + 1] = xs[k] - np.float32(lr) * 2 * xs[k]
            return xs
        """,
    ),
    (
        "gd_basics.saddle",
        """
        import numpy as np

        def saddle_iterates(p0, lr, steps):
            p = np.array(p0, dtype=np.float32)
            out = [p.copy()]
            for _ in range(steps):
                p = p - np.float32(lr) * np.array([2 * p[0], -2 * p[1]], dtype=np.float32)
                out.append(p.copy())
            return np.array(out)
        """,
    ),
    (
        "gd_basics.momentum",
        """
        import numpy as np

        def momentum_iterates(x0, lr, momentum, dampening, steps):
            scales = np.array([0.2, 4.0], dtype=np.float32)
            x, buf = np.array(x0, dtype=np.float32), None
            out = [x.copy()]
            for _ in range(steps):
                g = scales * x
                mu, keep = np.float32(momentum), np.float32(1 - dampening)
                buf = g if buf is None else mu * buf + keep * g
                x = x - np.float32(lr) * buf
                out.append(x.copy())
            return np.array(out)
        """,
    ),
    (
        "gd_basics.update_rule_vector",
        """
        import numpy as np

        def update(w, grad, lr):
            return (np.asarray(w, np.float32) - np.float32(lr) * np.asarray(grad, np.float32))
        """,
    ),
]


@pytest.mark.parametrize(("check_id", "source"), FLOAT32)
def test_a_right_answer_in_float32_is_never_named(check_id: str, source: str) -> None:
    result = _grade(source, check_id)
    assert result.diagnosis is None or result.diagnosis.mistake is None, result.feedback


# -- new mistakes, written as students write them -------------------------------------------

STOPPING = """
import math

def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
    x = float(x0)
    for step in range(max_steps):
        if abs(2 * x) < grad_tol:
            return ("grad_tol", step)
        old, x = x * x, x - lr * 2 * x
        if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
            return ("diverged", step + 1)
        if abs(x * x - old) < loss_tol:
            return ("loss_tol", step + 1)
    return ("max_steps", max_steps)
"""
MOMENTUM = """
import numpy as np

def momentum_iterates(x0, lr, momentum, dampening, steps):
    scales = np.array([0.2, 4.0])
    x, buf = np.array(x0, dtype=float), None
    out = [x.copy()]
    for _ in range(steps):
        g = scales * x
        buf = g if buf is None else momentum * buf + (1 - dampening) * g
        x = x - lr * buf
        out.append(x.copy())
    return np.array(out)
"""


def _changed(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


NAMED = [  # (mistake id, check, the student's code)
    (  # the check's dampening (0.3) is not its momentum (0.5): these two part ways
        "momentum_buffer_zero",
        "gd_basics.momentum",
        _changed(
            MOMENTUM,
            "x, buf = np.array(x0, dtype=float), None",
            "x, buf = np.array(x0, dtype=float), np.zeros(2)",
        ).replace("g if buf is None else ", ""),
    ),
    (
        "momentum_ema_from_zero",
        "gd_basics.momentum",
        """
        import numpy as np

        def momentum_iterates(x0, lr, momentum, dampening, steps):
            x, m = np.array(x0, dtype=float), np.zeros(2)
            out = [x.copy()]
            for _ in range(steps):
                g = np.array([0.2, 4.0]) * x
                m = momentum * m + (1 - momentum) * g  # an exponential moving average
                x = x - lr * m
                out.append(x.copy())
            return np.array(out)
        """,
    ),
    (
        "momentum_ema_weight",
        "gd_basics.momentum",
        _changed(MOMENTUM, "(1 - dampening) * g", "(1 - momentum) * g"),
    ),
    (
        "update_mean_gradient",
        "gd_basics.update_rule_vector",
        """
        import numpy as np

        def update(w, grad, lr):
            g = np.mean(grad)  # the notes' (1/m) sum, averaged first
            return w - lr * g
        """,
    ),
    (
        "saddle_same_array",
        "gd_basics.saddle",
        """
        import numpy as np

        def saddle_iterates(p0, lr, steps):
            p = np.array(p0, dtype=float)
            path = [p]
            for _ in range(steps):
                p -= lr * np.array([2 * p[0], -2 * p[1]])
                path.append(p)
            return np.array(path)
        """,
    ),
    (
        "stop_grad_tol_one_more",
        "gd_basics.stopping_rules",
        """
        import math

        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x = float(x0)
            for step in range(1, max_steps + 1):
                if abs(2 * x) < grad_tol:
                    return ("grad_tol", step)
                x_new = x - lr * 2 * x
                if not math.isfinite(x_new) or abs(x_new) > 1e12 or x_new ** 2 > 1e12:
                    return ("diverged", step)
                if abs(x_new ** 2 - x ** 2) < loss_tol:
                    return ("loss_tol", step)
                x = x_new
            return ("max_steps", max_steps)
        """,
    ),
    (
        "stop_signed_loss_decrease",
        "gd_basics.stopping_rules",
        _changed(STOPPING, "abs(x * x - old) < loss_tol", "old - x * x < loss_tol"),
    ),
    (
        "stop_divergence_x_only",
        "gd_basics.stopping_rules",
        _changed(
            STOPPING,
            "not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12",
            "not math.isfinite(x) or abs(x) > 1e12",
        ),
    ),
    (
        "stop_gradient_after_step",
        "gd_basics.stopping_rules",
        """
        import math

        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x = float(x0)
            for step in range(max_steps):
                f_old = x * x
                x = x - lr * 2 * x
                if not math.isfinite(x) or abs(x) > 1e12 or x * x > 1e12:
                    return ("diverged", step + 1)
                if abs(x * x - f_old) < loss_tol:
                    return ("loss_tol", step + 1)
                if abs(2 * x) < grad_tol:
                    return ("grad_tol", step + 1)
            return ("max_steps", max_steps)
        """,
    ),
    (
        "stop_gradient_tested_without_steps",
        "gd_basics.stopping_rules",
        """
        import math

        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x = float(x0)
            if abs(2 * x) < grad_tol:  # flat already
                return ("grad_tol", 0)
            step = 0
            while step < max_steps:
                x_new = x - lr * 2 * x
                step += 1
                if not math.isfinite(x_new) or max(abs(x_new), x_new * x_new) > 1e12:
                    return ("diverged", step)
                if abs(x_new * x_new - x * x) < loss_tol:
                    return ("loss_tol", step)
                x = x_new
                if step < max_steps and abs(2 * x) < grad_tol:
                    return ("grad_tol", step)
            return ("max_steps", max_steps)
        """,
    ),
    (
        "momentum_nesterov_step",
        "gd_basics.momentum",
        _changed(MOMENTUM, "x = x - lr * buf", "x = x - lr * (g + momentum * buf)"),
    ),
    (
        "momentum_nesterov_step",
        "gd_basics.momentum",
        """
        import numpy as np

        def momentum_iterates(x0, lr, momentum, dampening, steps):
            x = np.array(x0, dtype=float)
            out, buf = [x.copy()], None
            for _ in range(steps):
                g = np.array([0.2 * x[0], 4.0 * x[1]])
                buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
                g = g + momentum * buf  # torch's nesterov=True branch
                x = x - lr * g
                out.append(x.copy())
            return np.array(out)
        """,
    ),
]


@pytest.mark.parametrize(("mistake_id", "check_id", "source"), NAMED)
def test_a_new_mistake_is_named_by_its_check(mistake_id: str, check_id: str, source: str) -> None:
    result = _grade(source, check_id)
    mistake = registry.MISCONCEPTIONS[mistake_id]
    assert result.status == "failed", result.feedback
    assert result.diagnosis is not None and result.diagnosis.mistake == mistake_id, (
        result.diagnosis,
        result.feedback,
    )
    assert result.diagnosis.title == mistake.title and result.diagnosis.fix == mistake.fix
    assert named_text(result.diagnosis) in result.feedback


TIED = [  # (the mistakes with the same values on the check, check, the student's code)
    (
        ("momentum_no_dampening", "momentum_notes_velocity"),
        "gd_basics.momentum",
        _changed(MOMENTUM, "(1 - dampening) * g", "g"),
    ),
    (
        ("momentum_no_dampening", "momentum_notes_velocity"),
        "gd_basics.momentum",
        """
        import numpy as np

        def momentum_iterates(x0, lr, momentum, dampening, steps):
            curv = np.array([0.2, 4.0])
            xs = np.zeros((steps + 1, 2))
            xs[0] = x0
            v = np.zeros(2)
            for t in range(steps):
                v = momentum * v - lr * curv * xs[t]  # the notes: v = mu v - eta grad
                xs[t + 1] = xs[t] + v
            return xs
        """,
    ),
    (
        ("stop_extra_pass", "stop_gradient_tested_last"),
        "gd_basics.stopping_rules",
        _changed(STOPPING, "range(max_steps)", "range(max_steps + 1)"),
    ),
    (
        ("stop_extra_pass", "stop_gradient_tested_last"),
        "gd_basics.stopping_rules",
        """
        import math

        def descend_until(x0, lr, grad_tol, loss_tol, max_steps):
            x, steps = float(x0), 0
            while True:
                if abs(2 * x) < grad_tol:
                    return ("grad_tol", steps)
                if steps == max_steps:
                    return ("max_steps", max_steps)
                x_new = x - lr * 2 * x
                steps += 1
                if not math.isfinite(x_new) or abs(x_new) > 1e12 or x_new * x_new > 1e12:
                    return ("diverged", steps)
                if abs(x_new * x_new - x * x) < loss_tol:
                    return ("loss_tol", steps)
                x = x_new
        """,
    ),
]


@pytest.mark.parametrize(("ids", "check_id", "source"), TIED)
def test_mistakes_with_the_same_values_are_named_together(
    ids: tuple[str, str], check_id: str, source: str
) -> None:
    result = _grade(source, check_id)
    found = result.diagnosis
    assert result.status == "failed" and found is not None, result.feedback
    assert {found.mistake, found.runner_up} == set(ids), found
    assert found.title.startswith(library.SAME_VALUES), found.title
    for mistake_id in ids:
        mistake = registry.MISCONCEPTIONS[mistake_id]
        assert mistake.title in found.title and mistake.fix in found.fix
    assert named_text(found) in result.feedback


def test_the_notes_velocity_cites_the_notes_and_says_why_the_task_differs() -> None:
    fix = registry.MISCONCEPTIONS["momentum_notes_velocity"].fix
    assert "assignments/notes/03-optimizers-lr-momentum-sgd.md" in fix
    assert "dampening" in fix and "torch.optim.SGD" in fix


def test_two_mistakes_of_different_parts_are_named_as_a_pair() -> None:
    """<= for both tolerances: the pair search names the two strictness mistakes together;
    1/L with <=: the limit and the comparison."""
    both = _changed(
        _changed(STOPPING, "abs(2 * x) < grad_tol", "abs(2 * x) <= grad_tol"),
        "old) < loss_tol",
        "old) <= loss_tol",
    )
    result = _grade(both, "gd_basics.stopping_rules")
    assert result.diagnosis.mistake == "stop_grad_tol_inclusive+stop_loss_tol_inclusive"
    stable = """
    def is_stable(lr, lipschitz):
        return 0 < lr <= 1 / lipschitz
    """
    result = _grade(stable, "gd_basics.stability_rule")
    assert result.diagnosis.mistake == "stable_upper_inclusive+stable_one_over_l"


def test_ema_weighting_is_named_where_momentum_and_dampening_differ() -> None:
    """The check's momentum equals its dampening, so (1 - momentum) in place of
    (1 - dampening) from the first gradient gives the right values there; with other settings
    the family names it (from a zero buffer, as an average starts)."""
    inputs = {"scales": [0.2, 4.0], "x0": [1.0, 1.0], "lr": 0.3, "momentum": 0.9,
              "dampening": 0.2, "steps": 12}  # fmt: skip
    x, m, out = np.array(inputs["x0"]), np.zeros(2), [np.array(inputs["x0"])]
    for _ in range(inputs["steps"]):
        m = 0.9 * m + (1 - 0.9) * (np.array([0.2, 4.0]) * x)
        x = x - 0.3 * m
        out.append(x)
    found = diagnose(np.ravel(out), "momentum", inputs, rtol=1e-9, atol=1e-12)
    assert found.mistake == "momentum_ema_from_zero", found


def test_the_gradient_rule_after_the_step_is_not_named_as_an_extra_pass() -> None:
    """Issue 26: the gradient rule tested after each step was told "max_steps + 1 passes".
    On the check's calls the two differ (max_steps = 0 with |f'(x0)| < grad_tol)."""
    after = registry.MISCONCEPTIONS["stop_gradient_after_step"]
    extra = registry.MISCONCEPTIONS["stop_extra_pass"]
    inputs = registry.get("gd_basics.stopping_rules").family[1]
    assert after.simulate(inputs) != extra.simulate(inputs)


COVERED = {m for m, *_ in NAMED} | {m for ids, *_ in TIED for m in ids}
"""Every mistake id a test here names through its real check (test_families_gd counts them)."""
