"""``gdgrade check``: a student's run of the public checks of their own notebook."""

from __future__ import annotations

from pathlib import Path

from grader.errors import NotebookError
from grader.judging import registry
from grader.nbgrader_io import notebooks


def run_public_checks(path: Path) -> int:
    """Run the notebook in the sandbox and judge only public checks; 0 when all pass."""
    from rich.console import Console

    from grader.pipeline.grade import plan
    from grader.sandbox.pool import Sandbox

    console = Console()
    try:
        nb = notebooks.read(path)
    except NotebookError as exc:
        console.print(f"[red]{path.name}: {exc}[/red]")
        return 2
    sources, _, grade_cells = plan(nb)
    checks = [registry.get(c) for cell in grade_cells for c in cell.check_ids]
    public = [c for c in checks if not c.hidden]
    requests = {c.id: c.request() for c in public}
    with Sandbox(workers=1) as sandbox:
        record = sandbox.run(sources, list(requests.values()))
    evidence = {e.check_id: e for e in record.evidence}
    failed = 0
    for chk in public:
        if chk.id not in evidence:
            console.print(f"[red]✗ {chk.name}[/red]: the notebook stopped first ({record.message})")
            failed += 1
            continue
        result = chk.grade(requests[chk.id], evidence[chk.id])
        mark = "[green]✓[/green]" if result.status == "passed" else "[red]✗[/red]"
        failed += result.status != "passed"
        console.print(f"{mark} {result.name}: {result.feedback}")
        if result.diagnosis and result.diagnosis.mistake:
            console.print(f"   Likely mistake: {result.diagnosis.title}. {result.diagnosis.fix}")
    console.print(
        f"{len(public) - failed}/{len(public)} self-checks pass; "
        "the hidden tests run when your notebook is graded."
    )
    return 1 if failed else 0
