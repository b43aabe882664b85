"""Grade one response to one item variant: numbers within tolerance, traces iterate by
iterate, options by key, letter or text, short answers by keyword rubric. A response that
matches a known wrong answer gets that wrong answer's feedback."""

from __future__ import annotations

from grader.quizzes import parse
from grader.quizzes.records import ItemGradeRecord, ItemStatus
from grader.quizzes.variants import ItemVariant, format_value

NEGATIONS = (" not ", "n't ", " never ", " no ")
"""Words that can turn a keyword's meaning around: a short answer holding one is reviewed."""
MIN_WORDS_FOR_REVIEW = 4
"""A short answer this long that matches no rubric keyword is reviewed, not failed."""


def show(value: object) -> str:
    """An answer for feedback: numbers to 6 significant digits, lists joined by '; '."""
    if isinstance(value, list):
        return "; ".join(show(v) for v in value)
    if isinstance(value, float):
        return format_value(float(f"{value:.6g}"))
    return str(value)


def show_points(value: float) -> str:
    """Points as a student reads them: at most 2 decimals (0.33, 2.67, 1), never 0.333333."""
    return f"{round(value, 2):g}"


def _record(item: ItemVariant, raw: str | None, status: ItemStatus, fraction: float, **kw):
    """An ItemGradeRecord with the item's fields filled in."""
    return ItemGradeRecord(
        question_id=item.id,
        kind=item.kind,
        topics=item.topics,
        response=raw,
        status=status,
        points=round(fraction * item.points, 6),
        max_points=item.points,
        expected=item.answer,
        **kw,
    )


def _unreadable(item: ItemVariant, raw: str, why: str) -> ItemGradeRecord:
    """No points yet: the response could not be read, so a person should look at it."""
    return _record(item, raw, "unreadable", 0.0, needs_review=True, feedback=why)


def _explain(item: ItemVariant) -> str:
    return f" {item.explanation.strip()}" if item.explanation.strip() else ""


def _numeric(item: ItemVariant, raw: str) -> ItemGradeRecord:
    parsed = parse.number(raw)
    tol = item.tolerance
    assert tol is not None and isinstance(item.answer, float)
    if parsed is None:
        return _unreadable(item, raw, f"Could not read a single number in {raw!r}.")
    value, notes = float(parsed.value), parsed.notes  # type: ignore[arg-type]
    if tol.accepts(item.answer, value):
        return _record(item, raw, "correct", 1.0, parsed=value, notes=notes, feedback="Correct.")
    for wrong in item.wrong_answers:
        if tol.accepts(wrong.value, value):  # type: ignore[arg-type]
            return _record(
                item,
                raw,
                "incorrect",
                0.0,
                parsed=value,
                notes=notes,
                matched=wrong.label,
                matched_text=show(value),
                feedback=f"{wrong.feedback.strip()} Expected {show(item.answer)}.",
            )
    feedback = f"Expected {show(item.answer)} (within {show(tol.width(item.answer))})."
    return _record(
        item, raw, "incorrect", 0.0, parsed=value, notes=notes, feedback=feedback + _explain(item)
    )


def _trace(item: ItemVariant, raw: str) -> ItemGradeRecord:
    answer = item.answer
    assert isinstance(answer, list) and item.tolerance is not None
    parsed = parse.numbers(raw, len(answer))
    if parsed is None:
        return _unreadable(item, raw, f"Could not read {len(answer)} numbers in {raw!r}.")
    got = [float(v) for v in parsed.value]  # type: ignore[attr-defined]
    tol = item.tolerance
    hits = [i < len(got) and tol.accepts(a, got[i]) for i, a in enumerate(answer)]
    fraction = sum(hits) / len(answer)
    if all(hits) and len(got) == len(answer):
        return _record(
            item, raw, "correct", 1.0, parsed=got, notes=parsed.notes, feedback="Correct."
        )
    for wrong in item.wrong_answers:
        values = wrong.value if isinstance(wrong.value, list) else [wrong.value]
        if (
            got
            and len(got) <= len(values)
            and all(tol.accepts(w, g) for w, g in zip(values, got, strict=False))
        ):
            return _record(
                item,
                raw,
                "partial" if fraction else "incorrect",
                fraction,
                parsed=got,
                notes=parsed.notes,
                matched=wrong.label,
                matched_text=show(got),
                feedback=f"{wrong.feedback.strip()} Expected {show(answer)}.",
            )
    first = next(i for i, h in enumerate(hits) if not h)
    status: ItemStatus = "partial" if fraction else "incorrect"
    feedback = f"{item.variable}_{first + 1} is off: expected {show(answer)}." + _explain(item)
    return _record(item, raw, status, fraction, parsed=got, notes=parsed.notes, feedback=feedback)


