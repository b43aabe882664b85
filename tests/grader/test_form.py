"""The policy for form (issue 23, item 2): a right answer in another container gets its
points with a one-line note naming the form the task asks for; only a check whose subject
is the form takes points for it, and says so; a course can make the form count
(``c.GdGrade.form = "strict"``). Judged on real probe evidence after the JSON wire."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from grader.errors import ConfigError
from grader.evidence import Evidence
from grader.inside.probes import describe
from grader.judging import form, judges, registry
from grader.judging.builders import series_check, value_check
from grader.judging.check import roundtrip, run_in_process
from grader.pipeline.grade import grade_notebook
from tests.grader.conftest import notebook, write

A3 = np.array([1.0, 2.0, 3.0])
A42 = np.arange(8.0).reshape(4, 2)
SIZES = [16, 16, 6]
NOTE = "only the values are graded, the form costs no points here"


@pytest.fixture(autouse=True)
def lenient_form():
    """The default policy, whatever an earlier test or the working directory chose."""
    previous = form.use("lenient")
    yield
    form.use(previous)


def evidence(value: Any) -> Evidence:
    """What a "call" probe returning ``value`` sends, after the wire."""
    data, type_name, meta = describe(value)
    return roundtrip(Evidence(check_id="t", value=data, value_type=type_name, meta=meta))


# (expected, right values in another form, what the note says the student returned,
#  what it says the task asks for)
CLOSE = [
    (A3, [1.0, 2.0, 3.0], "a list of 3 floats", "a NumPy array of shape (3,)"),
    (A3, (1.0, 2.0, 3.0), "a tuple of 3 floats", "a NumPy array of shape (3,)"),
    (A3, torch.tensor(A3), "a tensor of shape (3,)", "a NumPy array of shape (3,)"),
    (A3, [1, 2, 3], "a list of 3 ints", "a NumPy array of shape (3,)"),
    (A42, A42.tolist(), "a list of 4 lists", "a 2-D NumPy array of shape (4, 2)"),
    (A42, list(A42), "a list of 4 arrays of shape (2,)", "a 2-D NumPy array of shape (4, 2)"),
    ([1.0, 2.0], np.array([1.0, 2.0]), "a NumPy array of shape (2,)", "a list of 2 floats"),
    ((A3, 2.0), (A3.tolist(), 2.0), "item 1 of f(...) is a list of 3 floats", "a NumPy array"),
    (1.5, np.array(1.5), "a 0-d NumPy array", "a float"),
    (1.5, torch.tensor(1.5, dtype=torch.float64), "a 0-d tensor", "a float"),
    (2.0, 2, "an int", "a float"),
    (2, 2.0, "a float", "an int"),
    (torch.tensor(A3), A3, "a NumPy array of shape (3,)", "a tensor of shape (3,)"),
]


@pytest.mark.parametrize(("expected", "value", "got", "asks"), CLOSE)
def test_right_values_in_another_form_get_the_points_with_a_note(expected, value, got, asks):
    verdict = judges.close(evidence(value), expected, what="f(...)")
    assert verdict.status == "passed", verdict.feedback
    assert verdict.feedback == "f(...) is correct"
    assert verdict.note.startswith("Note: ") and NOTE in verdict.note, verdict.note
    assert got in verdict.note and f"where the task asks for {asks}" in verdict.note
    assert "\n" not in verdict.note  # one line


@pytest.mark.parametrize(
    ("value", "got"),
    [
        (np.array(SIZES), "a NumPy array of shape (3,)"),
        (tuple(SIZES), None),  # a tuple for a list: the same kind of sequence, no note
        (torch.tensor(SIZES), "a tensor of shape (3,)"),
        ([16.0, 16.0, 6.0], "a list of 3 floats"),
        (np.array(SIZES, dtype=np.float64), "a NumPy array of shape (3,) of dtype float64"),
    ],
)
def test_exact_answers_in_another_form_pass_and_the_note_names_ints(value, got) -> None:
    verdict = judges.equal(evidence([value, [150]]), [SIZES, [150]], what="f(...)", calls=True)
    assert verdict.status == "passed", verdict.feedback
    if got is None:
        assert verdict.note == ""
    else:
        assert f"f(...) (call 1) is {got} where the task asks for a list of 3 ints" in verdict.note


def test_values_in_the_right_form_get_no_note() -> None:
    assert judges.close(evidence(A3.copy()), A3).note == ""
    assert judges.close(evidence(np.float64(1.5)), 1.5).note == ""  # a NumPy float is a float
    assert judges.equal(evidence(SIZES), SIZES).note == ""
    assert judges.close(evidence([1.0, 2.0, 3.0]), A3, accept=judges.ARRAY_LIKE).note == ""


def test_wrong_values_in_another_form_fail_on_the_values() -> None:
    verdict = judges.close(evidence([1.0, 2.0, 4.0]), A3, what="f(...)")
    assert verdict.status == "failed"
    assert verdict.feedback.startswith("f(...)[2] is 4; expected 3"), verdict.feedback
    assert "where the task asks for a NumPy array of shape (3,)" in verdict.note
    verdict = judges.equal(evidence(np.array([16, 16, 7])), SIZES, what="f(...)")
    assert verdict.status == "failed" and "is [16, 16, 7]; expected [16, 16, 6]" in (
        verdict.feedback
    )


@pytest.mark.parametrize(
    ("expected", "value", "words"),
    [
        (A42, A42.ravel(), "has shape (8,), expected (4, 2)"),
        (A42, A42.T.copy(), "has shape (2, 4), expected (4, 2)"),
        (A3, (np.array([1.0, 2.0]), 3.0), "got a tuple of 2 items"),
        (A3, 2.0, "expected a NumPy array of shape (3,), got a float"),
        (1.5, [1.5], "expected a float, got a list of 1 float"),
        (A3, np.array([True, False, True]), "got a NumPy array of shape (3,) of dtype bool"),
        (SIZES, 3, "expected a list of 3 ints, got an int"),
    ],
)
def test_a_different_shape_is_not_a_matter_of_form(expected, value, words) -> None:
    verdict = judges.close(evidence(value), expected, what="f(...)")
    assert verdict.status == "failed" and words in verdict.feedback, verdict.feedback


def test_the_strict_policy_grades_the_container_and_still_only_notes_int_for_float() -> None:
    form.use("strict")
    verdict = judges.close(evidence([1.0, 2.0, 3.0]), A3, what="f(...)")
    assert verdict.status == "failed"
    assert "expected a NumPy array of shape (3,), got a list of 3 floats" in verdict.feedback
    verdict = judges.close(evidence(2), 2.0, what="f(...)")
    assert verdict.status == "passed" and "is an int where the task asks for a float" in (
        verdict.note
    )


def _registered(check_id: str, expected: Any, **kw: Any) -> str:
    value_check(
        f"form_test.{check_id}",
        name=check_id,
        points=2,
        target="f",
        expected=lambda: expected,
        **kw,
    )
    return f"form_test.{check_id}"


TAUGHT = _registered("dtype", A3, form="the task asks for a float64 NumPy array")
PLAIN = _registered("plain", A3)
COUNTS = _registered("counts", SIZES, exact=True)


def test_a_check_that_teaches_the_form_takes_its_points_and_says_so() -> None:
    result = run_in_process(TAUGHT, {"f": lambda: [1.0, 2.0, 3.0]})
    assert (result.status, result.points) == ("failed", 0)
    assert "expected a NumPy array of shape (3,), got a list of 3 floats" in result.feedback
    assert "(this check grades the form: the task asks for a float64 NumPy array)" in (
        result.feedback
    )
    result = run_in_process(TAUGHT, {"f": lambda: np.array([1, 2, 3])})  # ints for floats
    assert result.points == 0 and "this check grades the form" in result.feedback
    assert run_in_process(TAUGHT, {"f": lambda: A3.copy()}).points == 2


def test_the_check_result_carries_the_note_after_the_feedback() -> None:
    result = run_in_process(PLAIN, {"f": lambda: torch.tensor(A3)})
    assert (result.status, result.points, result.max_points) == ("passed", 2, 2)
    first, note = result.feedback.split("\n")
    assert first == "f(...) is correct" and note.startswith("Note: f(...) is a tensor")
    result = run_in_process(COUNTS, {"f": lambda: np.array(SIZES)})
    assert result.points == 2
    assert "where the task asks for a list of 3 ints" in result.feedback


def test_a_series_in_another_form_passes_with_a_note() -> None:
    check_id = "form_test.iterates"
    series_check(
        check_id, name="iterates", points=1, target="f", expected=lambda: A42, what="iterate"
    )
    result = run_in_process(check_id, {"f": lambda: list(A42)})
    assert result.status == "passed", result.feedback
    assert "is a list of 4 arrays of shape (2,) where the task asks for a 2-D NumPy" in (
        result.feedback
    )


# --- the issue's case: loader_batch_sizes, "return a list of ints" ---------------------------


def _sizes(n: int, batch_size: int, drop_last: bool) -> list[int]:
    full, rest = divmod(n, batch_size)
    return [batch_size] * full + ([rest] if rest and not drop_last else [])


def loader_np_array(n, batch_size, drop_last):
    return np.array(_sizes(n, batch_size, drop_last))


def loader_np_diff(n, batch_size, drop_last):
    stops = np.arange(batch_size, n + batch_size, batch_size).clip(max=n)
    sizes = np.diff(np.concatenate([[0], stops]))
    return sizes[sizes == batch_size] if drop_last else sizes


def loader_torch_split(n, batch_size, drop_last):
    sizes = torch.tensor([len(b) for b in torch.arange(n).split(batch_size)])
    return sizes[sizes == batch_size] if drop_last else sizes


def loader_float_array(n, batch_size, drop_last):
    full = n // batch_size
    sizes = np.full(full, float(batch_size))
    if n % batch_size and not drop_last:
        sizes = np.append(sizes, n - full * batch_size)
    return sizes


BATCH_SIZES = "minibatch_in_action.batch_sizes"


@pytest.mark.parametrize(
    ("loader", "got"),
    [
        (loader_np_array, "a NumPy array of shape (10,)"),
        (loader_np_diff, "a NumPy array of shape (10,)"),
        (loader_torch_split, "a tensor of shape (10,)"),
        (loader_float_array, "a NumPy array of shape (10,) of dtype float64"),
    ],
)
def test_the_issue_array_for_list_loaders_get_full_points_with_a_note(loader, got) -> None:
    registry.load_builtin()
    result = run_in_process(BATCH_SIZES, {"loader_batch_sizes": loader})
    assert (result.status, result.points) == ("passed", result.max_points), result.feedback
    note = f"loader_batch_sizes(...) (call 1) is {got} where the task asks for a list of 10 ints"
    assert note in result.feedback, result.feedback


def test_the_issue_int_for_a_list_names_ints() -> None:
    registry.load_builtin()
    result = run_in_process(BATCH_SIZES, {"loader_batch_sizes": lambda n, b, d: n // b})
    assert result.points == 0
    assert "expected a list of 10 ints, got an int" in result.feedback


# --- the course's config ------------------------------------------------------------------


def _course(tmp_path: Path, line: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "nbgrader_config.py").write_text(f"c = get_config()  # noqa: F821\n{line}\n")
    return tmp_path


def test_a_course_switches_to_strict_in_its_config(tmp_path, monkeypatch) -> None:
    course = _course(tmp_path, 'c.GdGrade.form = "strict"')
    assert form.read_policy(course) == "strict"
    registry.load_course(course)  # what every grading command does with the course
    assert form.policy() == "strict"
    result = run_in_process(BATCH_SIZES, {"loader_batch_sizes": loader_np_array})
    assert result.points == 0
    assert "expected a list of 10 ints, got a NumPy array of shape (10,)" in result.feedback
    # nbgrader's kernels: nothing chosen, the course around the working directory decides
    form.use(None)
    monkeypatch.delenv("GDGRADE_COURSE", raising=False)
    monkeypatch.chdir(course)
    assert form.policy() == "strict"
    assert form.read_policy(_course(tmp_path / "other", "")) == "lenient"


def test_a_bad_policy_in_the_config_names_the_file_and_field(tmp_path) -> None:
    course = _course(tmp_path, 'c.GdGrade.form = "loose"')
    with pytest.raises(ConfigError) as err:
        form.read_policy(course)
    where = course / "nbgrader_config.py"
    assert str(err.value) == f"{where}: c.GdGrade.form = 'loose': expected 'lenient' or 'strict'"


@pytest.mark.parametrize(("policy", "score"), [("lenient", 2), ("strict", 0)])
def test_a_graded_notebook_follows_its_course_policy(sandbox, tmp_path, policy, score) -> None:
    """Through the sandbox: the probe in the worker records what the student returned, the
    judge outside applies the policy of the course the source notebook lies in."""
    course = _course(tmp_path / "course", f'c.GdGrade.form = "{policy}"')
    source = course / "source" / "a" / "a.ipynb"
    source.parent.mkdir(parents=True)
    write(notebook("def f():\n    return [16, 16, 6]", [COUNTS], points=2), source)
    answer = "import numpy as np\n\ndef f():\n    return np.array([16, 16, 6])"
    submitted = write(notebook(answer, [COUNTS], points=2), tmp_path / "a.ipynb")
    form.use(None)
    result, _ = grade_notebook(submitted, source, student="s", assignment="a", sandbox=sandbox)
    feedback = result.cells[0].checks[0].feedback
    assert result.score == score, feedback
    if policy == "lenient":
        assert "f(...) is a NumPy array of shape (3,) where the task asks for a list" in feedback
    else:
        assert "expected a list of 3 ints, got a NumPy array of shape (3,)" in feedback
