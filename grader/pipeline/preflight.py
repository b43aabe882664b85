"""What ``gdgrade release`` checks before it writes anything: the authoring mistakes that
students would otherwise find.

1. Every check a test cell calls is registered; when one is not and
   ``checks/<assignment>.py`` does not exist, the message names that file to create.
2. Every mistake registered by ``checks/<assignment>.py`` names a family that a check uses,
   and its ``simulate`` runs on the inputs of at least one check of that family.
3. The source notebook itself, solutions in place, graded like a submission (the same warm
   sandbox and ``grade_notebook`` as autograde): every check, public and hidden, and every
   plain test cell at full points, no mistake named. A check that fails because its
   ``target`` is nowhere in the notebook's code is reported as that typo.

Each problem names the file (and line) to fix, the check or mistake, and the field.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from grader import pysource
from grader.errors import ConfigError
from grader.judging import registry
from grader.nbgrader_io import notebooks
from grader.nbgrader_io.course import CourseDir
from grader.nbgrader_io.release import check_assignments, check_course

if TYPE_CHECKING:
    from grader.judging.misconceptions import Mistake
    from grader.outputs.results import SubmissionResult
    from grader.sandbox.pool import Sandbox

SOLUTION = "(source solution)"
"""The student name the source notebook is graded under."""
SHOWN = 6
"""Problems listed in one error at most (the rest are counted)."""


def checks_file(course: Path, assignment: str) -> Path:
    """Where an assignment's own checks live."""
    return course / "checks" / f"{assignment}.py"


def shown(path: Path, course: Path) -> str:
    """A file as the user named the course: ``<course>/checks/A.py``, else the full path."""
    try:
        return str(course / path.resolve().relative_to(course.resolve()))
    except ValueError:
        return str(path)


def where(course: Path, check_id: str | None = None, *, mistake: str | None = None) -> str:
    """``file:line`` that registered a check or a mistake, as ``shown``."""
    found = (
        registry.MISTAKE_ORIGINS.get(mistake or "")
        if mistake
        else registry.CHECK_ORIGINS.get(check_id or "")
    )
    return f"{shown(found[0], course)}:{found[1]}" if found else "(unknown file)"


def called_checks(course: Path, assignment: str) -> dict[str, list[tuple[Path, str]]]:
    """Check id -> the (notebook, test cell) pairs of the source notebooks that call it."""
    calls: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted(CourseDir(course).source(assignment).glob("*.ipynb")):
        for record in notebooks.cells(notebooks.read(path)):
            for check_id in record.check_ids if record.kind == "test" else ():
                calls.setdefault(check_id, []).append((path, record.grade_id or "?"))
    return calls


def unknown_checks(course: Path, assignment: str) -> list[str]:
    """Problems with the checks the test cells call: not registered, or no checks file."""
    calls = called_checks(course, assignment)
    for prefix in {cid.split(".")[0] for cid in calls}:
        registry.checks_for(prefix)  # loads them (the shipped ones only when asked)
    missing = {cid: at for cid, at in calls.items() if cid not in registry.CHECKS}
    if not missing:
        return []
    file = checks_file(course, assignment)
    listed = ", ".join(
        f"{cid!r} ({shown(at[0][0], course)}, cell {at[0][1]!r})" for cid, at in missing.items()
    )
    if not file.is_file():
        return [f"{file} does not exist: create it with the checks the test cells call: {listed}"]
    known = sorted(c for c in registry.CHECKS if c.startswith(f"{assignment}."))
    return [
        f"{shown(at[0][0], course)}, cell {at[0][1]!r}: check {cid!r} is not registered "
        f"(checks in {file}: {', '.join(known) or 'none'})"
        for cid, at in missing.items()
    ]


def mistake_problems(course: Path, assignment: str) -> list[str]:
    """Problems of the mistakes ``checks/<assignment>.py`` registers: a family no check uses,
    or a ``simulate`` that runs on none of its family's checks' inputs."""
    file = checks_file(course, assignment).resolve()
    families: dict[str, list[tuple[str, dict]]] = {}
    for chk in registry.CHECKS.values():
        if chk.family is not None:
            families.setdefault(chk.family[0], []).append((chk.id, chk.family[1]))
    problems = []
    for mid, mistake in registry.MISCONCEPTIONS.items():
        if registry.MISTAKE_ORIGINS.get(mid, (None,))[0] != file:
            continue
        at = where(course, mistake=mid)
        if mistake.family not in families:
            used = ", ".join(sorted(families)) or "none"
            problems.append(
                f"{at}: Mistake {mid!r}: family={mistake.family!r} is used by no check, so "
                f"it is never diagnosed (families the checks use: {used})"
            )
            continue
        own = sorted(families[mistake.family], key=lambda c: not c[0].startswith(f"{assignment}."))
        errors = [
            f"check {cid!r}: {err}" for cid, inputs in own if (err := _simulate(mistake, inputs))
        ]
        if len(errors) == len(own):
            problems.append(
                f"{at}: Mistake {mid!r}: simulate does not run on the inputs of its family's "
                f"checks ({errors[0]})"
            )
    return problems


