"""The misconception library: known mistakes, one module per family (``linreg_trainer``,
``momentum``, ``schedule``, ``accumulation``, ``batchnorm``; gd_basics' outputs in
``basics``, gd_variants' counts in ``counting``, lr_rules' rates in ``rates``; the other
normalisation layers in ``normalization``, minibatch_in_action's outputs in ``iris``).

Each family is an oracle of ``reference/`` written from named parts (``register_space``) and
each mistake one part swapped for a known alternative (``alternative``): the family's output
with no part swapped is the reference itself, and no module here recomputes a reference
algorithm. ``diagnose`` tries single alternatives, then pairs of different parts.

``library`` holds ``Mistake``, registration and ``diagnose``; the family modules import only
``library``, ``grader.evidence`` and ``reference``. Importing this package registers them all.
"""

from grader.judging.misconceptions import (
    accumulation,
    basics,
    batchnorm,
    counting,
    iris,
    linreg_trainer,
    momentum,
    normalization,
    rates,
    schedule,
)
from grader.judging.misconceptions.library import (
    REFERENCES,
    Mistake,
    alternative,
    diagnose,
    mistakes,
    named_text,
    output_of,
    register,
    register_reference,
    register_space,
)

__all__ = [
    "REFERENCES",
    "Mistake",
    "accumulation",
    "alternative",
    "basics",
    "batchnorm",
    "counting",
    "diagnose",
    "iris",
    "linreg_trainer",
    "mistakes",
    "momentum",
    "named_text",
    "normalization",
    "output_of",
    "rates",
    "register",
    "register_reference",
    "register_space",
    "schedule",
]
