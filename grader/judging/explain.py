"""Name an exact relation between a wrong output and the reference, when one holds clearly.

The judges call ``explain`` where a verdict failed and no known mistake of the library
(``grader.judging.misconceptions``) matched. It never guesses: every relation is a
transformation of the reference that the student's output matches to a named tolerance
(``RELATION_RTOL``, or ``FLOAT32_RTOL`` for float32 values), tried in a fixed order; the
first that holds is returned with a sentence saying what was observed and a hint. Nothing
holds, or the difference is rounding: None (silence).

Relation ids (``Relation.id``):

* ``sign``: every value is the reference's with the sign flipped.
* ``ratio:<factor>``: every value is c times the reference's, c one of the check's factors
  (``Context.factors``: B, k, N and their inverses) or the common 2, 1/2, 100, 1/100;
  ``ratio:B|k|2`` where several of them are equal here (the values cannot tell which);
  ``ratio`` for another constant, only on ``MIN_ENTRIES`` or more distinct values.
* ``step:<factor>``: the move away from the start (an update's input ``w``, or x_0 of
  iterates) is c times the reference's (``step:-1``: the opposite direction).
* ``first:<factor>``: a trainer's first loss (before any update) is c times the
  reference's, c a named factor: the loss itself is scaled (the later steps then differ).
* ``shift:step`` / ``shift:epoch``: the values are the reference's shifted by one step or
  one epoch.
* ``prefix:step`` / ``prefix:epoch``, ``suffix:step`` / ``suffix:epoch``, ``extra:...``:
  the reference without its last (first) step or epoch, or with one more; ``epoch_means``:
  one value per epoch, the mean of the reference's steps in it; ``epoch_last``: one value
  per epoch, the reference's last step in it.
* ``axis``: the result is normalised (mean 0, variance 1) over other axes than the
  reference's (a wrong ``axis=``, or statistics pooled over the whole batch).
* ``component:<name>``: only one returned component differs (and the relation inside it,
  ``component:<name>+ratio:1/2``, when one holds there).
* ``transpose``: the reference transposed.
* ``eps``: a tiny difference, of the size of ``Context.eps`` (and above float32 rounding).
* ``offset:+1`` / ``offset:-1``: integers that differ, all by the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from grader.judging.layout import Layout, number

RELATION_RTOL = 1e-9
"""How exactly a float64 output must match the transformed reference (relative to each value,
plus ``FLOOR`` of the largest): far below any real mistake, far above float64 reordering."""
FLOAT32_RTOL = 1e-4
"""The same for float32 values (every value exactly representable in float32): float32
arithmetic is only this exact, so smaller differences are rounding and stay unexplained."""
FLOOR = 1e-3
"""Values smaller than this share of the largest are compared on that scale (near-zero
entries must not make a relation fail or hold by themselves)."""
FACTOR_RTOL = 1e-6
"""How close a measured ratio must be to a named factor to be called that factor (float64;
float32 values get ``FLOAT32_RTOL``)."""
MIN_ENTRIES = 3
"""A relation without a named factor, or a shift, needs at least this many values."""
EPS_BAND = 10.0
"""An ``eps`` relation: the largest relative difference is at most this many times eps."""
EPS_MIN_EFFECT = 1e-6
"""... and at least this: above what float32 arithmetic inside a float64 answer leaves
(2^-23 ~ 1.2e-7 per operation, a few operations), so that stays unexplained."""
COMMON_FACTORS = {"2": 2.0, "1/2": 0.5, "100": 100.0, "1/100": 0.01}
"""Factors every check has: a factor 2 (the derivative of r^2), a percentage."""
WORDS = {
    "B": "the batch size",
    "k": "the number of accumulation steps",
    "N": "the number of samples",
}
"""What the context's factor names stand for, in messages."""
HINTS = {
    "2": "look for an extra factor 2 (the derivative of r^2 is 2r: counted twice?)",
    "1/2": "look for a missing factor 2 (the derivative of r^2 is 2r)",
    "100": "look for a factor 100 too many (a percentage where a fraction is asked for?)",
    "1/100": "look for a division by 100 too many (a fraction where a percentage is asked for?)",
    "B": "a sum over the batch where the mean is asked for: divide by the batch size "
    "(reduction='mean')",
    "1/B": "divided by the batch size once too often (a mean where the sum is asked for)",
    "k": "summed over the k accumulation steps without dividing by k",
    "1/k": "divided by k where it should not be (e.g. the scaled micro-batch loss was "
    "recorded instead of the loss itself)",
    "N": "a sum over all samples where the mean is asked for: divide by N",
    "1/N": "divided by N once too often",
}
"""Hint per named factor of a ``ratio`` relation."""
DERIVATIVE_OUTPUTS = ("loss", "iterate", "gradient entry", "update", "value")
"""What an output must be for the factor-2 hints (the derivative of r^2) to apply: a loss,
an iterate, a gradient, an update. A learning rate or a normalised output has no derivative
in it: a factor 2 there gets ``PLAIN_FACTOR``."""
PLAIN_FACTOR = (
    "a constant factor {name} is off: compare each factor in your formula with the task's"
)
"""Hint of a named factor whose usual cause does not apply to this output."""


