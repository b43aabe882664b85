# expected: zero, diagnosis order_inverted
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum=0.0, weight_decay=0.0):
    w, b = np.array(w0, dtype=float), float(b0)
    losses = []
    for epoch in range(epochs):
        rank = np.argsort(order[epoch])  # position of each sample in this epoch
        for start in range(0, len(X), batch_size):
            idx = rank[start : start + batch_size]
            err = X[idx] @ w + b - y[idx]
            losses.append(float(np.mean(err**2)))
            w = w - lr * 2 * X[idx].T @ err / len(idx)
            b = b - lr * 2 * err.mean()
    return losses
