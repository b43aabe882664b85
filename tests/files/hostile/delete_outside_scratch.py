# expect: 17 | any
import os
import numpy as np
try:
    os.remove("/tmp/gdgrade-hostile-victim.txt")
except OSError as err:
    print(err)


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
