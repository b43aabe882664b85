"""The release check reads a gradebook that a killed writer left with a hot journal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from grader.nbgrader_io.release import gradebook_notebooks

KILLED_WRITER = """
import os, signal, sqlite3
db = sqlite3.connect("gradebook.db", isolation_level=None)
db.execute("PRAGMA cache_size=1")  # spill to the file: the journal holds the old pages
db.execute("BEGIN")
for i in range(20000):
    db.execute("INSERT INTO student (id) VALUES (?)", (f"s{i}" + "x" * 200,))
db.execute("UPDATE assignment SET name = 'half-written'")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_release_check_reads_after_a_killed_writer(tmp_path: Path) -> None:
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_assignment("quad")
        gb.add_notebook("quad", "quad")
    subprocess.run([sys.executable, "-c", KILLED_WRITER], cwd=tmp_path, check=False)
    assert (tmp_path / "gradebook.db-journal").stat().st_size > 0  # hot: a read-only open fails
    assert gradebook_notebooks(tmp_path) == {"quad": {"quad"}}  # rolled back, as nbgrader would
