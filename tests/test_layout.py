"""The house rules of ``grader/``: the trust boundary and no import circles.

* Code under ``grader/inside/`` runs in the student's process: it imports nothing of
  ``grader`` but ``grader.inside`` and the neutral leaves (the wire types and ``paths``),
  and the leaves import nothing of ``grader`` but each other (``protocol`` -> ``evidence``).
* No two modules of ``grader`` import each other, directly or through others (imports under
  ``if TYPE_CHECKING:`` do not count; imports inside functions do).

Both rules are checked by reading the source with ``ast``, and the first also by importing
the inside in a fresh interpreter. Each checker is also run on a small broken tree, so a
checker that finds nothing cannot pass silently.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grader

GRADER = Path(grader.__file__).resolve().parent
NEUTRAL = {"grader", "grader.evidence", "grader.protocol", "grader.paths"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, root: Path) -> set[str]:
    """Module names of ``root``'s package that ``path`` imports (TYPE_CHECKING excluded)."""
    top = root.name
    known = {module_name(p, root) for p in root.rglob("*.py")}
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                visit(node.orelse)
                continue
            for sub in ast.walk(node):
                if isinstance(sub, ast.Import):
                    found.update(a.name for a in sub.names if a.name.split(".")[0] == top)
                elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                    if sub.module.split(".")[0] != top:
                        continue
                    for alias in sub.names:
                        child = f"{sub.module}.{alias.name}"
                        found.add(child if child in known else sub.module)

    visit(ast.parse(path.read_text()).body)
    return found


def inside_violations(root: Path) -> list[str]:
    """Imports from ``<root>/inside/`` that reach the trusted side."""
    top = root.name
    allowed = {n.replace("grader", top, 1) for n in NEUTRAL}
    bad = []
    for path in sorted((root / "inside").rglob("*.py")):
        for name in sorted(imports_of(path, root)):
            if name in allowed or name == f"{top}.inside" or name.startswith(f"{top}.inside."):
                continue
            bad.append(f"{path.relative_to(root.parent)} imports {name}")
    return bad


def cycles(root: Path) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph = {module_name(p, root): imports_of(p, root) for p in root.rglob("*.py")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_inside_imports_only_the_wire_types() -> None:
    assert inside_violations(GRADER) == []


def test_importing_the_inside_loads_nothing_trusted() -> None:
    code = (
        "import sys\n"
        "import grader.inside.zygote, grader.inside.probes, grader.inside.timing\n"
        "import grader.inside.recording, grader.inside.containment\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('grader', 'reference')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=GRADER.parent
    )
    loaded = set(eval(out.stdout))
    trusted = {m for m in loaded if m not in NEUTRAL and not m.startswith("grader.inside")}
    assert trusted == set()


def test_the_neutral_leaves_import_only_each_other() -> None:
    # evidence and paths import nothing of grader; protocol only the evidence models
    allowed = {"evidence.py": set(), "paths.py": set(), "protocol.py": {"grader.evidence"}}
    for name, ok in allowed.items():
        assert imports_of(GRADER / name, GRADER) <= ok, name


def test_the_protocol_imports_only_the_standard_library_and_pydantic() -> None:
    roots = set()
    for node in ast.walk(ast.parse((GRADER / "protocol.py").read_text())):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    third_party = roots - set(sys.stdlib_module_names)
    assert third_party == {"pydantic", "pydantic_core", "grader"}


def test_no_import_circles() -> None:
    assert cycles(GRADER) == []


def test_the_checkers_catch_a_broken_tree(tmp_path: Path) -> None:
    root = tmp_path / "grader"
    for folder in ("inside", "judging"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "evidence.py").write_text("")
    (root / "inside" / "probe.py").write_text(
        "from grader import evidence\nfrom grader.judging import judge\n"
    )
    (root / "judging" / "judge.py").write_text("from grader.judging import helper\n")
    (root / "judging" / "helper.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import grader.inside.probe\n"
        "def late():\n    from grader.judging.judge import x\n"
    )
    assert inside_violations(root) == ["grader/inside/probe.py imports grader.judging.judge"]
    assert cycles(root) == [["grader.judging.helper", "grader.judging.judge"]]


def test_every_room_says_what_lives_there() -> None:
    for init in sorted(GRADER.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc.splitlines()) >= 2, f"{init} needs a two-line docstring"
