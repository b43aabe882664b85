"""How often gdgrade catches a single mistake, names one, and names it correctly.

Every solution cell of the five source notebooks (assignments/source/) is mutated once per
site of each text-level operator below (flip a sign, drop a factor 2, off-by-one in a range,
mean <-> sum, drop eps, wrong axis, drop zero_grad, drop shuffle, reduction='sum', a
percentage, ...). Each mutant runs in one process like nbgrader's hidden test cells do
(the cells exec'd in a fresh namespace, then ``grader.judging.check.run_in_process`` for
every check whose target the mutated cell defines; timing checks left out).

Per assignment:
* caught: some check did not pass (``crashed``: only by the student's code raising);
* named: a failing check's diagnosis names a library mistake or an explainer relation;
* named correctly: that name is one the operator's mistake makes true (``Op.intended``: a
  library id, or a relation id or its prefix; a bare ``component:<name>`` is a located
  fact and counts, a component's inner relation must be intended).
Plus false diagnoses on the unmutated solutions (must be 0).

Then the two written sets that measure it where it is hard (``benchmarks/named_sets.py``):
the project's student corpus, and the outside set written from the released notebooks only
(set 4; with --regression also sets 3 to 1, tuned to, as regression sets). So three tables:
mutants, own corpus, new set. Also printed: the CPU ``diagnose`` spent per failing check on
the mutants.

Run: .venv/bin/python benchmarks/diagnosis.py [--quick] [--verbose] [--mutants-only]
[--regression]
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import nbformat

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "assignments" / "source"
ASSIGNMENTS = [
    "gd_basics",
    "gd_variants",
    "lr_rules",
    "accumulation_normalization",
    "minibatch_in_action",
]
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


@dataclass(frozen=True)
class Op:
    """A single-mistake mutation: each match of ``pattern`` in a solution is one mutant."""

    name: str
    pattern: str
    replacement: str
    intended: frozenset[str]
    """Names that are true for this mistake: library ids, relation ids or prefixes."""


def op(name: str, pattern: str, replacement: str, *intended: str) -> Op:
    return Op(name, pattern, replacement, frozenset(intended))


SIGN_IDS = (
    "update_sign",
    "iterates_uphill",
    "saddle_uphill",
    "stop_uphill",
    "momentum_uphill",
    "sign_error",
    "sign_w_only",
    "sign_b_only",
)
"""Library ids of a flipped sign in an update or a gradient."""
HALF_IDS = (
    "iterates_no_factor_two",
    "saddle_no_factor_two_x",
    "saddle_no_factor_two_y",
    "stop_grad_no_factor_two",
    "stop_update_no_factor_two",
    "no_factor_two",
    "no_factor_two_w_only",
    "no_factor_two_b_only",
)
"""Library ids of a derivative without its factor 2."""
SUM_IDS = (
    "sum_not_mean",
    "loss_sum",
    "loss_logged_as_sum",
    "sum_not_mean_w_only",
    "sum_not_mean_b_only",
)
"""Library ids of a sum over the batch where a mean belongs."""
INCLUSIVE_IDS = (
    "stable_upper_inclusive",
    "stable_no_lower_bound",
    "stop_grad_tol_inclusive",
    "stop_loss_tol_inclusive",
)
"""Library ids of a non-strict bound where the rule is strict."""

OPS = [
    op("flip a minus", r"(?<=[\w)\]]) - (?=[\w(])", " + ", "sign", "step:-1", *SIGN_IDS),
    op(
        "flip a plus",
        r"(?<=[\w)\]]) \+ (?=(?!eps)[\w(])",
        " - ",
        "sign",
        "step:-1",
        *SIGN_IDS,
        "weight_decay_sign",
        "momentum_velocity_sign",
        "leftover_group_dropped",  # i - 1 == len(starts): the trailing group never steps
    ),
    op("eps subtracted", r" \+ eps", " - eps", "eps", "one_bn_eps_subtracted"),
    op("drop a factor 2", r"\b2 \* ", "", "ratio:1/2", "step:1/2", *HALF_IDS),
    op("mean -> sum", r"\bnp\.mean\(", "np.sum(", "ratio:B", "ratio:N", "first:B", *SUM_IDS),
    op("mean -> sum", r"\.mean\(", ".sum(", "ratio:B", "ratio:N", "first:B", *SUM_IDS),
    op("drop / len(idx)", r" / len\(idx\)", "", "ratio:B", *SUM_IDS),
    op(
        "drop / k",
        r" / accumulation_steps",
        "",
        "ratio:k",
        "accumulation_not_divided",
        "loss_not_divided_by_k",
        "not_divided_by_k_w_only",
        "not_divided_by_k_b_only",
    ),
    op("weight 1/k", r"len\(idx\) / len\(X\)", "1 / len(micro_batches)", "uneven_last_micro_batch"),
    op("drop eps", r" \+ eps", "", "eps"),
    op("wrong axis", r"axis=0", "axis=1", "transpose", "axis"),
    op("wrong axis", r"axis=-1", "axis=0", "transpose", "axis"),
    op("wrong axis", r"axis=2", "axis=1", "transpose", "axis"),
    op(
        "range one short",
        r"range\((\w+)\)",
        r"range(\1 - 1)",
        "prefix",
        "suffix",
        "shift",
        "offset:-1",  # torch.arange(n - 1): one sample fewer, the last batch one short
    ),
    op(
        "range one long",
        r"range\((\w+)\)",
        r"range(\1 + 1)",
        "extra",
        "shift",
        "stop_extra_pass",
        "offset:+1",
    ),
    op("drop x0", r"\[float\(x0\)\]", "[]", "suffix:step", "shift"),
    op("off by one (1 + n)", r"\(1 \+ n\)", "(n)", "shift", "step_decay_steplr_formula"),
    op("off by one n //", r"\bn // ", "(n + 1) // ", "shift", "step_decay_notes_formula"),
    op(
        "exponent off by one",
        r"\*\*(\w+)\b",
        r"**(\1 + 1)",
        "shift",
        "ratio",
        "range_lr_after_step",
    ),
    op(
        "ceil -> floor",
        r"math\.ceil\(",
        "math.floor(",
        "offset:-1",
        "count_always_floor",
        "range_gamma_one_batch_short",
    ),
    op("< -> <=", r" < ", " <= ", "offset", *INCLUSIVE_IDS),
    op("<= -> <", r" <= ", " < ", "offset"),
    op("drop zero_grad", r"opt\.zero_grad\(\)", "pass", "no_zero_grad"),
    op("drop shuffle", r"shuffle=True", "shuffle=False", "no_shuffle"),
    op(
        "reduction sum",
        r"cross_entropy\(model\(xb\), yb\)",
        "cross_entropy(model(xb), yb, reduction='sum')",
        "ratio:B",
        "first:B",
        "sum_not_mean",
    ),
    op("percentage", r"\.mean\(\)\.item\(\)", ".mean().item() * 100", "ratio:100"),
    op("biased running var", r" \* m / \(m - 1\)", "", "bn_biased_running_var"),
    op("float32 bytes -> float64", r"\* 4\b", "* 8", "ratio:2", "bytes_float64"),
    op("no momentum buffer init", r"g if buf is None else ", "", "momentum_buffer_zero"),
    op("no weight decay", r"g = g \+ weight_decay \* theta", "g = g", "no_weight_decay"),
    op("drop the loss record", r"losses\.append\(float\(np\.mean\(r\*\*2\)\)\)", "pass"),
    # mistakes of shape and bookkeeping (the relation explainer's ground)
    op("drop x0", r"return xs\n", "return xs[1:]\n", "suffix:step"),
    op(  # the noise task's trials: one row fewer than asked
        "drop x0",
        r"return np\.array\(out\)",
        "return np.array(out[1:])",
        "suffix:step",
        "offset:-1",
    ),
    op("transposed result", r"return np\.array\(out\)", "return np.array(out).T", "transpose"),
    op(
        "transposed result",
        r"\(X_test - mean\) / std\n",
        "((X_test - mean) / std).T\n",
        "transpose",
    ),
    op(
        "transposed result",
        r"return \(x - mean\) / np\.sqrt\(var \+ eps\) \* gamma \+ beta",
        "return ((x - mean) / np.sqrt(var + eps) * gamma + beta).T",
        "transpose",
    ),
    op(
        "statistics pooled over the batch",
        r"x\.mean\(axis=-1, keepdims=True\)\n(\s*)var = x\.var\(axis=-1, keepdims=True\)",
        r"x.mean(keepdims=True)\n\1var = x.var(keepdims=True)",
        "axis",
        "ln_pooled_over_batch",
    ),
    op(
        "loss per epoch (the epoch's mean)",
        r"return losses\n",
        "return [sum(losses[e * len(losses) // epochs : (e + 1) * len(losses) // epochs])"
        " / (len(losses) // epochs) for e in range(epochs)]\n",
        "epoch_means",
    ),
    op(
        "loss once per epoch (its last step)",
        r"return losses\n",
        "return losses[len(losses) // epochs - 1 :: len(losses) // epochs]\n",
        "epoch_last",
    ),
    op(
        "loss logged after the step",
        r"(\s+)losses\.append\(float\(np\.mean\(r\*\*2\)\)\)\n(\s+w = w - .*\n\s+b = b - .*\n)",
        r"\n\2\1losses.append(float(np.mean((X[idx] @ w + b - y[idx]) ** 2)))\n",
        "loss_logged_after_step",
    ),
    op(
        "loss logged after the step",
        r"losses\.append\(loss\.item\(\)\)",
        "losses.append(torch.nn.functional.cross_entropy(model(xb), yb).item())",
        "loss_logged_after_step",
    ),
    op("Adam for SGD", r"torch\.optim\.SGD\(", "torch.optim.Adam("),
    op("SGD with momentum", r"lr=lr\)\n", "lr=lr, momentum=0.9)\n"),
    op(
        "one model for the whole sweep",
        r"(\n\s+)for batch_size in batch_sizes:\n\s+model = make_model\(seed\)",
        r"\1model = make_model(seed)\1for batch_size in batch_sizes:",
    ),
    op(
        "unbiased variance",
        r"\.var\(axis=(-?\d)",
        r".var(ddof=1, axis=\1",
        "bn_unbiased_var",
        "ln_unbiased_var",
        "gn_unbiased_var",
        "one_bn_unbiased_var",
        "one_ln_unbiased_var",
    ),
    op("sample std", r"\.std\(axis=0\)", ".std(axis=0, ddof=1)", "std_sample_std"),
    op(
        "divided by the variance",
        r"np\.sqrt\(((?:running_)?var) \+ eps\)",
        r"(\1 + eps)",
        "bn_divided_by_var",
        "bn_eval_divided_by_var",
        "ln_divided_by_var",
        "one_ln_divided_by_var",
    ),
    op(
        "running-stat momentum flipped",
        r"\(1 - momentum\) \* running_(mean|var) \+ momentum \* ",
        r"momentum * running_\1 + (1 - momentum) * ",
        "bn_momentum_flipped_mean",
        "bn_momentum_flipped_var",
    ),
    op(
        "beta left out",
        r" \* gamma \+ beta",
        " * gamma",
        "bn_beta_left_out",
        "bn_eval_beta_left_out",
        "ln_beta_left_out",
        "one_bn_beta_left_out",
        "one_ln_beta_left_out",
    ),
]
"""Operators with the names that are true for the mistake each makes."""
OPS += [
    op("warm-up not divided", r"\) / warmup_steps\b", ")", "warmup_not_divided"),
    op(
        "time-based decay one epoch ahead",
        r"decay \* n\)",
        "decay * (n + 1))",
        "time_based_off_by_one",
        "shift",
    ),
    op(
        "exponential decay one epoch ahead",
        r"-k \* n\)",
        "-k * (n + 1))",
        "exponential_off_by_one",
        "shift",
    ),
    op("exponent sign", r"exp\(-k", "exp(k", "exponential_growing"),
    op(
        "scaling ratio inverted",
        r"new_batch / base_batch",
        "base_batch / new_batch",
        "scaling_inverted",
    ),
    op(
        "drop_last swapped",
        r"if drop_last else",
        "if not drop_last else",
        "count_drop_last_swapped",
    ),
    op("dampening dropped", r"\(1 - dampening\) \* g", "g", "momentum_no_dampening"),
    op(
        "no decay on the bias",
        r"weight_decay \* theta\b",
        "weight_decay * np.append(theta[:-1], 0.0)",
        "weight_decay_not_on_bias",
    ),
    op("stability bound 1/L", r"< 2 / lipschitz", "< 1 / lipschitz", "stable_one_over_l"),
    op("signed loss change", r"abs\(x \* x - old\)", "(x * x - old)", "stop_signed_loss_change"),
]
"""Operators for mistakes of gd_basics, gd_variants and lr_rules named in issue 13."""


def _layers(slip: str, *prefixes: str) -> tuple[str, ...]:
    """The library ids of one normalisation slip in the layers named by ``prefixes``."""
    return tuple(f"{p}_{slip}" for p in prefixes)


NORM = ("bn", "bn_eval", "ln", "gn", "one_bn", "one_ln")
"""Prefixes of the normalisation families' slip ids (misconceptions.normalization)."""
MORE_INTENDED = {
    "drop eps": _layers("eps_dropped", *NORM),
    "mean -> sum": (
        *_layers("mean_as_sum", *NORM),
        "std_mean_as_sum",
        "accum_b_sum_not_mean",
        "accum_w_sum_not_mean",
    ),
    "drop / len(idx)": ("accum_w_sum_not_mean",),
    "drop a factor 2": ("accum_w_missing_factor_2", "accum_b_missing_factor_2"),
    "wrong axis": (
        "ln_batch_axis",
        "one_ln_over_batch",
        "one_bn_over_features",
        "gn_across_groups",
        "std_per_row",
    ),
    "drop zero_grad": ("iris_no_zero_grad",),
    "drop shuffle": ("sweep_no_shuffle",),
    "reduction sum": ("iris_reduction_sum",),
    "range one short": ("iris_one_epoch_short",),
    "Adam for SGD": ("iris_adam",),
    "SGD with momentum": ("iris_momentum",),
    "loss logged after the step": ("iris_loss_after_step",),
    "one model for the whole sweep": ("sweep_one_model",),
    "loss per epoch (the epoch's mean)": ("iris_epoch_means",),
}
"""Library ids that are true for existing operators (the normalisation and Iris families)."""
OPS = [
    Op(o.name, o.pattern, o.replacement, o.intended | set(MORE_INTENDED.get(o.name, ())))
    for o in OPS
]
OPS += [
    op(
        "eps outside the root",
        r"np\.sqrt\(((?:running_)?var) \+ eps\)",
        r"(np.sqrt(\1) + eps)",
        *_layers("eps_outside_sqrt", *NORM),
        "eps",
    ),
    op(
        "gamma and beta swapped",
        r" \* gamma \+ beta",
        " * beta + gamma",
        *_layers("gamma_beta_swapped", *NORM),
    ),
    op(
        "eval with batch statistics",
        r"- running_mean\) / np\.sqrt\(running_var",
        "- np.mean(x, axis=0)) / np.sqrt(np.var(x, axis=0)",
        "bn_eval_batch_stats",
    ),
    op(
        "test with its own statistics",
        r"\(X_test - mean\) / std",
        "(X_test - X_test.mean(axis=0)) / X_test.std(axis=0)",
        "std_test_own_stats",
    ),
    op(
        "order[0] every epoch",
        r"order\[epoch\]",
        "order[0]",
        "iris_first_order_every_epoch",
        "order_reused",
    ),
    op(
        "drop_last in the trainer",
        r"batch_size=batch_size,\n(\s+)sampler=",
        r"batch_size=batch_size, drop_last=True,\n\1sampler=",
        "iris_drop_last",
    ),
    op("drop_last ignored", r", drop_last=drop_last", "", "loader_drop_last_ignored"),
    op(
        "drop_last inverted",
        r"drop_last=drop_last",
        "drop_last=not drop_last",
        "loader_drop_last_inverted",
    ),
    op(
        "order ignored in the counts",
        r"np\.asarray\(y\)\[np\.asarray\(order\)\]",
        "np.asarray(y)",
        "counts_order_ignored",
    ),
    op(
        "accuracy as a count",
        r"\.double\(\)\.mean\(\)\.item\(\)",
        ".sum().item()",
        "ratio:N",
    ),
]
"""Operators for the normalisation and minibatch_in_action families' mistakes."""


