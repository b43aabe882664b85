"""How gdgrade names the mistakes of written student sets: caught, named correctly, named
wrongly, located only; and diagnoses on correct submissions.

Two sets, each graded by ``gdgrade autograde`` as a process in a fresh released course:

* ``corpus``: the project's student corpus (``tests/files/students/``, ``corpus.yaml``);
* ``outside-1`` ... ``outside-4``: notebooks written from the released notebooks
  and notes only, by authors who saw neither solutions, checks nor families
  (``tests/files/outside/set<n>/``; the author's label ``<notebook>.json`` beside each,
  with their own description of the mistake). Sets 1
  to 3 were graded while the families were rebuilt, and names were added for what they
  showed: they are regression sets; set 4, written meanwhile by new authors and graded
  once everything else was done, is the measurement.

"Named correctly" is judged against the author's description, not against the family that
fired: ``benchmarks/reviews/<set>.yaml`` holds, per notebook, the names a reviewer who read
the description found true (``right``) and those that are not the mistake (``wrong``). A
name is a diagnosis's mistake id (a pair ``a+b`` counts when both are right) or an explainer
relation with a cause (``ratio:2``...; a bare ``component:<name>`` only locates). Where
several candidates are shown as indistinguishable, the name is right when one of them is,
as the message says the values cannot tell them apart. A name no review covers is listed as
unreviewed and counted apart.

Run: .venv/bin/python benchmarks/named_sets.py [--set corpus|outside|both] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "corpus": ROOT / "tests" / "files" / "students",
    "outside-1": ROOT / "tests" / "files" / "outside" / "set1",
    "outside-2": ROOT / "tests" / "files" / "outside" / "set2",
    "outside-3": ROOT / "tests" / "files" / "outside" / "set3",
    "outside-4": ROOT / "tests" / "files" / "outside" / "set4",
}
REVIEWS = ROOT / "benchmarks" / "reviews"
ASSIGNMENTS = (
    "gd_basics",
    "gd_variants",
    "lr_rules",
    "accumulation_normalization",
    "minibatch_in_action",
)
LOCATING = ("component:",)
"""Relation ids that only locate the difference (no cause) unless another relation follows."""


@dataclass
class Entry:
    """One submission of a set."""

    file: Path
    assignment: str
    student: str
    kind: str
    description: str


@dataclass
class Tally:
    correct: int = 0
    false_diagnoses: int = 0
    mistakes: int = 0
    caught: int = 0
    named_right: int = 0
    named_wrong: int = 0
    located: int = 0
    unreviewed: int = 0
    notes: list[str] = field(default_factory=list)


def entries(name: str) -> list[Entry]:
    """The submissions of a set, with the author's kind and description."""
    folder = SETS[name]
    if name == "corpus":
        manifest = yaml.safe_load((folder / "corpus.yaml").read_text())["students"]
        return [
            Entry(
                folder / e["file"], e["assignment"], e["student"], e["kind"], e.get("mistake", "")
            )
            for e in manifest
        ]
    found = []
    for label in sorted(folder.glob("*/*.json")):
        data = json.loads(label.read_text())
        assignment, student = label.stem.split("__", 1)
        notebook = label.with_suffix(".ipynb")
        found.append(Entry(notebook, assignment, student, data["kind"], data["description"]))
    return found


def _gdgrade() -> list[str]:
    return [sys.executable, "-m", "grader.cli"]


def _sid(name: str, e: Entry) -> str:
    return f"{name.replace('-', '')}_{e.student}"


