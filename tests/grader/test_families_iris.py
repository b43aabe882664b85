"""minibatch_in_action's families: students' mistaken code (the Iris trainer, the loader's
batch sizes, the class counts, the batch-size sweep) run through the real checks is named
with the mistake's title and fix; correct code gets no diagnosis."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader.judging import registry
from grader.judging.check import run_in_process
from tests.grader import test_space_iris

A = "minibatch_in_action"
registry.load_builtin()

SETUP = """
import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset


def make_model(seed):
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)]
    return torch.nn.Sequential(*layers).double()
"""

TRAIN = """
def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
    model = make_model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        idx = torch.as_tensor(order[epoch])
        for start in range(0, len(idx), batch_size):
            b = idx[start : start + batch_size]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X[b]), y[b])
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses
"""


def _ns(*codes: str) -> dict:
    ns: dict = {}
    for code in (SETUP, *codes):
        exec(textwrap.dedent(code), ns)
    return ns


def _student(*edits: tuple[str, str]) -> str:
    """The correct trainer with the student's edits (old text -> new text)."""
    code = TRAIN
    for old, new in edits:
        assert old in code, old
        code = code.replace(old, new)
    return code


TRAINER_MISTAKES = [
    ("iris_no_zero_grad", _student(("            opt.zero_grad()\n", ""))),
    (
        "iris_order_ignored",
        _student(("idx = torch.as_tensor(order[epoch])", "idx = torch.arange(len(X))")),
    ),
    ("iris_first_order_every_epoch", _student(("order[epoch]", "order[0]"))),
    (
        "iris_reduction_sum",
        _student(("model(X[b]), y[b])", "model(X[b]), y[b], reduction='sum')")),
    ),
    (
        "iris_loss_after_step",
        _student(
            (
                "losses.append(loss.item())",
                "losses.append(torch.nn.functional.cross_entropy(model(X[b]), y[b]).item())",
            )
        ),
    ),
    ("iris_adam", _student(("torch.optim.SGD(", "torch.optim.Adam("))),
    ("iris_momentum", _student(("lr=lr)", "lr=lr, momentum=0.9)"))),
    ("iris_one_epoch_short", _student(("range(epochs)", "range(epochs - 1)"))),
    ("iris_epochs_from_one", _student(("range(epochs)", "range(1, epochs)"))),
    (
        "iris_drop_last",
        _student(
            (
                "range(0, len(idx), batch_size)",
                "range(0, len(idx) - batch_size + 1, batch_size)",
            )
        ),
    ),
    (
        "iris_epoch_means",
        _student(
            ("    losses = []\n", "    losses = []\n    per_epoch = []\n"),
            ("        idx = torch", "        per_epoch = []\n        idx = torch"),
            ("losses.append(loss.item())", "per_epoch.append(loss.item())"),
            (
                "    return losses",
                "        losses.append(sum(per_epoch) / len(per_epoch))\n    return losses",
            ),
        ),
    ),
    (
        "iris_softmax_before_cross_entropy",
        _student(
            (
                "torch.nn.functional.cross_entropy(model(X[b]), y[b])",
                "torch.nn.CrossEntropyLoss()(torch.nn.Softmax(dim=1)(model(X[b])), y[b])",
            )
        ),
    ),
    (
        "iris_step_once_per_epoch",
        """
        def train_iris(X, y, *, lr, batch_size, epochs, order, seed):
            model = make_model(seed)
            opt = torch.optim.SGD(model.parameters(), lr=lr)
            losses = []
            for epoch in range(epochs):
                opt.zero_grad()
                for start in range(0, 150, batch_size):
                    b = torch.as_tensor(order[epoch][start : start + batch_size])
                    loss = torch.nn.functional.cross_entropy(model(X[b]), y[b])
                    loss.backward()
                    losses.append(loss.item())
                opt.step()
            return losses
        """,
    ),
    (
        "iris_model_rebuilt_each_epoch",
        _student(
            (
                "    model = make_model(seed)\n"
                "    opt = torch.optim.SGD(model.parameters(), lr=lr)\n",
                "",
            ),
            (
                "    for epoch in range(epochs):\n",
                "    for epoch in range(epochs):\n        model = make_model(seed)\n"
                "        opt = torch.optim.SGD(model.parameters(), lr=lr)\n",
            ),
        ),
    ),
]


def _named(check: str, ns: dict, mistake: str) -> None:
    result = run_in_process(f"{A}.{check}", ns)
    assert result.status == "failed", result.feedback
    assert result.diagnosis is not None and result.diagnosis.mistake == mistake, result.feedback
    known = registry.MISCONCEPTIONS[mistake]
    assert known.title in result.feedback
    assert result.diagnosis.fix == known.fix and known.fix


@pytest.mark.parametrize(
    ("mistake", "code"), TRAINER_MISTAKES, ids=[m for m, _ in TRAINER_MISTAKES]
)
def test_a_trainer_mistake_is_named(mistake: str, code: str) -> None:
    _named("iris_trainer", _ns(code), mistake)


def test_the_correct_trainer_passes_unnamed_and_the_simulator_is_the_reference() -> None:
    from grader.course import minibatch_in_action as course
    from grader.judging.misconceptions.iris import iris_run

    for check in ("iris_trainer", "iris_trainer_public"):
        result = run_in_process(f"{A}.{check}", _ns(TRAIN))
        assert result.status == "passed" and result.diagnosis is None, result.feedback
    X, y = course._iris()
    orders = course._orders(course.HYPER["epochs"], 51)
    inputs = {"X": X, "y": y, **course.HYPER, "orders": orders}
    reference = course._reference_losses(course.HYPER, orders)
    assert np.allclose(iris_run(inputs), reference, rtol=1e-12, atol=0)


