"""Feedback HTML for one submission: scores, messages, diagnoses and loss-curve plots.

The score shown is the final one: a late submission's page says how late it came and what
nbgrader's late-penalty rule took off (``grader.outputs.lateness``).

Only check results are shown: the source of hidden tests never reaches this page.

``write`` puts it where ``nbgrader generate_feedback`` puts its own, so that
``nbgrader release_feedback`` and ``fetch_feedback`` carry it to the student:
``<feedback_directory>/<student>/<assignment>/<notebook>.html`` with the submission's
``timestamp.txt`` and ``submission_secret.txt`` beside it (nbgrader copies them from the
submitted folder; the secret names the released file), mode 0644 as nbgrader's.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from grader.evidence import PlotData
from grader.nbgrader_io.course import CourseDir, SubmittedNotebook, write_atomic
from grader.outputs import lateness
from grader.outputs.plots import png_base64
from grader.outputs.results import SubmissionResult

_env = Environment(
    loader=PackageLoader("grader.outputs", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def environment() -> Environment:
    """The Jinja environment of gdgrade's HTML templates."""
    return _env


@lru_cache(maxsize=256)
def _png(plot_json: str) -> str:
    return png_base64(PlotData.model_validate_json(plot_json))


def png(plot: PlotData) -> str:
    """One check's plot as a base64 PNG. Only failing checks have plots, and students who
    make the same mistake often get the very same curves (the grader chose the data, the
    initial parameters and the batch order), so a class renders each distinct plot once."""
    return _png(plot.model_dump_json())


def warm_up() -> None:
    """Pay the first page's one-off costs now (importing matplotlib and its fonts, compiling
    the template: 0.3-0.5 s), while the grader would wait anyway (the sandbox starting)."""
    _env.get_template("feedback.html.j2")
    png_base64(PlotData(title="warm-up", series={"student": [1.0, 0.5]}))


def render(result: SubmissionResult) -> str:
    """The feedback page as an HTML string with plots embedded as PNG data URLs."""
    plots = {c.check_id: png(c.plot) for c in result.checks if c.plot is not None}
    return _env.get_template("feedback.html.j2").render(
        r=result, plots=plots, late=lateness.line(result), late_detail=lateness.detail(result)
    )


SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")
"""What nbgrader's exchange writes beside a submission and its feedback step carries over."""


def write(course: CourseDir, sub: SubmittedNotebook, result: SubmissionResult) -> Path:
    """Write the feedback page in nbgrader's layout; returns its path."""
    page = course.out("feedback", sub, f"{Path(sub.notebook).stem}.html")
    write_atomic(page, render(result), course.mode("feedback"))
    carry(course, sub)
    return page


def carry(course: CourseDir, sub: SubmittedNotebook) -> None:
    """Copy the submission's ``SUBMISSION_FILES`` beside its feedback, as nbgrader does."""
    folder = course.out("feedback", sub, "")
    for name in SUBMISSION_FILES:
        there = sub.notebook.parent / name
        if there.is_file() and folder.is_dir():
            write_atomic(folder / name, there.read_text(encoding="utf-8"), course.mode("feedback"))
