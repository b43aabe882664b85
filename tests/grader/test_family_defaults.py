"""Every check that diagnoses in a misconception family: the family's output with no mistake
(``REFERENCES[family]``, for an oracle-built family the oracle with every part at its
default) equals the answer the check expects, on the check's own inputs. A family that
drifted from the oracle would name mistakes against the wrong right answer."""

from __future__ import annotations

import numpy as np
import pytest

from grader.judging import registry
from grader.judging.builders import flatten
from grader.judging.misconceptions import basics, library

registry.load_builtin()
ENCODERS = {"stability": basics.encode_bools, "stopping": basics.encode_stops}
"""Families whose numbers are not the flattened answer (the check's ``as_numbers``)."""
SHIPPED = (
    "gd_basics",
    "gd_variants",
    "lr_rules",
    "accumulation_normalization",
    "minibatch_in_action",
)
WITH_FAMILY = sorted(
    cid
    for cid, chk in registry.CHECKS.items()
    if chk.family is not None and cid.split(".")[0] in SHIPPED
)


def test_every_shipped_assignment_has_family_checks() -> None:
    assert {cid.split(".")[0] for cid in WITH_FAMILY} == set(SHIPPED)


@pytest.mark.parametrize("check_id", WITH_FAMILY)
def test_family_default_is_the_checks_expected_answer(check_id: str) -> None:
    chk = registry.CHECKS[check_id]
    family, inputs = chk.family
    assert family in library.REFERENCES, f"{family}: no reference output"
    assert chk.answer is not None, f"{check_id}: no oracle answer to compare with"
    answer = chk.answer()
    want = np.asarray(ENCODERS.get(family, flatten)(answer.value), dtype=float).ravel()
    got = np.asarray(library.REFERENCES[family](inputs), dtype=float).ravel()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("family", sorted(library.SPACES))
def test_every_pair_of_a_shipped_family_is_searched(family: str) -> None:
    """The pair search stops at PAIR_LIMIT; no shipped family may lose pairs to it."""
    pairs = library._pairs(family, library.mistakes(family))
    assert len(pairs) <= library.PAIR_LIMIT, (family, len(pairs))
