"""An instructor's own course: ``gdgrade init``, checks beside the assignment in
``checks/<assignment>.py`` that nbgrader never releases, and every grading command
(autograde, grade, check, the pytest plugin) loading them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
GDGRADE = str(Path(sys.executable).with_name("gdgrade"))
ANSWERS = {"ada": "return x - lr * 2 * x", "ben": "return x + lr * 2 * x"}


def gdgrade(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GDGRADE, *args], cwd=cwd, capture_output=True, text=True)


def answered(course: Path, student: str) -> Path:
    """The released notebook with the stub replaced by this student's answer, submitted."""
    released = (course / "release/first_steps/first_steps.ipynb").read_text()
    assert "raise NotImplementedError()" in released
    target = course / "submitted" / student / "first_steps" / "first_steps.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(released.replace("raise NotImplementedError()", ANSWERS[student]))
    return target


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("own")
    made = gdgrade("init", "course", cwd=root)
    assert made.returncode == 0, made.stderr
    course = root / "course"
    released = gdgrade("release", "first_steps", cwd=course)
    assert released.returncode == 0, released.stderr
    return course


def test_init_writes_a_course_and_prints_the_commands(tmp_path: Path) -> None:
    made = gdgrade("init", "c", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    course = tmp_path / "c"
    assert (course / "nbgrader_config.py").is_file()
    assert (course / "checks/first_steps.py").is_file()
    assert (course / "source/first_steps/first_steps.ipynb").is_file()
    for command in ("gdgrade release first_steps", "submitted/<student>/first_steps/",
                    "gdgrade autograde first_steps", "gdgrade report"):  # fmt: skip
        assert command in made.stdout
    again = gdgrade("init", "c", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "gdgrade: error: c already exists and is not an empty directory"
    ]


def test_autograde_before_release_says_what_to_run(tmp_path: Path) -> None:
    assert gdgrade("init", "c", cwd=tmp_path).returncode == 0
    course = tmp_path / "c"
    nothing = gdgrade("autograde", cwd=course)  # nothing submitted yet either
    assert nothing.returncode == 2 and nothing.stdout == ""
    assert nothing.stderr.strip().splitlines() == [
        "gdgrade: error: assignment 'first_steps' is not released yet and nothing is "
        "submitted: run `gdgrade release first_steps --course .`, then collect the "
        "students' notebooks into submitted/<student>/first_steps/"
    ]
    folder = course / "submitted/ada/first_steps"
    folder.mkdir(parents=True)
    (folder / "first_steps.ipynb").write_text(
        (course / "source/first_steps/first_steps.ipynb").read_text()
    )
    proc = gdgrade("autograde", cwd=course)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "gdgrade: error: assignment 'first_steps' is not released yet: "
        "run `gdgrade release first_steps --course .` first"
    ]
    assert not (course / "results").exists()


def test_release_ships_the_notebook_and_kit_but_not_the_checks(course: Path) -> None:
    shipped = sorted(str(p.relative_to(course)) for p in (course / "release").rglob("*"))
    assert shipped == [
        "release/first_steps",
        "release/first_steps/first_steps.ipynb",
        "release/first_steps/gdgrade_kit.py",
        "release/first_steps/selfcheck.json",
    ]
    for path in (course / "release").rglob("*.*"):
        text = path.read_text()
        for private in ("first_steps.step_more", "HIDDEN_CASES", "def step(", "BEGIN SOLUTION"):
            assert private not in text, (path.name, private)
    kit = json.loads((course / "release/first_steps/selfcheck.json").read_text())
    assert [e["id"] for e in kit["notebooks"]["first_steps"]] == ["first_steps.step"]
    assert kit["notebooks"]["first_steps"][0]["expected"] == 1.5


def test_autograde_with_nothing_submitted_says_so_in_one_line(course: Path, tmp_path: Path) -> None:
    empty = tmp_path / "c"
    shutil.copytree(course, empty, ignore=shutil.ignore_patterns("submitted"))
    for args in (["autograde"], ["autograde", "first_steps"]):
        proc = gdgrade(*args, cwd=empty)
        assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
        assert proc.stdout.splitlines() == [
            "nothing to grade: no submissions in submitted/<student>/first_steps/ yet "
            "(nbgrader collect puts them there)"
        ]
    assert not (empty / "results").exists() and not (empty / "autograded").exists()


def test_release_notebook_kit_and_cited_notes_go_where_the_config_names(tmp_path: Path) -> None:
    assert gdgrade("init", "c", cwd=tmp_path).returncode == 0
    course = tmp_path / "c"
    with (course / "nbgrader_config.py").open("a") as fh:
        fh.write('c.CourseDirectory.release_directory = "handout"\n')
    source = course / "source/first_steps/first_steps.ipynb"
    nb = json.loads(source.read_text())
    nb["cells"][0]["source"] += "\n\nSee `01-steps.md`, and `02-later.md` (not written yet)."
    source.write_text(json.dumps(nb))
    (course / "notes").mkdir()
    (course / "notes/01-steps.md").write_text("# Steps\n")
    (course / "notes/03-uncited.md").write_text("# Not cited\n")

    proc = gdgrade("release", "first_steps", cwd=course)
    assert proc.returncode == 0, proc.stderr
    assert not (course / "release").exists()
    assert sorted(p.name for p in (course / "handout/first_steps").iterdir()) == [
        "01-steps.md",
        "first_steps.ipynb",
        "gdgrade_kit.py",
        "selfcheck.json",
    ]
    assert (course / "handout/first_steps/01-steps.md").read_text() == "# Steps\n"
    assert "handout/first_steps" in proc.stdout
    assert proc.stderr.splitlines() == ["warning: first_steps cites 02-later.md, not in notes/"]


def test_every_grading_command_loads_the_course_checks(course: Path, tmp_path: Path) -> None:
    notebooks = {s: answered(course, s) for s in ANSWERS}

    graded = gdgrade("autograde", "first_steps", cwd=course)
    assert graded.returncode == 0, graded.stderr
    for student, status in (("ada", "passed"), ("ben", "failed")):
        result = json.loads((course / f"results/{student}/first_steps/gdgrade.json").read_text())
        checks = {c["check_id"]: c["status"] for cell in result["cells"] for c in cell["checks"]}
        assert checks == {"first_steps.step": status, "first_steps.step_more": status}

    source = course / "source/first_steps/first_steps.ipynb"
    one = gdgrade(
        "grade", str(notebooks["ada"]), "--assignment", "first_steps",
        "--source", str(source), "--out", str(tmp_path / "out"), cwd=tmp_path,
    )  # fmt: skip
    assert one.returncode == 0 and "2/2" in one.stdout, one.stdout + one.stderr

    mine = gdgrade("check", str(notebooks["ben"]), cwd=course)
    assert mine.returncode == 1 and "one step from x = 3 with lr = 0.25" in mine.stdout
    assert "step_more" not in mine.stdout and "other points" not in mine.stdout

    tests = course / "tests"
    tests.mkdir()
    (tests / "test_first_steps.py").write_text(
        "def test_step_more(submission):\n"
        "    result = submission.check('first_steps.step_more')\n"
        "    assert result.status == 'passed', result.feedback\n"
    )
    plugin = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--submission", str(notebooks["ada"]), "--assignment", "first_steps", "tests"],
        cwd=course, capture_output=True, text=True,
    )  # fmt: skip
    assert plugin.returncode == 0, plugin.stdout[-2000:]
