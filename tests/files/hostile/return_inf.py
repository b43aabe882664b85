# expect: 15 | any
import numpy as np


def update(w, grad, lr):
    return np.full(np.shape(w), np.inf)
