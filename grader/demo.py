"""``gdgrade demo``: for now a short tour of the oracles (the full pipeline comes later)."""

from __future__ import annotations


def run_demo() -> None:
    """Print a few expected values computed by ``reference/``."""
    from reference import descent

    def grad(x: float) -> float:
        return 2 * x

    for lr in (0.5, 1.2):
        xs = descent.gd_trajectory(grad, -6.0, lr=lr, steps=2)
        verdict = "converges" if descent.is_stable(lr, 2.0) else "diverges"
        print(f"f(x)=x^2 from x0=-6, alpha={lr}: iterates {xs.tolist()} -> {verdict}")
