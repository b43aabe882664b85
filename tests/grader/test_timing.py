"""Timing checks: ratios of medians in one worker, a confidence rule, and the GPU path."""

from __future__ import annotations

import pytest
import torch

from grader.evidence import Evidence, ProbeRequest
from grader.judging.timing import judge_ratio

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


def test_noisy_timings_are_skipped_not_passed():
    ev = Evidence(check_id="t", timings={"a": [1.0, 5.0, 0.2, 9.0], "b": [0.1, 0.1, 0.1, 0.1]})
    verdict = judge_ratio(ev, "a", "b", expect_at_least=2)
    assert verdict.status == "skipped" and "noisy" in verdict.feedback


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


def test_noisy_config_is_measured_again_with_more_repeats():
    from grader.inside.timing import measure

    calls = []

    def jittery(device="cpu"):
        import time

        calls.append(1)
        time.sleep(0.002 if len(calls) % 2 else 0.0001)  # alternating: always noisy

    req = ProbeRequest(
        check_id="t",
        probe="timing",
        target="f",
        inputs={"configs": {"a": {}}},
        options={"repeats": 4, "warmup": 0, "remeasure": 2},
    )
    timings, _, _ = measure(jittery, req)
    assert len(timings["a"]) == 16 and len(calls) >= 4 + 8 + 16  # 4, then 8, then 16 repeats
    assert judge_ratio(timings, "a", "a", expect_at_least=0.5).status == "skipped"


def test_missing_config_is_an_error_not_a_pass():
    verdict = judge_ratio({"a": [1.0, 1.0]}, "a", "b", expect_at_least=1)
    assert verdict.status == "error" and "b" in verdict.feedback
