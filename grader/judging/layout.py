"""Where a flattened entry sits in what the student returned, and numbers that show a
difference.

A judge compares flattened values; the student wrote ``return y, running_mean, running_var``.
``Layout`` maps flat entry 19 back to ``running_mean[0]`` (or ``Z_test[3, 1]``, or
``batchnorm_train(...)[1][0]`` when the check gives the parts no names). ``pair`` prints two
numbers with as many significant digits as it takes to see that they differ.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_DIGITS = 6
"""Significant digits a number is shown with at least (the course's 6)."""
MAX_DIGITS = 17
"""Enough to tell any two different float64 values apart."""


def number(v: float, digits: int = MIN_DIGITS) -> str:
    """A value as a student reads it: ``digits`` significant digits, no float repr noise."""
    return f"{v:.{digits}g}"


def digits_to_differ(a: float, b: float, least: int = MIN_DIGITS) -> int:
    """The fewest significant digits (at least ``least``) at which a and b print
    differently; ``least`` when they are equal or not finite."""
    if a == b or not (math.isfinite(a) and math.isfinite(b)):
        return least
    for d in range(least, MAX_DIGITS + 1):
        if number(a, d) != number(b, d):
            return d
    return MAX_DIGITS


def pair(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` as text, with the digits it takes to show they differ
    ("1.359641" and "1.359638", not "1.35964" twice)."""
    d = digits_to_differ(float(a), float(b))
    return number(float(a), d), number(float(b), d)


@dataclass(frozen=True)
class Part:
    """One returned component: its name and shape (``()`` for a scalar)."""

    name: str
    """How the student's code calls it (``"running_mean"``), or an index expression
    (``"batchnorm_train(...)[1]"``)."""
    shape: tuple[int, ...]
    """Its shape; the flattened entries are in C order."""

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1


@dataclass(frozen=True)
class Layout:
    """The returned components, in the order their entries are flattened."""

    parts: tuple[Part, ...]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)

    def spans(self) -> list[tuple[Part, int, int]]:
        """Each part with its [start, stop) in the flattened values."""
        out, start = [], 0
        for p in self.parts:
            out.append((p, start, start + p.size))
            start += p.size
        return out

    def name(self, i: int) -> str:
        """Flat entry ``i`` as the student would index it: ``running_mean[0]``,
        ``Z_test[3, 1]``, or the part's name alone for a scalar."""
        for p, start, stop in self.spans():
            if start <= i < stop:
                if not p.shape:
                    return p.name
                index = np.unravel_index(i - start, p.shape)
                return f"{p.name}[{', '.join(str(int(k)) for k in index)}]"
        return f"entry {i}"

    def axis_label(self) -> str:
        """An x-axis label for a plot of the flattened entries: which entries are which."""
        if len(self.parts) == 1:
            p = self.parts[0]
            return f"entry of {p.name} (flattened, shape {p.shape})"
        ranges = ", ".join(
            f"{p.name}: {a}" if b - a == 1 else f"{p.name}: {a}-{b - 1}" for p, a, b in self.spans()
        )
        return f"entry ({ranges})"


def layout_of(value: Any, whole: str, names: Sequence[str] | None = None) -> Layout | None:
    """The layout of an oracle's value: a tuple/list of arrays (one part each, named by
    ``names`` or indexed from ``whole``), or one array of 2 or more dimensions that ``names``
    names (unnamed, its rows are steps); None for a 1-D series (whose entries are steps,
    not components) or a ragged value."""
    if isinstance(value, tuple | list) and value and any(np.ndim(v) > 0 for v in value):
        try:
            shapes = [tuple(np.shape(np.asarray(v, dtype=np.float64))) for v in value]
        except (TypeError, ValueError):
            return None
        if names is not None and len(names) != len(shapes):
            names = None
        labels = names or [f"{whole}[{k}]" for k in range(len(shapes))]
        return Layout(tuple(Part(n, s) for n, s in zip(labels, shapes, strict=True)))
    if isinstance(value, np.ndarray) and value.ndim >= 2 and names:
        return Layout((Part(names[0], tuple(value.shape)),))
    return None


def parts_layout(parts: Sequence[tuple[str, tuple[int, ...]]]) -> Layout:
    """A layout from ``(name, shape)`` pairs: for an oracle that returns one flat vector made
    of several quantities (``[dL/dw_1, dL/dw_2, dL/db]``)."""
    return Layout(tuple(Part(n, tuple(s)) for n, s in parts))
