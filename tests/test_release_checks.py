"""``gdgrade release`` stops on an authoring mistake before it writes anything.

Each test starts from ``gdgrade init``'s course, makes one mistake an instructor makes
(a typo in a check's ``target``, in a Mistake's ``family``, a ``simulate`` that cannot run,
no checks file, an oracle the solution fails), runs the real command, and compares the
course's listing before and after: no release folder, no gradebook.db, nothing else.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.pipeline.init import create_course

pytestmark = pytest.mark.slow
GDGRADE = str(Path(sys.executable).with_name("gdgrade"))
CHECKS = Path("checks/first_steps.py")
NOTEBOOK = "source/first_steps/first_steps.ipynb"
HEADER = "gdgrade: error: not released (first_steps), nothing written; "

MISTAKE = """
from grader import Mistake, register_mistake

register_mistake(
    Mistake(
        id="first_steps_uphill",
        title="the step goes uphill (+ instead of -)",
        fix="Subtract the gradient: x - lr * 2 * x.",
        family="{family}",
        simulate=lambda inputs: [x + lr * 2 * x for x, lr in inputs["{key}"]],
    )
)
"""


def gdgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GDGRADE, *args], cwd=cwd, capture_output=True, text=True)


def listing(course: Path) -> list[str]:
    return sorted(str(p.relative_to(course)) for p in course.rglob("*"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new))


def line_of(path: Path, text: str) -> int:
    """The line of ``path`` where ``text`` starts."""
    return path.read_text().split(text)[0].count("\n") + 1


@pytest.fixture
def course(tmp_path: Path) -> Path:
    create_course(tmp_path / "c")
    return tmp_path / "c"


def with_family(course: Path, *, family: str = "first_steps", key: str = "cases") -> None:
    """Give the hidden check a family (its cases) and register one mistake of ``family``."""
    edit(
        course / CHECKS,
        "    expected=lambda: [step(x, lr) for x, lr in HIDDEN_CASES],\n",
        "    expected=lambda: [step(x, lr) for x, lr in HIDDEN_CASES],\n"
        '    family="first_steps",\n'
        '    family_inputs={"cases": HIDDEN_CASES},\n',
    )
    with (course / CHECKS).open("a") as fh:
        fh.write(MISTAKE.format(family=family, key=key))


def stopped(course: Path, *args: str, cwd: Path | None = None) -> str:
    """Run the release that must stop; the error line, after checking nothing was written."""
    before = listing(course)
    proc = gdgrade("release", "first_steps", *args, cwd=cwd or course)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert listing(course) == before
    assert not (course / "release").exists() and not (course / "gradebook.db").exists()
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(HEADER), proc.stderr
    return lines[0].removeprefix(HEADER)


def test_a_typo_in_a_target_names_the_checks_file_line_check_and_field(course: Path) -> None:
    line = line_of(course / CHECKS, 'value_check(\n    "first_steps.step",')
    edit(course / CHECKS, 'target="gd_step",\n    args=(3.0', 'target="gd_stpe",\n    args=(3.0')
    assert stopped(course) == (
        f"{CHECKS}:{line}: check 'first_steps.step': target='gd_stpe' is not defined in "
        f"{NOTEBOOK} (is it a typo?)"
    )


def test_paths_are_named_as_the_course_was(course: Path) -> None:
    line = line_of(course / CHECKS, 'value_check(\n    "first_steps.step_more",')
    edit(course / CHECKS, 'target="gd_step",\n    calls=', 'target="gd_Step",\n    calls=')
    message = stopped(course, "--course", "c", cwd=course.parent)
    assert message.startswith(f"c/{CHECKS}:{line}: check 'first_steps.step_more': ")
    assert f"target='gd_Step' is not defined in c/{NOTEBOOK}" in message


@pytest.mark.parametrize("family", ["first_steps", "first_stpes"])
def test_a_mistake_of_a_family_no_check_uses_stops_release(course: Path, family: str) -> None:
    with_family(course, family=family)
    if family == "first_steps":  # the control: spelled right, it releases
        proc = gdgrade("release", "first_steps", cwd=course)
        assert proc.returncode == 0, proc.stderr
        assert (course / "release/first_steps/selfcheck.json").is_file()
        return
    line = line_of(course / CHECKS, "register_mistake(\n")
    assert stopped(course) == (
        f"{CHECKS}:{line}: Mistake 'first_steps_uphill': family='first_stpes' is used by no "
        "check, so it is never diagnosed (families the checks use: first_steps)"
    )


def test_a_simulate_that_cannot_run_on_its_checks_inputs_stops_release(course: Path) -> None:
    with_family(course, key="case")
    line = line_of(course / CHECKS, "register_mistake(\n")
    assert stopped(course) == (
        f"{CHECKS}:{line}: Mistake 'first_steps_uphill': simulate does not run on the inputs "
        "of its family's checks (check 'first_steps.step_more': KeyError: 'case')"
    )


def test_a_missing_checks_file_is_named_with_the_path_to_create(course: Path) -> None:
    (course / CHECKS).unlink()
    (course / "checks").rmdir()
    assert stopped(course) == (
        f"{CHECKS} does not exist: create it with the checks the test cells call: "
        f"'first_steps.step' ({NOTEBOOK}, cell 'test_step'), "
        f"'first_steps.step_more' ({NOTEBOOK}, cell 'test_step_more')"
    )


def test_a_check_the_notebook_calls_but_the_file_lacks_is_named(course: Path) -> None:
    edit(course / CHECKS, '"first_steps.step_more",', '"first_steps.step_others",')
    assert stopped(course) == (
        f"{NOTEBOOK}, cell 'test_step_more': check 'first_steps.step_more' is not registered "
        f"(checks in {CHECKS}: first_steps.step, first_steps.step_others)"
    )


def test_a_solution_that_fails_its_own_checks_stops_release(course: Path) -> None:
    lines = [
        line_of(course / CHECKS, f'value_check(\n    "first_steps.{name}",')
        for name in ("step", "step_more")
    ]
    edit(course / CHECKS, "    return x - lr * 2 * x\n", "    return x - lr * x\n")  # the oracle
    message = stopped(course)
    for line, name in zip(lines, ("step", "step_more"), strict=True):
        assert (
            f"{CHECKS}:{line}: check 'first_steps.{name}': the solution in {NOTEBOOK} scores 0/1: "
            "gd_step(...) " in message
        )
    assert message.startswith(f"{CHECKS}:{lines[0]}: check 'first_steps.step': ")


def test_a_plain_test_cell_the_solution_fails_names_the_notebook_and_cell(course: Path) -> None:
    import nbformat

    path = course / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    meta = {"grade": True, "grade_id": "test_plain", "locked": True, "points": 1,
            "solution": False, "schema_version": 3}  # fmt: skip
    test = "assert gd_step(1.0, 0.5) == 1.0, 'not a fixed point'"  # it is 0.0
    nb.cells.append(nbformat.v4.new_code_cell(test, metadata={"nbgrader": meta}))
    nbformat.write(nb, path)
    assert stopped(course) == (
        f"{NOTEBOOK}, cell 'test_plain': the solution scores 0/1 on this test cell: "
        "AssertionError: not a fixed point"
    )


def test_a_solution_that_crashes_says_which_cell_raised(course: Path) -> None:
    import nbformat

    path = course / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source = "import first_steps_helpers\n" + answer.source  # a module it never ships
    nbformat.write(nb, path)
    message = stopped(course)
    assert message.startswith(
        f"{NOTEBOOK}: the solution did not run through: cell 'step' raised ModuleNotFoundError: "
        "No module named 'first_steps_helpers'; "
    )
