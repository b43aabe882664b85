# expect: 15 | SystemExit
import numpy as np
raise SystemExit("bye")
