"""The misconception library: known mistakes, each a variant of the reference, one module per
family (``linreg_trainer``, ``momentum``, ``schedule``, ``accumulation``, ``batchnorm``).

``library`` holds ``Mistake``, registration and ``diagnose``; the family modules import only
``library``, ``grader.evidence`` and ``reference``. Importing this package registers them all.
"""

from grader.judging.misconceptions import (
    accumulation,
    batchnorm,
    linreg_trainer,
    momentum,
    schedule,
)
from grader.judging.misconceptions.library import (
    REFERENCES,
    Mistake,
    diagnose,
    mistakes,
    output_of,
    register,
    register_reference,
)

__all__ = [
    "REFERENCES",
    "Mistake",
    "accumulation",
    "batchnorm",
    "diagnose",
    "linreg_trainer",
    "mistakes",
    "momentum",
    "output_of",
    "register",
    "register_reference",
    "schedule",
]
