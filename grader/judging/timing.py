"""Timing judgement: the ratios of paired measurements made in one worker.

The measurement runs inside the sandbox (``grader.inside.timing.measure``), interleaved, so
round ``i`` of every configuration was measured under the same machine load. This side
divides them round by round (numerator / denominator) and judges the paired ratios, not
the ratio of two independent medians: load that slows a whole round cancels out of its
ratio, so a check whose ratios sit clearly above or clearly below the threshold is decided
even when the raw times are noisy.

The rule: with the paired ratios' quartiles q1 <= median <= q3, the check passes when
q1 >= ``expect_at_least`` (three quarters of the rounds clear the threshold), fails when
q3 < ``expect_at_least``, and is undecided otherwise (the middle half of the ratios
straddles the threshold). An undecided check is never a silent pass nor a silent loss: its
verdict is "skipped" with ``needs_review=True``, which ``Check.grade`` turns into points
awarded provisionally and a flag for the instructor (see ``grader.judging.check``).
"""

from __future__ import annotations

import numpy as np

from grader.evidence import Evidence
from grader.inside.timing import MAX_IQR_RATIO, spread
from grader.judging.check import Verdict

_HUGE = 1e12
"""Stand-in for an infinite ratio (a zero-time denominator) when taking quartiles."""


def _show(ratio: float) -> str:
    if ratio >= _HUGE:
        return "inf"
    return f"{ratio:.2f}" if ratio < 1e6 else f"{ratio:.3g}"


def paired_ratios(timings: dict[str, list[float]], numerator: str, denominator: str) -> np.ndarray:
    """numerator[i] / denominator[i] for every round both were measured in (inf for a zero
    denominator)."""
    n = min(len(timings[numerator]), len(timings[denominator]))
    top = np.asarray(timings[numerator][:n], dtype=float)
    bottom = np.asarray(timings[denominator][:n], dtype=float)
    return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.inf)


def judge_ratio(
    timings: Evidence | dict[str, list[float]] | None,
    numerator: str,
    denominator: str,
    *,
    expect_at_least: float,
    max_iqr_ratio: float = MAX_IQR_RATIO,
) -> Verdict:
    """Pass when the paired ratios numerator / denominator clear ``expect_at_least``.

    ``timings`` is the Evidence of a "timing" probe (its note and device go into the
    message) or a plain ``{config: [seconds, ...]}`` whose lists are paired by index.
    Clearly above -> "passed", clearly below -> "failed", straddling -> "skipped" with
    ``needs_review=True`` (never passed, never lost). Raw times noisier than
    ``max_iqr_ratio`` (IQR / median) are mentioned in the message; they do not decide.
    """
    note, device = "", "cpu"
    if isinstance(timings, Evidence):
        note, device, timings = timings.meta.get("note", ""), timings.device, timings.timings
    if timings is None:
        return Verdict("skipped", note or "no timings were recorded: the check is skipped")
    missing = [c for c in (numerator, denominator) if not timings.get(c)]
    if missing:
        return Verdict("error", f"no timings were recorded for {missing}")
    ratios = np.minimum(paired_ratios(timings, numerator, denominator), _HUGE)  # inf - inf
    q1, med, q3 = (float(q) for q in np.percentile(ratios, [25, 50, 75]))
    times = ", ".join(
        f"{c} = {float(np.median(timings[c])):.4g} s" for c in (numerator, denominator)
    )
    text = (
        f"paired ratio {numerator} / {denominator} over {len(ratios)} rounds: median "
        f"{_show(med)}, middle half {_show(q1)} to {_show(q3)} (expected at least "
        f"{expect_at_least:g}); "
        f"median times {times} on {device}"
    )
    noisy = {c: s for c in (numerator, denominator) if (s := spread(timings[c])) > max_iqr_ratio}
    if noisy:
        shown = ", ".join(f"{c}: IQR/median {s:.2f}" for c, s in noisy.items())
        text += f"; the raw times were noisy ({shown}), the paired ratios decide"
    text = f"{text}. {note}" if note else f"{text}."
    if q1 >= expect_at_least:
        return Verdict("passed", text)
    if q3 < expect_at_least:
        return Verdict("failed", text)
    return Verdict(
        "skipped",
        f"{text} The ratios straddle the threshold, so this timing check is undecided: it is "
        "held for review by an instructor (points awarded provisionally), not passed.",
        needs_review=True,
    )
