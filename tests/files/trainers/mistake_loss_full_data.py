# expected: zero, diagnosis loss_full_data
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum=0.0, weight_decay=0.0):
    w, b = np.array(w0, dtype=float), float(b0)
    history = []
    for epoch in range(epochs):
        for start in range(0, len(X), batch_size):
            idx = order[epoch][start : start + batch_size]
            history.append(float(np.mean((X @ w + b - y) ** 2)))  # training loss so far
            err = X[idx] @ w + b - y[idx]
            w = w - lr * 2 * X[idx].T @ err / len(idx)
            b = b - lr * 2 * err.mean()
    return history
