"""Probes: safe to load in the worker, never raise, and record what the student's code did."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import torch

from grader.evidence import ProbeRequest
from grader.inside.probes import PROBES, decode, describe, encode, encode_array, run
from grader.judging.check import roundtrip
from grader.judging.trajectories import losses_of


def request(probe: str, target: str = "f", inputs=None, options=None) -> ProbeRequest:
    return ProbeRequest(
        check_id="t.x", probe=probe, target=target, inputs=inputs or {}, options=options or {}
    )


def test_importing_probes_loads_no_trusted_module():
    code = (
        "import sys, grader.inside.probes, grader.inside.recording, grader.inside.timing; "
        "print(sorted(m for m in sys.modules if m.startswith(('reference', 'grader'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout)
    assert not any(m.startswith("reference") for m in loaded)
    trusted = {
        "grader.judging.judges",
        "grader.judging.registry",
        "grader.judging.misconceptions",
        "grader.judging.check",
    }
    assert not trusted & set(loaded)


def test_arrays_round_trip_through_json_encoding():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    sent = json.loads(json.dumps(encode({"a": arr, "t": torch.ones(2, dtype=torch.float64)})))
    back = decode(sent)
    assert sent["a"]["as"] == "numpy" and sent["t"]["as"] == "torch"
    assert back["a"].dtype == np.float32 and np.array_equal(back["a"], arr)
    assert isinstance(back["t"], torch.Tensor) and back["t"].dtype == torch.float64


def test_encode_array_converts_and_keeps_nan_through_the_wire():
    sent = encode_array([1.0, float("nan"), float("-inf")], as_="torch")
    req = ProbeRequest.model_validate_json(request("call", inputs={"a": sent}).model_dump_json())
    back = decode(req.inputs["a"])
    assert isinstance(back, torch.Tensor) and torch.isnan(back[1]) and back[0] == 1.0
    assert back[2] == -float("inf")
    assert decode({"__array__": [1, 2], "dtype": "int64", "kind": "torch"}).dtype == torch.int64


def test_describe_records_tensor_facts():
    value, kind, meta = describe(torch.ones(2, requires_grad=True))
    assert value == [1.0, 1.0] and kind == "Tensor"
    assert meta == {"dtype": "float32", "shape": [2], "device": "cpu", "requires_grad": True}
    _, _, bad = describe(np.array([1.0, np.inf]))
    assert bad["finite"] is False


def test_call_decodes_inputs_and_converts_the_result():
    def f(x, *, scale):
        assert isinstance(x, torch.Tensor)
        return (x * scale, {"n": len(x)})

    ev = run(
        request("call", inputs={"args": [encode(torch.ones(3))], "kwargs": {"scale": 2}}), {"f": f}
    )
    ev = roundtrip(ev)
    assert ev.value == [[2.0, 2.0, 2.0], {"n": 3}] and ev.value_type == "tuple"
    assert ev.meta["items"][0]["shape"] == [3]


def test_call_keeps_state_across_calls_and_constructs_classes():
    class Counter:
        def __init__(self, start):
            self.n = start

        def step(self, by=1):
            self.n += by
            return self.n

    inputs = {
        "init": {"args": [10]},
        "calls": [{"method": "step"}, {"method": "step", "kwargs": {"by": 5}}],
    }
    assert run(request("call", "C", inputs), {"C": Counter}).value == [11, 16]
    counter = Counter(0)
    calls = {"calls": [{"args": []}, {"args": []}]}
    assert run(request("call", "c", calls), {"c": counter.step}).value == [1, 2]


def test_run_never_raises():
    missing = run(request("value", "nope"), {})
    assert missing.missing and missing.meta["target"] == "nope"

    def boom():
        raise ZeroDivisionError("student bug")

    ev = run(request("call", inputs={}), {"f": boom})
    assert ev.error.type == "ZeroDivisionError" and "boom" in ev.error.traceback
    assert "grader/probes.py" not in ev.error.traceback
    assert run(request("nonsense"), {"f": 1}).error is not None
    assert set(PROBES) >= {"value", "call", "train", "timing"}


def _train_inputs(epochs: int = 2) -> dict:
    rng = np.random.default_rng(0)
    return {
        "X": encode(rng.normal(size=(6, 2))),
        "y": encode(rng.normal(size=6)),
        "w0": encode(np.zeros(2)),
        "b0": 0.0,
        "order": [rng.permutation(6).tolist() for _ in range(epochs)],
        "hyper": {"lr": 0.1, "batch_size": 4, "epochs": epochs},
    }


def test_train_passes_the_order_and_collects_losses_and_params():
    seen = {}

    def train(X, y, w0, b0, *, order, lr, batch_size, epochs):
        seen["order"], seen["types"] = order, (type(X), type(w0), type(b0))
        return w0 + 1, b0, torch.tensor([3.0, 2.0, 1.5, 1.0])

    inputs = _train_inputs()
    ev = roundtrip(run(request("train", "train", inputs), {"train": train}))
    assert seen["order"] == inputs["order"]
    assert seen["types"] == (np.ndarray, np.ndarray, float)
    assert ev.losses == [3.0, 2.0, 1.5, 1.0] and ev.value == {"w": [1.0, 1.0], "b": 0.0}


def test_train_records_the_batches_a_student_reads():
    from torch.utils.data import DataLoader

    def train(X, y, w0, b0, *, order, lr, batch_size, epochs):
        assert order is None and y is None
        loader = DataLoader(
            X, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(1)
        )
        return {
            "losses": [float(xb.sum()) for _ in range(epochs) for xb, _ in loader],
            "lrs": [lr] * 4,
        }

    ev = run(request("train", "train", _train_inputs(), {"order": "record"}), {"train": train})
    assert ev.error is None, ev.error
    assert [len(b) for b in ev.batches] == [4, 2, 4, 2]
    assert sorted(ev.batches[0] + ev.batches[1]) == list(range(6))
    assert ev.lrs == [0.1] * 4


def test_non_finite_losses_and_lrs_survive_the_json_boundary():
    def train(X, y, w0, b0, **kw):
        return {"losses": np.array([1.0, np.inf, np.nan]), "lrs": [0.1, float("nan"), 0.1]}

    ev = roundtrip(run(request("train", "train", _train_inputs()), {"train": train}))
    assert ev.losses[:2] == [1.0, float("inf")] and np.isnan(ev.losses[2])
    assert losses_of(ev) is ev.losses and "losses_nonfinite" not in ev.meta
    assert len(ev.lrs) == 3 and np.isnan(ev.lrs[1])


def test_non_finite_values_survive_the_json_boundary():
    def f():
        return np.array([1.0, np.nan]), float("-inf")

    ev = roundtrip(run(request("call", inputs={}), {"f": f}))
    assert ev.value[0][0] == 1.0 and np.isnan(ev.value[0][1]) and ev.value[1] == -float("inf")
    assert ev.meta["items"][0]["finite"] is False
