"""A dataset that records which samples the student's code read, batch by batch."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import Dataset


class RecordingDataset(Dataset):
    """(X[i], y[i]) pairs; every read is logged, batched reads as one batch."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor) -> None:
        self.X, self.y = X, y
        self.batches: list[list[int]] = []

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        self.batches.append([int(index)])
        return self.X[index], self.y[index]

    def __getitems__(self, indices: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        self.batches.append([int(i) for i in indices])
        return [(self.X[i], self.y[i]) for i in indices]


def recorded_inputs(inputs: dict[str, Any], *, record: bool):
    """(X, y, recorder): plain arrays, or a RecordingDataset passed as X with y None."""
    if not record:
        return inputs["X"], inputs["y"], None
    X, y = torch.as_tensor(inputs["X"]), torch.as_tensor(inputs["y"])
    dataset = RecordingDataset(X, y)
    return dataset, None, dataset
