"""PlotData -> PNG (base64) with matplotlib's Agg canvas, for feedback and reports.

Rendering uses the object-oriented Figure API (no pyplot state) under one lock: grading
threads render feedback at the same time, and matplotlib's text layout is not thread-safe.
"""

from __future__ import annotations

import base64
import io
import math
import threading

from grader.evidence import PlotData

_STYLES = {"student": "-", "reference": "--", "known mistake": ":"}
_lock = threading.Lock()


def _png(fig: object) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # type: ignore[attr-defined]
    return base64.b64encode(buf.getvalue()).decode()


def png_base64(plot: PlotData, *, width: float = 6.0, height: float = 3.2) -> str:
    """Render the curves of one PlotData as a base64 PNG string."""
    from matplotlib.figure import Figure

    with _lock:
        fig = Figure(figsize=(width, height), dpi=100)
        ax = fig.subplots()
        for name, ys in plot.series.items():
            clean = [y if isinstance(y, float | int) and math.isfinite(y) else math.nan for y in ys]
            ax.plot(range(len(clean)), clean, _STYLES.get(name, "-"), label=name, linewidth=1.5)
        if plot.log_y:
            ax.set_yscale("log")
        ax.set_title(plot.title)
        ax.set_xlabel(plot.xlabel)
        ax.set_ylabel(plot.ylabel)
        ax.legend(loc="best", fontsize="small")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        return _png(fig)


def bar_base64(values: dict[str, float], *, title: str, ylabel: str) -> str:
    """A horizontal bar chart of named values as a base64 PNG string."""
    from matplotlib.figure import Figure

    names = list(values)
    with _lock:
        fig = Figure(figsize=(7.0, 0.35 * len(names) + 1.2), dpi=100)
        ax = fig.subplots()
        ax.barh(range(len(names)), list(values.values()), color="#4a78b5")
        ax.set_yticks(range(len(names)), names, fontsize="small")
        ax.invert_yaxis()
        ax.set_title(title)
        ax.set_xlabel(ylabel)
        fig.tight_layout()
        return _png(fig)
