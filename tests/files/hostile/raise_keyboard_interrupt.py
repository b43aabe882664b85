# expect: 15 | KeyboardInterrupt
import numpy as np
raise KeyboardInterrupt
