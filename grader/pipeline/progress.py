"""Progress of a class being graded, for ``gdgrade autograde``.

On a terminal: a rich bar with the count, the rate and the time left. Elsewhere (CI logs, a
pipe): one plain line each time another tenth of the class is graded, with the rate and
the time left. At the end, one line with the throughput of the whole run, start-up included.

The time left comes from the rate since the first result (the warm-up before it is paid
once, not per submission).
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from grader.outputs.results import SubmissionResult

STEPS = 10
"""Plain lines per class: one per tenth graded."""


def rate(done: int, first: float, now: float) -> float | None:
    """Submissions per second since the first result (``first``); None before a second one."""
    if done < 2 or now <= first:
        return None
    return (done - 1) / (now - first)


def eta(done: int, total: int, first: float, now: float) -> float | None:
    """Seconds left at the rate since the first result (``first``); None before a rate."""
    per_second = rate(done, first, now)
    return None if per_second is None else (total - done) / per_second


def duration(seconds: float) -> str:
    """ "8.2 s", "3 min 05 s"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


class ClassProgress:
    """Counts the submissions graded; ``planned`` starts the clock, ``advance`` counts one,
    ``throughput`` is the closing line."""

    def __init__(self, out: TextIO, *, live: bool, since: float | None = None) -> None:
        """``since``: the ``time.monotonic()`` the closing line counts from (the command's
        start, so its start-up counts too), else ``planned``'s."""
        self.out = out
        self.live = live
        self.total = 0
        self.done = 0
        self.since = since
        self.start = time.monotonic() if since is None else since
        self.first: float | None = None
        self._bar: Any = None
        self._task: Any = None
        self._next_step = 1

    def __enter__(self) -> ClassProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def planned(self, total: int) -> None:
        """The number of submissions this run grades; starts the clock (and the bar)."""
        self.total = total
        self.start = time.monotonic() if self.since is None else self.since
        if self.live and total:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(file=self.out),
                transient=True,
            )
            self._task = self._bar.add_task("grading", total=total)
            self._bar.start()

    def advance(self, result: SubmissionResult | None = None) -> None:
        """One more submission graded."""
        now = time.monotonic()
        self.done += 1
        if self.first is None:
            self.first = now
        if self._bar is not None:
            self._bar.advance(self._task)
        elif not self.live and self.total and self.done * STEPS >= self._next_step * self.total:
            while self.done * STEPS >= self._next_step * self.total:
                self._next_step += 1
            self.out.write(self.line(now) + "\n")
            self.out.flush()

    def line(self, now: float) -> str:
        """ "graded 12/40 (30%), 4.1 per second, about 7.0 s left"."""
        text = f"graded {self.done}/{self.total} ({100 * self.done // self.total}%)"
        rate = self.rate(now)
        if rate is not None:
            text += f", {rate:.1f} per second"
        left = eta(self.done, self.total, self.first or now, now)
        if left is not None and self.done < self.total:
            text += f", about {duration(left)} left"
        return text

    def rate(self, now: float) -> float | None:
        """Submissions per second since the first result; None before a second one."""
        return None if self.first is None else rate(self.done, self.first, now)

    def throughput(self, reused: int = 0) -> str:
        """The closing line: how many were graded, in how long (and how long until the
        first result: the start-up), how many per second overall and after the first."""
        now = time.monotonic()
        elapsed = now - self.start
        if not self.done or elapsed <= 0:
            text = "graded nothing"
        else:
            first = (self.first or now) - self.start
            text = (
                f"graded {self.done} submissions in {duration(elapsed)} "
                f"(first result after {duration(first)}): {self.done / elapsed:.1f} per second"
            )
            rate = self.rate(now)
            if rate is not None:
                text += f", {rate:.1f} per second after the first"
        if reused:
            text += f"; {reused} unchanged, not regraded"
        return text
