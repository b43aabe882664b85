"""gdgrade: grade what a gradient-descent training loop does.

The public API for writing checks and misconceptions; a ``checks.py`` for an assignment
imports from ``grader`` only::

    from grader import Verdict, register_check, value_check, judges

Names resolve lazily (PEP 562), so importing ``grader.inside`` in the sandbox worker does
not load the judges or the oracles.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, tuple[str, str | None]] = {
    # checks and verdicts
    "Check": ("grader.judging.check", "Check"),
    "Verdict": ("grader.judging.check", "Verdict"),
    "check": ("grader.judging.check", "check"),
    "run_in_process": ("grader.judging.check", "run_in_process"),
    # registration
    "register_check": ("grader.judging.registry", "register"),
    "load_course": ("grader.judging.registry", "load_course"),
    "Mistake": ("grader.judging.misconceptions", "Mistake"),
    "register_mistake": ("grader.judging.misconceptions", "register"),
    "register_reference": ("grader.judging.misconceptions", "register_reference"),
    "register_space": ("grader.judging.misconceptions", "register_space"),
    "alternative": ("grader.judging.misconceptions", "alternative"),
    "diagnose": ("grader.judging.misconceptions", "diagnose"),
    # builders
    "value_check": ("grader.judging.builders", "value_check"),
    "series_check": ("grader.judging.builders", "series_check"),
    "trainer_check": ("grader.judging.builders", "trainer_check"),
    "linreg_problem": ("grader.judging.builders", "linreg_problem"),
    "judge_ratio": ("grader.judging.timing", "judge_ratio"),
    # judges and trajectories, as modules
    "judges": ("grader.judging.judges", None),
    "trajectories": ("grader.judging.trajectories", None),
    # wire types
    "Evidence": ("grader.evidence", "Evidence"),
    "ProbeRequest": ("grader.evidence", "ProbeRequest"),
    "CheckResult": ("grader.evidence", "CheckResult"),
    "Diagnosis": ("grader.evidence", "Diagnosis"),
    "PlotData": ("grader.evidence", "PlotData"),
    "encode": ("grader.inside.probes", "encode"),
}

__all__ = [
    "Check",
    "CheckResult",
    "Diagnosis",
    "Evidence",
    "Mistake",
    "PlotData",
    "ProbeRequest",
    "Verdict",
    "alternative",
    "check",
    "diagnose",
    "encode",
    "judge_ratio",
    "judges",
    "linreg_problem",
    "load_course",
    "register_check",
    "register_mistake",
    "register_reference",
    "register_space",
    "run_in_process",
    "series_check",
    "trainer_check",
    "trajectories",
    "value_check",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'grader' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    value = value if attr is None else getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from grader.evidence import CheckResult, Diagnosis, Evidence, PlotData, ProbeRequest
    from grader.inside.probes import encode
    from grader.judging import judges, trajectories
    from grader.judging.builders import linreg_problem, series_check, trainer_check, value_check
    from grader.judging.check import Check, Verdict, check, run_in_process
    from grader.judging.misconceptions import (
        Mistake,
        diagnose,
        register_reference,
    )
    from grader.judging.misconceptions import register as register_mistake
    from grader.judging.registry import load_course
    from grader.judging.registry import register as register_check
    from grader.judging.timing import judge_ratio
