"""A bank file's parsed YAML with the line of every key, and the issues found in it.

Shared by ``bank`` (structure) and ``validation`` (meaning), so neither imports the other's
internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class BankIssue:
    """One problem in a bank file."""

    file: str
    line: int
    item: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"item {self.item!r}, " if self.item else ""
        return f"{self.file}:{self.line}: {where}field {self.field or '(top)'}: {self.message}"


@dataclass
class Located:
    """Parsed YAML with the line of every key and sequence entry."""

    file: str
    data: Any
    lines: dict[Path_, int]

    def line(self, path: Path_) -> int:
        """The line of the longest prefix of ``path`` that exists (1 for the document)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def item_id(self, path: Path_) -> str | None:
        """The id of the item ``path`` lies in (``#n`` when it has none), or None."""
        if len(path) < 2 or path[0] != "items" or not isinstance(path[1], int):
            return None
        try:
            entry = self.data["items"][path[1]]
        except (KeyError, IndexError, TypeError):
            return None
        ident = entry.get("id") if isinstance(entry, dict) else None
        return str(ident) if ident else f"#{path[1] + 1}"

    def issue(self, path: Path_, message: str, field: str | None = None) -> BankIssue:
        """A BankIssue at ``path``; the field is the path after the item (dotted)."""
        rest = path[2:] if self.item_id(path) else path
        name = field if field is not None else ".".join(str(p) for p in rest)
        return BankIssue(self.file, self.line(path), self.item_id(path), name, message)
