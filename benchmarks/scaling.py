"""gdgrade autograde on the same assignment at N = 20, 100 and 500 submissions, and nbgrader
autograde at N = 40 in the same run for the ratio.

The assignment is the one of ``nbgrader_vs_gdgrade.py`` (a torch mini-batch trainer, 80
steps, one hidden check). Students are mixed: three in five correct, the others one of three
mistakes (no zero_grad, the loss summed instead of averaged, the learning rate doubled), so
points and feedback plots differ. For each N it prints the wall time, the time per
submission (overall, and after the start-up), the peak memory of the whole process tree
(PSS: this process, the warm process, the zygotes and the notebooks' children) and gdgrade's
time split (``split.py``: start-up once; student code, sandbox, judging and artefacts per
submission, summed over the worker threads). Then whether the cost grew linearly (the
per-submission time after start-up at the largest N against the smallest) and the memory
stayed flat (peak at the largest N against the smallest); these runs are in this process
(a breakdown). The ratio at N = 40 is whole command against whole command (``commands.py``:
``nbgrader autograde`` and ``gdgrade autograde`` as processes), and points must agree with
nbgrader's on every submission of that run.

Run: .venv/bin/python benchmarks/scaling.py [--sizes 20 100 500] [--nbgrader-n 40] [--workers 2]
(``--sizes 3 --nbgrader-n 0`` is the quick check the tests run.)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from commands import gdgrade_autograde
from nbgrader_vs_gdgrade import TRAIN, nbgrader_run, notebook, released, submit_mix
from split import PHASES, Split, TreeMemory

from grader.pipeline.batch import autograde

CORRECT = TRAIN.format(zero="opt.zero_grad()")
VARIANTS = {
    "correct": CORRECT,
    "no zero_grad": TRAIN.format(zero="pass"),
    "loss summed": CORRECT.replace(".mean()", ".sum()"),
    "lr doubled": CORRECT.replace("lr=lr)", "lr=2 * lr)"),
}
MIX = ["correct", "no zero_grad", "correct", "loss summed", "correct", "lr doubled"]
"""Students cycle through this list: half correct, three mistakes."""


def build(root: Path, n: int) -> Path:
    """The course with the assignment released and n submissions of the mix."""
    released(root, "bench", notebook(True, source=True))
    drafts = {kind: notebook(True, source=False, code=code) for kind, code in VARIANTS.items()}
    submit_mix(root, "bench", drafts, MIX, n)
    return root


def gdgrade(root: Path, workers: int) -> dict:
    """One autograde run: wall time, scores, peak tree memory and the split."""
    with TreeMemory() as memory, Split() as split:
        start = time.perf_counter()
        results = autograde(root, ["bench"], workers=workers, force=True)
        wall = time.perf_counter() - start
    n = len(results)
    return {
        "n": n,
        "wall": wall,
        "scores": {r.student: r.score for r in results},
        "peak_mib": memory.peak_mib,
        "startup": split.seconds["start-up"],
        "each": split.per_submission(n),
        "warm": max((w for w, _ in split.started), default=0.0),
        "ready": max((r for _, r in split.started), default=0.0),
    }


def row(run: dict) -> str:
    n, wall, startup = run["n"], run["wall"], run["startup"]
    each = run["each"]
    steady = (wall - startup) / n
    parts = "  ".join(f"{each[p]:.3f}" for p in PHASES if p != "start-up")
    return (
        f"{n:5d} {wall:8.2f} {wall / n:8.3f} {steady:8.3f} {run['peak_mib']:8.0f} "
        f"{startup:7.2f}  {parts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100, 500])
    parser.add_argument("--nbgrader-n", type=int, default=40, help="0: skip nbgrader")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ratio_line = agree_line = ""
        if args.nbgrader_n:
            n = args.nbgrader_n
            nb_wall, nb_scores = nbgrader_run(build(Path(tmp) / "nbgrader", n))
            gd40 = build(Path(tmp) / "gdgrade40", n)
            gd_wall, gd_scores = gdgrade_autograde(gd40, "bench", args.workers)
            agree = nb_scores == gd_scores
            agree_line = f"points agree with nbgrader on all {n}: {'yes' if agree else 'NO'}"
            ratio_line = (
                f"summary: N = {n}, commands: nbgrader autograde {nb_wall:.2f} s "
                f"({nb_wall / n:.3f} s each), gdgrade autograde {gd_wall:.2f} s "
                f"({gd_wall / n:.3f} s each): {nb_wall / gd_wall:.1f}x"
            )
        runs = [gdgrade(build(Path(tmp) / f"n{n}", n), args.workers) for n in args.sizes]
    print(f"gdgrade autograde, workers={args.workers}, python {sys.version.split()[0]}")
    print(
        "    N   wall s  s/sub  s/sub*  peakMiB  start s  "
        + "  ".join(p for p in PHASES if p != "start-up")
        + "  (s per submission)"
    )
    for run in runs:
        print(row(run))
    print("s/sub* = (wall - start-up) / N; peak = PSS of the whole process tree")
    first, last = runs[0], runs[-1]
    print(
        f"warm process: {last['warm']:.2f} s once; a forked worker ready in "
        f"{max(r['ready'] for r in runs):.3f} s (slowest of the runs)"
    )
    if len(runs) > 1:
        per = [(r["wall"] - r["startup"]) / r["n"] for r in (first, last)]
        print(
            f"linear: s/sub* at N = {last['n']} / at N = {first['n']} = {per[1] / per[0]:.2f}; "
            f"memory: peak at N = {last['n']} / at N = {first['n']} = "
            f"{last['peak_mib'] / first['peak_mib']:.2f}"
        )
    if ratio_line:
        print(ratio_line)
        print(agree_line)


if __name__ == "__main__":
    main()
