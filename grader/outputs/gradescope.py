"""A Gradescope autograder bundle: the zip an instructor uploads to a programming assignment.

The zip holds, at its root (Gradescope unpacks it to ``/autograder/source``):

* ``setup.sh``: run once when Gradescope builds the image (Ubuntu, as root): a venv at
  ``/autograder/venv`` with Python >= 3.11, CPU torch at the course's pin, gdgrade's
  dependencies (``requirements.txt``);
* ``run_autograder``: grades ``/autograder/submission/*.ipynb`` and writes
  ``/autograder/results/results.json`` (``grader.pipeline.single.run_gradescope``);
  ``GDGRADE_AUTOGRADER_ROOT`` moves ``/autograder`` and ``GDGRADE_PYTHON`` picks the
  interpreter, for a dry run anywhere;
* ``app/``: gdgrade itself (``grader``, ``reference``) and the assignment in nbgrader's
  layout under ``app/assignments/``, where ``grader.paths`` finds the shipped course: its
  source notebook without solutions (``grader.nbgrader_io.grading_copy``: test cells,
  hidden ones included, stay), the course's ``checks/`` and config; no samples;
* ``gdgrade_bundle.json``: the assignment, its notebook, hidden tests' visibility and the
  output format.
"""

from __future__ import annotations

import json
import zipfile
from importlib import metadata
from pathlib import Path

from grader.errors import UsageError
from grader.outputs.lms import OutputFormat, Visibility
from grader.paths import COURSE_SOURCE, GRADER_DIR, PACKAGED_COURSE, REPO_ROOT

CONFIG_NAME = "gdgrade_bundle.json"
"""The bundle's settings, which run_autograder reads (``grader.pipeline.single``)."""
PACKAGE_FILES = {".py", ".j2", ".json", ".html"}
"""What of ``grader`` and ``reference`` goes into the bundle (the wheel's package data)."""
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu).
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${{GDGRADE_AUTOGRADER_ROOT:-/autograder}}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# gdgrade needs Python >= 3.11: Ubuntu 24.04 has 3.12; older images get Ubuntu's python3.11.
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  apt-get install -y -qq python3-venv
  PY=python3
else
  apt-get install -y -qq python3.11 python3.11-venv
  PY=python3.11
fi
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet "{torch}" --index-url {index}
"$ROOT/venv/bin/python" -m pip install --quiet -r "$SOURCE/requirements.txt"
# Compile gdgrade once here, not in every submission's fresh container.
"$ROOT/venv/bin/python" -m compileall -q "$SOURCE/app"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this from /autograder: grade submission/*.ipynb into results/results.json.
ROOT="${GDGRADE_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${GDGRADE_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT" || exit 1
mkdir -p "$ROOT/results"
PYTHONPATH="$ROOT/source/app" "$PYTHON" -c '
import sys
from pathlib import Path

import grader
from grader.nbgrader_io import imports

imports.install()  # nbgrader without its server extensions (grader.nbgrader_io.imports)
from grader.pipeline.single import run_gradescope

print("gdgrade from", Path(grader.__file__).parent)
result = run_gradescope(Path(sys.argv[1]))
print(f"{result.score:g}/{result.max_score:g} ({result.execution})")
import gc

gc.freeze()  # exiting: the last collections need not walk what is alive (grader.cli.main)
' "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # Never leave Gradescope without a result: the stdout shows the instructor what broke.
  cat > "$ROOT/results/results.json" <<'JSON'
{"score": 0, "tests": [], "output_format": "text",
 "output": "The autograder could not grade this submission; your instructor can see why."}
JSON
fi
exit $status
"""


def torch_pin() -> str:
    """The torch requirement the course pins (requirements-torch.txt in a checkout, else the
    torch that runs here, without its local build tag)."""
    pinned = REPO_ROOT / "requirements-torch.txt"
    if pinned.is_file():
        for line in pinned.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("torch=="):
                return line.split()[0]
    return f"torch=={metadata.version('torch').split('+')[0]}"


def requirements() -> str:
    """gdgrade's own dependencies (extras left out; torch comes from setup.sh's pin)."""
    needed = [
        r
        for r in metadata.requires("gdgrade") or []
        if "extra ==" not in r and not r.startswith("torch")
    ]
    return "\n".join(needed) + "\n"


def _package_files(folder: Path, into: str) -> list[tuple[str, str | bytes]]:
    """(name in the zip, content) for the package files under ``folder`` (the wheel's copy
    of the shipped course left out: the bundle carries its own assignment)."""
    return [
        (f"{into}/{p.relative_to(folder).as_posix()}", p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and p.suffix in PACKAGE_FILES
        and "__pycache__" not in p.parts
        and PACKAGED_COURSE not in p.parents
    ]


def _course_files(course: Path, assignment: str) -> list[tuple[str, str]]:
    """The grading copy of the assignment (its source notebook without solutions), the
    course's checks and config, under app/assignments."""
    from grader.nbgrader_io import grading_copy

    files = grading_copy.course_files(course, [assignment])
    return [(f"app/assignments/{name}", text) for name, text in files.items()]


def _add(zf: zipfile.ZipFile, name: str, data: str | bytes, mode: int = 0o644) -> None:
    """One regular file with permissions ``mode`` (Gradescope runs the scripts as they are)."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def build_bundle(
    assignment: str,
    *,
    course: Path | None = None,
    out: Path = Path("autograder.zip"),
    hidden_visibility: Visibility = "after_published",
    output_format: OutputFormat = "text",
) -> Path:
    """Write the Gradescope autograder zip of ``assignment`` (one notebook) to ``out``."""
    course = (course or COURSE_SOURCE).resolve()
    folder = course / "source" / assignment
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        there = sorted(p.name for p in (course / "source").glob("*") if p.is_dir())
        raise UsageError(
            f"no assignment {assignment!r} in {course} (there: {', '.join(there) or 'none'})"
        )
    if len(notebooks) > 1:
        names = ", ".join(p.name for p in notebooks)
        raise UsageError(f"{folder} has {len(notebooks)} notebooks ({names}); a bundle grades one")
    config = {
        "assignment": assignment,
        "notebook": notebooks[0].name,
        "hidden_visibility": hidden_visibility,
        "output_format": output_format,
    }
    files: list[tuple[str, str | bytes]] = _package_files(GRADER_DIR, "app/grader")
    files += _package_files(REPO_ROOT / "reference", "app/reference")
    files += _course_files(course, assignment)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.format(torch=torch_pin(), index=TORCH_INDEX), 0o755)
        _add(zf, "run_autograder", RUN_AUTOGRADER, 0o755)
        _add(zf, "requirements.txt", requirements())
        _add(zf, CONFIG_NAME, json.dumps(config, indent=2) + "\n")
        for name, data in files:
            _add(zf, name, data)
    return out
