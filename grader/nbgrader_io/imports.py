"""How a gdgrade command imports nbformat and nbgrader without their start-up costs.

Two imports cost a command seconds for nothing it uses:

* ``nbgrader``'s package ``__init__`` imports its four Jupyter server extensions (tornado,
  jupyter_server: 2.5 s on a quiet 2-core machine) before any submodule can be imported.
  ``install`` registers the package with its ``__init__`` deferred: ``nbgrader.coursedir``,
  ``nbgrader.api`` and ``nbgrader.preprocessors`` import as they are, and the first look-up
  of anything else on ``nbgrader`` itself (its server extension hooks) runs the real
  ``__init__`` then.
* ``jsonschema`` (which nbformat validates with) imports ``rfc3987_syntax`` when it is
  installed, to check the ``iri`` string formats; that module builds 38 lark parsers at
  import (about 1 s). No notebook schema uses those formats and nbformat validates without
  a format checker, so a command's process declines that import; jsonschema's own
  ``ImportError`` fallback then leaves the two formats unchecked.

Only the command line calls ``install`` (``grader.cli`` and Gradescope's run_autograder),
first thing, in a process of its own; the library import of ``grader`` changes nothing.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

DECLINED = ("rfc3987_syntax",)
"""Optional imports of jsonschema a command's process declines (``None`` in sys.modules)."""


class _DeferredPackage(types.ModuleType):
    """The ``nbgrader`` package before its ``__init__`` ran: submodules import from its
    folder; any other attribute runs the real ``__init__`` first."""

    def __getattr__(self, name: str) -> Any:
        probed = name.startswith("__") and name != "__version__"  # by the import system
        if probed or self.__dict__.get("_gdgrade_ran") or self._submodule(name):
            raise AttributeError(name)  # a submodule: the import system imports it next
        self.__dict__["_gdgrade_ran"] = True
        code = Path(self.__file__ or "").read_text(encoding="utf-8")
        exec(compile(code, self.__file__ or "nbgrader", "exec"), self.__dict__)
        return getattr(self, name)

    def _submodule(self, name: str) -> bool:
        return any(
            (Path(folder) / f"{name}.py").is_file() or (Path(folder) / name).is_dir()
            for folder in self.__path__
        )


def _defer_init(package: str) -> None:
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return
    module = _DeferredPackage(package)
    module.__file__ = spec.origin
    module.__path__ = list(spec.submodule_search_locations)
    module.__spec__ = spec
    module.__package__ = package
    sys.modules[package] = module


def install() -> None:
    """Decline ``DECLINED`` and defer nbgrader's ``__init__`` for the rest of this process
    (a no-op for what is already imported)."""
    for name in DECLINED:
        if "jsonschema" not in sys.modules:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    _defer_init("nbgrader")
