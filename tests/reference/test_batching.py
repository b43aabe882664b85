"""reference.batching against torch's DataLoader."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader, SequentialSampler

from reference.batching import batches, updates_per_epoch


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), data=st.data(), drop_last=st.booleans())
def test_updates_per_epoch_is_len_of_dataloader(
    n: int, data: st.DataObject, drop_last: bool
) -> None:
    b = data.draw(st.integers(1, n), label="batch_size")
    loader = DataLoader(range(n), batch_size=b, drop_last=drop_last)
    assert updates_per_epoch(n, b, drop_last=drop_last) == len(loader)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), data=st.data(), drop_last=st.booleans())
def test_batches_are_what_a_sequential_dataloader_reads_from_the_permuted_data(
    n: int, data: st.DataObject, drop_last: bool
) -> None:
    b = data.draw(st.integers(1, n), label="batch_size")
    perm = data.draw(st.permutations(range(n)), label="permutation")
    permuted = torch.arange(n)[torch.tensor(perm)]
    loader = DataLoader(
        permuted, batch_size=b, sampler=SequentialSampler(permuted), drop_last=drop_last
    )
    ours = batches(np.asarray(perm), b, drop_last=drop_last)
    assert [x.tolist() for x in ours] == [t.tolist() for t in loader]
    assert len(ours) == updates_per_epoch(n, b, drop_last=drop_last)


def test_last_short_batch_is_kept_unless_dropped() -> None:
    perm = np.array([4, 0, 3, 1, 2])
    assert [x.tolist() for x in batches(perm, 2)] == [[4, 0], [3, 1], [2]]
    assert [x.tolist() for x in batches(perm, 2, drop_last=True)] == [[4, 0], [3, 1]]
    assert (updates_per_epoch(5, 2), updates_per_epoch(5, 2, drop_last=True)) == (3, 2)


def test_batches_are_copies() -> None:
    perm = np.arange(6)
    first = batches(perm, 3)[0]
    first[0] = 99
    assert perm[0] == 0


@pytest.mark.parametrize(
    ("n", "b", "name"),
    [(10, 0, "batch_size"), (10, 11, "batch_size"), (10, 2.5, "batch_size"), (0, 1, "n_samples")],
)
def test_bad_counts_name_the_argument(n: int, b: int, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        updates_per_epoch(n, b)


@pytest.mark.parametrize(
    ("perm", "b", "name"),
    [
        (np.arange(4), 0, "batch_size"),
        (np.arange(4), 5, "batch_size"),
        (np.array([], dtype=int), 1, "permutation"),
        (np.array([0.0, 1.0]), 1, "permutation"),
        (np.arange(4).reshape(2, 2), 1, "permutation"),
        (np.array([0, 0, 1]), 1, "permutation"),
        (np.array([1, 2, 3]), 1, "permutation"),
    ],
)
def test_bad_batches_arguments_name_the_argument(perm: np.ndarray, b: int, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        batches(perm, b)
