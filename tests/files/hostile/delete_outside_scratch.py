# expect: 17 | any
import os
import numpy as np
if os.path.exists("/tmp/gdgrade-hostile-victim.txt"):
    os.remove("/tmp/gdgrade-hostile-victim.txt")


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
