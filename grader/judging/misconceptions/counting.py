"""Mistakes of gd_variants' counts: updates per epoch and the bytes of a batch.

Each family is a reference function of ``reference.batching`` with one of its named parts
swapped for a known alternative; ``run(inputs)`` with no part swapped is the reference:

* ``count_updates``: ``updates_per_epoch`` per call (``BatchingParts``: the full batches, the
  short-batch rule); inputs ``calls``: (n, batch_size, drop_last) tuples. Right: n // B with
  drop_last, else ceil(n / B).
* ``batch_bytes``: ``batch_bytes`` per call (``BytesParts``: the values, the bytes of one
  value, the bytes of the batch); inputs ``calls``: (batch_size, n_features) pairs. Right:
  4 bytes per value.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

import numpy as np

from grader.judging.misconceptions.iris import (
    NOTES_01,
    SHORT_KEPT_ALWAYS,
    SHORT_KEPT_EVEN_EMPTY,
    SHORT_KEPT_INVERTED,
    SHORT_KEPT_NEVER,
)
from grader.judging.misconceptions.library import alternative, register, register_space
from reference import batching


def counts(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """Updates per epoch for every (n, B, drop_last) call with ``parts`` swapped."""
    chosen = replace(batching.TEXTBOOK, **parts)
    return np.asarray(
        [
            float(batching.updates_per_epoch(n, b, drop_last=d, parts=chosen))
            for n, b, d in inputs["calls"]
        ]
    )


def nbytes(inputs: dict[str, Any], **parts: Any) -> np.ndarray:
    """Bytes of a float32 batch for every (batch_size, n_features) call with ``parts``
    swapped."""
    chosen = replace(batching.BYTES, **parts)
    return np.asarray([batching.batch_bytes(b, f, parts=chosen) for b, f in inputs["calls"]], float)


register_space("count_updates", counts)
register_space("batch_bytes", nbytes)


def _numpy_getsizeof(batch_size: int, n_features: int, values: int, item_size: int) -> int:
    """sys.getsizeof of a NumPy array of the batch: its data and the array object's header."""
    dtype = {4: np.float32, 8: np.float64}[item_size]
    return sys.getsizeof(np.zeros((batch_size, n_features), dtype=dtype))


def _torch_getsizeof(batch_size: int, n_features: int, values: int, item_size: int) -> int:
    """sys.getsizeof of a torch tensor: the Python object alone, whatever its size."""
    import torch

    return sys.getsizeof(torch.zeros(batch_size, n_features))


for _id, _title, _fix, _parts in [
    (
        "count_ignores_drop_last",
        "drop_last is ignored: the count always rounds up",
        "With drop_last=True the short last batch is skipped: return n // batch_size then, "
        "ceil(n / batch_size) otherwise.",
        {"short_kept": SHORT_KEPT_ALWAYS},
    ),
    (
        "count_always_floor",
        "the count always rounds down, so the short last batch is lost without drop_last",
        "Without drop_last the short last batch is one more update: ceil(n / batch_size) "
        "(math.ceil, or -(-n // batch_size)); n // batch_size only with drop_last=True. "
        f"{NOTES_01} ('Approach 3' and 'In neural networks') says 1000/32 = 31 updates; its "
        "erratum 1 corrects it: 31 full batches and a last one of 8 that makes an update "
        "too, 32 in all, unless drop_last=True.",
        {"short_kept": SHORT_KEPT_NEVER},
    ),
    (
        "count_rounded",
        "N / B is rounded to the nearest whole number (the notes' 1000/32 ~ 31), so a short "
        "last batch under half a batch is lost",
        "Every sample is read: without drop_last the short last batch, however small, is one "
        "more update, ceil(n / batch_size); n // batch_size only with drop_last=True. "
        f"{NOTES_01} says 1000/32 = 31 updates; its erratum 1 corrects it to 32.",
        {"full": lambda n, b: round(n / b), "short_kept": SHORT_KEPT_NEVER},
    ),
    (
        "count_drop_last_swapped",
        "floor and ceil are swapped: drop_last rounds up, the default rounds down",
        "drop_last=True drops the short last batch (n // batch_size); the default keeps it "
        "(ceil(n / batch_size)).",
        {"short_kept": SHORT_KEPT_INVERTED},
    ),
    (
        "count_plus_one",
        "n // batch_size + 1 is used for ceil(n / batch_size): one too many when B divides n",
        "Round up with math.ceil(n / batch_size) (or (n + batch_size - 1) // batch_size): "
        "when batch_size divides n there is no short last batch.",
        {"short_kept": SHORT_KEPT_EVEN_EMPTY},
    ),
    (
        "count_true_division",
        "n / batch_size is returned unrounded (a float such as 31.25), not a whole count",
        "Updates are whole batches: n // batch_size with drop_last=True, math.ceil(n / "
        "batch_size) without it (the short last batch is one more update).",
        {"full": lambda n, b: n / b, "short_kept": SHORT_KEPT_NEVER},
    ),
]:
    register(alternative(_id, _title, _fix, "count_updates", **_parts))

for _id, _title, _fix, _parts in [
    (
        "bytes_float64",
        "8 bytes per value (float64) for a float32 batch",
        "float32 takes 4 bytes per value: batch_size * n_features * 4.",
        {"item_size": lambda: 8},
    ),
    (
        "bytes_counted_bits",
        "bits were counted (32 per value), not bytes",
        "A float32 is 32 bits = 4 bytes: batch_size * n_features * 4.",
        {"item_size": lambda: 32},
    ),
    (
        "bytes_no_item_size",
        "the number of values was returned, not their bytes",
        "Multiply the number of values by the bytes of one float32 (4).",
        {"item_size": lambda: 1},
    ),
    (
        "bytes_getsizeof_array",
        "sys.getsizeof of a NumPy array of the batch: the array object's header is counted "
        "on top of the data",
        "sys.getsizeof measures the Python object, header included; the batch's bytes are "
        "array.nbytes (or tensor.nbytes, tensor.element_size() * tensor.numel()), or "
        "batch_size * n_features * 4.",
        {"size": _numpy_getsizeof},
    ),
    (
        "bytes_getsizeof_tensor",
        "sys.getsizeof of a torch tensor: the size of the Python object, the same whatever "
        "the batch holds",
        "sys.getsizeof does not see a tensor's data; use tensor.nbytes (tensor.element_size() "
        "* tensor.numel()), or batch_size * n_features * 4.",
        {"size": _torch_getsizeof},
    ),
]:
    register(alternative(_id, _title, _fix, "batch_bytes", **_parts))
