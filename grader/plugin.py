"""pytest plugin: grade one submission with ordinary pytest tests.

``pytest --submission NB [--assignment A] assignments/<A>/checks/ --gradescope-json FILE``
runs the notebook once in the sandbox (with every check of the assignment) and gives tests
the fixtures ``submission`` (``submission.check(id)`` gives one check's verdict) and
``oracle`` (the ``reference`` package). ``@pytest.mark.points(n)`` weights a test.

Installed, the plugin loads into every pytest run of the environment, so it is inert unless
``--submission`` is given: only its options and the ``points`` marker exist, no fixture, no
hook. Under pytest-xdist each worker runs the notebook once; the tests' entries travel to
the controller in their reports (``user_properties``) and only the controller writes the
results file. The engine lives in ``grader.pipeline.session``; this file holds only
options, markers, fixtures and hooks; state lives in ``config.stash``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from grader.evidence import CheckResult
    from grader.pipeline.session import AskedChecks, Submission

_submission: pytest.StashKey[Submission] = pytest.StashKey()
_entries: pytest.StashKey[list[dict[str, Any]]] = pytest.StashKey()
_asked: pytest.StashKey[list[CheckResult]] = pytest.StashKey()
ENTRY = "gdgrade"
"""Name of the report property that carries a test's Gradescope entry."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gdgrade")
    group.addoption("--submission", help="student notebook to grade (turns the plugin on)")
    group.addoption(
        "--assignment",
        help="assignment the notebook answers (default: the one each check id names)",
    )
    group.addoption("--gradescope-json", help="write Gradescope results.json here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points this test is worth")
    if config.getoption("submission"):
        config.pluginmanager.register(Grading(config), "gdgrade-grading")
    elif config.getoption("gradescope_json") or config.getoption("assignment"):
        raise pytest.UsageError("--gradescope-json and --assignment need --submission")


def _on_worker(config: pytest.Config) -> bool:
    """Whether this process is a pytest-xdist worker (the controller collects entries)."""
    return hasattr(config, "workerinput")


class Grading:
    """Fixtures and hooks that exist only with ``--submission``."""

    def __init__(self, config: pytest.Config) -> None:
        path, assignment = config.getoption("submission"), config.getoption("assignment")
        if not Path(path).is_file():
            raise pytest.UsageError(f"--submission {path}: no such notebook")
        if _on_worker(config) or not getattr(config.option, "numprocesses", None):
            from grader.sandbox import launch  # this process runs the tests: it grades

            launch.early()  # the sandbox's warm process imports while pytest collects
            launch.tell(None)  # the session's sandbox warms the defaults
        from grader.pipeline.session import Submission, assignments

        self.config = config
        if assignment and assignment not in assignments():
            known = ", ".join(assignments()) or "none"
            raise pytest.UsageError(f"--assignment {assignment}: no checks (known: {known})")
        config.stash[_submission] = Submission(Path(path), assignment)
        config.stash[_entries] = []

    @pytest.fixture
    def submission(self, request: pytest.FixtureRequest) -> AskedChecks:
        """The submission, run in the sandbox on the first check asked in this process;
        ``.check(id)`` gives a CheckResult (remembered for the test's report)."""
        from grader.pipeline.session import AskedChecks

        graded = request.config.stash[_submission]
        return AskedChecks(graded, request.node.stash.setdefault(_asked, []))

    @pytest.fixture
    def oracle(self):
        """The reference oracles (trusted side only)."""
        import reference.batching
        import reference.descent
        import reference.optim
        import reference.schedules
        import reference.trainers

        return reference

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]):
        from grader.pipeline.session import gradescope_entry

        report = yield
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            marker = item.get_closest_marker("points")
            entry = gradescope_entry(
                item.name,
                float(marker.args[0]) if marker else 1.0,
                report.outcome == "passed",
                item.stash.get(_asked, []),
                report.longreprtext,
            )
            report.user_properties.append((ENTRY, entry))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if _on_worker(self.config):
            return
        entries = self.config.stash[_entries]
        entries.extend(value for name, value in report.user_properties if name == ENTRY)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = session.config.getoption("gradescope_json")
        if not path or _on_worker(session.config):
            return
        tests = session.config.stash[_entries]
        data = {"score": round(sum(t["score"] for t in tests), 6), "tests": tests}
        Path(path).write_text(json.dumps(data, indent=2))

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from grader.sandbox import launch

        config.stash[_submission].close()
        launch.drop()  # launched early, but no test asked for a check