@dataclass
class Tally:
    mutants: int = 0
    caught: int = 0
    crashed: int = 0
    named: int = 0
    correct: int = 0
    located: int = 0


def _cells(assignment: str) -> list[dict[str, Any]]:
    nb = nbformat.read(next((SOURCE / assignment).glob("*.ipynb")), as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade") or meta.get("grade_id") == "plot":
            continue  # test cells are replaced by our own check runs; plots are not graded
        out.append(
            {
                "id": meta.get("grade_id", ""),
                "source": cell.source,
                "solution": bool(meta.get("solution")),
            }
        )
    return out


def _namespace(sources: list[str]) -> dict[str, Any] | str:
    ns: dict[str, Any] = {"__name__": "__main__"}
    try:
        for src in sources:
            exec(compile(src, "<cell>", "exec"), ns)  # the course's own solutions, mutated
    except Exception as exc:  # a mutant that does not even define its functions
        return f"{type(exc).__name__}: {exc}"
    return ns


def _checks(assignment: str) -> list[Any]:
    from grader.judging import registry

    return [c for c in registry.checks_for(assignment) if c.request().probe != "timing"]


def _defines(source: str, target: str) -> bool:
    return re.search(rf"^def {re.escape(target)}\(", source, re.M) is not None


def _named(result: Any) -> list[str] | None:
    """The names a result shows: its mistake, every candidate where the values cannot tell
    several apart, or its relation."""
    d = result.diagnosis
    if d is None or not (d.mistake or d.relation):
        return None
    return list(d.candidates) or [d.mistake or d.relation]


def _true(atom: str, intended: frozenset[str]) -> bool:
    """One named mistake or relation is intended: itself, its kind ("shift" for
    "shift:step"), or one of the factors it leaves open ("ratio:B|k|2": B, k or 2)."""
    kind, _, factors = atom.partition(":")
    alternatives = [f"{kind}:{f}" for f in factors.split("|")] if factors else [atom]
    return kind in intended or any(a in intended for a in alternatives)


def _correct(name: str, intended: frozenset[str]) -> tuple[bool, bool]:
    """(correct, located only) for a diagnosis name. A composed name ("a+b", one mistake
    per parameter) is correct only when every part is: a single mistake is not two."""
    if name in intended:
        return True, False
    atoms = name.split("+")
    if atoms[0].startswith("component:"):
        if len(atoms) == 1:
            return True, True
        atoms = atoms[1:]
    return all(_true(atom, intended) for atom in atoms), False


def _grade(assignment: str, sources: list[str], cell: int | None) -> list[Any] | str:
    from grader.judging.check import run_in_process

    ns = _namespace(sources)
    if isinstance(ns, str):
        return ns
    results = []
    for chk in _checks(assignment):
        target = chk.request().target
        if cell is not None and not _defines(sources[cell], target):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.append(run_in_process(chk.id, ns))
    return results


def mutants(source: str, quick: bool) -> list[tuple[Op, str]]:
    """Every single-site mutation of the solution region of one cell."""
    match = SOLUTION.search(source)
    if match is None:
        return []
    start, body = match.start(1), match.group(1)
    out = []
    for o in OPS:
        sites = list(re.finditer(o.pattern, body))
        for m in sites[:1] if quick else sites:
            mutated = body[: m.start()] + m.expand(o.replacement) + body[m.end() :]
            out.append((o, source[:start] + mutated + source[start + len(body) :]))
    return out


def _assignment(job: tuple[str, bool, bool]) -> tuple[str, Tally, int, list[str], dict]:
    """Grade one assignment's solution and every mutant of it (in a worker process):
    (assignment, tally, false diagnoses, lines to print, diagnose's CPU statistics)."""
    from grader.judging import registry
    from grader.judging.misconceptions.library import STATS

    a, quick, verbose = job
    registry.load_builtin()
    lines, false = [], 0
    cells = _cells(a)
    sources = [c["source"] for c in cells]
    baseline = _grade(a, sources, None)
    assert not isinstance(baseline, str), baseline
    for r in baseline:
        if r.status != "passed" or r.diagnosis is not None:
            false += 1
            lines.append(f"  correct solution: {r.check_id} {r.status}: {r.feedback[:120]}")
    tally = Tally()
    for i, c in enumerate(cells):
        if not c["solution"]:
            continue
        for o, mutated in mutants(c["source"], quick):
            results = _grade(a, [*sources[:i], mutated, *sources[i + 1 :]], i)
            tally.mutants += 1
            if isinstance(results, str):  # the cell itself raised: caught by the cell run
                tally.caught += 1
                tally.crashed += 1
                continue
            failed = [r for r in results if r.status != "passed"]
            if not failed:
                if verbose:
                    lines.append(f"  survived: {a}/{c['id']} {o.name}")
                continue
            tally.caught += 1
            if all(r.status == "error" for r in failed):
                tally.crashed += 1
            groups = [g for g in (_named(r) for r in failed) if g]
            names = [n for g in groups for n in g]
            if groups:
                tally.named += 1
                verdicts = [_correct(n, o.intended) for n in names]
                if any(ok for ok, _ in verdicts):
                    tally.correct += 1
                    tally.located += all(loc for ok, loc in verdicts if ok)
                elif verbose:
                    lines.append(f"  WRONG {a}/{c['id']} {o.name}: {names}")
            if verbose:
                lines.append(
                    f"  {a}/{c['id']} {o.name}: {names or '-'} | {failed[0].feedback[:140]!r}"
                )
    return a, tally, false, lines, dict(STATS)


def run(quick: bool, verbose: bool) -> dict:
    """Every assignment's mutants, two assignments at a time (one process each, forked):
    prints the table; returns diagnose's CPU statistics summed over the processes."""
    started = time.perf_counter()
    rows, false_diagnoses, stats = {}, Counter(), Counter()
    jobs = [(a, quick, verbose) for a in ASSIGNMENTS]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for a, tally, false, lines, st in pool.imap_unordered(_assignment, jobs):
            rows[a], false_diagnoses[a] = tally, false
            stats.update(st)
            if lines:
                print("\n".join(lines))
    _table({a: rows[a] for a in ASSIGNMENTS}, false_diagnoses, time.perf_counter() - started)
    return dict(stats)


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "0/0"


def _table(rows: dict[str, Tally], false_diagnoses: Counter, seconds: float) -> None:
    head = (
        f"{'assignment':28} {'mutants':>7} {'caught':>14} {'crashed':>7} {'named':>14} "
        f"{'named correctly':>16} {'false diag.':>11}"
    )
    print(head)
    print("-" * len(head))
    total = Tally()
    for a, t in rows.items():
        for f in ("mutants", "caught", "crashed", "named", "correct", "located"):
            setattr(total, f, getattr(total, f) + getattr(t, f))
        print(_row(a, t, false_diagnoses[a]))
    print("-" * len(head))
    print(_row("all", total, sum(false_diagnoses.values())))
    print(
        f"\nnamed / named correctly are out of the caught mutants that did not crash "
        f"({total.caught - total.crashed}); {total.located} of the correct names are a located "
        f"component only. {seconds:.0f} s."
    )


def _row(name: str, t: Tally, false: int) -> str:
    wrong = t.caught - t.crashed
    return (
        f"{name:28} {t.mutants:>7} {_pct(t.caught, t.mutants):>14} {t.crashed:>7} "
        f"{_pct(t.named, wrong):>14} {_pct(t.correct, wrong):>16} {false:>11}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one site per operator and cell")
    parser.add_argument("--verbose", action="store_true", help="print every mutant's outcome")
    parser.add_argument(
        "--mutants-only", action="store_true", help="leave out the written student sets"
    )
    parser.add_argument(
        "--regression", action="store_true", help="also the outside sets 1-3 (tuned to)"
    )
    args = parser.parse_args()
    print("1. mutants of the course's own solutions (in process)")
    stats = run(args.quick, args.verbose)
    calls = stats.get("calls", 0)
    print(
        f"diagnose: {calls} calls on failing checks, {stats.get('cpu_s', 0.0):.1f} s CPU, "
        f"{1000 * stats.get('cpu_s', 0.0) / max(calls, 1):.0f} ms per failing check on average"
    )
    families = sorted(
        ((k.split(" ", 1)[1], v) for k, v in stats.items() if k.startswith("cpu_s ")),
        key=lambda kv: -kv[1],
    )
    print("  dearest families: " + ", ".join(f"{f} {v:.1f} s" for f, v in families[:6]))
    if args.mutants_only:
        return
    import named_sets

    print("\n2./3. written student sets, graded by gdgrade autograde (benchmarks/named_sets.py)")
    regression = ["outside-3", "outside-2", "outside-1"] if args.regression else []
    named_sets.run(["corpus", "outside-4", *regression], args.verbose)


if __name__ == "__main__":
    main()
