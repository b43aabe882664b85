"""Checks on a structurally valid bank that need more than the models: topic ids, notes
files, oracle names and arguments, placeholders, and a trial evaluation of every item."""

from __future__ import annotations

import math

import numpy as np

from grader.quizzes import oracles, variants
from grader.quizzes.located import BankIssue, Located
from grader.quizzes.models import (
    NOTES_FILES,
    Item,
    MultipleChoiceItem,
    NumericItem,
    OracleCall,
    Quiz,
    TraceItem,
)

TRIAL_STUDENTS = ("trial-a", "trial-b", "trial-c")
"""Variants evaluated at load time, so a broken oracle call fails validation, not class."""


def _calls(item: Item) -> list[tuple[tuple, OracleCall]]:
    """Every oracle call of an item with its path below the item."""
    out: list[tuple[tuple, OracleCall]] = [(("derived", k), c) for k, c in item.derived.items()]
    answer = getattr(item, "answer", None)
    if isinstance(answer, OracleCall):
        out.append((("answer",), answer))
    for i, wrong in enumerate(getattr(item, "wrong_answers", [])):
        if hasattr(wrong, "oracle"):
            out.append((("wrong_answers", i, "oracle"), wrong.oracle))
    return out


def _check_call(call: OracleCall, names: set[str]) -> str | None:
    """Why ``call`` cannot run with context ``names``, or None."""
    if call.oracle not in oracles.ORACLES:
        return f"unknown oracle {call.oracle!r}"
    params = oracles.signature(call.oracle).parameters
    for arg, value in call.args.items():
        if arg not in params:
            return f"oracle {call.oracle!r} takes no argument {arg!r} (takes {', '.join(params)})"
        if isinstance(value, str) and value.startswith("$") and value[1:] not in names:
            return f"{value!r} names no parameter or derived value"
    missing = [
        p.name
        for p in params.values()
        if p.default is p.empty and p.name not in names and p.name not in call.args
    ]
    return f"oracle {call.oracle!r} needs {', '.join(missing)}" if missing else None


def _check_values(item: Item, v: variants.ItemVariant) -> tuple[tuple, str] | None:
    """A trial variant's answer has the right shape for its kind, or (path, why) not."""
    if isinstance(item, NumericItem) and not (
        isinstance(v.answer, float) and math.isfinite(v.answer)
    ):
        return ("answer",), f"oracle gave {v.answer!r}, not a finite number"
    if isinstance(item, TraceItem):
        ok = isinstance(v.answer, list) and len(v.answer) == item.steps
        if not ok or not variants.is_finite_answer(v.answer):
            return ("answer",), f"oracle gave {v.answer!r}, not {item.steps} finite iterates"
    if isinstance(item, MultipleChoiceItem) and v.answer not in {o.key for o in item.options}:
        return ("answer",), f"oracle gave {v.answer!r}, which is no option key"
    return None


def check_item(item: Item, quiz_id: str, at: tuple, located: Located) -> list[BankIssue]:
    """Oracle calls and placeholders resolve, and trial variants evaluate."""
    issues = []
    names = set(item.params)
    for path, call in _calls(item):
        if path[0] == "derived":
            names.add(path[1])
        why = _check_call(call, names | set(item.derived))
        if why:
            issues.append(located.issue((*at, *path), why))
    unknown = {
        m for m in variants._PLACEHOLDER.findall(item.prompt) if m not in item.params | item.derived
    }
    if unknown:
        issues.append(located.issue((*at, "prompt"), f"unknown placeholder(s) {sorted(unknown)}"))
    if issues:
        return issues
    for student in TRIAL_STUDENTS:
        rng = np.random.default_rng(variants.seed(quiz_id, student, item.id))
        try:
            v = variants.item_variant(item, variants.draw(item, rng))
        except (ValueError, TypeError, ArithmeticError, KeyError, StopIteration) as exc:
            return [located.issue((*at, "answer"), f"oracle failed: {type(exc).__name__}: {exc}")]
        bad = _check_values(item, v)
        if bad:
            return [located.issue((*at, *bad[0]), bad[1])]
    return issues


def check_quiz(quiz: Quiz, located: Located, topics: dict[str, str]) -> list[BankIssue]:
    """Every meaning check on a quiz that passed the models."""
    issues: list[BankIssue] = []
    seen: set[str] = set()
    for i, item in enumerate(quiz.items):
        at = ("items", i)
        if item.id in seen:
            issues.append(located.issue((*at, "id"), f"duplicate item id {item.id!r}"))
        seen.add(item.id)
        for j, topic in enumerate(item.topics):
            if topic not in topics:
                msg = f"unknown topic {topic!r} (not in assignments/topics.yaml)"
                issues.append(located.issue((*at, "topics", j), msg, field="topics"))
        if item.source.split("#")[0] not in NOTES_FILES:
            issues.append(located.issue((*at, "source"), f"no notes file {item.source!r}"))
        issues += check_item(item, quiz.id, at, located)
    return issues
