"""Where checks and misconceptions are found.

Three sources, loaded once and merged by id:

1. the shipped demo course, ``grader.course.<assignment>`` modules;
2. installed packages, through the entry point groups ``gdgrade.checks`` and
   ``gdgrade.misconceptions`` (each entry point names a module to import; importing it
   calls ``register`` / ``register_misconception``);
3. a course's own checks: ``<course>/checks/<assignment>.py`` (``load_course``), outside
   ``source/`` so nbgrader never releases them; every grading command loads them.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import threading
import traceback
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import ConfigError, UnknownCheckError

if TYPE_CHECKING:
    from grader.judging.check import Check

CHECKS: dict[str, Check] = {}
MISCONCEPTIONS: dict[str, Any] = {}
_loaded = False
_files: set[Path] = set()
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


def load_file(path: str | Path) -> None:
    """Import one instructor's checks file (once per file); ConfigError names its line."""
    path = Path(path).resolve()
    with _lock:
        if path in _files:
            return
        _files.add(path)
    name = f"gdgrade_course_checks_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        line = next(
            (
                f.lineno
                for f in reversed(traceback.extract_tb(exc.__traceback__))
                if Path(f.filename).resolve() == path
            ),
            getattr(exc, "lineno", None),
        )
        raise ConfigError(f"{path}:{line or 1}: {type(exc).__name__}: {exc}") from None


def load_course(course_root: str | Path) -> list[Path]:
    """Import every ``<course>/checks/*.py``; returns the files loaded."""
    load_builtin()
    files = sorted((Path(course_root) / "checks").glob("*.py"))
    for path in files:
        load_file(path)
    return files


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
