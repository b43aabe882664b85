"""Student code runs in the sandbox as it runs in Jupyter (issue 12, item 1).

One notebook whose cells print facts about the namespace they run in (``__name__``, the
``__module__`` of what they define, ``__builtins__``, ``get_ipython()``, ``__main__``, the
``In``/``Out``/``_`` history...) runs under a real ipykernel through nbclient (what
nbgrader's own executor uses) and under gdgrade's Sandbox; the facts must be equal, one by
one. Facts that differ for a legitimate reason are not printed: the shell's class
(``ZMQInteractiveShell`` there, gdgrade's ``GradingShell`` here) and so the class of
``exit``/``quit`` (``ZMQExitAutocall`` / ``ExitAutocall``), ``sys.stdout`` (ipykernel's
``OutStream`` / the sandbox's capped stream), ``sys.argv`` (the kernel launcher's / the
zygote's), the working directory (the notebook's / a fresh scratch directory) and the
default matplotlib backend (ipykernel's inline one / Agg until ``%matplotlib inline``).
"""

from __future__ import annotations

import ast
import pprint

import nbformat
import pytest

from grader.sandbox.execution import SandboxLimits
from grader.sandbox.pool import Sandbox

SETUP = """\
# cell 1
import builtins, pickle, sys, warnings
from pathlib import Path
from IPython.core.interactiveshell import InteractiveShell

def fact(name, value):
    print(f"FACT {name} = {value!r}")

fact("globals at start", sorted(k for k in globals() if k not in {
    "builtins", "pickle", "sys", "warnings", "Path", "InteractiveShell", "fact"}))
fact("__name__", __name__)
fact("__doc__", __doc__)
fact("__package__ __spec__ __loader__", (__package__, __spec__, __loader__))
fact("__builtins__ is builtins", __builtins__ is builtins)
fact("__builtin__ is builtins", __builtin__ is builtins)
fact("type(__builtins__)", type(__builtins__).__name__)
fact("__IPYTHON__", __IPYTHON__)
fact("display is a builtin", getattr(builtins, "display", None) is display)
fact("initial _ __ ___", (_, __, ___))
fact("_dh is [cwd]", _dh == [Path.cwd()])
# the shell's class is ZMQInteractiveShell in ipykernel and gdgrade's own subclass here
fact("get_ipython() is a shell", isinstance(get_ipython(), InteractiveShell))
fact("get_ipython().user_ns is globals()", get_ipython().user_ns is globals())
fact("execution_count in cell 1", get_ipython().execution_count)
fact("In in cell 1", (type(In).__name__, len(In), In[0], In[-1].startswith("# cell 1")))
fact("In is _ih, Out is _oh", (In is _ih, Out is _oh))
fact("Out in cell 1", Out)
fact("_i1 is cell 1", _i1.startswith("# cell 1"))
"""

DEFINE = """\
# cell 2
def f(x):
    return 2 * x

class C:
    def g(self):
        return 3

main_ran = False
if __name__ == "__main__":
    main_ran = True
fact("function __module__", f.__module__)
fact("function __qualname__", f.__qualname__)
fact("class __module__", C.__module__)
fact("method __module__", C.g.__module__)
fact("lambda __module__", (lambda: 0).__module__)
fact("'__main__' code ran", main_ran)
"""

MAIN = """\
# cell 3
import __main__
fact("__main__.__dict__ is globals()", __main__.__dict__ is globals())
fact("sys.modules['__main__'] is __main__", sys.modules["__main__"] is __main__)
fact("type(__main__)", type(__main__).__name__)
fact("__main__.f is f", getattr(__main__, "f", None) is f)
fact("pickle round trip of f", pickle.loads(pickle.dumps(f)) is f)
fact("pickle round trip of C()", type(pickle.loads(pickle.dumps(C()))) is C)
fact("pickle of C()", pickle.dumps(C(), protocol=4)[:40])
warnings.warn("old thing", DeprecationWarning)
"""

EXPRESSION = "# cell 4\nf(21)"

HISTORY = """\
# cell 5
fact("_ after an expression cell", _)
fact("Out after an expression cell", Out)
fact("_4", globals().get("_4"))
fact("_i", _i)
fact("execution_count in cell 5", get_ipython().execution_count)
fact("len(In) in cell 5", len(In))
"""

FAILS = "# cell 6\nraise ValueError('on purpose')"

AFTER = """\
# cell 7
fact("sys.last_value", repr(getattr(sys, "last_value", None)))
fact("execution_count after a failing cell", get_ipython().execution_count)
fact("In[6]", In[6])
fact("user names", sorted(k for k in globals() if not k.startswith("_")))
"""

EMPTY = "\n  \n"  # nbclient does not send it; IPython gives it no execution count

CELLS = [SETUP, DEFINE, MAIN, EMPTY, EXPRESSION, HISTORY, FAILS, AFTER]


def output_kinds(outputs: list[dict]) -> list[str]:
    """Output types of one cell, with consecutive chunks of one stream counted once.

    ipykernel flushes a stream on a timer, so on a busy machine one cell's prints can
    arrive as two ``stream`` outputs of the same name; Jupyter shows them as one.
    """
    kinds: list[str] = []
    for out in outputs:
        kind = out["output_type"]
        if kind == "stream":
            kind = f"stream:{out['name']}"
        if not (kinds and kind == kinds[-1] and kind.startswith("stream:")):
            kinds.append(kind)
    return kinds


def facts(cells: list[list[dict]]) -> dict[str, object]:
    """The printed facts of all cells, by name, plus whether the warning was shown."""
    found: dict[str, object] = {}
    stderr = ""
    for outputs in cells:
        for out in outputs:
            if out["output_type"] != "stream":
                continue
            if out["name"] == "stderr":
                stderr += out["text"]
                continue
            for text in out["text"].splitlines():
                if text.startswith("FACT "):
                    name, _, value = text[5:].partition(" = ")
                    try:
                        found[name] = ast.literal_eval(value)
                    except (ValueError, SyntaxError):  # a repr that is not a literal
                        found[name] = value
    # IPython shows DeprecationWarnings raised by code whose __name__ is "__main__"
    found["DeprecationWarning shown"] = "DeprecationWarning: old thing" in stderr
    found["output types"] = [output_kinds(outputs) for outputs in cells]
    found["execute_result of cell 4"] = [
        (o["data"]["text/plain"], o["execution_count"])
        for o in cells[4]
        if o["output_type"] == "execute_result"
    ]
    return found


def under_ipykernel() -> dict[str, object]:
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nbclient.NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    return facts([[dict(o) for o in cell.outputs] for cell in nb.cells])


def under_sandbox() -> dict[str, object]:
    limits = SandboxLimits(cell_timeout=10, total_timeout=60, memory_mb=1024)
    with Sandbox(workers=1, limits=limits) as sb:
        record = sb.run(CELLS, [])
    return facts([cell.outputs for cell in record.cells])


@pytest.mark.slow
def test_cells_see_the_namespace_a_jupyter_kernel_gives_them():
    jupyter = under_ipykernel()
    sandbox = under_sandbox()
    assert jupyter["'__main__' code ran"] is True  # the notebook itself is sound
    assert len(jupyter) > 30
    differ = {
        name: {
            "jupyter": jupyter.get(name, "<not printed>"),
            "gdgrade": sandbox.get(name, "<not printed>"),
        }
        for name in jupyter.keys() | sandbox.keys()
        if jupyter.get(name, "<not printed>") != sandbox.get(name, "<not printed>")
    }
    assert not differ, pprint.pformat(differ, width=100)
