# expect: 0 | exit
import os
os._exit(0)
