"""pytest plugin: grade one submission with ordinary pytest tests.

``pytest --submission path/to/notebook.ipynb assignments/<assignment>/checks/`` runs the
notebook once in the sandbox (with every check its tests ask for) and gives tests the
fixtures ``submission`` (``submission.check(id)`` gives one check's verdict) and ``oracle`` (the
``reference`` package). ``@pytest.mark.points(n)`` weights a test; ``--gradescope-json FILE``
writes Gradescope's results.json. The engine lives in its own modules; this file holds only
options, markers, fixtures and hooks; state lives in ``config.stash``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from grader.pipeline.session import NotebookSession

_results = pytest.StashKey[list[dict[str, Any]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gdgrade")
    group.addoption("--submission", help="student notebook to grade")
    group.addoption("--gradescope-json", help="write Gradescope results.json here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points this test is worth")
    config.stash[_results] = []


@pytest.fixture(scope="session")
def submission(request: pytest.FixtureRequest) -> Iterator[NotebookSession]:
    """The submitted notebook, run once in the sandbox; ``.check(id)`` gives a CheckResult."""
    from grader.pipeline.session import NotebookSession

    path = request.config.getoption("--submission")
    if not path:
        pytest.skip("no --submission given")
    with NotebookSession.open(Path(path)) as session:
        yield session


@pytest.fixture(scope="session")
def oracle():
    """The reference oracles (trusted side only)."""
    import reference.batching
    import reference.descent
    import reference.optim
    import reference.schedules
    import reference.trainers

    return reference


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        marker = item.get_closest_marker("points")
        points = float(marker.args[0]) if marker else 1.0
        passed = report.outcome == "passed"
        item.config.stash[_results].append(
            {
                "name": item.name,
                "score": points if passed else 0.0,
                "max_score": points,
                "status": "passed" if passed else "failed",
                "output": "" if passed else str(report.longrepr)[-2000:],
                "visibility": "visible",
            }
        )
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("--gradescope-json")
    if not path:
        return
    tests = session.config.stash[_results]
    data = {"score": sum(t["score"] for t in tests), "tests": tests}
    Path(path).write_text(json.dumps(data, indent=2))
