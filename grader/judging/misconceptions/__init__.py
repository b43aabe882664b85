"""The misconception library: known mistakes, each a variant of the reference, one module per
family (``linreg_trainer``, ``momentum``, ``schedule``, ``accumulation``, ``batchnorm``;
gd_basics' outputs in ``basics``, gd_variants' counts in ``counting``, lr_rules' rates in
``rates``).

``library`` holds ``Mistake``, registration and ``diagnose``; the family modules import only
``library``, ``grader.evidence`` and ``reference``. Importing this package registers them all.
"""

from grader.judging.misconceptions import (
    accumulation,
    basics,
    batchnorm,
    counting,
    linreg_trainer,
    momentum,
    rates,
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
    "basics",
    "batchnorm",
    "counting",
    "diagnose",
    "linreg_trainer",
    "mistakes",
    "momentum",
    "output_of",
    "rates",
    "register",
    "register_reference",
    "schedule",
]
