"""The grader's error hierarchy.

A student's crash, timeout or bad return value is data (a result with ``status="error"``),
never one of these exceptions escaping a batch. These are raised at stage boundaries and
turned into results there; only the CLI turns them into exit codes.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class for every error the grader raises on purpose."""


class NotebookError(GraderError):
    """A submission notebook could not be read or validated."""


class SandboxError(GraderError):
    """The sandboxed worker died, hung, ran out of memory or broke the protocol."""


class UnknownCheckError(GraderError):
    """A notebook or config names a check id that no registry knows."""


class ConfigError(GraderError):
    """A course, assignment or quiz file is malformed (the message names file, line, field)."""


class WorkerStartError(SandboxError):
    """A sandbox worker process could not be started (or did not finish warming up)."""
