"""Mistakes made of slips: a family function with switches, and slips that each set some.

A ``Slip`` is one thing a student got wrong in one part of a computation (the eps of the
normalisation, the update of ``running_var``, the gradient of ``b``). Slips of different
parts compose: ``register_slips`` registers every combination of up to ``max_parts`` slips
from distinct parts as one ``Mistake`` whose id joins theirs with ``+`` (``bn_eps_dropped+
bn_biased_running_var``), so a student who made two independent mistakes is named for both.

A combination that a smaller one reproduces on the check's inputs (a slip with no effect
there, such as the unbiased variance when the running statistics normalise) does not
apply to those inputs: its simulate raises ``ValueError``, which ``diagnose`` skips, so
that the smaller explanation is not made ambiguous by a longer one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register

Run = Callable[..., Any]
"""``run(inputs, **switches)``: the family's output with those switches set."""


@dataclass(frozen=True)
class Slip:
    """One mistake in one part of the computation, as switches of the family's run."""

    id: str
    title: str
    fix: str
    part: str
    """Slips of the same part exclude each other; slips of distinct parts compose."""
    switches: dict[str, Any] = field(default_factory=dict)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= 1e-12 * np.maximum(np.abs(b), 1.0)
    return bool(np.all(close | both_nan | (a == b)))


def _output(run: Run, inputs: dict[str, Any], slips: tuple[Slip, ...]) -> np.ndarray:
    switches: dict[str, Any] = {}
    for s in slips:
        switches.update(s.switches)
    with np.errstate(all="ignore"):
        return np.asarray(run(inputs, **switches), dtype=np.float64).ravel()


def simulate(run: Run, slips: tuple[Slip, ...]) -> Callable[[dict[str, Any]], np.ndarray]:
    """The output of ``slips`` together; ValueError where fewer of them give the same."""

    def go(inputs: dict[str, Any]) -> np.ndarray:
        out = _output(run, inputs, slips)
        for fewer in combinations(slips, len(slips) - 1):
            if _same(out, _output(run, inputs, fewer)):
                raise ValueError("a smaller combination of slips gives the same output")
        return out

    return go


def combined(slips: tuple[Slip, ...], family: str, run: Run) -> Mistake:
    """One Mistake for several slips: ids joined by ``+``, titles by "; ", fixes in turn."""
    return Mistake(
        "+".join(s.id for s in slips),
        "; ".join(s.title for s in slips),
        " ".join(s.fix for s in slips),
        family,
        simulate(run, slips),
    )


def register_slips(family: str, run: Run, slips: list[Slip], *, max_parts: int = 2) -> None:
    """Register every combination of up to ``max_parts`` slips from distinct parts."""
    parts: dict[str, list[Slip]] = {}
    for s in slips:
        parts.setdefault(s.part, []).append(s)
    for n in range(1, max_parts + 1):
        for chosen in combinations(parts, n):
            for combo in product(*(parts[p] for p in chosen)):
                register(combined(combo, family, run))
