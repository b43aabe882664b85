"""``gdgrade check``: a student's run of the public checks of their own notebook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import NotebookError
from grader.judging import registry
from grader.nbgrader_io import notebooks

if TYPE_CHECKING:
    import nbformat

    from grader.evidence import CheckResult
    from grader.sandbox.execution import ExecutionRecord
    from grader.sandbox.pool import Sandbox


def public_checks(
    nb: nbformat.NotebookNode, sandbox: Sandbox
) -> tuple[ExecutionRecord, dict[str, CheckResult]]:
    """Run the notebook and judge the public checks its test cells call (``run_checks``)."""
    from grader.pipeline.grade import plan, run_checks

    sources, _, grade_cells = plan(nb)
    checks = [registry.get(c) for cell in grade_cells for c in cell.check_ids]
    return run_checks(sandbox, sources, [c for c in checks if not c.hidden])


def run_public_checks(path: Path) -> int:
    """Run the notebook in the sandbox and judge only public checks; 0 when all pass."""
    from rich.console import Console

    from grader.sandbox.pool import Sandbox

    console = Console()
    try:
        nb = notebooks.read(path)
        with Sandbox(workers=1) as sandbox:
            _, results = public_checks(nb, sandbox)
    except NotebookError as exc:
        console.print(f"[red]{path.name}: {exc}[/red]")
        return 2
    failed = 0
    for result in results.values():
        mark = "[green]✓[/green]" if result.status == "passed" else "[red]✗[/red]"
        failed += result.status != "passed"
        console.print(f"{mark} {result.name}: {result.feedback}")
        if result.diagnosis and result.diagnosis.mistake:
            console.print(f"   Likely mistake: {result.diagnosis.title}. {result.diagnosis.fix}")
    console.print(
        f"{len(results) - failed}/{len(results)} self-checks pass; "
        "the hidden tests run when your notebook is graded."
    )
    return 1 if failed else 0
