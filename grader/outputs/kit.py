"""The student kit: what students need for self-checks, and nothing more.

``gdgrade release`` writes, next to the student notebooks in ``release/<assignment>/``:

* ``selfcheck.json``: for each public check that a test cell of the source notebook calls,
  its id, name and points, the probe request (the function's name and the inputs), the
  answer for those inputs computed now by the oracles, and the check's tolerances;
* ``gdgrade_kit.py``: the standalone checker (``kit_checker.py`` here), which needs only
  NumPy (and torch for tensor inputs).

Hidden checks, the oracles, the judges and the misconception library stay with the grader:
the kit holds numbers, not code of the course.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from grader.inside.probes import encode
from grader.judging import registry
from grader.nbgrader_io import notebooks
from grader.nbgrader_io.course import CourseDir

DATA = "selfcheck.json"
"""The kit's data file in ``release/<assignment>/``."""
MODULE = "gdgrade_kit.py"
"""The kit's checker in ``release/<assignment>/``."""
CHECKER = Path(__file__).with_name("kit_checker.py")
"""The checker's source in this package."""
FORMAT = 1
"""Version of ``selfcheck.json``'s layout."""


def public_entries(source: Path) -> list[dict[str, Any]]:
    """The kit's entries of one source notebook: its public checks, in notebook order."""
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for record in notebooks.cells(notebooks.read(source)):
        for check_id in record.check_ids if record.kind == "test" else ():
            chk = registry.get(check_id)
            if chk.hidden or check_id in seen:
                continue
            seen.add(check_id)
            request = chk.request()
            answer = chk.answer() if chk.answer is not None else None
            entries.append(
                {
                    "id": chk.id,
                    "name": chk.name,
                    "points": chk.points,
                    "cell": record.grade_id,
                    "request": {
                        "probe": request.probe,
                        "target": request.target,
                        "inputs": request.inputs,
                        "options": request.options,
                    },
                    "expected": None if answer is None else encode(answer.value),
                    "compare": None if answer is None else answer.compare,
                    "rtol": None if answer is None else answer.rtol,
                    "atol": None if answer is None else answer.atol,
                }
            )
    return entries


def write_kit(course: Path, assignment: str, folder: Path | None = None) -> Path:
    """Write ``selfcheck.json`` and ``gdgrade_kit.py`` into ``folder`` (default: the
    assignment's release folder as the course's nbgrader config names it, where nbgrader
    put the student notebook)."""
    registry.load_course(course)
    layout = CourseDir(course)
    folder = folder or layout.folder("release", ".", assignment)
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(layout.source(assignment).glob("*.ipynb"))
    data = {
        "format": FORMAT,
        "assignment": assignment,
        "notebooks": {nb.stem: public_entries(nb) for nb in sources},
    }
    (folder / DATA).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    shutil.copyfile(CHECKER, folder / MODULE)
    return folder