@dataclass(frozen=True)
class Context:
    """What the explainer knows about a check's output besides the values."""

    factors: dict[str, float] = field(default_factory=dict)
    """Named factors of this check (``{"B": 16, "k": 3, "N": 48}``); their inverses are
    tried too, and ``COMMON_FACTORS`` always."""
    layout: Layout | None = None
    """The returned components (for ``component`` and ``transpose`` relations)."""
    steps_per_epoch: int | None = None
    """Updates per epoch of a trainer (for epoch shifts, early stops, per-epoch means)."""
    eps: float | None = None
    """The eps of a normalisation (for ``eps`` relations)."""
    base: Sequence[float] | None = None
    """The input the output moved away from (``w`` of an update), for ``step`` relations."""
    what: str = "value"
    """What the values are: "loss", "iterate", "lr", ... (words and the iterate rules)."""
    width: int = 1
    """Values per step (2 for iterates in the plane)."""
    integers: bool = False
    """Exact integer answers (counts): ``offset`` relations."""


@dataclass(frozen=True)
class Relation:
    """A relation that holds between the student's output and the reference."""

    id: str
    """Machine name, e.g. ``"ratio:B"``, ``"shift:epoch"``, ``"component:running_var"``."""
    sentence: str
    """What was observed, in plain words."""
    hint: str
    """Where to look."""

    def text(self) -> str:
        """Sentence and hint as one line for feedback."""
        return f"{self.sentence}: {self.hint}" if self.hint else self.sentence


def _float32(s: np.ndarray) -> bool:
    """Every value exactly a float32 (and not all integers): the student computed in float32."""
    finite = s[np.isfinite(s)]
    if not len(finite) or np.all(finite == np.round(finite)):
        return False
    with np.errstate(over="ignore"):
        return bool(np.all(finite.astype(np.float32).astype(np.float64) == finite))


def _close(s: np.ndarray, t: np.ndarray, rtol: float) -> bool:
    """s equals t to rtol (of each value, plus FLOOR of the largest)."""
    if s.shape != t.shape or not len(t) or not np.all(np.isfinite(s) & np.isfinite(t)):
        return False
    scale = float(np.max(np.abs(t)))
    return bool(np.all(np.abs(s - t) <= rtol * (np.abs(t) + FLOOR * scale)))


def _factors(ctx: Context) -> list[tuple[str, float]]:
    """Named factors to try: the check's (and their inverses), then the common ones."""
    out = []
    for name, v in ctx.factors.items():
        if v and v not in (1, -1):
            out += [(name, float(v)), (f"1/{name}", 1.0 / float(v))]
    return out + list(COMMON_FACTORS.items())


def _word(name: str) -> str:
    """A factor's name with what it stands for: "B, the batch size", "1/k, ..."."""
    base = name.removeprefix("1/")
    return f"{name}, {WORDS[base]}" if base in WORDS else name


