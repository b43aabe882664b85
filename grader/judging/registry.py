"""Where checks and misconceptions are found.

Three sources, loaded once and merged by id:

1. the shipped demo course, ``grader.course.<assignment>`` modules, each imported when its
   assignment is first asked for (``load_assignment``; ``load_builtin`` imports them all);
2. installed packages, through the entry point groups ``gdgrade.checks`` and
   ``gdgrade.misconceptions`` (each entry point names a module to import; importing it
   calls ``register`` / ``register_misconception``);
3. a course's own checks: ``<course>/checks/<assignment>.py`` (``load_course``), outside
   ``source/`` so nbgrader never releases them. The grading commands load them from the
   course they grade (``load_near``: the course a source notebook lies in), and the
   course named by ``$GDGRADE_COURSE`` or around the working directory is loaded with the
   built-ins and searched again for an unknown id: that is where ``nbgrader autograde``'s
   kernels, ``gdgrade check`` and ``pytest --submission`` run.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
import threading
import traceback
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import ConfigError, UnknownCheckError

if TYPE_CHECKING:
    from grader.judging.check import Check

CHECKS: dict[str, Check] = {}
MISCONCEPTIONS: dict[str, Any] = {}
CHECK_ORIGINS: dict[str, tuple[Path, int]] = {}
"""Check id -> the file and line that registered it (the caller of a builder)."""
MISTAKE_ORIGINS: dict[str, tuple[Path, int]] = {}
"""Mistake id -> the file and line that registered it."""
_HERE = Path(__file__).resolve().parent
_REGISTRARS = frozenset(
    {
        _HERE / "registry.py",
        _HERE / "builders.py",
        _HERE / "misconceptions" / "library.py",
        _HERE.parent / "__init__.py",  # grader.register_mistake and friends
    }
)
"""Files that register on a caller's behalf: an origin is the first caller outside them."""
_loaded = False  # every shipped module (load_builtin)
_plugins_loaded = False
_shipped: set[str] = set()  # the shipped assignments imported so far
_files: set[Path] = set()
_lock = threading.Lock()
_file_lock = threading.RLock()  # held while a checks file runs: others wait for its checks


PREPARED: list[Callable[[], object]] = []
"""Student-independent work of the loaded checks' judges (cached functions: an oracle's
bands), which a grading command runs while its sandbox starts (``prepare``)."""


def prepare(work: Callable[[], object]) -> Callable[[], object]:
    """Register a cached, student-independent computation a judge needs, so that commands do
    it while the sandbox starts instead of after the first notebook ran; returns it."""
    if work not in PREPARED:
        PREPARED.append(work)
    return work


def register(check: Check) -> Check:
    """Add a check (a later registration with the same id replaces the earlier one)."""
    CHECKS[check.id] = check
    _note_origin(CHECK_ORIGINS, check.id)
    return check


def register_misconception(mistake: Any) -> Any:
    """Add a misconception with an ``id`` attribute (see ``grader.judging.misconceptions``)."""
    MISCONCEPTIONS[mistake.id] = mistake
    _note_origin(MISTAKE_ORIGINS, mistake.id)
    return mistake


def _note_origin(origins: dict[str, tuple[Path, int]], key: str) -> None:
    """Record the first caller outside ``_REGISTRARS``."""
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_absolute() and path not in _REGISTRARS:
            origins[key] = (path, frame.f_lineno)
            return
        frame = frame.f_back


def load_builtin() -> None:
    """Import every shipped course module and every entry-point module, once; then the
    checks of the course around the working directory (``load_near``), if any."""
    global _loaded, _plugins_loaded
    with _lock:  # grading threads may ask at the same time
        if not _loaded:
            _plugins_loaded = False  # the entry points as they are now
            _load_plugins()
            course = importlib.import_module("grader.course")
            for info in pkgutil.iter_modules(course.__path__):
                if info.name not in _shipped:
                    _load_shipped(info.name)
            _loaded = True
    load_near()  # outside the lock: load_course comes back here


