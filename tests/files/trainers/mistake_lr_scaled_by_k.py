# expected: zero, diagnosis lr_scaled_by_k
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, accumulation_steps):
    w, b = np.array(w0, dtype=float), float(b0)
    k = accumulation_steps
    step_lr = lr * k  # effective batch is k times larger
    losses = []
    for epoch in range(epochs):
        batches = [order[epoch][s : s + batch_size] for s in range(0, len(X), batch_size)]
        for g0 in range(0, len(batches), k):
            gw, gb = np.zeros_like(w), 0.0
            for idx in batches[g0 : g0 + k]:
                err = X[idx] @ w + b - y[idx]
                losses.append(float(np.mean(err**2)))
                gw += 2 * X[idx].T @ err / len(idx) / k
                gb += 2 * err.mean() / k
            w, b = w - step_lr * gw, b - step_lr * gb
    return losses
