"""The warm process imports what the instructor's notebooks import, and nothing a student's
copy asks for."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.sandbox import preload

SOURCE = Path(__file__).parent.parent.parent / "assignments" / "source"


def write(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.cells.append(nbformat.v4.new_markdown_cell("import pandas"))  # prose, not code
    nbformat.write(nb, path)
    return path


def test_code_cells_imports_are_found_dotted_and_sorted(tmp_path: Path) -> None:
    nb = write(
        tmp_path / "a.ipynb",
        "%matplotlib inline\nimport numpy as np\n!pip list\nfrom sklearn.datasets import load_iris",
        "import torch.nn as nn, json\nfrom . import local\nfrom grader import check",
        "%%timeit\nimport scipy",
        "def broken(:\n    import yaml",
    )
    assert preload.imported([nb]) == ["matplotlib.pyplot", "numpy", "sklearn.datasets", "torch.nn"]


def test_missing_stdlib_trusted_and_unreadable_are_left_out(tmp_path: Path) -> None:
    nb = write(
        tmp_path / "b.ipynb",
        "import no_such_library_here\nimport os, collections.abc\nimport reference.gd\n"
        "import assignments\nimport tests.grader",
    )
    (tmp_path / "empty.ipynb").write_text("{}")
    (tmp_path / "text.ipynb").write_text("import numpy")
    unreadable = [tmp_path / name for name in ("missing.ipynb", "empty.ipynb", "text.ipynb")]
    assert preload.imported([nb, *unreadable]) == []


def test_the_shipped_assignments_warm_what_they_use() -> None:
    sources = sorted(SOURCE.glob("*/*.ipynb"))
    assert len(sources) == 5
    warm = preload.imported(sources)
    assert {"numpy", "torch", "matplotlib.pyplot"} <= set(warm)
    iris = [s for s in sources if "sklearn" in s.read_text()]
    assert iris and "sklearn.datasets" in preload.imported(iris)
    assert not any(m.split(".")[0] in preload.TRUSTED for m in warm)


def test_a_student_can_have_torch_warmed_and_nothing_else(tmp_path: Path) -> None:
    source = write(tmp_path / "source.ipynb", "import numpy as np")
    student = write(tmp_path / "student.ipynb", "import torch\nimport sklearn.datasets")
    other = write(tmp_path / "other.ipynb", "import numpy as np")
    assert preload.imported([source], [other]) == ["numpy"]
    assert preload.imported([source], [other, student]) == ["numpy", "torch"]


def test_a_class_without_torch_gets_a_warm_process_without_it() -> None:
    # a fresh process: the warm-up of a numpy class, as the forkserver runs it
    import subprocess
    import sys

    script = (
        "import sys\nfrom grader.inside import zygote\nzygote.warm_up(['numpy'])\n"
        "print('torch' in sys.modules, 'numpy' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["False", "True"]
