# expected: zero, diagnosis leftover_group_rescaled
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    w, b = np.array(w0, dtype=float), float(b0)
    losses = []
    for epoch in range(epochs):
        parts = [order[epoch][s : s + batch_size] for s in range(0, len(X), batch_size)]
        for g0 in range(0, len(parts), accumulation_steps):
            group = parts[g0 : g0 + accumulation_steps]
            gw, gb = np.zeros_like(w), 0.0
            for idx in group:
                err = X[idx] @ w + b - y[idx]
                losses.append(float(np.mean(err**2)))
                gw += 2 * X[idx].T @ err / len(idx)
                gb += 2 * err.mean()
            w, b = w - lr * gw / len(group), b - lr * gb / len(group)  # mean over the group
    return losses
