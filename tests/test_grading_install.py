"""A grading install carries no solutions (issue 24, problem 6).

What student CI installs (the wheel of the Classroom template) and what the Gradescope
bundle unpacks hold the checks and oracles, and of the course only a copy of the source
notebooks without solutions (``grader/course/shipped``, written by
``grader.nbgrader_io.grading_copy`` with nbgrader's own ClearSolutions). The wheel is built
with ``pip wheel --no-deps`` from a copy of the tree, installed with pip into a fresh
virtual environment (dependencies linked in from this one, as tests/test_classroom_template.py
does), searched for every solution region of the sources and every sample answer cell, and
used to grade a correct notebook with ``gdgrade grade``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from grader.nbgrader_io import grading_copy, restoration
from grader.outputs.gradescope import build_bundle
from grader.paths import CHECKOUT_COURSE, PACKAGED_COURSE, REPO_ROOT
from tests.wheel import build_wheel_venv

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
REGENERATE = "python -m grader.nbgrader_io.grading_copy"


def _answer_cells(nb: nbformat.NotebookNode) -> dict[str, str]:
    """grade_id -> source of each answer (solution) cell."""
    return {
        c.metadata.nbgrader["grade_id"]: c.source.strip()
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def secrets() -> dict[str, str]:
    """What no grading install may hold: label -> text. Each solution region of a source
    notebook, and each sample's answer cell that is not the released stub."""
    found: dict[str, str] = {}
    for source in sorted((CHECKOUT_COURSE / "source").glob("*/*.ipynb")):
        nb = nbformat.read(source, as_version=4)
        for cell in nb.cells:
            for i, region in enumerate(SOLUTION.findall(cell.source)):
                if region.strip():
                    found[f"{source.name}:{cell.metadata.nbgrader['grade_id']}:{i}"] = region
    stubs: dict[str, str] = {}
    for nb_path in sorted(PACKAGED_COURSE.glob("source/*/*.ipynb")):
        stubs.update(_answer_cells(nbformat.read(nb_path, as_version=4)))
    for sample in sorted((CHECKOUT_COURSE / "samples").glob("*/*/*.ipynb")):
        for gid, text in _answer_cells(nbformat.read(sample, as_version=4)).items():
            if text and text != stubs.get(gid):
                found[f"{sample.parent.name}/{sample.name}:{gid}"] = text
    return found


def _texts(name: str, data: bytes) -> list[str]:
    """A file's text, and for a notebook also each cell's source as the notebook reads."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    texts = [text]
    if name.endswith(".ipynb"):
        texts += [c.source for c in nbformat.reads(text, as_version=4).cells]
    return texts


def leaks(files: dict[str, bytes]) -> list[str]:
    """'<file>: <what>' for each secret found in ``files`` and each notebook that still has
    a solution region (``gdgrade init``'s example in grader/pipeline/init.py may show one)."""
    wanted = secrets()
    found = []
    for name, data in sorted(files.items()):
        for text in _texts(name, data):
            if name.endswith(".ipynb") and "BEGIN SOLUTION" in text:
                found.append(f"{name}: BEGIN SOLUTION")
            found += [f"{name}: {label}" for label, s in wanted.items() if s.strip() in text]
    return sorted(set(found))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_leak_finder_finds_what_a_checkout_holds() -> None:
    """The control: the checkout's course holds every secret, and the finder says so."""
    wanted = secrets()
    assert len(wanted) > 60  # 39 solution regions, and the samples' answers
    found = leaks(_tree(CHECKOUT_COURSE))
    for label in wanted:
        assert any(line.endswith(f": {label}") for line in found), label


def test_packaged_course_is_the_grading_copy_of_the_sources() -> None:
    expected = grading_copy.course_files(CHECKOUT_COURSE)
    committed = {k: v.decode() for k, v in _tree(PACKAGED_COURSE).items()}
    assert sorted(committed) == sorted(expected), f"out of step: run {REGENERATE}"
    stale = [name for name, text in expected.items() if committed[name] != text]
    assert not stale, f"{stale} out of step with assignments/: run {REGENERATE}"
    assert leaks(_tree(PACKAGED_COURSE)) == []


def test_grading_copy_is_what_nbgrader_releases_with_hidden_tests() -> None:
    """Every cell but the answers is the source's (hidden tests included); each answer is
    the release's stub, as nbgrader generate_assignment writes it."""
    for source in sorted((CHECKOUT_COURSE / "source").glob("*/*.ipynb")):
        src = nbformat.read(source, as_version=4)
        copy = nbformat.read(PACKAGED_COURSE / source.relative_to(CHECKOUT_COURSE), 4)
        assert len(copy.cells) == len(src.cells)
        for mine, theirs in zip(copy.cells, src.cells, strict=True):
            assert mine.metadata.get("nbgrader") == theirs.metadata.get("nbgrader")
            if theirs.metadata.get("nbgrader", {}).get("solution"):
                assert "# YOUR CODE HERE\nraise NotImplementedError()" in re.sub(
                    r"\n\s+", "\n", mine.source
                )
            else:
                assert mine.source == theirs.source
        hidden = sum("BEGIN HIDDEN TESTS" in c.source for c in src.cells)
        assert hidden and hidden == sum("BEGIN HIDDEN TESTS" in c.source for c in copy.cells)


@pytest.mark.parametrize("sample", sorted((CHECKOUT_COURSE / "samples").glob("*/*/*.ipynb")))
def test_restoration_from_the_copy_equals_restoration_from_the_source(sample: Path) -> None:
    assignment = sample.parent.parent.name
    submission = nbformat.read(sample, as_version=4)
    src = nbformat.read(CHECKOUT_COURSE / "source" / assignment / sample.name, 4)
    copy = nbformat.read(PACKAGED_COURSE / "source" / assignment / sample.name, 4)
    assert restoration.restore(submission, copy) == restoration.restore(submission, src)


def test_grading_copy_of_a_course_by_command(tmp_path: Path) -> None:
    out = tmp_path / "copy"
    grading_copy.main([str(CHECKOUT_COURSE), str(out)])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        grading_copy.course_files(CHECKOUT_COURSE)
    )
    with pytest.raises(SystemExit, match="is not empty"):
        grading_copy.main([str(CHECKOUT_COURSE), str(out)])  # never removes a folder it is given


