"""The GitHub Classroom template, run as GitHub would run it, on a wheel of this project.

One wheel is built from a copy of the tree and installed in a fresh virtual environment, so
``gdgrade`` there is the packaged one (``grader.__file__`` is checked), not the editable
checkout. The fresh environment borrows the dependencies already installed in this one: each
entry of this interpreter's site-packages (but gdgrade's own and its editable hook) is
linked into the fresh site-packages, so the sandbox meets the layout of a real install
(gdgrade and its dependencies in one site-packages) and nothing is downloaded.

Every ``run:`` step of the workflow then runs in order, under bash as GitHub runs it, with
the workflow's and the step's env. The install step runs for real with ``GDGRADE_SPEC`` set
to the wheel and ``PIP_NO_INDEX=1``: torch and the dependencies are already there, so pip
only installs the wheel. The ``uses:`` steps are stood in for: checkout (the notebook is in
the working directory), setup-python (the fresh environment is first on PATH),
upload-artifact (its path is checked) and the reporter (run for real when
``GDGRADE_CLASSROOM_REPORTER`` names its ``main.js``: the reporter is not on npm, and
github.com cannot be reached here; otherwise its reading is checked field by field).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from grader.judging import registry
from grader.outputs.lms import HIDDEN_NAME, HIDDEN_NOTE
from grader.paths import COURSE_SOURCE, REPO_ROOT
from tests.wheel import build_wheel_venv

TEMPLATE = REPO_ROOT / "ci-templates" / "github-classroom.yml"
SAMPLE = COURSE_SOURCE / "samples" / "gd_basics" / "dev_momentum_zero_buffer" / "gd_basics.ipynb"
HIDDEN_DETAIL = "reference [0.92, -0.6]"
"""What the failing hidden momentum check tells this sample (Gradescope shows it later)."""


def _wheel_venv(work: Path) -> tuple[Path, Path]:
    """(wheel, fresh venv) with the project's dependencies linked in, gdgrade not installed."""
    wheel, venv, _ = build_wheel_venv(work)
    return wheel, venv


