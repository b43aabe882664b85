"""The student kit: public checks' inputs and answers, a standalone checker, no oracles.

The kit runs in a student environment built here: ``python -S -s`` (no site-packages .pth
files, so the editable install of gdgrade is not on the path) with a PYTHONPATH holding
only the kit folder and the interpreter's site-packages (NumPy, torch), from a working
directory outside the repository.
"""

from __future__ import annotations

import json
import site
import subprocess
import sys
from pathlib import Path

import pytest

from grader.judging import registry
from grader.nbgrader_io import notebooks
from grader.outputs.kit import DATA, MODULE, write_kit
from grader.paths import COURSE_SOURCE

SAMPLES = COURSE_SOURCE / "samples" / "gd_basics"


def student_python(kit: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python as a student who has the kit, NumPy and torch, but not gdgrade."""
    env = {"PYTHONPATH": f"{kit}:{site.getsitepackages()[0]}", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-S", "-s", *args], cwd=kit, env=env, capture_output=True, text=True
    )


def kit_verdicts(kit: Path, notebook: Path) -> dict[str, str]:
    """Check id -> status from ``python -m gdgrade_kit check NOTEBOOK --json``."""
    proc = student_python(kit, "-m", "gdgrade_kit", "check", str(notebook), "--json")
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return write_kit(COURSE_SOURCE, "gd_basics", tmp_path_factory.mktemp("kit") / "gd_basics")


def test_the_kit_holds_public_checks_only(kit: Path) -> None:
    assert sorted(p.name for p in kit.iterdir()) == sorted([DATA, MODULE])
    text = (kit / DATA).read_text()
    entries = json.loads(text)["notebooks"]["gd_basics"]
    public = [c.id for c in registry.checks_for("gd_basics") if not c.hidden]
    hidden = [c.id for c in registry.checks_for("gd_basics") if c.hidden]
    assert [e["id"] for e in entries] == public and hidden
    for check_id in hidden:  # neither the id nor the target of a hidden-only function
        assert f'"{check_id}"' not in text
    assert "is_stable" not in text and "descend_until" not in text
    checker = (kit / MODULE).read_text()
    assert "import grader" not in checker and "from grader" not in checker
    assert "reference" not in checker.replace("the oracles", "")


def test_a_student_cannot_reach_the_oracles_or_a_hidden_verdict(kit: Path) -> None:
    for code in (
        "import grader",
        "import reference",
        "from grader import run_in_process",
        "import gdgrade",
    ):
        proc = student_python(kit, "-c", code)
        assert proc.returncode == 1 and "ModuleNotFoundError" in proc.stderr, code
    proc = student_python(kit, "-c", "import gdgrade_kit, numpy, torch; print('ok')")
    assert proc.stdout.strip() == "ok", proc.stderr
    verdicts = kit_verdicts(kit, SAMPLES / "ada_correct" / "gd_basics.ipynb")
    assert set(verdicts) == {c.id for c in registry.checks_for("gd_basics") if not c.hidden}


def test_kit_verdicts_equal_the_self_check(kit: Path) -> None:
    from grader.pipeline.selfcheck import public_checks
    from grader.sandbox.pool import Sandbox

    with Sandbox(workers=1) as sandbox:
        for notebook in sorted(SAMPLES.glob("*/*.ipynb")):
            _, results = public_checks(notebooks.read(notebook), sandbox)
            grader_verdicts = {cid: r.status for cid, r in results.items()}
            assert kit_verdicts(kit, notebook) == grader_verdicts, notebook.parent.name
            assert set(grader_verdicts.values()) <= {"passed", "failed", "error"}


def test_the_kit_explains_in_the_terminal(kit: Path, tmp_path: Path) -> None:
    stub = tmp_path / "gd_basics.ipynb"
    stub.write_text((SAMPLES / "ada_correct" / "gd_basics.ipynb").read_text())
    nb = json.loads(stub.read_text())
    for cell in nb["cells"]:
        if "def update(" in "".join(cell["source"]):
            cell["source"] = "def update(w, grad, lr):\n    raise NotImplementedError()\n"
    stub.write_text(json.dumps(nb))
    proc = student_python(kit, "gdgrade_kit.py", "check", str(stub))
    assert proc.returncode == 1
    assert "not answered: `update` still raises NotImplementedError" in proc.stdout
    assert "self-checks pass; the hidden tests run when your notebook is graded" in proc.stdout
