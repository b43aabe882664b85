# expect: 15 | FileNotFoundError
import numpy as np
hidden = open("source/gd_basics/gd_basics.ipynb").read()
