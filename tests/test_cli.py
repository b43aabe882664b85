"""The console script is installed and answers."""

from __future__ import annotations

import shutil
import subprocess


def test_gdgrade_help_lists_commands() -> None:
    exe = shutil.which("gdgrade")
    assert exe is not None, "the gdgrade console script is not on PATH (make install)"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    assert "demo" in out
