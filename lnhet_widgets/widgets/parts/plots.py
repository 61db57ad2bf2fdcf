"""bqplot helpers: figures whose marks are updated in place, in one message per update."""

from __future__ import annotations

import math

import bqplot as bq
import numpy as np

__all__ = ["decade_ticks", "figure", "line_figure", "lines", "set_mark_data"]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def figure(title: str, marks, axes, *, height_px: int = 300, right_axis: bool = False,
           legend: str = "top-right") -> bq.Figure:
    """A full-width bqplot figure with the labs' margins (room for a right axis if asked).

    Examples
    --------
    >>> figure("S", [], [], height_px=200).layout.height
    '200px'
    """
    return bq.Figure(
        marks=marks, axes=axes, title=title, legend_location=legend,
        layout={"height": f"{height_px}px", "width": "100%"},
        fig_margin={"top": 40, "bottom": 45, "left": 60, "right": 65 if right_axis else 20},
    )


def lines(scales, label: str, color: str, **kwargs) -> bq.Lines:
    """An empty, labelled ``Lines`` mark on ``scales``, filled later by :func:`set_mark_data`.

    Examples
    --------
    >>> lines({"x": bq.LinearScale(), "y": bq.LinearScale()}, "S", PALETTE[0]).labels
    ['S']
    """
    return bq.Lines(x=np.zeros(0), y=np.zeros(0), scales=scales, labels=[label], colors=[color],
                    display_legend=True, stroke_width=2, **kwargs)


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
    scales = {"x": x_scale, "y": y_scale}
    marks = {label: lines(scales, label, colors[i % len(colors)])
             for i, label in enumerate(labels)}
    axes = [bq.Axis(scale=x_scale, label=x_label),
            bq.Axis(scale=y_scale, label=y_label, side="left", tick_format=".3g")]
    return (figure(title, list(marks.values()), axes, height_px=height_px, legend="top-left"),
            marks)


def set_mark_data(mark, x, y, **other) -> None:
    """Replace a mark's data in place, sending one update to the browser.

    Empty data hides the mark and keeps its last data: bqplot animates a line from its old
    path to an empty one through the invalid path "null" (a console error in the browser).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with mark.hold_sync():
        if x.size == 0:
            mark.visible = False
        else:
            mark.x, mark.y = x, y
            mark.visible = True
        for name, value in other.items():
            setattr(mark, name, value)


def decade_ticks(low: float, high: float, max_ticks: int = 7) -> np.ndarray:
    """Whole decades from ``low`` to ``high`` (every 2nd, 3rd … when there are many): the
    ticks of a log axis, where bqplot's own crowd into an unreadable column.

    Examples
    --------
    >>> decade_ticks(0.02, 300.0).tolist()
    [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
    >>> decade_ticks(0.5, 2e12).tolist()  # every 3rd decade
    [0.1, 100.0, 100000.0, 100000000.0, 100000000000.0]
    """
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = max(1, math.ceil((last - first + 1) / max_ticks))
    return 10.0 ** np.arange(first, last + 1, step)