def test_a_float32_trainer_is_never_named() -> None:
    """The same correct loop in float32: within the check's tolerance or not, no cause."""
    code = _student(
        ("model = make_model(seed)", "model = make_model(seed).float()"),
        ("model(X[b]), y[b])", "model(X[b].float()), y[b])"),
    )
    for check in ("iris_trainer", "iris_trainer_public"):
        result = run_in_process(f"{A}.{check}", _ns(code))
        assert result.diagnosis is None or result.diagnosis.mistake is None, result.feedback


LOADER = """
def loader_batch_sizes(n, batch_size, drop_last):
    loader = DataLoader(torch.arange(n), batch_size=batch_size, drop_last=drop_last)
    return [len(batch) for batch in loader]
"""
LOADER_MISTAKES = [
    ("loader_drop_last_ignored", LOADER.replace(", drop_last=drop_last", "")),
    ("loader_drop_last_inverted", LOADER.replace("drop_last=drop_last", "drop_last=not drop_last")),
    ("loader_always_drops", LOADER.replace("drop_last=drop_last", "drop_last=True")),
    (
        "loader_last_batch_full",
        """
        def loader_batch_sizes(n, batch_size, drop_last):
            loader = DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
            return [batch_size] * len(loader)
        """,
    ),
    (
        "loader_empty_last_batch",
        """
        def loader_batch_sizes(n, batch_size, drop_last):
            sizes = [batch_size] * (n // batch_size)
            if not drop_last:
                sizes.append(n % batch_size)
            return sizes
        """,
    ),
]
COUNTS = """
def batch_class_counts(y, batch_size, order):
    labels = np.asarray(y)[np.asarray(order)]
    return [np.bincount(labels[s : s + batch_size], minlength=3).tolist()
            for s in range(0, len(labels), batch_size)]
"""
COUNTS_MISTAKES = [
    (
        "counts_order_ignored",
        COUNTS.replace("np.asarray(y)[np.asarray(order)]", "np.asarray(y)"),
    ),
    (
        "counts_short_dropped",
        """
        def batch_class_counts(y, batch_size, order):
            labels = y[torch.as_tensor(order)]
            full = len(labels) // batch_size
            return np.stack([np.bincount(labels[i * batch_size:(i + 1) * batch_size].numpy(),
                                         minlength=3) for i in range(full)])
        """,
    ),
    (
        "counts_no_minlength",
        """
        def batch_class_counts(y, batch_size, order):
            counts = []
            for start in range(0, len(order), batch_size):
                batch = np.asarray(y)[order[start:start + batch_size]]
                counts.append(list(np.bincount(batch)))
            return counts
        """,
    ),
]


@pytest.mark.parametrize(
    ("check", "mistake", "code"),
    [("batch_sizes", m, c) for m, c in LOADER_MISTAKES]
    + [("sorted_order", m, c) for m, c in COUNTS_MISTAKES],
    ids=[m for m, _ in LOADER_MISTAKES + COUNTS_MISTAKES],
)
def test_a_loader_or_counting_mistake_is_named(check: str, mistake: str, code: str) -> None:
    _named(check, _ns(code), mistake)


def test_correct_loader_and_counts_pass_unnamed() -> None:
    for check in ("batch_sizes", "sorted_order"):
        result = run_in_process(f"{A}.{check}", _ns(LOADER, COUNTS))
        assert result.status == "passed" and result.diagnosis is None, result.feedback


SWEEP = """
def batch_size_sweep(X, y, batch_sizes, *, epochs, lr, seed):
    result = {}
    for batch_size in batch_sizes:
        model = make_model(seed)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                opt.step()
        with torch.no_grad():
            result[batch_size] = (model(X).argmax(dim=1) == y).double().mean().item()
    return result
"""
ONE_MODEL = SWEEP.replace(
    "    result = {}\n", "    result = {}\n    model = make_model(seed)\n"
).replace("        model = make_model(seed)\n", "")


@pytest.mark.parametrize(
    ("mistake", "code"),
    [
        ("sweep_no_shuffle", SWEEP.replace(", shuffle=True", "")),
        ("sweep_one_model", ONE_MODEL),
        ("sweep_one_model_no_shuffle", ONE_MODEL.replace("shuffle=True", "shuffle=False")),
    ],
)
def test_a_sweep_mistake_is_named(mistake: str, code: str) -> None:
    _named("sweep", _ns(code), mistake)


def test_a_correct_sweep_passes_unnamed() -> None:
    result = run_in_process(f"{A}.sweep", _ns(SWEEP))  # unseeded: its own shuffles
    assert result.status == "passed" and result.diagnosis is None, result.feedback


COVERED = (
    {m for m, _ in TRAINER_MISTAKES + LOADER_MISTAKES + COUNTS_MISTAKES}
    | {
        "sweep_no_shuffle",
        "sweep_one_model",
        "sweep_one_model_no_shuffle",
    }
    | test_space_iris.COVERED
)
"""Every mistake id a test here names through its real check (with test_space_iris's: the
sweep's seeded-shuffle mistakes and gd_variants' new counting mistakes)."""
