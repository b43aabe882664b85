"""Trusted-side judges: compare Evidence with oracle values and return a Verdict.

* ``close`` / ``equal``: one answer (scalar or array) with messages on type, shape, NaN,
  device and requires_grad; the return structure is checked first (``structure_problem``).
* ``structure_of`` / ``structure_problem``: the shape of a return value (container kind,
  dtype class, shape, items) and, against the oracle's value, a message saying what was
  expected: "expected a NumPy array of shape (3,), got a tuple of 2 items (...)".
* ``trajectory``: per-step losses against the reference, step by step; when the student
  shuffled with their own RNG, first checks that the batches they read are epochs that were
  reshuffled, then replays the reference on them (``Replay``); on failure names the
  known mistake (``grader.judging.misconceptions``) and plots the student's curve, the
  reference and the mistaken curve. The one trainer judge: ``builders.trainer_check`` and
  hand-written checks both call it.
* ``distribution``: where no step-by-step match is possible, the number of updates, the
  final loss in a band and the noise level of the last epoch in a band.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from grader.evidence import Diagnosis, Evidence, PlotData
from grader.judging import explain, trajectories
from grader.judging.check import Verdict
from grader.judging.layout import Layout, digits_to_differ, number, pair

VALUE_RTOL = 1e-6
"""Relative tolerance for scalar and array answers."""
VALUE_ATOL = 1e-8
"""Absolute tolerance for scalar and array answers."""
BAND_DIGITS = 4
"""Significant digits of a value checked against a band (more where the value and the
nearer bound would print alike)."""
BAND_SLACK = 0.1
"""Relative widening of a band measured from reference runs (``band_from_runs``)."""
MIN_ORDER_CHECK = 8
"""Smallest data set on which a sorted epoch is taken as "not shuffled"; the same order in
every epoch is taken as "not reshuffled" once a fair shuffle is as unlikely to repeat it
((N!) ** (epochs - 1) orders at least MIN_ORDER_CHECK!)."""


ARRAY_LIKE = ("array", "list", "tuple", "tensor")
"""``accept`` for an answer that may be any array-like of the right shape (an array named
first in messages)."""
SEQUENCE = ("list", "tuple", "array", "tensor")
"""The same kinds with a list named first, for task texts that ask for "a list"."""
_SCALARS = ("number", "bool", "str", "none")
_NOUNS = {"array": "a NumPy array", "tensor": "a tensor", "list": "a list", "tuple": "a tuple"}


@dataclass(frozen=True)
class Structure:
    """The shape of a return value, as far as grading cares."""

    kind: str
    """"number", "bool", "str", "none", "array", "tensor", "list", "tuple", "dict" or
    "other"."""
    type_name: str = ""
    """The Python type (for a number: "float", "int", "0-d NumPy array", "0-d tensor")."""
    shape: tuple[int, ...] | None = None
    """Arrays and tensors; lists and tuples when rectangular with scalar entries."""
    leaf: str = ""
    """Class of the entries of an array-like: "number", "bool", "str" or "other"."""
    dtype: str = ""
    """dtype of an array or tensor."""
    items: tuple[Structure, ...] = ()
    """Entries of a list or tuple."""


def _dtype_class(dtype: str) -> str:
    if dtype == "bool":
        return "bool"
    if dtype.startswith(("float", "int", "uint", "complex", "bfloat", "half", "double")):
        return "number"
    return "str" if dtype.startswith(("<U", "str")) else "other"


def _rectangular(items: tuple[Structure, ...]) -> tuple[tuple[int, ...] | None, str]:
    """Shape and entry class of a list of ``items`` when np.asarray would make it an array
    of scalars (None inside a sequence counts as a number: NaN on an older wire)."""
    if not items:
        return (0,), ""
    leaves = {"number" if i.kind == "none" else i.kind for i in items}
    if leaves <= set(_SCALARS):
        return ((len(items),), leaves.pop()) if len(leaves) == 1 else (None, "")
    inner = {(i.shape, i.leaf) for i in items}
    if len(inner) == 1:
        shape, leaf = inner.pop()
        if shape is not None and all(i.kind in _NOUNS for i in items):
            return (len(items), *shape), leaf
    return None, ""


def structure_of(value: Any, type_name: str = "", meta: dict[str, Any] | None = None) -> Structure:
    """The structure of a probe's JSON ``value`` with its ``value_type`` and ``meta``
    (``grader.inside.probes.describe``); without meta, what the JSON shows."""
    meta = meta or {}
    if "shape" in meta and "dtype" in meta:  # numpy array or scalar, torch tensor
        kind = "tensor" if "requires_grad" in meta or "device" in meta else "array"
        shape, leaf = tuple(meta["shape"]), _dtype_class(str(meta["dtype"]))
        if shape == () and leaf != "other":
            zero_d = {"tensor": "0-d tensor", "array": "0-d NumPy array"}[kind]
            name = zero_d if type_name in ("ndarray", "Tensor", "Parameter") else ""
            name = name or ("int" if str(meta["dtype"]).startswith(("int", "uint")) else "float")
            return Structure(leaf, "bool" if leaf == "bool" else name)
        return Structure(kind, type_name, shape, leaf, str(meta["dtype"]))
    if isinstance(value, list):
        kind = "tuple" if type_name == "tuple" else "list"
        metas = meta.get("items", [])
        items = tuple(
            structure_of(v, metas[i].get("type", ""), metas[i])
            if i < len(metas)
            else structure_of(v)
            for i, v in enumerate(value)
        )
        shape, leaf = _rectangular(items)
        return Structure(kind, kind, shape, leaf, items=items)
    if isinstance(value, bool):
        return Structure("bool", "bool")
    if isinstance(value, int | float):
        return Structure("number", "int" if isinstance(value, int) else "float")
    if value is None:
        return Structure("none", "None")
    if isinstance(value, str):
        return Structure("str", "str")
    return Structure("dict" if isinstance(value, dict) else "other", type_name or "object")


def structure_of_value(value: Any) -> Structure:
    """The structure of a Python value (an oracle's), read as a probe would read it."""
    from grader.inside.probes import describe

    return structure_of(*describe(value))


def _noun(s: Structure) -> str:
    if s.kind == "number":
        return s.type_name if s.type_name in ("int", "float") else "number"
    return {"none": "None", "dict": "dict", "other": s.type_name}.get(s.kind, s.kind)


def _plural(noun: str, n: int) -> str:
    return noun if n == 1 else f"{noun}s"


def describe_structure(s: Structure) -> str:
    """``s`` in words: "a tuple of 2 items (a NumPy array of shape (2,), a float)"."""
    if s.kind == "number":
        return "an int" if s.type_name == "int" else f"a {s.type_name or 'number'}"
    if s.kind in ("bool", "str", "dict"):
        return f"a {s.kind}"
    if s.kind == "none":
        return "None"
    if s.kind in ("array", "tensor") and s.shape is not None:
        dims = f"{len(s.shape)}-D " if len(s.shape) > 1 else ""
        noun = "NumPy array" if s.kind == "array" else "tensor"
        entries = "" if s.leaf == "number" else f" of dtype {s.dtype}"
        return f"a {dims}{noun} of shape {s.shape}{entries}"
    if s.kind in ("list", "tuple"):
        n = len(s.items)
        if not n:
            return f"an empty {s.kind}"
        nouns = {_noun(i) for i in s.items}
        if len(nouns) > 1 and nouns <= {"int", "float", "number"}:
            nouns = {"number"}
        if len(nouns) == 1:
            noun = nouns.pop()
            shapes = {i.shape for i in s.items}
            tail = ""
            if noun in ("array", "tensor") and len(shapes) == 1:
                tail = f" of shape {shapes.pop()}"
            elif noun in ("list", "tuple") and len({describe_structure(i) for i in s.items}) == 1:
                tail = f", each {describe_structure(s.items[0])}"
            return f"a {s.kind} of {n} {_plural(noun, n)}{tail}"
        parts = ", ".join(describe_structure(i) for i in s.items[:3])
        return f"a {s.kind} of {n} items ({parts}{', ...' if n > 3 else ''})"
    return f"a {s.type_name}"


def _allowed(want: Structure, accept: Sequence[str] | None) -> tuple[str, ...]:
    if accept is not None:
        return tuple(accept)
    if want.kind in ("list", "tuple"):
        return (want.kind, "tuple" if want.kind == "list" else "list")
    return (want.kind,)


def _wanted(want: Structure, kinds: tuple[str, ...], *, alternatives: bool) -> str:
    """What was expected, named as the first accepted kind, the others listed when
    ``alternatives``."""
    if want.shape is None or want.kind not in _NOUNS or not kinds:
        return describe_structure(want)
    first, others = kinds[0], [k for k in kinds[1:] if k in _NOUNS and alternatives]
    if first in ("list", "tuple") and len(want.shape) == 1:
        number = number_class(want) or "float"  # batch sizes are ints, losses floats
        leaf = {"number": number, "bool": "bool", "str": "str"}.get(want.leaf, "item")
        n = want.shape[0]
        text = f"a {first} of {n} {_plural(leaf, n)}"
    else:
        text = describe_structure(replace(want, kind="tensor" if first == "tensor" else "array"))
        if first in ("list", "tuple"):
            text = f"a nested {first} of shape {want.shape}"
    if others:
        alt = [_NOUNS[k].replace("a NumPy array", "an array") for k in others]
        joined = alt[0] if len(alt) == 1 else f"{', '.join(alt[:-1])} or {alt[-1]}"
        text += f" (or {joined} of that shape)"
    return text


def structure_problem(
    got: Structure,
    want: Structure,
    *,
    what: str = "the result",
    accept: Sequence[str] | None = None,
    steps: bool = False,
    calls: bool = False,
    names: Sequence[str] | None = None,
) -> str | None:
    """Why ``got`` does not have the structure of ``want`` (the oracle's value), or None.

    Checked: scalar vs container, nesting and arity, the container kind (``want``'s own,
    lists and tuples interchangeable, or those in ``accept``, e.g. ``ARRAY_LIKE``), the
    class of the entries (numbers, bools, strings) and the shape. ``steps``: the length of a
    1-D answer is left to the value comparison (a series, whose trajectory message counts
    the steps). ``calls``: ``want`` lists the results of several calls (the items are named
    by call, and ``steps`` applies to each). ``names``: what the items of a returned tuple
    are called ("Z_test (item 2 of standardize(...))").
    """
    kinds = _allowed(want, accept)
    wanted = _wanted(want, kinds, alternatives=accept is not None)
    if want.kind in _SCALARS:
        if got.kind == want.kind:
            return None
        return f"{what}: expected {wanted}, got {describe_structure(got)}"
    if want.shape is not None and want.kind in _NOUNS:  # an array-like
        if got.shape is None or got.kind not in kinds:
            return f"{what}: expected {wanted}, got {describe_structure(got)}"
        if want.leaf and got.leaf and got.leaf != want.leaf:
            return f"{what}: expected {wanted}, got {describe_structure(got)}"
        if got.shape != want.shape:
            if steps and len(got.shape) == len(want.shape) == 1:
                return None
            return f"{what} has shape {got.shape}, expected {want.shape}: return {wanted}"
        return None
    if want.kind in ("list", "tuple"):  # a ragged or mixed sequence: item by item
        if got.kind not in ("list", "tuple") or len(got.items) != len(want.items):
            return f"{what}: expected {wanted}, got {describe_structure(got)}"
        for i, (g, w) in enumerate(zip(got.items, want.items, strict=True)):
            label = f"{what} (call {i + 1})" if calls else f"item {i + 1} of {what}"
            if names and len(names) == len(want.items) and not calls:
                label = f"{names[i]} ({label})"
            problem = structure_problem(
                g, w, what=label, accept=accept, steps=steps and calls, calls=False
            )
            if problem is not None:
                return problem
        return None
    return (
        None
        if got.kind == want.kind
        else f"{what}: expected {wanted}, got {describe_structure(got)}"
    )


def number_class(s: Structure) -> str | None:
    """The class of a number, of an array's or tensor's dtype or of a sequence's entries
    (when all share one): "int" or "float"; None for anything else (a 0-d array, mixed
    entries, no numbers)."""
    if s.kind == "number":
        return s.type_name if s.type_name in ("int", "float") else None
    if s.kind in ("array", "tensor") and s.leaf == "number":
        return "int" if s.dtype.startswith(("int", "uint")) else "float"
    if s.kind in ("list", "tuple") and s.items:
        found = {number_class(i) for i in s.items}
        return found.pop() if len(found) == 1 else None
    return None


def _normal(s: Structure, *, steps: bool, calls: bool = False) -> Any:
    """``s`` with its form forgotten: a number is a number, an array-like is its shape and
    entry class whatever its container, other sequences go item by item (``calls``: the
    top level is one result per call); ``steps`` leaves out the length of a 1-D answer."""
    if calls and s.kind in ("list", "tuple"):
        return ("calls", tuple(_normal(i, steps=steps) for i in s.items))
    if s.kind == "number":
        return ("number",)
    if s.kind in _NOUNS and s.shape is not None:
        shape = (-1,) if steps and len(s.shape) == 1 else s.shape
        return ("array", shape, s.leaf or "number")
    if s.kind in ("list", "tuple"):
        return ("items", tuple(_normal(i, steps=False) for i in s.items))
    return (s.kind, s.type_name)


def _form_note(
    got: Structure,
    want: Structure,
    *,
    what: str,
    accept: Sequence[str] | None,
    calls: bool = False,
    names: Sequence[str] | None = None,
) -> str | None:
    """Where ``got`` has the values' structure of ``want`` in another form (a container the
    task does not name, an int for a float or the reverse, a 0-d array for a number): the
    first such place, as "<what> is <got> where the task asks for <want>"; else None."""
    itemwise = calls or (want.kind in ("list", "tuple") and want.shape is None)
    if itemwise and got.kind in ("list", "tuple") and len(got.items) == len(want.items):
        for i, (g, w) in enumerate(zip(got.items, want.items, strict=True)):
            label = f"{what} (call {i + 1})" if calls else f"item {i + 1} of {what}"
            if names and len(names) == len(want.items) and not calls:
                label = f"{names[i]} ({label})"
            note = _form_note(g, w, what=label, accept=accept)
            if note is not None:
                return note
        return None
    kinds = _allowed(want, accept)
    container = want.kind in _NOUNS and got.kind not in kinds
    scalar = want.kind == "number" and want.type_name in ("int", "float")
    scalar = scalar and got.type_name != want.type_name
    g, w = number_class(got), number_class(want)
    entries = g is not None and w is not None and g != w
    if not (container or scalar or entries):
        return None
    shown = describe_structure(got)
    if entries and got.kind in ("array", "tensor"):
        shown = f"{shown} of dtype {got.dtype}"
    return f"{what} is {shown} where the task asks for {_wanted(want, kinds, alternatives=False)}"


def form_check(
    got: Structure,
    want: Structure,
    *,
    what: str = "the result",
    accept: Sequence[str] | None = None,
    steps: bool = False,
    calls: bool = False,
    names: Sequence[str] | None = None,
    taught: str = "",
) -> tuple[str | None, str]:
    """(problem, note): the return structure judged by the policy for form
    (``grader.judging.form``), the one place every value check applies it.

    A structure the task does not state (``structure_problem``) whose values have the
    expected shape in another form is no problem under the lenient policy: it gets a note
    naming the form the task asks for. An int for a float (or the reverse) and a 0-d array
    for a number are noted under either policy. ``taught``: what this check teaches about
    the form (``Check.form``): then any difference in form is the problem, and says so."""
    from grader.judging import form

    problem = structure_problem(
        got, want, what=what, accept=accept, steps=steps, calls=calls, names=names
    )
    if taught and problem is not None:
        return f"{problem} (this check grades the form: {taught})", ""
    if problem is not None:
        same = _normal(got, steps=steps, calls=calls) == _normal(want, steps=steps, calls=calls)
        if form.policy() == "strict" or not same:
            return problem, ""
    note = _form_note(got, want, what=what, accept=accept, calls=calls, names=names)
    if note is None:
        return None, ""
    if taught:
        return f"{note} (this check grades the form: {taught})", ""
    return None, f"Note: {note}; only the values are graded, the form costs no points here."


def noted(verdict: Verdict, note: str) -> Verdict:
    """``verdict`` with a note on form (``form_check``) kept beside its feedback."""
    return replace(verdict, note=note) if note else verdict


def _structure(actual: Evidence | Any) -> Structure:
    if isinstance(actual, Evidence):
        return structure_of(actual.value, actual.value_type, actual.meta)
    return structure_of_value(actual)


def _flat(value: Any) -> list[float]:
    if isinstance(value, list | tuple):
        return [x for v in value for x in _flat(v)]
    return np.ravel(np.asarray(value, dtype=np.float64)).tolist()


def _array(value: Any) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def close(
    actual: Evidence | Any,
    expected: Any,
    *,
    rtol: float = VALUE_RTOL,
    atol: float = VALUE_ATOL,
    what: str = "the result",
    value: Any = None,
    accept: Sequence[str] | None = None,
    calls: bool = False,
    context: explain.Context | None = None,
    form: str = "",
) -> Verdict:
    """Scalar / array check; ``actual`` is the Evidence of a "value"/"call" probe (its
    value and meta are used, or ``value`` instead of its value) or a plain value.

    The structure is checked before the values, by the policy for form (``form_check``:
    ``accept`` names the container kinds the task allows in place of the expected one;
    ``calls``: ``expected`` lists the results of several calls; ``form``: what the check
    teaches about the form, if it does). A wrong value is named by its index (and call),
    with the digits that show the difference; ``explain`` adds the relation to the expected
    value that holds, if one does (``context``: the check's factors, the update's input...)."""
    meta = actual.meta if isinstance(actual, Evidence) else {}
    kind = actual.value_type if isinstance(actual, Evidence) else type(actual).__name__
    if value is None:
        value = actual.value if isinstance(actual, Evidence) else actual
    if meta.get("requires_grad"):
        return Verdict("failed", f"{what} still requires grad: return it with .detach()")
    if str(meta.get("device", "cpu")).startswith("cuda"):
        return Verdict("failed", f"{what} is on {meta['device']}: return it on the CPU (.cpu())")
    got_structure = (
        structure_of(value, kind, meta) if isinstance(actual, Evidence) else _structure(value)
    )
    problem, note = form_check(
        got_structure,
        structure_of_value(expected),
        what=what,
        accept=accept,
        calls=calls,
        taught=form,
    )
    if problem is not None:
        flipped = transposed(value, expected)
        return explained(Verdict("failed", problem), flipped)
    return noted(_close_values(value, expected, meta, kind, rtol, atol, what, calls, context), note)


def _close_values(
    value: Any,
    expected: Any,
    meta: dict[str, Any],
    kind: str,
    rtol: float,
    atol: float,
    what: str,
    calls: bool,
    context: explain.Context | None,
) -> Verdict:
    """``close`` once the structure is right: the values."""
    got, want = _array(value), _array(expected)
    if want is None:  # a tuple of differently shaped parts, whose structure matched: flatten
        got, want = _array(_flat(value)), np.asarray(_flat(expected), dtype=np.float64)
    if got is None or (got.dtype == object):
        return Verdict("failed", f"{what} should be a number or an array, got a {kind}")
    if got.shape != want.shape:
        return Verdict("failed", f"{what} has shape {got.shape}, expected {want.shape}")
    if (meta.get("finite") is False or np.isnan(got).any()) and np.all(np.isfinite(want)):
        return Verdict(
            "failed",
            f"{what} contains NaN or inf: check for a division by zero "
            "or a learning rate that makes the iterates blow up",
        )
    if np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        return Verdict("passed", f"{what} is correct")
    ctx = context or explain.Context()
    relation = explain.explain(got, want, ctx)
    return explained(
        Verdict("failed", _value_message(got, want, what, rtol, atol, calls)), relation
    )


def _value_message(
    got: np.ndarray, want: np.ndarray, what: str, rtol: float, atol: float, calls: bool
) -> str:
    """ "update(...) is 2.05; expected 1.95", or for an array the first entry that differs,
    by its index (and call), and how many do."""
    if got.ndim == 0:
        a, b = pair(float(got), float(want))
        return f"{what} is {a}; expected {b}"
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    index = tuple(int(k) for k in np.argwhere(bad)[0])
    a, b = pair(float(got[index]), float(want[index]))
    count = f" ({int(bad.sum())} of {bad.size} entries differ)" if bad.size > 1 else ""
    if calls:
        rest = f"[{', '.join(map(str, index[1:]))}]" if len(index) > 1 else ""
        return f"{what}{rest} in call {index[0] + 1} is {a}; expected {b}{count}"
    return f"{what}[{', '.join(map(str, index))}] is {a}; expected {b}{count}"


def transposed(
    value: Any, expected: Any, names: Sequence[str] | None = None
) -> explain.Relation | None:
    """The student's array is the expected one transposed; for a tuple of arrays, the one
    item that is transposed while the others match (named by ``names``)."""
    if isinstance(expected, tuple | list) and any(np.ndim(e) >= 2 for e in expected):
        return _transposed_item(value, expected, names)
    got, want = _array(value), _array(expected)
    if got is None or want is None or got.dtype == object:
        return None
    return explain.transposed(got, want)


def _transposed_item(
    value: Any, expected: Sequence[Any], names: Sequence[str] | None
) -> explain.Relation | None:
    if not isinstance(value, tuple | list) or len(value) != len(expected):
        return None
    items = [(_array(v), _array(e)) for v, e in zip(value, expected, strict=True)]
    if any(g is None or w is None or g.dtype == object for g, w in items):
        return None
    flipped = [
        k
        for k, (g, w) in enumerate(items)
        if g.shape != w.shape and explain.transposed(g, w) is not None
    ]
    same = [k for k, (g, w) in enumerate(items) if g.shape == w.shape and np.allclose(g, w)]
    if len(flipped) != 1 or len(same) != len(items) - 1:
        return None
    k = flipped[0]
    name = names[k] if names and len(names) == len(items) else f"item {k + 1}"
    inner = explain.transposed(*items[k])
    rest = [n for j, n in enumerate(names or []) if j != k]
    others = f"{' and '.join(rest)} {'matches' if len(rest) == 1 else 'match'}"
    return explain.Relation(
        f"component:{name}+transpose",
        f"only {name} differs ({others if rest else 'the other items match'}): {inner.sentence}",
        inner.hint,
    )


def explained(verdict: Verdict, relation: explain.Relation | None) -> Verdict:
    """A failed verdict with the explainer's relation added to its message and diagnosis
    (a Diagnosis that names no mistake but carries the relation)."""
    if relation is None:
        return verdict
    text = relation.text()
    diagnosis = Diagnosis(
        mistake=None, title=relation.sentence, fix=relation.hint, relation=relation.id
    )
    message = f"{verdict.feedback}. {text[0].upper()}{text[1:]}"
    return replace(verdict, feedback=message, diagnosis=diagnosis)


def unexplained(verdict: Verdict) -> Verdict:
    """The verdict without the relation ``explained`` added (for a caller that names a known
    mistake instead: the mistake says more, and a relation's hint may not fit it)."""
    d = verdict.diagnosis
    if d is None or d.mistake or not d.relation:
        return verdict
    text = f"{d.title}: {d.fix}" if d.fix else d.title
    tail = f". {text[0].upper()}{text[1:]}"
    feedback = verdict.feedback.removesuffix(tail)
    return replace(verdict, feedback=feedback, diagnosis=None)


def equal(
    evidence: Evidence,
    expected: Any,
    *,
    what: str = "the result",
    accept: Sequence[str] | None = None,
    calls: bool = False,
    form: str = "",
) -> Verdict:
    """Exact equality (integers, booleans, strings), after the structure by the policy for
    form (``form_check``; lengths of 1-D answers are left to the values, which show them)."""
    problem, note = form_check(
        _structure(evidence),
        structure_of_value(expected),
        what=what,
        accept=accept,
        steps=True,
        calls=calls,
        taught=form,
    )
    if problem is not None:
        return Verdict("failed", problem)
    return noted(_equal_values(evidence, expected, what), note)


def _equal_values(evidence: Evidence, expected: Any, what: str) -> Verdict:
    """``equal`` once the structure is right: the values (tuples as lists, arrays as nested
    lists, as the wire carries them)."""
    if _plain(evidence.value) == _plain(expected):
        return Verdict("passed", f"{what} is correct")
    verdict = Verdict("failed", f"{what} is {evidence.value!r}; expected {expected!r}")
    got, want = _numbers(evidence.value), _numbers(expected)
    if got is None or want is None:  # labels beside counts: explain the counts where the
        got, want = _counts_beside_labels(evidence.value, expected)  # labels all agree
    if got is None or want is None or len(got) != len(want):
        return verdict
    return explained(verdict, explain.explain(got, want, explain.Context(integers=True)))


def _plain(value: Any) -> Any:
    """Tuples as lists and arrays as nested lists, all the way down."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _counts_beside_labels(value: Any, expected: Any) -> tuple[list[float] | None, ...]:
    """The integers of two nested lists of the same shape whose other entries (strings,
    such as a stopping reason) are all equal; (None, None) otherwise."""
    if isinstance(expected, list | tuple):
        if not isinstance(value, list | tuple) or len(value) != len(expected):
            return None, None
        got: list[float] = []
        want: list[float] = []
        for v, e in zip(value, expected, strict=True):
            g, w = _counts_beside_labels(v, e)
            if g is None or w is None:
                return None, None
            got, want = got + g, want + w
        return got, want
    if isinstance(expected, int) and not isinstance(expected, bool):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return ([float(value)], [float(expected)]) if ok else (None, None)
    return ([], []) if value == expected else (None, None)


def _numbers(value: Any) -> list[float] | None:
    """The integers of a value (nested lists of ints), or None when it holds anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return [float(value)]
    if isinstance(value, list | tuple):
        out: list[float] = []
        for v in value:
            inner = _numbers(v)
            if inner is None:
                return None
            out += inner
        return out
    return None


@dataclass(frozen=True)
class Replay:
    """How to rerun the reference on the order the student actually read."""

    n_samples: int
    """N: every epoch must read each of range(N) exactly once."""
    epochs: int
    """Number of epochs the trainer was asked for."""
    run: Callable[[list[np.ndarray]], Sequence[float]]
    """Per-epoch permutations -> reference per-step losses on them."""


def replayed_order(
    batches: list[list[int]] | None, *, n_samples: int, epochs: int
) -> list[np.ndarray] | Verdict:
    """Per-epoch permutations rebuilt from the batches the student read, or a failed
    Verdict saying why they are not a valid sequence of epochs."""
    flat = [i for batch in batches or [] for i in batch]
    if len(flat) != n_samples * epochs:
        return Verdict(
            "failed",
            f"your trainer read {len(flat)} samples; {epochs} epochs of {n_samples} samples "
            f"read {n_samples * epochs}: every sample should be read once per epoch",
        )
    perms = [np.asarray(flat[e * n_samples : (e + 1) * n_samples]) for e in range(epochs)]
    for e, p in enumerate(perms):
        if sorted(p.tolist()) != list(range(n_samples)):
            return Verdict("failed", f"epoch {e + 1} read some samples twice and skipped others")
    return perms


def _reshuffle_problem(perms: list[np.ndarray]) -> str | None:
    """Why the epochs read were not reshuffled, or None. Small data sets are let off: there
    a repeated or sorted order is too likely by chance to accuse anyone of it."""
    n, epochs = len(perms[0]), len(perms)
    in_order = [np.array_equal(p, np.arange(n)) for p in perms]
    repeated = (epochs - 1) * math.lgamma(n + 1) >= math.lgamma(MIN_ORDER_CHECK + 1)
    if repeated and all(np.array_equal(p, perms[0]) for p in perms):
        how = "0, 1, ..., N-1: never shuffled" if in_order[0] else "one shuffle, reused"
        return (
            f"your trainer read the samples in the same order in every epoch ({how}): it "
            "never reshuffles. Draw a new random order at the start of every epoch "
            "(DataLoader(..., shuffle=True) does; one permutation made before the epoch loop "
            "does not)"
        )
    if n >= MIN_ORDER_CHECK and any(in_order):
        return (
            "your trainer read the samples in their stored order 0, 1, ..., N-1 in epoch "
            f"{in_order.index(True) + 1}: it did not shuffle that epoch. Draw a new random "
            "order at the start of every epoch"
        )
    return None


def _shown(values: Sequence[float]) -> list[float]:
    """A curve for a plot: cut at the first NaN/inf (JSON cannot hold them)."""
    out = []
    for v in values:
        if not math.isfinite(v):
            break
        out.append(float(v))
    return out


def _per_step(values: Sequence[float], width: int) -> list[float]:
    """One plotted point per step: the value, or the norm of a step of ``width`` values."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    if width <= 1 or len(flat) % width:
        return _shown(flat.tolist())
    with np.errstate(over="ignore", invalid="ignore"):
        return _shown(np.linalg.norm(flat.reshape(-1, width), axis=1).tolist())


def trajectory(
    student: Evidence | Sequence[float] | None,
    reference: Sequence[float] | None,
    *,
    rtol: float = trajectories.LOSS_RTOL,
    atol: float = trajectories.LOSS_ATOL,
    what: str = "loss",
    title: str = "Loss per step",
    mistakes: tuple[str, dict[str, Any]] | None = None,
    among: Collection[str] | None = None,
    replay: Replay | None = None,
    log_y: bool = False,
    width: int = 1,
    context: explain.Context | None = None,
    layout: Layout | None = None,
) -> Verdict:
    """Step-by-step comparison of the student's losses with the reference.

    ``width``: values per step (a sequence of 2-D iterates, flattened, has width 2): the
    text counts steps and the plot shows one point per step (the norm |x_k| when wider
    than 1), both from step 0, the first value (x_0 for iterates).

    ``student``: the Evidence of a "train" probe (losses through ``trajectories.losses_of``)
    or a sequence. ``mistakes``: ``(family, inputs)`` for
    ``grader.judging.misconceptions.diagnose`` on failure (``among``: only those mistake
    ids). ``replay``: the student chose the
    order (a "record" probe): the batches in the Evidence must be epochs, each a new
    permutation (else a failed verdict naming ``no_shuffle``); the reference is recomputed
    on them (``reference`` is ignored and may be None) and ``inputs["permutations"]`` of
    ``mistakes`` is replaced by the replayed order.

    ``layout``: the values are the components of one answer (``(y, running_mean,
    running_var)`` flattened), not steps: the message names the entry (``running_mean[0]``)
    and the plot's x-axis says which entries are which. Where no known mistake matches,
    ``grader.judging.explain`` names the exact relation to the reference that holds, if one
    does (``context``: the check's factors, steps per epoch, eps).
    """
    losses = trajectories.losses_of(student) if isinstance(student, Evidence) else student
    if losses is None:
        return Verdict("failed", f"no {what} values were returned: return the per-step {what}es")
    if replay is not None and isinstance(student, Evidence):
        perms = replayed_order(student.batches, n_samples=replay.n_samples, epochs=replay.epochs)
        if isinstance(perms, Verdict):
            return perms
        problem = _reshuffle_problem(perms)
        if problem is not None:
            return _unshuffled_verdict(problem)
        reference = replay.run(perms)
        if mistakes is not None:
            mistakes = (mistakes[0], {**mistakes[1], "permutations": perms})
    if reference is None:
        raise ValueError("trajectory() needs a reference, or a Replay and the Evidence")
    reference = [float(v) for v in np.asarray(reference, dtype=np.float64).ravel()]
    # the epoch arithmetic applies to a trainer that runs epochs (its context says how many
    # updates each has), not to iterates, schedules or a range test that stops on the loss
    epochs = isinstance(student, Evidence) and context is not None and context.steps_per_epoch
    hint = trajectories.EPOCH_HINT if epochs else ""
    cmp = trajectories.compare(
        losses,
        reference,
        rtol=rtol,
        atol=atol,
        what=what,
        width=width,
        count_hint=hint,
        layout=layout,
    )
    if cmp.matches:
        return Verdict("passed", cmp.message)
    found, curve = None, None
    if mistakes is not None:
        from grader.judging import misconceptions

        found = misconceptions.diagnose(
            losses, mistakes[0], mistakes[1], reference, rtol=rtol, atol=atol, among=among
        )
        curve = misconceptions.output_of(found)
    series = {"student": _per_step(losses, width), "reference": _per_step(reference, width)}
    message = cmp.message
    if found is not None and found.mistake and curve is not None:
        series["known mistake"] = _per_step(curve, width)
        message = f"{message} ({misconceptions.named_text(found)})"
    xlabel, ylabel = _axes(what, width, layout)
    plot = PlotData(title=title, xlabel=xlabel, ylabel=ylabel, series=series, log_y=log_y)
    verdict = Verdict("failed", message, diagnosis=found, plot=plot)
    if found is not None and found.mistake:
        return verdict
    ctx = replace(context or explain.Context(), what=what, width=width)
    if layout is not None:
        ctx = replace(ctx, layout=layout)
    relation = explain.explain(losses, reference, ctx)
    if relation is not None and relation.id in PER_EPOCH:
        # one value per epoch: the count is explained, the epoch arithmetic is not at fault
        # and comparing an epoch's value with a step's says nothing
        counted = trajectories.count_text(len(losses), len(reference), what, width)
        verdict = replace(verdict, feedback=f"{counted}, one per epoch")
    return explained(verdict, relation)


PER_EPOCH = ("epoch_means", "epoch_last")
"""Relations that explain a short trajectory as one value per epoch."""


AXIS_NAMES = {"loss": "loss", "lr": "learning rate", "iterate": "x_k"}
"""y-axis label of a plotted sequence, by what its values are."""


def _axes(what: str, width: int, layout: Layout | None) -> tuple[str, str]:
    """(x label, y label) of a feedback plot: what the axes show."""
    if layout is not None and width == 1:
        return layout.axis_label(), "value of the entry"
    sym = trajectories.SYMBOLS.get(what, what)
    if width > 1:
        return ("step k (x_0 is the start)" if what == "iterate" else "step k"), f"|{sym}_k|"
    xlabel = "step k (x_0 is the start)" if what == "iterate" else "step k"
    return xlabel, AXIS_NAMES.get(what, what)


def _unshuffled_verdict(text: str) -> Verdict:
    """A failed verdict naming ``no_shuffle`` (the library's name for it) where registered."""
    import grader.judging.misconceptions  # noqa: F401  (importing it registers the library)
    from grader.judging import registry

    mistake = registry.MISCONCEPTIONS.get("no_shuffle")
    if mistake is None:
        return Verdict("failed", text)
    found = Diagnosis(
        mistake=mistake.id, title=mistake.title, fix=mistake.fix, concept=mistake.concept_id
    )
    return Verdict("failed", text, diagnosis=found)


def band(
    value: float,
    *,
    low: float,
    high: float,
    what: str,
    hint: str = "",
    above: str = "",
    below: str = "",
    scaled: Sequence[tuple[float, explain.Relation]] = (),
    factors: dict[str, float] | None = None,
) -> Verdict:
    """Distributional check: a value must fall in [low, high].

    A value outside gets a hint only where its condition holds: ``hint`` on either side,
    ``above`` / ``below`` on that side only. Before any hint, a relation that explains the
    value: a fraction band missed by a value ``factors`` times (100, or a count's N) a value
    inside it (``ratio:100``, ``ratio:N``), or the first of ``scaled``'s ``(c, relation)``
    whose band ``c * [low, high]`` holds the value while no other candidate's does (a
    statistic that a known mistake multiplies by c)."""
    finite = isinstance(value, float | int) and math.isfinite(value)
    if finite and low <= value <= high:
        return Verdict("passed", f"{what} = {value:.4g} is within [{low:.4g}, {high:.4g}]")
    # as many digits as it takes to show the value is not the nearer bound
    near = min((low, high), key=lambda v: abs(v - value)) if finite else low
    d = digits_to_differ(float(value), near, least=BAND_DIGITS) if finite else BAND_DIGITS
    shown = number(float(value), d) if isinstance(value, float | int) else repr(value)
    outside = f"{what} = {shown} is outside [{number(low, d)}, {number(high, d)}]"
    relation = _fraction_times(value, low=low, high=high, factors=factors) or _scaled_band(
        value, low=low, high=high, scaled=scaled
    )
    if relation is not None:  # the relation explains it: the caller's hints would not apply
        return explained(Verdict("failed", outside), relation)
    side = (above if value > high else below) if finite else ""
    return Verdict("failed", f"{outside}. {side or hint}".strip().rstrip("."))


def _fraction_times(
    value: Any, *, low: float, high: float, factors: dict[str, float] | None
) -> explain.Relation | None:
    """A fraction band (within [0, 1]) missed by a value that is 100 (or N) times a value in
    it: a percentage, or a count of the samples."""
    if not isinstance(value, float | int) or not math.isfinite(value) or not 0 <= low <= high <= 1:
        return None
    for name, c in {"100": 100.0, **(factors or {})}.items():
        if value > high and low <= value / c <= high:
            text = "a percentage" if name == "100" else f"a count out of {name} = {c:g}"
            return explain.Relation(
                f"ratio:{name}",
                f"{value:.4g} is {c:g} times {value / c:.4g}, which is inside the band: "
                f"{text}, where a fraction is asked for",
                explain.HINTS["100"]
                if name == "100"
                else f"divide by {name}: report the "
                "fraction of correct samples (.mean() of the matches, not .sum())",
            )
    return None


def _scaled_band(
    value: Any, *, low: float, high: float, scaled: Sequence[tuple[float, explain.Relation]]
) -> explain.Relation | None:
    """The one candidate (c, relation) with value in c * [low, high]."""
    if not isinstance(value, float | int) or not math.isfinite(value):
        return None
    fits = [rel for c, rel in scaled if min(c * low, c * high) <= value <= max(c * low, c * high)]
    return fits[0] if len(fits) == 1 else None


def noise_level(losses: Sequence[float], *, steps_per_epoch: int) -> float:
    """Spread of the last epoch's per-step losses: their standard deviation / mean (the
    mini-batch noise, which shrinks roughly like 1 / sqrt(B))."""
    last = np.asarray(losses[-steps_per_epoch:], dtype=np.float64)
    mean = float(last.mean())
    return float(last.std() / mean) if mean > 0 else math.inf


def final_loss(losses: Sequence[float], *, steps_per_epoch: int) -> float:
    """Mean per-step loss over the last epoch."""
    return float(np.mean(np.asarray(losses[-steps_per_epoch:], dtype=np.float64)))


def band_from_runs(values: Sequence[float], *, slack: float = BAND_SLACK) -> tuple[float, float]:
    """[min, max] of a statistic over reference runs (other orders or seeds), widened by
    ``slack`` of its range and of its magnitude."""
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = slack * (hi - lo) + slack * max(abs(lo), abs(hi))
    return lo - pad, hi + pad


def distribution(
    student: Evidence | Sequence[float] | None,
    *,
    steps_per_epoch: int,
    epochs: int,
    final_band: tuple[float, float],
    noise_band: tuple[float, float] | None = None,
) -> Verdict:
    """Checks that need no batch order: updates per epoch, final loss and noise level."""
    losses = trajectories.losses_of(student) if isinstance(student, Evidence) else student
    if losses is None:
        return Verdict("failed", "no loss values were returned: return the per-step losses")
    expected = steps_per_epoch * epochs
    if len(losses) != expected:
        return Verdict(
            "failed",
            f"you made {len(losses)} updates, expected {steps_per_epoch} per epoch for "
            f"{epochs} epochs = {expected}: check ceil(N/B) (or floor with drop_last)",
        )
    if not all(math.isfinite(v) for v in losses):
        i = next(i for i, v in enumerate(losses) if not math.isfinite(v))
        return Verdict("failed", f"your loss became {losses[i]} at step {i + 1}")
    verdicts = [
        band(
            final_loss(losses, steps_per_epoch=steps_per_epoch),
            low=final_band[0],
            high=final_band[1],
            what="mean loss over the last epoch",
            hint="the trainer did not converge as far as the reference does",
        )
    ]
    if noise_band is not None:
        verdicts.append(
            band(
                noise_level(losses, steps_per_epoch=steps_per_epoch),
                low=noise_band[0],
                high=noise_band[1],
                what="loss noise in the last epoch (std / mean)",
                hint="the step-to-step noise should match the batch size (about 1/sqrt(B))",
            )
        )
    return all_of(*verdicts)


def all_of(*verdicts: Verdict) -> Verdict:
    """Combine verdicts: partial credit in proportion to the parts that passed."""
    passed = sum(v.status == "passed" for v in verdicts)
    worst = next((v for v in verdicts if v.status != "passed"), None)
    feedback = "\n".join(v.feedback for v in verdicts if v.feedback)
    if worst is None:
        return Verdict("passed", feedback)
    return Verdict(
        worst.status,
        feedback,
        fraction=passed / len(verdicts),
        diagnosis=worst.diagnosis,
        plot=worst.plot,
    )
