"""AnalysisLab: lesson 5 — analysing your own measurements (SCIENCE.md §10).

Upload a text/CSV file (or pick one of the bundled β-NaYF4:Yb,Tm decays, or load lesson 5's
practice data made by the models), choose the analysis
— multi-exponential decay, rise and decay, Tauc gap, XRD peaks and lattice constant, size
statistics — set the fit window with the range slider (or by dragging on the plot), and read
the fit, its residuals and the parameters with their uncertainties. Results export as CSV and
JSON (written next to the notebook and offered as a download), the figure as PNG or SVG. A
measured decay can be held against a simulated one: :meth:`AnalysisLab.compare_with` overlays
any curve, and the "Simulate" section overlays the rate-equation model
(:func:`lnhet_widgets.core.optics.dynamics`) with one rate scaled by a slider.

The lab's state is a handful of traitlets (``source_name``, ``analysis``, ``window``,
``n_exp``, the options, ``table`` and ``result``), so a notebook can drive it from code. A
bad file, a failed fit or an empty window shows a message in the lab; the last good result
stays (``result`` is always the last successful analysis, and the plot keeps the last good
fit of the data on screen).

This module holds the lab's state and wiring (loading, settings, save/load, the analysis);
beside it, ``analysis_controls`` (the controls), ``analysis_plots`` (the plot and residuals),
``analysis_results`` (the tables and the exports), ``analysis_compare`` (the overlays and the
model), ``analysis_data`` (reading the file) and ``analysis_outcomes`` (one analysis per kind
of data, no widgets).
"""

from __future__ import annotations

import base64
import binascii
import html
import logging
from contextlib import contextmanager
from pathlib import Path

import ipywidgets as widgets
import traitlets

from ...core.heterostructure.practice import PRACTICE_KINDS, practice_data
from ...data import example_decays
from ...io import MeasuredTable, read_table
from ..parts.saved import SavableLab, SaveLoadBar, check_keys, read_choice
from ..parts.status import StatusLine
from .analysis_compare import ModelComparison, model_line
from .analysis_controls import LAB_PRACTICE_KINDS, AnalysisControls
from .analysis_data import (
    EXAMPLE_CITATION,
    X_UNITS,
    analysis_for,
    default_x_unit,
    example_table,
    plot_columns,
)
from .analysis_outcomes import (
    ANALYSES,
    DECAY_ANALYSES,
    Outcome,
    XrdAnalysis,
    decay_outcome,
    index_cubic,
    rise_decay_outcome,
    size_outcome,
    tauc_outcome,
    xrd_outcome,
)
from .analysis_plots import AnalysisPlots
from .analysis_results import AnalysisResults

__all__ = ["SETTINGS", "AnalysisLab"]

_log = logging.getLogger(__name__)

#: Settings that change the meaning of the x axis: the window goes back to automatic.
_RESETS_WINDOW = ("analysis", "x_unit", "x_column", "y_column")
#: The settings that decide a result besides the data (see :meth:`AnalysisLab.settings`), in
#: the order they are applied.
SETTINGS = ("analysis", "x_unit", "x_column", "y_column", "n_exp", "weights", "log_y",
            "xrd_system", "wavelength_a", "min_prominence", "size_bins", "window")

_PLOT_WIDTH = "820px"
_LEFT_WIDTH = "330px"


class AnalysisLab(AnalysisControls, AnalysisPlots, AnalysisResults, ModelComparison, SavableLab,
                  widgets.VBox):
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
        :class:`~lnhet_widgets.widgets.labs.analysis_outcomes.XrdAnalysis` or SizeStatistics.
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
        table, content = example_table(name)
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

    def load_practice(self, kind: str) -> MeasuredTable:
        """Analyse a practice file of lesson 5 (what *Load practice data* does): ``kind`` is
        "absorbance" (Tauc gap), "xrd" (peaks and lattice constant) or "sizes" (size
        statistics); see :mod:`lnhet_widgets.core.heterostructure.practice`. It is kept like
        an upload (a saved lab carries the file).

        Raises
        ------
        ValueError
            For another kind (also shown in the lab).

        Examples
        --------
        >>> lab = AnalysisLab()
        >>> lab.load_practice("sizes").source, lab.analysis
        ('edges.csv', 'size')
        """
        if kind not in LAB_PRACTICE_KINDS:
            message = (f"no practice data {kind!r} for the lab; choose one of "
                       + ", ".join(f"{k} ({PRACTICE_KINDS[k]})" for k in LAB_PRACTICE_KINDS))
            self.status.error(message)
            raise ValueError(message)
        self.status.show(f"Making the practice data: {PRACTICE_KINDS[kind]}…", "busy")
        data = practice_data(kind)
        table = self.load_bytes(data.content, data.name)
        with self._quietly():
            self.practice_control.value = kind
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
            x_unit, analysis = None, analysis_for(table, self.analysis)
        self.source_bytes, self.source_example = content, example
        with self._quietly():
            self.table = table
            self.source_name = table.source
            self.analysis = analysis
            self.x_unit = x_unit or default_x_unit(self.analysis, self.table, self.x_unit)
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
        note = f"<br><small>{EXAMPLE_CITATION}</small>" if example else ""
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
            values["source"] = (*example_table(name), name)
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

    # --- reacting to settings ------------------------------------------------------------

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
                self.x_unit = default_x_unit(self.analysis, self.table, self.x_unit)
        self._show_options()
        self.refit()

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
            x, y, y_unit, unit = plot_columns(self.table, self.analysis, x_column=self.x_column,
                                              y_column=self.y_column, x_unit=self.x_unit)
        except (ValueError, IndexError, KeyError) as error:
            self.status.error(str(error).strip("'\""))
            return None
        self.display_unit = unit or self.display_unit
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
        """Index the peaks found as a cubic phase (:func:`~lnhet_widgets.core.analysis.
        index_cubic`) and fit the lattice constant; returns the hkl."""
        if not isinstance(self.result, XrdAnalysis):
            raise ValueError("auto-indexing needs an XRD analysis with peaks")
        hkl = index_cubic(self.result.peaks.two_theta_deg, wavelength_a=self.wavelength_a)
        self.set_hkl(["".join(map(str, h)) for h in hkl])
        return hkl

    def _safely(self, func) -> None:
        try:
            func()
        except (ValueError, RuntimeError, traitlets.TraitError) as error:
            self.status.error(str(error))
        except Exception as error:  # a bug: show it, keep the traceback in the log
            self.status.error(f"{type(error).__name__}: {error}")
            _log.exception("AnalysisLab: unexpected error")