def load_assignment(assignment: str) -> None:
    """What ``load_builtin`` loads, for one assignment only: its shipped module (if the
    shipped course has it), the entry-point modules and the course around the working
    directory. Another shipped assignment's module is not imported (minibatch_in_action's
    alone takes 1.6 s: torch and the Iris data)."""
    with _lock:
        _load_plugins()
        if assignment not in _shipped and _is_shipped(assignment):
            _load_shipped(assignment)
    load_near()


def load_extensions() -> None:
    """The entry-point modules and the course around the working directory, without any
    shipped assignment (where mistakes come from: the shipped ones are the families')."""
    with _lock:
        _load_plugins()
    load_near()


def _load_plugins() -> None:
    """Import every entry-point module, once (callers hold ``_lock``)."""
    global _plugins_loaded
    if not _plugins_loaded:
        for group in ("gdgrade.checks", "gdgrade.misconceptions"):
            for ep in entry_points(group=group):
                importlib.import_module(ep.value.split(":")[0])
        _plugins_loaded = True


def _is_shipped(assignment: str) -> bool:
    """Whether ``grader.course`` has a module of that name."""
    if not assignment.isidentifier():
        return False
    spec = importlib.util.find_spec(f"grader.course.{assignment}")
    return spec is not None and (spec.origin or "").endswith(".py")


def _load_shipped(assignment: str) -> None:
    """Import ``grader.course.<assignment>`` (callers hold ``_lock``). A check of the same
    id registered before it (a course's own file, an entry point) keeps its place: the
    shipped one only fills in, as when every shipped module loaded first."""
    _shipped.add(assignment)
    before = dict(CHECKS)
    importlib.import_module(f"grader.course.{assignment}")
    CHECKS.update(before)


def load_file(path: str | Path) -> None:
    """Import one instructor's checks file (once per file); ConfigError names its line."""
    path = Path(path).resolve()
    with _file_lock:
        if path in _files:
            return
        _files.add(path)
        _run_checks_file(path)


def _run_checks_file(path: Path) -> None:
    """Run the file as a module, compiled here: no ``__pycache__`` is written into the
    course (a release that stops writes nothing)."""
    name = f"gdgrade_course_checks_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_loader(name, loader=None, origin=str(path))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(path)
    try:
        exec(compile(path.read_bytes(), str(path), "exec"), module.__dict__)
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
    """Import every ``<course>/checks/*.py``; returns the files loaded. The course's policy
    for form (``c.GdGrade.form``) applies from now on (``grader.judging.form``)."""
    from grader.judging import form

    form.use_course(course_root)
    with _lock:
        _load_plugins()
    files = sorted((Path(course_root) / "checks").glob("*.py"))
    for path in files:
        load_file(path)
    return files


def load_near(path: str | Path | None = None) -> list[Path]:
    """Load the checks of the course ``path`` lies in (default: ``$GDGRADE_COURSE``, else
    the working directory); nothing when it lies in no course."""
    from grader.nbgrader_io.course import course_of

    start = path if path is not None else os.environ.get("GDGRADE_COURSE") or Path.cwd()
    course = course_of(start)
    return load_course(course) if course is not None else []


def get(check_id: str) -> Check:
    """The check with this id, or UnknownCheckError naming the close ones."""
    load_assignment(check_id.split(".")[0])
    if check_id not in CHECKS:
        load_near()
    try:
        return CHECKS[check_id]
    except KeyError:
        prefix = check_id.split(".")[0]
        near = sorted(c for c in CHECKS if c.startswith(prefix))[:8]
        raise UnknownCheckError(f"unknown check {check_id!r}; known: {near}") from None


def checks_for(assignment: str) -> list[Check]:
    """All checks of one assignment, in registration order."""
    load_assignment(assignment)
    if not any(c.startswith(f"{assignment}.") for c in CHECKS):
        load_near()
    return [c for c in CHECKS.values() if c.id.startswith(f"{assignment}.")]
