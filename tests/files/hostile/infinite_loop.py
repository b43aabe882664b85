# expect: 15 | ran longer than
import numpy as np
while True:
    pass
