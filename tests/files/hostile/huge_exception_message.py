# expect: 15 | ValueError
import numpy as np
raise ValueError("x" * 10**7)
