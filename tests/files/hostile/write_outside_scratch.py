# expect: 17 | any
import numpy as np
with open("/tmp/gdgrade-hostile-write.txt", "w") as fh:
    fh.write("written from a student notebook")


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
