"""Hidden checks at least as strong as the public ones (issue 23, item 3).

A mistake a student's self-check catches must cost points when the notebook is graded: for
every function that has both a public self-check and hidden checks, every wrong version the
public checks fail must fail a hidden check of the same function too. The wrong versions
are the project's mistake space with real wrong answers per function:

* the single-site mutants of the assignment's solution cells (``benchmarks/diagnosis.py``'s
  operators: a flipped sign, a dropped factor, off by one, mean for sum, ...);
* the mistakes of the student corpus (``tests/files/students/answers``);
* the accumulation trainer's leftover group dropped or carried into the next epoch by one
  global ``% k`` counter (the notes' loop), which once passed the hidden check.

Checks are probed and judged in this process (``run_in_process``), as nbgrader's hidden
test cells run them. A function with only a public check is graded by that check itself.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import warnings
from contextlib import redirect_stderr, redirect_stdout
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import matplotlib
import pytest

from grader.judging import registry
from grader.judging.check import Check, run_in_process
from tests.grader.test_families_gd import GLOBAL_COUNTER  # the notes' loop over every epoch

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "files" / "students"
ASSIGNMENTS = [
    "gd_basics",
    "gd_variants",
    "lr_rules",
    "accumulation_normalization",
    "minibatch_in_action",
]

LEFTOVER_DROPPED = '''
def train_accumulated(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    """Steps only on full groups: an epoch's leftover micro-batches are never used."""
    w, b, losses = np.asarray(w0, dtype=float), float(b0), []
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        gw, gb = np.zeros_like(w), 0.0
        for i, start in enumerate(range(0, len(perm), batch_size)):
            idx = perm[start : start + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(r**2)))
            gw = gw + 2 * X[idx].T @ r / len(idx) / accumulation_steps
            gb = gb + 2 * np.mean(r) / accumulation_steps
            if (i + 1) % accumulation_steps == 0:
                w, b = w - lr * gw, b - lr * gb
                gw, gb = np.zeros_like(w), 0.0
    return losses
'''
EXTRA = {
    "accumulation_normalization": [
        ("global % k counter", GLOBAL_COUNTER),
        ("leftover group dropped", LEFTOVER_DROPPED),
    ]
}
"""Wrong versions the other sources do not hold, by assignment: (name, source)."""


def _module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@cache
def diagnosis() -> ModuleType:
    """benchmarks/diagnosis.py: the mutation operators and the source notebooks' cells."""
    return _module("gdgrade_benchmark_diagnosis", ROOT / "benchmarks" / "diagnosis.py")


def corpus_mistakes(assignment: str) -> list[tuple[str, dict[str, str]]]:
    """(name, answer cells by grade_id) of the corpus' mistakes in this assignment."""
    sys.path.insert(0, str(CORPUS))  # the answers import make_corpus
    try:
        make_corpus = _module("gdgrade_make_corpus", CORPUS / "make_corpus.py")
        students = make_corpus.load_students(assignment)
    finally:
        sys.path.remove(str(CORPUS))
    return [(f"student {s.name}", s.cells) for s in students if s.mistake is not None]


def _run(source: str, ns: dict[str, Any], *, strict: bool = False) -> None:
    """Run one cell's source in ``ns``, quietly. A cell that raises leaves what it defined
    before the error, and the next cells still run, as nbgrader's autograde runs them."""
    quiet = redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO())
    with quiet[0], quiet[1], warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(source, "<cell>", "exec"), ns)
        except Exception:
            if strict:
                raise


@cache
def solution(assignment: str) -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
    """The namespace of the source notebook's cells (test and plot cells left out), and the
    cells."""
    cells = tuple(diagnosis()._cells(assignment))
    ns: dict[str, Any] = {"__name__": "__main__"}
    for cell in cells:
        _run(cell["source"], ns, strict=True)
    return ns, cells


def paired(assignment: str) -> dict[str, tuple[list[Check], list[Check]]]:
    """Function -> (its public checks, its hidden checks), for functions with both (timing
    checks left out: they measure, they do not judge answers)."""
    registry.load_builtin()
    found: dict[str, tuple[list[Check], list[Check]]] = {}
    for chk in registry.checks_for(assignment):
        request = chk.request()
        if request.probe != "timing":
            found.setdefault(request.target, ([], []))[chk.hidden].append(chk)
    return {t: (pub, hid) for t, (pub, hid) in found.items() if pub and hid}


def wrong_versions(assignment: str) -> list[tuple[str, list[str]]]:
    """(name, cell sources to run over the solution) of every wrong version."""
    _, cells = solution(assignment)
    out = []
    for cell in cells:
        if cell["solution"]:
            for op, mutated in diagnosis().mutants(cell["source"], quick=False):
                out.append((f"{cell['id']}: {op.name}", [mutated]))
    for name, answers in corpus_mistakes(assignment):
        sources = [code for code in answers.values() if not code.lstrip().startswith("...")]
        out.append((name, sources))
    out += [(name, [source]) for name, source in EXTRA.get(assignment, [])]
    return out


def _defines(sources: list[str], target: str) -> bool:
    return any(re.search(rf"^def {re.escape(target)}\(", s, re.M) for s in sources)


def _loses(chk: Check, ns: dict[str, Any]) -> bool:
    with redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_in_process(chk.id, ns)
    return result.status != "passed" or result.points < result.max_points


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_mistake_a_self_check_catches_costs_hidden_points(assignment: str) -> None:
    base, _ = solution(assignment)
    pairs = paired(assignment)
    assert pairs, f"{assignment} has no function with both a public and a hidden check"
    gaps, caught = [], 0
    for name, sources in wrong_versions(assignment):
        targets = [t for t in pairs if _defines(sources, t)]
        if not targets:
            continue
        ns = dict(base)
        for source in sources:
            _run(source, ns)
        for target in targets:
            public, hidden = pairs[target]
            failing = [c.id for c in public if _loses(c, ns)]
            if not failing:
                continue
            caught += 1
            if not any(_loses(c, ns) for c in hidden):
                gaps.append(f"{name}: fails {failing}, passes {[c.id for c in hidden]}")
    assert caught, f"no wrong version of {assignment} fails a public check: nothing compared"
    assert not gaps, "\n".join(gaps)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_function_with_only_a_self_check_is_graded_by_it(assignment: str) -> None:
    """Where no hidden check backs a public one, the public check itself carries points, so
    the mistakes it catches cost them."""
    registry.load_builtin()
    by_target: dict[str, list[Check]] = {}
    for chk in registry.checks_for(assignment):
        by_target.setdefault(chk.request().target, []).append(chk)
    for checks in by_target.values():
        if all(not c.hidden for c in checks):
            assert all(c.points > 0 for c in checks), [c.id for c in checks]
