"""Quiz oracles for gradient accumulation and normalization layers."""

from __future__ import annotations

import numpy as np

from grader.quizzes._mark import oracle


def _column(*values: float) -> np.ndarray:
    """Values as a BatchNorm1d input of shape (N, 1)."""
    return np.array(values, dtype=np.float64).reshape(-1, 1)


@oracle
def accumulation_steps(*, target_batch: int, micro_batch: int) -> float:
    """Micro-batches per optimizer step: target / micro (which must divide)."""
    if target_batch % micro_batch:
        raise ValueError(f"{micro_batch} does not divide {target_batch}")
    return float(target_batch // micro_batch)


@oracle
def accumulated_last_sample_weight(*, n_samples: int, micro_batch: int) -> float:
    """Weight of one sample of the short last micro-batch with loss / k: 1 / (k n_last).

    Read off reference.accumulation: with X = I, y = -1/2, w = 0, b = 0 each residual is 1/2
    and dL_i/dw_j = (2 / n_i) * 1/2 = 1 / n_i, so the accumulated dw holds each sample's weight.
    """
    from reference.accumulation import accumulated_gradient
    from reference.batching import batches

    n = int(n_samples)
    micro = batches(np.arange(n), int(micro_batch))
    gw, _ = accumulated_gradient(np.eye(n), np.full(n, -0.5), np.zeros(n), 0.0, micro_batches=micro)
    return float(gw[-1])


@oracle
def big_batch_sample_weight(*, n_samples: int, micro_batch: int) -> float:
    """Each sample's weight in the big-batch mean, 1 / N (reference.accumulation)."""
    from reference.accumulation import full_batch_gradient

    n = int(n_samples)
    gw, _ = full_batch_gradient(np.eye(n), np.full(n, -0.5), np.zeros(n), 0.0)
    return float(gw[-1])


@oracle
def batchnorm_train_output(*, x1: float, x2: float, x3: float, x4: float) -> float:
    """BatchNorm (train mode, gamma 1, beta 0) output for x1 of the batch x1..x4."""
    from reference.normalization import batch_norm

    y, _, _ = batch_norm(
        _column(x1, x2, x3, x4),
        np.ones(1),
        np.zeros(1),
        running_mean=np.zeros(1),
        running_var=np.ones(1),
        training=True,
    )
    return float(y[0, 0])


@oracle
def batchnorm_output_unbiased_var(*, x1: float, x2: float, x3: float, x4: float) -> float:
    """Mistake: normalised with the unbiased (N - 1) variance instead of the biased one."""
    x = _column(x1, x2, x3, x4)[:, 0]
    return float((x[0] - x.mean()) / x.std(ddof=1))


@oracle
def batchnorm_running_mean(
    *, x1: float, x2: float, x3: float, x4: float, momentum: float, running_mean: float
) -> float:
    """running_mean after one training batch: (1 - momentum) * old + momentum * batch mean."""
    from reference.normalization import batch_norm

    _, rm, _ = batch_norm(
        _column(x1, x2, x3, x4),
        np.ones(1),
        np.zeros(1),
        running_mean=np.array([running_mean]),
        running_var=np.ones(1),
        training=True,
        momentum=momentum,
    )
    return float(rm[0])


@oracle
def batchnorm_running_mean_keras(
    *, x1: float, x2: float, x3: float, x4: float, momentum: float, running_mean: float
) -> float:
    """Mistake: Keras' convention, momentum * old + (1 - momentum) * batch mean."""
    return momentum * running_mean + (1 - momentum) * float(np.mean([x1, x2, x3, x4]))


@oracle
def standardized_value(*, x1: float, x2: float, x3: float, x4: float) -> float:
    """z-score of x1 with the column's mean and population std (reference.standardize)."""
    from reference.normalization import standardize

    z, _, _ = standardize(_column(x1, x2, x3, x4))
    return float(z[0, 0])


@oracle
def standardized_value_sample_std(*, x1: float, x2: float, x3: float, x4: float) -> float:
    """Mistake: divided by the sample std (ddof = 1), not the population std."""
    x = np.array([x1, x2, x3, x4], dtype=np.float64)
    return float((x[0] - x.mean()) / x.std(ddof=1))
