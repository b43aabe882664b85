"""Feedback in the course's words (issue 15): one test per rule that is not a trajectory's
(those are in test_trajectories.py)."""

from __future__ import annotations

import nbformat

from grader.evidence import ErrorInfo, Evidence, ProbeRequest
from grader.judging import judges, registry
from grader.judging.builders import trainer_context
from grader.judging.check import Check, Verdict, run_in_process
from grader.judging.registry import register
from grader.pipeline.grade import cell_names

register(
    Check(
        id="messages.square",
        name="square",
        points=1,
        request=lambda: ProbeRequest(
            check_id="messages.square", probe="call", target="square", inputs={"args": [3]}
        ),
        judge=lambda req, ev: Verdict("passed" if ev.value == 9 else "failed"),
    )
)


def test_a_stub_is_not_answered_without_a_traceback():
    def square(x):
        raise NotImplementedError()

    result = run_in_process("messages.square", {"square": square})
    assert result.status == "error" and result.points == 0
    assert result.feedback == "not answered: `square` still raises NotImplementedError"


def test_a_traceback_names_the_function_not_ipython_files():
    ev = Evidence(
        check_id="messages.square",
        error=ErrorInfo(
            type="ZeroDivisionError",
            message="division by zero",
            traceback='  File "<ipython-input-2-d1957498a707>", line 4, in square\n    1 / 0\n',
        ),
    )
    result = registry.get("messages.square").grade(
        ProbeRequest(check_id="messages.square", probe="call", target="square"), ev
    )
    assert "ipython-input" not in result.feedback
    assert "in square, line 4 of its cell" in result.feedback


def _cell(source: str, grade_id: str | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if grade_id:
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True, "grade": False}
    return cell


def test_cells_are_named_by_grade_id_or_function_in_messages(sandbox):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# title"),
        _cell("import math"),
        _cell("def gd_iterates(x0, lr, steps):\n    return [x0]"),
        _cell("plt_data = None\nraise NotImplementedError()", "plot"),
    ]
    names = cell_names(nb, [1, 2, 3])
    assert names == ["cell 2 of the notebook", "the cell defining gd_iterates", "cell 'plot'"]
    record = sandbox.run([c.source for c in nb.cells[1:]], [], names=names)
    assert record.message == "cell 'plot' is not answered (it still raises NotImplementedError)"
    broken = sandbox.run(["def gd_iterates(x0, lr, steps):\n    pass", "1 / 0"], [], names=names)
    assert broken.message.startswith("the cell defining gd_iterates raised ZeroDivisionError")


def test_the_epoch_hint_is_given_for_a_trainer_only():
    ref = [1.0, 0.5, 0.25, 0.2]
    epochs = trainer_context(4, {"batch_size": 2})  # 2 updates per epoch
    trainer = judges.trajectory(Evidence(check_id="t", losses=[1.0, 0.5]), ref, context=epochs)
    assert "ceil(N/B)" in trainer.feedback
    # a range test stops on the loss: the count is no epoch arithmetic
    range_test = judges.trajectory(Evidence(check_id="t", losses=[1.0, 0.5]), ref)
    assert "ceil(N/B)" not in range_test.feedback
    iterates = judges.trajectory([-6.0, 0.0], [-6.0, 0.0, 0.0], what="iterate")
    assert "ceil(N/B)" not in iterates.feedback and "steps + 1" in iterates.feedback


def test_the_plot_has_one_point_per_iterate_from_step_0():
    ref = [1.0, 0.0, 0.8, 0.0, 0.64, 0.0]
    verdict = judges.trajectory([1.0, 0.0, 0.8, 0.0, 0.5, 0.0], ref, what="iterate", width=2)
    assert verdict.plot is not None and len(verdict.plot.series["reference"]) == 3
    assert verdict.plot.xlabel == "step k (x_0 is the start)"
    assert "at step 2 (x_2 = [0.5, 0]" in verdict.feedback
