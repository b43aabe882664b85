# expect: 15 | SystemExit
import numpy as np
import sys
sys.exit(1)
