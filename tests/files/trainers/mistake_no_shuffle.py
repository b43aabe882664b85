# expected: zero, diagnosis no_shuffle
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, **unused):
    w, b, losses = np.array(w0, dtype=float), float(b0), []
    for _ in range(epochs):
        for start in range(0, len(X), batch_size):
            xb, yb = X[start : start + batch_size], y[start : start + batch_size]
            r = xb @ w + b - yb
            losses.append(np.mean(r**2))
            w, b = w - lr * 2 * xb.T @ r / len(yb), b - lr * 2 * r.mean()
    return losses
