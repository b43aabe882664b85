"""Probes: run inside the sandbox worker, call the student's code, record facts as Evidence.

Probes never judge and never import ``reference`` or the judges. ``run`` never raises:
a student's exception becomes ``Evidence.error``, a missing name ``Evidence.missing``.

Inputs travel as JSON; arrays are encoded as ``{"__array__": [...], "dtype": "float64",
"kind": "numpy" | "torch"}`` (``encode`` / ``decode``).

The trainer contract ("train" probe): the student's function is called as
``target(X, y, w0, b0, lr=..., batch_size=..., epochs=..., order=..., **extra)`` where
``order`` is a list with one permutation (list of sample indices) per epoch, and returns
the per-step losses (a list / array / tensor), or ``(w, b, losses)``, or a dict with a
``losses`` key. With ``options["order"] == "record"``, ``order`` is None and ``X`` is a
``RecordingDataset``-backed pair, so the batches the student actually read are recorded.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable
from typing import Any

from grader.evidence import ErrorInfo, Evidence, ProbeRequest

MAX_TRACEBACK = 4000
MAX_LIST = 100_000


def encode(value: Any) -> Any:
    """Arrays and tensors -> tagged JSON lists; containers recursively; scalars as they are."""
    kind = type(value).__module__.split(".")[0]
    if kind in ("numpy", "torch") and hasattr(value, "tolist") and hasattr(value, "shape"):
        dtype = str(value.dtype).replace("torch.", "")
        data = value.detach().cpu().tolist() if kind == "torch" else value.tolist()
        return {"__array__": data, "dtype": dtype, "kind": kind}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if kind == "numpy":
        return value.item()
    return value


def decode(value: Any) -> Any:
    """Inverse of ``encode``: tagged lists become numpy arrays or torch tensors."""
    if isinstance(value, dict) and "__array__" in value:
        import numpy as np

        arr = np.asarray(value["__array__"], dtype=value.get("dtype", "float64"))
        if value.get("kind") == "torch":
            import torch

            return torch.from_numpy(arr.copy())
        return arr
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def describe(value: Any) -> tuple[Any, str, dict[str, Any]]:
    """A return value as (JSON value, type name, facts such as dtype/shape/device/grad)."""
    kind = type(value).__module__.split(".")[0]
    meta: dict[str, Any] = {}
    if kind == "torch" and hasattr(value, "requires_grad"):
        meta = {
            "dtype": str(value.dtype).replace("torch.", ""),
            "shape": list(value.shape),
            "device": str(value.device),
            "requires_grad": bool(value.requires_grad),
        }
        data = value.detach().cpu().tolist()
    elif kind == "numpy" and hasattr(value, "shape"):
        meta = {"dtype": str(value.dtype), "shape": list(value.shape)}
        data = value.tolist()
    elif isinstance(value, list | tuple):
        parts = [describe(v) for v in value[:MAX_LIST]]
        data = [p[0] for p in parts]
        meta = {"items": [{"type": p[1], **p[2]} for p in parts[:50]]}
    elif isinstance(value, dict):
        data = {str(k): describe(v)[0] for k, v in value.items()}
    elif value is None or isinstance(value, bool | int | float | str):
        data = value
    else:
        data = repr(value)[:200]
    return data, type(value).__name__, meta


def floats(values: Any) -> list[float]:
    """A 1-D sequence (list, array, tensor, list of 0-d tensors) as a list of floats."""
    if hasattr(values, "detach"):
        values = values.detach().cpu()
    if hasattr(values, "tolist"):
        values = values.tolist()
    out = []
    for v in list(values)[:MAX_LIST]:
        v = v.item() if hasattr(v, "item") else v
        out.append(float(v))
    return out


def _error(exc: BaseException) -> ErrorInfo:
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if "grader" not in f.filename and "site-packages" not in f.filename
    ]
    text = "".join(traceback.format_list(frames))[-MAX_TRACEBACK:]
    return ErrorInfo(type=type(exc).__name__, message=str(exc)[:1000], traceback=text)


def _call(request: ProbeRequest, fn: Callable[..., Any]) -> Evidence:
    calls = request.inputs.get("calls")
    if calls is not None:  # several cases: the value is the list of results
        value = [fn(*decode(c.get("args", [])), **decode(c.get("kwargs", {}))) for c in calls]
    else:
        value = fn(
            *decode(request.inputs.get("args", [])), **decode(request.inputs.get("kwargs", {}))
        )
    data, type_name, meta = describe(value)
    return Evidence(check_id=request.check_id, value=data, value_type=type_name, meta=meta)


def _value(request: ProbeRequest, value: Any) -> Evidence:
    data, type_name, meta = describe(value)
    return Evidence(check_id=request.check_id, value=data, value_type=type_name, meta=meta)


def _train(request: ProbeRequest, fn: Callable[..., Any]) -> Evidence:
    from grader.recording import recorded_inputs

    inputs = decode(request.inputs)
    X, y, recorder = recorded_inputs(inputs, record=request.options.get("order") == "record")
    order = None if recorder else [list(map(int, p)) for p in inputs["order"]]
    out = fn(X, y, inputs["w0"], inputs["b0"], order=order, **inputs.get("hyper", {}))
    losses, params = out, None
    if isinstance(out, dict):
        losses, params = out.get("losses"), {k: v for k, v in out.items() if k != "losses"}
    elif isinstance(out, tuple) and len(out) == 3:
        params, losses = {"w": out[0], "b": out[1]}, out[2]
    batches = recorder.batches if recorder else None
    value = describe(params)[0] if params is not None else None
    return Evidence(
        check_id=request.check_id,
        losses=floats(losses) if losses is not None else None,
        batches=batches,
        value=value,
        value_type=type(out).__name__,
    )


def _timing(request: ProbeRequest, fn: Callable[..., Any]) -> Evidence:
    from grader.timing import measure

    timings, device, note = measure(fn, request)
    return Evidence(check_id=request.check_id, timings=timings, device=device, meta={"note": note})


PROBES: dict[str, Callable[[ProbeRequest, Any], Evidence]] = {
    "value": _value,
    "call": _call,
    "train": _train,
    "timing": _timing,
}


def run(request: ProbeRequest, namespace: dict[str, Any]) -> Evidence:
    """Run one probe against the notebook namespace; never raises."""
    start = time.perf_counter()
    if request.target not in namespace:
        return Evidence(check_id=request.check_id, missing=True, meta={"target": request.target})
    try:
        evidence = PROBES[request.probe](request, namespace[request.target])
    except Exception as exc:  # student code failed: that is evidence, not a crash
        evidence = Evidence(check_id=request.check_id, error=_error(exc))
    return evidence.model_copy(update={"seconds": time.perf_counter() - start})


def finite(values: list[float]) -> bool:
    """All values are finite floats."""
    return all(isinstance(v, float) and math.isfinite(v) for v in values)
