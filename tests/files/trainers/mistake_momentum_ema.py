# expected: zero, diagnosis momentum_ema
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    w, b = np.array(w0, dtype=float), float(b0)
    vw, vb = np.zeros_like(w), 0.0
    losses = []
    for epoch in range(epochs):
        for start in range(0, len(X), batch_size):
            idx = order[epoch][start : start + batch_size]
            err = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(err**2)))
            gw = 2 * X[idx].T @ err / len(idx) + weight_decay * w
            gb = 2 * err.mean() + weight_decay * b
            vw = momentum * vw + (1 - momentum) * gw  # running average of the gradient
            vb = momentum * vb + (1 - momentum) * gb
            w, b = w - lr * vw, b - lr * vb
    return losses
