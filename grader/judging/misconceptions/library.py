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

``diagnose`` runs every mistake of the family on the same inputs and names those whose
output reproduces the student's within the check's own tolerance, and nothing else: a wrong
name is worse than none. Families built from an oracle (``register_space``: the reference
computation with named parts, a mistake one part swapped for a known alternative) are also
searched in pairs of mistakes of different parts, up to ``PAIR_LIMIT`` pairs.

Extension: an instructor registers a ``Mistake`` with
``grader.judging.registry.register_misconception`` from a module named by the entry point group
``gdgrade.misconceptions`` or from a course's ``checks/<assignment>.py`` (``registry.load_course``);
``register_reference`` adds the reference of a new family.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from pydantic import PrivateAttr

from grader.evidence import Diagnosis
from grader.judging import registry, trajectories

MATCH_RTOL = 1e-6
"""Default relative tolerance of a match when the caller passes none; checks pass their own
(``diagnose(rtol=..., atol=...)``): a mistake is named only when it reproduces the student's
output as closely as the check demands the right answer."""
MATCH_ATOL = 1e-8
"""Absolute tolerance of the same match, for values near zero."""
PAIR_LIMIT = 1000
"""Pairs of part alternatives one ``diagnose`` call may try (a count, not a time, so that the
same answer always gets the same diagnosis); their outputs are cached per check inputs. Every
shipped family's pairs fit (the largest, linreg_trainer, has 857); an instructor's family
with more is cut here."""
NONE_TITLE = "matches none of the known mistakes"
"""Title of the Diagnosis when no mistake fits."""
SAME_VALUES = "the values alone cannot tell which"
"""Said when several mistakes reproduce the student's output."""

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
    parts: tuple[tuple[str, Any], ...] = ()
    """For a mistake of an oracle-built family (``register_space``): the parts of the oracle
    it swaps, as (part, alternative) pairs; ``diagnose`` also tries two such mistakes of
    different parts together."""

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
SPACES: dict[str, Callable[..., Any]] = {}
"""Family -> its oracle with swappable parts: ``run(inputs)`` is the reference output and
``run(inputs, part=alternative, ...)`` the output with those parts swapped."""


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


def register_space(family: str, run: Callable[..., Any]) -> Callable[..., Any]:
    """Declare a family built from an oracle with named parts (see ``SPACES``); its reference
    is ``run(inputs)``, every part at its default, so it cannot drift from the oracle."""
    SPACES[family] = run
    register_reference(family, lambda inputs: run(inputs))
    return run


def alternative(
    id: str, title: str, fix: str, family: str, *, concept: str = "", **parts: Any
) -> Mistake:
    """A mistake of an oracle-built family: the family's oracle with ``parts`` swapped
    (``register_space``), e.g. ``alternative("no_floor", ..., "schedule", exponent=...)``."""

    def simulate(inputs: dict[str, Any]) -> Any:
        return SPACES[family](inputs, **parts)

    return Mistake(id, title, fix, family, simulate, concept, tuple(sorted(parts.items())))


def mistakes(family: str) -> list[Mistake]:
    """Every registered mistake of a family, built-ins and instructors' alike."""
    registry.load_extensions()  # the built-in families registered when this package loaded
    return [m for m in registry.MISCONCEPTIONS.values() if m.family == family]


def output_of(diagnosis: Diagnosis | None) -> list[float] | None:
    """The mistaken output behind a diagnosis from ``diagnose`` (None when none was named)."""
    return getattr(diagnosis, "_output", None) if diagnosis is not None else None


_CACHE: OrderedDict[tuple[str, tuple[str, ...], str], np.ndarray | None] = OrderedDict()
"""Mistaken outputs per (family, mistake ids, digest of the inputs): a class's submissions
meet the same check inputs, so each mistaken output is computed once per process. When full,
the least recently used goes (every shipped check's singles and pairs fit)."""
_CACHE_LIMIT = 32768


def _digest(inputs: dict[str, Any]) -> str | None:
    """A digest of the check's inputs, or None when they cannot be pickled (no caching)."""
    try:
        return hashlib.sha1(pickle.dumps(sorted(inputs.items(), key=lambda kv: kv[0]))).hexdigest()
    except Exception:  # a lambda or another unpicklable input: computed every time
        return None


def _output(
    family: str, chosen: tuple[Mistake, ...], inputs: dict[str, Any], key: str | None
) -> np.ndarray | None:
    """The output of the chosen mistakes together (one, or two of different parts); no
    mistake chosen: the family's reference."""
    ids = tuple(m.id for m in chosen)
    if key is not None and (family, ids, key) in _CACHE:
        _CACHE.move_to_end((family, ids, key))
        return _CACHE[(family, ids, key)]
    if not chosen:
        output = _run(REFERENCES[family], inputs)
    elif len(chosen) == 1:
        output = _run(chosen[0].simulate, inputs)
    else:
        parts = dict(p for m in chosen for p in m.parts)
        output = _run(lambda i: SPACES[family](i, **parts), inputs)
    if key is not None:
        _CACHE[(family, ids, key)] = output
        if len(_CACHE) > _CACHE_LIMIT:
            _CACHE.popitem(last=False)
    return output


