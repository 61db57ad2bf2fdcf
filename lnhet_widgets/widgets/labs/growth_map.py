"""GrowthLab's "Coating map" tab: core size × temperature swept by
:func:`~lnhet_widgets.core.growth.coating_map` in a background thread, on the lab's
``executor`` (local cores, a pool or a Dask client), with a progress bar and a Stop button,
drawn as a heat map of the coated fraction. A map estimated to take longer than
``map_confirm_s`` asks for confirmation before it starts.

:class:`CoatingMapTab` is mixed into :class:`~lnhet_widgets.widgets.labs.growth_lab.GrowthLab`;
it reads the lab's ``params``, ``seed``, ``status`` and ``tabs`` and sets its ``coating``.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
import threading
import time

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from lnhet_widgets.core.growth import CoatingMap, GrowthParams, check_map_grid, coating_map
from lnhet_widgets.core.sweeps import estimate_seconds

from ..parts.background import LatestJob
from ..parts.plots import PALETTE, set_mark_data
from ..parts.saved import check_keys, read_choice, read_number
from .growth_plots import LIMIT_DIAMETER_NM

__all__ = ["MAP_CONFIRM_S", "MAP_STEPS", "NOT_COMPUTED", "CoatingMapTab", "read_map_state"]

_log = logging.getLogger(__name__)

# Default coating-map grid and sample size per cell: 19 × 13 cells of 300 cores each take
# ~13 s on two cores; the 1500 cores of the main simulation would take ~5× longer, for a
# coated fraction that 300 cores already give to about ±0.03.
MAP_DIAMETERS_NM = (3.0, 12.0)
MAP_TEMPERATURES_C = (190.0, 250.0)
MAP_STEPS = {"fine (0.5 nm × 5 °C)": (0.5, 5.0), "coarse (1 nm × 10 °C)": (1.0, 10.0)}
MAP_CORES_PER_CELL = 300
# A map estimated to take longer than this asks "Run anyway / Cancel" before it starts: a
# minute is what one waits for without having planned to.
MAP_CONFIRM_S = 60.0
_DONE_CLASS = "lnhet-coating-done"
# Coating map colours: grey for cells not computed, then viridis over coated fraction 0–1.
NOT_COMPUTED = -0.25
_MAP_COLORS = ("#d9d9d9", "#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")


def _cell_edges(centres: np.ndarray, half_width: float) -> np.ndarray:
    """Edges of heat-map cells around increasing ``centres`` (midpoints, extrapolated)."""
    if centres.size == 1:
        return np.array([centres[0] - half_width, centres[0] + half_width])
    mid = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def _grid(bounds: tuple[float, float], step: float) -> np.ndarray:
    low, high = bounds
    return np.round(np.arange(low, high + 0.5 * step, step), 6)


def _axis(name: str, values) -> np.ndarray:
    axis = np.unique(np.asarray(values, dtype=float).ravel())
    if axis.size == 0 or not np.all(np.isfinite(axis)):
        raise ValueError(f"{name} must be a non-empty list of finite numbers, got {values!r}")
    return axis


def _saved_range(name: str, values, unit: str, low: float, high: float) -> tuple:
    """A saved (low, high) pair of a range slider, checked against the slider's bounds."""
    if not isinstance(values, list) or len(values) != 2:
        raise ValueError(f"{name} must be a pair [low, high] in {unit}, got {values!r}")
    pair = tuple(read_number(name, v, unit, low, high) for v in values)
    if pair[0] > pair[1]:
        raise ValueError(f"{name} = {values!r} {unit}: low must not exceed high")
    return pair


def read_map_state(grid) -> dict:
    """The coating map's grid as saved by :meth:`CoatingMapTab._map_state`, checked."""
    check_keys(grid, "GrowthLab coating map",
               ("core_diameters_nm", "temperatures_c", "grid", "cores_per_cell"))
    return {"core_diameters_nm": _saved_range("coating_map.core_diameters_nm",
                                              grid["core_diameters_nm"], "nm", 1.0, 30.0),
            "temperatures_c": _saved_range("coating_map.temperatures_c",
                                           grid["temperatures_c"], "°C", 120.0, 300.0),
            "grid": read_choice("coating_map.grid", grid["grid"], MAP_STEPS),
            "cores_per_cell": read_number("coating_map.cores_per_cell",
                                          grid["cores_per_cell"], "", 10, 20000, integer=True)}


