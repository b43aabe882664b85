# expect: 17 | any
import os
import numpy as np
# 10 spinners, not 20: each fork of the warm child costs ~36 ms, and with 20 spinners on
# 2 cores this cell alone took 3-4 s against the corpus's 3 s cell limit (the cap of 64
# processes is tested in tests/grader/test_isolation.py).
for _ in range(10):
    if os.fork() == 0:
        while True:
            pass


def update(w, grad, lr):
    return w - lr * np.asarray(grad)
