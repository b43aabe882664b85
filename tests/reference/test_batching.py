"""reference.batching against torch's DataLoader."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from reference.batching import batches, updates_per_epoch


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 200), data=st.data(), drop_last=st.booleans())
def test_matches_dataloader(n: int, data: st.DataObject, drop_last: bool) -> None:
    b = data.draw(st.integers(1, n))
    perm = np.random.default_rng(n).permutation(n)
    loader = DataLoader(torch.arange(n), batch_size=b, sampler=perm.tolist(), drop_last=drop_last)
    assert updates_per_epoch(n, b, drop_last=drop_last) == len(loader)
    ours = batches(perm, b, drop_last=drop_last)
    assert [x.tolist() for x in ours] == [t.tolist() for t in loader]


@pytest.mark.parametrize(
    ("n", "b", "name"), [(10, 0, "batch_size"), (10, 11, "batch_size"), (0, 1, "n_samples")]
)
def test_bad_arguments_name_the_argument(n: int, b: int, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        updates_per_epoch(n, b)
