"""The student kit of every shipped assignment gives, on every shipped sample, the public
verdicts that ``gdgrade check`` gives, from a terminal and inside the student's own Jupyter.

Each kit is written, as ``gdgrade release`` writes it, into a copy of the assignment's
release folder of the session's released course (tests/course/conftest.py), and run as a
student runs it:

* ``python -m gdgrade_kit check NOTEBOOK`` in that folder, in a Python that has NumPy and
  torch but not gdgrade (tests/grader/test_kit.py's student environment);
* in Jupyter (issue 23): the released notebook with a sample's answers poured into its
  answer cells, executed cell by cell by nbclient in a kernel whose Python is
  ``.venv-student/`` (NumPy, matplotlib, scikit-learn, torch, ipykernel; made once from
  student-requirements.txt, as ``make install`` makes it), so the self-check cells fall
  back to ``gdgrade_kit``; and ``nbgrader validate`` (run from gdgrade's venv) on the
  correct answers, its kernel that same Python.

Two students at a time. ``gdgrade check``'s verdicts come from the function it runs,
``public_checks``, in one warm sandbox.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from grader.evidence import CheckResult
from grader.judging import registry
from grader.nbgrader_io import notebooks
from grader.nbgrader_io.release import nbgrader_env
from grader.outputs.kit import write_kit
from grader.paths import REPO_ROOT
from tests.grader.test_kit import kit_verdicts, student_python

from .conftest import ASSIGNMENTS, samples

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kits(gdgrade_course, tmp_path_factory) -> dict[str, Path]:
    """Assignment -> a student's copy of its release folder, with the kit in it."""
    course = gdgrade_course[0]
    root = tmp_path_factory.mktemp("student")
    found = {}
    for assignment in ASSIGNMENTS:
        folder = root / assignment
        shutil.copytree(course / "release" / assignment, folder)
        found[assignment] = write_kit(course, assignment, folder)
    return found


@pytest.fixture(scope="module")
def kit_results(kits) -> dict[Path, dict[str, str]]:
    """Notebook -> check id -> status, as the kit judges it (two students at a time)."""
    cases = samples()
    with ThreadPoolExecutor(2) as pool:
        found = pool.map(lambda case: kit_verdicts(kits[case[0]], case[2]), cases)
        return {notebook: verdicts for (_, _, notebook), verdicts in zip(cases, found, strict=True)}


@pytest.fixture(scope="module")
def self_check_results() -> dict[Path, dict[str, CheckResult]]:
    """Notebook -> check id -> result, as ``gdgrade check`` judges it."""
    from grader.pipeline.selfcheck import public_checks
    from grader.sandbox.pool import Sandbox

    found = {}
    with Sandbox(workers=1) as sandbox:
        for _, _, notebook in samples():
            found[notebook] = public_checks(notebooks.read(notebook), sandbox)[1]
    return found


@pytest.fixture(scope="module")
def self_check_verdicts(self_check_results) -> dict[Path, dict[str, str]]:
    """Notebook -> check id -> status, as ``gdgrade check`` judges it."""
    return {
        notebook: {cid: r.status for cid, r in results.items()}
        for notebook, results in self_check_results.items()
    }


def test_the_kit_has_no_grader_in_it(kits) -> None:
    for kit in kits.values():
        proc = student_python(kit, "-c", "import grader")
        assert "ModuleNotFoundError" in proc.stderr


@pytest.mark.parametrize(
    ("assignment", "student"), [(a, s) for a, s, _ in samples()], ids=lambda v: v
)
def test_kit_verdicts_equal_gdgrade_check(assignment, student, kit_results, self_check_verdicts):
    (notebook,) = [nb for a, s, nb in samples() if (a, s) == (assignment, student)]
    grader = self_check_verdicts[notebook]
    public = {c.id for c in registry.checks_for(assignment) if not c.hidden}
    assert set(grader) == public  # every public check is judged ...
    assert set(grader.values()) <= {"passed", "failed", "error"}  # ... none skipped
    assert kit_results[notebook] == grader


def test_the_samples_reach_every_verdict(self_check_verdicts) -> None:
    seen = {status for verdicts in self_check_verdicts.values() for status in verdicts.values()}
    assert seen == {"passed", "failed", "error"}  # the comparison above is not all passes


# --- in the student's own Jupyter (issue 23) ------------------------------------------------

STUDENT_VENV = REPO_ROOT / ".venv-student"
"""A student's Python: what student-requirements.txt lists, never gdgrade (git-ignored)."""
REQUIREMENTS = Path(__file__).with_name("student-requirements.txt")
PROBE = (
    "import importlib.util, sys\n"
    "seen = f\"{sys.executable} grader={importlib.util.find_spec('grader')}\"\n"
    'open("kernel.txt", "w").write(seen)'
)
"""A plain cell appended to each notebook: which Python ran it, and whether it could import
gdgrade (written to a file, which ``nbgrader validate`` leaves behind)."""
VERDICT = re.compile(r"\[(passed|failed|error|skipped)\] ")


