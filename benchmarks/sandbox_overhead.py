"""Per-submission overhead of the warm sandbox against a bare `python -c 'import torch'`.

Run: .venv/bin/python benchmarks/sandbox_overhead.py [--runs 7]
Prints medians (seconds) and ratios; all numbers come from this one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from grader.evidence import ProbeRequest
from grader.sandbox import Sandbox

TRIVIAL = ["def f(a):\n    return 2 * a"]
TRAIN = [
    "import torch\n"
    "def f(a):\n"
    "    X, y = torch.randn(256, 4), torch.randn(256)\n"
    "    w = torch.zeros(4, requires_grad=True)\n"
    "    opt = torch.optim.SGD([w], lr=0.05)\n"
    "    for i in range(80):\n"
    "        idx = torch.arange(i % 8 * 32, i % 8 * 32 + 32)\n"
    "        opt.zero_grad()\n"
    "        loss = (X[idx] @ w - y[idx]).pow(2).mean()\n"
    "        loss.backward()\n"
    "        opt.step()\n"
    "    return float(loss)"
]
PROBE = [ProbeRequest(check_id="b.f", probe="call", target="f", inputs={"args": [1]})]


def bare_import_torch() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    bare = statistics.median(bare_import_torch() for _ in range(runs))
    start = time.perf_counter()
    with Sandbox(workers=1) as sandbox:
        startup = time.perf_counter() - start
        rows = {}
        for name, cells in (("trivial notebook", TRIVIAL), ("80-step torch training", TRAIN)):
            records = [sandbox.run(cells, PROBE) for _ in range(runs)]
            rows[name] = (
                statistics.median(r.seconds for r in records),
                statistics.median(r.overhead_seconds for r in records),
            )
    print(f"runs per figure: {runs} (medians)")
    print(f"bare `python -c 'import torch'`:      {bare:.3f} s")
    print(f"sandbox start-up (once per worker):   {startup:.3f} s")
    for name, (wall, overhead) in rows.items():
        print(
            f"{name:24s} wall {wall:.3f} s, overhead {overhead:.3f} s, "
            f"bare import / wall = {bare / wall:.1f}x"
        )


if __name__ == "__main__":
    main()
