# expect: 0 | ran longer than
import numpy as np
while True:
    try:
        sum(range(10**6))
    except BaseException:
        pass