def _factor_text(c: float, ctx: Context, rtol: float) -> tuple[str, str, str] | None:
    """(name, text, hint) of the named factors equal to c: ("B", "16 (= B, the batch
    size)", hint). Where several are equal here (B = k = 2), the name joins them
    ("B|k|2"), the text says the values cannot tell which, and the hint gives each."""
    names = list(dict.fromkeys(n for n, v in _factors(ctx) if abs(c - v) <= rtol * abs(v)))
    if not names:
        return None
    shown = number(c) if abs(c) >= 1 else f"1/{number(1 / c)}"
    hints = [_hint(n, ctx) for n in names]
    known = [n for n in names if n not in COMMON_FACTORS]
    if len(names) == 1:
        return names[0], (f"{shown} (= {_word(names[0])})" if known else shown), hints[0]
    if not known:  # 2 and 1/2 never coincide; kept for completeness
        return names[0], shown, hints[0]
    which = " and also ".join(_word(n) if n in known else f"the factor {n}" for n in names)
    text = f"{shown}, which is {which} here (the values alone cannot tell which)"
    return "|".join(names), text, "either " + "; or ".join(hints)


def _hint(name: str, ctx: Context) -> str:
    """The hint of a named factor where its cause applies to this output."""
    if name in ("2", "1/2") and ctx.what not in DERIVATIVE_OUTPUTS:
        return PLAIN_FACTOR.format(name=name)
    return HINTS.get(name, f"look for a factor {name} too many or too few")


def _ratio(s: np.ndarray, r: np.ndarray) -> float | None:
    """The one ratio s / r over the values that are not near zero, if it is one."""
    big = np.abs(r) > FLOOR * np.max(np.abs(r))
    if not np.any(big):
        return None
    c = float(np.median(s[big] / r[big]))
    return c if np.isfinite(c) and c != 0 else None


def _distinct(r: np.ndarray) -> int:
    return len(np.unique(np.round(r[np.abs(r) > FLOOR * np.max(np.abs(r))], 12)))


