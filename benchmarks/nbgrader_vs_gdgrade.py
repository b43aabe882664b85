"""gdgrade autograde against nbgrader autograde on the same N submissions, in one run.

Each submission's answer trains a torch linear regression (80 mini-batch steps over 4
epochs); one in five forgets zero_grad, so points differ between students and must agree
between the two graders. Both are timed as whole commands (``commands.py``: ``nbgrader
autograde`` and ``gdgrade autograde``, each a process of its own); prints both wall times
and their ratio (median of --repeats). Then, as a breakdown only, one in-process run of
gdgrade's batch (``split.py``): its start-up and the per-submission overhead beyond the
student's own code.

Run: .venv/bin/python benchmarks/nbgrader_vs_gdgrade.py [--n 40] [--repeats 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from commands import gdgrade_autograde, nbgrader_autograde

from grader.nbgrader_io.release import release, submit
from grader.pipeline.batch import autograde

TRAIN = """import torch


def train(X, y, w0, b0, *, lr, batch_size, epochs, order):
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for epoch in range(epochs):
        for idx in torch.split(torch.as_tensor(order[epoch]), batch_size):
            {zero}
            loss = ((X[idx] @ w + b - y[idx]) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
"""
CHECK = 'from grader import check\ncheck("gd_variants.minibatch", globals())'


def notebook(zero_grad: bool, *, source: bool, code: str | None = None) -> nbformat.NotebookNode:
    """The assignment's notebook (source: with solution and hidden test), or a student's;
    ``code``: the answer cell's code (default: the trainer, with or without zero_grad)."""
    code = code or TRAIN.format(zero="opt.zero_grad()" if zero_grad else "pass")
    answer = nbformat.v4.new_code_cell(
        f"### BEGIN SOLUTION\n{code}### END SOLUTION" if source else code
    )
    answer.metadata["nbgrader"] = {
        "grade_id": "train",
        "solution": True,
        "grade": False,
        "locked": False,
        "schema_version": 3,
    }
    test = nbformat.v4.new_code_cell(
        f"### BEGIN HIDDEN TESTS\n{CHECK}\n### END HIDDEN TESTS" if source else ""
    )
    test.metadata["nbgrader"] = {
        "grade_id": "test_train",
        "solution": False,
        "grade": True,
        "locked": True,
        "points": 3,
        "schema_version": 3,
    }
    nb = nbformat.v4.new_notebook(cells=[answer, test])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def released(root: Path, assignment: str, source: nbformat.NotebookNode) -> None:
    """A course at ``root`` (the shipped nbgrader_config.py) with ``source`` released."""
    (root / "source" / assignment).mkdir(parents=True)
    shutil.copy(Path(__file__).parent.parent / "assignments" / "nbgrader_config.py", root)
    nbformat.write(source, root / "source" / assignment / f"{assignment}.ipynb")
    release(root, assignment)


def submit_mix(
    root: Path,
    assignment: str,
    drafts: dict[str, nbformat.NotebookNode],
    mix: list[str],
    n: int,
) -> None:
    """n submissions: student i hands in the draft ``mix[i % len(mix)]``."""
    for kind, nb in drafts.items():
        (root / "drafts" / kind).mkdir(parents=True)
        nbformat.write(nb, root / "drafts" / kind / f"{assignment}.ipynb")
    for i in range(n):
        draft = root / "drafts" / mix[i % len(mix)] / f"{assignment}.ipynb"
        submit(root, f"s{i:04d}", assignment, draft)


def build(root: Path, n: int) -> Path:
    released(root, "bench", notebook(True, source=True))
    drafts = {"right": notebook(True, source=False), "forgets": notebook(False, source=False)}
    submit_mix(root, "bench", drafts, ["forgets", "right", "right", "right", "right"], n)
    return root


def nbgrader_run(root: Path, assignment: str = "bench") -> tuple[float, dict[str, float]]:
    """``nbgrader autograde`` as a command: its wall time and each student's points."""
    return nbgrader_autograde(root, assignment)


def gdgrade_command(
    root: Path, workers: int, assignment: str = "bench"
) -> tuple[float, dict[str, float]]:
    """``gdgrade autograde`` as a command: its wall time and each student's points."""
    return gdgrade_autograde(root, assignment, workers)


def gdgrade_run(root: Path, workers: int) -> tuple[float, dict[str, float], float]:
    """gdgrade's batch in this process (a breakdown, never a ratio): wall time, each
    student's points, and the sandbox's start-up."""
    from split import Split

    with Split() as split:
        start = time.perf_counter()
        results = autograde(root, ["bench"], workers=workers, force=True)
        wall = time.perf_counter() - start
    return wall, {r.student: r.score for r in results}, split.seconds["start-up"]


def student_seconds() -> float:
    """The student's own code (one train call) in a warm process: the part no grader saves."""
    import numpy as np

    from grader.judging.builders import linreg_problem

    ns: dict = {}
    exec(TRAIN.format(zero="opt.zero_grad()"), ns)
    p = linreg_problem(11, 40, 2, 4)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        ns["train"](
            p["X"],
            p["y"],
            p["w0"],
            0.0,
            lr=0.05,
            batch_size=8,
            epochs=4,
            order=[np.asarray(o) for o in p["permutations"]],
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nb_root = build(Path(tmp) / "nbgrader", args.n)
        gd_root = build(Path(tmp) / "gdgrade", args.n)
        nb_walls, gd_walls = [], []
        for _ in range(args.repeats):
            nb_wall, nb_scores = nbgrader_run(nb_root)
            gd_wall, gd_scores = gdgrade_command(gd_root, args.workers)
            assert nb_scores == gd_scores, "the two graders disagree on points"
            nb_walls.append(nb_wall)
            gd_walls.append(gd_wall)
        inside, _, startup = gdgrade_run(gd_root, args.workers)  # the breakdown
    nb_med, gd_med = statistics.median(nb_walls), statistics.median(gd_walls)
    own = student_seconds()
    print(f"{args.n} submissions, {args.repeats} repeats (medians), gdgrade workers={args.workers}")
    print(f"points agree on every submission: yes ({sorted(set(gd_scores.values()))})")
    print(
        f"nbgrader autograde (command): {nb_med:7.2f} s  ({nb_med / args.n:.3f} s per submission)"
    )
    print(
        f"gdgrade autograde (command):  {gd_med:7.2f} s  ({gd_med / args.n:.3f} s per submission)"
    )
    print(f"summary: speed-up {nb_med / gd_med:.1f}x, whole command against whole command")
    steady = (inside - startup) * args.workers / args.n
    print(
        f"breakdown (in this process, not a ratio): batch {inside:.2f} s of the command's "
        f"{gd_med:.2f} s (the rest: the command's own start); sandbox start-up {startup:.2f} s "
        f"once; after it, per submission per worker {steady:.3f} s: student's own code "
        f"{own:.3f} s, overhead {steady - own:.3f} s (sandbox, judging, all artefacts)"
    )


if __name__ == "__main__":
    main()
