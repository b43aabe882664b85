"""Load and validate quiz banks: YAML -> ``Quiz``, every problem with file, line, item, field.

Structure is checked by the pydantic models; meaning by ``grader.quizzes.validation`` (topic ids
from assignments/topics.yaml, oracle names and arguments, notes files, and a trial
evaluation of every item). Lines come from yaml.compose node marks, recorded per key and
per sequence entry, so an error points at the line that holds the offending field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from grader.errors import ConfigError
from grader.paths import QUIZ_DIR, TOPICS_FILE
from grader.quizzes.located import BankIssue, Located, Path_
from grader.quizzes.models import Quiz
from grader.quizzes.validation import check_quiz


class BankError(ConfigError):
    """A bank failed to load; ``issues`` says where and why."""

    def __init__(self, issues: list[BankIssue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = issues


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], dupes: list) -> None:
    """Record the line of every mapping key and sequence entry under ``node``."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            sub = (*path, key.value)
            if key.value in seen:
                dupes.append((sub, key.start_mark.line + 1))
            seen.add(key.value)
            lines[sub] = key.start_mark.line + 1
            _walk(value, sub, lines, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            lines[(*path, i)] = value.start_mark.line + 1
            _walk(value, (*path, i), lines, dupes)


def parse(path: Path) -> tuple[Located | None, list[BankIssue]]:
    """Read a YAML file with its line map; syntax errors and duplicate keys become issues."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except OSError as exc:
        return None, [BankIssue(name, 0, None, "", f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [BankIssue(name, line, None, "", f"YAML syntax: {exc}")]
    lines: dict[Path_, int] = {}
    dupes: list[tuple[Path_, int]] = []
    if node is not None:
        _walk(node, (), lines, dupes)
    located = Located(name, data, lines)
    issues = [located.issue(p, "duplicate key (YAML keeps only the last)") for p, _ in dupes]
    return located, issues


def _data_path(data: Any, loc: tuple) -> Path_:
    """Map a pydantic error location onto the YAML data, dropping union tags like 'numeric'."""
    out: list[str | int] = []
    node = data
    for key in loc:
        in_dict = isinstance(node, dict) and key in node
        if in_dict or (isinstance(node, list) and isinstance(key, int) and key < len(node)):
            node = node[key]
        elif isinstance(node, dict | list):
            if isinstance(key, str) and (key[:1].isupper() or "[" in key or "-" in key):
                continue  # a union member's or validator's name, not a field
            if isinstance(node, dict) and key in _kinds(node):
                continue  # the discriminator value pydantic puts in the location
            node = None
        out.append(key)
    return tuple(out)


def _kinds(node: dict) -> set[str]:
    """The kind tag of an item mapping (pydantic adds it to error locations)."""
    return {node["kind"]} if isinstance(node.get("kind"), str) else set()


def load(path: str | Path, *, topics: dict[str, str] | None = None) -> Quiz:
    """Load and fully validate one bank; raise BankError listing every problem found."""
    located, issues = parse(Path(path))
    if located is None:
        raise BankError(issues)
    try:
        quiz = Quiz.model_validate(located.data)
    except ValidationError as exc:
        for err in exc.errors():
            where = _data_path(located.data, tuple(err["loc"]))
            issues.append(located.issue(where, err["msg"]))
        raise BankError(issues) from None
    issues += check_quiz(quiz, located, load_topics() if topics is None else topics)
    if issues:
        raise BankError(issues)
    return quiz


def load_topics(path: Path = TOPICS_FILE) -> dict[str, str]:
    """Topic id -> title from assignments/topics.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {key: str(value.get("title", "")) for key, value in data["topics"].items()}


def resolve(quiz: str | Path) -> Path:
    """A bank path from a path or a quiz id (quizzes/<id>.yaml); ConfigError when neither."""
    path = Path(quiz)
    if path.is_file():
        return path
    candidate = QUIZ_DIR / f"{quiz}.yaml"
    if candidate.is_file():
        return candidate
    known = ", ".join(sorted(p.stem for p in bank_files()))
    raise ConfigError(f"no quiz file or id {str(quiz)!r} (known ids: {known})")


def bank_files(directory: Path = QUIZ_DIR) -> list[Path]:
    """Every bank in ``directory`` (quizzes/*.yaml), sorted."""
    return sorted(directory.glob("*.yaml"))


def load_all(directory: Path = QUIZ_DIR) -> list[Quiz]:
    """Load every bank in ``directory``."""
    topics = load_topics()
    return [load(p, topics=topics) for p in bank_files(directory)]
