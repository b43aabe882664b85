"""Feedback HTML for one submission: scores, messages, diagnoses and loss-curve plots.

Only check results are shown: the source of hidden tests never reaches this page.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from grader.outputs.plots import png_base64
from grader.outputs.results import SubmissionResult

_env = Environment(
    loader=PackageLoader("grader.outputs", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def environment() -> Environment:
    """The Jinja environment of gdgrade's HTML templates."""
    return _env


def render(result: SubmissionResult) -> str:
    """The feedback page as an HTML string with plots embedded as PNG data URLs."""
    plots = {c.check_id: png_base64(c.plot) for c in result.checks if c.plot is not None}
    return _env.get_template("feedback.html.j2").render(r=result, plots=plots)