class CoatingMapTab:
    """The Coating map tab: its grid controls, Run and Stop, the worker thread, the heat map."""

    def _build_map_page(self) -> None:
        style = {"description_width": "130px"}
        self.map_diameters = widgets.FloatRangeSlider(
            value=MAP_DIAMETERS_NM, min=1.0, max=30.0, step=0.5, description="Core diameter (nm)",
            style=style, layout={"width": "420px"}, continuous_update=False)
        self.map_temperatures = widgets.FloatRangeSlider(
            value=MAP_TEMPERATURES_C, min=120.0, max=300.0, step=5.0,
            description="Temperature (°C)", style=style, layout={"width": "420px"},
            continuous_update=False)
        self.map_step = widgets.Dropdown(options=list(MAP_STEPS), description="Grid",
                                         style={"description_width": "40px"},
                                         layout={"width": "240px"})
        self.map_cores = widgets.BoundedIntText(
            value=MAP_CORES_PER_CELL, min=10, max=20000, step=100,
            description="Cores per cell", style={"description_width": "100px"},
            layout={"width": "200px"})
        self.run_button = widgets.Button(description="Run map", icon="play",
                                         button_style="primary", layout={"width": "110px"})
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True,
                                          layout={"width": "90px"})
        self.run_button.on_click(self._on_run_clicked)
        self._estimate_job = LatestJob("GrowthLab-map-estimate")
        self.stop_button.on_click(lambda _b: self.stop_coating_map())
        self.map_progress = widgets.IntProgress(value=0, min=0, max=1,
                                                layout={"width": "320px"})
        self.map_label = widgets.HTML("Coating map: not run yet.")
        self.map_label.add_class("lnhet-coating-status")
        note = widgets.HTML(
            "<small>Each cell is one simulation at that mean core size and injection "
            "temperature, with the lab's other settings (size spread included) and at most "
            "<i>Cores per cell</i> cores (the lab's own run uses <i>Simulated cores</i>), so "
            "that the map finishes in seconds. Grey cells: not computed.</small>")

        column = bq.LinearScale()
        row = bq.LinearScale()
        # bqplot paints NaN cells black (its null_color only applies to null, which a binary
        # array cannot hold), so cells not computed get the value NOT_COMPUTED, which this
        # scale paints grey: its colours are spread evenly over [NOT_COMPUTED, 1], the first
        # stop grey, then viridis from 0 to 1.
        color = bq.ColorScale(min=NOT_COMPUTED, max=1.0, colors=list(_MAP_COLORS))
        d, t = _grid(MAP_DIAMETERS_NM, 0.5), _grid(MAP_TEMPERATURES_C, 5.0)
        self._heat = bq.GridHeatMap(
            column=_cell_edges(d, 0.25), row=_cell_edges(t, 2.5),
            color=np.full((t.size, d.size), NOT_COMPUTED), stroke="white",
            scales={"column": column, "row": row, "color": color})
        self._map_limit = bq.Lines(x=[LIMIT_DIAMETER_NM] * 2, y=[t[0] - 2.5, t[-1] + 2.5],
                                   scales={"x": column, "y": row}, colors=["white"],
                                   line_style="dashed", stroke_width=2)
        self._map_here = bq.Scatter(x=[0.0], y=[0.0], scales={"x": column, "y": row},
                                    marker="diamond", colors=[PALETTE[1]], stroke="white",
                                    default_size=90)
        self.map_fig = bq.Figure(
            marks=[self._heat, self._map_limit, self._map_here],
            axes=[bq.Axis(scale=column, label="mean core diameter (nm)"),
                  bq.Axis(scale=row, label="injection temperature (°C)",
                          side="left", tick_format=".0f"),
                  # No label on the colour bar: bqplot centres it over the bar, where the
                  # heat map covers it; the title says what the colour is.
                  bq.ColorAxis(scale=color, side="right", tick_format=".1f",
                               tick_values=np.linspace(0.0, 1.0, 6))],
            title="Coated fraction of the cores (◆ current recipe; dashed: P1's 8 nm at 220 °C)",
            layout={"height": "420px", "width": "100%"},
            fig_margin={"top": 40, "bottom": 50, "left": 65, "right": 90})
        self.map_confirm_label = widgets.HTML()
        self.run_anyway_button = widgets.Button(description="Run anyway", icon="play",
                                                button_style="warning",
                                                layout={"width": "120px"})
        self.cancel_button = widgets.Button(description="Cancel", layout={"width": "90px"})
        self.run_anyway_button.on_click(self._on_run_anyway)
        self.cancel_button.on_click(lambda _b: self._cancel_confirmation())
        self.map_confirm = widgets.HBox(
            [self.map_confirm_label, self.run_anyway_button, self.cancel_button],
            layout={"align_items": "center", "display": "none"})
        self.map_confirm.add_class("lnhet-coating-confirm")
        for control in (self.map_diameters, self.map_temperatures, self.map_step,
                        self.map_cores):
            control.observe(lambda _c: self._cancel_confirmation(), names="value")
        self.map_box = widgets.VBox([
            widgets.HBox([self.map_diameters, self.map_temperatures],
                         layout={"flex_flow": "row wrap"}),
            widgets.HBox([self.map_step, self.map_cores, self.run_button, self.stop_button],
                         layout={"flex_flow": "row wrap"}),
            self.map_confirm,
            widgets.HBox([self.map_progress, self.map_label],
                         layout={"align_items": "center"}),
            note,
            self.map_fig,
        ])
        self.map_box.add_class("lnhet-coating-map")
        self._map_thread: threading.Thread | None = None
        self._map_stop = threading.Event()
        self._map_lock = threading.Lock()
        self._map_error: BaseException | None = None
        self._executor = None
        self._pending_map: tuple | None = None  # (params, diameters, temperatures) to confirm
        self.map_confirm_s = MAP_CONFIRM_S
        # Registered here: a traitlets observer decorator works only in a HasTraits class.
        self.observe(self._on_coating, names="coating")

    @property
    def executor(self):
        """Where the coating map's cells run: None (default) for this machine's cores, or a
        ``concurrent.futures.Executor`` or ``dask.distributed.Client`` you set (and close)."""
        return self._executor

    @executor.setter
    def executor(self, value) -> None:
        if value is not None and not callable(getattr(value, "submit", None)):
            raise TypeError("executor must be None, a concurrent.futures.Executor or a "
                            f"dask.distributed.Client, got {type(value).__name__}")
        self._executor = value

    def _map_state(self) -> dict:
        """The map's grid, as the lab saves it (read back by :func:`read_map_state`)."""
        return {"core_diameters_nm": list(self.map_diameters.value),
                "temperatures_c": list(self.map_temperatures.value),
                "grid": self.map_step.value,
                "cores_per_cell": self.map_cores.value}

    def _show_map_state(self, grid: dict) -> None:
        self.map_diameters.value = grid["core_diameters_nm"]
        self.map_temperatures.value = grid["temperatures_c"]
        self.map_step.value = grid["grid"]
        self.map_cores.value = grid["cores_per_cell"]

    def _show_here(self, p: GrowthParams) -> None:
        set_mark_data(self._map_here, [p.core_diameter_nm], [p.temperature_c])

    def _on_run_clicked(self, _button) -> None:
        request = None
        try:
            with self.status.catching():
                request = self._map_request()
        except Exception:
            _log.exception("GrowthLab: could not start the coating map")
        if request is None:
            return  # the status line says why
        # Timing one cell can take seconds for a large cell: in a worker thread, so the lab
        # stays live; the map starts (or asks) once the estimate is known.
        workers = self._map_workers()
        self.run_button.disabled = True
        self.map_label.value = "Coating map: estimating its time…"
        self._estimate_job.submit(lambda: self._estimate_map_s(*request, workers),
                                  lambda seconds: self._start_clicked_map(seconds, workers,
                                                                          request),
                                  self._map_not_started)

    def _start_clicked_map(self, seconds: float, workers: int, request: tuple) -> None:
        self.run_button.disabled = False
        try:
            with self.status.catching():
                self._confirm_or_start(seconds, workers, request)
        except Exception:
            _log.exception("GrowthLab: could not start the coating map")

    def _map_not_started(self, error: Exception) -> None:
        self.run_button.disabled = False
        self.map_label.value = "Coating map: not started."
        self.status.error(f"Coating map not started: {error}")

    def _on_run_anyway(self, _button) -> None:
        pending = self._pending_map
        self._cancel_confirmation()
        if pending is None:
            return
        try:
            with self.status.catching():
                self._start_map(*pending)
        except Exception:
            _log.exception("GrowthLab: could not start the coating map")

    def _cancel_confirmation(self) -> None:
        self._pending_map = None
        self.map_confirm.layout.display = "none"
        if self._map_thread is None or not self._map_thread.is_alive():
            self.run_button.disabled = False

    def _map_grid(self) -> tuple[np.ndarray, np.ndarray]:
        d_step, t_step = MAP_STEPS[self.map_step.value]
        return _grid(self.map_diameters.value, d_step), _grid(self.map_temperatures.value, t_step)

    def run_coating_map(self, core_diameters_nm=None, temperatures_c=None, *,
                        wait: bool = False, confirm: bool = False) -> CoatingMap | None:
        """Sweep core diameter × temperature with the lab's recipe in a background thread.

        Cells run in parallel on the lab's ``executor``
        (:func:`~lnhet_widgets.core.growth.coating_map`); the progress bar counts them,
        :meth:`stop_coating_map` cancels the cells not started. When the map is done (or
        stopped) it is drawn, stored in ``coating`` and the map's container gets the CSS class
        ``lnhet-coating-done``. Each cell simulates at most the number of cores in the "Cores
        per cell" box (default 300) so that the map takes seconds.

        Parameters
        ----------
        core_diameters_nm, temperatures_c : array_like, optional
            Grid axes, nm and °C; default the grid set in the Coating map tab
            (3–12 nm in 0.5 nm steps × 190–250 °C in 5 °C steps).
        wait : bool
            Block until the map is finished and return it (scripts, tests).
        confirm : bool
            Estimate the map's time first (one timed cell,
            :func:`~lnhet_widgets.core.sweeps.estimate_seconds`, scaled to the grid and the
            executor's workers); when it exceeds ``lab.map_confirm_s`` (default 60 s), show a
            "Run anyway / Cancel" row in the tab and return None without starting. The Run
            button asks this way; a call from code runs at once by default.

        Returns
        -------
        CoatingMap or None
            The map when ``wait`` is true (and it started), else None (read ``lab.coating``
            later).

        Raises
        ------
        ValueError
            If a grid value is not valid for :class:`GrowthParams`.
        RuntimeError
            If a map is already running.

        Examples
        --------
        >>> from lnhet_widgets.widgets import GrowthLab
        >>> lab = GrowthLab(GrowthParams(simulated_cores=100))
        >>> m = lab.run_coating_map([4.0, 9.0], [210.0, 220.0], wait=True)
        >>> m.complete, lab.map_label.value.startswith("Coating map: 4/4 cells")
        (True, True)
        """
        request = self._map_request(core_diameters_nm, temperatures_c)
        if confirm:
            workers = self._map_workers()
            return self._confirm_or_start(self._estimate_map_s(*request, workers), workers,
                                          request, wait=wait)
        return self._start_map(*request, wait=wait)

    def _map_request(self, core_diameters_nm=None, temperatures_c=None) -> tuple:
        """(params, diameters, temperatures) of a map, every grid value checked."""
        self._check_no_map_running()
        default_d, default_t = self._map_grid()
        diameters = _axis("core_diameters_nm", default_d if core_diameters_nm is None
                          else core_diameters_nm)
        temperatures = _axis("temperatures_c", default_t if temperatures_c is None
                             else temperatures_c)
        params = dataclasses.replace(
            self.params, simulated_cores=min(self.params.simulated_cores, self.map_cores.value))
        # Validate every grid value here, in the caller's thread, so the error reaches it.
        check_map_grid(diameters, temperatures, params)
        self._cancel_confirmation()
        return params, diameters, temperatures

    def _confirm_or_start(self, seconds: float, workers: int, request: tuple, *,
                          wait: bool = False) -> CoatingMap | None:
        if seconds > self.map_confirm_s:
            self._ask_to_confirm(seconds, workers, request)
            return None
        return self._start_map(*request, wait=wait)

    def _check_no_map_running(self) -> None:
        if self._map_thread is not None and self._map_thread.is_alive():
            raise RuntimeError("a coating map is already running; stop it first "
                               "(stop_coating_map())")

    def _map_workers(self) -> int:
        """How many cells the executor runs at once (a Dask client: its workers' threads)."""
        executor = self._executor
        if executor is None:
            return os.cpu_count() or 1
        nthreads = getattr(executor, "nthreads", None)  # dask.distributed.Client
        if callable(nthreads):
            return max(1, sum(nthreads().values()))
        return max(1, int(getattr(executor, "_max_workers", 1)))

    def _estimate_map_s(self, params, diameters, temperatures, workers) -> float:
        grid = {"core_diameter_nm": diameters, "temperature_c": temperatures}
        try:
            return estimate_seconds("growth", params, grid, seeds=(self._seed,),
                                    workers=workers)
        except Exception:  # the timed cell failed: the map records that cell's error itself
            _log.warning("GrowthLab: could not estimate the map's time", exc_info=True)
            return 0.0

    def _ask_to_confirm(self, seconds: float, workers: int, pending: tuple) -> None:
        when = f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"
        cells = pending[1].size * pending[2].size
        self.map_confirm_label.value = (
            f"<b>This map will take about {when} on {workers} "
            f"worker{'s' if workers != 1 else ''}</b> ({cells} cells) —")
        self._pending_map = pending
        self.map_confirm.layout.display = "flex"
        self.run_button.disabled = True

    def _start_map(self, params, diameters, temperatures, *, wait: bool = False):
        self._check_no_map_running()
        total = diameters.size * temperatures.size
        self._map_stop = threading.Event()
        self._map_error = None
        self.map_box.remove_class(_DONE_CLASS)
        self._draw_map_grid(diameters, temperatures, np.full((diameters.size,
                                                              temperatures.size), np.nan))
        self.map_progress.max, self.map_progress.value = total, 0
        self.map_progress.bar_style = "info"
        self.map_label.value = f"Coating map: 0/{total} cells"
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.tabs.selected_index = 1  # show what was asked for
        self._map_thread = threading.Thread(
            target=self._map_worker, args=(params, diameters, temperatures, total),
            name="GrowthLab-coating-map", daemon=True)
        self._map_thread.start()
        if not wait:
            return None
        self._map_thread.join()
        if self._map_error is not None:
            raise self._map_error
        return self.coating

    def stop_coating_map(self) -> None:
        """Stop a running coating map: cells not started are cancelled, the rest is drawn.

        Does nothing when no map is running.
        """
        self._map_stop.set()
        if self._map_thread is not None and self._map_thread.is_alive():
            self.map_label.value = "Coating map: stopping (finishing the running cells)…"
            self.stop_button.disabled = True

    def _map_progress(self, done: int, total: int) -> None:
        # Called from worker threads. After Stop the bar holds still; the final count comes
        # from the map's completed mask.
        if self._map_stop.is_set():
            return
        try:
            with self._map_lock:
                if done > self.map_progress.value:
                    self.map_progress.value = done
                    self.map_label.value = f"Coating map: {done}/{total} cells"
        except Exception:  # an exception here would be lost in the executor's log
            _log.exception("GrowthLab: progress update failed")

    def _map_worker(self, params, diameters, temperatures, total) -> None:
        start = time.perf_counter()
        try:
            cmap = coating_map(diameters, temperatures, params, executor=self._executor,
                               seed=self._seed, progress=self._map_progress,
                               stop=self._map_stop)
            elapsed = time.perf_counter() - start
            done = int(cmap.completed.sum())
            self.coating = cmap  # draws it (observer)
            self.map_progress.value = done
            self.map_progress.bar_style = "success" if cmap.complete else "warning"
            how = (f"in {elapsed:.1f} s" if cmap.complete else
                   f"{len(cmap.errors)} failed" if cmap.errors else "stopped")
            self.map_label.value = f"Coating map: {done}/{total} cells ({how})"
            if cmap.errors:
                self.status.error(f"{len(cmap.errors)} coating-map cells failed; first: "
                                  f"{cmap.errors[0]}")
        except Exception as error:
            self._map_error = error
            self.map_progress.bar_style = "danger"
            self.map_label.value = html.escape(f"Coating map failed: {error}")
            self.status.error(f"Coating map failed: {error}")
        finally:
            self.run_button.disabled, self.stop_button.disabled = False, True

    def _on_coating(self, change) -> None:
        cmap = change.new
        if cmap is None:
            self.map_box.remove_class(_DONE_CLASS)
            return
        self._draw_map_grid(cmap.core_diameters_nm, cmap.temperatures_c, cmap.coated_fraction)
        self.map_box.add_class(_DONE_CLASS)

    def _draw_map_grid(self, diameters, temperatures, values) -> None:
        d = np.asarray(diameters, dtype=float)
        t = np.asarray(temperatures, dtype=float)
        order_d, order_t = np.argsort(d), np.argsort(t)
        d, t = d[order_d], t[order_t]
        values = np.asarray(values, dtype=float)[np.ix_(order_d, order_t)]
        column = _cell_edges(d, 0.5 * (np.diff(d).min() if d.size > 1 else 0.5))
        row = _cell_edges(t, 0.5 * (np.diff(t).min() if t.size > 1 else 5.0))
        # bqplot squeezes the color array, so a grid one cell wide would lose an axis: split
        # such a cell into two equal halves (it looks the same).
        if d.size == 1:
            column, values = np.array([column[0], d[0], column[1]]), np.repeat(values, 2, 0)
        if t.size == 1:
            row, values = np.array([row[0], t[0], row[1]]), np.repeat(values, 2, 1)
        with self.map_fig.hold_sync(), self._heat.hold_sync():
            # Rows are temperatures (vertical axis), columns diameters. The color goes first:
            # bqplot checks row and column against the current color shape.
            self._heat.color = np.where(np.isnan(values), NOT_COMPUTED, values).T
            self._heat.column, self._heat.row = column, row
            set_mark_data(self._map_limit, [LIMIT_DIAMETER_NM] * 2, [row[0], row[-1]])
