# expect: 15 | out of memory
import numpy as np
blob = np.ones(10**10)
