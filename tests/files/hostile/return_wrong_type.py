# expect: 15 | any
import numpy as np


def update(w, grad, lr):
    return "w - lr * grad"
