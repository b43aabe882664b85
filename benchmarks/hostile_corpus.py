"""Grade the hostile-submission corpus in one batch with correct submissions; print figures.

Cell cases (tests/files/hostile/*.py) replace the ``update`` answer of a correct gd_basics
submission; notebook cases break the file or tamper with its test cells. Each states the
score it must get (out of 17) and a fragment of the message the student must see.

Figures: cases contained, grades lost (a correct student graded differently in the batch
than alone), gradebook consistency, and agreement of a forced re-run.

Run: .venv/bin/python benchmarks/hostile_corpus.py [WORKDIR]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat

from grader.nbgrader_io.release import release, submit
from grader.outputs import gradebook
from grader.pipeline.batch import autograde
from grader.sandbox.execution import SandboxLimits

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "files" / "hostile"
SAMPLES = ROOT / "assignments" / "samples" / "gd_basics"
LIMITS = SandboxLimits(cell_timeout=3, total_timeout=20, memory_mb=1024)
GOOD = {"good_ada": "ada_correct", "good_dev": "dev_momentum_zero_buffer"}
VICTIM = Path("/tmp/gdgrade-hostile-victim.txt")
PLANTED = [Path("/tmp/gdgrade-hostile-write.txt"), ROOT / "grader" / "planted_by_student.py"]
"""Files the write_outside_scratch case tries to create (see tests/files/hostile)."""


def _base() -> nbformat.NotebookNode:
    return nbformat.read(SAMPLES / "ada_correct" / "gd_basics.ipynb", as_version=4)


def _with_update(code: str) -> bytes:
    nb = _base()
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "update":
            cell.source = code
    return nbformat.writes(nb).encode()


def _tampered(change: Callable[[list], None]) -> bytes:
    nb = _base()
    change(nb.cells)
    return nbformat.writes(nb).encode()


def _test_cell(cells: list) -> int:
    return next(
        i
        for i, c in enumerate(cells)
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_update"
    )


def _edit(cells: list) -> None:
    cells[_test_cell(cells)].source = "pass  # no tests here"


def _points(cells: list) -> None:
    cells[_test_cell(cells)].metadata["nbgrader"]["points"] = 100


NOTEBOOK_CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "nb_bad_json": (lambda: b'{"cells": [', "0 | could not be read"),
    "nb_version_3": (lambda: json.dumps({"cells": [], "nbformat": 3}).encode(), "0 | version"),
    "nb_not_utf8": (lambda: b"\xff\xfe\x00garbage", "0 | UTF-8"),
    "nb_deleted_test_cells": (
        lambda: _tampered(lambda cells: cells.__delitem__(_test_cell(cells))),
        "17 | deleted",
    ),
    "nb_edited_test_cell": (lambda: _tampered(_edit), "17 | edited"),
    "nb_duplicated_test_cell": (
        lambda: _tampered(lambda cells: cells.append(cells[_test_cell(cells)])),
        "17 | twice",
    ),
    "nb_points_tampered": (lambda: _tampered(_points), "17 | any"),
}


def cases() -> dict[str, tuple[bytes, float, str]]:
    """name -> (notebook bytes, expected score, message fragment or 'any')."""
    out = {}
    for path in sorted(CASES.glob("*.py")):
        text = path.read_text()
        score, fragment = text.splitlines()[0].removeprefix("# expect:").split("|")
        out[path.stem] = (_with_update(text), float(score), fragment.strip())
    for name, (make, spec) in NOTEBOOK_CASES.items():
        score, fragment = spec.split("|")
        out[name] = (make(), float(score), fragment.strip())
    return out


def _course(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "assignments" / "source" / "gd_basics", root / "source" / "gd_basics")
    release(root, "gd_basics")
    for student, sample in GOOD.items():
        submit(root, student, "gd_basics", SAMPLES / sample / "gd_basics.ipynb")
    return root


def _text(result) -> str:
    parts = [*result.messages]
    for cell in result.cells:
        parts.append(cell.feedback)
        parts += [c.feedback for c in cell.checks]
    return "\n".join(parts)


def run(workdir: Path) -> dict:
    """Grade the corpus; return the figures (and print them)."""
    alone_course = _course(workdir / "alone")
    alone = {r.student: r.score for r in autograde(alone_course, ["gd_basics"], limits=LIMITS)}
    course = _course(workdir / "batch")
    corpus = cases()
    for name, (data, _, _) in corpus.items():
        target = course / "submitted" / name / "gd_basics" / "gd_basics.ipynb"
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
    VICTIM.write_text("an instructor's file")
    for path in PLANTED:
        path.unlink(missing_ok=True)
    exe = Path(sys.executable).parent / "gdgrade"
    proc = subprocess.run(
        [
            str(exe),
            "autograde",
            "gd_basics",
            "--course",
            str(course),
            "--workers",
            "2",
            "--cell-timeout",
            str(LIMITS.cell_timeout),
            "--total-timeout",
            str(LIMITS.total_timeout),
            "--memory-mb",
            str(LIMITS.memory_mb),
        ],
        capture_output=True,
        text=True,
    )
    from grader.outputs.report import load_results

    batch = {r.student: r for r in load_results(course)}
    contained, failures = 0, []
    for name, (_, score, fragment) in corpus.items():
        r = batch.get(name)
        ok = r is not None and r.score == score and (fragment == "any" or fragment in _text(r))
        contained += ok
        if not ok:
            got = None if r is None else (r.score, _text(r)[:300])
            failures.append(f"{name}: expected {score:g} with {fragment!r}, got {got}")
    changed = [p for p in PLANTED if p.exists()]
    if not VICTIM.exists() or VICTIM.read_text() != "an instructor's file":
        changed.append(VICTIM)
    for path in PLANTED:
        path.unlink(missing_ok=True)
    lost = [s for s in GOOD if batch[s].score != alone[s]]
    consistent = gradebook.scores(course, "gd_basics") == {s: r.score for s, r in batch.items()}
    again = {
        r.student: r.score for r in autograde(course, ["gd_basics"], force=True, limits=LIMITS)
    }
    agree = sum(again[s] == r.score for s, r in batch.items())
    for path in PLANTED:  # the re-run plants them again where the sandbox cannot stop it
        path.unlink(missing_ok=True)
    figures = {
        "cases": len(corpus),
        "contained": contained,
        "failures": failures,
        "grades_lost": len(lost),
        "gradebook_consistent": consistent,
        "rerun_agreement": f"{agree}/{len(batch)}",
        "exit_code": proc.returncode,
        "summary_printed": "gdgrade autograde" in proc.stdout,
        "files_changed_outside_scratch": [str(p) for p in changed],
        "sandbox": next((r.sandbox for r in batch.values() if r.sandbox), ""),
    }
    print(f"hostile cases graded in one batch with {len(GOOD)} correct submissions")
    print(f"cases contained:          {contained}/{len(corpus)}")
    print(f"grades lost (correct students graded differently than alone): {len(lost)}")
    print(f"gradebook consistent with results: {consistent}")
    print(f"forced re-run agreement:  {figures['rerun_agreement']}")
    print(f"autograde exit code:      {proc.returncode}")
    print(f"files changed outside the scratch directory: {len(changed)}")
    print(figures["sandbox"])
    for line in failures:
        print("  NOT CONTAINED", line)
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1:
        run(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp))
