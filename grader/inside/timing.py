"""Timing checks: measure configurations in one worker, judge ratios of medians.

Measuring (inside the worker, ``measure``): each configuration in ``inputs["configs"]`` is
a dict of keyword arguments for the student's function (e.g. one epoch at batch size 1, 32
or N). Every configuration is warmed up (``options["warmup"]`` calls), then timed
``options["repeats"]`` times: on the CPU one call per repeat on ``time.perf_counter`` with
torch pinned to one thread (what ``torch.utils.benchmark.Timer`` does, without its two extra
warm-up calls per measurement); on a GPU with CUDA events around each call and
``torch.cuda.synchronize()`` before reading them.

The confidence rule: a configuration whose IQR / median exceeds ``options["max_iqr_ratio"]``
(default ``MAX_IQR_RATIO``) is measured again with twice the repeats, up to
``options["remeasure"]`` times (default ``REMEASURE``). The judgement is trusted-side code,
``grader.judging.timing``.

Device: ``options["device"] == "cuda"`` on a machine without CUDA runs on the CPU or skips,
as ``options["on_missing_gpu"]`` ("cpu", the default, or "skip") says; the device is passed
to the student's function as ``device=`` unless ``options["pass_device"]`` is False.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.evidence import ProbeRequest

MAX_IQR_RATIO = 0.5
"""Spread (IQR / median) above which a measurement is repeated, then judged too noisy."""
REMEASURE = 2
"""How many times a noisy configuration is measured again (each with twice the repeats)."""
REPEATS = 5
"""Timed calls per configuration (first measurement)."""
WARMUP = 1
"""Untimed calls per configuration before timing."""


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
    """IQR / median of a list of durations (inf for an empty list or a zero median)."""
    if not times:
        return float("inf")
    q1, med, q3 = np.percentile(times, [25, 50, 75])
    return float((q3 - q1) / med) if med > 0 else float("inf")


def _time_cpu(fn: Callable[..., Any], kwargs: dict[str, Any], repeats: int) -> list[float]:
    """One call per repeat on ``time.perf_counter`` (torch.utils.benchmark.Timer's CPU
    clock), with torch pinned to one thread as Timer does; Timer itself is not used because
    its ``timeit`` runs two extra warm-up calls per measurement."""
    import time

    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn(**kwargs)
            times.append(time.perf_counter() - start)
        return times
    finally:
        torch.set_num_threads(threads)


def _time_cuda(fn: Callable[..., Any], kwargs: dict[str, Any], repeats: int) -> list[float]:
    import torch

    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        torch.cuda.synchronize()
        start.record()
        fn(**kwargs)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1000.0)  # ms -> s
    return times


def measure(
    fn: Callable[..., Any], request: ProbeRequest
) -> tuple[dict[str, list[float]] | None, str, str]:
    """Time every configuration of ``request.inputs['configs']``: (timings, device, note).

    ``timings`` is None when the check is skipped (no GPU and ``on_missing_gpu == "skip"``).
    """
    opts = request.options
    device, note = resolve_device(opts)
    if device is None:
        return None, "none", note
    clock = _time_cuda if device.startswith("cuda") else _time_cpu
    configs: dict[str, dict[str, Any]] = request.inputs["configs"]
    repeats = int(opts.get("repeats", REPEATS))
    warmup = int(opts.get("warmup", WARMUP))
    limit = float(opts.get("max_iqr_ratio", MAX_IQR_RATIO))
    timings: dict[str, list[float]] = {}
    for name, kwargs in configs.items():
        if opts.get("pass_device", True):
            kwargs = {**kwargs, "device": device}
        for _ in range(warmup):
            fn(**kwargs)
        times, n = clock(fn, kwargs, repeats), repeats
        for _ in range(int(opts.get("remeasure", REMEASURE))):
            if spread(times) <= limit:
                break
            n *= 2
            times = clock(fn, kwargs, n)
        timings[name] = times
    return timings, device, note
