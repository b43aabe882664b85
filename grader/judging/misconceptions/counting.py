"""Mistakes of gd_variants' counts: updates per epoch and the bytes of a batch.

* ``count_updates``: updates per epoch per call; inputs ``calls``: (n, batch_size,
  drop_last) tuples. Right: n // B with drop_last, else ceil(n / B).
* ``batch_bytes``: bytes of a float32 batch per call; inputs ``calls``: (batch_size,
  n_features) pairs. Right: 4 bytes per value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.judging.misconceptions.library import Mistake, register, register_reference

_COUNTS = {
    "right": lambda n, b, drop: n // b if drop else math.ceil(n / b),
    "always_ceil": lambda n, b, drop: math.ceil(n / b),
    "always_floor": lambda n, b, drop: n // b,
    "swapped": lambda n, b, drop: math.ceil(n / b) if drop else n // b,
    "plus_one": lambda n, b, drop: n // b if drop else n // b + 1,
}


def counts(inputs: dict[str, Any], rule: str = "right") -> np.ndarray:
    """Updates per epoch for every (n, B, drop_last) call under ``rule``."""
    return np.asarray([float(_COUNTS[rule](*case)) for case in inputs["calls"]])


def nbytes(inputs: dict[str, Any], per_value: float = 4.0) -> np.ndarray:
    """batch_size * n_features * ``per_value`` for every call."""
    return np.asarray([b * f * per_value for b, f in inputs["calls"]], dtype=float)


register_reference("count_updates", counts)
register_reference("batch_bytes", nbytes)

for _mistake in [
    Mistake(
        "count_ignores_drop_last",
        "drop_last is ignored: the count always rounds up",
        "With drop_last=True the short last batch is skipped: return n // batch_size then, "
        "ceil(n / batch_size) otherwise.",
        "count_updates",
        lambda i: counts(i, "always_ceil"),
    ),
    Mistake(
        "count_always_floor",
        "the count always rounds down, so the short last batch is lost without drop_last",
        "Without drop_last the short last batch is one more update: ceil(n / batch_size) "
        "(math.ceil, or -(-n // batch_size)); n // batch_size only with drop_last=True.",
        "count_updates",
        lambda i: counts(i, "always_floor"),
    ),
    Mistake(
        "count_drop_last_swapped",
        "floor and ceil are swapped: drop_last rounds up, the default rounds down",
        "drop_last=True drops the short last batch (n // batch_size); the default keeps it "
        "(ceil(n / batch_size)).",
        "count_updates",
        lambda i: counts(i, "swapped"),
    ),
    Mistake(
        "count_plus_one",
        "n // batch_size + 1 is used for ceil(n / batch_size): one too many when B divides n",
        "Round up with math.ceil(n / batch_size) (or (n + batch_size - 1) // batch_size): "
        "when batch_size divides n there is no short last batch.",
        "count_updates",
        lambda i: counts(i, "plus_one"),
    ),
    Mistake(
        "bytes_float64",
        "8 bytes per value (float64) for a float32 batch",
        "float32 takes 4 bytes per value: batch_size * n_features * 4.",
        "batch_bytes",
        lambda i: nbytes(i, 8.0),
    ),
    Mistake(
        "bytes_counted_bits",
        "bits were counted (32 per value), not bytes",
        "A float32 is 32 bits = 4 bytes: batch_size * n_features * 4.",
        "batch_bytes",
        lambda i: nbytes(i, 32.0),
    ),
    Mistake(
        "bytes_no_item_size",
        "the number of values was returned, not their bytes",
        "Multiply the number of values by the bytes of one float32 (4).",
        "batch_bytes",
        lambda i: nbytes(i, 1.0),
    ),
]:
    register(_mistake)
