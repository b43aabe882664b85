"""How an epoch is cut into mini-batches, what the batches hold, and what one batch weighs.

An epoch over N samples with batch size B (1 <= B <= N) makes ceil(N / B) updates; the last
batch holds only N mod B samples when B does not divide N, unless ``drop_last`` discards it,
which leaves floor(N / B) updates. Batches are consecutive slices of the epoch's permutation,
as a DataLoader with a sequential sampler reads a dataset stored in the permutation's order.

The rules are written as named parts (``BatchingParts``: the full batches, whether the short
batch is kept, its size, the labels read in order, the count per class; ``BytesParts``: the
values of a batch, the bytes of one value, the bytes of the batch); the defaults are the
textbook ones, and the grader swaps one part at a time to reproduce a student's mistake
(``grader.judging.misconceptions.counting`` and ``.iris``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reference import _checks


def full_batches(n_samples: int, batch_size: int) -> int:
    """Batches of exactly B samples: floor(N / B)."""
    return n_samples // batch_size


def short_batch_kept(rest: int, drop_last: bool) -> bool:
    """Whether a last batch of ``rest`` = N mod B samples makes an update: when there is one
    (rest > 0) and drop_last is False (the DataLoader's default)."""
    return rest > 0 and not drop_last


def short_batch_size(rest: int, batch_size: int) -> int:
    """Samples in the kept short batch: N mod B."""
    return rest


def read_in_order(labels: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The labels in the order the epoch reads them: labels[order]."""
    return labels[order]


def count_classes(labels: np.ndarray, n_classes: int) -> list[int]:
    """Samples of each class 0..n_classes-1 in a batch, absent classes counted 0."""
    return np.bincount(labels, minlength=n_classes).tolist()


@dataclass(frozen=True)
class BatchingParts:
    """The named parts of ``updates_per_epoch``, ``batch_sizes``, ``batches`` and
    ``class_counts``; the defaults are the textbook ones."""

    full: Callable[[int, int], int] = full_batches
    short_kept: Callable[[int, bool], bool] = short_batch_kept
    short_size: Callable[[int, int], int] = short_batch_size
    read: Callable[[np.ndarray, np.ndarray], np.ndarray] = read_in_order
    count: Callable[[np.ndarray, int], list[int]] = count_classes


TEXTBOOK = BatchingParts()
"""The parts of the batching rules."""


def _sizes(n_samples: int, batch_size: int) -> None:
    """Needs N >= 1 and 1 <= B <= N, else ValueError naming the argument."""
    _checks.count("n_samples", n_samples, minimum=1)
    _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > n_samples:
        raise ValueError(f"batch_size must be <= n_samples={n_samples}, got {batch_size}")


def updates_per_epoch(
    n_samples: int, batch_size: int, *, drop_last: bool = False, parts: BatchingParts = TEXTBOOK
) -> int:
    """Mini-batches (so optimizer updates) per epoch: ceil(N / B), or floor(N / B) with drop_last.

    Needs N >= 1 and 1 <= B <= N.
    """
    _sizes(n_samples, batch_size)
    rest = n_samples % batch_size
    return parts.full(n_samples, batch_size) + (1 if parts.short_kept(rest, drop_last) else 0)


def batch_sizes(
    n_samples: int, batch_size: int, *, drop_last: bool = False, parts: BatchingParts = TEXTBOOK
) -> list[int]:
    """The size of each batch of an epoch: B for the full ones, then N mod B when the short
    batch is kept (``len(batch)`` of each batch a DataLoader yields)."""
    _sizes(n_samples, batch_size)
    rest = n_samples % batch_size
    short = [parts.short_size(rest, batch_size)] if parts.short_kept(rest, drop_last) else []
    return [batch_size] * parts.full(n_samples, batch_size) + short


def batches(
    permutation: np.ndarray,
    batch_size: int,
    *,
    drop_last: bool = False,
    parts: BatchingParts = TEXTBOOK,
) -> list[np.ndarray]:
    """Consecutive slices permutation[i * B : (i + 1) * B] for i < updates_per_epoch(N, B).

    ``permutation`` must hold each of 0..N-1 exactly once; the last batch is short when B does
    not divide N, and is left out with drop_last. The slices are copies.
    """
    perm = np.asarray(permutation)
    if perm.ndim != 1 or perm.dtype.kind not in "iu" or perm.size == 0:
        raise ValueError(f"permutation must be a non-empty 1-D integer array, got {permutation!r}")
    if not np.array_equal(np.sort(perm), np.arange(perm.size)):
        raise ValueError(f"permutation must hold each of 0..{perm.size - 1} exactly once")
    _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > perm.size:
        raise ValueError(f"batch_size must be <= len(permutation)={perm.size}, got {batch_size}")
    count = updates_per_epoch(perm.size, batch_size, drop_last=drop_last, parts=parts)
    return [perm[i * batch_size : (i + 1) * batch_size].copy() for i in range(count)]


def class_counts(
    labels: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    *,
    n_classes: int = 3,
    parts: BatchingParts = TEXTBOOK,
) -> list[list[int]]:
    """[n_0, ..., n_{C-1}] for each batch read from ``order`` (consecutive slices of B, the
    short last batch kept): how many samples of each class the batch holds."""
    read = parts.read(np.asarray(labels), np.asarray(order))
    return [
        parts.count(read[idx], n_classes)
        for idx in batches(np.arange(len(read)), batch_size, parts=parts)
    ]


def batch_values(batch_size: int, n_features: int) -> int:
    """Numbers in a batch of shape (batch_size, n_features)."""
    return batch_size * n_features


def float32_size() -> int:
    """Bytes of one float32 value: 4."""
    return np.dtype(np.float32).itemsize


def data_bytes(batch_size: int, n_features: int, values: int, item_size: int) -> int:
    """Bytes the batch's values occupy: values * item size (tensor.nbytes, array.nbytes)."""
    return values * item_size


@dataclass(frozen=True)
class BytesParts:
    """The named parts of ``batch_bytes``; the defaults are the textbook ones."""

    values: Callable[[int, int], int] = batch_values
    item_size: Callable[[], int] = float32_size
    size: Callable[[int, int, int, int], int] = data_bytes


BYTES = BytesParts()
"""The parts of ``batch_bytes``."""


def batch_bytes(batch_size: int, n_features: int, *, parts: BytesParts = BYTES) -> int:
    """Bytes of a float32 input batch of shape (batch_size, n_features): 4 per value, what
    ``torch.empty(batch_size, n_features).nbytes`` says. Needs both >= 1."""
    _checks.count("batch_size", batch_size, minimum=1)
    _checks.count("n_features", n_features, minimum=1)
    values = parts.values(batch_size, n_features)
    return parts.size(batch_size, n_features, values, parts.item_size())
