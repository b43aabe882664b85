"""The public test cell's text: gdgrade's check where gdgrade is installed, the student
kit's where it is not (issue 23), and the one classifier reads it as a check call.

The student side runs in tests/grader/test_kit.py's student environment (a Python with
NumPy and torch, the kit on its path, no gdgrade); the grader side in this process.
"""

from __future__ import annotations

import contextlib
import io
import json
import textwrap
from pathlib import Path

import pytest

from assignments.authoring import build
from grader.nbgrader_io import notebooks, restoration
from grader.outputs.kit import write_kit
from grader.paths import COURSE_SOURCE
from grader.pipeline.init import example_notebook
from tests.grader.test_kit import student_python

CELL = build.test("test_update", "gd_basics.update_rule", 1).source
HIDDEN = build.test("test_more", "gd_basics.update_rule_vector", 1, hidden=True).source
RIGHT = "def update(w, grad, lr):\n    return w - lr * grad\n"
WRONG = "def update(w, grad, lr):\n    return w + lr * grad\n"


def test_the_released_cell_is_a_check_call() -> None:
    assert notebooks.check_ids(CELL) == ["gd_basics.update_rule"]
    assert CELL.startswith(build.SELF_CHECK) and "gdgrade_kit" in CELL
    assert "gdgrade_kit" not in HIDDEN  # hidden tests run with gdgrade only
    assert notebooks.check_ids(restoration.released(HIDDEN)) == []
    assert notebooks.check_ids(HIDDEN) == ["gd_basics.update_rule_vector"]
    init_cells = [c.source for c in example_notebook().cells if c.cell_type == "code"]
    assert notebooks.check_ids(init_cells[1]) == ["first_steps.step"]
    assert "from gdgrade_kit import check" in init_cells[1]


HEAD = (
    "try:\n    from grader import check\n"
    "except ModuleNotFoundError:\n    from gdgrade_kit import check\n"
)
CALL = 'check("a.b", globals())'


@pytest.mark.parametrize(
    ("head", "ids"),
    [
        (HEAD, ["a.b"]),
        (HEAD.replace("ModuleNotFoundError", "ImportError"), ["a.b"]),
        # anything else in the try is code to run, not a check call
        (HEAD + "    x = 1\n", []),
        (HEAD.replace("from gdgrade_kit import check", "import os"), []),
        (HEAD.replace("from gdgrade_kit import", "from os import"), []),
        (HEAD.replace("import check\n", "import check as c\n"), []),
        (HEAD.replace("ModuleNotFoundError:", "ModuleNotFoundError as e:"), []),
        (HEAD.replace("ModuleNotFoundError", "Exception"), []),
        (HEAD + "else:\n    x = 1\n", []),
        (HEAD + "finally:\n    __import__('os')\n", []),
        (
            HEAD.replace(
                "    from grader import check\n", "    from grader import check\n    x = 1\n"
            ),
            [],
        ),
        (HEAD.replace("    from grader import check\n", "    " + HEAD.replace("\n", "\n    ")), []),
    ],
)
def test_only_the_exact_fallback_is_a_check_call(head: str, ids: list[str]) -> None:
    assert notebooks.check_ids(head + CALL) == ids


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return write_kit(COURSE_SOURCE, "gd_basics", tmp_path_factory.mktemp("cell") / "gd_basics")


def run_cell_as_student(kit: Path, answer: str) -> tuple[int, str, str]:
    """The answer, then the self-check cell, in a Python without gdgrade: (rc, out, err)."""
    script = textwrap.dedent(f"""\
        namespace = {{"__name__": "__main__"}}
        exec({answer!r}, namespace)
        exec({CELL!r}, namespace)
        import sys
        print("kit:", sys.modules["gdgrade_kit"].__file__)
        """)
    proc = student_python(kit, "-c", script)
    return proc.returncode, proc.stdout, proc.stderr


def test_without_gdgrade_the_kit_answers_the_cell(kit: Path) -> None:
    rc, out, err = run_cell_as_student(kit, RIGHT)
    assert rc == 0, err
    assert out.splitlines()[0] == "[passed] update rule for one weight: correct"
    assert out.splitlines()[1] == f"kit: {kit / 'gdgrade_kit.py'}"

    rc, out, err = run_cell_as_student(kit, WRONG)
    assert rc == 1 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("AssertionError: [failed] update rule for one weight: ")

    rc, out, err = run_cell_as_student(kit, "pass")
    assert rc == 1
    assert err.strip().splitlines()[-1] == (
        "AssertionError: [error] update rule for one weight: "
        "`update` is not defined: run the cell that defines it and keep the name given in "
        "the notebook."
    )


def test_the_kit_cell_says_what_is_missing(kit: Path, tmp_path: Path) -> None:
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "gdgrade_kit.py").write_text((kit / "gdgrade_kit.py").read_text())
    proc = student_python(lone, "-c", f"exec({RIGHT!r})\n{CELL}")
    assert "FileNotFoundError: gdgrade_kit: no selfcheck.json beside gdgrade_kit.py" in proc.stderr
    proc = student_python(kit, "-c", 'from gdgrade_kit import check\ncheck("gd_basics.x", {})')
    assert "LookupError: gdgrade_kit: selfcheck.json has no self-check 'gd_basics.x'" in (
        proc.stderr
    )
    data = json.loads((kit / "selfcheck.json").read_text())
    assert all(e["id"] != "gd_basics.x" for es in data["notebooks"].values() for e in es)


def test_with_gdgrade_the_full_check_runs() -> None:
    from grader.judging import check as full

    for answer, passes in ((RIGHT, True), (WRONG, False)):
        namespace: dict = {"__name__": "__main__"}
        exec(answer, namespace)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            if passes:
                exec(CELL, namespace)
            else:
                with pytest.raises(AssertionError):
                    exec(CELL, namespace)
        assert namespace["check"] is full.check
        first = out.getvalue().splitlines()[0]
        assert first.startswith("[passed]" if passes else "[failed]"), first
