"""README's "Writing a check", run exactly as written.

The blocks after a ``<!-- tutorial -->`` marker are shell commands; the block after
``<!-- tutorial: write PATH -->`` is the text of the file PATH. They are joined in order
into one bash script, run in an empty directory with gdgrade's bin/ first on PATH.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import REPO_ROOT

pytestmark = pytest.mark.slow
BLOCK = re.compile(r"<!-- tutorial(?:: write (\S+))? -->\n```(\w+)\n(.*?)```", re.S)


def tutorial_script(readme: str) -> str:
    """The tutorial's blocks as one bash script."""
    parts = ["set -euo pipefail"]
    for path, lang, body in BLOCK.findall(readme):
        if path:
            parts.append(f"cat > {path} <<'TUTORIAL_EOF'\n{body}TUTORIAL_EOF")
        else:
            assert lang == "bash", lang
            parts.append(body)
    return "\n".join(parts) + "\n"


def test_the_readme_tutorial_runs_as_written(tmp_path: Path) -> None:
    script = tutorial_script((REPO_ROOT / "README.md").read_text())
    assert script.count("TUTORIAL_EOF") == 4 and "gdgrade autograde my_quad" in script
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    course = tmp_path / "my-course"
    assert not (course / "release/my_quad/checks").exists()
    assert sorted(p.name for p in (course / "release/my_quad").iterdir()) == [
        "gdgrade_kit.py",
        "my_quad.ipynb",
        "selfcheck.json",
    ]

    def result(student: str) -> dict:
        return json.loads((course / f"results/{student}/my_quad/gdgrade.json").read_text())

    ada, ben = result("ada"), result("ben")
    assert (ada["score"], ben["score"]) == (2, 0)
    check = ben["cells"][0]["checks"][0]
    assert check["name"] == "iterates on f(x) = 3x²" and check["status"] == "failed"
    assert check["diagnosis"]["mistake"] == "my_quad_gradient_3x"
    feedback = (course / "feedback/ben/my_quad/my_quad.html").read_text()
    assert "iterates on f(x) = 3x²" in feedback
    assert "the gradient of 3x² taken as 3x (the factor 2 dropped)" in feedback
    # the student kit, run as the last block runs it, fails the same public check
    assert "✗ iterates on f(x) = 3x²" in proc.stdout


def test_the_own_course_commands_run_as_written(tmp_path: Path) -> None:
    """README's "Your own course" block, as pasted by a reader before any student submits."""
    section = (REPO_ROOT / "README.md").read_text().split("## Your own course", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block and "gdgrade init my-course" in block.group(1)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + block.group(1)],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    course = tmp_path / "my-course"
    assert sorted(p.name for p in (course / "release/first_steps").iterdir()) == [
        "first_steps.ipynb",
        "gdgrade_kit.py",
        "selfcheck.json",
    ]
    assert "nothing to grade: no submissions in submitted/<student>/first_steps/" in proc.stdout
    assert (course / "reports/class.html").is_file()
