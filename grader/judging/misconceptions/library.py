"""The misconception library's core: ``Mistake``, registration and ``diagnose``.

Known mistakes, each a variant of the reference, and the diagnosis that names one.

A ``Mistake`` belongs to a family: what its ``simulate(inputs)`` produces from the check's
inputs (the same inputs the family's reference takes):

* ``linreg_trainer``: per-step losses of mini-batch SGD on linear regression; inputs are
  the keyword arguments of ``reference.trainers.train_linear_regression`` (``X, y, w0, b0,
  permutations, lr, batch_size, epochs``, optional ``accumulation_steps, momentum,
  weight_decay, drop_last``) plus ``base_lr`` when the check asks for linear scaling, and
  ``lrs`` / ``explode`` for the range test (a rate per update, a stop rule). Its mistakes
  compose per parameter (``sign_w_only``, ``sum_not_mean_b_only``, ...).
* ``momentum``: iterates x_0..x_steps (flattened) of momentum SGD on the diagonal quadratic
  sum(scales * x^2 / 2); inputs ``scales, x0, lr, momentum, dampening, steps``.
* ``schedule``: learning rates n = 0..n-1 of step decay; inputs ``lr0, drop, every, n``.
  No single reference (StepLR or the notes' rule, as the check asks): pass ``reference``.
* ``accumulation``: the accumulated gradient (w then b) over ``micro_batches`` of
  ``X, y`` at ``w, b``; the reference weights each micro-batch by n_i / N.
* ``batchnorm``: BatchNorm in training mode over ``batches`` (``gamma, beta, momentum,
  eps``), output then running mean and running variance after each batch, flattened.
* gd_basics' outputs (``basics``): ``update``, ``iterates``, ``saddle``, ``stability``,
  ``stopping``; gd_variants' counts (``counting``): ``count_updates``, ``batch_bytes``;
  lr_rules' rates (``rates``): ``time_based``, ``exponential``, ``warmup``, ``scaling``,
  ``range_lrs``. Value checks name them through ``builders.value_check(family=...)``.

``diagnose`` runs every mistake of the family on the same inputs and names one only when
the student's output matches it within tolerance AND it is at least ``CLEAR_MARGIN`` times
closer than the runner-up and than the correct reference: a wrong name is worse than none.

Extension: an instructor registers a ``Mistake`` with
``grader.judging.registry.register_misconception`` from a module named by the entry point group
``gdgrade.misconceptions`` or from a course's ``checks/<assignment>.py`` (``registry.load_course``);
``register_reference`` adds the reference of a new family.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from pydantic import PrivateAttr

from grader.evidence import Diagnosis
from grader.judging import registry, trajectories

MATCH_RTOL = 1e-3
"""How close (relative ``trajectories.distance``) the student's output must be to a
mistaken one to name that mistake; float32 student code sits far below it."""
MATCH_ATOL = 1e-8
"""Absolute tolerance of the same match, for values near zero."""
CLEAR_MARGIN = 5.0
"""The named mistake must be at least this many times closer than any alternative."""
NONE_TITLE = "matches none of the known mistakes"
"""Title of the Diagnosis when no mistake fits."""

Simulate = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Mistake:
    """A named misconception and how to reproduce its output."""

    id: str
    """Registry id, e.g. ``"no_zero_grad"`` (unique across families)."""
    title: str
    """What the student did, as a phrase: "gradients accumulate across steps"."""
    fix: str
    """How to fix it, one or two sentences the student can act on."""
    family: str
    """Which outputs it produces (see the module docstring): ``"linreg_trainer"``..."""
    simulate: Simulate
    """The mistaken output for the family's inputs (a 1-D array-like)."""
    concept: str = ""
    """The idea it shares with mistakes of other checks or families, which the class report
    counts as one (``CONCEPTS``); empty: an idea of its own, named by its ``id``."""

    @property
    def concept_id(self) -> str:
        """``concept``, or the mistake's own id when it has none."""
        return self.concept or self.id


