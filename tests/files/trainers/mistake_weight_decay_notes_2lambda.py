# expected: zero, diagnosis weight_decay_notes_2lambda
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum, weight_decay):
    theta = np.append(np.array(w0, dtype=float), float(b0))
    velocity = None
    losses = []
    for epoch in range(epochs):
        for start in range(0, len(X), batch_size):
            idx = order[epoch][start : start + batch_size]
            err = X[idx] @ theta[:-1] + theta[-1] - y[idx]
            losses.append(float(np.mean(err**2)))
            # d/dtheta of L + lambda * ||theta||^2
            grad = (
                np.append(2 * X[idx].T @ err, 2 * err.sum()) / len(idx) + 2 * weight_decay * theta
            )
            velocity = grad if velocity is None else momentum * velocity + grad
            theta = theta - lr * velocity
    return losses
