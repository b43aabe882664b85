"""Per-student variants: every parameter drawn, every answer and wrong answer computed.

A variant is a pure function of (quiz, student id): each item's numbers, and the order of
its options, come from a numpy Generator seeded with sha256(quiz id, student id, item id),
so the same student always gets the same sheet, adding an item leaves the others alone,
and the shared variant (``SHARED``, bank order) is what an LMS export without a student
list carries.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from grader.quizzes import oracles
from grader.quizzes.models import (
    Item,
    KeywordMisconception,
    MultipleChoiceItem,
    MultipleSelectItem,
    NumericItem,
    Option,
    OracleCall,
    Quiz,
    RubricPoint,
    ShortAnswerItem,
    Tolerance,
    TraceItem,
)

SHARED = "*shared*"
"""The student id of the variant everyone shares."""
Answer = float | str | list[float] | list[str]
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class WrongAnswerRecord(BaseModel):
    """A common wrong answer evaluated for one variant."""

    model_config = ConfigDict(frozen=True)
    label: str
    """The wrong answer's label."""
    value: float | list[float]
    """What a student making this mistake answers."""
    feedback: str
    """Why it is wrong."""


class ItemVariant(BaseModel):
    """One item as one student sees it, with its key."""

    model_config = ConfigDict(frozen=True)
    id: str
    """Item id."""
    kind: str
    """Item kind."""
    prompt: str
    """Prompt with the parameters filled in."""
    topics: list[str]
    """Topic ids."""
    source: str
    """Notes file and section."""
    points: float
    """Maximum points."""
    explanation: str
    """Worked reasoning."""
    params: dict[str, Any]
    """Drawn parameters and derived values."""
    answer: Answer
    """The key: a number, iterates, an option key, option keys, or a model answer."""
    tolerance: Tolerance | None = None
    """Numeric and trace items."""
    unit: str = ""
    """Numeric items."""
    variable: str = "x"
    """Trace items: the iterate's name."""
    options: list[Option] = []
    """Choice items, in display order."""
    wrong_answers: list[WrongAnswerRecord] = []
    """Numeric and trace items: evaluated common wrong answers (none equal to the answer)."""
    rubric: list[RubricPoint] = []
    """Short answers."""
    misconceptions: list[KeywordMisconception] = []
    """Short answers."""


class QuizVariant(BaseModel):
    """A whole quiz for one student (or the shared variant)."""

    model_config = ConfigDict(frozen=True)
    quiz_id: str
    """Quiz id."""
    title: str
    """Quiz title."""
    student: str
    """Student id, or SHARED."""
    description: str
    """Instructions."""
    minutes: int | None
    """Suggested time."""
    items: list[ItemVariant]
    """Items in quiz order."""


