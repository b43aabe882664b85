"""gdgrade_kit: the students' self-check, copied into every released assignment.

``gdgrade release`` writes this file as ``release/<assignment>/gdgrade_kit.py`` next to
``selfcheck.json``: the public checks of the assignment, each with its inputs, the expected
answer for those inputs (computed by the oracles at release time) and the check's
tolerances. Nothing else of the grader travels: no hidden check, no oracle, no judge.

Two ways to use it, both from the assignment folder:

* in the notebook: a self-check cell runs ``check("<id>", globals())``, from gdgrade when
  gdgrade is installed, else from this file (``from gdgrade_kit import check``). ``check``
  judges the live notebook's function and prints ``[passed] <name>: <message>``; a failed
  check raises AssertionError (``[failed]`` or ``[error]``), so Jupyter and
  ``nbgrader validate`` show the cell as failing;
* in a terminal: ``python -m gdgrade_kit check my_notebook.ipynb`` (or
  ``python gdgrade_kit.py check ...``) runs the notebook's code cells (not its test cells)
  in this process and judges every public check.

Each check calls the student's function with the check's inputs and compares the result
with the expected answer: "passed", "failed" (with where it differs) or "error" (the
function raised or is missing). The hidden tests run only when the notebook is graded.

This file imports only the standard library and NumPy (torch when an input is a tensor).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any

DATA = "selfcheck.json"
"""The kit's data file, beside this one."""


# --- the notebook -------------------------------------------------------------------------


def code_cells(path: Path) -> list[str]:
    """Sources of the notebook's code cells, test cells left out, magics commented out."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue  # a test cell: the grader's, not the student's
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        lines = [f"# {ln}" if ln.lstrip()[:1] in ("%", "!") else ln for ln in src.splitlines()]
        out.append("\n".join(lines))
    return out


def run_notebook(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Run the code cells in one fresh namespace, as Jupyter would; a failing cell does not
    stop the next ones. Returns the namespace and one line per failing cell."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # plt.show() must not open a window
    namespace: dict[str, Any] = {"__name__": "__main__"}
    problems = []
    sink = io.StringIO()
    for number, src in enumerate(code_cells(path), start=1):
        try:
            code = compile(src, f"<code cell {number}>", "exec")
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                exec(code, namespace)
        except Exception as exc:
            problems.append(f"code cell {number} raised {type(exc).__name__}: {exc}")
    return namespace, problems


# --- inputs and answers -------------------------------------------------------------------


def decode(value: Any) -> Any:
    """Tagged arrays (``{"__array__", "dtype", "as"}``) back to NumPy arrays or tensors."""
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


def plain(value: Any) -> Any:
    """A return value as plain Python: tensors and arrays to nested lists, tuples to lists,
    NumPy scalars to numbers."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def flat(value: Any) -> list[float]:
    """The numbers of a nested value, in order."""
    value = plain(value)
    if isinstance(value, list):
        return [x for item in value for x in flat(item)]
    if value is None or isinstance(value, bool | str | dict):
        raise TypeError(f"not a number: {value!r}")
    return [float(value)]


# --- probing the student's functions ------------------------------------------------------


def _one_call(fn: Any, call: dict[str, Any]) -> Any:
    method = call.get("method")
    target = getattr(fn, method) if method else fn
    return target(*decode(call.get("args", [])), **decode(call.get("kwargs", {})))


def call(request: dict[str, Any], fn: Any) -> Any:
    """``target(*args, **kwargs)``, or the list of results of several calls."""
    inputs = request["inputs"]
    if inputs.get("init") is not None:  # a class: construct it, then call the instance
        fn = _one_call(fn, inputs["init"])
    if inputs.get("calls") is not None:
        return [_one_call(fn, c) for c in inputs["calls"]]
    return _one_call(fn, inputs)


def train(request: dict[str, Any], fn: Any) -> Any:
    """The trainer contract: ``fn(X, y, w0, b0, *, order, **hyper)``; returns its losses."""
    inputs = decode(request["inputs"])
    order = [p.astype("int64") if hasattr(p, "dtype") else p for p in inputs["order"]]
    out = fn(inputs["X"], inputs["y"], inputs["w0"], inputs["b0"], order=order, **inputs["hyper"])
    if isinstance(out, dict):
        out = out.get("losses")
    elif isinstance(out, tuple) and len(out) == 3:
        out = out[2]
    if out is None:
        raise TypeError("the trainer should return its per-step losses")
    return out


PROBES = {"call": call, "train": train}


# --- comparing ----------------------------------------------------------------------------


def _differs(got: list[float], want: list[float], rtol: float, atol: float) -> int | None:
    """Index of the first value outside ``atol + rtol * |want|`` (NaN equals NaN), else None."""
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        if g == w or (math.isnan(g) and math.isnan(w)):
            continue
        if not (math.isfinite(g) and abs(g - w) <= atol + rtol * abs(w)):
            return i
    return None


