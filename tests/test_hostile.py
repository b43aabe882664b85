"""The hostile corpus in one batch with correct submissions (see benchmarks/hostile_corpus.py).

Each case scores what it states, with a message the student can act on; the correct
students get exactly the grades they get alone; the gradebook matches the results; a forced
re-run agrees; no file outside the scratch directory changes where the sandbox has its
namespaces; and autograde exits 0 (the student's faults are data, not grader errors).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "hostile_corpus.py"


def test_hostile_corpus_is_contained(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("hostile_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.run(tmp_path)
    assert figures["cases"] >= 30
    assert figures["failures"] == []
    assert figures["contained"] == figures["cases"]
    assert figures["grades_lost"] == 0
    assert figures["gradebook_consistent"]
    done, total = figures["rerun_agreement"].split("/")
    assert done == total
    assert figures["exit_code"] == 0 and figures["summary_printed"]
    # what the sandbox enforces depends on the machine (SECURITY.md); where it has its
    # namespaces, nothing outside the scratch directory may change
    if "read-only file system" in figures["sandbox"]:
        assert figures["files_changed_outside_scratch"] == []
