"""What a class's warm process imports besides torch and IPython: the libraries the
assignment's own notebooks import.

Only the instructor's source notebooks are read (never a student's copy): a library they
import is imported once in the warm process, so every student's child finds it loaded
(``sklearn.datasets`` costs each child 1.4 s otherwise), and a heavy library no notebook
imports is not paid for at start-up (matplotlib: 0.4 s). A student who imports something
else still gets it, at their own import's cost. The grader's own packages and the standard
library are left out; so is a name nothing on this machine provides.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

TRUSTED = frozenset({"grader", "reference", "assignments", "tests"})
"""Packages a notebook may not import while graded: never warmed for it."""


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
        tree = ast.parse("\n".join(code))
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


def imported(sources: Iterable[Path]) -> list[str]:
    """The third-party modules the source notebooks' code cells import, sorted."""
    names: set[str] = set()
    for path in sources:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # unreadable: grading reports it; nothing to warm from it
            continue
        for cell in nb.cells:
            if cell.cell_type == "code":
                names |= _names(cell.source)
    return sorted(n for n in names if _available(n))
