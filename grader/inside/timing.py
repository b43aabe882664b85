"""Timing checks: measure configurations in one worker, interleaved round by round.

Measuring (inside the worker, ``measure``): each configuration in ``inputs["configs"]`` is
a dict of keyword arguments for the student's function (e.g. one epoch at batch size 1, 32
or N). Every configuration is warmed up (``options["warmup"]`` rounds of one untimed call
each), then timed in ``options["repeats"]`` rounds, interleaved: round ``i`` measures A, B,
C, ... once each, so a burst of machine load hits every configuration of that round alike
and ``timings[name][i]`` of different configurations are paired measurements. One
measurement is one call, or, for a configuration quicker than ``options["min_seconds"]``
(default ``MIN_SECONDS``; one calibration call after the warm-up, not recorded, decides), that
many back-to-back calls as fill it, recorded as seconds per call: a 0.2 ms call would
otherwise be inflated a hundredfold by one preemption. On the CPU each measurement is
timed on ``time.perf_counter`` with torch pinned to one thread (what
``torch.utils.benchmark.Timer`` does, without its two extra warm-up calls per
measurement); on a GPU with CUDA events around each measurement and
``torch.cuda.synchronize()`` before reading them.

The confidence rule: when any configuration's IQR / median exceeds
``options["max_iqr_ratio"]`` (default ``MAX_IQR_RATIO``) all of them are measured again,
interleaved, with twice the rounds, up to ``options["remeasure"]`` times (default
``REMEASURE``); the lists stay aligned round by round. The judgement (of the paired
ratios) is trusted-side code, ``grader.judging.timing``.

Device: ``options["device"] == "cuda"`` on a machine without CUDA runs on the CPU or skips,
as ``options["on_missing_gpu"]`` ("cpu", the default, or "skip") says; the device is passed
to the student's function as ``device=`` unless ``options["pass_device"]`` is False.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from grader.evidence import ProbeRequest

MAX_IQR_RATIO = 0.5
"""Spread (IQR / median) of a configuration's times above which all are measured again."""
REMEASURE = 2
"""How many times noisy timings are measured again (each time with twice the rounds)."""
REPEATS = 5
"""Timed rounds (one call per configuration each) of the first measurement."""
WARMUP = 1
"""Untimed rounds (one call per configuration each) before timing."""
MIN_SECONDS = 0.01
"""Shortest span of one timed measurement: a quicker configuration is called several times
back to back per measurement, so that one preemption by another process inflates it by a
bounded factor rather than a hundredfold (a 0.2 ms call preempted for 8 ms)."""
MAX_CALLS = 10_000
"""Most calls one timed measurement makes."""


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


@contextmanager
def _one_thread(device: str) -> Iterator[None]:
    """Torch pinned to one thread while timing on the CPU (what ``torch.utils.benchmark.Timer``
    does); CUDA timing leaves the thread count alone."""
    import torch

    if device.startswith("cuda"):
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _time_cpu(fn: Callable[..., Any], kwargs: dict[str, Any], number: int = 1) -> float:
    """Seconds per call of ``number`` back-to-back calls on ``time.perf_counter``
    (torch.utils.benchmark.Timer's CPU clock); Timer itself is not used because its
    ``timeit`` runs two extra warm-up calls per measurement."""
    start = time.perf_counter()
    for _ in range(number):
        fn(**kwargs)
    return (time.perf_counter() - start) / number


def _time_cuda(fn: Callable[..., Any], kwargs: dict[str, Any], number: int = 1) -> float:
    """Seconds per call of ``number`` calls between CUDA events, synchronised before and
    after."""
    import torch

    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for _ in range(number):
        fn(**kwargs)
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / 1000.0 / number  # ms -> s


Clock = Callable[[Callable[..., Any], dict[str, Any], int], float]


def _calls_per_measurement(
    clock: Clock, fn: Callable[..., Any], kwargs: dict[str, Any], window: float
) -> int:
    """How many calls one timed measurement makes so that it lasts about ``window`` seconds
    (from one untimed calibration call; 1 when ``window`` is 0 or the call is slower)."""
    if window <= 0:
        return 1
    once = clock(fn, kwargs, 1)
    return max(1, min(MAX_CALLS, math.ceil(window / max(once, 1e-9))))


def _rounds(
    clock: Clock,
    fn: Callable[..., Any],
    configs: dict[str, dict[str, Any]],
    number: dict[str, int],
    rounds: int,
) -> dict[str, list[float]]:
    """``rounds`` rounds of one timed measurement per configuration, interleaved (A, B, A,
    B, ...); each measurement is ``number[name]`` calls, recorded as seconds per call."""
    timings: dict[str, list[float]] = {name: [] for name in configs}
    for _ in range(rounds):
        for name, kwargs in configs.items():
            timings[name].append(clock(fn, kwargs, number[name]))
    return timings


def measure(
    fn: Callable[..., Any], request: ProbeRequest
) -> tuple[dict[str, list[float]] | None, str, str]:
    """Time every configuration of ``request.inputs['configs']``: (timings, device, note).

    ``timings`` is None when the check is skipped (no GPU and ``on_missing_gpu == "skip"``);
    otherwise ``timings[name][i]`` is round ``i`` of configuration ``name`` (seconds per
    call), every list the same length.
    """
    opts = request.options
    device, note = resolve_device(opts)
    if device is None:
        return None, "none", note
    clock = _time_cuda if device.startswith("cuda") else _time_cpu
    configs: dict[str, dict[str, Any]] = request.inputs["configs"]
    if opts.get("pass_device", True):
        configs = {name: {**kwargs, "device": device} for name, kwargs in configs.items()}
    rounds = int(opts.get("repeats", REPEATS))
    limit = float(opts.get("max_iqr_ratio", MAX_IQR_RATIO))
    window = float(opts.get("min_seconds", MIN_SECONDS))
    with _one_thread(device):
        for _ in range(int(opts.get("warmup", WARMUP))):
            for kwargs in configs.values():
                fn(**kwargs)
        number = {
            name: _calls_per_measurement(clock, fn, kw, window) for name, kw in configs.items()
        }
        timings = _rounds(clock, fn, configs, number, rounds)
        for _ in range(int(opts.get("remeasure", REMEASURE))):
            if all(spread(times) <= limit for times in timings.values()):
                break
            rounds *= 2
            timings = _rounds(clock, fn, configs, number, rounds)
    return timings, device, note
