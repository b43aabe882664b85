"""``gdgrade gradescope``: the bundle, unpacked as Gradescope unpacks it, grades a submission.

The zip is unpacked into a temporary root laid out as Gradescope's ``/autograder``
(``source/``, ``run_autograder``, ``submission/``, ``results/``) and ``run_autograder`` runs
there with ``GDGRADE_AUTOGRADER_ROOT`` pointing at it. ``setup.sh`` is not run (it installs
Python packages with apt and pip as root on Gradescope's image): ``GDGRADE_PYTHON`` is this
environment's interpreter, which has every dependency, and setup.sh is only checked by
``bash -n`` and for the torch pin. results.json is validated against a JSON Schema written
from Gradescope's autograder specification (tests/files/gradescope/results.schema.json).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from grader.outputs.gradescope import build_bundle
from grader.paths import COURSE_SOURCE, REPO_ROOT

SCHEMA = json.loads((Path(__file__).parent / "files/gradescope/results.schema.json").read_text())
SAMPLE = COURSE_SOURCE / "samples" / "gd_basics" / "dev_momentum_zero_buffer" / "gd_basics.ipynb"


def _unpack(bundle: Path, root: Path) -> Path:
    """Gradescope's layout: the zip in source/, run_autograder copied to the root."""
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, root / "source"))
            path.chmod((info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return root


def _run(root: Path, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(root),
        "GDGRADE_AUTOGRADER_ROOT": str(root),
        "GDGRADE_PYTHON": python,
    }
    return subprocess.run(
        [root / "run_autograder"], cwd=root, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    exe = Path(sys.executable).parent / "gdgrade"
    subprocess.run([exe, "gradescope", "gd_basics", "--out", str(out)], check=True)
    return out


def test_bundle_holds_the_scripts_and_the_course(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
        config = json.loads(zf.read("gdgrade_bundle.json"))
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    assert "app/assignments/source/gd_basics/gd_basics.ipynb" in names
    assert "app/grader/cli.py" in names and "app/reference/__init__.py" in names
    assert not any("__pycache__" in n or "/samples/" in n for n in names)
    pin = (REPO_ROOT / "requirements-torch.txt").read_text().split()[0]
    assert f'"{pin}" --index-url https://download.pytorch.org/whl/cpu' in setup
    script = tmp_path / "setup.sh"
    script.write_text(setup)
    subprocess.run(["bash", "-n", script], check=True)
    assert config == {
        "assignment": "gd_basics",
        "notebook": "gd_basics.ipynb",
        "hidden_visibility": "after_published",
        "output_format": "text",
    }


def test_visibility_and_format_are_configurable(tmp_path: Path) -> None:
    out = build_bundle(
        "gd_basics", out=tmp_path / "a.zip", hidden_visibility="hidden", output_format="md"
    )
    with zipfile.ZipFile(out) as zf:
        config = json.loads(zf.read("gdgrade_bundle.json"))
    assert config["hidden_visibility"] == "hidden" and config["output_format"] == "md"


@pytest.mark.slow
def test_run_autograder_writes_valid_results(bundle: Path, tmp_path: Path) -> None:
    root = _unpack(bundle, tmp_path / "autograder")
    shutil.copy2(SAMPLE, root / "submission" / "gd_basics.ipynb")
    proc = _run(root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"gdgrade from {root / 'source' / 'app' / 'grader'}" in proc.stdout  # not the checkout
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["score"] == 14 and data["output_format"] == "text"
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["test_update"]["visibility"] == "visible"
    momentum = by_name["test_momentum"]
    assert momentum["visibility"] == "after_published" and momentum["score"] == 0
    assert "reference [0.92, -0.6]" in momentum["output"]  # shown once grades are published


def test_a_crashed_grader_still_leaves_results(bundle: Path, tmp_path: Path) -> None:
    root = _unpack(bundle, tmp_path / "autograder")
    proc = _run(root, python="/bin/false")  # the grader dies before writing anything
    assert proc.returncode != 0
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["score"] == 0 and "could not grade" in data["output"]


def test_schema_refuses_what_gradescope_does_not_know() -> None:
    bad = {"score": 1, "tests": [{"score": 1, "visibility": "after_deadline"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1, "output_fromat": "text"}, SCHEMA)
