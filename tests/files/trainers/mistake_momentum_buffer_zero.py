# expected: zero, diagnosis momentum_buffer_zero
import numpy as np


def momentum_iterates(scales, x0, *, lr, momentum, dampening, steps):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)  # buffer starts at zero, so the first gradient is damped
    out = [x.copy()]
    for _ in range(steps):
        g = np.asarray(scales) * x
        v = momentum * v + (1 - dampening) * g
        x = x - lr * v
        out.append(x.copy())
    return np.array(out)
