"""Python source parsed safely from several threads.

CPython before 3.11.8 / 3.12.1 can fail ``ast.parse`` with "SystemError: AST constructor
recursion depth mismatch" when two threads build ASTs at once (python/cpython#106905);
grading threads read cells while the command reads notebooks, so every parse goes through
one lock.
"""

from __future__ import annotations

import ast
import threading

_LOCK = threading.Lock()


def parse(source: str) -> ast.Module:
    """``ast.parse(source)`` under the process-wide lock (SyntaxError as ast raises it)."""
    with _LOCK:
        return ast.parse(source)