def test_classroom_template_installs_a_wheel_not_the_repository() -> None:
    text = (REPO_ROOT / "ci-templates" / "github-classroom.yml").read_text()
    install = next(
        s
        for s in yaml.safe_load(text)["jobs"]["autograding"]["steps"]
        if s.get("name") == "Install gdgrade"
    )
    assert "git+" not in install["run"] and '"$GDGRADE_SPEC"' in install["run"]


def test_gradescope_bundle_holds_no_solutions(tmp_path: Path) -> None:
    out = build_bundle("gd_basics", out=tmp_path / "autograder.zip")
    with zipfile.ZipFile(out) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    assert "app/assignments/source/gd_basics/gd_basics.ipynb" in files
    assert not any(n.startswith("app/grader/course/shipped") for n in files)
    assert leaks(files) == []


def _build_and_install(work: Path) -> tuple[Path, Path]:
    """(fresh venv with the wheel installed, its site-packages)."""
    wheel, venv, site = build_wheel_venv(work)
    python = venv / "bin" / "python"
    install = [python, "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    subprocess.run([*install, "--no-deps", "--no-index", str(wheel)], check=True)
    return venv, site


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    return _build_and_install(tmp_path_factory.mktemp("wheel"))


def _installed_files(site: Path) -> dict[str, Path]:
    """What pip installed from the wheel (its RECORD): path relative to site -> file."""
    [record] = site.glob("gdgrade-*.dist-info/RECORD")
    names = [line.split(",")[0] for line in record.read_text().splitlines() if line]
    return {n: (site / n).resolve() for n in names}


@pytest.mark.slow
def test_wheel_installs_grader_and_reference_only(installed) -> None:
    _, site = installed
    files = _installed_files(site)
    tops = {n.split("/")[0] for n in files if not n.startswith(("../", "gdgrade-"))}
    assert tops == {"grader", "reference"}
    assert not (site / "assignments").exists()
    course = [n for n in files if n.startswith("grader/course/shipped/")]
    assert "grader/course/shipped/source/gd_basics/gd_basics.ipynb" in course
    assert not any("/samples/" in n or "/notes/" in n for n in course)


@pytest.mark.slow
def test_wheel_holds_no_solution_and_no_sample_answer(installed) -> None:
    _, site = installed
    files = {n: p.read_bytes() for n, p in _installed_files(site).items() if p.is_file()}
    assert any(n.endswith(".ipynb") for n in files)
    assert leaks(files) == []


@pytest.mark.slow
def test_installed_gdgrade_grades_a_correct_notebook_in_full(installed, tmp_path: Path) -> None:
    venv, site = installed
    where = subprocess.check_output(
        [venv / "bin" / "python", "-c", "import grader.paths as p; print(p.COURSE_SOURCE)"],
        cwd=tmp_path,
        text=True,
    ).strip()
    assert where == str(site / "grader" / "course" / "shipped")
    correct = CHECKOUT_COURSE / "samples" / "gd_basics" / "ada_correct" / "gd_basics.ipynb"
    student = tmp_path / "student"
    student.mkdir()
    shutil.copy2(correct, student / "gd_basics.ipynb")
    command = ["grade", "gd_basics.ipynb", "--assignment", "gd_basics", "--out", "../out"]
    proc = subprocess.run(
        [venv / "bin" / "gdgrade", *command],
        cwd=student,
        capture_output=True,
        text=True,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) == 17, data
