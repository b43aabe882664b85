"""A plain nbgrader course, graded by nbgrader autograde and by gdgrade as a drop-in autograder.

The assignment uses none of gdgrade's checks: a solution cell where the student writes a
torch mini-batch trainer, and three ordinary nbgrader test cells with ``assert`` statements
(the shapes and number of updates, the loss falls, the weights are recovered). Students
cycle through a correct trainer and four mistakes (no zero_grad, the loss summed instead of
averaged, one epoch short, the cell left unanswered). Both graders get identical copies of
the course; the points must agree on every submission. Both graders are timed as whole
commands (``commands.py``: ``nbgrader autograde`` and ``gdgrade autograde``, each a process
of its own); prints both wall times, the ratio and the time per submission. Then, as a
breakdown only, one in-process run of gdgrade's batch with its split (``split.py``) and the
student's own code (the test cells' calls, timed in a warm process: the part no grader
saves). Last, the floor: the least any grader that runs each submission in a fresh process
forked from a warm one could take on this machine (a torch kernel's imports once, then the
class's own code, each submission in a fresh fork, shared among the workers), and the ratio
that floor would give against nbgrader's time.

Run: .venv/bin/python benchmarks/plain_asserts.py [--n 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from commands import gdgrade_autograde, median_of, timed
from nbgrader_vs_gdgrade import nbgrader_run, released, submit_mix
from split import PHASES, Split

from grader.pipeline.batch import autograde

ASSIGNMENT = "plain"
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}
TRAIN = """import torch


def train(X, y, *, lr, batch_size, epochs, seed):
    g = torch.Generator().manual_seed(seed)
    w = torch.zeros(X.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for epoch in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch_size):
            opt.zero_grad()
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return w.detach(), b.detach(), losses
"""
UNANSWERED = """import torch


def train(X, y, *, lr, batch_size, epochs, seed):
    # YOUR CODE HERE
    raise NotImplementedError()
"""
VARIANTS = {
    "correct": TRAIN,
    "no zero_grad": TRAIN.replace("opt.zero_grad()", "pass"),
    "loss summed": TRAIN.replace(".mean()", ".sum()"),
    "one epoch short": TRAIN.replace("range(epochs)", "range(epochs - 1)"),
    "unanswered": UNANSWERED,
}
MIX = ["correct", "no zero_grad", "correct", "loss summed", "correct", "one epoch short"]
MIX += ["correct", "unanswered"]
DATA = """import torch

g = torch.Generator().manual_seed(0)
X = torch.randn(96, 3, generator=g)
y = X @ torch.tensor([1.5, -2.0, 0.5]) + 0.3 + 0.01 * torch.randn(96, generator=g)
"""
TESTS = {
    "test_shapes": (
        1,
        "w, b, losses = train(X, y, lr=0.05, batch_size=16, epochs=3, seed=1)\n"
        "assert w.shape == (3,) and b.shape == (1,)\n"
        "assert len(losses) == 18, len(losses)",
    ),
    "test_loss_falls": (
        2,
        "w, b, losses = train(X, y, lr=0.05, batch_size=16, epochs=10, seed=2)\n"
        "assert losses[-1] < 0.05 * losses[0], (losses[0], losses[-1])",
    ),
    "test_weights": (
        2,
        "w, b, losses = train(X, y, lr=0.05, batch_size=16, epochs=20, seed=3)\n"
        "assert torch.allclose(w, torch.tensor([1.5, -2.0, 0.5]), atol=0.05), w\n"
        "assert abs(float(b) - 0.3) < 0.05, b",
    ),
}


def _meta(cell: nbformat.NotebookNode, grade_id: str, **kw: object) -> nbformat.NotebookNode:
    cell.metadata["nbgrader"] = {
        "grade_id": grade_id,
        "schema_version": 3,
        "solution": False,
        "grade": False,
        "locked": False,
        **kw,
    }
    return cell


def notebook(answer: str, *, source: bool) -> nbformat.NotebookNode:
    """The source notebook (solution markers around the answer) or a student's."""
    new = nbformat.v4
    code = f"### BEGIN SOLUTION\n{answer}### END SOLUTION" if source else answer
    cells = [
        new.new_markdown_cell("Write `train`: mini-batch SGD on the mean squared error."),
        _meta(new.new_code_cell(code), "train", solution=True),
        _meta(new.new_code_cell(DATA), "data", locked=True),
    ]
    for gid, (points, test) in TESTS.items():
        cells.append(_meta(new.new_code_cell(test), gid, grade=True, locked=True, points=points))
    nb = new.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNEL
    return nb