def _student_notebook(folder: Path) -> None:
    """The sample, with a first cell importing a library the course's install brings."""
    nb = nbformat.read(SAMPLE, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sklearn.datasets"))
    nbformat.write(nb, folder / "gd_basics.ipynb")


def _expand(text: str, values: dict[str, str]) -> str:
    """Replace ``${{ name }}`` as GitHub would, from ``values``."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: values[m.group(1)], text)


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> tuple[Path, Path]:
    return _wheel_venv(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def classroom_run(tmp_path_factory, wheel_venv) -> dict:
    work = tmp_path_factory.mktemp("classroom")
    repo = work / "student-repo"
    repo.mkdir()
    _student_notebook(repo)  # actions/checkout
    return _run_workflow(work, repo, *wheel_venv)


RENAMED = ("gd_basics (1).ipynb", "notes/draft.ipynb")
"""What a student who renamed the notebook has in the repository instead of gd_basics.ipynb."""


@pytest.fixture(scope="module")
def renamed_run(tmp_path_factory, wheel_venv) -> dict:
    work = tmp_path_factory.mktemp("renamed")
    repo = work / "student-repo"
    (repo / "notes").mkdir(parents=True)
    for name in RENAMED:
        shutil.copyfile(SAMPLE, repo / name)
    return _run_workflow(work, repo, *wheel_venv)


def _run_workflow(work: Path, repo: Path, wheel: Path, venv: Path) -> dict:
    """Every ``run:`` step of the template in ``repo``, as GitHub runs it; each must exit 0."""
    github_output = work / "github_output"
    github_output.touch()
    workflow = yaml.safe_load(TEMPLATE.read_text())
    [job] = workflow["jobs"].values()
    values = {"vars.GDGRADE_SPEC": str(wheel), "vars.GDGRADE_REPO": ""}
    base = {
        **{k: str(v) for k, v in workflow["env"].items()},
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",  # actions/setup-python
        "HOME": str(work),
        "GITHUB_OUTPUT": str(github_output),
        "PIP_NO_INDEX": "1",
    }
    logs = []
    for step in job["steps"]:
        if "run" not in step:
            continue
        env = {**base, **{k: _expand(str(v), values) for k, v in step.get("env", {}).items()}}
        proc = subprocess.run(
            [
                "bash",
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                _expand(step["run"], values),
            ],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, (
            f"{step.get('name')}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
        logs.append(proc.stdout + proc.stderr)
    where = subprocess.check_output(
        [venv / "bin" / "python", "-c", "import grader; print(grader.__file__)"],
        cwd=work,
        text=True,
    )
    outputs = dict(
        line.split("=", 1) for line in github_output.read_text().splitlines() if "=" in line
    )
    return {
        "job": job,
        "repo": repo,
        "venv": venv,
        "where": where,
        "outputs": outputs,
        "logs": logs,
    }


def test_template_is_set_up_for_classroom() -> None:
    workflow = yaml.safe_load(TEMPLATE.read_text())
    [job] = workflow["jobs"].values()
    assert job["timeout-minutes"] <= 30
    steps = {s.get("name") or s["uses"].split("@")[0]: s for s in job["steps"]}
    assert steps["actions/setup-python"]["with"]["cache"] == "pip"
    assert steps["Report to GitHub Classroom"]["if"] == "always()"
    assert steps["Upload feedback"]["with"]["path"] == "grading/feedback.html"
    pin = (REPO_ROOT / "requirements-torch.txt").read_text().split()[0]
    assert workflow["env"]["TORCH"] == pin
    assert "gdgrade/gdgrade" not in TEMPLATE.read_text()  # no placeholder repository


@pytest.mark.slow
def test_every_run_step_grades_from_the_wheel(classroom_run) -> None:
    venv = classroom_run["venv"]
    assert classroom_run["where"].startswith(str(venv)), classroom_run["where"]
    assert str(REPO_ROOT / "grader") not in classroom_run["where"]
    assert ": 14/17 (ok)" in classroom_run["logs"][-1]
    assert (classroom_run["repo"] / "grading" / "feedback.html").is_file()


@pytest.mark.slow
def test_payload_reads_as_the_reporter_reads_it(classroom_run) -> None:
    data = json.loads(base64.b64decode(classroom_run["outputs"]["result"]))
    assert data["version"] == 3 and data["status"] == "fail" and data["max_score"] == 17
    assert sum(t["score"] for t in data["tests"]) == 14  # NotifyClassroom's totalPoints
    for t in data["tests"]:
        assert t["status"] in ("pass", "fail", "error") and isinstance(t["name"], str)
        assert t["line_no"] == 0  # the reporter prints "- line <n>" unless it is 0
        assert re.fullmatch(r"\d+\.\d\ds", t["execution_time"])
        assert t["message"] is None or isinstance(t["message"], str)


@pytest.mark.slow
def test_no_hidden_detail_reaches_the_student(classroom_run) -> None:
    registry.load_builtin()
    hidden_names = [c.name for c in registry.checks_for("gd_basics") if c.hidden]
    assert hidden_names
    payload = base64.b64decode(classroom_run["outputs"]["result"]).decode()
    grading = classroom_run["repo"] / "grading"
    texts = [payload] + [(grading / n).read_text() for n in ("classroom.json", "feedback.html")]
    texts.append(json.dumps(json.loads((grading / "results.json").read_text())))
    for text in texts:
        assert HIDDEN_DETAIL not in text and "Likely mistake" not in text
        for name in hidden_names:
            assert json.dumps(name)[1:-1] not in text, name
    by_name = {t["name"]: t for t in json.loads(payload)["tests"]}
    line = f"{HIDDEN_NAME}: 0/3 (failed); {HIDDEN_NOTE}"
    assert by_name["test_momentum"]["message"] == line


def _reporter(result: str) -> subprocess.CompletedProcess:
    """The real reporter on a step's ``result`` output, as the template's last step runs it."""
    reporter = os.environ.get("GDGRADE_CLASSROOM_REPORTER")
    if not reporter or not shutil.which("node"):
        pytest.skip(
            "set GDGRADE_CLASSROOM_REPORTER to the main.js of "
            "classroom-resources/autograding-grading-reporter (not on npm) to run it"
        )
    env = {"PATH": os.environ["PATH"], "INPUT_RUNNERS": "gdgrade", "GDGRADE_RESULTS": result}
    return subprocess.run(["node", reporter], env=env, capture_output=True, text=True)


@pytest.mark.slow
def test_real_reporter_prints_points(classroom_run) -> None:
    proc = _reporter(classroom_run["outputs"]["result"])
    out = proc.stdout
    assert "::notice title=Autograding complete::Points 14/17" in out, out + proc.stderr
    assert "line null" not in out and " - line " not in out
    assert "✅ test_update" in out and "❌ test_momentum" in out
    assert HIDDEN_DETAIL not in out
    assert proc.returncode == 1  # core.setFailed: some tests failed


def test_missing_notebook_writes_zero_where_classroom_reads_it(tmp_path: Path) -> None:
    # the checked-out gdgrade, run as the template's grade step runs it
    (tmp_path / "GD_basics.ipynb").write_text("{}")
    github_output = tmp_path / "github_output"
    step = ["grade", "gd_basics.ipynb", "--assignment", "gd_basics", "--out", "grading"]
    gdgrade = Path(sys.executable).parent / "gdgrade"
    proc = subprocess.run(
        [gdgrade, *step, "--github-output", github_output],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and ": 0/17 (invalid)" in proc.stdout
    assert "is gd_basics.ipynb" in proc.stderr and "GD_basics.ipynb" in proc.stderr
    [line] = github_output.read_text().splitlines()
    key, value = line.split("=", 1)
    data = json.loads(base64.b64decode(value, validate=True))
    assert key == "result" and data == json.loads((tmp_path / "grading/classroom.json").read_text())
    assert set(data) == {"version", "status", "max_score", "tests"}
    assert (data["version"], data["status"], data["max_score"]) == (3, "fail", 17)
    fields = {"name", "status", "score", "max_score", "message", "line_no", "execution_time"}
    for t in data["tests"]:
        assert set(t) == fields and (t["status"], t["score"], t["line_no"]) == ("error", 0, 0)
        assert "was not found" in t["message"] and "GD_basics.ipynb" in t["message"]
    assert sum(t["max_score"] for t in data["tests"]) == 17
    gradescope = json.loads((tmp_path / "grading/results.json").read_text())
    assert gradescope["score"] == 0 and "GD_basics.ipynb" in gradescope["output"]
    if os.environ.get("GDGRADE_CLASSROOM_REPORTER"):
        out = _reporter(value).stdout
        assert "::notice title=Autograding complete::Points 0/17" in out, out


@pytest.mark.slow
def test_renamed_notebook_is_reported_as_zero_naming_what_was_found(renamed_run) -> None:
    # the grade step exits 0 like any graded notebook: the reporter fails the job
    grading = renamed_run["repo"] / "grading"
    data = json.loads(base64.b64decode(renamed_run["outputs"]["result"]))
    assert (data["version"], data["status"], data["max_score"]) == (3, "fail", 17)
    assert data["tests"] and sum(t["score"] for t in data["tests"]) == 0
    assert json.loads((grading / "classroom.json").read_text()) == data
    gradescope = json.loads((grading / "results.json").read_text())
    assert gradescope["score"] == 0 and gradescope["tests"]
    assert {t["max_score"] for t in gradescope["tests"]} == {t["max_score"] for t in data["tests"]}
    says = [t["message"] for t in data["tests"]] + [gradescope["output"], renamed_run["logs"][-1]]
    for text in says:
        assert "was not found" in text and "is gd_basics.ipynb" in text, text
        assert all(name in text for name in RENAMED), text
    assert (grading / "feedback.html").is_file()
    assert ": 0/17 (invalid)" in renamed_run["logs"][-1]


@pytest.mark.slow
def test_real_reporter_prints_zero_points_and_why(renamed_run) -> None:
    proc = _reporter(renamed_run["outputs"]["result"])
    out = proc.stdout
    assert "::notice title=Autograding complete::Points 0/17" in out, out + proc.stderr
    assert "Unexpected end of JSON input" not in out + proc.stderr
    assert all(name in out for name in RENAMED), out
    assert proc.returncode == 1  # core.setFailed: the job fails, with its Points line
