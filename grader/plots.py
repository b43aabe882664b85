"""PlotData -> PNG (base64) with matplotlib's Agg backend, for feedback and reports."""

from __future__ import annotations

import base64
import io
import math

from grader.evidence import PlotData

_STYLES = {"student": "-", "reference": "--", "closest mistake": ":"}


def png_base64(plot: PlotData, *, width: float = 6.0, height: float = 3.2) -> str:
    """Render the curves of one PlotData as a base64 PNG string."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    try:
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
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def bar_base64(values: dict[str, float], *, title: str, ylabel: str) -> str:
    """A horizontal bar chart of named values as a base64 PNG string."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(values)
    fig, ax = plt.subplots(figsize=(7.0, 0.35 * len(names) + 1.2), dpi=100)
    try:
        ax.barh(range(len(names)), list(values.values()), color="#4a78b5")
        ax.set_yticks(range(len(names)), names, fontsize="small")
        ax.invert_yaxis()
        ax.set_title(title)
        ax.set_xlabel(ylabel)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()
