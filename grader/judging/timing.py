"""Timing judgement: ratios of medians of configurations measured in one worker.

The measurement runs inside the sandbox (``grader.inside.timing.measure``); this side
compares medians, and if either configuration is still noisier than its ``max_iqr_ratio``
the verdict is "skipped" with a message, never a silent pass.
"""

from __future__ import annotations

import numpy as np

from grader.evidence import Evidence
from grader.inside.timing import MAX_IQR_RATIO, spread
from grader.judging.check import Verdict


def judge_ratio(
    timings: Evidence | dict[str, list[float]] | None,
    numerator: str,
    denominator: str,
    *,
    expect_at_least: float,
    max_iqr_ratio: float = MAX_IQR_RATIO,
) -> Verdict:
    """Pass when median(numerator) / median(denominator) >= expect_at_least.

    ``timings`` is the Evidence of a "timing" probe (its note and device go into the
    message) or a plain ``{config: [seconds, ...]}``. Too noisy -> "skipped", never passed.
    """
    note, device = "", "cpu"
    if isinstance(timings, Evidence):
        note, device, timings = timings.meta.get("note", ""), timings.device, timings.timings
    if timings is None:
        return Verdict("skipped", note or "no timings were recorded: the check is skipped")
    missing = [c for c in (numerator, denominator) if not timings.get(c)]
    if missing:
        return Verdict("error", f"no timings were recorded for {missing}")
    noisy = {c: spread(timings[c]) for c in (numerator, denominator)}
    noisy = {c: s for c, s in noisy.items() if s > max_iqr_ratio}
    if noisy:
        shown = ", ".join(f"{c}: IQR/median {s:.2f}" for c, s in noisy.items())
        return Verdict(
            "skipped",
            f"the timings were too noisy to judge ({shown} > {max_iqr_ratio}) even after "
            "measuring again; this check is skipped, not passed",
        )
    top, bottom = float(np.median(timings[numerator])), float(np.median(timings[denominator]))
    ratio = top / bottom if bottom > 0 else float("inf")
    text = (
        f"median time {numerator} = {top:.4g} s, {denominator} = {bottom:.4g} s: "
        f"ratio {ratio:.2f} (expected at least {expect_at_least:g}) on {device}"
    )
    text = f"{text}. {note}" if note else text
    return Verdict("passed" if ratio >= expect_at_least else "failed", text)
