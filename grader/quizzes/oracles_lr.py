"""Quiz oracles for learning-rate rules: schedules, scaling, warm-up, weight decay."""

from __future__ import annotations

import math

import numpy as np

from grader.quizzes._mark import oracle


@oracle
def time_based_lr(*, lr0: float, decay: float, n: int) -> float:
    """The notes' recursion eta_{k+1} = eta_k / (1 + decay * k), eta_0 = lr0, at step n."""
    from reference.schedules import time_based

    return float(time_based(float(lr0), decay=float(decay), n=int(n)))


@oracle
def time_based_lr_closed_form(*, lr0: float, decay: float, n: int) -> float:
    """Mistake: lr0 / (1 + decay * n), the one-line form, not the notes' recursion."""
    return lr0 / (1.0 + decay * n)


@oracle
def notes_step_decay_lr(*, lr0: float, drop: float, every: int, n: int) -> float:
    """The notes' step decay lr0 * drop ** floor((1 + n) / every)."""
    from reference.schedules import step_decay

    return float(step_decay(float(lr0), drop=float(drop), every=int(every), n=int(n)))


@oracle
def torch_step_lr(*, lr0: float, drop: float, every: int, n: int) -> float:
    """torch StepLR(step_size=every, gamma=drop): lr0 * drop ** floor(n / every)."""
    from reference.schedules import step_lr

    return float(step_lr(float(lr0), step_size=int(every), gamma=float(drop), n=int(n)))


@oracle
def last_epoch_before_drop(*, every: int, drops: int) -> int:
    """n = drops * every - 1: where the notes' formula has dropped and StepLR not yet."""
    return int(drops) * int(every) - 1


@oracle
def exponential_lr(*, lr0: float, k: float, n: int) -> float:
    """lr0 * exp(-k n)."""
    from reference.schedules import exponential

    return float(exponential(float(lr0), k=float(k), n=int(n)))


@oracle
def exponential_lr_linear(*, lr0: float, k: float, n: int) -> float:
    """Mistake: lr0 * (1 - k n), a linear decay in place of the exponential."""
    return lr0 * (1.0 - k * n)


@oracle
def scaled_lr(*, base_lr: float, base_batch: int, new_batch: int) -> float:
    """Linear scaling rule: base_lr * new_batch / base_batch."""
    from reference.schedules import linear_scaling

    return float(
        linear_scaling(float(base_lr), base_batch=int(base_batch), new_batch=int(new_batch))
    )


@oracle
def scaled_lr_backwards(*, base_lr: float, base_batch: int, new_batch: int) -> float:
    """Mistake: the rule applied backwards, base_lr * base_batch / new_batch."""
    return base_lr * base_batch / new_batch


@oracle
def scaled_lr_sqrt(*, base_lr: float, base_batch: int, new_batch: int) -> float:
    """Mistake (for this question): the square-root rule base_lr * sqrt(new / base)."""
    return base_lr * math.sqrt(new_batch / base_batch)


@oracle
def warmup_lr(*, lr0: float, warmup_steps: int, n: int, start_factor: float) -> float:
    """Linear warm-up from start_factor * lr0 to lr0 over warmup_steps."""
    from reference.schedules import linear_warmup

    return float(
        linear_warmup(
            float(lr0), warmup_steps=int(warmup_steps), n=int(n), start_factor=start_factor
        )
    )


@oracle
def warmup_lr_from_zero(*, lr0: float, warmup_steps: int, n: int, start_factor: float) -> float:
    """Mistake: lr0 * n / warmup_steps, ramping from 0 and ignoring start_factor."""
    return lr0 * min(n, warmup_steps) / warmup_steps


@oracle
def cosine_lr(*, lr0: float, t_max: int, n: int, eta_min: float = 0.0) -> float:
    """Cosine annealing from lr0 to eta_min over t_max steps."""
    from reference.schedules import cosine

    return float(cosine(float(lr0), t_max=int(t_max), n=int(n), eta_min=float(eta_min)))


@oracle
def sgd_weight_decay_update(*, w: float, g: float, lr: float, weight_decay: float) -> float:
    """torch.optim.SGD with weight_decay: w - lr * (g + weight_decay * w)."""
    from reference.optim import sgd_step

    p, _ = sgd_step(np.array(float(w)), np.array(float(g)), None, lr=lr, weight_decay=weight_decay)
    return float(p)


@oracle
def sgd_weight_decay_forgotten(*, w: float, g: float, lr: float, weight_decay: float) -> float:
    """Mistake: the decay term left out, w - lr * g."""
    return w - lr * g


@oracle
def sgd_weight_decay_sign_error(*, w: float, g: float, lr: float, weight_decay: float) -> float:
    """Mistake: the decay term subtracted from the gradient, w - lr * (g - weight_decay * w)."""
    return w - lr * (g - weight_decay * w)
