"""AnalysisLab: lesson 5 — analysing your own measurements (SCIENCE.md §10).

Upload a text/CSV file (or pick one of the bundled β-NaYF4:Yb,Tm decays), choose the analysis
— multi-exponential decay, rise and decay, Tauc gap, XRD peaks and lattice constant, size
statistics — set the fit window with the range slider (or by dragging on the plot), and read
the fit, its residuals and the parameters with their uncertainties. Results export as CSV and
JSON (written next to the notebook and offered as a download), the figure as PNG or SVG. A
measured decay can be held against a simulated one: :meth:`AnalysisLab.compare_with` overlays
any curve, and the "Simulate" section overlays the rate-equation model of
:mod:`lnhet_widgets.core.optics.transfer` with one rate scaled by a slider.

The lab's state is a handful of traitlets (``source_name``, ``analysis``, ``window``,
``n_exp``, the options, ``table`` and ``result``), so a notebook can drive it from code. A
bad file, a failed fit or an empty window shows a message in the lab; the last good result
stays (``result`` is always the last successful analysis, and the plot keeps the last good
fit of the data on screen).
"""

from __future__ import annotations

import base64
import binascii
import html
import logging
import re
from contextlib import contextmanager
from pathlib import Path

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import traitlets
from bqplot.interacts import BrushIntervalSelector

from lnhet_widgets.core.analysis import fit_decay

from ... import __version__
from ...data import example_decay_bytes, example_decays
from ...io import MeasuredTable, read_table
from ..custom._window_slider import WindowSlider
from ..parts._debounce import Debouncer
from ..parts._download import download_link
from ..parts.plots import PALETTE, figure, lines, set_mark_data
from ..parts.saved import SavableLab, SaveLoadBar, check_keys, read_choice
from ..parts.status import StatusLine
from .analysis_compare import (
    RATE_KNOBS,
    SimulationControls,
    decay_curve,
    model_decay,
    model_line,
)
from .analysis_views import (
    ANALYSES,
    DECAY_ANALYSES,
    HC_EV_NM,
    TIME_UNITS,
    Outcome,
    XrdAnalysis,
    decay_outcome,
    format_value,
    index_cubic,
    results_csv,
    results_html,
    results_json,
    rise_decay_outcome,
    size_outcome,
    tauc_outcome,
    xrd_outcome,
)

__all__ = ["SETTINGS", "AnalysisLab"]

_log = logging.getLogger(__name__)

_EXAMPLE_CITATION = ("measured by P. Villanueva-Delgado et al., published with simetuc (MIT "
                     "licence); cite simetuc and J. Phys. Chem. C 119, 23648 (2015)")
_UNIT_ALIASES = {"s": "s", "sec": "s", "ms": "ms", "us": "µs", "µs": "µs", "μs": "µs",
                 "ns": "ns"}
X_UNITS = {"decay": tuple(TIME_UNITS), "rise_decay": tuple(TIME_UNITS), "tauc": ("eV", "nm"),
           "xrd": ("°",), "size": ("nm",)}
#: Settings that change the meaning of the x axis: the window goes back to automatic.
_RESETS_WINDOW = ("analysis", "x_unit", "x_column", "y_column")
#: The settings that decide a result besides the data (see :meth:`AnalysisLab.settings`), in
#: the order they are applied.
SETTINGS = ("analysis", "x_unit", "x_column", "y_column", "n_exp", "weights", "log_y",
            "xrd_system", "wavelength_a", "min_prominence", "size_bins", "window")

_PLOT_WIDTH = "820px"
_LEFT_WIDTH = "330px"
_CONTROL = {"width": "320px"}
_STYLE = {"description_width": "90px"}


def _example_label(name: str) -> str:
    found = re.match(r"decay_(Yb|Tm)_(\w+?)_exc_(NIR|Vis)_(\d+)_([\d.]+)Yb_([\d.]+)Tm", name)
    if not found:
        return name
    ion, level, _, nm, yb, tm = found.groups()
    level = "2F5/2" if level == "ES" else level
    return f"{ion} {level}, {nm} nm exc., {float(yb):g}% Yb {float(tm):g}% Tm"


def _example_table(name: str) -> tuple[MeasuredTable, bytes]:
    """A bundled decay (already checked to be one of ``example_decays()``) read as a table,
    and its bytes (what a saved lab needs)."""
    content = example_decay_bytes(name)
    return read_table(content, name=name, min_columns=1), content


def _display_unit(span_s: float) -> str:
    """The largest time unit in which the data span at least 1."""
    return next((u for u, s in TIME_UNITS.items() if span_s >= s), "ns")


def _analysis_for(table: MeasuredTable, current: str) -> str:
    r"""The analysis a file's header asks for, else ``current``: one column is a list of sizes;
    an x column in s/ms/µs/ns is a decay, in eV a spectrum, in degrees or 2θ a pattern.

    Examples
    --------
    >>> from lnhet_widgets.io import read_table
    >>> _analysis_for(read_table(b"Time (ns),Counts\n0,5\n1,3\n"), "size")
    'decay'
    """
    if table.data.shape[1] == 1:
        return "size"
    unit, name = table.units[0].strip().lower(), table.columns[0].lower()
    if unit in _UNIT_ALIASES:
        return current if current in DECAY_ANALYSES else "decay"
    if unit == "ev":
        return "tauc"
    if unit in ("deg", "°", "degree", "degrees") or "theta" in name or "2θ" in name:
        return "xrd"
    return current


def _line(scales, label: str, color: str, **kwargs) -> bq.Lines:
    """A hidden ``Lines`` mark on one point: a line without points gets the invalid path
    "null" when bqplot animates it to new scales (the y scale swaps between log and linear)."""
    mark = lines(scales, label, color, **kwargs)
    mark.x, mark.y, mark.visible = np.zeros(1), np.ones(1), False
    return mark


