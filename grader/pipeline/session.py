"""One submission run in the sandbox once, then judged check by check (pytest plugin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from grader.evidence import CheckResult, Evidence
from grader.judging import registry
from grader.nbgrader_io import notebooks

if TYPE_CHECKING:
    from grader.sandbox.execution import ExecutionRecord
    from grader.sandbox.pool import Sandbox


@dataclass
class NotebookSession:
    """A notebook's code run once with every registered check of its assignment judged."""

    path: Path
    """The notebook."""
    record: ExecutionRecord
    """How its code ran, with the evidence of every check probed."""
    results: dict[str, CheckResult]
    """The verdict of every check of the assignment, by check id."""
    sandbox: Sandbox = field(repr=False)
    """The sandbox it ran in, closed with the session."""

    @classmethod
    def open(cls, path: Path, assignment: str | None = None) -> NotebookSession:
        """Run the notebook; judge every check of ``assignment`` (default: file stem)."""
        from grader.pipeline.grade import plan, run_checks
        from grader.sandbox.pool import Sandbox

        sources, _, _ = plan(notebooks.read(path))
        checks = registry.checks_for(assignment or path.stem)
        sandbox = Sandbox(workers=1)
        try:
            record, results = run_checks(sandbox, sources, checks)
        except BaseException:
            sandbox.close()
            raise
        return cls(path, record, results, sandbox)

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
