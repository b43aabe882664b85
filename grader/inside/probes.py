"""Probes: run inside the sandbox worker, call the student's code, record facts as Evidence.

Probes never judge and never import ``reference``, the judges, the registry or the checks
(importing this module loads only ``grader.evidence``; torch is imported when a probe needs
it). ``run`` never raises: a student's exception becomes ``Evidence.error`` with a traceback
restricted to the student's frames, a missing name becomes ``Evidence.missing``.

Array encoding (inputs travel as JSON): ``{"__array__": <nested list>, "dtype": "float64",
"as": "numpy" | "torch"}``; ``encode`` / ``encode_array`` build it, ``decode`` turns it back
into a numpy array or a CPU torch tensor (``"kind"`` is accepted as an old spelling of
``"as"``). NaN and inf stay floats: the wire carries them (``grader.evidence.WIRE``).

Probes (``PROBES``):

* ``"value"``: read ``namespace[target]``.
* ``"call"``: ``target(*args, **kwargs)`` with ``inputs = {"args": [...], "kwargs": {...}}``;
  or several calls on the same (possibly stateful) callable, ``inputs = {"calls": [{"args",
  "kwargs", "method"?}, ...]}``, the value being the list of results; ``inputs["init"] =
  {"args", "kwargs"}`` first constructs ``target(...)`` (a class) and calls go to the
  instance (``"method"`` names a method, default ``__call__``).
* ``"train"``: the trainer contract below.
* ``"timing"``: see ``grader.inside.timing``; the value is ``Evidence.timings``.

The trainer contract (``"train"``)::

    train(X, y, w0, b0, *, order, lr, batch_size, epochs, **extra) -> losses
        | (w, b, losses) | {"losses": ..., "w": ..., "b": ..., "lrs": ...}

``X`` (N, d), ``y`` (N,), ``w0`` (d,) are float64 numpy arrays, ``b0`` a float, and the
keyword hyper-parameters come from ``inputs["hyper"]`` (``accumulation_steps``,
``momentum``, ``weight_decay``, ``base_lr``/``base_batch``... as the assignment states).
``order`` is a list with one permutation of ``range(N)`` per epoch, each a 1-D int64 NumPy
array when the request sends arrays (the course's trainers do, as their texts state), else a
list of ints: epoch ``e`` reads
``order[e][0:B]``, ``order[e][B:2B]``, ... ``losses`` holds the loss of every mini-batch,
computed before the update it contributes to (a list, array or tensor; 0-d tensors fine).
With ``options["order"] == "record"`` the trainer shuffles on its own: ``order`` is None and
``X`` is a ``RecordingDataset`` (a torch ``Dataset`` of ``(x_i, y_i)`` pairs; ``y`` is None)
that records which indices were read, so ``Evidence.batches`` holds what the student used.
``Evidence.losses`` and ``Evidence.lrs`` hold every value the trainer reported, NaN and inf
included (the wire keeps them).
"""

from __future__ import annotations

import math
import os
import time
import traceback
from collections.abc import Callable
from typing import Any

from grader.evidence import ErrorInfo, Evidence, ProbeRequest
from grader.paths import GRADER_DIR

MAX_TRACEBACK = 4000
"""Characters of a student's traceback kept in Evidence."""
MAX_LIST = 100_000
"""Longest sequence recorded from a student's return value."""
_GRADER_DIR = str(GRADER_DIR)


def _module(value: Any) -> str:
    return type(value).__module__.split(".")[0]


def _is_array(value: Any) -> bool:
    return _module(value) in ("numpy", "torch") and hasattr(value, "shape")


def encode_array(value: Any, *, as_: str | None = None) -> dict[str, Any]:
    """One array or tensor (or nested list) as ``{"__array__", "dtype", "as"}``."""
    kind = as_ or ("torch" if _module(value) == "torch" else "numpy")
    if _module(value) == "torch":
        dtype, data = str(value.dtype).replace("torch.", ""), value.detach().cpu().tolist()
    elif hasattr(value, "dtype") and hasattr(value, "tolist"):
        dtype, data = str(value.dtype), value.tolist()
    else:
        import numpy as np

        arr = np.asarray(value)
        dtype, data = str(arr.dtype), arr.tolist()
    return {"__array__": data, "dtype": dtype, "as": kind}


def encode(value: Any) -> Any:
    """Arrays and tensors -> tagged JSON; dicts, lists and tuples recursively; numpy scalars
    -> Python numbers; anything else unchanged."""
    if _is_array(value):
        return encode_array(value)
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if _module(value) == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def decode(value: Any) -> Any:
    """Inverse of ``encode``: tagged arrays become numpy arrays or torch tensors."""
    if isinstance(value, dict) and "__array__" in value:
        import numpy as np

        arr = np.asarray(value["__array__"], dtype=value.get("dtype", "float64"))
        if value.get("as", value.get("kind")) == "torch":
            import torch

            return torch.from_numpy(arr.copy())
        return arr
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _finite(data: Any) -> bool:
    if isinstance(data, float):
        return math.isfinite(data)
    if isinstance(data, list):
        return all(_finite(v) for v in data)
    return True