def _positive(x, y, log: bool):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if log:
        keep = y > 0
        return x[keep], y[keep]
    return x, y


class AnalysisLab(SavableLab, widgets.VBox):
    """Lesson 5 lab: fit your own decays, absorption edges, XRD patterns and size lists.

    Parameters
    ----------
    example : str, optional
        A bundled decay to start with (:func:`lnhet_widgets.data.example_decays`); default
        the Yb ²F5/2 decay under 980 nm excitation. ``""`` starts empty.

    Attributes
    ----------
    source_name : str
        The file analysed (a bundled example's or an upload's name).
    table : MeasuredTable or None
        Its columns (:func:`lnhet_widgets.io.read_table`).
    analysis : {"decay", "rise_decay", "tauc", "xrd", "size"}
    window : (float, float) or None
        Fit window in the plot's x unit (time in ``display_unit``, hν in eV, 2θ in °, size in
        nm); None picks it automatically (a decay from its maximum, the steepest part of a
        Tauc edge, everything otherwise) and is replaced by the window used.
    n_exp : {1, 2, 3, "auto"}
        Exponentials of a decay fit; "auto" compares 1–3 and keeps the best.
    weights : {"auto", "poisson", "equal"}
        Least-squares weights of decay fits.
    x_unit : str
        Unit of the file's x column: s, ms, µs or ns for decays, eV or nm for a Tauc plot.
    x_column, y_column : int
        Columns of ``table`` used (0-based); a size list uses ``y_column``.
    log_y : bool
        Decays on a logarithmic intensity axis.
    xrd_system, wavelength_a, min_prominence : str, float, float
        XRD options: "cubic" or "hexagonal", X-ray wavelength (Å), peak prominence.
    size_bins : int or "auto"
    result : object
        The last successful analysis: a DecayFit, RiseDecayFit, TaucFit,
        :class:`~lnhet_widgets.widgets.labs.analysis_views.XrdAnalysis` or SizeStatistics.
    outcome : Outcome or None
        What the lab shows for ``result`` (curves, parameters, the model comparison).
    display_unit : str
        Time unit of the plot for decays (chosen from the data's span).
    source_bytes : bytes or None
        The file as read (what a saved lab needs to read it again); ``source_example`` the
        bundled example's name, or "" for an upload.

    Examples
    --------
    >>> lab = AnalysisLab()
    >>> lab.analysis, lab.display_unit, lab.result.n_exp
    ('decay', 'ms', 2)
    >>> 2.0 < lab.result.tau_avg < 2.5  # ms
    True
    >>> lab.window = (0.05, 15.0)
    >>> lab.result.window_start >= 0.05
    True
    """

    source_name = traitlets.Unicode("")
    table = traitlets.Instance(MeasuredTable, allow_none=True)
    analysis = traitlets.Enum(tuple(ANALYSES), default_value="decay")
    window = traitlets.Tuple(traitlets.Float(), traitlets.Float(), allow_none=True,
                             default_value=None)
    n_exp = traitlets.Union([traitlets.Int(), traitlets.Unicode()], default_value=2)
    weights = traitlets.Enum(("auto", "poisson", "equal"), default_value="auto")
    x_unit = traitlets.Unicode("s")
    x_column = traitlets.Int(0)
    y_column = traitlets.Int(1)
    log_y = traitlets.Bool(True)
    xrd_system = traitlets.Enum(("cubic", "hexagonal"), default_value="cubic")
    wavelength_a = traitlets.Float(1.5406)
    min_prominence = traitlets.Float(0.05)
    size_bins = traitlets.Union([traitlets.Int(), traitlets.Unicode()], default_value="auto")
    result = traitlets.Any(None)

    def __init__(self, example: str = "decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm.txt"):
        self.status = StatusLine()
        self.outcome: Outcome | None = None
        self.display_unit = "s"
        self.hkl: dict[float, str] = {}  # 2θ of a peak → the hkl typed for it
        self.source_bytes: bytes | None = None
        self.source_example = ""
        self._quiet = 0  # > 0 while the lab sets several things at once
        self._xy: tuple | None = None
        self._data_key = None  # what the plotted data is: source, columns, units, analysis
        self._fit_key = None  # the data key of the fit on screen
        self._comparisons: dict[str, tuple] = {}  # key → (t_s, y, mark)
        self._peak_rows: tuple = ()
        self._window_debounce = Debouncer(self._apply_window_slider, wait_s=0.3)
        self._sim_debounce = Debouncer(lambda: self._safely(self.simulate), wait_s=0.3)
        self._exports_meta: dict = {}
        self._build_figures()
        self._build_controls()
        self._build_simulation()
        self._build_exports()
        self.save_bar = SaveLoadBar(self)
        left = widgets.VBox([self.source_box, self.analysis_box, self.window_box, self.status,
                             self.save_bar, self.simulation],
                            layout={"width": _LEFT_WIDTH, "min_width": "0"})
        right = widgets.VBox([self.figure, self.residual_figure, self.results, self.peak_grid,
                              self.export_box],
                             layout={"width": _PLOT_WIDTH, "max_width": "100%", "min_width": "0"})
        super().__init__([widgets.HBox([left, right], layout={"flex_flow": "row wrap"})])
        self.add_class("lnhet-lab")
        self.add_class("lnhet-analysis-lab")
        self._show_options()
        if example:
            self.load_example(example)
        else:
            self.status.show("Upload a data file or choose a bundled example.")

    # --- layout --------------------------------------------------------------------------

    def _build_figures(self) -> None:
        self._x = bq.LinearScale()
        self._y_lin, self._y_log = bq.LinearScale(), bq.LogScale()
        scales = {"x": self._x, "y": self._y_log}
        self._data_mark = _line(scales, "measured", PALETTE[0])
        self._data_mark.stroke_width = 1.5
        self._fit_mark = _line(scales, "fit", PALETTE[1])
        self._extra_mark = _line(scales, "", PALETTE[3], line_style="dashed")
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
        self._residual_mark = _line({"x": self._x, "y": r_scale}, "residuals", PALETTE[0])
        self._residual_mark.stroke_width, self._residual_mark.display_legend = 1, False
        self._zero_mark = _line({"x": self._x, "y": r_scale}, "0", "#777777",
                                line_style="dashed")
        self._zero_mark.display_legend = False
        self._residual_axis = bq.Axis(scale=r_scale, label="residual", side="left",
                                      tick_format=".2g", num_ticks=3)
        self.residual_figure = figure("", [self._zero_mark, self._residual_mark],
                                      [bq.Axis(scale=self._x), self._residual_axis],
                                      height_px=160)
        self.residual_figure.fig_margin = {"top": 10, "bottom": 30, "left": 75, "right": 20}

    def _build_controls(self) -> None:
        self.example_control = widgets.Dropdown(
            options=[("— choose a bundled decay —", "")]
            + [(_example_label(n), n) for n in example_decays()],
            value="", description="Example", style={"description_width": "60px"},
            layout=_CONTROL)
        self.example_control.observe(self._on_example, names="value")
        self.upload = widgets.FileUpload(accept=".txt,.csv,.dat,.tsv,.xy", multiple=False,
                                         description="Upload data", layout={"width": "150px"},
                                         tooltip="a text or CSV file: x and y columns")
        self.upload.observe(self._on_upload, names="value")
        self.upload.add_class("lnhet-analysis-upload")
        self.source_info = widgets.HTML(layout={"width": "320px"})
        self.x_column_control = widgets.Dropdown(description="x column", style=_STYLE,
                                                 layout=_CONTROL)
        self.y_column_control = widgets.Dropdown(description="y column", style=_STYLE,
                                                 layout=_CONTROL)
        self.columns_box = widgets.VBox([self.x_column_control, self.y_column_control])
        self.x_unit_control = widgets.Dropdown(options=X_UNITS["decay"], description="x unit",
                                               style=_STYLE, layout=_CONTROL,
                                               tooltip="unit of the file's x column")
        self.source_box = widgets.VBox([
            widgets.HTML("<b>Data</b>"), self.example_control,
            widgets.HBox([self.upload], layout={"align_items": "center"}), self.source_info,
            self.columns_box, self.x_unit_control])

        self.analysis_control = widgets.Dropdown(
            options=[(label, key) for key, label in ANALYSES.items()], description="Analysis",
            style=_STYLE, layout=_CONTROL)
        self.n_exp_control = widgets.ToggleButtons(
            options=[("1", 1), ("2", 2), ("3", 3), ("auto", "auto")], description="Exponentials",
            style={**_STYLE, "button_width": "48px"}, layout=_CONTROL,
            tooltips=["", "", "", "compare 1–3 exponentials and keep the best"])
        self.weights_control = widgets.Dropdown(
            options=[("auto (Poisson for counts)", "auto"), ("Poisson (counts)", "poisson"),
                     ("equal", "equal")], description="Weights", style=_STYLE, layout=_CONTROL)
        self.log_y_control = widgets.Checkbox(description="logarithmic intensity axis",
                                              layout=_CONTROL, indent=False)
        self.system_control = widgets.ToggleButtons(options=["cubic", "hexagonal"],
                                                    description="Lattice", style=_STYLE,
                                                    layout=_CONTROL)
        self.wavelength_control = widgets.BoundedFloatText(
            min=0.1, max=5.0, step=0.0001, description="λ (Å)", style=_STYLE, layout=_CONTROL,
            tooltip="X-ray wavelength; Cu Kα1 = 1.5406 Å")
        self.prominence_control = widgets.FloatSlider(
            min=0.005, max=0.5, step=0.005, description="Prominence", style=_STYLE,
            layout=_CONTROL, continuous_update=False, readout_format=".3f",
            tooltip="smallest peak height, as a fraction of the intensity range")
        self.auto_index_button = widgets.Button(description="Auto-index (cubic)",
                                                layout={"width": "160px"},
                                                tooltip="index the peaks by sin²θ ratios")
        self.auto_index_button.on_click(lambda _b: self._safely(self.auto_index))
        self.bins_control = widgets.Dropdown(
            options=[("auto", "auto")] + [(str(n), n) for n in (5, 10, 15, 20, 30, 50)],
            description="Bins", style=_STYLE, layout=_CONTROL)
        self.options_box = widgets.VBox()
        self.analysis_box = widgets.VBox([widgets.HTML("<b>Analysis</b>"),
                                          self.analysis_control, self.options_box])
        for control, name in ((self.analysis_control, "analysis"), (self.n_exp_control, "n_exp"),
                              (self.weights_control, "weights"), (self.x_unit_control, "x_unit"),
                              (self.x_column_control, "x_column"),
                              (self.y_column_control, "y_column"), (self.log_y_control, "log_y"),
                              (self.system_control, "xrd_system"),
                              (self.wavelength_control, "wavelength_a"),
                              (self.prominence_control, "min_prominence"),
                              (self.bins_control, "size_bins")):
            control.observe(self._control_changed(name), names="value")

        self.window_slider = WindowSlider(
            min=0.0, max=1.0, value=(0.0, 1.0), step=0.001, description="Window",
            style=_STYLE, layout=_CONTROL, continuous_update=True, readout_format=".4g")
        self.window_slider.observe(lambda _c: self._quiet or self._window_debounce.trigger(),
                                   names="value")
        self.reset_window_button = widgets.Button(description="automatic", icon="undo",
                                                  layout={"width": "110px"},
                                                  tooltip="choose the window automatically")
        self.reset_window_button.on_click(lambda _b: setattr(self, "window", None))
        self.window_box = widgets.VBox([
            widgets.HTML("<b>Fit window</b> <small>(or drag across the plot)</small>"),
            self.window_slider, self.reset_window_button])

    def _control_changed(self, name: str):
        def changed(change):
            if self._quiet or change.new is None:
                return
            self._safely(lambda: setattr(self, name, change.new))
        return changed

    def _build_simulation(self) -> None:
        self.simulation = SimulationControls(
            on_overlay=lambda: self._safely(self.simulate), on_clear=self.clear_comparisons,
            on_change=self._sim_debounce.trigger)

    def _build_exports(self) -> None:
        buttons = []
        for text, kind in (("Results CSV", "csv"), ("Results JSON", "json"),
                           ("Figure PNG", "png"), ("Figure SVG", "svg")):
            button = widgets.Button(description=text, icon="download",
                                    layout={"width": "125px"})
            action = self.export_results if kind in ("csv", "json") else self.export_figure
            button.on_click(lambda _b, a=action, k=kind: self._safely(lambda: a(k)))
            buttons.append(button)
        self.export_buttons = tuple(buttons)
        self.downloads = widgets.HTML()
        self.downloads.add_class("lnhet-analysis-downloads")
        self.results = widgets.HTML()
        self.results.add_class("lnhet-analysis-results")
        self.peak_grid = widgets.VBox()
        self.export_box = widgets.VBox([
            widgets.HBox(buttons, layout={"flex_flow": "row wrap"}), self.downloads])

    def _show_options(self) -> None:
        analysis = self.analysis
        children = {
            "decay": [self.n_exp_control, self.weights_control, self.log_y_control],
            "rise_decay": [self.weights_control, self.log_y_control],
            "tauc": [],
            "xrd": [self.system_control, self.wavelength_control, self.prominence_control,
                    self.auto_index_button],
            "size": [self.bins_control],
        }[analysis]
        self.options_box.children = children
        self.auto_index_button.disabled = self.xrd_system != "cubic"
        units = X_UNITS[analysis]
        with self._quietly():
            self.x_unit_control.options = units
            self.x_unit_control.value = self.x_unit if self.x_unit in units else units[0]
            # display None: the widget's own default (shown); "none": hidden
            self.x_unit_control.layout.display = None if len(units) > 1 else "none"
            self.simulation.layout.display = None if analysis in DECAY_ANALYSES else "none"
            n_cols = 0 if self.table is None else self.table.data.shape[1]
            self.columns_box.layout.display = None if n_cols > 2 or (
                analysis == "size" and n_cols > 1) else "none"
            self.x_column_control.layout.display = "none" if analysis == "size" else None
            self.y_column_control.description = "sizes" if analysis == "size" else "y column"
            for name, control in (("log_y", self.log_y_control),
                                  ("wavelength_a", self.wavelength_control),
                                  ("min_prominence", self.prominence_control)):
                control.value = getattr(self, name)
            for name, control in (("analysis", self.analysis_control),
                                  ("n_exp", self.n_exp_control),
                                  ("weights", self.weights_control),
                                  ("xrd_system", self.system_control),
                                  ("size_bins", self.bins_control),
                                  ("x_column", self.x_column_control),
                                  ("y_column", self.y_column_control)):
                if getattr(self, name) in [v for _, v in _options(control)]:
                    control.value = getattr(self, name)

    @contextmanager
    def _quietly(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    # --- loading data --------------------------------------------------------------------

    def load_example(self, name: str) -> MeasuredTable:
        """Analyse a bundled decay (a name from :func:`lnhet_widgets.data.example_decays`).

        Raises
        ------
        ValueError
            For an unknown name (also shown in the lab).
        """
        names = example_decays()
        if name not in names:
            message = f"no bundled decay named {name!r}; choose one of {names}"
            self.status.error(message)
            raise ValueError(message)
        table, content = _example_table(name)
        self._set_table(table, content=content, example=name)
        return table

    def load_bytes(self, content, name: str) -> MeasuredTable:
        """Analyse the content of a file (bytes or the memoryview a FileUpload gives).

        Raises
        ------
        lnhet_widgets.io.DataFileError
            For a file that cannot be read; its message (file, line, what is wrong) is also
            shown in the lab, which keeps the previous data and result.
        """
        try:
            table = read_table(content, name=name, min_columns=1)
        except ValueError as error:
            self.status.error(str(error))
            raise
        self._set_table(table, content=bytes(content))
        return table

    def load_file(self, path) -> MeasuredTable:
        """Analyse a file on disk (see :meth:`load_bytes`)."""
        path = Path(path)
        try:
            content = path.read_bytes()
        except OSError as error:
            message = f"{path.name}: cannot read the file ({error.strerror or error})"
            self.status.error(message)
            raise ValueError(message) from None
        return self.load_bytes(content, path.name)

    def _on_example(self, change) -> None:
        if not self._quiet and change.new:
            self._safely(lambda: self.load_example(change.new))

    def _on_upload(self, change) -> None:
        if not change.new:
            return  # the reset below
        item = change.new[0]
        try:
            self.load_bytes(item["content"], item.get("name") or "<uploaded file>")
        except ValueError:
            pass  # shown in the status line; the lab keeps its data
        except Exception as error:  # a bug: show it, keep the traceback in the log
            self.status.error(f"{type(error).__name__}: {error}")
            _log.exception("AnalysisLab: unexpected error while reading an upload")
        finally:
            # Forget the upload, so that choosing the same file again reads it again.
            self.upload.value = ()

    def _set_table(self, table: MeasuredTable, *, content: bytes, example: str = "",
                   refit: bool = True) -> None:
        n_cols = table.data.shape[1]
        if example:  # a bundled decay: time in s
            x_unit = "s"
            analysis = self.analysis if self.analysis in DECAY_ANALYSES else "decay"
        else:
            x_unit, analysis = None, _analysis_for(table, self.analysis)
        self.source_bytes, self.source_example = content, example
        with self._quietly():
            self.table = table
            self.source_name = table.source
            self.analysis = analysis
            self.x_unit = x_unit or self._default_x_unit()
            self.x_column, self.y_column = 0, min(1, n_cols - 1)
            self.window = None
            self.hkl = {}
            labels = [(f"{i + 1}: {c}{f' ({u})' if u else ''}", i)
                      for i, (c, u) in enumerate(zip(table.columns, table.units, strict=True))]
            self.x_column_control.options = labels
            self.y_column_control.options = labels
            self.example_control.value = example
            self.simulation.show(line_nm=model_line(table.source))
        rows = table.data.shape[0]
        note = f"<br><small>{_EXAMPLE_CITATION}</small>" if example else ""
        self.source_info.value = (f"<b>{html.escape(table.source)}</b>: {rows} rows × "
                                  f"{n_cols} column{'s' * (n_cols > 1)}{note}")
        self._show_options()
        if refit:
            self.refit()

    # --- settings ------------------------------------------------------------------------

    def settings(self) -> dict:
        """The lab's settings as JSON-ready values: :data:`SETTINGS` and the hkl typed for
        XRD peaks (``[[2θ, "hkl"], …]``); with the data's source they reproduce the result.

        Examples
        --------
        >>> lab = AnalysisLab()
        >>> s = lab.settings()
        >>> s["analysis"], s["n_exp"], s["window"][0]
        ('decay', 2, 0.0)
        """
        values = {name: getattr(self, name) for name in SETTINGS}
        values["window"] = None if self.window is None else list(self.window)
        values["hkl"] = [[angle, text] for angle, text in sorted(self.hkl.items())]
        return values

    def apply_settings(self, **values) -> None:
        """Set several settings (names of :data:`SETTINGS`, and ``hkl``) at once and analyse
        once. An invalid value raises (``ValueError`` or ``traitlets.TraitError``) before
        anything changes.

        Examples
        --------
        >>> lab = AnalysisLab()
        >>> lab.apply_settings(n_exp=1, weights="equal", window=[0.1, 10.0])
        >>> lab.result.n_exp, lab.result.weights, lab.window
        (1, 'none', (0.1, 10.0))
        """
        unknown = sorted(set(values) - {*SETTINGS, "hkl"})
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}; settings are "
                             f"{', '.join((*SETTINGS, 'hkl'))}")
        hkl = {float(a): str(t) for a, t in values.pop("hkl", sorted(self.hkl.items()))}
        before = {name: getattr(self, name) for name in SETTINGS}
        with self._quietly():
            try:
                for name in SETTINGS:
                    if name in values:
                        setattr(self, name, values[name])
            except traitlets.TraitError:
                for name, value in before.items():
                    setattr(self, name, value)
                raise
            if "window" not in values and any(n in values for n in _RESETS_WINDOW):
                self.window = None
            self.hkl = hkl
        self._show_options()
        self.refit()

    # --- saved work (SavableLab) ---------------------------------------------------------

    def _saved_state(self) -> dict:
        # An upload exists only in this kernel, so the file travels inside the saved state.
        if self.source_example:
            source = {"example": self.source_example}
        elif self.source_bytes is not None:
            source = {"name": self.source_name,
                      "content_base64": base64.b64encode(self.source_bytes).decode("ascii")}
        else:
            source = None
        return {"source": source, "settings": self.settings()}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        check_keys(state, "AnalysisLab", ("source", "settings"))
        source, settings = state["source"], state["settings"]
        if not isinstance(settings, dict):
            raise ValueError("settings must be a mapping of setting names to values")
        unknown = sorted(set(settings) - {*SETTINGS, "hkl"})
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r} in the saved AnalysisLab")
        values = {"example": "", "source": None, "settings": settings}
        if source is None:
            return values
        if not isinstance(source, dict):
            raise ValueError("source must be a bundled example or an uploaded file")
        if "example" in source:
            check_keys(source, "AnalysisLab source", ("example",))
            name = read_choice("source.example", source["example"], example_decays())
            values["source"] = (*_example_table(name), name)
            return values
        check_keys(source, "AnalysisLab source", ("name", "content_base64"))
        try:
            content = base64.b64decode(source["content_base64"], validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise ValueError("source.content_base64 is not valid base64: the saved file is "
                             "damaged") from None
        # Read here: a damaged file fails before any change.
        values["source"] = (read_table(content, name=str(source["name"]), min_columns=1),
                            content, "")
        return values

    def _apply_saved_state(self, values: dict) -> None:
        if values["source"] is None:
            return
        previous = (self._saved_state() if self.source_bytes is not None else None)
        table, content, example = values["source"]
        try:
            # Analysed once, with the saved settings.
            self._set_table(table, content=content, example=example, refit=False)
            self.apply_settings(**values["settings"])
        except (ValueError, traitlets.TraitError):
            # A setting the lab refuses: go back to what was on screen, then report.
            if previous is not None:
                self._apply_saved_state(self._read_saved_state(previous))
            else:
                self.refit()  # the file with the lab's settings
            raise

    @traitlets.validate("n_exp")
    def _check_n_exp(self, proposal):
        if proposal["value"] not in (1, 2, 3, "auto"):
            raise traitlets.TraitError(f"n_exp must be 1, 2, 3 or 'auto', got "
                                       f"{proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("size_bins")
    def _check_bins(self, proposal):
        value = proposal["value"]
        if isinstance(value, str) and value != "auto":
            raise traitlets.TraitError(f"size_bins must be a number of bins or 'auto', got "
                                       f"{value!r}")
        return value

    @traitlets.observe("analysis", "n_exp", "weights", "x_unit", "x_column", "y_column",
                       "xrd_system", "wavelength_a", "min_prominence", "size_bins", "window")
    def _on_setting(self, change) -> None:
        if self._quiet:
            return
        with self._quietly():
            if change.name in _RESETS_WINDOW:
                self.window = None
            if change.name == "analysis" and self.x_unit not in X_UNITS[self.analysis]:
                self.x_unit = self._default_x_unit()
        self._show_options()
        self.refit()

    def _default_x_unit(self) -> str:
        """The x unit a file's header states, or a guess from its numbers."""
        units = X_UNITS[self.analysis]
        table = self.table
        stated = table.units[0].strip() if table is not None else ""
        if self.analysis in DECAY_ANALYSES:
            if _UNIT_ALIASES.get(stated) in units:
                return _UNIT_ALIASES[stated]
            return self.x_unit if self.x_unit in units else "s"
        if self.analysis == "tauc" and table is not None and table.data.shape[1] > 1:
            # wavelengths (hundreds of nm) or photon energies (a few eV)
            return "nm" if stated == "nm" or float(np.median(table.x)) > 100 else "eV"
        return units[0]

    @traitlets.observe("log_y")
    def _on_log_y(self, _change) -> None:
        self._show_options()
        self._draw()

    def _apply_window_slider(self) -> None:
        low, high = self.window_slider.value
        # Both handles dragged onto one point are no window: put the one in use back on
        # screen. The browser also sends back the fitted window rounded to the slider's
        # step whenever the kernel moves the slider; that is no choice of the user's either,
        # and must not refit.
        if not high > low:
            self._draw_window()
            return
        if self.window is not None and all(
                abs(new - old) <= self.window_slider.step / 2 + 1e-12
                for new, old in zip((low, high), self.window, strict=True)):
            return
        self.window = (float(low), float(high))

    def _on_brush(self, change) -> None:
        selected = self.brush.selected
        if change.new or selected is None or len(selected) != 2 or self._quiet:
            return
        low, high = sorted(float(v) for v in selected)
        if high > low:
            self.window = (low, high)

    # --- analysing -----------------------------------------------------------------------

    def _columns(self) -> tuple[np.ndarray, np.ndarray, str]:
        """x and y of the current analysis in the plot's units, and the y unit."""
        table, analysis = self.table, self.analysis
        n_cols = table.data.shape[1]
        if analysis == "size":
            sizes = table.column(min(self.y_column, n_cols - 1))
            return sizes, sizes, "nm"
        if n_cols < 2:
            raise ValueError(f"{table.source} has a single column; {ANALYSES[analysis]} needs "
                             "x and y columns (a single column is a list of sizes)")
        x = np.array(table.column(self.x_column), dtype=float)
        y = np.array(table.column(self.y_column), dtype=float)
        if self.x_unit not in X_UNITS[analysis]:
            raise ValueError(f"x_unit must be one of {list(X_UNITS[analysis])} for "
                             f"{ANALYSES[analysis]}, got {self.x_unit!r}")
        if analysis in DECAY_ANALYSES:
            seconds = x * TIME_UNITS[self.x_unit]
            self.display_unit = _display_unit(float(np.ptp(seconds)))
            x = seconds / TIME_UNITS[self.display_unit]
        elif analysis == "tauc" and self.x_unit == "nm":
            if np.any(x <= 0):
                raise ValueError("wavelengths must be > 0 nm to convert them to photon energies")
            x = HC_EV_NM / x
        return x, y, table.units[self.y_column]

    def _analyse(self, x, y, y_unit: str) -> Outcome:
        window, analysis = self.window, self.analysis
        if analysis == "decay":
            return decay_outcome(x, y, unit=self.display_unit, y_unit=y_unit, n_exp=self.n_exp,
                                 weights=self.weights, window=window)
        if analysis == "rise_decay":
            return rise_decay_outcome(x, y, unit=self.display_unit, y_unit=y_unit,
                                      weights=self.weights, window=window)
        if analysis == "tauc":
            return tauc_outcome(x, y, window=window)
        if analysis == "xrd":
            return xrd_outcome(x, y, window=window, min_prominence=self.min_prominence,
                               wavelength_a=self.wavelength_a, system=self.xrd_system,
                               hkl_by_angle=self.hkl)
        return size_outcome(x, window=window, bins=self.size_bins)

    def refit(self):
        """Analyse the current data with the current settings; return the result (or None
        when the analysis failed: the message is in the status line, the last result stays)."""
        if self.table is None:
            return None
        try:
            x, y, y_unit = self._columns()
        except (ValueError, IndexError, KeyError) as error:
            self.status.error(str(error).strip("'\""))
            return None
        self._xy = (x, y)
        self._data_key = (id(self.table), self.analysis, self.x_column, self.y_column,
                          self.x_unit, self.display_unit)
        self.status.show("Fitting…", "busy")
        try:
            outcome = self._analyse(x, y, y_unit)
        except (ValueError, RuntimeError) as error:
            self.status.error(str(error))
            self._draw()
            return None
        except Exception as error:  # a bug: show it and keep the traceback in the log
            self.status.error(f"{type(error).__name__}: {error}")
            _log.exception("AnalysisLab: unexpected error in the analysis")
            self._draw()
            return None
        self.outcome, self._fit_key = outcome, self._data_key
        self._exports_meta = self._meta(outcome)
        with self._quietly():
            if self.window is None:
                self.window = tuple(float(v) for v in outcome.window)
        self.result = outcome.result
        self._draw()
        self._show_results(outcome)
        self.downloads.value = ""  # the links were of the previous fit
        self.status.show(outcome.summary, "ok")
        return outcome.result

    # --- drawing -------------------------------------------------------------------------

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
        shown_y = _positive(*data, log)[1]
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
            set_mark_data(self._data_mark, *_positive(*data, log))
            for mark, curve, label in (
                    (self._fit_mark, shown and shown.fit, shown and shown.fit_label),
                    (self._extra_mark, shown and shown.extra, shown and shown.extra_label)):
                if curve:
                    set_mark_data(mark, *_positive(*curve, log), labels=[label],
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

    def _draw_comparisons(self, log: bool) -> None:
        visible = self.analysis in DECAY_ANALYSES and self._xy is not None
        top = float(np.max(self._xy[1])) if visible else 1.0
        for t_s, y, mark in self._comparisons.values():
            if not visible or not np.any(y > 0):
                set_mark_data(mark, [], [])
                continue
            t = t_s / TIME_UNITS[self.display_unit]
            set_mark_data(mark, *_positive(t, y * (top / np.max(y)), log))

    def _show_results(self, outcome: Outcome) -> None:
        # Say whose numbers these are: they stay when a later analysis fails.
        self.results.value = (f"<div class='lnhet-results-source'><b>"
                              f"{html.escape(self.source_name)}</b> — "
                              f"{ANALYSES[self.analysis]}</div>" + results_html(outcome))
        if self.analysis != "xrd":
            self._close_peak_grid()
            return
        peaks, hkl = outcome.result.peaks, outcome.result.hkl
        key = tuple(np.round(peaks.two_theta_deg, 3))
        if key != self._peak_rows:  # new peaks: new rows (typing in the old ones is kept)
            head = ["#", "2θ (°)", "d (Å)", "FWHM (°)", "size (nm)", "hkl"]
            cells = [widgets.HTML(f"<b>{h}</b>") for h in head]
            for i, angle in enumerate(peaks.two_theta_deg):
                text = widgets.Text(value=hkl[i], placeholder="e.g. 110",
                                    layout={"width": "80px"}, continuous_update=False)
                text.observe(self._hkl_typed(float(angle)), names="value")
                cells += [widgets.HTML(str(i + 1)),
                          widgets.HTML(format_value(peaks.two_theta_deg[i],
                                                    peaks.two_theta_err_deg[i], 1)),
                          widgets.HTML(f"{peaks.d_spacing_a[i]:.4f}"),
                          widgets.HTML(f"{peaks.fwhm_deg[i]:.3f}"),
                          widgets.HTML(f"{outcome.result.scherrer_nm[i]:.1f}"), text]
            self._close_peak_grid()
            self._peak_rows = key
            self.peak_grid.children = (widgets.GridBox(cells, layout={
                "grid_template_columns": "30px 120px 70px 70px 70px 90px",
                "width": "500px"}),)
        else:
            texts = [c for c in self.peak_grid.children[0].children if isinstance(c, widgets.Text)]
            with self._quietly():
                for text, value in zip(texts, hkl, strict=True):
                    text.value = value

    def _close_peak_grid(self) -> None:
        for grid in self.peak_grid.children:
            for cell in grid.children:
                cell.close()
            grid.close()
        self.peak_grid.children = ()
        self._peak_rows = ()

    def _hkl_typed(self, angle: float):
        def typed(change):
            if self._quiet:
                return
            self.hkl = {**self.hkl, angle: change.new.strip()}
            self.refit()
        return typed

    def set_hkl(self, texts) -> None:
        """Index the peaks found (in order of 2θ): one hkl text per peak ("" for none)."""
        if not isinstance(self.result, XrdAnalysis):
            raise ValueError("set_hkl needs an XRD analysis with peaks")
        angles = self.result.peaks.two_theta_deg
        if len(texts) != len(angles):
            raise ValueError(f"give one hkl per peak: {len(angles)} peaks, {len(texts)} hkl")
        self.hkl = {float(a): str(t) for a, t in zip(angles, texts, strict=True)}
        self.refit()

    def auto_index(self) -> list:
        """Index the peaks found as a cubic phase (:func:`~lnhet_widgets.core.
        diffraction_analysis.index_cubic`) and fit the lattice constant; returns the hkl."""
        if not isinstance(self.result, XrdAnalysis):
            raise ValueError("auto-indexing needs an XRD analysis with peaks")
        hkl = index_cubic(self.result.peaks.two_theta_deg, wavelength_a=self.wavelength_a)
        self.set_hkl(["".join(map(str, h)) for h in hkl])
        return hkl

    # --- exports -------------------------------------------------------------------------

    def _meta(self, outcome: Outcome) -> dict:
        unit = self._plot_unit()
        table = self.table
        label = [f"{c} ({u})" if u else c for c, u in zip(table.columns, table.units,
                                                            strict=True)]
        meta = {"lab": "AnalysisLab", "library_version": __version__,
                "source": self.source_name, "analysis": self.analysis,
                "analysis_label": ANALYSES[self.analysis],
                "y_column": f"{self.y_column + 1}: {label[self.y_column]}"}
        if self.analysis != "size":
            meta["x_column"] = f"{self.x_column + 1}: {label[self.x_column]}"
            meta["x_unit_in_file"] = self.x_unit
        meta["window"] = [float(v) for v in outcome.window]
        meta["window_unit"] = unit
        options = {"decay": {"n_exp": self.n_exp, "weights": self.weights},
                   "rise_decay": {"weights": self.weights}, "tauc": {},
                   "xrd": {"system": self.xrd_system, "wavelength_a": self.wavelength_a,
                           "min_prominence": self.min_prominence},
                   "size": {"bins": self.size_bins}}[self.analysis]
        if options:
            meta["options"] = options
        return meta

    def _stem(self) -> str:
        stem = re.sub(r"[^\w.-]+", "_", Path(self.source_name or "data").stem).strip("_")
        return f"{stem or 'data'}_{self.analysis}"

    def export_results(self, kind: str = "csv", path=None) -> Path:
        """Write the last result as CSV (parameters) or JSON (parameters, the core result and
        where it came from) to ``path`` (default ``<file>_<analysis>_results.<kind>`` in the
        working directory) and offer it as a download link in the lab.

        Examples
        --------
        >>> import tempfile, os
        >>> lab = AnalysisLab()
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = lab.export_results("csv", os.path.join(folder, "fit.csv"))
        ...     "tau_avg" in path.read_text()
        True
        """
        if kind not in ("csv", "json"):
            raise ValueError(f"kind must be 'csv' or 'json', got {kind!r}")
        if self.outcome is None:
            raise ValueError("nothing to export yet: load data and fit first")
        maker = results_csv if kind == "csv" else results_json
        text = maker(self.outcome, self._exports_meta)
        path = Path(path) if path is not None else Path(f"{self._stem()}_results.{kind}")
        path.write_text(text, encoding="utf-8")
        mime = "text/csv" if kind == "csv" else "application/json"
        self.downloads.value = (f"Saved <code>{html.escape(str(path.resolve()))}</code> — "
                                + download_link(path.name, text, mime,
                                                f"download {path.name}"))
        self.status.show(f"Saved {path.name} in {path.resolve().parent}.", "ok")
        return path

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

    # --- comparison with a simulation ----------------------------------------------------

    def compare_with(self, t, y=None, *, label: str = "simulated", time_unit: str = "s",
                     line_nm: float | None = None) -> bq.Lines:
        """Overlay a simulated decay on the measured one, scaled to the measured maximum.

        Parameters
        ----------
        t : array_like or result
            Times in ``time_unit``, or a core result with a decay curve: a
            :class:`~lnhet_widgets.core.optics.TransferResult` from ``dynamics`` (with
            ``line_nm``, default 980 nm), an ``AnnealOptics`` (its 450 nm decay) or a
            ``BleachResult`` (its bleach).
        y : array_like, optional
            Intensities (any scale), for times ``t``.
        label : str
            Legend text; a curve with the same label is replaced.
        time_unit : {"s", "ms", "µs", "ns"}

        Returns
        -------
        bqplot.Lines
            The overlaid curve's mark (shown while the analysis is a decay one).

        Examples
        --------
        >>> lab = AnalysisLab()
        >>> t = np.linspace(0.0, 0.02, 200)
        >>> mark = lab.compare_with(t, np.exp(-t / 2e-3), label="τ = 2 ms")
        >>> float(mark.y.max()) == float(lab._data_mark.y.max())
        True
        """
        t_s, y = decay_curve(t, y, time_unit=time_unit, line_nm=line_nm)
        old = self._comparisons.get(label)
        if old is not None:
            mark = old[2]
        else:
            color = PALETTE[(2 + 3 * len(self._comparisons)) % len(PALETTE)]
            mark = _line({"x": self._x, "y": self._data_mark.scales["y"]}, label, color,
                         line_style="dash_dotted")
            self.figure.marks = [*self.figure.marks, mark]
        self._comparisons[label] = (t_s, y, mark)
        self._draw_comparisons(self.log_y and self.analysis in DECAY_ANALYSES)
        return mark

    def clear_comparisons(self) -> None:
        """Remove every overlaid curve."""
        marks = {id(c[2]) for c in self._comparisons.values()}
        self.figure.marks = [m for m in self.figure.marks if id(m) not in marks]
        self._comparisons = {}
        self.simulation.active = False
        self.simulation.info.value = ""

    def simulate(self, line_nm: float | None = None, rate: str | None = None,
                 factor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Overlay the rate-equation model's decay of one line with one rate group scaled by
        ``factor`` (:func:`~lnhet_widgets.widgets.labs.analysis_compare.model_decay`: the particle
        of the file's name, a 10 µs 980 nm pulse, up to the end of the measurement).

        The options default to the Simulate controls (and are shown there); from then on a
        change of those controls re-simulates. Returns the model's times (s) and intensities.
        """
        self.simulation.show(line_nm, rate, factor)
        nm, knob, scale = self.simulation.read()
        end_s = 2e-3
        if self._xy is not None and self.analysis in DECAY_ANALYSES:
            end_s = float(np.max(self._xy[0])) * TIME_UNITS[self.display_unit]
        t, y, params = model_decay(self.source_name, line_nm=nm, rate=knob, factor=scale,
                                   end_s=end_s)
        label = f"model {nm:g} nm, {RATE_KNOBS[knob]} ×{scale:.3g}"
        for key in [k for k in self._comparisons if k.startswith("model ") and k != label]:
            mark = self._comparisons.pop(key)[2]
            self.figure.marks = [m for m in self.figure.marks if m is not mark]
        self.compare_with(t, y, label=label, time_unit="s")
        self.simulation.active = True
        unit = self.display_unit
        fit = fit_decay(t / TIME_UNITS[unit], y / y.max(), n_exp=1, weights=None)
        self.simulation.info.value = (
            f"Model: β-NaYF4, {100 * params.yb_fraction:g} % Yb, {100 * params.tm_fraction:g} % "
            f"Tm, {params.core_diameter_nm:g} nm; decay time from the maximum ≈ "
            f"<b>{fit.lifetimes[0]:.3g} {unit}</b>.")
        return t, y

    def _safely(self, func) -> None:
        try:
            func()
        except (ValueError, RuntimeError, traitlets.TraitError) as error:
            self.status.error(str(error))
        except Exception as error:  # a bug: show it, keep the traceback in the log
            self.status.error(f"{type(error).__name__}: {error}")
            _log.exception("AnalysisLab: unexpected error")


def _options(control) -> list:
    return [o if isinstance(o, tuple) else (o, o) for o in control.options]
