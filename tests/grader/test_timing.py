"""Timing checks: interleaved rounds in one worker, paired ratios, review when undecided,
and the GPU path."""

from __future__ import annotations

import pytest
import torch

from grader.evidence import Evidence, ProbeRequest
from grader.inside.timing import spread
from grader.judging.check import Check
from grader.judging.timing import judge_ratio
from grader.outputs import lms
from grader.outputs.results import CellResult, SubmissionResult

EPOCH = """
import torch
def epoch(batch_size, device="cpu"):
    X = torch.randn(512, 16, device=device)
    w = torch.zeros(16, device=device, requires_grad=True)
    for xb in torch.split(X, batch_size):
        loss = (xb @ w).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            w.grad = None
"""


def timing_request(device: str = "cpu", on_missing_gpu: str = "cpu") -> ProbeRequest:
    return ProbeRequest(
        check_id="t.timing",
        probe="timing",
        target="epoch",
        inputs={"configs": {"B=1": {"batch_size": 1}, "B=512": {"batch_size": 512}}},
        options={"repeats": 5, "device": device, "on_missing_gpu": on_missing_gpu},
    )


def test_small_batches_are_slower_per_epoch(sandbox):
    [ev] = sandbox.run([EPOCH], [timing_request()]).evidence
    verdict = judge_ratio(ev, "B=1", "B=512", expect_at_least=5)
    assert verdict.status == "passed", verdict.feedback
    assert "ratio" in verdict.feedback
    assert judge_ratio(ev, "B=512", "B=1", expect_at_least=1).status == "failed"


def test_paired_ratios_decide_noisy_but_clear_timings():
    # load slowed rounds 1 and 3 for both configurations alike: the raw times are far too
    # noisy for the old ratio-of-medians rule (it skipped this), the paired ratios are not
    timings = {"a": [1.0, 5.0, 0.2, 9.0], "b": [0.1, 0.5, 0.02, 0.9]}
    assert all(spread(t) > 0.5 for t in timings.values())
    passed = judge_ratio(Evidence(check_id="t", timings=timings), "a", "b", expect_at_least=5)
    assert passed.status == "passed" and not passed.needs_review, passed.feedback
    assert "noisy" in passed.feedback and "median 10.00" in passed.feedback
    failed = judge_ratio(timings, "b", "a", expect_at_least=1)
    assert failed.status == "failed" and not failed.needs_review


