# expect: 15 | BaseException
import numpy as np
raise BaseException("not an Exception")
