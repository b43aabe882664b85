"""Probes are safe to load in the worker: they pull in no oracle and no judge."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import torch

from grader.probes import decode, describe, encode


def test_importing_probes_loads_no_trusted_module():
    code = (
        "import sys, grader.probes, grader.recording, grader.timing; "
        "print(sorted(m for m in sys.modules if m.startswith(('reference', 'grader.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout)
    assert not any(m.startswith("reference") for m in loaded)
    assert not {"grader.judges", "grader.registry", "grader.misconceptions"} & set(loaded)


def test_arrays_round_trip_through_json_encoding():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    back = decode(encode({"a": arr, "t": torch.ones(2, dtype=torch.float64)}))
    assert back["a"].dtype == np.float32 and np.array_equal(back["a"], arr)
    assert isinstance(back["t"], torch.Tensor) and back["t"].dtype == torch.float64


def test_describe_records_tensor_facts():
    value, kind, meta = describe(torch.ones(2, requires_grad=True))
    assert value == [1.0, 1.0] and kind == "Tensor"
    assert meta == {"dtype": "float32", "shape": [2], "device": "cpu", "requires_grad": True}