def student_venv() -> Path:
    """The student venv's Python, made once (``make install`` makes the same; its stamp
    holds the requirement files' text, so an edit to them remakes it)."""
    stamp = STUDENT_VENV / ".installed"
    wanted = REQUIREMENTS.read_text() + (REPO_ROOT / "requirements-torch.txt").read_text()
    python = STUDENT_VENV / "bin" / "python"
    if not (stamp.is_file() and stamp.read_text() == wanted and python.is_file()):
        if not python.is_file():
            subprocess.run([sys._base_executable, "-m", "venv", str(STUDENT_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)]
        subprocess.run(pip, check=True, cwd=REQUIREMENTS.parent)
        stamp.write_text(wanted)
    return python


@pytest.fixture(scope="module")
def student_kernels(tmp_path_factory) -> Path:
    """A Jupyter data folder whose ``python3`` kernel runs the student venv's Python."""
    python = student_venv()
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (student)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return root


def poured(kit: Path, sample: Path, folder: Path) -> Path:
    """A copy of the kit's folder where the released notebook holds the sample's answers,
    and PROBE as its last cell."""
    shutil.copytree(kit, folder)
    (released,) = (p for p in folder.glob("*.ipynb") if p.name == sample.name)
    nb = nbformat.read(released, as_version=4)
    answers = {
        c.grade_id: c.source
        for c in notebooks.cells(notebooks.read(sample))
        if c.kind in ("answer", "manual")
    }
    for record in notebooks.cells(nb):
        if record.kind in ("answer", "manual"):
            nb.cells[record.index].source = answers[record.grade_id]
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    nbformat.write(nb, released)
    return released


def run_in_jupyter(notebook: Path, kernels: Path) -> nbformat.NotebookNode:
    """Execute the notebook as Jupyter does, in the student kernel, from its folder."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    specs = KernelSpecManager(kernel_dirs=[str(kernels / "kernels")])
    km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    home = notebook.parent / ".home"
    home.mkdir()
    env = {"PATH": f"{STUDENT_VENV / 'bin'}:/usr/bin:/bin", "HOME": str(home)}
    client = NotebookClient(
        nb,
        km=km,
        timeout=300,
        allow_errors=True,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    client.execute(env=env)
    return nb


def cell_verdicts(nb: nbformat.NotebookNode) -> dict[str, tuple[str, str]]:
    """Check id -> (status, line) that each public test cell showed when it ran."""
    found = {}
    for record in notebooks.cells(nb):
        if not record.check_ids:
            continue
        (check_id,) = record.check_ids
        outputs = nb.cells[record.index].outputs
        errors = [o for o in outputs if o.output_type == "error"]
        printed = "".join(o.text for o in outputs if o.output_type == "stream")
        if errors:
            (error,) = errors
            assert error.ename == "AssertionError", (check_id, error.ename, error.evalue)
            line = error.evalue
        else:  # the verdict is the last line (the student's function may print first)
            line = printed.strip().splitlines()[-1] if printed.strip() else ""
        match = VERDICT.match(line)
        assert match, (check_id, line)
        found[check_id] = (match.group(1), line)
    return found


@pytest.fixture(scope="module")
def jupyter_runs(kits, student_kernels, tmp_path_factory) -> dict[Path, nbformat.NotebookNode]:
    """Sample -> the released notebook with its answers, as Jupyter left it (two at a time).

    The probe cell's file is read into the notebook's metadata as ``kernel_seen``."""
    root = tmp_path_factory.mktemp("jupyter-students")

    def one(case: tuple[str, str, Path]) -> nbformat.NotebookNode:
        assignment, student, sample = case
        notebook = poured(kits[assignment], sample, root / assignment / student)
        nb = run_in_jupyter(notebook, student_kernels)
        nb.metadata["kernel_seen"] = (notebook.parent / "kernel.txt").read_text()
        return nb

    cases = samples()
    with ThreadPoolExecutor(2) as pool:
        return dict(zip((nb for _, _, nb in cases), pool.map(one, cases), strict=True))


def student_kernel_seen() -> str:
    """What PROBE writes in the student kernel."""
    return f"{STUDENT_VENV / 'bin' / 'python'} grader=None"


@pytest.mark.parametrize(
    ("assignment", "student"), [(a, s) for a, s, _ in samples()], ids=lambda v: v
)
def test_self_check_cells_in_jupyter_equal_gdgrade_check(
    assignment, student, jupyter_runs, self_check_verdicts, self_check_results
) -> None:
    (sample,) = [nb for a, s, nb in samples() if (a, s) == (assignment, student)]
    nb = jupyter_runs[sample]
    assert nb.metadata["kernel_seen"] == student_kernel_seen()  # gdgrade not importable
    outputs = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"])
    assert "No module named 'grader'" not in outputs  # (a crash sample imports numpyy)
    assert "No module named 'gdgrade_kit'" not in outputs
    verdicts = cell_verdicts(nb)
    public = {c.id for c in registry.checks_for(assignment) if not c.hidden}
    assert set(verdicts) == public  # every public cell printed its verdict
    assert {cid: status for cid, (status, _) in verdicts.items()} == self_check_verdicts[sample]
    for cid, (_, line) in verdicts.items():  # a missing function: gdgrade check's words
        feedback = self_check_results[sample][cid].feedback
        if "is not defined: run the cell" in feedback:
            assert line.endswith(f": {feedback}"), (line, feedback)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate_passes_a_correct_notebook_without_gdgrade(
    assignment, kits, student_kernels, tmp_path
) -> None:
    (sample,) = [nb for a, s, nb in samples() if (a, s) == (assignment, "ada_correct")]
    notebook = poured(kits[assignment], sample, tmp_path / assignment)
    env = {**nbgrader_env(), "JUPYTER_PATH": str(student_kernels), "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", str(notebook)],
        cwd=notebook.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (notebook.parent / "kernel.txt").read_text() == student_kernel_seen()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout[-3000:]
