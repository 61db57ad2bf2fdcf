"""AnalysisLab's results: the table of parameters with their uncertainties, the XRD peak
table where hkl are typed, and the results written as CSV or JSON (with where they came from)
and offered as a download.

:class:`AnalysisResults` is mixed into
:class:`~lnhet_widgets.widgets.labs.analysis_lab.AnalysisLab`; the tables and files come from
the lab's ``outcome`` (:mod:`~lnhet_widgets.widgets.labs.analysis_outcomes`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as widgets
import numpy as np

from ... import __version__
from ..parts._download import download_link
from .analysis_outcomes import (
    ANALYSES,
    Outcome,
    format_value,
    results_csv,
    results_html,
    results_json,
)

__all__ = ["AnalysisResults"]


class AnalysisResults:
    """The results table (``results``), the XRD peak table (``peak_grid``) and the exports
    (``export_buttons``, ``downloads``)."""

    def _build_exports(self) -> None:
        self._peak_rows: tuple = ()  # the rounded 2θ of the rows in the peak table
        self._exports_meta: dict = {}  # where the last result came from, for its files
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
        >>> from lnhet_widgets.widgets import AnalysisLab
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
