# expect: 0 | any
import os
import signal
try:
    os.kill(os.getppid(), signal.SIGKILL)  # the grading worker (refused when contained)
finally:
    os.kill(os.getpid(), signal.SIGKILL)  # then this notebook's own process
