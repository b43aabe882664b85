# expect: 15 | ran longer than
import numpy as np
import time
for _ in range(1000):
    time.sleep(0.1)
