# expect: 15 | NaN
import numpy as np


def update(w, grad, lr):
    return float("nan")
