"""One submission run in the sandbox once, then judged check by check (pytest plugin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.evidence import CheckResult, Evidence
from grader.judging import registry
from grader.nbgrader_io import notebooks


@dataclass
class Submission:
    """A notebook's code run once with every registered check of its assignment probed."""

    path: Path
    evidence: dict[str, Evidence] = field(default_factory=dict)
    record: Any = None
    _sandbox: Any = None

    @classmethod
    def open(cls, path: Path, assignment: str | None = None) -> Submission:
        """Run the notebook; probe every check of ``assignment`` (default: file stem)."""
        from grader.pipeline.grade import plan
        from grader.sandbox.pool import Sandbox

        nb = notebooks.read(path)
        sources, _, _ = plan(nb)
        checks = registry.checks_for(assignment or path.stem)
        sub = cls(path, _sandbox=Sandbox(workers=1))
        sub.record = sub._sandbox.run(sources, [c.request() for c in checks])
        sub.evidence = {e.check_id: e for e in sub.record.evidence}
        return sub

    def check(self, check_id: str) -> CheckResult:
        """Judge one check on this submission's evidence."""
        chk = registry.get(check_id)
        ev = self.evidence.get(check_id) or Evidence(
            check_id=check_id, missing=True, meta={"target": chk.request().target}
        )
        return chk.grade(chk.request(), ev)

    def __enter__(self) -> Submission:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
