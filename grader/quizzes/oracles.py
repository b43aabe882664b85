"""Named oracles: the answers (and common wrong answers) of parameterised quiz items.

Each oracle is a keyword-only function of an item's parameters that calls ``reference/``
(imported inside the function, as the grader's judges do) and returns a float, a list of
floats (a trace), or a string (the key of a choice option). Bank files name them in
``answer``, ``derived`` and ``wrong_answers``; ``grader.quizzes.bank`` checks the names and
arguments against the signatures here. Wrong-answer oracles reproduce one named mistake each.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.quizzes import oracles_lr, oracles_norm

Oracle = Callable[..., Any]
ORACLES: dict[str, Oracle] = {}
"""Oracle name -> function (filled by ``register``)."""


def register(fn: Oracle) -> Oracle:
    """Add ``fn`` to ``ORACLES`` under its own name."""
    ORACLES[fn.__name__] = fn
    return fn


def signature(name: str) -> inspect.Signature:
    """The call signature of oracle ``name`` (KeyError when unknown)."""
    return inspect.signature(ORACLES[name])


def call(name: str, **kwargs: Any) -> Any:
    """Run oracle ``name``; numpy scalars come back as Python scalars, sequences as float lists."""
    value = ORACLES[name](**kwargs)
    if isinstance(value, np.ndarray):
        return [float(v) for v in value.ravel()]
    if isinstance(value, list | tuple):
        return [float(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _quadratic_iterates(a: float, x0: float, lr: float, steps: int, slope: float) -> list[float]:
    """x_1..x_steps of GD on a x^2 with gradient slope * a * x (2 is right)."""
    from reference.descent import gd_trajectory

    traj = gd_trajectory(lambda x: slope * a * x, float(x0), lr=float(lr), steps=int(steps))
    return [float(v) for v in traj[1:]]


# --- one update, gradients -----------------------------------------------------------------


@register
def gd_update(*, w: float, g: float, lr: float) -> float:
    """w - lr * g: one plain gradient-descent step (torch.optim.SGD without extras)."""
    from reference.optim import sgd_step

    return float(sgd_step(np.array(float(w)), np.array(float(g)), None, lr=float(lr))[0])


@register
def gd_update_sign_error(*, w: float, g: float, lr: float) -> float:
    """Mistake: w + lr * g, stepping uphill (maximize=True in torch terms)."""
    from reference.optim import sgd_step

    step = sgd_step(np.array(float(w)), np.array(float(g)), None, lr=float(lr), maximize=True)
    return float(step[0])


@register
def mse_weight_grad(*, x: float, y: float, w: float) -> float:
    """d/dw of (w x - y)^2 = 2 x (w x - y)."""
    return 2.0 * x * (w * x - y)


@register
def mse_weight_grad_no_factor_two(*, x: float, y: float, w: float) -> float:
    """Mistake: x (w x - y), the factor 2 of the square forgotten."""
    return x * (w * x - y)


@register
def mse_weight_grad_sign_error(*, x: float, y: float, w: float) -> float:
    """Mistake: 2 x (y - w x), the residual taken the wrong way round."""
    return 2.0 * x * (y - w * x)


@register
def bce_logit_grad(*, p: float, y: float) -> float:
    """d/dz of binary cross-entropy with logits at sigmoid(z) = p: p - y."""
    return p - y


@register
def mse_on_probability_grad(*, p: float, y: float) -> float:
    """Mistake: MSE on the sigmoid output, d/dz (p - y)^2 = 2 (p - y) p (1 - p) (vanishes)."""
    return 2.0 * (p - y) * p * (1.0 - p)


# --- f(x) = a x^2 --------------------------------------------------------------------------


@register
def quadratic_gd_iterates(*, x0: float, lr: float, steps: int, a: float = 1.0) -> list[float]:
    """x_1..x_steps of GD on f(x) = a x^2 (gradient 2 a x) from x0."""
    return _quadratic_iterates(a, x0, lr, steps, 2.0)


@register
def quadratic_gd_iterates_no_factor_two(
    *, x0: float, lr: float, steps: int, a: float = 1.0
) -> list[float]:
    """Mistake: gradient a x instead of 2 a x (d/dx x^2 = x)."""
    return _quadratic_iterates(a, x0, lr, steps, 1.0)


@register
def quadratic_gd_iterates_sign_error(
    *, x0: float, lr: float, steps: int, a: float = 1.0
) -> list[float]:
    """Mistake: x + lr * 2 a x, stepping along the gradient."""
    return _quadratic_iterates(a, x0, lr, steps, -2.0)


@register
def quadratic_gd_last(*, x0: float, lr: float, steps: int, a: float = 1.0) -> float:
    """x_steps alone."""
    return _quadratic_iterates(a, x0, lr, steps, 2.0)[-1]


@register
def quadratic_gd_verdict(*, lr: float, a: float = 1.0) -> str:
    """``converges``, ``oscillates`` (lr = 2/L exactly) or ``diverges`` on a x^2 (L = 2a)."""
    from reference.descent import is_stable

    if is_stable(float(lr), 2.0 * a):
        return "converges"
    return "oscillates" if np.isclose(lr, 1.0 / a) else "diverges"


@register
def max_stable_lr(*, a1: float, a2: float = 0.0) -> float:
    """2 / L for f = a1 x1^2 + a2 x2^2, L = 2 max(a1, a2): GD is stable for lr below it."""
    from reference.descent import is_stable

    lipschitz = 2.0 * max(a1, a2)
    bound = 2.0 / lipschitz
    assert is_stable(bound * (1 - 1e-9), lipschitz) and not is_stable(bound, lipschitz)
    return bound


@register
def max_stable_lr_flat_direction(*, a1: float, a2: float) -> float:
    """Mistake: 2 / L from the flattest direction's curvature, 2 min(a1, a2)."""
    return 2.0 / (2.0 * min(a1, a2))


