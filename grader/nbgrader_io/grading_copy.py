"""A course without its solutions: what a grading install carries (the wheel that student CI
installs, the Gradescope bundle).

Grading reads a source notebook for its protected cells (test cells, hidden tests included,
task and read-only cells) and their nbgrader metadata; an answer cell keeps the student's
text (``restoration.restore``), so the solution in it is never read. The grading copy of a
source notebook is therefore the source run through nbgrader's own ``ClearSolutions`` (each
solution region becomes the release's stub) and ``ClearOutput``; hidden tests
stay. ``python -m grader.nbgrader_io.grading_copy`` rewrites the copy of the shipped course
that the wheel carries (``grader.paths.PACKAGED_COURSE``);
``tests/test_grading_install.py`` fails while it is out of step with ``assignments/``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

COURSE_FILES = ("nbgrader_config.py", "topics.yaml")
"""Files of the course root that grading reads (the course marker; the topics of a quiz)."""


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of source notebook ``nb`` with every solution replaced by the release's stub
    and every output cleared; test cells (hidden ones included) and metadata unchanged."""
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    out = copy.deepcopy(nb)
    out, _ = ClearSolutions().preprocess(out, {})
    out, _ = ClearOutput().preprocess(out, {})
    return out


def notebook_text(path: Path) -> str:
    """The grading copy of the source notebook at ``path``, as the file's text."""
    return nbformat.writes(strip(nbformat.read(path, as_version=4))) + "\n"


def course_files(course: Path, assignments: list[str] | None = None) -> dict[str, str]:
    """The grading copy of ``course`` (of ``assignments``, default all): path relative to the
    course root -> text. Source notebooks stripped; the root files and ``checks/*.py`` as
    they are; nothing else (no samples, no notes)."""
    names = assignments or sorted(p.name for p in (course / "source").iterdir() if p.is_dir())
    files: dict[str, str] = {}
    for name in COURSE_FILES:
        if (course / name).is_file():
            files[name] = (course / name).read_text(encoding="utf-8")
    for path in sorted((course / "checks").glob("*.py")):
        files[f"checks/{path.name}"] = path.read_text(encoding="utf-8")
    for name in names:
        for path in sorted((course / "source" / name).glob("*.ipynb")):
            files[path.relative_to(course).as_posix()] = notebook_text(path)
    return files


def write(course: Path, into: Path, *, replace: bool = False) -> list[Path]:
    """Write the grading copy of ``course`` to folder ``into`` (which must be empty or
    absent unless ``replace``: then it is removed first); the files written."""
    import shutil

    if into.exists() and any(into.iterdir()):
        if not replace:
            raise FileExistsError(f"{into} is not empty; give a new folder")
        shutil.rmtree(into)
    written = []
    for name, text in course_files(course).items():
        path = into / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    """``[COURSE OUT]``: write the grading copy of COURSE to OUT; without arguments, rewrite
    the wheel's copy of the shipped course from the checkout's ``assignments/``."""
    import sys

    from grader.paths import CHECKOUT_COURSE, PACKAGED_COURSE

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (0, 2):
        sys.exit("usage: python -m grader.nbgrader_io.grading_copy [COURSE OUT]")
    course, into = (Path(args[0]), Path(args[1])) if args else (CHECKOUT_COURSE, PACKAGED_COURSE)
    if not (course / "source").is_dir():
        sys.exit(f"{course} is not an nbgrader course (no source/ folder)")
    try:
        written = write(course, into, replace=not args)
    except FileExistsError as exc:
        sys.exit(str(exc))
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
