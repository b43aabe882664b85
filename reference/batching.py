"""How an epoch is cut into mini-batches.

An epoch over N samples with batch size B makes ceil(N / B) updates; the last batch is
short when B does not divide N, unless ``drop_last`` discards it (floor(N / B) updates).
Batches are consecutive slices of that epoch's permutation, like a DataLoader reading a
dataset in the permutation's order.
"""

from __future__ import annotations

import numpy as np

from reference import _checks


def updates_per_epoch(n_samples: int, batch_size: int, *, drop_last: bool = False) -> int:
    """ceil(N / B), or floor(N / B) with drop_last."""
    _checks.count("n_samples", n_samples, minimum=1)
    _checks.count("batch_size", batch_size, minimum=1)
    if batch_size > n_samples:
        raise ValueError(f"batch_size {batch_size} is larger than n_samples {n_samples}")
    full, rest = divmod(n_samples, batch_size)
    return full + (1 if rest and not drop_last else 0)


def batches(permutation: np.ndarray, batch_size: int, *, drop_last: bool = False) -> list:
    """Consecutive slices of ``permutation`` of length ``batch_size`` (last one may be short)."""
    perm = np.asarray(permutation)
    if perm.ndim != 1 or perm.dtype.kind not in "iu":
        raise ValueError("permutation must be a 1-D integer array")
    count = updates_per_epoch(len(perm), batch_size, drop_last=drop_last)
    return [perm[i * batch_size : (i + 1) * batch_size] for i in range(count)]