def describe(value: Any) -> tuple[Any, str, dict[str, Any]]:
    """A return value as (JSON value, type name, facts).

    Facts for tensors: dtype, shape, device, requires_grad; for arrays: dtype, shape; for
    sequences: the facts of each item (``items``); ``finite`` is False when a numeric value
    holds NaN or inf.
    """
    meta: dict[str, Any] = {}
    if _module(value) == "torch" and hasattr(value, "requires_grad"):
        meta = {
            "dtype": str(value.dtype).replace("torch.", ""),
            "shape": list(value.shape),
            "device": str(value.device),
            "requires_grad": bool(value.requires_grad),
        }
        data = value.detach().cpu().tolist()
    elif _module(value) == "numpy" and hasattr(value, "shape"):
        meta = {"dtype": str(value.dtype), "shape": list(value.shape)}
        data = value.tolist()
    elif isinstance(value, list | tuple):
        parts = [describe(v) for v in list(value)[:MAX_LIST]]
        data = [p[0] for p in parts]
        meta = {"items": [{"type": p[1], **p[2]} for p in parts[:50]]}
    elif isinstance(value, dict):
        data = {str(k): describe(v)[0] for k, v in value.items()}
    elif value is None or isinstance(value, bool | int | float | str):
        data = value
    else:
        data = repr(value)[:200]
    if not _finite(data):
        meta["finite"] = False
    return data, type(value).__name__, meta


def floats(values: Any) -> list[float]:
    """A 1-D sequence (list, array, tensor, list of 0-d tensors) as a list of floats."""
    if hasattr(values, "detach"):
        values = values.detach().cpu()
    if hasattr(values, "tolist"):
        values = values.tolist()
    if isinstance(values, int | float):
        values = [values]
    out = []
    for v in list(values)[:MAX_LIST]:
        if hasattr(v, "detach"):
            v = v.detach()
        v = v.item() if hasattr(v, "item") else v
        out.append(float(v))
    return out


def _student_frame(filename: str) -> bool:
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return not (path.startswith(_GRADER_DIR) or "site-packages" in path or "/lib/python3" in path)


def error_info(exc: BaseException) -> ErrorInfo:
    """An exception as ErrorInfo, the traceback cut down to the student's own frames."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _student_frame(f.filename)]
    text = "".join(traceback.format_list(frames))[-MAX_TRACEBACK:]
    return ErrorInfo(type=type(exc).__name__, message=str(exc)[:1000], traceback=text)


def _one_call(fn: Callable[..., Any], call: dict[str, Any]) -> Any:
    method = call.get("method")
    target = getattr(fn, method) if method else fn
    return target(*decode(call.get("args", [])), **decode(call.get("kwargs", {})))


def _call(request: ProbeRequest, fn: Callable[..., Any]) -> Evidence:
    init = request.inputs.get("init")
    if init is not None:  # a class: construct it, then call the instance
        fn = _one_call(fn, init)
    calls = request.inputs.get("calls")
    if calls is not None:  # several calls on the same callable, state carried between them
        value: Any = [_one_call(fn, c) for c in calls]
    else:
        value = _one_call(fn, request.inputs)
    data, type_name, meta = describe(value)
    return Evidence(check_id=request.check_id, value=data, value_type=type_name, meta=meta)


def _value(request: ProbeRequest, value: Any) -> Evidence:
    data, type_name, meta = describe(value)
    return Evidence(check_id=request.check_id, value=data, value_type=type_name, meta=meta)


def _train(request: ProbeRequest, fn: Callable[..., Any]) -> Evidence:
    inputs = decode(request.inputs)
    record = request.options.get("order") == "record"
    X, y, recorder = inputs["X"], inputs["y"], None
    if record:
        from grader.inside.recording import recorded_inputs

        X, y, recorder = recorded_inputs(inputs, record=True)
    order = None if record else [_indices(p) for p in inputs["order"]]
    out = fn(X, y, inputs["w0"], inputs["b0"], order=order, **inputs.get("hyper", {}))
    losses, params, lrs = out, None, None
    if isinstance(out, dict):
        losses, lrs = out.get("losses"), out.get("lrs")
        params = {k: v for k, v in out.items() if k not in ("losses", "lrs")}
    elif isinstance(out, tuple) and len(out) == 3:
        params, losses = {"w": out[0], "b": out[1]}, out[2]
    if losses is None:
        raise TypeError("the trainer should return its per-step losses (see the contract)")
    value, _, meta = describe(params) if params is not None else (None, "", {})
    return Evidence(
        check_id=request.check_id,
        losses=floats(losses),
        lrs=floats(lrs) if lrs is not None else None,
        batches=recorder.batches if recorder is not None else None,
        value=value,
        value_type=type(out).__name__,
        meta=meta,
    )


def _indices(permutation: Any) -> Any:
    """One epoch of ``order``: a 1-D int64 NumPy array (sent as one), else a list of ints."""
    if hasattr(permutation, "dtype"):
        return permutation.astype("int64")
    return [int(i) for i in permutation]


def _timing(request: ProbeRequest, fn: Callable[..., Any]) -> Evidence:
    from grader.inside.timing import measure

    timings, device, note = measure(fn, request)
    return Evidence(check_id=request.check_id, timings=timings, device=device, meta={"note": note})


PROBES: dict[str, Callable[[ProbeRequest, Any], Evidence]] = {
    "value": _value,
    "call": _call,
    "train": _train,
    "timing": _timing,
}
"""Probe name -> function(request, namespace[target]) -> Evidence."""


def run(request: ProbeRequest, namespace: dict[str, Any]) -> Evidence:
    """Run one probe against the notebook namespace; never raises."""
    start = time.perf_counter()
    if request.target not in namespace:
        return Evidence(check_id=request.check_id, missing=True, meta={"target": request.target})
    probe = PROBES.get(request.probe)
    if probe is None:
        err = ErrorInfo(type="GraderError", message=f"unknown probe {request.probe!r}")
        return Evidence(check_id=request.check_id, error=err, meta={"grader_error": True})
    try:
        evidence = probe(request, namespace[request.target])
    except Exception as exc:  # student code failed: that is evidence, not a crash
        evidence = Evidence(check_id=request.check_id, error=error_info(exc))
    return evidence.model_copy(update={"seconds": time.perf_counter() - start})
