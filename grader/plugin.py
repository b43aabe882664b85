"""pytest plugin: grade one submission with ordinary pytest tests.

``pytest --submission path/to/notebook.ipynb assignments/<assignment>/checks/`` runs the
notebook once in the sandbox and gives tests the fixtures ``submission`` (probe and judge a
check by id) and ``oracle`` (the ``reference`` package). ``@pytest.mark.points(n)`` weights a
test; ``--gradescope-json FILE`` writes Gradescope's results.json. The engine lives in its
own modules; this file only holds options, markers, fixtures and hooks.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gdgrade")
    group.addoption("--submission", help="student notebook to grade")
    group.addoption("--gradescope-json", help="write Gradescope results.json here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points this test is worth")
