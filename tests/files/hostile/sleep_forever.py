# expect: 15 | ran longer than
import numpy as np
import time
time.sleep(10**6)
