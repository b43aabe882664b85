"""Timing checks: measure configurations in one worker, judge ratios of medians.

Measuring (inside the worker): each configuration is a set of keyword arguments for the
student's function (e.g. one epoch at batch size 1, 32 or N). Every configuration is warmed
up, then timed ``repeats`` times: with CUDA events and ``torch.cuda.synchronize`` on a GPU,
with ``time.perf_counter`` on the CPU. The confidence rule: a configuration whose IQR / median
exceeds ``max_iqr_ratio`` is measured again with twice the repeats, up to ``remeasure``
times; if it is still that noisy the judge reports "skipped" (never a silent pass).

Device: ``options["device"] == "cuda"`` on a machine without CUDA runs on the CPU or skips,
as ``options["on_missing_gpu"]`` ("cpu" or "skip") says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.checks import Verdict
from grader.evidence import Evidence, ProbeRequest

MAX_IQR_RATIO = 0.5
"""Spread (IQR / median) above which a measurement is repeated."""


def resolve_device(options: dict[str, Any]) -> tuple[str | None, str]:
    """The device to time on, or None to skip, and a note for the student."""
    import torch

    wanted = options.get("device", "cpu")
    if wanted != "cuda" or torch.cuda.is_available():
        return wanted, ""
    if options.get("on_missing_gpu", "cpu") == "skip":
        return None, "no GPU on the grading machine: this timing check is skipped"
    return "cpu", "no GPU on the grading machine: timed on the CPU instead"


def spread(times: list[float]) -> float:
    """IQR / median of a list of durations."""
    q1, med, q3 = np.percentile(times, [25, 50, 75])
    return float((q3 - q1) / med) if med > 0 else float("inf")


def _time(fn: Callable[..., Any], kwargs: dict[str, Any], repeats: int) -> list[float]:
    """Seconds per call: CUDA events with synchronisation on a GPU, perf_counter on the CPU."""
    import time

    import torch

    times = []
    for _ in range(repeats):
        if kwargs.get("device") == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize()
            start.record()
            fn(**kwargs)
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end) / 1000)
        else:
            began = time.perf_counter()
            fn(**kwargs)
            times.append(time.perf_counter() - began)
    return times


def measure(fn: Callable[..., Any], request: ProbeRequest) -> tuple[dict | None, str, str]:
    """Time every configuration of ``request.inputs['configs']``: (timings, device, note)."""
    opts = request.options
    device, note = resolve_device(opts)
    if device is None:
        return None, "none", note
    configs: dict[str, dict[str, Any]] = request.inputs["configs"]
    repeats, warmup = int(opts.get("repeats", 5)), int(opts.get("warmup", 1))
    timings: dict[str, list[float]] = {}
    for name, kwargs in configs.items():
        kwargs = {**kwargs, "device": device} if opts.get("pass_device", True) else kwargs
        for _ in range(warmup):
            fn(**kwargs)
        times, n = _time(fn, kwargs, repeats), repeats
        for _ in range(int(opts.get("remeasure", 2))):
            if spread(times) <= float(opts.get("max_iqr_ratio", MAX_IQR_RATIO)):
                break
            n *= 2
            times = _time(fn, kwargs, n)
        timings[name] = times
    return timings, device, note


def judge_ratio(
    evidence: Evidence,
    numerator: str,
    denominator: str,
    *,
    expect_at_least: float,
    max_iqr_ratio: float = MAX_IQR_RATIO,
) -> Verdict:
    """Pass when median(numerator) / median(denominator) >= expect_at_least."""
    note = evidence.meta.get("note", "")
    if evidence.timings is None:
        return Verdict("skipped", note or "no timings were recorded")
    missing = [c for c in (numerator, denominator) if c not in evidence.timings]
    if missing:
        return Verdict("error", f"no timings for {missing}")
    noisy = [c for c in (numerator, denominator) if spread(evidence.timings[c]) > max_iqr_ratio]
    if noisy:
        return Verdict(
            "skipped", f"timings of {noisy} were too noisy to judge (IQR/median > {max_iqr_ratio})"
        )
    top = float(np.median(evidence.timings[numerator]))
    bottom = float(np.median(evidence.timings[denominator]))
    ratio = top / bottom if bottom > 0 else float("inf")
    text = (
        f"median time {numerator} = {top:.4g} s, {denominator} = {bottom:.4g} s: "
        f"ratio {ratio:.2f} (expected at least {expect_at_least:g}) on {evidence.device}"
    )
    text = f"{text}. {note}" if note else text
    return Verdict("passed" if ratio >= expect_at_least else "failed", text)