def compare(got: Any, entry: dict[str, Any]) -> tuple[str, str]:
    """(status, message) of the student's result against the kit's expected answer."""
    want, how = decode(entry["expected"]), entry["compare"]
    rtol, atol = entry["rtol"], entry["atol"]
    if getattr(got, "requires_grad", False):
        return "failed", "the result still requires grad: return it with .detach()"
    if how == "exact":
        ok = plain(got) == plain(want)
        return (
            ("passed", "correct")
            if ok
            else ("failed", f"got {plain(got)!r}, expected {plain(want)!r}")
        )
    try:
        g, w = flat(got), flat(want)
    except (TypeError, ValueError):
        return "failed", f"should return numbers, got {type(got).__name__}"
    if how == "close":
        import numpy as np

        shape_g = np.shape(plain(got)) if _rectangular(got) else (len(g),)
        shape_w = np.shape(plain(want)) if _rectangular(want) else (len(w),)
        if shape_g != shape_w:
            return "failed", f"has shape {shape_g}, expected {shape_w}"
    if len(g) != len(w):
        return "failed", f"returned {len(g)} values, expected {len(w)}"
    i = _differs(g, w, rtol, atol)
    if i is None:
        return "passed", f"all {len(w)} values match" if len(w) > 1 else "correct"
    return "failed", f"value {i} is {g[i]:.6g}, expected {w[i]:.6g}"


def _rectangular(value: Any) -> bool:
    import numpy as np

    try:
        return np.asarray(plain(value), dtype=float).dtype != object
    except (TypeError, ValueError):
        return False


def check_one(entry: dict[str, Any], namespace: dict[str, Any]) -> tuple[str, str]:
    """Probe one public check and compare: (status, message)."""
    request = entry["request"]
    target = request["target"]
    if target not in namespace:
        return "error", (
            f"`{target}` is not defined: run the cell that defines it and keep the name "
            "given in the notebook."
        )  # gdgrade check's words
    try:
        got = PROBES[request["probe"]](request, namespace[target])
    except NotImplementedError:
        return "error", f"not answered: `{target}` still raises NotImplementedError"
    except Exception as exc:
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return "error", f"`{target}` raised {type(exc).__name__}: {exc} (line {last.lineno})"
    return compare(got, entry)


# --- a self-check cell ------------------------------------------------------------------


_KIT: dict[str, Any] = {}


def entry_for(check_id: str, kit_file: Path | None = None) -> dict[str, Any]:
    """The kit's entry of one public check, looked up in every notebook of the kit."""
    kit_file = kit_file or Path(__file__).with_name(DATA)
    if str(kit_file) not in _KIT:
        if not kit_file.is_file():
            raise FileNotFoundError(
                f"gdgrade_kit: no {DATA} beside {Path(__file__).name}: keep both files of the "
                "released assignment in the notebook's folder"
            )
        _KIT[str(kit_file)] = json.loads(kit_file.read_text(encoding="utf-8"))
    for entries in _KIT[str(kit_file)]["notebooks"].values():
        for entry in entries:
            if entry["id"] == check_id:
                return entry
    raise LookupError(
        f"gdgrade_kit: {kit_file.name} has no self-check {check_id!r}: is this the kit of "
        "this assignment? (hidden tests run only when the notebook is graded)"
    )


def check(check_id: str, namespace: dict[str, Any]) -> None:
    """A self-check cell's check: judge the notebook's live function like ``gdgrade check``.

    Prints ``[passed] <name>: <message>`` (``[skipped]`` for a check only grading can run);
    raises AssertionError with ``[failed]``/``[error] <name>: <message>`` otherwise.
    """
    entry = entry_for(check_id)
    if entry["expected"] is None:
        print(f"[skipped] {entry['name']}: checked when your notebook is graded")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader fails a cell that writes to stderr
        status, message = check_one(entry, namespace)
    line = f"[{status}] {entry['name']}: {message}"
    if status != "passed":
        raise AssertionError(line)
    print(line)


# --- the command --------------------------------------------------------------------------


def entries_for(kit: dict[str, Any], notebook: Path) -> list[dict[str, Any]]:
    """The public checks of this notebook (by name; the only notebook when there is one)."""
    books = kit["notebooks"]
    if notebook.stem in books:
        return books[notebook.stem]
    if len(books) == 1:
        return next(iter(books.values()))
    raise SystemExit(f"gdgrade_kit: no self-checks for {notebook.name} (known: {sorted(books)})")


def run(notebook: Path, kit_file: Path) -> dict[str, tuple[str, str, str]]:
    """Check id -> (name, status, message) for every public check of the notebook."""
    kit = json.loads(kit_file.read_text(encoding="utf-8"))
    entries = entries_for(kit, notebook)
    namespace, problems = run_notebook(notebook)
    for line in problems:
        print(f"note: {line}", file=sys.stderr)
    results = {}
    for entry in entries:
        if entry["expected"] is None:
            results[entry["id"]] = (
                entry["name"],
                "skipped",
                "checked when your notebook is graded",
            )
            continue
        status, message = check_one(entry, namespace)
        results[entry["id"]] = (entry["name"], status, message)
    return results


def main(argv: list[str] | None = None) -> int:
    """``check NOTEBOOK [--json]``: 0 when every self-check passes, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="gdgrade_kit", description="Run the public self-checks.")
    sub = parser.add_subparsers(dest="command", required=True)
    command = sub.add_parser("check", help="Run the self-checks of a notebook.")
    command.add_argument("notebook", type=Path)
    command.add_argument("--kit", type=Path, default=Path(__file__).with_name(DATA))
    command.add_argument("--json", action="store_true", help="Print check id -> status as JSON.")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no notebook {args.notebook}")
    results = run(args.notebook, args.kit)
    if args.json:
        print(json.dumps({cid: status for cid, (_, status, _) in results.items()}))
    else:
        for name, status, message in results.values():
            mark = {"passed": "✓", "skipped": "-"}.get(status, "✗")
            print(f"{mark} {name}: {message}")
        passed = sum(status == "passed" for _, status, _ in results.values())
        print(
            f"{passed}/{len(results)} self-checks pass; "
            "the hidden tests run when your notebook is graded."
        )
    return 0 if all(status == "passed" for _, status, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
