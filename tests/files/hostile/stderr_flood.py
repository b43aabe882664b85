# expect: 17 | any
import sys
import numpy as np
sys.stderr.write("warning " * 200_000)


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
