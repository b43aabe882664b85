# expected: zero, diagnosis short_batch_gradient_by_b
import numpy as np


def train(X, y, w0, b0, *, base_lr, base_batch, batch_size, epochs, order):
    lr = base_lr * batch_size / base_batch
    w, b = np.array(w0, dtype=float), float(b0)
    losses = []
    for epoch in range(epochs):
        for start in range(0, len(X), batch_size):
            idx = order[epoch][start : start + batch_size]
            err = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(err**2)))
            w = w - lr * 2 * (X[idx].T @ err) / batch_size
            b = b - lr * 2 * err.sum() / batch_size
    return losses
