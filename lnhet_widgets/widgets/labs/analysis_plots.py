"""AnalysisLab's plot: the measured data with the fit, the fit window (a slider and a brush
on the plot) and the residuals below, on a log or linear intensity axis; PNG/SVG export.

:class:`AnalysisPlots` is mixed into
:class:`~lnhet_widgets.widgets.labs.analysis_lab.AnalysisLab`: it builds the figures and
redraws them in place from the lab's data (``_xy``), its ``outcome`` and its settings.
"""

from __future__ import annotations

import bqplot as bq
import numpy as np
from bqplot.interacts import BrushIntervalSelector

from ..parts.plots import PALETTE, figure, lines, set_mark_data
from .analysis_data import X_UNITS
from .analysis_outcomes import DECAY_ANALYSES

__all__ = ["AnalysisPlots", "line_mark", "positive_points"]


def line_mark(scales, label: str, color: str, **kwargs) -> bq.Lines:
    """A hidden ``Lines`` mark on one point: a line without points gets the invalid path
    "null" when bqplot animates it to new scales (the y scale swaps between log and linear)."""
    mark = lines(scales, label, color, **kwargs)
    mark.x, mark.y, mark.visible = np.zeros(1), np.ones(1), False
    return mark


def positive_points(x, y, log: bool):
    """``x`` and ``y`` as float arrays, only where ``y > 0`` when the axis is ``log``."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if log:
        keep = y > 0
        return x[keep], y[keep]
    return x, y


class AnalysisPlots:
    """The data-and-fit figure (``figure``, with ``brush``) and the ``residual_figure``."""

    def _build_figures(self) -> None:
        self._x = bq.LinearScale()
        self._y_lin, self._y_log = bq.LinearScale(), bq.LogScale()
        scales = {"x": self._x, "y": self._y_log}
        self._data_mark = line_mark(scales, "measured", PALETTE[0])
        self._data_mark.stroke_width = 1.5
        self._fit_mark = line_mark(scales, "fit", PALETTE[1])
        self._extra_mark = line_mark(scales, "", PALETTE[3], line_style="dashed")
        self._points_mark = bq.Scatter(x=np.zeros(0), y=np.zeros(0), scales=scales,
                                       marker="triangle-down", colors=[PALETTE[4]],
                                       default_size=48, labels=["peaks"], display_legend=True)
        unit = bq.LinearScale(min=0.0, max=1.0)
        self._window_mark = bq.Lines(x=np.zeros((2, 2)), y=np.array([[0.0, 1.0]] * 2),
                                     scales={"x": self._x, "y": unit}, colors=["#777777"],
                                     line_style="dashed", labels=["fit window"])
        self._x_axis = bq.Axis(scale=self._x, label="x")
        # One y axis per scale, the unused one hidden: bqplot redraws marks on a new scale but
        # keeps an axis on the scale it was drawn with.
        self._y_axes = {scale: bq.Axis(scale=scale, label="y", side="left", tick_format=".3g",
                                       visible=scale is self._y_log)
                        for scale in (self._y_log, self._y_lin)}
        self.figure = figure("", [self._window_mark, self._data_mark, self._extra_mark,
                                  self._fit_mark, self._points_mark],
                             [self._x_axis, *self._y_axes.values()], height_px=340)
        self.figure.fig_margin = {**self.figure.fig_margin, "left": 75}
        # Drag on the plot to set the window (synced with the slider).
        self.brush = BrushIntervalSelector(scale=self._x, color="#9ecae1")
        self.brush.observe(self._on_brush, names="brushing")
        self.figure.interaction = self.brush
        r_scale = bq.LinearScale()
        self._residual_mark = line_mark({"x": self._x, "y": r_scale}, "residuals",
                                        PALETTE[0])
        self._residual_mark.stroke_width, self._residual_mark.display_legend = 1, False
        self._zero_mark = line_mark({"x": self._x, "y": r_scale}, "0", "#777777",
                                    line_style="dashed")
        self._zero_mark.display_legend = False
        self._residual_axis = bq.Axis(scale=r_scale, label="residual", side="left",
                                      tick_format=".2g", num_ticks=3)
        self.residual_figure = figure("", [self._zero_mark, self._residual_mark],
                                      [bq.Axis(scale=self._x), self._residual_axis],
                                      height_px=160)
        self.residual_figure.fig_margin = {"top": 10, "bottom": 30, "left": 75, "right": 20}

    def _draw(self) -> None:
        if self._xy is None:
            return
        x, y = self._xy
        log = self.log_y and self.analysis in DECAY_ANALYSES
        shown = self.outcome if self._fit_key == self._data_key else None
        y_scale = self._y_log if log else self._y_lin
        scales = {"x": self._x, "y": y_scale}
        data = shown.data if shown is not None and shown.data is not None else None
        if data is None and self.analysis == "size":
            counts, edges = np.histogram(x, bins="auto")
            data = (np.repeat(edges, 2), np.concatenate([[0.0], np.repeat(counts, 2), [0.0]]))
        elif data is None and self.analysis == "tauc":
            data = (x, (np.clip(y, 0.0, None) * x) ** 2)
        elif data is None:
            data = (x, y)
        low, high = float(np.min(data[0])), float(np.max(data[0]))
        # The y scale gets its range before any mark moves onto it: bqplot redraws a mark the
        # moment its scales change, and on a scale without a range every point is undefined
        # and the line's path becomes the invalid "null" (a console error).
        shown_y = positive_points(*data, log)[1]
        if shown_y.size and np.ptp(shown_y) > 0:
            y_scale.min, y_scale.max = float(np.min(shown_y)), float(np.max(shown_y))
        else:
            y_scale.min = y_scale.max = None
        moving = [mark for mark in (self._data_mark, self._fit_mark, self._extra_mark,
                                    self._points_mark, *(c[2] for c in self._comparisons.values()))
                  if mark.scales["y"] is not y_scale]

        def move_marks():
            for mark in moving:
                mark.scales = scales
            for scale, axis in self._y_axes.items():
                axis.visible = scale is y_scale

        with self.figure.hold_sync(), self.residual_figure.hold_sync():
            # Marks move to a log scale only with their new (positive) data, and to a linear
            # scale before it: a zero or negative value on a log scale is NaN in the browser.
            if not log:
                move_marks()
            self._x.min, self._x.max = (low, high) if high > low else (None, None)
            set_mark_data(self._data_mark, *positive_points(*data, log))
            for mark, curve, label in (
                    (self._fit_mark, shown and shown.fit, shown and shown.fit_label),
                    (self._extra_mark, shown and shown.extra, shown and shown.extra_label)):
                if curve:
                    set_mark_data(mark, *positive_points(*curve, log), labels=[label],
                                  display_legend=True)
                else:
                    set_mark_data(mark, [], [], display_legend=False)
            points = shown.points if shown is not None else None
            with self._points_mark.hold_sync():
                self._points_mark.x = points[0] if points else np.zeros(0)
                self._points_mark.y = points[1] if points else np.zeros(0)
                self._points_mark.display_legend = bool(points)
            self._draw_window()
            self._draw_comparisons(log)
            if shown is not None:
                rx, ry = shown.residuals
                set_mark_data(self._residual_mark, rx, ry,
                              marker="circle" if shown.markers_on_residuals else None)
                self._residual_axis.label = shown.residual_label
                self._x_axis.label, y_label = shown.x_label, shown.y_label
                self.figure.title = f"{self.source_name} — {shown.title}"
            else:
                set_mark_data(self._residual_mark, [], [])
                self._x_axis.label, y_label = {
                    "tauc": ("photon energy hν (eV)", "(αhν)² (a.u.)"),
                    "xrd": ("2θ (°)", "intensity"),
                    "size": ("size (nm)", "particles per bin"),
                }.get(self.analysis, (f"time ({self.display_unit})", "intensity"))
                self.figure.title = self.source_name
            for axis in self._y_axes.values():
                axis.label = y_label
            set_mark_data(self._zero_mark, [low, high], [0.0, 0.0])
            if log:
                move_marks()

    def _draw_window(self) -> None:
        window = self.window
        with self._quietly():
            if self._xy is not None:
                x = self._xy[0]
                low, high = float(np.min(x)), float(np.max(x))
                self.window_slider.set_range(low, high, window or (low, high))
                self.window_slider.description = f"Window ({self._plot_unit()})"
            if window:
                with self._window_mark.hold_sync():
                    self._window_mark.x = np.array([[window[0]] * 2, [window[1]] * 2])
                    self._window_mark.visible = True
                self.brush.selected = np.array(window, dtype=float)
            else:
                self._window_mark.visible = False
                self.brush.selected = None

    @property
    def _y_axis(self) -> bq.Axis:
        """The y axis on show (log or linear)."""
        return next(axis for axis in self._y_axes.values() if axis.visible)

    def _plot_unit(self) -> str:
        """Unit of the plot's x axis (and of ``window``)."""
        if self.analysis in DECAY_ANALYSES:
            return self.display_unit
        return "eV" if self.analysis == "tauc" else X_UNITS[self.analysis][0]

    def export_figure(self, kind: str = "png") -> tuple[str, str]:
        """Download the plot and the residuals as PNG or SVG files (the browser saves them;
        nothing is written in the working directory). Returns the two file names."""
        if kind not in ("png", "svg"):
            raise ValueError(f"kind must be 'png' or 'svg', got {kind!r}")
        names = (f"{self._stem()}.{kind}", f"{self._stem()}_residuals.{kind}")
        for fig, name in zip((self.figure, self.residual_figure), names, strict=True):
            if kind == "png":
                fig.save_png(name)
            else:
                fig.save_svg(name)
        self.status.show(f"Figure sent to the browser as {names[0]} and {names[1]}.", "ok")
        return names
