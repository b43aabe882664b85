"""The checks API: one check = a probe request built here and a judge that decides.

A check is usable two ways with the same verdict:

* in one process, from a hidden test cell that ``nbgrader autograde`` runs::

      from grader import check
      check("gd_basics.update_rule", globals())

* split across the sandbox by ``gdgrade autograde``: the request goes into the worker, the
  probe runs there, the Evidence comes back as JSON and the judge runs outside.

In both cases the evidence makes a JSON round trip before it is judged.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from grader.evidence import CheckResult, Diagnosis, Evidence, PlotData, ProbeRequest


@dataclass(frozen=True)
class Verdict:
    """What a judge decides before points are attached."""

    status: Literal["passed", "failed", "error", "skipped"]
    feedback: str = ""
    fraction: float | None = None
    """Share of the points in [0, 1]; default 1 for passed and 0 otherwise."""
    diagnosis: Diagnosis | None = None
    plot: PlotData | None = None
    needs_review: bool = False
    """The judge could not decide (an undecided timing check): an instructor should look.
    ``Check.grade`` awards such a verdict's points provisionally (``fraction`` default 1)."""
    note: str = ""
    """A remark that costs nothing, shown after the feedback: the form the task asks for
    where the answer came in another (``grader.judging.form``)."""


Judge = Callable[[ProbeRequest, Evidence], Verdict]


@dataclass(frozen=True)
class Answer:
    """What a public check expects, written into the student kit at release time."""

    value: Any
    """The oracle's answer to the check's request: the value, the list of call results, the
    series or the per-step losses."""
    compare: Literal["close", "exact", "series", "losses"] = "close"
    """How the kit compares: elementwise within tolerance (same shape), ``==``, flattened
    step by step, or the losses a "train" probe returns."""
    rtol: float = 0.0
    """Relative tolerance (the check's own)."""
    atol: float = 0.0
    """Absolute tolerance (the check's own)."""


@dataclass(frozen=True, kw_only=True)
class Check:
    """A named, pointed check: how to probe the student's code and how to judge it."""

    id: str
    """Registry id, ``"<assignment>.<name>"``."""
    name: str
    """Short human name for feedback."""
    points: float
    """Points available."""
    request: Callable[[], ProbeRequest]
    """Builds the grader-chosen inputs (trusted side, deterministic)."""
    judge: Judge
    """Decides from the request and the evidence (trusted side)."""
    topics: tuple[str, ...] = ()
    """Course topic ids this check assesses."""
    hidden: bool = True
    """Whether its details are withheld from students before grades are released."""
    description: str = field(default="", compare=False)
    """One line on what is checked (shown to students for public checks)."""
    answer: Callable[[], Answer] | None = field(default=None, compare=False)
    """The oracle's answer and tolerances for the student kit (public checks); None: the kit
    leaves this check to the grader."""
    form: str = ""
    """What this check teaches about the form of an answer (a dtype, a shape), if it does:
    only then does a right value in another form cost points (``grader.judging.form``)."""
    family: tuple[str, dict[str, Any]] | None = field(default=None, compare=False)
    """The misconception family a wrong answer is diagnosed in and the inputs its mistakes'
    ``simulate`` gets (what ``gdgrade release`` tries each course mistake on); None: none."""

    def grade(self, request: ProbeRequest, evidence: Evidence) -> CheckResult:
        """Judge the evidence and attach points; a crash in a judge is the grader's error.

        A verdict that needs review (undecided) never silently costs points: its points are
        awarded provisionally (full points unless the verdict gives a ``fraction``) and the
        result carries ``needs_review`` so that every output flags it for an instructor
        (nbgrader's ``needs_manual_grade``, the LMS files, the summary and the report).
        """
        verdict = verdict_for_unusable(evidence, request.target) or self.judge(request, evidence)
        fraction = verdict.fraction
        if fraction is None:
            fraction = 1.0 if verdict.status == "passed" or verdict.needs_review else 0.0
        fraction = min(1.0, max(0.0, fraction))
        return CheckResult(
            check_id=self.id,
            name=self.name,
            points=round(self.points * fraction, 6),
            max_points=self.points,
            status=verdict.status,
            feedback="\n".join(t for t in (verdict.feedback, verdict.note) if t),
            diagnosis=verdict.diagnosis,
            plot=verdict.plot,
            hidden=self.hidden,
            needs_review=verdict.needs_review,
        )


def verdict_for_unusable(evidence: Evidence, target: str | None = None) -> Verdict | None:
    """The verdict every judge shares when there is nothing to judge: the function is not
    defined, is still the NotImplementedError stub ("not answered"), or raised."""
    if evidence.missing:
        return Verdict(
            "error",
            f"`{evidence.meta.get('target', 'the function')}` is not defined: run the cell "
            "that defines it and keep the name given in the notebook.",
        )
    if evidence.error is not None:
        err = evidence.error
        target = target or evidence.meta.get("target")
        if err.type == "NotImplementedError":  # nbgrader's stub, still in place
            name = f"`{target}`" if target else "this function"
            return Verdict("error", f"not answered: {name} still raises NotImplementedError")
        tb = f"\n{readable_traceback(err.traceback)}" if err.traceback else ""
        message = f": {err.message}" if err.message else ""
        return Verdict("error", f"Your code raised {err.type}{message}{tb}")
    return None


_CELL_FILE = re.compile(r'File "<ipython-input-\d+-[0-9a-f]+>", line (\d+), in (\S+)')


def readable_traceback(text: str) -> str:
    """A traceback with IPython's cell file names (``<ipython-input-3-ab12...>``) replaced
    by the function and line in the student's cell."""
    return _CELL_FILE.sub(
        lambda m: (
            f"line {m[1]} of the cell"
            if m[2] == "<module>"
            else f"in {m[2]}, line {m[1]} of its cell"
        ),
        text,
    )


def roundtrip(evidence: Evidence) -> Evidence:
    """Evidence as the judge sees it after leaving a worker: through JSON and back."""
    return Evidence.model_validate_json(evidence.model_dump_json())


def run_in_process(check_id: str, namespace: dict[str, Any]) -> CheckResult:
    """Probe and judge in this process (the nbgrader path)."""
    from grader.inside import probes
    from grader.judging import registry

    chk = registry.get(check_id)
    request = chk.request()
    evidence = roundtrip(probes.run(request, namespace))
    return chk.grade(request, evidence)


def check(check_id: str, namespace: dict[str, Any]) -> float:
    """Run a check from a notebook cell: print feedback, fail the cell when it scores zero.

    Returns the points so that nbgrader, which reads a numeric cell result as partial
    credit, awards the same points as ``gdgrade autograde``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader zeroes a cell that writes to stderr
        result = run_in_process(check_id, namespace)
    held = " (needs review: points awarded provisionally)" if result.needs_review else ""
    print(f"[{result.status}] {result.name}: {result.points:g}/{result.max_points:g}{held}")
    if result.feedback:
        print(result.feedback)
    if result.diagnosis is not None and result.diagnosis.mistake:
        print(f"Likely mistake: {result.diagnosis.title}. {result.diagnosis.fix}")
    if result.points <= 0:
        raise AssertionError(result.feedback or f"{result.name} failed")
    return result.points