CONCEPTS: dict[str, tuple[str, ...]] = {
    "step_uphill": (
        "update_sign",
        "iterates_uphill",
        "saddle_uphill",
        "stop_uphill",
        "momentum_uphill",
        "sign_error",
    ),
    "no_zero_grad": ("no_zero_grad", "iris_no_zero_grad"),
    "no_shuffle": ("no_shuffle", "iris_order_ignored", "sweep_no_shuffle"),
    "order_reused": ("order_reused", "iris_first_order_every_epoch"),
    "short_batch_dropped": ("short_batch_dropped", "iris_drop_last"),
    "loss_after_step": ("loss_logged_after_step", "iris_loss_after_step"),
    "loss_reduction_sum": ("loss_sum", "iris_reduction_sum"),
    "no_factor_two": ("no_factor_two", "iterates_no_factor_two", "stop_update_no_factor_two"),
}
"""Concept -> the built-in mistakes, of different checks or families, that are that one idea
(``register`` sets their ``concept``)."""
_CONCEPT_OF = {m: concept for concept, ids in CONCEPTS.items() for m in ids}


REFERENCES: dict[str, Simulate] = {}
"""Family -> the correct output for the family's inputs (where there is a single one)."""


class MistakeDiagnosis(Diagnosis):
    """A Diagnosis naming a mistake, carrying the mistaken output for the plot (a private
    attribute: it is not serialised and the model's fields are Diagnosis's)."""

    _output: list[float] | None = PrivateAttr(default=None)


def register(mistake: Mistake) -> Mistake:
    """Register a built-in or instructor mistake (``registry.register_misconception``), with
    its ``CONCEPTS`` entry as its concept when it names none."""
    if not mistake.concept and mistake.id in _CONCEPT_OF:
        mistake = replace(mistake, concept=_CONCEPT_OF[mistake.id])
    return registry.register_misconception(mistake)


def register_reference(family: str, fn: Simulate) -> Simulate:
    """Declare the correct output of a family, used when ``diagnose`` gets no reference."""
    REFERENCES[family] = fn
    return fn


def mistakes(family: str) -> list[Mistake]:
    """Every registered mistake of a family, built-ins and instructors' alike."""
    registry.load_extensions()  # the built-in families registered when this package loaded
    return [m for m in registry.MISCONCEPTIONS.values() if m.family == family]


def output_of(diagnosis: Diagnosis | None) -> list[float] | None:
    """The mistaken output behind a diagnosis from ``diagnose`` (None when none was named)."""
    return getattr(diagnosis, "_output", None) if diagnosis is not None else None


def _run(fn: Simulate, inputs: dict[str, Any]) -> np.ndarray | None:
    try:
        with np.errstate(all="ignore"):
            return np.asarray(fn(inputs), dtype=np.float64).ravel()
    except (ValueError, KeyError, TypeError, IndexError, ZeroDivisionError, FloatingPointError):
        return None  # this mistake does not apply to these inputs


def _matches(student: np.ndarray, output: np.ndarray, rtol: float, atol: float) -> bool:
    if trajectories.distance(student, output) <= rtol:
        return True
    return trajectories.compare(student, output, rtol=rtol, atol=atol).matches


def diagnose(
    student: Sequence[float],
    family: str,
    inputs: dict[str, Any],
    reference: Sequence[float] | None = None,
    *,
    rtol: float = MATCH_RTOL,
    atol: float = MATCH_ATOL,
) -> Diagnosis:
    """The clearly closest mistake of ``family`` to the student's output, or none.

    ``reference`` is the correct output (computed from ``REFERENCES[family]`` when omitted).
    A mistake is named only when the student's output matches its output (relative
    distance <= rtol, or elementwise within atol + rtol * |mistaken|) and it is at least
    ``CLEAR_MARGIN`` times closer than every other mistake and than the reference.
    """
    s = np.asarray(student, dtype=np.float64).ravel()
    if reference is None and family in REFERENCES:
        reference = _run(REFERENCES[family], inputs)
    scored = []
    for mistake in mistakes(family):
        output = _run(mistake.simulate, inputs)
        if output is not None:
            scored.append((trajectories.distance(s, output), mistake, output))
    scored.sort(key=lambda t: t[0])
    none = Diagnosis(mistake=None, title=NONE_TITLE)
    if not scored:
        return none
    best, mistake, output = scored[0]
    others = [d for d, _, _ in scored[1:]]
    if reference is not None:
        others.append(trajectories.distance(s, reference))
    if not _matches(s, output, rtol, atol):
        return none
    if any(d <= max(best * CLEAR_MARGIN, 1e-12) for d in others):
        return none  # ambiguous: another explanation is about as good
    found = MistakeDiagnosis(
        mistake=mistake.id,
        title=mistake.title,
        fix=mistake.fix,
        distance=best,
        runner_up=scored[1][1].id if len(scored) > 1 else None,
        concept=mistake.concept_id,
    )
    found._output = output.tolist()
    return found