def _simulate(mistake: Mistake, inputs: dict) -> str | None:
    """None when ``simulate(inputs)`` gives numbers; else what went wrong, in one line."""
    try:
        with np.errstate(all="ignore"):
            np.asarray(mistake.simulate(dict(inputs)), dtype=np.float64)
    except Exception as exc:  # the instructor's code: any failure is the finding
        return f"{type(exc).__name__}: {exc}"
    return None


def defined_names(source: Path) -> set[str]:
    """Names the notebook's code cells bind anywhere (defs, classes, assignments, imports)."""
    names: set[str] = set()
    for cell in notebooks.read(source).cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in lines)
        try:
            tree = pysource.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def solution_problems(course: Path, source: Path, result: SubmissionResult) -> list[str]:
    """What keeps the graded source solution from full points with no diagnosis."""
    nb = shown(source, course)
    problems = []
    plain_failed = any(not c.checks and c.points < c.max_points for c in result.cells)
    if result.execution != "ok" and not plain_failed:  # a failing test cell says it itself
        # the sandbox's message comes last (the others are restoration's)
        problems.append(f"{nb}: the solution did not run through: {result.messages[-1]}")
    names: set[str] | None = None
    for cell in result.cells:
        if not cell.checks and cell.points < cell.max_points:
            problems.append(
                f"{nb}, cell {cell.grade_id!r}: the solution scores {cell.points:g}/"
                f"{cell.max_points:g} on this test cell: {_first_line(cell.feedback)}"
            )
        for res in cell.checks:
            at = where(course, res.check_id)
            if res.points < res.max_points:
                target = registry.CHECKS[res.check_id].request().target or ""
                names = defined_names(source) if names is None else names
                if target and target.split(".")[0] not in names:
                    problems.append(
                        f"{at}: check {res.check_id!r}: target={target!r} is not defined in "
                        f"{nb} (is it a typo?)"
                    )
                    continue
                problems.append(
                    f"{at}: check {res.check_id!r}: the solution in {nb} scores "
                    f"{res.points:g}/{res.max_points:g}: {_first_line(res.feedback)}"
                )
            elif res.diagnosis is not None and res.diagnosis.mistake:
                problems.append(
                    f"{at}: check {res.check_id!r}: the solution in {nb} is diagnosed with "
                    f"mistake {res.diagnosis.mistake!r}"
                )
    return problems


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[0] if lines else "(no message)"


def preflight(course: Path, assignments: list[str], *, sandbox: Sandbox | None = None) -> None:
    """Check the assignments before anything of theirs is written; ConfigError listing the
    problems (each naming the file, the check or mistake, and the field).

    Without ``sandbox``, one warm worker is started for the source notebooks as
    ``gdgrade autograde`` starts its own (``warm.warm_start``: the course hidden, what the
    notebooks import warmed), while the checks files load and the static checks run."""
    check_course(course)
    check_assignments(course, assignments)
    if sandbox is not None:
        _check_declarations(course, assignments)
        return _check_solutions(course, assignments, sandbox)

    from grader.nbgrader_io.course import cell_timeout
    from grader.pipeline.warm import warm_start
    from grader.protocol import SandboxLimits

    layout = CourseDir(course)
    sources = [p for a in assignments for p in sorted(layout.source(a).glob("*.ipynb"))]
    limits = SandboxLimits(cell_timeout=cell_timeout(course) or SandboxLimits().cell_timeout)
    with warm_start(sources, limits=limits, hide=[course]) as starting:
        _check_declarations(course, assignments)
        _check_solutions(course, assignments, starting.wait())


def _check_declarations(course: Path, assignments: list[str]) -> None:
    """Checks files, check ids and mistakes: what needs no grading."""
    registry.load_course(course)  # a broken checks file stops here, naming its line
    for name in assignments:
        registry.checks_for(name)  # loads the shipped course's own checks, where it has them
    problems = []
    for name in assignments:
        problems += unknown_checks(course, name) + mistake_problems(course, name)
    _stop(problems, assignments)


def _check_solutions(course: Path, assignments: list[str], sandbox: Sandbox) -> None:
    """Each source notebook graded as a submission: full points, no mistake named."""
    from grader.pipeline.grade import grade_notebook

    problems = []
    for name in assignments:
        for source in sorted(CourseDir(course).source(name).glob("*.ipynb")):
            result, _ = grade_notebook(
                source, source, student=SOLUTION, assignment=name, sandbox=sandbox
            )
            problems += solution_problems(course, source, result)
    _stop(problems, assignments)


def _stop(problems: list[str], assignments: list[str]) -> None:
    if not problems:
        return
    more = len(problems) - SHOWN
    lines = problems[:SHOWN] + ([f"and {more} more"] if more > 0 else [])
    raise ConfigError(
        f"not released ({', '.join(assignments)}), nothing written\n" + "\n".join(lines)
    )


def release_checked(
    course: Path, assignments: list[str], *, sandbox: Sandbox | None = None
) -> list[Path]:
    """``preflight``, then each assignment's nbgrader release and self-check kit (what
    ``gdgrade release`` and the demo do); returns the release folders."""
    from grader.nbgrader_io.release import release
    from grader.outputs.kit import write_kit

    preflight(course, assignments, sandbox=sandbox)
    folders = []
    for name in assignments:
        release(course, name)
        folders.append(write_kit(course, name))
    return folders
