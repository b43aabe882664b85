# expect: 15 | RecursionError
import numpy as np


def down(n):
    return down(n + 1)


down(0)