def build(root: Path, n: int) -> Path:
    """The course, released with nbgrader generate_assignment, with n submissions."""
    released(root, ASSIGNMENT, notebook(TRAIN, source=True))
    drafts = {kind: notebook(code, source=False) for kind, code in VARIANTS.items()}
    submit_mix(root, ASSIGNMENT, drafts, MIX, n)
    return root


def student_seconds() -> float:
    """The test cells' own work for a correct answer, in a warm process (median of 5)."""
    ns: dict = {}
    exec(TRAIN, ns)
    exec(DATA, ns)
    exec(TESTS["test_shapes"][1], ns)  # warm-up
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _points, test in TESTS.values():
            exec(test, ns)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


KERNEL_IMPORTS = "import IPython.core.interactiveshell, numpy, torch, torch._dynamo"
"""What a torch notebook's process imports before its first optimizer step returns (the step
imports torch._dynamo)."""


def import_floor() -> float:
    """Seconds for a Python process to import what a torch kernel needs (median of 3)."""
    return median_of(3, lambda: timed([sys.executable, "-c", KERNEL_IMPORTS]))[0]


def _in_fork(code: str) -> float:
    """The test cells' work for one answer in a fresh fork of this (warm) process."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its answer, the data and the tests, timed
        os.close(read)
        ns: dict = {}
        start = time.perf_counter()
        with contextlib.suppress(Exception):
            exec(code, ns)
            exec(DATA, ns)
        for _points, test in TESTS.values():
            with contextlib.suppress(Exception):
                exec(test, ns)
        os.write(write, f"{time.perf_counter() - start}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        seconds = float(fh.read())
    os.waitpid(pid, 0)
    return seconds


def class_code_in_forks(n: int) -> float:
    """The class's own code per submission (its mix of answers), each in a fresh fork of a
    warm process: the median of 3 passes over the mix."""
    answers = [VARIANTS[MIX[i % len(MIX)]] for i in range(n)]
    return statistics.median(sum(_in_fork(a) for a in answers) / n for _ in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    n = args.n
    with tempfile.TemporaryDirectory() as tmp:
        nb_root, gd_root = build(Path(tmp) / "nbgrader", n), build(Path(tmp) / "gdgrade", n)
        nb_wall, nb_scores = nbgrader_run(nb_root, ASSIGNMENT)
        gd_wall, gd_scores = gdgrade_autograde(gd_root, ASSIGNMENT, args.workers)
        with Split() as split:  # the breakdown, in this process
            start = time.perf_counter()
            autograde(gd_root, [ASSIGNMENT], workers=args.workers, force=True)
            inside = time.perf_counter() - start
    differ = sorted(s for s in nb_scores if nb_scores[s] != gd_scores.get(s))
    own = student_seconds()
    startup = split.seconds["start-up"]
    each = split.per_submission(n)
    print(f"plain nbgrader course (asserts only), {n} submissions, gdgrade workers={args.workers}")
    print(
        f"points agree on every submission: {'yes' if not differ else 'NO: ' + ', '.join(differ)}"
        f" (scores {sorted(set(gd_scores.values()))} of 5)"
    )
    print(f"nbgrader autograde (command): {nb_wall:7.2f} s  ({nb_wall / n:.3f} s each)")
    print(f"gdgrade autograde (command):  {gd_wall:7.2f} s  ({gd_wall / n:.3f} s each)")
    print(f"summary: speed-up {nb_wall / gd_wall:.1f}x, whole command against whole command")
    steady = (inside - startup) * args.workers / n
    print(
        f"breakdown (in this process, not a ratio): batch {inside:.2f} s; sandbox start-up "
        f"{startup:.2f} s once; after it, per submission per worker {steady:.3f} s, student's "
        f"own code {own:.3f} s, overhead {steady - own:.3f} s"
    )
    print(
        "breakdown split, s per submission summed over threads: "
        + ", ".join(f"{p} {each[p]:.3f}" for p in PHASES if p != "start-up")
    )
    imports, code = import_floor(), class_code_in_forks(n)
    floor = imports + n * code / args.workers
    print(
        f"floor (no overhead at all): a torch kernel's imports {imports:.2f} s once, then the "
        f"class's own code in fresh forks {code:.3f} s per submission x {n} / {args.workers} "
        f"workers = {floor:.2f} s: at most {nb_wall / floor:.1f}x; 35x needs "
        f"{nb_wall / 35:.2f} s"
    )


if __name__ == "__main__":
    main()
