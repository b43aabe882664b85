"""The console script is installed and lists every command."""

from __future__ import annotations

import shutil
import subprocess


def test_gdgrade_help_lists_commands() -> None:
    exe = shutil.which("gdgrade")
    assert exe is not None, "the gdgrade console script is not on PATH (make install)"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("release", "autograde", "grade", "check", "report", "coverage", "demo", "quiz"):
        assert command in out, command


def test_check_runs_public_checks_only() -> None:
    sample = "assignments/samples/gd_basics/dev_momentum_zero_buffer/gd_basics.ipynb"
    proc = subprocess.run(["gdgrade", "check", sample], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "self-checks pass" in proc.stdout
    assert "momentum on 0.1" not in proc.stdout  # a hidden check: not revealed
