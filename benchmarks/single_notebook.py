"""One notebook, as a student waits for it: ``gdgrade grade``, Gradescope's run_autograder and
``nbgrader autograde`` of that one notebook, for each shipped assignment.

The notebook is the assignment's correct sample (``assignments/samples/<a>/ada_correct``; a
mistaken one with ``--sample``). Every timing is a whole command in a process of its own
(``commands.py``):

* ``gdgrade grade NB --assignment A --out DIR`` (a student repository's CI);
* ``bash source/run_autograder`` in Gradescope's /autograder layout, unpacked from the zip
  ``gdgrade gradescope A`` writes and compiled as its setup.sh does;
* ``nbgrader autograde A --force`` on a copy of the shipped course with only that notebook
  submitted (released with ``nbgrader generate_assignment`` first, outside the timing).

Each is run ``--repeats`` times; the medians are compared. The three scores must agree.
Beside them, the floor no grader of that notebook goes under: a Python process that only
imports what the notebook's kernel imports (IPython, the notebook's libraries, and
``torch._dynamo`` with torch, which the first optimizer step imports).

Run: .venv/bin/python benchmarks/single_notebook.py [--repeats 3] [--assignments gd_basics ...]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from commands import (
    gdgrade_grade,
    gradescope_layout,
    median_of,
    nbgrader_autograde,
    run_autograder,
    timed,
)

from grader.nbgrader_io.release import release, submit
from grader.paths import REPO_ROOT
from grader.sandbox import preload

GD_BASICS_TARGET = 2.5
"""Seconds: the most ``gdgrade grade`` of one gd_basics notebook may take (issue 25)."""
GRADESCOPE_TARGET = 4.0
"""Seconds: the most run_autograder may take per submission (issue 25)."""
CHECKOUT_COURSE = REPO_ROOT / "assignments"
"""The shipped course in this checkout, with its samples."""
COPIED = ("nbgrader_config.py", "topics.yaml", "notes", "checks")


def course_with(root: Path, assignment: str, notebook: Path) -> Path:
    """A copy of the shipped course with ``assignment`` released and ``notebook`` submitted
    by one student."""
    root.mkdir(parents=True)
    for name in COPIED:
        path = CHECKOUT_COURSE / name
        if path.is_dir():
            shutil.copytree(path, root / name)
        elif path.is_file():
            shutil.copy(path, root / name)
    shutil.copytree(CHECKOUT_COURSE / "source" / assignment, root / "source" / assignment)
    release(root, assignment)
    submit(root, "ada", assignment, notebook)
    return root


def kernel_imports(a: str, nb: Path) -> str:
    """What the notebook's kernel imports before its cells' own work, as one statement."""
    modules = preload.imported([CHECKOUT_COURSE / "source" / a / f"{a}.ipynb"], [nb])
    if preload.TORCH in {m.split(".")[0] for m in modules}:
        modules.append("torch._dynamo")
    return "; ".join(f"import {m}" for m in ["IPython.core.interactiveshell", *modules])


def measure(a: str, nb: Path, tmp: Path, repeats: int) -> tuple[float, float, float, float, dict]:
    """Median walls of the three commands on one notebook and of its kernel's imports alone,
    and the scores each command gave."""
    scores: dict[str, float] = {}
    out, gs_root = tmp / "out", gradescope_layout(a, tmp / "autograder")
    course = course_with(tmp / "course", a, nb)

    def grade() -> float:
        wall, scores["grade"] = gdgrade_grade(nb, a, out)
        return wall

    def gradescope() -> float:
        wall, scores["gradescope"] = run_autograder(gs_root, nb)
        return wall

    def nbgrader() -> float:
        wall, points = nbgrader_autograde(course, a)
        scores["nbgrader"] = points["ada"]
        return wall

    g, _ = median_of(repeats, grade)
    s, _ = median_of(repeats, gradescope)
    n, _ = median_of(repeats, nbgrader)
    imports = kernel_imports(a, nb)
    f, _ = median_of(repeats, lambda: timed([sys.executable, "-c", imports]))
    return g, s, n, f, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", default="ada_correct", help="samples/<a>/<sample>/")
    parser.add_argument("--assignments", nargs="+", default=None)
    args = parser.parse_args()
    names = args.assignments or sorted(p.name for p in (CHECKOUT_COURSE / "source").iterdir())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for a in names:
            nb = CHECKOUT_COURSE / "samples" / a / args.sample / f"{a}.ipynb"
            rows.append((a, *measure(a, nb, Path(tmp) / a, args.repeats)))
    print(f"one notebook ({args.sample}), whole commands, medians of {args.repeats}")
    print(
        f"{'assignment':28s} {'gdgrade grade':>14s} {'run_autograder':>15s} "
        f"{'nbgrader':>9s} {'imports alone':>14s}  nbgrader/grade  "
        "scores (grade, gradescope, nbgrader)"
    )
    for a, g, s, n, f, sc in rows:
        agree = "agree" if len(set(sc.values())) == 1 else "DIFFER"
        print(
            f"{a:28s} {g:13.2f}s {s:14.2f}s {n:8.2f}s {f:13.2f}s  {n / g:13.1f}x  "
            f"{sc['grade']:g}, {sc['gradescope']:g}, {sc['nbgrader']:g} ({agree})"
        )
    slowest = min(rows, key=lambda r: r[3] / r[1])
    print(
        f"summary: slowest against nbgrader: {slowest[0]} at {slowest[3] / slowest[1]:.1f}x "
        f"(gdgrade grade {slowest[1]:.2f} s, nbgrader autograde {slowest[3]:.2f} s); "
        f"run_autograder at most {max(r[2] for r in rows):.2f} s "
        f"(target <= {GRADESCOPE_TARGET:g} s)"
    )
    print(
        "summary: gdgrade grade above its notebook's imports alone: "
        + ", ".join(f"{r[0]} +{r[1] - r[4]:.2f} s" for r in rows)
    )
    basics = [r for r in rows if r[0] == "gd_basics"]
    if basics:
        print(
            f"summary: gdgrade grade of one gd_basics notebook {basics[0][1]:.2f} s "
            f"(target <= {GD_BASICS_TARGET:g} s)"
        )


if __name__ == "__main__":
    main()
