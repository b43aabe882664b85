"""Where checks and misconceptions are found.

Three sources, loaded once and merged by id:

1. the shipped demo course, ``grader.course.<assignment>`` modules;
2. installed packages, through the entry point groups ``gdgrade.checks`` and
   ``gdgrade.misconceptions`` (each entry point names a module to import; importing it
   calls ``register`` / ``register_misconception``);
3. an assignment's own folder: ``checks.py`` beside an assignment (``load_folder``), so an
   instructor adds checks without editing ``grader/``.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import threading
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import UnknownCheckError

if TYPE_CHECKING:
    from grader.judging.check import Check

CHECKS: dict[str, Check] = {}
MISCONCEPTIONS: dict[str, Any] = {}
_loaded = False
_lock = threading.Lock()


def register(check: Check) -> Check:
    """Add a check (a later registration with the same id replaces the earlier one)."""
    CHECKS[check.id] = check
    return check


def register_misconception(mistake: Any) -> Any:
    """Add a misconception with an ``id`` attribute (see ``grader.judging.misconceptions``)."""
    MISCONCEPTIONS[mistake.id] = mistake
    return mistake


def load_builtin() -> None:
    """Import the shipped course modules and every entry-point module, once."""
    global _loaded
    with _lock:  # grading threads may ask at the same time
        if _loaded:
            return
        course = importlib.import_module("grader.course")
        for info in pkgutil.iter_modules(course.__path__):
            importlib.import_module(f"grader.course.{info.name}")
        for group in ("gdgrade.checks", "gdgrade.misconceptions"):
            for ep in entry_points(group=group):
                importlib.import_module(ep.value.split(":")[0])
        _loaded = True


def load_folder(folder: str | Path) -> None:
    """Import ``checks.py`` from an assignment folder, if there is one."""
    path = Path(folder) / "checks.py"
    if not path.is_file():
        return
    name = f"gdgrade_local_checks_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def get(check_id: str) -> Check:
    """The check with this id, or UnknownCheckError naming the close ones."""
    load_builtin()
    try:
        return CHECKS[check_id]
    except KeyError:
        prefix = check_id.split(".")[0]
        near = sorted(c for c in CHECKS if c.startswith(prefix))[:8]
        raise UnknownCheckError(f"unknown check {check_id!r}; known: {near}") from None


def checks_for(assignment: str) -> list[Check]:
    """All checks of one assignment, in registration order."""
    load_builtin()
    return [c for c in CHECKS.values() if c.id.startswith(f"{assignment}.")]
