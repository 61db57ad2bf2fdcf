"""bqplot helpers: figures whose marks are updated in place, in one message per update."""

from __future__ import annotations

import bqplot as bq
import numpy as np

__all__ = ["line_figure", "set_mark_data"]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def line_figure(title: str, x_label: str, y_label: str, labels, *, colors=PALETTE,
                height_px: int = 300, log_y: bool = False):
    """A bqplot figure with one (empty) ``Lines`` mark per entry of ``labels``.

    Returns the figure and a dict label → mark, for :func:`set_mark_data`.

    Examples
    --------
    >>> fig, marks = line_figure("Strain", "core diameter (nm)", "w (eV/nm²)", ["w"])
    >>> set_mark_data(marks["w"], [1, 2, 3], [0.1, 0.2, 0.3])
    >>> marks["w"].y.tolist()
    [0.1, 0.2, 0.3]
    """
    x_scale = bq.LinearScale()
    y_scale = bq.LogScale() if log_y else bq.LinearScale()
    marks = {
        label: bq.Lines(x=np.zeros(0), y=np.zeros(0), scales={"x": x_scale, "y": y_scale},
                        colors=[colors[i % len(colors)]], labels=[label], display_legend=True,
                        stroke_width=2)
        for i, label in enumerate(labels)
    }
    axes = [bq.Axis(scale=x_scale, label=x_label),
            bq.Axis(scale=y_scale, label=y_label, side="left", tick_format=".3g")]
    figure = bq.Figure(marks=list(marks.values()), axes=axes, title=title,
                       legend_location="top-left",
                       layout={"height": f"{height_px}px", "width": "100%"},
                       fig_margin={"top": 40, "bottom": 45, "left": 60, "right": 20})
    return figure, marks


def set_mark_data(mark, x, y, **other) -> None:
    """Replace a mark's data in place, sending one update to the browser."""
    with mark.hold_sync():
        mark.x = np.asarray(x, dtype=float)
        mark.y = np.asarray(y, dtype=float)
        for name, value in other.items():
            setattr(mark, name, value)