@register
def max_stable_lr_no_factor_two(*, a1: float, a2: float = 0.0) -> float:
    """Mistake: curvature max(a1, a2) instead of 2 max(a1, a2), so 2 / max(a1, a2)."""
    return 2.0 / max(a1, a2)


@register
def gd_steps_to_grad_tol(
    *, x0: float, lr: float, grad_tol: float, a: float = 1.0, max_steps: int = 10_000
) -> float:
    """Updates GD on a x^2 makes before |grad| = |2 a x| < grad_tol (reference.gd_until)."""
    from reference.descent import gd_until

    run = gd_until(
        lambda x: 2.0 * a * x,
        lambda x: float(a * np.sum(x**2)),
        float(x0),
        lr=float(lr),
        grad_tol=float(grad_tol),
        loss_tol=0.0,
        max_steps=int(max_steps),
    )
    return float(run.steps)


@register
def momentum_iterates(
    *, x0: float, lr: float, momentum: float, steps: int, a: float = 1.0
) -> list[float]:
    """x_1..x_steps of heavy-ball momentum (torch.optim.SGD) on a x^2."""
    from reference.descent import momentum_trajectory

    traj = momentum_trajectory(
        lambda x: 2.0 * a * x, float(x0), lr=float(lr), momentum=float(momentum), steps=int(steps)
    )
    return [float(v) for v in traj[1:]]


@register
def momentum_iterates_without_momentum(
    *, x0: float, lr: float, momentum: float, steps: int, a: float = 1.0
) -> list[float]:
    """Mistake: plain GD, the velocity never carried over."""
    del momentum
    return _quadratic_iterates(a, x0, lr, steps, 2.0)


# --- batching ------------------------------------------------------------------------------


@register
def updates_per_epoch(*, n_samples: int, batch_size: int, drop_last: bool = False) -> float:
    """ceil(N / B) updates, floor(N / B) with drop_last (reference.batching)."""
    from reference.batching import updates_per_epoch as upe

    return float(upe(int(n_samples), int(batch_size), drop_last=bool(drop_last)))


@register
def updates_per_epoch_other_rounding(
    *, n_samples: int, batch_size: int, drop_last: bool = False
) -> float:
    """Mistake: the short last batch counted when dropped, or dropped when kept."""
    return updates_per_epoch(n_samples=n_samples, batch_size=batch_size, drop_last=not drop_last)


@register
def updates_per_epoch_sgd(*, n_samples: int, batch_size: int, drop_last: bool = False) -> float:
    """Mistake: one update per sample, as if the batch size were 1."""
    return float(n_samples)


@register
def total_updates(
    *, n_samples: int, batch_size: int, epochs: int, drop_last: bool = False
) -> float:
    """epochs * updates_per_epoch."""
    per = updates_per_epoch(n_samples=n_samples, batch_size=batch_size, drop_last=drop_last)
    return float(epochs) * per


@register
def last_batch_size(*, n_samples: int, batch_size: int) -> float:
    """Size of an epoch's last batch without drop_last (reference.batching.batches)."""
    from reference.batching import batches

    return float(len(batches(np.arange(int(n_samples)), int(batch_size))[-1]))


@register
def samples_dropped(*, n_samples: int, batch_size: int) -> float:
    """Samples an epoch never reads with drop_last=True."""
    from reference.batching import batches

    kept = batches(np.arange(int(n_samples)), int(batch_size), drop_last=True)
    return float(n_samples - sum(len(b) for b in kept))


@register
def samples_dropped_complement(*, n_samples: int, batch_size: int) -> float:
    """Mistake: B - (N mod B), the samples missing from the last batch, not those dropped."""
    return float(batch_size - n_samples % batch_size)


@register
def minibatch_gradient_variance(*, sigma2: float, batch_size: int) -> float:
    """Variance of the mean of B independent per-sample gradients of variance sigma^2: sigma^2/B."""
    return sigma2 / batch_size


@register
def minibatch_gradient_variance_sqrt(*, sigma2: float, batch_size: int) -> float:
    """Mistake: sigma^2 / sqrt(B), the standard deviation's rule applied to the variance."""
    return sigma2 / np.sqrt(batch_size)


for _module in (oracles_lr, oracles_norm):
    for _name, _fn in vars(_module).items():
        if callable(_fn) and getattr(_fn, "__quiz_oracle__", False):
            ORACLES[_name] = _fn
