"""Return structure (container kind, nesting, arity, entry class, shape) is judged before
values, with a message saying what was expected (issue 12, item 6): a tuple ``(dw, db)``
where one gradient vector is asked no longer passes because its flattened numbers match.

These run under the strict policy for form, where the structure the task states is graded;
the lenient default (right values in another container pass with a note) is in
``test_form.py``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from grader.evidence import Evidence
from grader.inside.probes import describe
from grader.judging import form, judges, registry
from grader.judging.builders import flatten, series_check
from grader.judging.check import roundtrip, run_in_process
from grader.judging.judges import ARRAY_LIKE, SEQUENCE

A3 = np.array([1.0, 2.0, 3.0])
A42 = np.arange(8.0).reshape(4, 2)


@pytest.fixture(autouse=True)
def strict_form():
    """Grade with the strict policy for form, as a course with ``c.GdGrade.form = "strict"``."""
    previous = form.use("strict")
    yield
    form.use(previous)


def evidence(value: Any) -> Evidence:
    """What a "call" probe returning ``value`` sends, after the wire."""
    data, type_name, meta = describe(value)
    return roundtrip(Evidence(check_id="t", value=data, value_type=type_name, meta=meta))


# (expected, student value, accept, verdict, message fragment)
CASES = [
    (A3, A3.copy(), None, "passed", "is correct"),
    (A3, [1.0, 2.0, 3.0], ARRAY_LIKE, "passed", "is correct"),
    (A3, (1.0, 2.0, 3.0), ARRAY_LIKE, "passed", "is correct"),
    (A3, torch.tensor(A3), ARRAY_LIKE, "passed", "is correct"),
    (
        A3,
        [1.0, 2.0, 3.0],
        None,
        "failed",
        "expected a NumPy array of shape (3,), got a list of 3 floats",
    ),
    (A3, (np.array([1.0, 2.0]), 3.0), ARRAY_LIKE, "failed", "got a tuple of 2 items"),
    (
        A3,
        (np.array([1.0, 2.0]), np.array([3.0])),
        None,
        "failed",
        "expected a NumPy array of shape (3,), got a tuple of 2 arrays",
    ),
    (A42, A42.ravel(), None, "failed", "has shape (8,), expected (4, 2)"),
    (A42, A42.ravel(), None, "failed", "return a 2-D NumPy array of shape (4, 2)"),
    (A3, 2.0, ARRAY_LIKE, "failed", "expected a NumPy array of shape (3,) (or a list, a tuple"),
    (A3, 2.0, None, "failed", "expected a NumPy array of shape (3,), got a float"),
    (1.5, [1.5], None, "failed", "expected a float, got a list of 1 float"),
    (1.5, np.float64(1.5), None, "passed", "is correct"),
    (1.5, np.array(1.5), None, "passed", "is correct"),
    (1.5, 1.5, ARRAY_LIKE, "passed", "is correct"),
    (A42, A42.tolist(), ARRAY_LIKE, "passed", "is correct"),
    (A42, list(A42), ARRAY_LIKE, "passed", "is correct"),  # a list of 4 row arrays
    (A42, A42.tolist(), None, "failed", "got a list of 4 lists, each a list of 2 floats"),
    (A42, [[0.0, 1.0], [2.0, 3.0], [4.0]], ARRAY_LIKE, "failed", "got a list of 3 lists"),
    (A42, A42.T.copy(), None, "failed", "has shape (2, 4), expected (4, 2)"),
    (A3, np.array([True, False, True]), None, "failed", "got a NumPy array of shape (3,)"),
    ((A3, 2.0), [A3, 2.0], None, "passed", "is correct"),  # a list where a tuple is returned
    ((A3, 2.0), np.append(A3, 2.0), None, "failed", "expected a tuple of 2 items"),
    ((A3, 2.0), (A3, 2.0, 1.0), None, "failed", "got a tuple of 3 items"),
    ((A3, A42), (A3, A42.ravel()), None, "failed", "item 2 of f(...) has shape (8,)"),
    (torch.tensor(A3), torch.tensor(A3), None, "passed", "is correct"),
    (torch.tensor(A3), A3, None, "failed", "expected a tensor of shape (3,), got a NumPy"),
    ([1.0, 2.0], np.array([1.0, 2.0]), None, "failed", "expected a list of 2 floats"),
    ([1.0, 2.0], np.array([1.0, 2.0]), SEQUENCE, "passed", "is correct"),
]


@pytest.mark.parametrize(("expected", "value", "accept", "status", "words"), CASES)
def test_close_checks_structure_before_values(expected, value, accept, status, words) -> None:
    verdict = judges.close(evidence(value), expected, what="f(...)", accept=accept)
    assert (verdict.status, words in verdict.feedback) == (status, True), verdict.feedback


@pytest.mark.parametrize(
    ("expected", "value", "status", "words"),
    [
        ([3, 4], [3, 4], "passed", "is correct"),
        ([3, 4], (3, 4), "passed", "is correct"),
        ([3, 4], [3, 4, 5], "failed", "is [3, 4, 5]; expected [3, 4]"),  # lengths are values
        ([True, False], [1, 0], "failed", "expected a list of 2 bools, got a list of 2 ints"),
        ([["a", 1], ["b", 2]], [("a", 1), ("b", 2)], "passed", "is correct"),
        ([["a", 1], ["b", 2]], [("a", 1), "b"], "failed", "f(...) (call 2): expected a list"),
        ([[16, 6], [150]], [[16, 16, 6], [150]], "failed", "is [[16, 16, 6], [150]]"),
    ],
)
def test_equal_checks_structure_before_values(expected, value, status, words) -> None:
    verdict = judges.equal(evidence(value), expected, what="f(...)", calls=True)
    assert (verdict.status, words in verdict.feedback) == (status, True), verdict.feedback


def _series(check_id: str, expected: Any, accept: tuple[str, ...] | None) -> str:
    series_check(
        f"structure.{check_id}",
        name=check_id,
        points=1,
        target="run",
        expected=lambda: expected,
        accept=accept,
        what="entry",
        rtol=1e-9,
        atol=1e-12,
    )
    return f"structure.{check_id}"


GRADIENT = _series("gradient", A3, ARRAY_LIKE)
ITERATES = _series("iterates", A42, None)
RATES = _series("rates", np.array([0.1, 0.05, 0.025]), SEQUENCE)


@pytest.mark.parametrize(
    ("check_id", "value", "status", "words"),
    [
        (GRADIENT, A3, "passed", "all 3 entry values match"),
        (GRADIENT, [1.0, 2.0, 3.0], "passed", "all 3 entry values match"),
        (GRADIENT, (np.array([1.0, 2.0]), 3.0), "failed", "got a tuple of 2 items"),
        (ITERATES, A42, "passed", "all 4 steps of 2 entry values match"),
        (ITERATES, A42.ravel(), "failed", "has shape (8,), expected (4, 2)"),
        (ITERATES, list(A42), "failed", "got a list of 4 arrays of shape (2,)"),
        (RATES, [0.1, 0.05, 0.025], "passed", "all 3 entry values match"),
        (RATES, (0.1, 0.05, 0.025), "passed", "all 3 entry values match"),
        (RATES, [0.1, 0.05], "failed", "you returned 2 entry values, the reference 3"),
        (RATES, [[0.1, 0.05, 0.025]], "failed", "has shape (1, 3), expected (3,)"),
        (RATES, 0.1, "failed", "expected a list of 3 floats (or a tuple, an array or a tensor"),
    ],
)
def test_series_check_checks_structure_before_values(check_id, value, status, words) -> None:
    result = run_in_process(check_id, {"run": lambda: value})
    assert (result.status, words in result.feedback) == (status, True), result.feedback


def test_issue_case_a_tuple_where_one_gradient_vector_is_asked_fails() -> None:
    """The course's accumulated gradient asks for "one vector [dL/dw_1, ..., dL/db]"; a
    student returning the right numbers as a tuple (dw, db) passed while the notebook's own
    plot crashed on it (the numbers flatten to the reference's, so only structure rejects
    it)."""
    registry.load_builtin()
    from grader.course.accumulation_normalization import MICRO, B, W, X, Y
    from reference.accumulation import weighted_accumulated_gradient

    check_id = "accumulation_normalization.accumulated_gradient"

    def as_tuple(X, y, w, b, micro_batches):
        return weighted_accumulated_gradient(X, y, w, b, micro_batches=micro_batches)

    def as_vector(X, y, w, b, micro_batches):
        return np.append(*as_tuple(X, y, w, b, micro_batches))

    def as_list(X, y, w, b, micro_batches):
        return as_vector(X, y, w, b, micro_batches).tolist()

    assert flatten(as_tuple(X, Y, W, B, MICRO)) == flatten(as_vector(X, Y, W, B, MICRO))
    result = run_in_process(check_id, {"accumulated_gradient": as_tuple})
    assert result.status == "failed" and result.points == 0
    assert "expected a NumPy array of shape (3,)" in result.feedback
    assert "got a tuple of 2 items (a NumPy array of shape (2,), a float)" in result.feedback
    for right in (as_vector, as_list):
        assert run_in_process(check_id, {"accumulated_gradient": right}).status == "passed"


def test_structures_are_described_in_words() -> None:
    def words(value: Any) -> str:
        return judges.describe_structure(judges.structure_of_value(value))

    assert words((np.zeros(2), 1.0)) == "a tuple of 2 items (a NumPy array of shape (2,), a float)"
    assert words([np.zeros(3), np.zeros(3)]) == "a list of 2 arrays of shape (3,)"
    assert words(np.zeros((4, 2))) == "a 2-D NumPy array of shape (4, 2)"
    assert words(torch.zeros(3)) == "a tensor of shape (3,)"
    assert words([1, 2.5]) == "a list of 2 numbers"
    assert words([]) == "an empty list"
    assert words({"a": 1}) == "a dict"
