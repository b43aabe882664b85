"""How an epoch is cut into mini-batches.

An epoch over N samples with batch size B (1 <= B <= N) makes ceil(N / B) updates; the last
batch holds only N mod B samples when B does not divide N, unless ``drop_last`` discards it,
which leaves floor(N / B) updates. Batches are consecutive slices of the epoch's permutation,
as a DataLoader with a sequential sampler reads a dataset stored in the permutation's order.
"""

from __future__ import annotations

import numpy as np

from reference import _checks


def updates_per_epoch(n_samples: int, batch_size: int, *, drop_last: bool = False) -> int:
    """Mini-batches (so optimizer updates) per epoch: ceil(N / B), or floor(N / B) with drop_last.

    Needs N >= 1 and 1 <= B <= N.
    """
    _checks.count("n_samples", n_samples, minimum=1)
    _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > n_samples:
        raise ValueError(f"batch_size must be <= n_samples={n_samples}, got {batch_size}")
    full, rest = divmod(n_samples, batch_size)
    return full + (1 if rest and not drop_last else 0)


def batches(
    permutation: np.ndarray, batch_size: int, *, drop_last: bool = False
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
    count = updates_per_epoch(perm.size, batch_size, drop_last=drop_last)
    return [perm[i * batch_size : (i + 1) * batch_size].copy() for i in range(count)]
