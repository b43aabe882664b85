"""The marker that ``grader.quizzes.oracles`` collects oracles from its companion modules by."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def oracle(fn: F) -> F:
    """Mark ``fn`` as a quiz oracle (registered under its own name)."""
    fn.__quiz_oracle__ = True  # type: ignore[attr-defined]
    return fn
