"""``gdgrade init DIR``: a new course with one small example assignment.

The course is nbgrader's layout plus one folder of gdgrade's::

    DIR/nbgrader_config.py
    DIR/source/first_steps/first_steps.ipynb   the instructor's notebook (solution, tests)
    DIR/checks/first_steps.py                  its checks and oracle: outside source/, so
                                               nbgrader never releases them
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

from grader.errors import UsageError

EXAMPLE = "first_steps"
"""The example assignment's name."""

CONFIG = """\
# nbgrader configuration of this course (gdgrade reads it too).
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.assignment_id = ""
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
"""

CHECKS = '''\
"""Checks of first_steps. This file stays with the instructor: nbgrader releases only
source/first_steps/, and the student kit gets the public check's inputs and answer only."""

from grader import value_check


def step(x, lr):
    """The oracle: one gradient-descent step on f(x) = x**2 (f'(x) = 2x)."""
    return x - lr * 2 * x


HIDDEN_CASES = [(-2.0, 0.1), (0.0, 0.5), (5.0, 1.5)]

value_check(
    "first_steps.step",
    name="one step from x = 3 with lr = 0.25",
    points=1,
    target="gd_step",
    args=(3.0, 0.25),
    expected=lambda: step(3.0, 0.25),
    hidden=False,  # a public self-check: students run it from the kit
)
value_check(
    "first_steps.step_more",
    name="steps from other points and learning rates",
    points=1,
    target="gd_step",
    calls=[((x, lr), {}) for x, lr in HIDDEN_CASES],
    expected=lambda: [step(x, lr) for x, lr in HIDDEN_CASES],
)
'''

ANSWER = '''\
def gd_step(x, lr):
    """One gradient-descent step on f(x) = x**2 from x with learning rate lr."""
    ### BEGIN SOLUTION
    return x - lr * 2 * x
    ### END SOLUTION
'''

INTRO = """\
# First steps

Gradient descent on $f(x) = x^2$ moves $x$ against the gradient $f'(x) = 2x$:
$x_{k+1} = x_k - \\alpha \\cdot 2 x_k$.

Write `gd_step(x, lr)`, which returns $x_{k+1}$ for $x_k = $ `x` and $\\alpha = $ `lr`.

**Self-checks.** Run the test cell that says *Self-check* once `gd_step` is written: a pass
prints `[passed]`, a failure raises an AssertionError that says `[failed]` or `[error]` and
why. The check comes from `gdgrade_kit.py` and `selfcheck.json`, which must stay beside this
notebook (NumPy is all it needs); `python -m gdgrade_kit check first_steps.ipynb` in a
terminal in this folder runs it too. Hidden tests run when your notebook is graded."""

SELF_CHECK = """\
# Self-check: run this cell. Without gdgrade, gdgrade_kit.py beside this notebook checks.
try:
    from grader import check
except ModuleNotFoundError:
    from gdgrade_kit import check
check("first_steps.step", globals())"""
"""The public test cell: gdgrade's check where gdgrade is installed (grading), else the
student kit's, which gives the same public verdict."""


def _meta(grade_id: str, *, points: float = 0, solution: bool = False) -> dict:
    """nbgrader's cell metadata (schema 3): an answer cell, or a locked graded test cell."""
    if solution:
        return {"grade": False, "grade_id": grade_id, "locked": False, "solution": True}
    return {"grade": True, "grade_id": grade_id, "locked": True, "points": points,
            "solution": False}  # fmt: skip


def example_notebook() -> nbformat.NotebookNode:
    """The example's source notebook: one answer cell, a public and a hidden test cell."""
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell(INTRO),
        v4.new_code_cell(ANSWER.rstrip(), metadata={"nbgrader": _meta("step", solution=True)}),
        v4.new_code_cell(SELF_CHECK, metadata={"nbgrader": _meta("test_step", points=1)}),
        v4.new_code_cell(
            "# Hidden tests run when your notebook is graded.\n### BEGIN HIDDEN TESTS\n"
            'from grader import check\ncheck("first_steps.step_more", globals())\n'
            "### END HIDDEN TESTS",
            metadata={"nbgrader": _meta("test_step_more", points=1)},
        ),
    ]
    for cell in cells:
        if "nbgrader" in cell.metadata:
            cell.metadata["nbgrader"]["schema_version"] = 3
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def create_course(root: Path) -> list[Path]:
    """Write the course into ``root`` (absent or empty); returns the files written."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{root} already exists and is not an empty directory")
    files = {
        root / "nbgrader_config.py": CONFIG.format(course_id=root.resolve().name),
        root / "checks" / f"{EXAMPLE}.py": CHECKS,
        root / "source" / EXAMPLE / f"{EXAMPLE}.ipynb": nbformat.writes(example_notebook()),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def next_steps(root: Path) -> str:
    """The commands that take the course from here to a class report."""
    return textwrap.dedent(f"""\
        next, in {root}:
          gdgrade release {EXAMPLE}     # student notebook + self-check kit -> release/{EXAMPLE}/
          # hand out release/{EXAMPLE}/; collect each student's notebook into
          # submitted/<student>/{EXAMPLE}/{EXAMPLE}.ipynb (nbgrader collect does this)
          gdgrade autograde {EXAMPLE}   # -> autograded/, feedback/, results/, grades.csv
          gdgrade report                  # -> reports/class.html
        add an assignment: source/<name>/<name>.ipynb and its checks in checks/<name>.py""")
