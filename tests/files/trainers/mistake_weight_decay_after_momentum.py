# expected: zero, diagnosis weight_decay_after_momentum
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    theta = np.append(np.array(w0, dtype=float), float(b0))
    buf, losses = None, []
    for epoch in range(epochs):
        perm = np.asarray(order[epoch])
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            r = X[idx] @ theta[:-1] + theta[-1] - y[idx]
            losses.append(np.mean(r**2))
            g = np.append(2 * X[idx].T @ r / len(idx), 2 * r.mean())
            buf = g if buf is None else momentum * buf + g
            theta = theta - lr * (buf + weight_decay * theta)
    return losses
