# expect: 17 | any
import numpy as np
print("x" * 10**7)


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