def seed(quiz_id: str, student: str, item_id: str) -> int:
    """A stable 64-bit seed from sha256 of the three ids (not Python's salted hash())."""
    digest = hashlib.sha256(f"{quiz_id}\x1f{student}\x1f{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def evaluate(call: OracleCall, context: dict[str, Any]) -> Any:
    """Run ``call`` with the context values its oracle accepts, then its explicit args."""
    params = oracles.signature(call.oracle).parameters
    kwargs = {name: context[name] for name in params if name in context}
    for name, value in call.args.items():
        if isinstance(value, str) and value.startswith("$"):
            value = context[value[1:]]
        kwargs[name] = value
    return oracles.call(call.oracle, **kwargs)


def draw(item: Item, rng: np.random.Generator) -> dict[str, Any]:
    """Draw the item's parameters, then compute its derived values in order."""
    context: dict[str, Any] = {}
    for name, param in item.params.items():
        values = param.values()
        context[name] = values[int(rng.integers(len(values)))]
    for name, call in item.derived.items():
        context[name] = evaluate(call, context)
    return context


def format_value(value: Any) -> str:
    """A parameter as the prompt shows it: 0.5, 12, -6 (no float noise)."""
    if isinstance(value, float) and not isinstance(value, bool):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


def fill(template: str, context: dict[str, Any]) -> str:
    """Replace each {name} whose name is in ``context``; other braces stay as written."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return format_value(context[name]) if name in context else match.group(0)

    return _PLACEHOLDER.sub(sub, template)


def _distinct(answer: Any, wrong: Any, tolerance: Tolerance) -> bool:
    """Whether a wrong value is finite, shaped like the answer, and outside its tolerance."""
    a = np.atleast_1d(np.asarray(answer, dtype=float))
    w = np.atleast_1d(np.asarray(wrong, dtype=float))
    if a.shape != w.shape or not np.all(np.isfinite(w)):
        return False
    return any(not tolerance.accepts(x, y) for x, y in zip(a, w, strict=True))


def item_variant(
    item: Item, context: dict[str, Any], order: list[int] | None = None
) -> ItemVariant:
    """Evaluate one item for drawn parameters; ``order`` permutes a choice item's options."""
    base = {
        "id": item.id,
        "kind": item.kind,
        "prompt": fill(item.prompt, context),
        "topics": item.topics,
        "source": item.source,
        "points": item.points,
        "explanation": fill(item.explanation, context),
        "params": context,
    }
    if isinstance(item, NumericItem | TraceItem):
        answer = evaluate(item.answer, context)
        if isinstance(answer, int) and not isinstance(answer, bool):
            answer = float(answer)
        wrong = []
        for w in item.wrong_answers:
            value = evaluate(w.oracle, context)
            if _distinct(answer, value, item.tolerance):
                wrong.append(WrongAnswerRecord(label=w.label, value=value, feedback=w.feedback))
        extra = (
            {"unit": item.unit} if isinstance(item, NumericItem) else {"variable": item.variable}
        )
        return ItemVariant(
            **base, **extra, answer=answer, tolerance=item.tolerance, wrong_answers=wrong
        )
    if isinstance(item, MultipleChoiceItem):
        key = (
            evaluate(item.answer, context)
            if item.answer
            else next(o.key for o in item.options if o.correct)
        )
        options = [o.model_copy(update={"correct": o.key == key}) for o in item.options]
        return ItemVariant(**base, answer=key, options=_reorder(options, order))
    if isinstance(item, MultipleSelectItem):
        keys = [o.key for o in item.options if o.correct]
        return ItemVariant(**base, answer=keys, options=_reorder(item.options, order))
    assert isinstance(item, ShortAnswerItem)
    return ItemVariant(
        **base,
        answer=fill(item.model_answer, context).strip(),
        rubric=item.rubric,
        misconceptions=item.wrong_answers,
    )


def _reorder(options: list[Option], order: list[int] | None) -> list[Option]:
    return options if order is None else [options[i] for i in order]


def build(quiz: Quiz, student: str = SHARED) -> QuizVariant:
    """The variant of ``quiz`` for ``student`` (deterministic)."""
    items = []
    for item in quiz.items:
        rng = np.random.default_rng(seed(quiz.id, student, item.id))
        context = draw(item, rng)
        order = None
        choice = isinstance(item, MultipleChoiceItem | MultipleSelectItem)
        if choice and item.shuffle and student != SHARED:  # drawn after the numbers
            order = [int(i) for i in rng.permutation(len(item.options))]
        items.append(item_variant(item, context, order))
    return QuizVariant(
        quiz_id=quiz.id,
        title=quiz.title,
        student=student,
        description=quiz.description,
        minutes=quiz.minutes,
        items=items,
    )


def letter(index: int) -> str:
    """A, B, C, ... for option ``index``."""
    return chr(ord("A") + index)


def is_finite_answer(answer: Answer) -> bool:
    """Whether a numeric answer (or every iterate) is a finite float."""
    values = answer if isinstance(answer, list) else [answer]
    return all(isinstance(v, float) and math.isfinite(v) for v in values)
