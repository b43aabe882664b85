"""Builders for the common kinds of check, so assignments declare checks in a few lines.

* ``value_check``: call a student function with fixed inputs, compare with an oracle value.
* ``trainer_check``: run the student's linear-regression trainer on grader-chosen data,
  initial weights and batch order (or the student's own, recorded); judge its per-step
  losses with ``judges.trajectory``, the one trainer judge (reshuffle check and ``Replay``
  of the reference on the recorded order, the known mistakes that reproduce it on failure).
* ``series_check``: a sequence (learning rates, iterates) against an oracle sequence, with
  diagnosis from a misconception family.

``value_check`` and ``series_check`` check the return structure before the values
(``judges.structure_problem``): the container kind, nesting, arity, entry class and shape of
the oracle's value. ``accept`` names the container kinds the task text allows in place of
the oracle's (``judges.ARRAY_LIKE``, ``judges.SEQUENCE``); lists and tuples always stand in
for each other where the oracle returns a list or a tuple.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from grader.evidence import Evidence, ProbeRequest
from grader.inside.probes import encode
from grader.judging import explain, judges, registry, trajectories
from grader.judging.check import Answer, Check, Verdict
from grader.judging.layout import Layout, layout_of, parts_layout


def value_check(
    id: str,
    *,
    name: str,
    points: float,
    target: str,
    expected: Callable[[], Any],
    args: tuple = (),
    kwargs: dict[str, Any] | None = None,
    rtol: float = judges.VALUE_RTOL,
    atol: float = judges.VALUE_ATOL,
    topics: tuple[str, ...] = (),
    hidden: bool = True,
    exact: bool = False,
    calls: list[tuple[tuple, dict[str, Any]]] | None = None,
    accept: tuple[str, ...] | None = None,
    context: explain.Context | None = None,
    family: str | None = None,
    family_inputs: dict[str, Any] | None = None,
    as_numbers: Callable[[Any], list[float]] | None = None,
    form: str = "",
) -> Check:
    """Call ``target(*args, **kwargs)`` (or once per ``calls`` entry, the value being the
    list of results) and compare with ``expected()`` (an oracle call), structure first
    (``accept``: the container kinds allowed in place of the oracle's). ``context``: what
    ``grader.judging.explain`` may use to name the relation of a wrong value to the
    expected one (the input an update starts from, the check's factors). ``family``: the
    misconception family whose mistakes (run on ``family_inputs``) may name a wrong value;
    ``as_numbers`` turns a value into the family's numbers (default ``flatten``). ``form``:
    what the check teaches about the form, if it does (``Check.form``)."""

    def request() -> ProbeRequest:
        inputs = {"args": encode(list(args)), "kwargs": encode(kwargs or {})}
        if calls is not None:
            inputs = {"calls": [{"args": encode(list(a)), "kwargs": encode(k)} for a, k in calls]}
        return ProbeRequest(check_id=id, probe="call", target=target, inputs=inputs)

    def judge(req: ProbeRequest, ev: Evidence) -> Verdict:
        what = f"{target}(...)"
        several = calls is not None
        if exact:
            verdict = judges.equal(
                ev, expected(), what=what, accept=accept, calls=several, form=form
            )
            return _named(
                verdict, ev.value, expected(), family, family_inputs, as_numbers, (0.0, 0.0)
            )
        verdict = judges.close(
            ev,
            expected(),
            rtol=rtol,
            atol=atol,
            what=what,
            accept=accept,
            calls=several,
            context=context,
            form=form,
        )
        return _named(
            verdict, ev.value, expected(), family, family_inputs, as_numbers, (rtol, atol)
        )

    def answer() -> Answer:
        return Answer(expected(), "exact" if exact else "close", rtol, atol)

    return registry.register(
        Check(
            id=id,
            name=name,
            points=points,
            request=request,
            judge=judge,
            topics=topics,
            hidden=hidden,
            answer=answer,
            family=None if family is None else (family, family_inputs or {}),
            form=form,
        )
    )


def _named(
    verdict: Verdict,
    got: Any,
    want: Any,
    family: str | None,
    inputs: dict[str, Any] | None,
    as_numbers: Callable[[Any], list[float]] | None,
    tolerance: tuple[float, float],
) -> Verdict:
    """A failed value verdict with the mistakes of ``family`` that reproduce the student's
    value within the check's ``tolerance`` (rtol, atol) named (``misconceptions.diagnose``);
    otherwise the verdict as it was."""
    if family is None or verdict.status != "failed":
        return verdict
    from grader.judging import misconceptions

    numbers = as_numbers or flatten
    try:
        student = numbers(got)
    except (TypeError, ValueError, KeyError, IndexError):
        return verdict  # not numbers the family can compare
    rtol, atol = tolerance
    found = misconceptions.diagnose(
        student, family, inputs or {}, numbers(want), rtol=rtol, atol=atol
    )
    if not found.mistake:
        return verdict
    verdict = judges.unexplained(verdict)  # the known mistake replaces any relation
    text = f"{verdict.feedback} ({misconceptions.named_text(found)})"
    return replace(verdict, feedback=text, diagnosis=found)


def linreg_problem(seed: int, n: int, d: int, epochs: int) -> dict[str, Any]:
    """Deterministic toy regression data, start weights and per-epoch permutations."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.uniform(-2, 2, size=d) + 0.5 + 0.3 * rng.normal(size=n)
    return {
        "X": X,
        "y": y,
        "w0": np.zeros(d),
        "b0": 0.0,
        "permutations": [rng.permutation(n) for _ in range(epochs)],
    }


def trainer_check(
    id: str,
    *,
    name: str,
    points: float,
    target: str,
    hyper: dict[str, Any],
    seed: int = 0,
    n: int = 40,
    d: int = 2,
    record: bool = False,
    problem: dict[str, Any] | None = None,
    topics: tuple[str, ...] = (),
    hidden: bool = True,
) -> Check:
    """Grade a trainer ``target(X, y, w0, b0, *, order, **hyper) -> losses`` by its losses.

    The trainer gets what the course's texts state: ``X`` (N, d), ``y`` (N,) and ``w0`` (d,)
    as float64 NumPy arrays, ``b0`` a float, ``order`` a list of one 1-D int64 NumPy array
    per epoch.

    The data is ``linreg_problem(seed, n, d, epochs)``, or ``problem`` (same keys) when
    given. With ``record`` the trainer gets ``order=None`` and a recording dataset as ``X``:
    it must shuffle anew every epoch, and the reference is replayed on the order it read.
    With ``base_lr`` and ``base_batch`` in ``hyper`` (instead of ``lr``) the student must
    scale the learning rate to ``batch_size`` with the linear scaling rule.
    """
    from grader.judging.misconceptions.linreg_trainer import FAMILY

    if problem is None:
        problem = linreg_problem(seed, n, d, hyper["epochs"])
    inputs = {**problem, **hyper}  # the linreg_trainer family's inputs
    if "base_lr" in hyper:  # the student applies the linear scaling rule
        from reference.schedules import linear_scaling

        inputs["lr"] = linear_scaling(
            hyper["base_lr"], base_batch=hyper["base_batch"], new_batch=hyper["batch_size"]
        )

    def request() -> ProbeRequest:
        sent = {
            "X": encode(problem["X"]),
            "y": encode(problem["y"]),
            "w0": encode(problem["w0"]),
            "b0": problem["b0"],
            "order": [encode(np.asarray(p, dtype=np.int64)) for p in problem["permutations"]],
            "hyper": hyper,
        }
        options = {"order": "record" if record else "explicit"}
        return ProbeRequest(check_id=id, probe="train", target=target, inputs=sent, options=options)

    def judge(req: ProbeRequest, ev: Evidence) -> Verdict:
        from grader.judging.misconceptions.linreg_trainer import FAMILY, reference_losses

        replay = None
        if record:
            replay = judges.Replay(
                n_samples=len(problem["X"]),
                epochs=hyper["epochs"],
                run=lambda perms: reference_losses({**inputs, "permutations": perms}),
            )
        return judges.trajectory(
            ev,
            None if record else reference_losses(inputs),
            mistakes=(FAMILY, inputs),
            replay=replay,
            title=name,
            log_y=True,
            context=trainer_context(len(problem["X"]), hyper),
        )

    def answer() -> Answer:
        from grader.judging.misconceptions.linreg_trainer import reference_losses

        losses = reference_losses(inputs)
        return Answer(losses, "losses", trajectories.LOSS_RTOL, trajectories.LOSS_ATOL)

    return registry.register(
        Check(
            id=id,
            name=name,
            points=points,
            request=request,
            judge=judge,
            topics=topics,
            hidden=hidden,
            answer=None if record else answer,  # a recorded order needs the grader's replay
            family=(FAMILY, inputs),
        )
    )


def trainer_context(n: int, hyper: dict[str, Any]) -> explain.Context:
    """What the explainer knows of a trainer: B, N, k (when accumulating) and the updates
    per epoch."""
    b = int(hyper["batch_size"])
    factors = {"B": b, "N": n}
    if hyper.get("accumulation_steps", 1) > 1:
        factors["k"] = int(hyper["accumulation_steps"])
    steps = n // b if hyper.get("drop_last") else -(-n // b)
    return explain.Context(factors=factors, steps_per_epoch=steps)


def widened(values: Any, share: float, *, low: float = -np.inf, high: float = np.inf):
    """A two-sided band from a reference distribution: [min, max] of ``values`` (one
    statistic over reference runs) widened on each side by ``share`` of its width, then
    clipped to [low, high] (accuracy stays within [0, 1])."""
    lo, hi = float(np.min(values)), float(np.max(values))
    pad = share * (hi - lo)
    return max(low, lo - pad), min(high, hi + pad)


def flatten(value: Any) -> list[float]:
    """Numbers in nested lists / tuples / arrays, in order, as one flat list."""
    if isinstance(value, dict) and "__array__" in value:
        value = value["__array__"]
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [x for item in value for x in flatten(item)]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        raise TypeError(f"not a number: {value!r}")
    return [float(value)]


def series_check(
    id: str,
    *,
    name: str,
    points: float,
    target: str,
    expected: Callable[[], Any],
    args: tuple = (),
    kwargs: dict[str, Any] | None = None,
    family: str | None = None,
    family_inputs: dict[str, Any] | None = None,
    calls: list[tuple[tuple, dict[str, Any]]] | None = None,
    rtol: float = trajectories.LR_RTOL,
    atol: float = trajectories.LR_ATOL,
    what: str = "value",
    topics: tuple[str, ...] = (),
    hidden: bool = True,
    accept: tuple[str, ...] | None = None,
    parts: tuple[str, ...] | tuple[tuple[str, tuple[int, ...]], ...] | None = None,
    context: explain.Context | None = None,
    form: str = "",
) -> Check:
    """Call ``target`` and compare the returned sequence with ``expected()`` step by step.

    The structure comes first, by the policy for form (``judges.form_check``; ``accept``:
    the container kinds allowed in place of the oracle's; ``form``: what the check teaches
    about the form, if it does); the number of steps of a 1-D series is left to the
    trajectory comparison, whose message counts them. Then both are flattened and compared
    value by value.

    An answer made of components (a tuple of arrays, a 2-D array) is not a series: its
    entries are named as the student indexes them, by ``parts`` (the names of the returned
    items, ``("y", "running_mean", "running_var")``, or ``(name, shape)`` pairs for one flat
    vector made of several quantities), else as ``target(...)[1][0]``. ``context``: what
    ``grader.judging.explain`` may use (factors, eps, steps per epoch)."""

    def request() -> ProbeRequest:
        inputs = {"args": encode(list(args)), "kwargs": encode(kwargs or {})}
        if calls is not None:
            inputs = {"calls": [{"args": encode(list(a)), "kwargs": encode(k)} for a, k in calls]}
        return ProbeRequest(check_id=id, probe="call", target=target, inputs=inputs)

    def judge(req: ProbeRequest, ev: Evidence) -> Verdict:
        want = expected()
        shown = _layout(want, target, parts)
        names = [q.name for q in shown.parts] if shown is not None else None
        problem, note = judges.form_check(
            judges.structure_of(ev.value, ev.value_type, ev.meta),
            judges.structure_of_value(want),
            what=f"{target}(...)",
            accept=accept,
            steps=True,
            calls=calls is not None,
            names=names,
            taught=form,
        )
        if problem is not None:
            relation = judges.transposed(ev.value, want, names)
            relation = relation or _rows(ev.value, want, what, context)
            return judges.explained(Verdict("failed", problem), relation)
        ref = np.asarray(flatten(want), dtype=np.float64)
        try:
            student = np.asarray(flatten(ev.value), dtype=np.float64)
        except (TypeError, ValueError):
            return Verdict("failed", f"{target} should return numbers, got {ev.value_type}")
        mistakes = None if family is None else (family, family_inputs or {})
        layout = None if what == "iterate" else _layout(want, target, parts)
        sized = calls is None and isinstance(want, list | tuple | np.ndarray) and len(want)
        steps = len(want) if sized and layout is None else len(ref)  # a step: one iterate
        verdict = judges.trajectory(
            student.tolist(),
            ref,
            rtol=rtol,
            atol=atol,
            what=what,
            title=name,
            mistakes=mistakes,
            width=max(1, len(ref) // steps),  # values per step: 2 for iterates in the plane
            context=context,
            layout=layout,
        )
        return judges.noted(verdict, note)

    def answer() -> Answer:
        return Answer(expected(), "series", rtol, atol)

    return registry.register(
        Check(
            id=id,
            name=name,
            points=points,
            request=request,
            judge=judge,
            topics=topics,
            hidden=hidden,
            answer=answer,
            family=None if family is None else (family, family_inputs or {}),
            form=form,
        )
    )


def _rows(
    value: Any, want: Any, what: str, context: explain.Context | None
) -> explain.Relation | None:
    """A 2-D series of steps (iterates in the plane) with a row too few or too many: the
    explainer's length relations (x_0 left out, one step short or extra)."""
    w = np.asarray(want, dtype=np.float64) if isinstance(want, np.ndarray) else None
    if w is None or w.ndim != 2 or what != "iterate":
        return None
    try:
        got = np.asarray(flatten(value), dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if len(got) % w.shape[1] or len(got) == w.size:
        return None
    ctx = replace(context or explain.Context(), what=what, width=w.shape[1])
    return explain.explain(got, w.ravel(), ctx)


def _layout(want: Any, target: str, parts: Any) -> Layout | None:
    """The components of an oracle's answer, named by ``parts`` where the check gives them."""
    if parts and all(isinstance(p, tuple) for p in parts):
        return parts_layout(parts)
    return layout_of(want, f"{target}(...)", parts)
