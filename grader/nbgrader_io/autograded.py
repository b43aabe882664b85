"""nbgrader's ``autograded/<student>/<assignment>/`` folder, as ``nbgrader autograde`` leaves it.

Beside the executed notebook nbgrader's autograde copies every other file of the submitted
folder (``timestamp.txt``, ``submission_secret.txt``, the student's data files), then the
source folder's other files over them (all but ``Autograde.exclude_overwriting``), skipping
``CourseDirectory.ignore`` and notebooks, every file in its autograded mode. The nbgrader
steps that follow read them: ``generate_feedback`` copies them beside its feedback page,
``release_feedback`` reads the timestamp and names the page by the secret's hash.
Unlike nbgrader, a symbolic link is not copied: what it points at (another student's file,
the gradebook) would reach the student with the feedback.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nbformat

from grader.nbgrader_io.course import CourseDir, SubmittedNotebook, write_atomic

KIND = "autograded"


def write(course: CourseDir, sub: SubmittedNotebook, executed: nbformat.NotebookNode) -> Path:
    """Write the executed notebook and the files nbgrader copies beside it; returns the
    notebook's path."""
    path = course.out(KIND, sub, sub.notebook.name)
    write_atomic(path, nbformat.writes(executed), course.mode(KIND))
    carry(course, sub)
    return path


def carry(course: CourseDir, sub: SubmittedNotebook) -> None:
    """Copy the submission's other files, then the source's, beside its autograded notebook
    (a resubmission of the same notebook brings a new timestamp and secret)."""
    folder = course.out(KIND, sub, "")
    if not folder.is_dir():
        return
    skip = [*course.nbgrader.ignore, "*.ipynb"]
    autograde = course.nbgrader.config.get("Autograde", {})  # read once per course, not per copy
    keep = autograde.get("exclude_overwriting", {}).get(sub.assignment)
    for src, names in ((sub.notebook.parent, []), (sub.source.parent, list(keep or []))):
        for name in _files(src, skip):
            if name.as_posix() not in names and not (src / name).is_symlink():  # no way out
                _copy(src / name, folder / name, course.mode(KIND))


def _files(folder: Path, skip: list[str]) -> list[Path]:
    """Files under ``folder`` (relative) that nbgrader's ``find_all_files`` keeps."""
    from nbgrader.utils import find_all_files

    return [Path(p).relative_to(folder) for p in sorted(find_all_files(str(folder), skip))]


def _copy(src: Path, dest: Path, mode: int) -> None:
    """Copy bytes so readers see the old or the new file, never a part; mode ``mode``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    shutil.copyfile(src, tmp)
    os.chmod(tmp, mode)
    os.replace(tmp, dest)
