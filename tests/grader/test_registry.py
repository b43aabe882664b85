"""A course's own checks: ``<course>/checks/<assignment>.py``, written with the public API."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import grader
from grader.errors import ConfigError
from grader.judging import registry


def _course(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / "checks").mkdir(exist_ok=True)
    (tmp_path / "checks" / f"{name}.py").write_text(textwrap.dedent(text))
    return tmp_path


def test_course_checks_load_and_grade(tmp_path: Path) -> None:
    course = _course(
        tmp_path,
        "my_quad",
        """
        from grader import value_check
        value_check("my_quad.step", name="one step", points=2, target="step",
                    args=(3.0, 0.25), expected=lambda: 3.0 - 0.25 * 2 * 3.0)
        """,
    )
    assert registry.load_course(course) == [course / "checks" / "my_quad.py"]
    assert registry.get("my_quad.step").points == 2
    good = grader.run_in_process("my_quad.step", {"step": lambda x, lr: x - lr * 2 * x})
    bad = grader.run_in_process("my_quad.step", {"step": lambda x, lr: x + lr * 2 * x})
    assert (good.status, bad.status) == ("passed", "failed")
    registry.load_course(course)  # a second load is a no-op, not a second import
    assert [c.id for c in registry.checks_for("my_quad")] == ["my_quad.step"]


def test_a_broken_checks_file_names_its_line(tmp_path: Path) -> None:
    course = _course(tmp_path, "broken", "x = 1\nraise ValueError('no such oracle')\n")
    with pytest.raises(ConfigError, match=r"broken\.py:2: ValueError: no such oracle"):
        registry.load_course(course)


def test_public_api_names_resolve() -> None:
    for name in grader.__all__:
        assert getattr(grader, name) is not None, name
    with pytest.raises(AttributeError):
        _ = grader.no_such_name


def test_a_checks_file_loading_in_another_thread_is_waited_for(tmp_path):
    # autograde's grading threads load the course's checks at the same time: the one that
    # finds the file already being run must wait for its checks, not return without them
    import threading
    import time

    path = tmp_path / "checks" / "slow_course.py"
    path.parent.mkdir()
    path.write_text(
        "import time\nfrom grader import Check, register_check\ntime.sleep(0.5)\n"
        "register_check(Check(id='slow_course.one', name='one', points=1,"
        " request=lambda: None, judge=lambda ev: None))\n"
    )
    first = threading.Thread(target=registry.load_file, args=(path,))
    first.start()
    time.sleep(0.1)
    registry.load_file(path)
    seen = "slow_course.one" in registry.CHECKS
    first.join()
    assert seen


LAZY = """
import json, sys
from pathlib import Path
from grader.judging import registry

registry.load_course(Path(sys.argv[1]))  # before any shipped module: its own check wins
checks = {c.id: c for c in registry.checks_for("gd_basics")}
print(json.dumps({
    "shipped": sorted(m for m in sys.modules if m.startswith("grader.course.")),
    "torch": "torch" in sys.modules,
    "name": checks["gd_basics.update_rule"].name,
    "count": len(checks),
}))
"""


def test_only_the_asked_assignment_is_loaded_and_a_course_check_still_wins(
    tmp_path: Path,
) -> None:
    import json
    import subprocess
    import sys

    course = _course(
        tmp_path,
        "gd_basics",
        """
        from grader import value_check
        value_check("gd_basics.update_rule", name="the course's own", points=1,
                    target="step", args=(3.0,), expected=lambda: 3.0)
        """,
    )
    # a fresh process: this one may have imported every shipped module already
    proc = subprocess.run(
        [sys.executable, "-c", LAZY, str(course)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen["shipped"] == ["grader.course.gd_basics"]  # not minibatch_in_action (torch)
    assert not seen["torch"]
    assert seen["name"] == "the course's own"
    assert seen["count"] > 5  # the shipped module's other checks are there
