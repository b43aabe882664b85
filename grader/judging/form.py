"""The policy for form: what a right answer in another container costs.

One policy for every check, applied by the judges (``judges.form_check``), never by a
check's author:

* ``"lenient"`` (the default): a result whose values are right in another container (an
  array for a list, a list for an array, a tuple, a torch tensor, an int for a float or a
  float for an int, a 0-d array for a float) gets its points, with a one-line note naming
  the type the task asks for. Only a check whose subject is the form (a dtype task, a shape
  question: ``Check.form``) takes points for it, and says so.
* ``"strict"``: the container kind, nesting, entry class and shape the task states are
  graded as well (an int for a float is still only noted).

A course chooses in its ``nbgrader_config.py``: ``c.GdGrade.form = "strict"``. The grading
commands read it when they load the course (``registry.load_course``); nbgrader's kernels
and ``gdgrade check`` read the course around ``$GDGRADE_COURSE`` or the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

from grader.errors import ConfigError

Policy = Literal["lenient", "strict"]
DEFAULT: Policy = "lenient"
SECTION, FIELD = "GdGrade", "form"
"""Where the policy sits in nbgrader_config.py: ``c.GdGrade.form``."""

_chosen: Policy | None = None
_read: dict[tuple[Path, int | None], Policy] = {}
"""Policies read, by course root and the mtime of its config file."""


def read_policy(course_root: str | Path) -> Policy:
    """``c.GdGrade.form`` of the course's config (Jupyter's config folders, then the course
    root), or the default; ConfigError naming the file and field for any other value."""
    from grader.nbgrader_io.course import CONFIG_NAME, load_config

    value = load_config(Path(course_root)).get(SECTION, {}).get(FIELD, DEFAULT)
    if value not in get_args(Policy):
        where = Path(course_root) / CONFIG_NAME
        raise ConfigError(
            f"{where}: c.{SECTION}.{FIELD} = {value!r}: expected 'lenient' or 'strict'"
        )
    return value


def use(policy: Policy | None) -> Policy | None:
    """Grade with ``policy`` from now on (None: the course around the working directory's);
    returns the policy chosen before, to restore."""
    global _chosen
    if policy is not None and policy not in get_args(Policy):
        raise ValueError(f"unknown form policy {policy!r}")
    previous, _chosen = _chosen, policy
    return previous


def use_course(course_root: str | Path) -> Policy:
    """Grade with the policy of the course rooted at ``course_root`` (read once per course
    and version of its config: the registry comes here on every check it looks up)."""
    policy = _course_policy(Path(course_root))
    use(policy)
    return policy


def _course_policy(root: Path) -> Policy:
    from grader.nbgrader_io.course import CONFIG_NAME

    config = root / CONFIG_NAME
    key = (root.resolve(), config.stat().st_mtime_ns if config.is_file() else None)
    if key not in _read:
        _read[key] = read_policy(root)
    return _read[key]


def policy() -> Policy:
    """The policy in force: the one chosen (``use``, ``use_course``), else that of the
    course around ``$GDGRADE_COURSE`` or the working directory, else the default."""
    if _chosen is not None:
        return _chosen
    from grader.nbgrader_io.course import course_of

    course = course_of(os.environ.get("GDGRADE_COURSE") or Path.cwd())
    return DEFAULT if course is None else _course_policy(course)
