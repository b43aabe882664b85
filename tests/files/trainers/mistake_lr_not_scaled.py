# expected: zero, diagnosis lr_not_scaled (uses base_lr at the larger batch size)
import numpy as np


def train(X, y, w0, b0, *, base_lr, base_batch, batch_size, epochs, order):
    lr = base_lr
    w, b, losses = np.array(w0, dtype=float), float(b0), []
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            r = X[idx] @ w + b - y[idx]
            losses.append(np.mean(r**2))
            w, b = w - lr * 2 * X[idx].T @ r / len(idx), b - lr * 2 * r.mean()
    return losses
