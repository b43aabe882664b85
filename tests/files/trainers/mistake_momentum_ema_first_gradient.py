# expected: zero, diagnosis momentum_ema_first_gradient
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    theta = np.append(np.array(w0, dtype=float), float(b0))
    avg = None
    losses = []
    for epoch in range(epochs):
        for start in range(0, len(X), batch_size):
            idx = order[epoch][start : start + batch_size]
            err = X[idx] @ theta[:-1] + theta[-1] - y[idx]
            losses.append(float(np.mean(err**2)))
            g = np.append(2 * X[idx].T @ err, 2 * err.sum()) / len(idx) + weight_decay * theta
            avg = g if avg is None else momentum * avg + (1 - momentum) * g
            theta = theta - lr * avg
    return losses
