"""What a class's warm process imports besides IPython: the libraries the assignment's own
notebooks import.

The instructor's source notebooks decide (a student's copy names nothing the warm process
imports, with one exception below): a library they import is imported once in the warm
process, so every student's child finds it loaded (``sklearn.datasets`` costs each child
1.4 s otherwise), and a heavy library no notebook imports is not paid for at start-up
(matplotlib: 0.4 s; torch with its first training step: 2 s). A student who imports
something else still gets it, at their own import's cost. The exception is torch, which a
student may reach for where the source does not (lr_rules' schedulers): a student notebook
that imports it has torch warmed too, the fixed name the warm process always knew. The
grader's own packages and the standard library are left out; so is a name nothing on this
machine provides. Notebooks are read as plain JSON (no nbformat: its import is 0.3 s).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from grader import pysource

TORCH = "torch"
"""The one library a student's own notebook can have warmed."""
TRUSTED = frozenset({"grader", "reference", "assignments", "tests", "gdgrade_kit"})
"""Never warmed: the grader's own packages (a notebook may not import them while graded)
and the student kit, which a public test cell imports only where gdgrade is absent."""


def _names(source: str) -> set[str]:
    """Modules a cell imports (dotted, absolute imports only); ``%matplotlib`` counts as
    ``matplotlib.pyplot``. Magics and shell lines are dropped before parsing."""
    if source.lstrip().startswith("%%"):
        return set()
    names, code = set(), []
    for text in source.splitlines():
        stripped = text.lstrip()
        if stripped.startswith("%matplotlib"):
            names.add("matplotlib.pyplot")
        code.append("" if stripped[:1] in ("%", "!") else text)
    try:
        tree = pysource.parse("\n".join(code))
    except (SyntaxError, ValueError):
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _available(name: str) -> bool:
    root = name.split(".")[0]
    if root in TRUSTED or root in sys.stdlib_module_names:
        return False
    try:
        return importlib.util.find_spec(root) is not None
    except (ImportError, ValueError):
        return False


def _code(path: Path) -> list[str]:
    """The code cells' sources of a notebook (nbformat 4, or 3's worksheets); none when it
    cannot be read (grading reports that; nothing to warm from it)."""
    try:
        nb = json.loads(path.read_bytes())
        cells = nb.get("cells") or [c for ws in nb.get("worksheets", []) for c in ws["cells"]]
        code = [c.get("source", c.get("input", "")) for c in cells if c["cell_type"] == "code"]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []
    return ["".join(c) if isinstance(c, list) else str(c) for c in code]


def imported(sources: Iterable[Path], students: Iterable[Path] = ()) -> list[str]:
    """The third-party modules the source notebooks' code cells import, sorted; torch also
    when one of the ``students``' notebooks imports it."""
    names: set[str] = set()
    for path in sources:
        for source in _code(path):
            names |= _names(source)
    if not any(n.split(".")[0] == TORCH for n in names):
        for path in students:
            if any(n.split(".")[0] == TORCH for s in _code(path) for n in _names(s)):
                names.add(TORCH)
                break
    return sorted(n for n in names if _available(n))
