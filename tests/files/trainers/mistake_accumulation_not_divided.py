# expected: zero, diagnosis accumulation_not_divided
import numpy as np


def accumulated_gradient(X, y, w, b, micro_batches):
    gw, gb = np.zeros(len(w)), 0.0
    for idx in micro_batches:
        r = X[idx] @ w + b - y[idx]
        gw = gw + 2 * X[idx].T @ r / len(idx)
        gb = gb + 2 * r.sum() / len(idx)
    return gw, gb
