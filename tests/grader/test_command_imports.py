"""A command's process imports nbgrader's pieces without its Jupyter server extensions and
nbformat without jsonschema's rfc3987 grammar (``grader.nbgrader_io.imports``), and both
still work: nbgrader's course directory, gradebook and checksums, nbformat's validation,
and nbgrader's own package attributes once asked for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent

SCRIPT = """
import json, sys
from grader.nbgrader_io import imports

imports.install()
import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties
from nbgrader.utils import compute_checksum

nb = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(nb)
before = {
    "server": sorted(m for m in sys.modules if m.startswith("nbgrader.server_extensions")),
    "jupyter_server": "jupyter_server" in sys.modules,
    "rfc3987_syntax": sys.modules.get("rfc3987_syntax", "absent") is None,
    "checksum": compute_checksum(nb.cells[1]),
    "root": CourseDirectory(root="/tmp/course").root,
}
import nbgrader

before["version"] = nbgrader.__version__
before["hook"] = nbgrader._jupyter_server_extension_points()[0]["module"]
print(json.dumps(before))
"""


def test_nbgrader_and_nbformat_work_without_their_start_up_costs() -> None:
    source = REPO / "assignments" / "source" / "gd_basics" / "gd_basics.ipynb"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(source)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    assert seen["server"] == [] and not seen["jupyter_server"]  # never imported
    assert seen["rfc3987_syntax"]  # declined: None in sys.modules
    assert len(seen["checksum"]) == 32 and seen["root"] == "/tmp/course"
    from importlib.metadata import version

    assert seen["version"] == version("nbgrader")  # the real __init__, run on first ask
    assert seen["hook"] == "nbgrader"
