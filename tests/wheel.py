"""The project's wheel, built from this checkout, beside a fresh venv that has the project's
dependencies (linked from the running venv) but not gdgrade itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from grader.paths import REPO_ROOT

OWN = ("grader", "reference", "assignments", "gdgrade", "__editable__")
"""What the running venv holds of this project: never linked into the fresh venv."""


def build_wheel_venv(work: Path) -> tuple[Path, Path, Path]:
    """(wheel, fresh venv, its site-packages), built under ``work``."""
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "grader", "reference", "assignments"):
        path = REPO_ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", str(src), "-w", str(work)],
        check=True,
    )
    [wheel] = work.glob("gdgrade-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(
        subprocess.check_output([venv / "bin" / "python", "-c", purelib], text=True).strip()
    )
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(OWN):
            (site / entry.name).symlink_to(entry)
    return wheel, venv, site
