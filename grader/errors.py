"""The grader's error hierarchy.

A student's crash, timeout or bad return value is data (a result with ``status="error"``),
never one of these exceptions escaping a batch. These are raised at stage boundaries and
turned into results there; only the CLI turns them into exit codes: it prints
``gdgrade: error: <message>`` (one line) on stderr and exits with the error's ``exit_code``.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class for every error the grader raises on purpose."""

    exit_code = 1
    """The CLI's exit status for this error (2 for usage errors, as click uses)."""


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


class UsageError(GraderError):
    """A command was asked for something that is not there: a file, an assignment, an option."""

    exit_code = 2


class CourseError(UsageError):
    """The course directory is missing, is not an nbgrader course, or is not ready for the step
    (the message says what to run first)."""


class ClusterError(GraderError):
    """The Dask scheduler could not be reached (in a few seconds) or refused the work."""
