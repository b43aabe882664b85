# expect: 15 | not available while your notebook is graded
import numpy as np
from grader.judging import judges
