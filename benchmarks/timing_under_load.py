"""The gd_variants timing check graded again and again while another process burns a core.

Run: .venv/bin/python benchmarks/timing_under_load.py [--n 20] [--burners 1]

Grades ``--n`` times a correct ``epoch`` (the course's reference answer) and a
deliberately slow one (its B = 256 path does one forward and backward pass per sample, so it
is as slow per sample as B = 1) through the real sandbox with the real course check:
``registry.get("gd_variants.time_per_epoch")``, ``Sandbox.run(sources, [check.request()])``,
then ``check.grade(request, evidence)``. Meanwhile ``--burners`` busy-loop subprocesses
started here burn a core each (one of the two on the grading machine by default).

It prints, per submission, how many gradings passed, failed or were held for review, and
the median (over the gradings) of the median paired ratio B=1 / B=256; next to it, what the
rule before interleaved pairing (ratio of the medians, "skipped" when either
configuration's IQR / median exceeded 0.5) would have decided on the same timings. Target:
the correct answer passes n/n, the slow one fails n/n, none held.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter

import numpy as np

from grader.inside.timing import MAX_IQR_RATIO, spread
from grader.judging import registry
from grader.judging.timing import paired_ratios
from grader.sandbox.pool import Sandbox

DATA = "import torch\n\nX_time = torch.randn(256, 32)\ny_time = torch.randn(256)\n"
CORRECT = """
def epoch(batch_size, device="cpu"):
    X, y = X_time.to(device), y_time.to(device)
    w = torch.zeros(32, device=device, requires_grad=True)
    for start in range(0, len(X), batch_size):
        loss = (X[start : start + batch_size] @ w - y[start : start + batch_size]).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            w.grad = None
"""
SLOW = """
def epoch(batch_size, device="cpu"):
    X, y = X_time.to(device), y_time.to(device)
    w = torch.zeros(32, device=device, requires_grad=True)
    for start in range(0, len(X), batch_size):
        xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        for i in range(len(xb)):  # one sample at a time: B = 256 costs what B = 1 does
            ((xb[i] @ w - yb[i]).pow(2) / len(xb)).backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            w.grad = None
"""
BURN = "while True:\n    pass\n"


def old_rule(timings: dict[str, list[float]], expect_at_least: float = 10) -> str:
    """The verdict of the ratio-of-medians rule this benchmark was written against."""
    if any(spread(timings[c]) > MAX_IQR_RATIO for c in ("B=1", "B=256")):
        return "skipped"
    ratio = float(np.median(timings["B=1"]) / np.median(timings["B=256"]))
    return "passed" if ratio >= expect_at_least else "failed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20, help="gradings per submission")
    parser.add_argument("--burners", type=int, default=1, help="busy-loop processes")
    args = parser.parse_args()
    check = registry.get("gd_variants.time_per_epoch")
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(args.burners)]
    start = time.perf_counter()
    try:
        with Sandbox(workers=1) as sandbox:
            startup = time.perf_counter() - start
            rows = {}
            for name, answer in (("correct", CORRECT), ("slow", SLOW)):
                verdicts: Counter[str] = Counter()
                old: Counter[str] = Counter()
                ratios, rounds = [], []
                for _ in range(args.n):
                    request = check.request()
                    record = sandbox.run([DATA, answer], [request])
                    [evidence] = record.evidence
                    result = check.grade(request, evidence)
                    verdicts["held" if result.needs_review else result.status] += 1
                    if evidence.timings:
                        ratios.append(
                            float(np.median(paired_ratios(evidence.timings, "B=1", "B=256")))
                        )
                        rounds.append(len(evidence.timings["B=1"]))
                        old[old_rule(evidence.timings)] += 1
                rows[name] = (verdicts, old, ratios, rounds)
    finally:
        for proc in burners:
            proc.kill()
            proc.wait()
    seconds = time.perf_counter() - start
    print(
        f"gd_variants.time_per_epoch, {args.n} gradings each, {args.burners} busy-loop "
        f"process(es) running, python {sys.version.split()[0]}, {seconds:.0f} s in all "
        f"(sandbox start-up {startup:.0f} s)"
    )
    for name, (verdicts, old, ratios, rounds) in rows.items():
        shown = ", ".join(f"{k} {verdicts[k]}/{args.n}" for k in ("passed", "failed", "held"))
        others = {k: v for k, v in verdicts.items() if k not in ("passed", "failed", "held")}
        shown += "".join(f", {k} {v}/{args.n}" for k, v in others.items())
        before = ", ".join(f"{k} {v}" for k, v in sorted(old.items()))
        median = statistics.median(ratios) if ratios else float("nan")
        print(
            f"{name:8s} {shown}; median paired ratio {median:.1f} (threshold 10), "
            f"rounds per grading {min(rounds, default=0)}-{max(rounds, default=0)}; "
            f"ratio-of-medians rule on the same timings: {before}"
        )


if __name__ == "__main__":
    main()