def test_straddling_ratios_are_undecided_and_held_for_review():
    timings = {"a": [8.0, 12.0, 9.0, 11.0], "b": [1.0, 1.0, 1.0, 1.0]}
    verdict = judge_ratio(timings, "a", "b", expect_at_least=10)
    assert verdict.status == "skipped" and verdict.needs_review
    assert "review" in verdict.feedback and "not passed" in verdict.feedback
    chk = Check(
        id="t.timing",
        name="time per epoch",
        points=2,
        request=lambda: timing_request(),
        judge=lambda req, ev: judge_ratio(ev, "a", "b", expect_at_least=10),
    )
    result = chk.grade(chk.request(), Evidence(check_id="t.timing", timings=timings))
    assert result.needs_review and result.status == "skipped"
    assert result.points == result.max_points == 2  # held: awarded provisionally, not lost
    cell = CellResult(grade_id="t", points=2, max_points=2, status=result.status, checks=[result])
    sub = SubmissionResult(
        student="s", assignment="a", notebook="a", score=2, max_score=2, cells=[cell]
    )
    [test] = lms.classroom(sub)["tests"]
    assert test["status"] != "fail" and "needs review" in test["message"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-GPU fallback")
def test_gpu_config_without_gpu_runs_on_cpu_or_skips_as_configured(sandbox):
    [on_cpu] = sandbox.run([EPOCH], [timing_request("cuda", "cpu")]).evidence
    assert on_cpu.device == "cpu" and "timed on the CPU" in on_cpu.meta["note"]
    [skipped] = sandbox.run([EPOCH], [timing_request("cuda", "skip")]).evidence
    verdict = judge_ratio(skipped, "B=1", "B=512", expect_at_least=5)
    assert verdict.status == "skipped" and "no GPU" in verdict.feedback


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_timing_path(sandbox):
    [ev] = sandbox.run([EPOCH], [timing_request("cuda")]).evidence
    assert ev.device == "cuda"
    assert judge_ratio(ev, "B=1", "B=512", expect_at_least=5).status == "passed"


def _sleeper(seconds, device="cpu"):
    import time

    time.sleep(seconds)


def test_measure_in_process_records_every_config():
    from grader.inside.probes import run

    req = ProbeRequest(
        check_id="t.timing",
        probe="timing",
        target="f",
        inputs={"configs": {"slow": {"seconds": 0.004}, "fast": {"seconds": 0.0005}}},
        options={"repeats": 5, "warmup": 1},
    )
    ev = run(req, {"f": _sleeper})
    assert ev.error is None, ev.error
    assert set(ev.timings) == {"slow", "fast"} and all(len(t) >= 5 for t in ev.timings.values())
    assert judge_ratio(ev.timings, "slow", "fast", expect_at_least=2).status == "passed"


def jittery_clock(monkeypatch, noisy: set[str]) -> list[str]:
    """Replace the CPU clock: configurations named in ``noisy`` alternate 2 s / 0.1 s (always
    noisy), the others take 1 s; returns the names called, in order (no real sleeping, so
    machine load cannot make the test flaky)."""
    import grader.inside.timing as timing

    calls: list[str] = []

    def clock(fn, kwargs, number=1):
        name = kwargs.get("name", "a")
        calls.append(name)
        if name not in noisy:
            return 1.0
        return 2.0 if calls.count(name) % 2 else 0.1

    monkeypatch.setattr(timing, "_time_cpu", clock)
    return calls


def test_noisy_config_is_measured_again_with_more_repeats(monkeypatch):
    from grader.inside.timing import measure

    calls = jittery_clock(monkeypatch, {"a"})
    req = ProbeRequest(
        check_id="t",
        probe="timing",
        target="f",
        inputs={"configs": {"a": {}}},
        options={"repeats": 4, "warmup": 0, "remeasure": 2, "min_seconds": 0},
    )
    timings, _, _ = measure(lambda **kw: None, req)
    assert len(timings["a"]) == 16 and len(calls) == 4 + 8 + 16  # 4, then 8, then 16 rounds


def test_configurations_are_measured_interleaved_round_by_round():
    from grader.inside.timing import measure

    calls: list[str] = []

    def recording(name, device="cpu"):
        calls.append(name)

    configs = {"A": {"name": "A"}, "B": {"name": "B"}, "C": {"name": "C"}}
    req = ProbeRequest(
        check_id="t",
        probe="timing",
        target="f",
        inputs={"configs": configs},
        options={"repeats": 4, "warmup": 1, "remeasure": 0, "min_seconds": 0},
    )
    timings, device, _ = measure(recording, req)
    assert device == "cpu"
    assert calls == ["A", "B", "C"] * (1 + 4)  # one warm-up round, then four timed rounds
    assert {k: len(v) for k, v in timings.items()} == {"A": 4, "B": 4, "C": 4}


def test_noisy_rounds_are_measured_again_for_every_config_alike(monkeypatch):
    from grader.inside.timing import measure

    calls = jittery_clock(monkeypatch, {"A"})
    req = ProbeRequest(
        check_id="t",
        probe="timing",
        target="f",
        inputs={"configs": {"A": {"name": "A"}, "B": {"name": "B"}}},
        options={"repeats": 2, "warmup": 0, "remeasure": 1, "min_seconds": 0},
    )
    timings, _, _ = measure(lambda **kw: None, req)
    assert calls == ["A", "B"] * (2 + 4)  # A is noisy: both measured again, interleaved
    assert len(timings["A"]) == len(timings["B"]) == 4


def test_quick_configs_are_called_several_times_per_measurement(monkeypatch):
    # a 0.25 s "call" under a 1 s window: 4 calls per measurement, still interleaved
    import grader.inside.timing as timing

    seen: list[tuple[str, int]] = []

    def clock(fn, kwargs, number=1):
        seen.append((kwargs["name"], number))
        return {"A": 1.0, "B": 0.25}[kwargs["name"]]

    monkeypatch.setattr(timing, "_time_cpu", clock)
    req = ProbeRequest(
        check_id="t",
        probe="timing",
        target="f",
        inputs={"configs": {"A": {"name": "A"}, "B": {"name": "B"}}},
        options={"repeats": 3, "warmup": 0, "remeasure": 0, "min_seconds": 1.0},
    )
    timings, _, _ = timing.measure(lambda **kw: None, req)
    assert seen == [("A", 1), ("B", 1)] + [("A", 1), ("B", 4)] * 3  # calibration, 3 rounds
    assert timings == {"A": [1.0] * 3, "B": [0.25] * 3}


def test_missing_config_is_an_error_not_a_pass():
    verdict = judge_ratio({"a": [1.0, 1.0]}, "a", "b", expect_at_least=1)
    assert verdict.status == "error" and "b" in verdict.feedback
