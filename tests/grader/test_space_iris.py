"""The oracle-built families of minibatch_in_action (the sweep) and gd_variants' counts: the
family's default output is the reference's, each new alternative is reproduced by a student
function written the way a student writes it and named exactly through the real check, and
correct work (float32 included) is never named. The Iris trainer's, the loader's and the
class counts' new alternatives are in test_families_iris."""

from __future__ import annotations

import textwrap

import pytest

from grader.judging import registry
from grader.judging.check import run_in_process
from grader.judging.misconceptions.library import named_text

registry.load_builtin()

SETUP = """
import math
import sys

import torch
from torch.utils.data import DataLoader, TensorDataset


def make_model(seed):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)]
    return torch.nn.Sequential(*layers).double()
"""

SEEDED_SWEEP = """
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    result = {}
    for batch_size in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                            generator=torch.Generator().manual_seed(seed))
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()
        with torch.no_grad():
            result[batch_size] = (model(X).argmax(dim=1) == y).double().mean().item()
    return result
"""
"""The sweep as the task suggests it: a DataLoader shuffling with a seeded generator."""


def _ns(code: str) -> dict:
    ns: dict = {}
    for part in (SETUP, code):
        exec(textwrap.dedent(part), ns)
    return ns


def _edited(code: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert old in code, old
        code = code.replace(old, new)
    return code


def _named_exactly(check_id: str, code: str, mistake: str) -> None:
    """The real check fails the code and names ``mistake`` alone, with its title and fix."""
    result = run_in_process(check_id, _ns(code))
    assert result.status == "failed", result.feedback
    assert result.diagnosis is not None, result.feedback
    assert result.diagnosis.mistake == mistake, result.feedback
    assert not result.diagnosis.candidates, result.feedback  # one cause, not a tie
    known = registry.MISCONCEPTIONS[mistake]
    assert named_text(result.diagnosis) in result.feedback and known.title in result.feedback
    assert result.diagnosis.fix == known.fix


# -- the sweep ---------------------------------------------------------------------------------


def test_the_sweep_family_default_is_the_seeded_sweep_the_task_suggests() -> None:
    from grader.course import minibatch_in_action as course
    from grader.judging.misconceptions import library

    inputs = course._sweep_inputs()
    X, y = inputs["X"], inputs["y"]
    student = _ns(SEEDED_SWEEP)["batch_size_sweep"](
        X, y, inputs["batch_sizes"], epochs=inputs["epochs"], lr=inputs["lr"], seed=inputs["seed"]
    )
    assert list(library.REFERENCES["sweep"](inputs)) == list(student.values())


SWEEP_MISTAKES = [
    (
        "sweep_lr_scaled_with_batch_size",
        _edited(
            SEEDED_SWEEP,
            ("SGD(model.parameters(), lr=lr)", "SGD(model.parameters(), lr=lr * batch_size / 32)"),
        ),
    ),
    (
        "sweep_softmax_before_cross_entropy",
        _edited(
            SEEDED_SWEEP,
            ("cross_entropy(model(xb), yb)", "cross_entropy(torch.softmax(model(xb), dim=1), yb)"),
        ),
    ),
]


@pytest.mark.parametrize(("mistake", "code"), SWEEP_MISTAKES, ids=[m for m, _ in SWEEP_MISTAKES])
def test_a_seeded_sweep_mistake_out_of_the_bands_is_named(mistake: str, code: str) -> None:
    _named_exactly("minibatch_in_action.sweep", code, mistake)


SWEEP_UNNAMED = [
    (
        "sweep_generator_per_epoch",
        """
        def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
            result = {}
            for batch_size in batch_sizes:
                model = make_model(seed)
                opt = torch.optim.SGD(model.parameters(), lr=lr)
                for _ in range(epochs):
                    gen = torch.Generator().manual_seed(seed)
                    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size,
                                        shuffle=True, generator=gen)
                    for xb, yb in loader:
                        opt.zero_grad()
                        torch.nn.functional.cross_entropy(model(xb), yb).backward()
                        opt.step()
                with torch.no_grad():
                    result[batch_size] = (model(X).argmax(dim=1) == y).double().mean().item()
            return result
        """,
    ),
    (
        "sweep_drop_last",
        _edited(SEEDED_SWEEP, ("shuffle=True,", "shuffle=True, drop_last=True,")),
    ),
]


@pytest.mark.parametrize(("mistake", "code"), SWEEP_UNNAMED, ids=[m for m, _ in SWEEP_UNNAMED])
def test_a_seeded_sweep_mistake_inside_the_bands_is_reproduced_but_not_named(
    mistake: str, code: str
) -> None:
    """Inside every correct run's band a shuffled correct sweep could land on the same
    accuracies by chance: the family reproduces the mistake, the check does not name it."""
    from grader.course import minibatch_in_action as course
    from grader.judging.misconceptions import library

    inputs = course._sweep_inputs()
    ns = _ns(code)
    values = ns["batch_size_sweep"](
        inputs["X"],
        inputs["y"],
        inputs["batch_sizes"],
        epochs=inputs["epochs"],
        lr=inputs["lr"],
        seed=inputs["seed"],
    )
    found = library.diagnose(list(values.values()), "sweep", inputs)
    assert found.mistake == mistake, found
    result = run_in_process("minibatch_in_action.sweep", ns)
    bands = course._sweep_bands()
    inside = all(low <= values[b] <= high for b, (low, high) in bands.items())
    if inside:
        assert result.diagnosis is None or result.diagnosis.mistake != mistake, result.feedback
    else:
        assert result.diagnosis is not None and result.diagnosis.mistake == mistake


def test_the_seeded_sweep_passes_unnamed() -> None:
    result = run_in_process("minibatch_in_action.sweep", _ns(SEEDED_SWEEP))
    assert result.status == "passed" and result.diagnosis is None, result.feedback


# -- gd_variants' counts -------------------------------------------------------------------------

COUNT_MISTAKES = [
    (
        "count_true_division",
        "gd_variants.updates_per_epoch",
        """
        def count_updates(n, batch_size, drop_last):
            return n / batch_size
        """,
    ),
    (
        "bytes_getsizeof_array",
        "gd_variants.batch_memory",
        """
        def batch_bytes(batch_size, n_features):
            import sys

            import numpy as np

            batch = np.zeros((batch_size, n_features), dtype=np.float32)
            return sys.getsizeof(batch)
        """,
    ),
    (
        "bytes_getsizeof_tensor",
        "gd_variants.batch_memory",
        """
        def batch_bytes(batch_size, n_features):
            import sys

            import torch

            return sys.getsizeof(torch.randn(batch_size, n_features))
        """,
    ),
]


@pytest.mark.parametrize(
    ("mistake", "check_id", "code"), COUNT_MISTAKES, ids=[m for m, *_ in COUNT_MISTAKES]
)
def test_a_counting_mistake_is_named(mistake: str, check_id: str, code: str) -> None:
    _named_exactly(check_id, code, mistake)


def test_rounding_to_the_nearest_is_named_with_rounding_down() -> None:
    """On the check's calls every short batch is under half a batch: rounding n / B to the
    nearest and always rounding down give the same counts, so both are named together."""
    code = """
    def count_updates(n, batch_size, drop_last):
        if drop_last:
            return n // batch_size
        return round(n / batch_size)
    """
    result = run_in_process("gd_variants.updates_per_epoch", _ns(code))
    assert set(result.diagnosis.candidates) == {"count_always_floor", "count_rounded"}
    assert "the values alone cannot tell which" in result.feedback


def test_the_notes_31_updates_is_named_with_the_notes_erratum() -> None:
    code = """
    def count_updates(n, batch_size, drop_last):
        return n // batch_size  # 1000 / 32 = 31 updates, as the notes say
    """
    result = run_in_process("gd_variants.updates_per_epoch", _ns(code))
    # on the check's calls rounding to the nearest gives the same counts: named together
    assert result.diagnosis.mistake == "count_always_floor", result.feedback
    assert set(result.diagnosis.candidates) == {"count_always_floor", "count_rounded"}
    assert "the values alone cannot tell which" in result.feedback
    assert "01-minibatch-gradient-descent.md" in result.diagnosis.fix
    assert "erratum 1" in result.diagnosis.fix


@pytest.mark.parametrize(
    ("check_id", "code"),
    [
        (
            "gd_variants.batch_memory",
            """
            def batch_bytes(batch_size, n_features):
                import torch

                return torch.zeros(batch_size, n_features, dtype=torch.float32).nbytes
            """,
        ),
        (
            "gd_variants.batch_memory",
            """
            def batch_bytes(batch_size, n_features):
                import numpy as np

                return np.zeros((batch_size, n_features), dtype=np.float32).nbytes
            """,
        ),
        (
            "gd_variants.updates_per_epoch",
            """
            def count_updates(n, batch_size, drop_last):
                from torch.utils.data import DataLoader

                loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
                return len(loader)
            """,
        ),
    ],
)
def test_correct_counts_pass_unnamed(check_id: str, code: str) -> None:
    result = run_in_process(check_id, _ns(code))
    assert result.status == "passed" and result.diagnosis is None, result.feedback


COVERED = (
    {m for m, _ in SWEEP_MISTAKES + SWEEP_UNNAMED}
    | {m for m, *_ in COUNT_MISTAKES}
    | {"count_rounded", "count_always_floor"}
)
"""Every new mistake id reproduced here by a student's code (the two seeded sweep mistakes
inside the bands by the family, not named by the check)."""