def _choice(item: ItemVariant, raw: str) -> ItemGradeRecord:
    parsed = parse.choices(raw, item.options)
    if parsed is None:
        return _unreadable(item, raw, f"{raw!r} names no option (use the letter, e.g. B).")
    keys: list[str] = parsed.value  # type: ignore[assignment]
    by_key = {o.key: o for o in item.options}
    if item.kind == "multiple_choice":
        if keys == [item.answer]:
            return _record(item, raw, "correct", 1.0, parsed=keys, feedback="Correct.")
        chosen = by_key[keys[0]] if len(keys) == 1 else None
        why = chosen.feedback if chosen else "Choose exactly one option."
        right = by_key[str(item.answer)].text
        return _record(
            item,
            raw,
            "incorrect",
            0.0,
            parsed=keys,
            matched=",".join(keys),
            matched_text="; ".join(by_key[k].text for k in keys),
            feedback=f"{why.strip()} The answer: {right}.{_explain(item)}",
        )
    correct = set(item.answer)
    wrong_picks = sorted(set(keys) - correct)
    missed = sorted(correct - set(keys))
    fraction = max(0.0, (len(correct & set(keys)) - len(wrong_picks)) / len(correct))
    if not wrong_picks and not missed:
        return _record(item, raw, "correct", 1.0, parsed=keys, feedback="Correct.")
    lines = [f"Not correct: {by_key[k].text}. {by_key[k].feedback}".strip() for k in wrong_picks]
    lines += [f"Missed: {by_key[k].text}. {by_key[k].feedback}".strip() for k in missed]
    return _record(
        item,
        raw,
        "partial" if fraction else "incorrect",
        fraction,
        parsed=keys,
        matched=",".join(wrong_picks) or None,
        matched_text="; ".join(by_key[k].text for k in wrong_picks) or None,
        feedback=" ".join(lines),
    )


def _short(item: ItemVariant, raw: str) -> ItemGradeRecord:
    text = parse.words(raw)
    total = sum(p.weight for p in item.rubric)
    earned = [p for p in item.rubric if any(k.lower() in text for k in p.keywords)]
    fraction = sum(p.weight for p in earned) / total
    found = [m for m in item.misconceptions if any(k.lower() in text for k in m.keywords)]
    negated = any(n in text for n in NEGATIONS)
    lost = [p for p in item.rubric if p not in earned]
    review = (
        bool(found)
        or negated
        or 0 < fraction < 1
        or (fraction == 0 and len(text.split()) >= MIN_WORDS_FOR_REVIEW)
    )
    lines = [f"Found: {p.description}." for p in earned]
    lines += [f"Missing: {p.description}." for p in lost]
    lines += [m.feedback.strip() for m in found]
    if review:
        lines.append("Provisional score: flagged for a teacher to read.")
    status: ItemStatus = "review" if review else ("correct" if fraction == 1 else "incorrect")
    return _record(
        item,
        raw,
        status,
        fraction,
        parsed=[p.id for p in earned],
        matched=found[0].label if found else None,
        matched_text=_first_sentence(found[0].feedback) if found else None,
        needs_review=review,
        feedback=" ".join(lines) + f" Model answer: {item.answer}",
    )


def _first_sentence(text: str) -> str:
    """A misconception as a reader recognises it: the first sentence of its feedback."""
    first = text.strip().split(". ")[0]
    return first.rstrip(".")


def grade(item: ItemVariant, raw: str | None) -> ItemGradeRecord:
    """Judge ``raw`` (None: the sheet has no row for this item) against ``item``."""
    if raw is None:
        return _record(item, None, "missing", 0.0, feedback="No response in the sheet.")
    if not raw.strip():
        return _record(
            item, raw, "blank", 0.0, feedback=f"Left blank. Expected {show(item.answer)}."
        )
    if item.kind == "numeric":
        return _numeric(item, raw)
    if item.kind == "trace":
        return _trace(item, raw)
    if item.kind in {"multiple_choice", "multiple_select"}:
        return _choice(item, raw)
    return _short(item, raw)