def _scaled(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """sign / ratio: s = c * r."""
    if not np.any(r) or not np.all(np.isfinite(r)):
        return None
    if _close(s, -r, rtol):
        return Relation(
            "sign",
            "every value is exactly the reference's with the sign flipped",
            "look for a sign error: a + where the reference subtracts (a step up the "
            "gradient instead of down), or a difference taken the wrong way round",
        )
    c = _ratio(s, r)
    if c is None or not _close(s, c * r, rtol):
        return None
    named = _factor_text(c, ctx, max(FACTOR_RTOL, rtol))
    if named is not None:
        factor, text, hint = named
        return Relation(
            f"ratio:{factor}", f"every value is exactly {text} times the reference's", hint
        )
    return None


def _unnamed_ratio(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """ratio: s = c * r for a constant c that no factor of the check explains."""
    if not np.any(r) or not np.all(np.isfinite(r)):
        return None
    c = _ratio(s, r)
    if c is None or not _close(s, c * r, rtol):
        return None
    if _distinct(r) >= MIN_ENTRIES:
        return Relation(
            "ratio",
            f"every value is exactly {number(c)} times the reference's",
            "a constant factor is off: compare each factor in your formula with the task's",
        )
    return None


def _step(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """step: the move from the start is c times the reference's (update, first iterate)."""
    w = ctx.width
    if ctx.base is not None:
        base = np.broadcast_to(np.asarray(ctx.base, dtype=np.float64).ravel(), s.shape)
        ds, dr, where = s - base, r - base, "your step away from the input"
    elif ctx.what == "iterate" and len(s) >= 2 * w and _close(s[:w], r[:w], rtol):
        ds, dr, where = s[w : 2 * w] - s[:w], r[w : 2 * w] - r[:w], "your first step (x_0 to x_1)"
    else:
        return None
    if not np.any(dr) or not np.all(np.isfinite(ds)):
        return None
    if _close(ds, -dr, rtol):
        return Relation(
            "step:-1",
            f"{where} is exactly the reference's in the opposite direction",
            "the update must subtract lr * gradient (step down the gradient, not up)",
        )
    c = _ratio(ds, dr)
    if c is None or not _close(ds, c * dr, rtol):
        return None
    named = _factor_text(c, ctx, max(FACTOR_RTOL, rtol))
    if named is None:
        return None
    factor, text, hint = named
    return Relation(f"step:{factor}", f"{where} is exactly {text} times the reference's", hint)


def _first(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """first: a trainer's first loss is a named factor times the reference's."""
    if ctx.what != "loss" or ctx.width != 1 or len(s) < 2 or not r[0]:
        return None
    named = _factor_text(float(s[0] / r[0]), ctx, max(FACTOR_RTOL, rtol))
    if named is None or named[0] in ("1/100", "100"):
        return None
    factor, text, hint = named
    return Relation(
        f"first:{factor}",
        f"your first loss (before any update) is exactly {text} times the reference's",
        hint,
    )


def _units(ctx: Context) -> list[tuple[str, int]]:
    """The shifts worth naming: one step, one epoch (in flattened values)."""
    out = [("step", ctx.width)]
    if ctx.steps_per_epoch and ctx.steps_per_epoch > 1:
        out.append(("epoch", ctx.steps_per_epoch * ctx.width))
    return out


def _shifted(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """shift: s[k] = r[k + d] (ahead) or r[k - d] (behind), d one step or one epoch."""
    for unit, d in _units(ctx):
        if len(s) - d < MIN_ENTRIES * ctx.width or _close(r[d:], r[:-d], rtol):
            continue  # too short to tell, or the reference looks the same shifted
        if _close(s[:-d], r[d:], rtol):
            return Relation(
                f"shift:{unit}",
                f"your values are the reference's one {unit} early: your value at {unit} "
                f"k is the reference's at {unit} k + 1",
                "an off-by-one in the counter: does it start at 0 or at 1?",
            )
        if _close(s[d:], r[:-d], rtol):
            return Relation(
                f"shift:{unit}",
                f"your values are the reference's one {unit} late: your value at {unit} "
                f"k + 1 is the reference's at {unit} k",
                "an off-by-one in the counter: does it start at 0 or at 1?",
            )
    return None


def _lengths(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """Different lengths: the reference cut or extended by one step or epoch, or one value
    per epoch (the epoch's mean)."""
    spe = ctx.steps_per_epoch
    per_epoch = bool(spe and spe > 1 and ctx.width == 1 and len(r) % spe == 0)
    means = r.reshape(-1, spe).mean(axis=1) if per_epoch else None
    if means is not None and _close(s, means, rtol):
        return Relation(
            "epoch_means",
            f"{_yours(len(s))} the means of the reference's losses over each epoch",
            "return the loss of every step (every batch), not one value per epoch",
        )
    if per_epoch and _close(s, r[spe - 1 :: spe], rtol):
        return Relation(
            "epoch_last",
            f"{_yours(len(s))} the reference's losses at the last step of each epoch",
            "append the loss inside the loop over batches, once per step, not once per epoch",
        )
    for unit, d in _units(ctx):
        if len(s) == len(r) - d and _close(s, r[:-d], rtol):
            return Relation(
                f"prefix:{unit}",
                f"your values are exactly the reference's without its last {unit}",
                f"the loop stops one {unit} early: range(n), not range(n - 1) (or a stopping "
                f"condition that ends it one {unit} too soon)",
            )
        if len(s) == len(r) - d and _close(s, r[d:], rtol):
            start = ctx.what == "iterate" and unit == "step"
            first = "x_0, the start" if start else f"its first {unit}"
            return Relation(
                f"suffix:{unit}",
                f"your values are exactly the reference's without {first}",
                "include the starting value" if ctx.what == "iterate" else "start at 0",
            )
        if len(s) == len(r) + d and (_close(s[:-d], r, rtol) or _close(s[d:], r, rtol)):
            return Relation(
                f"extra:{unit}",
                f"your values are exactly the reference's with one {unit} too many",
                f"the loop runs one {unit} too long: range(n), not range(n + 1)",
            )
    return None


def _yours(n: int) -> str:
    return "your one value is" if n == 1 else f"your {n} values are"


def _component(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """Only one returned component differs (and the relation inside it)."""
    layout = ctx.layout
    if layout is None or len(layout.parts) < 2 or layout.size != len(r):
        return None
    spans = layout.spans()
    wrong = [(p, a, b) for p, a, b in spans if not _close(s[a:b], r[a:b], rtol)]
    if len(wrong) != 1:
        return None
    p, a, b = wrong[0]
    others = [q.name for q, _, _ in spans if q is not p]
    verb = "matches" if len(others) == 1 else "match"
    inner = explain(s[a:b], r[a:b], replace(ctx, layout=Layout((p,)), base=None))
    sentence = f"only {p.name} differs from the reference ({' and '.join(others)} {verb})"
    if inner is None:
        return Relation(f"component:{p.name}", sentence, f"look at how you compute {p.name}")
    return Relation(
        f"component:{p.name}+{inner.id}", f"{sentence}; in {p.name}, {inner.sentence}", inner.hint
    )


def transposed(s: np.ndarray, r: np.ndarray, rtol: float = RELATION_RTOL) -> Relation | None:
    """transpose: ``s`` (2-D) is ``r`` (2-D) transposed."""
    if s.ndim != 2 or r.ndim != 2 or s.shape != r.shape[::-1] or s.shape == (1, 1):
        return None
    if not _close(s.T.ravel(), r.ravel(), rtol) or _close(s.ravel(), r.ravel(), rtol):
        return None
    return Relation(
        "transpose",
        f"your result is exactly the reference transposed (shape {s.shape} for {r.shape})",
        "keep the axis order of the task: rows are samples, columns are features",
    )


def _eps(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """eps: a tiny difference, between EPS_MIN_EFFECT and EPS_BAND * eps relative."""
    if not ctx.eps or rtol > RELATION_RTOL or len(s) < 2:
        return None
    scale = FLOOR * float(np.max(np.abs(r)))
    largest = float(np.max(np.abs(s - r) / (np.abs(r) + scale)))
    if not EPS_MIN_EFFECT <= largest <= EPS_BAND * ctx.eps:
        return None
    return Relation(
        "eps",
        f"your values differ from the reference by at most a relative {number(largest, 2)}: "
        f"the size of an eps = {number(ctx.eps)} term",
        "add eps to the variance inside the square root, sqrt(var + eps), with the given eps",
    )


def _offset(s: np.ndarray, r: np.ndarray, ctx: Context) -> Relation | None:
    """offset: integers that differ, all by the same +1 or -1."""
    if not ctx.integers or s.shape != r.shape:
        return None
    diff = (s - r)[s != r]
    for d in (1, -1):
        if len(diff) and np.all(diff == d):
            more = "one more" if d > 0 else "one less"
            return Relation(
                f"offset:{d:+d}",
                f"where your values differ from the reference, each is exactly {more}",
                "an off-by-one: check < against <=, floor against ceil, and where counting starts",
            )
    return None


def explain(
    student: Sequence[float] | Any, reference: Sequence[float] | Any, ctx: Context
) -> Relation | None:
    """The first relation that holds clearly between the flattened ``student`` and
    ``reference`` values, or None (correct work, rounding, or nothing exact)."""
    s = np.asarray(student, dtype=np.float64).ravel()
    r = np.asarray(reference, dtype=np.float64).ravel()
    if not len(s) or not len(r) or not np.all(np.isfinite(r)) or not np.all(np.isfinite(s)):
        return None
    rtol = FLOAT32_RTOL if _float32(s) else RELATION_RTOL
    if len(s) != len(r):
        return _lengths(s, r, ctx, rtol)
    if _close(s, r, rtol) and not ctx.integers:
        return None  # the same up to rounding: nothing to explain
    if ctx.integers:
        return _offset(s, r, ctx) or _scaled(s, r, ctx, rtol)
    return (
        _scaled(s, r, ctx, rtol)
        or _step(s, r, ctx, rtol)
        or _shifted(s, r, ctx, rtol)
        or _component(s, r, ctx, rtol)
        or _square_transpose(s, r, ctx, rtol)
        or _axis(s, r, ctx)
        or _eps(s, r, ctx, rtol)
        or _unnamed_ratio(s, r, ctx, rtol)
        or _first(s, r, ctx, rtol)
    )


def _square_transpose(s: np.ndarray, r: np.ndarray, ctx: Context, rtol: float) -> Relation | None:
    """transpose of a square matrix (a non-square one fails on its shape first)."""
    layout = ctx.layout
    if layout is None or len(layout.parts) != 1 or len(layout.parts[0].shape) != 2:
        return None
    shape = layout.parts[0].shape
    if shape[0] != shape[1]:
        return None
    return transposed(s.reshape(shape), r.reshape(shape), rtol)


NORMALISED_MEAN = 1e-8
"""An axis set is normalised over when every mean over it is this close to 0 (relative to
the largest value, at least 1) ..."""
NORMALISED_VAR = 1e-2
"""... and every variance over it this close to 1 (eps and a ddof=1 variance move it less
on the course's inputs)."""


def _normalised_over(a: np.ndarray) -> list[tuple[int, ...]]:
    """The axis sets (smallest first) over which ``a`` has mean 0 and variance 1."""
    from itertools import combinations

    scale = max(1.0, float(np.max(np.abs(a))))
    out = []
    for size in range(1, a.ndim + 1):
        for axes in combinations(range(a.ndim), size):
            if int(np.prod([a.shape[k] for k in axes])) < 2:
                continue
            mean, var = a.mean(axis=axes), a.var(axis=axes)
            if np.all(np.abs(mean) <= NORMALISED_MEAN * scale) and np.all(
                np.abs(var - 1) <= NORMALISED_VAR
            ):
                out.append(axes)
    return out


def _axes_text(axes: tuple[int, ...], ndim: int) -> str:
    if len(axes) == ndim:
        return "over the whole array (every axis pooled)"
    shown = axes[0] if len(axes) == 1 else axes
    return f"over axis={shown}"


def _axis(s: np.ndarray, r: np.ndarray, ctx: Context) -> Relation | None:
    """axis: both are normalised (mean 0, variance 1), the student over other axes."""
    layout = ctx.layout
    if layout is None or len(layout.parts) != 1 or len(layout.parts[0].shape) < 2:
        return None
    shape = layout.parts[0].shape
    theirs, ours = _normalised_over(s.reshape(shape)), _normalised_over(r.reshape(shape))
    if not theirs or not ours or ours[0] in theirs:
        return None
    name = layout.parts[0].name
    return Relation(
        "axis",
        f"your {name} has mean 0 and variance 1 {_axes_text(theirs[0], len(shape))}, the "
        f"reference's {_axes_text(ours[0], len(shape))}: the statistics are taken over the "
        "wrong axis",
        f"compute the mean and the variance {_axes_text(ours[0], len(shape))} "
        f"(keepdims=True to subtract them), as the task says",
    )


def variance_relations(
    b: int, n: int, what: str, others: dict[str, float] | None = None
) -> list[tuple[float, Relation]]:
    """What known mistakes do to the variance of a mini-batch mean of ``what`` (size ``b``
    of ``n`` samples), measured as var / (sigma^2 / B): ``(c, relation)`` pairs, c the
    factor on that statistic (for ``judges.band``'s ``scaled``). ``others``: the other
    columns of the result and their sigma^2 over this column's (a column in the wrong
    place has theirs)."""
    out = [
        (
            c,
            Relation(
                "columns",
                f"your {what} column has the variance {other} should have: the columns are "
                "in another order",
                "keep the columns in the order the task gives",
            ),
        )
        for other, c in (others or {}).items()
    ]
    out += [
        (
            0.25,
            Relation(
                "ratio:1/2",
                f"the variance of {what} is 1/4 of the expected: your {what} is half the "
                "reference's",
                HINTS["1/2"],
            ),
        ),
        (
            4.0,
            Relation(
                "ratio:2",
                f"the variance of {what} is 4 times the expected: your {what} is twice the "
                "reference's",
                HINTS["2"],
            ),
        ),
    ]
    if b > 1:
        out.append(
            (
                float(b * b),
                Relation(
                    "ratio:B",
                    f"the variance of {what} is B^2 = {b * b} times the expected: your {what} "
                    "is B times the reference's",
                    HINTS["B"],
                ),
            )
        )
        c = (n - b) / (n - 1)
        out.append(
            (
                c,
                Relation(
                    "without_replacement",
                    f"the variance of {what} is (N - B) / (N - 1) = {number(c, 3)} times the "
                    "expected, what drawing without replacement gives",
                    "draw the indices with replacement (rng.integers(0, N, size=B)), as the "
                    "task asks",
                ),
            )
        )
    return out
