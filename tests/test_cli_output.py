"""What the command line shows: group help that names every subcommand, a summary table
that fits 80 columns."""

from __future__ import annotations

import re

import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from grader.cli import app
from grader.outputs.results import SubmissionResult
from grader.outputs.summary import print_summary
from grader.paths import COURSE_SOURCE


def _groups(group: TyperGroup, path: tuple[str, ...] = ()):
    yield path, group
    for name, cmd in group.commands.items():
        if isinstance(cmd, TyperGroup):
            yield from _groups(cmd, (*path, name))


def test_every_group_help_lists_all_its_subcommands():
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    runner = CliRunner()
    for path, group in _groups(root):
        out = runner.invoke(app, [*path, "--help"]).output
        listed = re.findall(r"^  (\S+)", out.split("Commands:")[1], flags=re.M)
        assert sorted(listed) == sorted(group.commands), path
        if path:  # a subgroup's description, here and in its parent's list, names them all
            words = set(re.findall(r"[a-z]+", (group.help or "").lower()))
            assert set(group.commands) <= words, (path, set(group.commands) - words)


def test_autograde_table_fits_80_columns_with_every_assignment_name(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    names = sorted(p.name for p in (COURSE_SOURCE / "source").iterdir() if p.is_dir())
    results = [
        SubmissionResult(
            student=f"s{i}", assignment=a, notebook=a, score=12.4, max_score=17, grade_reason="new"
        )
        for a in names
        for i in range(120)
    ]
    print_summary(results)
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "…" not in out
    for name in names:
        assert re.search(rf"^ ?{name} +120 +12\.4/17 ", out, flags=re.M), name
