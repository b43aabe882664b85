"""One submission run in the sandbox once, then judged check by check (pytest plugin).

``Submission`` is what the plugin's tests get: the notebook is run the first time a test
asks for a check, with every check of the assignment, and each later ask is a look-up. The
assignment is ``--assignment`` or else the one the asked check's id names
(``"<assignment>.<name>"``); the notebook's file name never decides it. ``gradescope_entry`` turns
one test's outcome and the verdicts it asked for into a Gradescope test entry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import UsageError
from grader.evidence import CheckResult, Evidence
from grader.judging import registry
from grader.nbgrader_io import notebooks

if TYPE_CHECKING:
    from grader.sandbox.execution import ExecutionRecord
    from grader.sandbox.pool import Sandbox


@dataclass(repr=False)
class NotebookSession:
    """A notebook's code run once with every registered check of one assignment judged."""

    path: Path
    """The notebook."""
    assignment: str
    """The assignment whose checks were run."""
    record: ExecutionRecord
    """How its code ran, with the evidence of every check probed."""
    results: dict[str, CheckResult]
    """The verdict of every check of the assignment, by check id."""
    sandbox: Sandbox = field(repr=False)
    """The sandbox it ran in, closed with the session."""

    @classmethod
    def open(cls, path: Path, assignment: str) -> NotebookSession:
        """Run the notebook; judge every check of ``assignment``."""
        from grader.pipeline.grade import plan, run_checks
        from grader.sandbox import launch
        from grader.sandbox.pool import Sandbox

        checks = registry.checks_for(assignment)
        if not checks:
            known = ", ".join(assignments()) or "none"
            raise UsageError(f"no checks for assignment {assignment!r} (known: {known})")
        sources, _, _ = plan(notebooks.read(path))
        launched = launch.adopt(isolate=True, hide=())  # the plugin's, warming since configure
        sandbox = Sandbox(workers=1, launched=launched)
        try:
            record, results = run_checks(sandbox, sources, checks)
        except BaseException:
            sandbox.close()
            raise
        return cls(path, assignment, record, results, sandbox)

    def check(self, check_id: str) -> CheckResult:
        """This notebook's verdict on one check (a check of another assignment finds nothing)."""
        if check_id in self.results:
            return self.results[check_id]
        chk = registry.get(check_id)
        request = chk.request()
        missing = Evidence(check_id=check_id, missing=True, meta={"target": request.target})
        return chk.grade(request, missing)

    def close(self) -> None:
        """Stop the sandbox."""
        self.sandbox.close()

    def __enter__(self) -> NotebookSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{self.path.name} graded as {self.assignment}: {self.record.status}>"


def assignments() -> list[str]:
    """The assignments that have checks."""
    registry.load_builtin()
    return sorted({cid.split(".")[0] for cid in registry.CHECKS})


class Submission:
    """A student's notebook, run at most once per assignment, on the first ask."""

    def __init__(self, path: Path, assignment: str | None = None) -> None:
        self.path = path
        self.assignment = assignment
        """Fixed by ``--assignment``; else each check id names its own."""
        self._sessions: dict[str, NotebookSession] = {}
        self._lock = threading.Lock()

    def session(self, assignment: str) -> NotebookSession:
        """The notebook run with the checks of ``assignment`` (run now if not yet)."""
        with self._lock:
            if assignment not in self._sessions:
                self._sessions[assignment] = NotebookSession.open(self.path, assignment)
            return self._sessions[assignment]

    def check(self, check_id: str) -> CheckResult:
        """The verdict on one check, ``"<assignment>.<name>"``."""
        return self.session(self.assignment or check_id.split(".")[0]).check(check_id)

    def close(self) -> None:
        """Stop every sandbox started."""
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()

    def __repr__(self) -> str:
        as_what = f" as {self.assignment}" if self.assignment else ""
        return f"<submission {self.path.name}{as_what}>"


@dataclass(repr=False)
class AskedChecks:
    """One test's view of the submission: it remembers the verdicts the test asked for."""

    submission: Submission
    asked: list[CheckResult]

    def check(self, check_id: str) -> CheckResult:
        """The verdict on one check, remembered for this test's entry."""
        result = self.submission.check(check_id)
        self.asked.append(result)
        return result

    def __repr__(self) -> str:
        return repr(self.submission)


def check_lines(results: list[CheckResult]) -> str:
    """What a student reads for these verdicts: ``[failed] momentum: 0/3`` and the feedback."""
    return "\n".join(
        f"[{r.status}] {r.name}: {r.points:g}/{r.max_points:g}\n{r.feedback}".rstrip()
        for r in results
    )


def gradescope_entry(
    name: str, points: float, passed: bool, asked: list[CheckResult], error: str
) -> dict[str, Any]:
    """One Gradescope test for a pytest test worth ``points``.

    A passing test earns its points. A failing test that asked for checks earns the share
    of their points the checks awarded (partial credit and provisional points, as the grade
    cells do); otherwise nothing. Its output is the verdicts' text, or pytest's ``error``;
    it is hidden when any check it asked for is hidden.
    """
    available = sum(r.max_points for r in asked)
    share = 1.0 if passed else (sum(r.points for r in asked) / available if available else 0.0)
    output = check_lines(asked) if asked else ("" if passed else error[-2000:])
    return {
        "name": name,
        "score": round(points * share, 6),
        "max_score": points,
        "status": "passed" if passed else "failed",
        "output": output,
        "output_format": "text",
        "visibility": "hidden" if any(r.hidden for r in asked) else "visible",
    }
