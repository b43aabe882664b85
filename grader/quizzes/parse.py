"""Reading what students typed: numbers with decimal commas and units, lists of iterates,
option letters, keys or texts. Each parser returns the value and notes on what it assumed,
or None when it could not read the response (the grader then flags it, never guesses)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from grader.quizzes.models import Option

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+\.\d+|\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?")
_FRACTION = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")
_NAME_EQUALS = re.compile(r"^\s*[A-Za-z_α-ω][\w]*\s*=\s*")
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "\u00a0": " ", "\u2009": " "})


@dataclass
class Parsed:
    """A parsed response and what the parser assumed on the way."""

    value: object
    notes: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Unicode dashes to '-', odd spaces to ' ', stripped."""
    return text.translate(_DASHES).strip()


def _to_float(token: str, notes: list[str]) -> float:
    """A number token to float; a lone comma is a decimal comma, commas with a dot are groups."""
    if "," in token and "." not in token and token.count(",") == 1:
        notes.append(f"read decimal comma in {token!r}")
        return float(token.replace(",", "."))
    return float(token.replace(",", ""))


def number(text: str) -> Parsed | None:
    """The number in a response: '1.5', '1,5', '-.5', '3/4', '0.5 s', 'x = 2e-3', '1,234.5'."""
    notes: list[str] = []
    s = _NAME_EQUALS.sub("", clean(text))
    frac = _FRACTION.match(s)
    if frac and float(frac.group(2)) != 0:
        notes.append(f"read fraction {s!r}")
        return Parsed(float(frac.group(1)) / float(frac.group(2)), notes)
    s = re.sub(r"(?<=\d)[ _'](?=\d{3}\b)", "", s)  # 1 000 / 1_000 / 1'000
    matches = list(_NUMBER.finditer(s))
    if len(matches) != 1:
        return None
    m = matches[0]
    rest = s[m.end() :].strip()
    if s[: m.start()].strip() not in {"", "≈", "~", "about", "approx", "approx."}:
        return None
    if rest:
        notes.append(f"ignored {rest!r} after the number")
    return Parsed(_to_float(m.group(0), notes), notes)


def numbers(text: str, expected: int) -> Parsed | None:
    """A list of numbers: '1.5; -0.75', '[1.5, -0.75]', 'x1 = 1.5, x2 = -0.75', '1,5; 0,75'."""
    s = clean(text).strip("[]() ")
    if ";" in s or "\n" in s or "|" in s:
        parts = re.split(r"[;\n|]+", s)
    elif re.search(r",\s", s) or ("," in s and "." in s):
        parts = re.split(r",\s*", s)
    elif "," in s and s.count(",") == expected - 1:
        parts = s.split(",")
    else:
        parts = s.split()
    parts = [p for p in (p.strip() for p in parts) if p]
    notes: list[str] = []
    out = []
    for part in parts:
        parsed = number(part)
        if parsed is None:
            return None
        out.append(parsed.value)
        notes += parsed.notes
    if len(out) != expected:
        notes.append(f"gave {len(out)} value(s) where {expected} were asked for")
    return Parsed(out, notes)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", clean(text).lower()).strip(" .")


def option(token: str, options: list[Option]) -> str | None:
    """The key of the option a token names: its letter ('b', 'B)'), key, or exact text."""
    t = _norm(token).strip("()")
    if len(t) == 1 and t.isalpha():
        index = ord(t) - ord("a")
        return options[index].key if 0 <= index < len(options) else None
    for opt in options:
        if t in {opt.key, _norm(opt.text)}:
            return opt.key
    return None


def choices(text: str, options: list[Option]) -> Parsed | None:
    """The option keys a response selects, as a sorted list; None if any token is unknown."""
    whole = option(text, options)
    if whole is not None:
        return Parsed([whole])
    tokens = [t for t in re.split(r"[,;/+&\s]+|\band\b", clean(text)) if t and t.strip()]
    keys = [option(t, options) for t in tokens]
    if not keys or any(k is None for k in keys):
        return None
    return Parsed(sorted(set(keys)))  # type: ignore[arg-type]


def words(text: str) -> str:
    """Lower-case text with dashes unified and spaces collapsed, for keyword matching."""
    return " " + re.sub(r"\s+", " ", clean(text).lower()) + " "
