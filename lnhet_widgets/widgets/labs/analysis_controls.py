"""AnalysisLab's controls: the data source (bundled example, upload, columns, x unit), the
analysis and its options, and the fit window; they follow the lab's settings (traitlets) and
set them when the user changes one.

:class:`AnalysisControls` is mixed into
:class:`~lnhet_widgets.widgets.labs.analysis_lab.AnalysisLab`.
"""

from __future__ import annotations

import ipywidgets as widgets

from ...core.heterostructure.practice import PRACTICE_KINDS
from ...data import example_decays
from ..custom._window_slider import WindowSlider
from ..parts._throttle import Throttle
from .analysis_data import X_UNITS, example_label
from .analysis_outcomes import ANALYSES, DECAY_ANALYSES

__all__ = ["LAB_PRACTICE_KINDS", "AnalysisControls"]

#: The practice files the lab analyses (the dilution series is for ``ecp`` in code).
LAB_PRACTICE_KINDS = ("absorbance", "xrd", "sizes")

_CONTROL = {"width": "320px"}
_STYLE = {"description_width": "90px"}


def _options(control) -> list:
    return [o if isinstance(o, tuple) else (o, o) for o in control.options]


class AnalysisControls:
    """The left column of AnalysisLab: ``source_box``, ``analysis_box`` and ``window_box``."""

    def _build_controls(self) -> None:
        self.example_control = widgets.Dropdown(
            options=[("— choose a bundled decay —", "")]
            + [(example_label(n), n) for n in example_decays()],
            value="", description="Example", style={"description_width": "60px"},
            layout=_CONTROL)
        self.example_control.observe(self._on_example, names="value")
        self.upload = widgets.FileUpload(accept=".txt,.csv,.dat,.tsv,.xy", multiple=False,
                                         description="Upload data", layout={"width": "150px"},
                                         tooltip="a text or CSV file: x and y columns")
        self.upload.observe(self._on_upload, names="value")
        self.upload.add_class("lnhet-analysis-upload")
        self.source_info = widgets.HTML(layout={"width": "320px"})
        # Practice data behind a button: in an app a lesson cannot ask the student to run a
        # cell that loads it.
        self.practice_control = widgets.Dropdown(
            options=[(PRACTICE_KINDS[kind], kind) for kind in LAB_PRACTICE_KINDS],
            description="Practice", style={"description_width": "60px"}, layout=_CONTROL,
            tooltip="data made by the course's models, with noise")
        self.practice_button = widgets.Button(description="Load practice data",
                                              icon="flask", layout={"width": "170px"},
                                              tooltip="analyse the practice file chosen above")
        self.practice_button.on_click(
            lambda _b: self._safely(lambda: self.load_practice(self.practice_control.value)))
        self.practice_control.add_class("lnhet-analysis-practice-choice")
        self.practice_button.add_class("lnhet-analysis-practice")
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
            widgets.HBox([self.upload], layout={"align_items": "center"}),
            self.practice_control, self.practice_button, self.source_info,
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
        self._window_throttle = Throttle(self._apply_window_slider)
        self.window_slider.observe(lambda _c: self._quiet or self._window_throttle.trigger(),
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