def _pairs(family: str, singles: list[Mistake]) -> list[tuple[Mistake, Mistake]]:
    """Two mistakes of an oracle-built family that swap different parts."""
    if family not in SPACES:
        return []
    built = [m for m in singles if m.parts]
    return [
        (a, b)
        for n, a in enumerate(built)
        for b in built[n + 1 :]
        if not {p for p, _ in a.parts} & {p for p, _ in b.parts}
    ]


def _run(fn: Simulate, inputs: dict[str, Any]) -> np.ndarray | None:
    try:
        with np.errstate(all="ignore"):
            return np.asarray(fn(inputs), dtype=np.float64).ravel()
    except (ValueError, KeyError, TypeError, IndexError, ZeroDivisionError, FloatingPointError):
        return None  # this mistake does not apply to these inputs


def _matches(student: np.ndarray, output: np.ndarray, rtol: float, atol: float) -> bool:
    """The mistaken output reproduces the student's within the check's tolerance."""
    if student.shape != output.shape:
        return False
    return bool(np.allclose(student, output, rtol=rtol, atol=atol, equal_nan=True))


STATS: dict[str, float] = {"calls": 0, "cpu_s": 0.0}
"""``diagnose`` calls in this process and the CPU seconds they took, in all and per family
(``"cpu_s <family>"``; benchmarks print it)."""


def diagnose(
    student: Sequence[float],
    family: str,
    inputs: dict[str, Any],
    reference: Sequence[float] | None = None,
    *,
    rtol: float = MATCH_RTOL,
    atol: float = MATCH_ATOL,
    among: Collection[str] | None = None,
) -> Diagnosis:
    """The known mistakes of ``family`` that reproduce the student's output exactly, or none.

    Exact means within the check's own tolerance (``rtol``, ``atol``: elementwise, as the
    check compares the right answer). Single mistakes are tried first; when none reproduces
    the output, pairs of mistakes that swap different parts of an oracle-built family, (at most
    ``PAIR_LIMIT``). Several that reproduce it are named together (the values
    cannot tell them apart); nothing is named when the reference itself reproduces it.
    ``reference`` is the correct output (``REFERENCES[family]`` when omitted). ``among``: only
    these mistake ids are tried, and the reference is not computed unless given (a caller
    that knows the answer is not the reference, and that some mistakes cannot apply).
    """
    start = time.process_time()
    try:
        return _diagnose(student, family, inputs, reference, rtol, atol, among)
    finally:
        spent = time.process_time() - start
        STATS["calls"] += 1
        STATS["cpu_s"] += spent
        STATS[f"cpu_s {family}"] = STATS.get(f"cpu_s {family}", 0.0) + spent


def _diagnose(
    student: Sequence[float],
    family: str,
    inputs: dict[str, Any],
    reference: Sequence[float] | None,
    rtol: float,
    atol: float,
    among: Collection[str] | None,
) -> Diagnosis:
    s = np.asarray(student, dtype=np.float64).ravel()
    none = Diagnosis(mistake=None, title=NONE_TITLE)
    key = _digest(inputs)
    if reference is None and family in REFERENCES and among is None:
        reference = _output(family, (), inputs, key)
    if reference is not None and _matches(s, np.asarray(reference, float).ravel(), rtol, atol):
        return none
    singles = [m for m in mistakes(family) if among is None or m.id in among]
    found = []
    for mistake in singles:
        output = _output(family, (mistake,), inputs, key)
        if output is not None and _matches(s, output, rtol, atol):
            found.append(((mistake,), output))
    if not found:
        for pair in _pairs(family, singles)[:PAIR_LIMIT]:
            output = _output(family, pair, inputs, key)
            if output is not None and _matches(s, output, rtol, atol):
                found.append((pair, output))
    if not found:
        return none
    return _named(found, s)


def named_text(found: Diagnosis) -> str:
    """How a check's message names what ``diagnose`` found."""
    if found.title.startswith(SAME_VALUES):
        return f"these are exactly the values of a known mistake; {found.title}"
    if found.mistake and "+" in found.mistake:
        return f"these are exactly the values of two known mistakes together: {found.title}"
    return f"these are exactly the values of a known mistake: {found.title}"


def _named(found: list[tuple[tuple[Mistake, ...], np.ndarray]], s: np.ndarray) -> Diagnosis:
    """The Diagnosis naming what reproduces the output: one mistake, a pair applied together,
    or several candidates said to be indistinguishable."""
    titles = [" and ".join(m.title for m in chosen) for chosen, _ in found]
    fixes = [" ".join(m.fix for m in chosen) for chosen, _ in found]
    chosen, output = found[0]
    title, fix = titles[0], fixes[0]
    if len(found) > 1:
        title = f"{SAME_VALUES}: " + "; or ".join(titles[:3])
        fix = " ".join(f"If {t}: {f}" for t, f in zip(titles[:3], fixes[:3], strict=True))
    result = MistakeDiagnosis(
        mistake="+".join(m.id for m in chosen),
        title=title,
        fix=fix,
        distance=trajectories.distance(s, output),
        runner_up="+".join(m.id for m in found[1][0]) if len(found) > 1 else None,
        candidates=["+".join(m.id for m in c) for c, _ in found] if len(found) > 1 else [],
        concept=chosen[0].concept_id if len(chosen) == 1 and len(found) == 1 else None,
    )
    result._output = output.tolist()
    return result
