"""Per-submission cost of the warm sandbox against a bare `python -c 'import torch'`.

Run: .venv/bin/python benchmarks/sandbox_overhead.py [--runs 7]

For two notebooks (a trivial one, and one whose answer trains a tiny torch linear model
for 80 mini-batch steps, probed once) it prints the median wall time of ``Sandbox.run``,
the median overhead (wall time minus time in cells and probes: fork, confinement, pipes,
JSON, validation), and the ratio of a bare ``python -c 'import torch'`` subprocess (the
floor for any one-process-per-submission design) to the warm sandbox's wall time. It also
times the same training in a fresh ``python -c`` process (import + torch warm-up + work),
and the trivial notebook in a sandbox without namespaces (``isolate=False``), so the cost
of containment (grader.inside.isolation, the uid switch, the reaper) is measured side by side.
All numbers come from this one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from grader.evidence import ProbeRequest
from grader.sandbox.pool import Sandbox

TRIVIAL = ["def f(a):\n    return 2 * a"]
TRAIN_CODE = (
    "import torch\n"
    "def f(a):\n"
    "    g = torch.Generator().manual_seed(0)\n"
    "    X, y = torch.randn(256, 4, generator=g), torch.randn(256, generator=g)\n"
    "    w = torch.zeros(4, requires_grad=True)\n"
    "    opt = torch.optim.SGD([w], lr=0.05)\n"
    "    for i in range(80):\n"
    "        idx = torch.arange(i % 8 * 32, i % 8 * 32 + 32)\n"
    "        opt.zero_grad()\n"
    "        loss = (X[idx] @ w - y[idx]).pow(2).mean()\n"
    "        loss.backward()\n"
    "        opt.step()\n"
    "    return float(loss.detach())\n"
)
PROBE = [ProbeRequest(check_id="b.f", probe="call", target="f", inputs={"args": [1]})]


def fresh_process(code: str) -> float:
    """Seconds for a new interpreter to run ``code``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="repeats per figure (median)")
    parser.add_argument("--workers", type=int, default=1, help="sandbox worker slots")
    args = parser.parse_args()
    runs = args.runs
    bare = statistics.median(fresh_process("import torch") for _ in range(runs))
    cold_train = statistics.median(fresh_process(TRAIN_CODE + "f(1)") for _ in range(runs))
    start = time.perf_counter()
    with Sandbox(workers=args.workers) as sandbox:
        startup = time.perf_counter() - start
        rows = {}
        for name, cells in (
            ("trivial notebook", TRIVIAL),
            ("80-step torch training", [TRAIN_CODE]),
        ):
            sandbox.run(cells, PROBE)  # not counted: first job after start-up
            records = [sandbox.run(cells, PROBE) for _ in range(runs)]
            assert all(r.status == "ok" and r.evidence[0].error is None for r in records)
            rows[name] = (
                statistics.median(r.seconds for r in records),
                statistics.median(r.overhead_seconds for r in records),
            )
        contained = sandbox.describe_containment()
    with Sandbox(workers=1, isolate=False) as plain:
        plain.run(TRIVIAL, PROBE)
        records = [plain.run(TRIVIAL, PROBE) for _ in range(runs)]
        rows["trivial, no namespaces"] = (
            statistics.median(r.seconds for r in records),
            statistics.median(r.overhead_seconds for r in records),
        )
    print(f"runs per figure: {runs} (medians), python {sys.version.split()[0]}")
    print(contained)
    print(f"bare `python -c 'import torch'`:            {bare:.3f} s")
    print(f"fresh process: import torch + 80-step train: {cold_train:.3f} s")
    print(f"sandbox start-up ({args.workers} warm worker(s), once):    {startup:.3f} s")
    for name, (wall, overhead) in rows.items():
        print(
            f"warm sandbox, {name:24s} wall {wall:.3f} s, overhead {overhead:.3f} s; "
            f"bare import torch / wall = {bare / wall:.1f}x"
        )


if __name__ == "__main__":
    main()