def grade(sets: dict[str, list[Entry]], work: Path) -> dict[str, dict[str, dict]]:
    """Release the five assignments into one fresh course, submit every set, autograde
    them all as one process; {set: {student: gdgrade.json}}."""
    course = work / "course"
    shutil.copytree(ROOT / "assignments", course, ignore=shutil.ignore_patterns("samples"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for a in ASSIGNMENTS:
        subprocess.run(
            [*_gdgrade(), "release", a, "--course", str(course)],
            check=True,
            env=env,
            cwd=course,
            capture_output=True,
        )
    for name, subs in sets.items():
        for e in subs:
            folder = course / "submitted" / _sid(name, e) / e.assignment
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(e.file, folder / f"{e.assignment}.ipynb")
    start = time.monotonic()
    done = subprocess.run(
        [*_gdgrade(), "autograde", "--course", str(course), "--force"],
        env=env,
        cwd=course,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"gdgrade autograde failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    total = sum(len(subs) for subs in sets.values())
    print(f"graded {total} notebooks of {', '.join(sets)} in {time.monotonic() - start:.0f} s")
    results: dict[str, dict[str, dict]] = {}
    for name, subs in sets.items():
        results[name] = {}
        for e in subs:
            path = course / "results" / _sid(name, e) / e.assignment / "gdgrade.json"
            results[name][e.student] = json.loads(path.read_text()) if path.is_file() else {}
    return results


def _checks(result: dict) -> list[dict]:
    return [c for cell in result.get("cells", []) for c in cell.get("checks", [])]


def shown(result: dict) -> tuple[bool, list[list[str]]]:
    """(caught, names): names are groups of candidates, one group per diagnosis that shows a
    cause (several candidates: the values cannot tell which)."""
    checks = _checks(result)
    cells = result.get("cells", [])
    caught = not cells or any(c["points"] < c["max_points"] for c in cells)
    names = []
    for c in checks:
        d = c.get("diagnosis") or {}
        if d.get("mistake"):
            group = d.get("candidates") or [d["mistake"]]
            names.append(group)
        elif d.get("relation") and not _locating(d["relation"]):
            names.append([d["relation"]])
    return caught, names


def _locating(relation: str) -> bool:
    """A relation that states a fact and no cause: one component differs, or an unnamed
    constant factor."""
    return relation == "ratio" or (relation.startswith(LOCATING) and "+" not in relation)


def _right(name: str, review: dict) -> bool | None:
    """True/False per the review (every part of a pair ``a+b`` must be right); None: unreviewed."""
    right, wrong = set(review.get("right", [])), set(review.get("wrong", []))
    parts = name.split("+") if "+" in name and name not in right | wrong else [name]
    if all(p in right for p in parts):
        return True
    if any(p in wrong for p in parts) or name in wrong:
        return False
    return None


def tally(
    name: str, subs: list[Entry], results: dict[str, dict], verbose: bool
) -> dict[str, Tally]:
    reviews = (
        yaml.safe_load((REVIEWS / f"{name}.yaml").read_text())
        if (REVIEWS / f"{name}.yaml").is_file()
        else {}
    )
    reviews = reviews or {}
    rows: dict[str, Tally] = defaultdict(Tally)
    for e in subs:
        t = rows[e.assignment]
        caught, names = shown(results.get(e.student, {}))
        key = f"{e.assignment}/{e.student}"
        if e.kind == "correct":
            t.correct += 1
            if names:
                t.false_diagnoses += 1
                t.notes.append(f"diagnosis on correct {key}: {names}")
            continue
        t.mistakes += 1
        if not caught:
            t.notes.append(f"missed {key}: {e.description[:100]}")
            continue
        t.caught += 1
        if not names:
            t.located += 1
            if verbose:
                t.notes.append(f"located only {key}: {e.description[:100]}")
            continue
        review = reviews.get(key, {})
        verdicts = [[_right(n, review) for n in group] for group in names]
        group_ok = [any(v is True for v in g) for g in verdicts]
        group_bad = [all(v is False for v in g) for g in verdicts]
        if any(v is None for g in verdicts for v in g) and not any(group_bad):
            t.unreviewed += 1
            t.notes.append(f"unreviewed {key}: {names} | {e.description[:160]}")
        elif any(group_bad):
            t.named_wrong += 1
            t.notes.append(f"WRONG {key}: {names} | {e.description[:160]}")
        elif all(group_ok):
            t.named_right += 1
            if verbose:
                t.notes.append(f"right {key}: {names}")
    return rows


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "0/0"


def table(name: str, rows: dict[str, Tally]) -> Tally:
    head = (
        f"{'assignment':28} {'correct':>7} {'false diag.':>11} {'mistakes':>8} {'caught':>12} "
        f"{'named correctly':>16} {'named wrongly':>13} {'located only':>12} {'unreviewed':>10}"
    )
    print(f"\n{name}\n{head}\n" + "-" * len(head))
    total = Tally()
    for a in ASSIGNMENTS:
        if a not in rows:
            continue
        t = rows[a]
        for f in (
            "correct",
            "false_diagnoses",
            "mistakes",
            "caught",
            "named_right",
            "named_wrong",
            "located",
            "unreviewed",
        ):
            setattr(total, f, getattr(total, f) + getattr(t, f))
        total.notes += t.notes
        print(_row(a, t))
    print("-" * len(head))
    print(_row("all", total))
    for note in total.notes:
        print("  " + note)
    return total


def _row(name: str, t: Tally) -> str:
    return (
        f"{name:28} {t.correct:>7} {t.false_diagnoses:>11} {t.mistakes:>8} "
        f"{_pct(t.caught, t.mistakes):>12} {_pct(t.named_right, t.caught):>16} "
        f"{t.named_wrong:>13} {t.located:>12} {t.unreviewed:>10}"
    )


def run(which: list[str], verbose: bool) -> dict[str, Tally]:
    sets = {name: entries(name) for name in which}
    with tempfile.TemporaryDirectory() as work:
        results = grade(sets, Path(work))
    return {
        name: table(name, tally(name, subs, results[name], verbose)) for name, subs in sets.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--verbose", action="store_true", help="list every named submission")
    args = parser.parse_args()
    run(list(SETS) if args.set == "all" else [args.set], args.verbose)


if __name__ == "__main__":
    main()
