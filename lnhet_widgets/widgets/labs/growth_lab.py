"""GrowthLab: lesson 2 — seeded growth of CsPbX3 on lanthanide cores by hot injection.

One lab around :func:`~lnhet_widgets.core.growth.simulate_growth`: the recipe as controls, the
result as plots (coated fraction vs core size, particle sizes, cores per heterostructure,
supersaturation and nucleation traces), a 3D model of the median heterostructure, and a
"Coating map" tab that sweeps core size × temperature with
:func:`~lnhet_widgets.core.growth.coating_map` in a background thread.

``params``, ``result`` and ``coating`` are traitlets of the lab, so a notebook can drive it
from code. Control changes are debounced; a bad value shows a message in the lab and leaves
the last result on screen.

bqplot draws a figure with a negative plot area (and logs errors in the browser console) when
it first renders inside a hidden tab. The tabs of this lab therefore hold their content only
while selected: the hidden tab is an empty box, and its figures are re-attached (and rendered
fresh, at their real size) when the tab is opened. The figure models live all the time, so
their data is always up to date.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import math
import re
import threading
import time

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import traitlets
from ase import Atoms

from lnhet_widgets.core.growth import (
    CoatingMap,
    GrowthParams,
    GrowthResult,
    check_map_grid,
    coating_map,
    simulate_growth,
)

from ..parts._debounce import Debouncer
from ..parts._tabs import hold_selected_page
from ..parts.panel import ParameterPanel
from ..parts.plots import PALETTE, figure, lines, set_mark_data
from ..parts.saved import (
    SavableLab,
    SaveLoadBar,
    check_keys,
    params_state,
    read_choice,
    read_number,
    read_params,
)
from ..parts.status import StatusLine
from ..parts.structure_view import StructureView

__all__ = ["GrowthLab", "format_dopants", "parse_dopants"]

_log = logging.getLogger(__name__)

# P1: cores below ~8 nm are overgrown, larger ones are not; every size plot marks it.
LIMIT_DIAMETER_NM = 8.0
# Largest cube edge drawn in 3D. A 16 nm CsPbBr3 cube with one 7 nm core is ~100,000 atoms
# (~8 MB of PDB text, half of it after the cutaway); 20 nm doubles that, which makes every
# rebuild slow to send and to draw. Larger heterostructures are drawn at this edge.
VIEW_EDGE_CAP_NM = 16.0
# Default coating-map grid and sample size per cell: 19 × 13 cells of 300 cores each take
# ~13 s on two cores; the 1500 cores of the main simulation would take ~5× longer, for a
# coated fraction that 300 cores already give to about ±0.03.
MAP_DIAMETERS_NM = (3.0, 12.0)
MAP_TEMPERATURES_C = (190.0, 250.0)
MAP_STEPS = {"fine (0.5 nm × 5 °C)": (0.5, 5.0), "coarse (1 nm × 10 °C)": (1.0, 10.0)}
MAP_CORES_PER_CELL = 300
# A rebuilt 3D model costs ~0.1–0.5 s and a multi-MB transfer; smaller geometry changes than
# these keep the model on screen.
_REBUILD_EDGE_NM = 0.75
_REBUILD_DIAMETER_NM = 0.4
_DONE_CLASS = "lnhet-coating-done"
# Coating map colours: grey for cells not computed, then viridis over coated fraction 0–1.
NOT_COMPUTED = -0.25
_MAP_COLORS = ("#d9d9d9", "#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
# y scales reach this factor above the data, leaving the top of each plot to its legend.
HEADROOM = 1.6
# Offered under "Quench and sampling".
_EXTRA_FIELDS = {
    "quench_time_constant_s": "Quench time const. (s)",
    "quench_depth_c": "Quench depth (°C)",
    "bath_temperature_c": "Water bath (°C)",
    "simulated_cores": "Simulated cores",
}
# The two constants of the misfit relaxation (SCIENCE §4a), offered under their own heading:
# setting the attempts to 0 switches the relaxation off and shows classical nucleation alone.
_RELAXATION_FIELDS = {
    "relaxation_energy_kj_mol": "Barrier E_r (kJ/mol)",
    "relaxation_attempts": "Attempts ν·t_n",
}
_DOPANT_ITEM = re.compile(
    r"^\s*([A-Z][a-z]?)\s*[:=]?\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(%?)\s*$")


# --- composition text ------------------------------------------------------------------------


def parse_dopants(text: str) -> tuple[tuple[str, float], ...]:
    """Read a dopant list such as ``"Yb 0.30, Tm 0.01"`` (RE-site fractions).

    Items are separated by commas or semicolons; each is an element symbol and a fraction,
    optionally with ``:``/``=`` between them or given in per cent (``"Yb 30%"``). An empty text
    means an undoped core. Whether the elements are allowed on the RE site is checked by
    :class:`~lnhet_widgets.core.growth.GrowthParams`.

    Raises
    ------
    ValueError
        Naming the field (``dopants``) and the item that could not be read.

    Examples
    --------
    >>> parse_dopants("Yb 0.30, Tm 0.01")
    (('Yb', 0.3), ('Tm', 0.01))
    >>> parse_dopants("Er: 2%")
    (('Er', 0.02),)
    >>> parse_dopants("Yb0.3x")
    Traceback (most recent call last):
    ...
    ValueError: dopants: cannot read 'Yb0.3x'; write element-fraction pairs: 'Yb 0.30, Tm 0.01'
    """
    pairs: dict[str, float] = {}
    for item in re.split(r"[,;]", text):
        if not item.strip():
            continue
        match = _DOPANT_ITEM.match(item)
        if match is None:
            raise ValueError(f"dopants: cannot read {item.strip()!r}; write element-fraction "
                             "pairs: 'Yb 0.30, Tm 0.01'")
        element, number, percent = match.groups()
        if element in pairs:
            raise ValueError(f"dopants: {element} is given twice")
        pairs[element] = float(number) / (100.0 if percent else 1.0)
    return tuple(pairs.items())


def format_dopants(dopants) -> str:
    """The text :func:`parse_dopants` reads back, e.g. ``"Yb 0.3, Tm 0.01"``.

    Examples
    --------
    >>> format_dopants((("Yb", 0.3), ("Tm", 0.01)))
    'Yb 0.3, Tm 0.01'
    """
    return ", ".join(f"{element} {fraction:g}" for element, fraction in dopants)


# --- figures ---------------------------------------------------------------------------------


def _headroom(scale, values) -> None:
    """Set a linear scale to [0, HEADROOM × max]: the legend sits above the data."""
    top = float(np.nanmax(values)) if np.size(values) else 0.0
    scale.max = HEADROOM * top if top > 0 else 1.0


def _cell_edges(centres: np.ndarray, half_width: float) -> np.ndarray:
    """Edges of heat-map cells around increasing ``centres`` (midpoints, extrapolated)."""
    if centres.size == 1:
        return np.array([centres[0] - half_width, centres[0] + half_width])
    mid = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def _grid(bounds: tuple[float, float], step: float) -> np.ndarray:
    low, high = bounds
    return np.round(np.arange(low, high + 0.5 * step, step), 6)


# --- representative structure ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _ViewGeometry:
    """What the 3D model shows; a model is rebuilt only when this changes materially."""

    kind: str  # "heterostructure", "free" or "none"
    core: str
    halide: str
    edge_nm: float  # true median edge
    shown_edge_nm: float  # capped at VIEW_EDGE_CAP_NM
    n_cores: int
    diameter_nm: float

    def close_to(self, other: _ViewGeometry | None) -> bool:
        return (other is not None and (self.kind, self.core, self.halide, self.n_cores)
                == (other.kind, other.core, other.halide, other.n_cores)
                and abs(self.shown_edge_nm - other.shown_edge_nm) <= _REBUILD_EDGE_NM
                and abs(self.diameter_nm - other.diameter_nm) <= _REBUILD_DIAMETER_NM)


def _view_geometry(r: GrowthResult, cap_nm: float) -> _ViewGeometry:
    """What the 3D model should show for ``r``, without building atoms."""
    p, g = r.params, r.representative_geometry()
    if g.n_cores:
        return _ViewGeometry("heterostructure", p.core, p.halide, g.edge_nm,
                             min(g.edge_nm, cap_nm), g.n_cores, g.core_diameter_nm)
    if not math.isnan(g.free_edge_nm):
        return _ViewGeometry("free", "", p.halide, g.free_edge_nm, min(g.free_edge_nm, cap_nm),
                             0, 0.0)
    return _ViewGeometry("none", "", "", math.nan, math.nan, 0, 0.0)


def _build_view_atoms(r: GrowthResult, g: _ViewGeometry, cap_nm: float,
                      seed: int) -> tuple[Atoms | None, int]:
    """Atoms of the representative particle and the number of cores drawn in them."""
    if g.kind == "none":
        return None, 0
    hetero = g.kind == "heterostructure"
    rep = r.representative_structure(max_edge_nm=cap_nm, seed=seed, heterostructure=hetero,
                                     free_nanocrystal=not hetero)
    if hetero:
        return rep.heterostructure, rep.n_cores_shown
    return rep.free_nanocrystal, 0


# --- the lab ---------------------------------------------------------------------------------


class GrowthLab(SavableLab, widgets.VBox):
    """Lesson 2 lab: grow CsPbX3 shells on lanthanide cores and see which cores get coated.

    The first result is computed in the constructor; after that, every control change
    recomputes (debounced inside a Jupyter kernel, at once elsewhere).

    Parameters
    ----------
    params : GrowthParams, optional
        Starting recipe (default: P1's recipe with LnNP40 cores at 220 °C).
    seed : int
        Seed of :func:`~lnhet_widgets.core.growth.simulate_growth` and of the 3D model.

    Attributes
    ----------
    params : GrowthParams
        Current recipe; set it from code to drive the lab (the controls follow).
    result : GrowthResult
        Result for ``params``; a bad input leaves the last good result here.
    coating : CoatingMap or None
        The last coating map (partial when stopped); None before the first one finished.
    seed : int
        Current seed (a control under "Quench and sampling").

    ``save``/``load``/``restore`` (:class:`~lnhet_widgets.widgets.parts.saved.SavableLab`) keep
    ``params``, ``seed`` and the coating map's grid; the Save/Load bar sits under the status
    line.

    Examples
    --------
    >>> lab = GrowthLab(GrowthParams(core_diameter_nm=3.7, core_diameter_sd_nm=0.3,
    ...                              simulated_cores=200))
    >>> lab.result.coated_fraction > 0.9
    True
    >>> lab.params = dataclasses.replace(lab.params, temperature_c=210.0)
    >>> lab.panel.controls["temperature_c"].value
    210.0
    >>> m = lab.run_coating_map([4.0, 12.0], [220.0], wait=True)
    >>> m.coated_fraction.shape, lab.coating is m
    ((2, 1), True)
    """

    params = traitlets.Instance(GrowthParams)
    result = traitlets.Instance(GrowthResult)
    coating = traitlets.Instance(CoatingMap, allow_none=True)

    def __init__(self, params: GrowthParams | None = None, *, seed: int = 0):
        start = GrowthParams() if params is None else params
        if not isinstance(start, GrowthParams):
            raise TypeError(f"params must be a GrowthParams, got {type(start).__name__}")
        self.status = StatusLine()
        self._debounce = Debouncer(self._apply_controls, wait_s=0.3)
        self._showing = False  # True while controls are set from params: not user input
        self._build_controls(start, seed)
        self._build_result_figures()
        self.summary = widgets.HTML()
        self.structure = StructureView(height_px=380)
        self.structure_caption = widgets.HTML()
        self._view: _ViewGeometry | None = None
        self._view_cores_drawn = 0
        self._compute_s = math.nan
        self._map_seconds = math.nan
        self._build_map_page()

        self.save_bar = SaveLoadBar(self)
        left = widgets.VBox([self.panel, self.composition, self.advanced, self.status,
                             self.save_bar, self.summary], layout={"width": "390px"})
        right = widgets.VBox([self.structure_caption, self.structure],
                             layout={"flex": "1 1 460px", "min_width": "420px"})
        top = widgets.HBox([left, right], layout={"flex_flow": "row wrap"})
        self._pages = (self._results_page, self.map_box)
        self.tabs = widgets.Tab(children=[widgets.Box() for _ in self._pages],
                                titles=("Sizes and traces", "Coating map"),
                                selected_index=0)
        self.tabs.observe(self._on_tab, names="selected_index")
        self._on_tab()
        super().__init__([top, self.tabs])
        self.add_class("lnhet-lab")

        self._map_thread: threading.Thread | None = None
        self._map_stop = threading.Event()
        self._map_lock = threading.Lock()
        self._map_error: BaseException | None = None
        # Compute before the traits are set, so that a bad start raises here (a script wants
        # the error) instead of leaving a lab without a result; the params observer then
        # finds the result up to date.
        self._seed = int(seed)
        self.result = self._compute(start)
        self.params = start
        self.status.show(self._done_message(self.result), "ok")

    @property
    def seed(self) -> int:
        """Seed of the simulation and of the 3D model; setting it recomputes."""
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        self._seed = int(value)
        self._show_controls(self.params)
        self._recompute()

    # --- layout --------------------------------------------------------------------------

    def _build_controls(self, start: GrowthParams, seed: int) -> None:
        self.panel = ParameterPanel(start, on_change=self._control_changed)
        style = {"description_width": "150px"}
        self.composition = widgets.Text(
            value=format_dopants(start.dopants), description="Dopants (RE fraction)",
            placeholder="e.g. Yb 0.30, Tm 0.01", continuous_update=False, style=style,
            layout={"width": "360px"},
            tooltip="RE-site dopants of the core: element and fraction pairs")
        self.composition.add_class("lnhet-dopants")
        # Recipe fields without panel metadata that a lesson may want to vary. Plain text
        # boxes without bounds: GrowthParams validates, and its message names the field.
        self._extra = {}
        for name, label in {**_EXTRA_FIELDS, **_RELAXATION_FIELDS}.items():
            kind = widgets.IntText if isinstance(getattr(start, name), int) else widgets.FloatText
            self._extra[name] = kind(value=getattr(start, name), description=label, style=style,
                                     layout={"width": "300px"})
        self.seed_control = widgets.BoundedIntText(
            value=int(seed), min=0, max=2**31 - 1, description="Random seed", style=style,
            layout={"width": "300px"})
        for control in (self.composition, *self._extra.values(), self.seed_control):
            control.observe(self._control_changed, names="value")
        relaxation_note = widgets.HTML(
            "<small>While a shell nucleates, the interface relaxes a share r(T) = 1 − "
            "exp(−ν·t_n·exp(−E_r/RT)) of the misfit; the rest strains the shell. Both constants "
            "are fixed by P1's 210 °C vs 220 °C pair; 0 attempts switch the relaxation off."
            "</small>", layout={"width": "360px"})
        self.advanced = widgets.Accordion(
            children=[widgets.VBox([*(self._extra[n] for n in _EXTRA_FIELDS), self.seed_control]),
                      widgets.VBox([*(self._extra[n] for n in _RELAXATION_FIELDS),
                                    relaxation_note])],
            titles=("Quench and sampling", "Misfit relaxation (model constants)"),
            selected_index=None)

    def _build_result_figures(self) -> None:
        # Every y scale gets headroom above the data (HEADROOM): bqplot draws legends inside
        # the plot area, and there they must not hide the curves.
        # Coated fraction vs core size, over the histogram of core sizes.
        x = bq.LinearScale()
        frac, count = bq.LinearScale(min=0.0, max=HEADROOM), bq.LinearScale(min=0.0)
        self._core_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": count},
                                  colors=["#c7c7c7"], opacities=[0.8], padding=0.05,
                                  labels=["cores (right axis)"], display_legend=True)
        self._coated_line = lines({"x": x, "y": frac}, "coated fraction", PALETTE[0],
                                   marker="circle", marker_size=24)
        self._limit_line = lines({"x": x, "y": frac}, f"{LIMIT_DIAMETER_NM:g} nm (P1)",
                                  PALETTE[1], line_style="dashed")
        set_mark_data(self._limit_line, [LIMIT_DIAMETER_NM] * 2, [0.0, 1.0])
        self._coated_x, self._core_count = x, count
        self.coated_fig = figure(
            "Coated fraction vs core size",
            [self._core_bars, self._coated_line, self._limit_line],
            [bq.Axis(scale=x, label="core diameter (nm)"),
             bq.Axis(scale=frac, label="coated fraction", side="left", tick_format=".1f",
                     tick_values=np.linspace(0.0, 1.0, 6)),
             bq.Axis(scale=count, label="cores", side="right", grid_lines="none",
                     tick_format="d")],
            right_axis=True, legend="top-right")

        # Perovskite particle sizes: heterostructures (left of each bin centre) and
        # count-weighted free crystals (right of it).
        x, y = bq.LinearScale(), bq.LinearScale(min=0.0)
        self._hetero_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                    colors=[PALETTE[2]], padding=0.1, align="left",
                                    labels=["heterostructures"], display_legend=True)
        self._free_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                  colors=[PALETTE[4]], padding=0.1, align="right",
                                  labels=["free nanocrystals"], display_legend=True)
        self._size_y = y
        self.size_fig = figure(
            "Particle sizes (each population sums to 1)", [self._hetero_bars, self._free_bars],
            [bq.Axis(scale=x, label="cube edge (nm)"),
             bq.Axis(scale=y, label="fraction of particles", side="left", tick_format=".2f")])

        # Cores per heterostructure (an ordinal axis: whole numbers only).
        x, y = bq.OrdinalScale(), bq.LinearScale(min=0.0)
        self._cores_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                   colors=[PALETTE[3]], padding=0.2)
        self.cores_fig = figure(
            "Cores per heterostructure", [self._cores_bars],
            [bq.Axis(scale=x, label="cores in one heterostructure"),
             bq.Axis(scale=y, label="heterostructures", side="left", tick_format="d")])

        # Supersaturation and temperature (log time: injection burst and the 60 s both show).
        t, s, temp = bq.LogScale(), bq.LinearScale(min=0.0), bq.LinearScale()
        self._s_line = lines({"x": t, "y": s}, "supersaturation S", PALETTE[0])
        self._t_line = lines({"x": t, "y": temp}, "temperature (right)", PALETTE[1],
                              line_style="dashed")
        self._s_scale, self._temp_scale = s, temp
        self._time_axes = [bq.Axis(scale=t, label="time after injection (s)", tick_format="~g")
                           for _ in range(2)]
        self.supersaturation_fig = figure(
            "Supersaturation and temperature", [self._s_line, self._t_line],
            [self._time_axes[0],
             bq.Axis(scale=s, label="S = C / C_eq", side="left", tick_format=".3g"),
             bq.Axis(scale=temp, label="T (°C)", side="right", grid_lines="none",
                     color=PALETTE[1], tick_format=".0f")],
            right_axis=True, legend="top-left")

        # Cumulative nucleation events per core: shells and captures left, free crystals right
        # (they differ by orders of magnitude).
        t, het, hom = bq.LogScale(), bq.LinearScale(min=0.0), bq.LinearScale(min=0.0)
        self._het_line = lines({"x": t, "y": het}, "shell nuclei", PALETTE[2])
        self._capture_line = lines({"x": t, "y": het}, "captured cores", PALETTE[3])
        self._hom_line = lines({"x": t, "y": hom}, "free nuclei (right)", PALETTE[4],
                                line_style="dashed")
        self._het_scale, self._hom_scale = het, hom
        self.nucleation_fig = figure(
            "Nucleation events per core (cumulative)",
            [self._het_line, self._capture_line, self._hom_line],
            [self._time_axes[1],
             bq.Axis(scale=het, label="per core", side="left", tick_format=".3~g"),
             bq.Axis(scale=hom, label="free nuclei per core", side="right", grid_lines="none",
                     color=PALETTE[4], tick_format=".3~g")],
            right_axis=True, legend="top-left")

        def cell(fig, basis="420px"):
            return widgets.Box([fig], layout={"flex": f"1 1 {basis}", "min_width": "320px"})

        self._results_page = widgets.VBox([
            widgets.HBox([cell(self.coated_fig), cell(self.size_fig)],
                         layout={"flex_flow": "row wrap"}),
            widgets.HBox([cell(self.cores_fig, "300px"), cell(self.supersaturation_fig, "300px"),
                          cell(self.nucleation_fig, "300px")],
                         layout={"flex_flow": "row wrap"}),
        ])

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
        self.map_box = widgets.VBox([
            widgets.HBox([self.map_diameters, self.map_temperatures],
                         layout={"flex_flow": "row wrap"}),
            widgets.HBox([self.map_step, self.map_cores, self.run_button, self.stop_button],
                         layout={"flex_flow": "row wrap"}),
            widgets.HBox([self.map_progress, self.map_label],
                         layout={"align_items": "center"}),
            note,
            self.map_fig,
        ])
        self.map_box.add_class("lnhet-coating-map")

    def _on_tab(self, _change=None) -> None:
        hold_selected_page(self.tabs, self._pages)

    # --- recomputing ---------------------------------------------------------------------

    def _control_changed(self, _change=None) -> None:
        if not self._showing:
            self._debounce.trigger()

    def _read_controls(self) -> GrowthParams:
        values = {name: control.value for name, control in self.panel.controls.items()}
        values["dopants"] = parse_dopants(self.composition.value)
        values.update({name: control.value for name, control in self._extra.items()})
        return dataclasses.replace(self.params, **values)

    def _apply_controls(self) -> None:
        try:
            new = self._read_controls()
        except ValueError as error:  # bad input: say so, keep the last result on screen
            self.status.error(str(error))
            return
        try:
            seed_changed = int(self.seed_control.value) != self._seed
            self._seed = int(self.seed_control.value)
            if new != self.params:
                self.params = new  # the observer recomputes
            elif seed_changed or self.status.kind == "error":
                self._recompute()  # e.g. a bad value was put back: clear its message
        except Exception:  # shown in the status line; never raise out of a widget callback
            _log.exception("GrowthLab: unexpected error while applying the controls")

    @traitlets.observe("params")
    def _on_params(self, change) -> None:
        self._show_controls(change.new)
        current = self.result
        if current is not None and current.params == change.new and current.seed == self._seed:
            return  # already computed (the constructor)
        try:
            self._recompute()
        except Exception:  # shown in the status line
            _log.exception("GrowthLab: unexpected error while computing")

    def _show_controls(self, p: GrowthParams) -> None:
        self._showing = True
        try:
            self.panel.show(p)
            try:
                same = parse_dopants(self.composition.value) == p.dopants
            except ValueError:
                same = False
            if not same:  # keep the user's spelling when it means the same
                self.composition.value = format_dopants(p.dopants)
            for name, control in self._extra.items():
                control.value = getattr(p, name)
            self.seed_control.value = self._seed
        finally:
            self._showing = False

    def _recompute(self) -> None:
        with self.status.catching(busy="Simulating…"):
            self.result = self._compute(self.params)
        if self.status.kind != "error":
            self.status.show(self._done_message(self.result), "ok")

    def run(self) -> GrowthResult:
        """Recompute now from ``params`` (synchronously) and return the result.

        Errors propagate (a script wants them); they are also shown in the lab.

        Examples
        --------
        >>> lab = GrowthLab(GrowthParams(simulated_cores=100))
        >>> lab.run() is lab.result
        True
        """
        self._show_controls(self.params)
        self.status.show("Simulating…", "busy")
        try:
            self.result = self._compute(self.params)
        except Exception as error:
            self.status.error(str(error))
            raise
        self.status.show(self._done_message(self.result), "ok")
        return self.result

    def _compute(self, p: GrowthParams) -> GrowthResult:
        start = time.perf_counter()
        result = simulate_growth(p, seed=self._seed)
        self._compute_s = time.perf_counter() - start
        self._show(result)
        return result

    def _done_message(self, r: GrowthResult) -> str:
        return (f"Up to date: {r.core_diameters_nm.size:,} cores simulated in "
                f"{self._compute_s:.2f} s (seed {r.seed}).")

    # --- saved work (SavableLab) ---------------------------------------------------------

    def _saved_state(self) -> dict:
        return {"params": params_state(self.params), "seed": self._seed,
                "coating_map": {"core_diameters_nm": list(self.map_diameters.value),
                                "temperatures_c": list(self.map_temperatures.value),
                                "grid": self.map_step.value,
                                "cores_per_cell": self.map_cores.value}}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        check_keys(state, "GrowthLab", ("params", "seed"), ("coating_map",))
        grid = state.get("coating_map")
        if grid is not None:
            check_keys(grid, "GrowthLab coating map",
                       ("core_diameters_nm", "temperatures_c", "grid", "cores_per_cell"))
            grid = {"core_diameters_nm": _saved_range("coating_map.core_diameters_nm",
                                                      grid["core_diameters_nm"], "nm", 1.0, 30.0),
                    "temperatures_c": _saved_range("coating_map.temperatures_c",
                                                   grid["temperatures_c"], "°C", 120.0, 300.0),
                    "grid": read_choice("coating_map.grid", grid["grid"], MAP_STEPS),
                    "cores_per_cell": read_number("coating_map.cores_per_cell",
                                                  grid["cores_per_cell"], "", 10, 20000,
                                                  integer=True)}
        return {"params": read_params(GrowthParams, state["params"]),
                "seed": read_number("seed", state["seed"], "", 0, 2**31 - 1, integer=True),
                "coating_map": grid}

    def _apply_saved_state(self, values: dict) -> None:
        grid = values["coating_map"]
        if grid is not None:
            self.map_diameters.value = grid["core_diameters_nm"]
            self.map_temperatures.value = grid["temperatures_c"]
            self.map_step.value = grid["grid"]
            self.map_cores.value = grid["cores_per_cell"]
        self._seed = values["seed"]
        self.params = values["params"]  # the observer recomputes when they differ
        r = self.result
        if r.params != self.params or r.seed != self._seed:
            self._show_controls(self.params)
            self._recompute()

    # --- drawing -------------------------------------------------------------------------

    def _show(self, r: GrowthResult) -> None:
        self.summary.value = _summary_html(r)
        self._show_core_sizes(r)
        self._show_particle_sizes(r)
        self._show_traces(r)
        self._show_structure(r)
        self._show_here(r.params)

    def _show_core_sizes(self, r: GrowthResult) -> None:
        d = r.core_diameters_nm
        low, high = float(d.min()), float(d.max())
        if high - low < 0.05:  # no spread: one bin around the single size
            low, high = low - 0.25, high + 0.25
        edges = np.linspace(low, high, 21)
        counts, _ = np.histogram(d, edges)
        fraction = r.coated_fraction_by_size(edges)
        centres = 0.5 * (edges[1:] + edges[:-1])
        enough = counts >= 3  # fractions of one or two cores are noise
        with self.coated_fig.hold_sync():
            self._coated_x.min = min(low, LIMIT_DIAMETER_NM - 0.5)
            self._coated_x.max = max(high, LIMIT_DIAMETER_NM + 0.5)
            _headroom(self._core_count, counts)
            set_mark_data(self._core_bars, centres, counts)
            set_mark_data(self._coated_line, centres[enough], fraction[enough])
            self.coated_fig.title = (f"Coated fraction vs core size "
                                     f"(all cores: {r.coated_fraction:.2f})")

    def _show_particle_sizes(self, r: GrowthResult) -> None:
        hetero, free, weights = r.edge_lengths_nm, r.free_edge_lengths_nm, r.free_counts
        both = np.concatenate([hetero, free])
        if both.size:
            low, high = float(both.min()), float(both.max())
            if high - low < 0.2:
                low, high = low - 0.5, high + 0.5
            edges = np.linspace(low, high, 21)
        else:
            edges = np.linspace(0.0, 1.0, 21)
        centres = 0.5 * (edges[1:] + edges[:-1])
        h, _ = np.histogram(hetero, edges)
        f, _ = np.histogram(free, edges, weights=weights)
        h = h / h.sum() if h.sum() > 0 else h.astype(float)
        f = f / f.sum() if f.sum() > 0 else f
        with self.size_fig.hold_sync():
            _headroom(self._size_y, np.concatenate([h, f]))
            set_mark_data(self._hetero_bars, centres, h,
                          labels=[f"heterostructures ({hetero.size:,})"])
            set_mark_data(self._free_bars, centres, f,
                          labels=[f"free nanocrystals ({r.free_nanocrystals:,.0f})"])
        if hetero.size:
            counts = np.bincount(r.cores_per_structure.astype(int))[1:]
            title = f"Cores per heterostructure (mean {r.mean_cores_per_structure:.2f})"
        else:
            counts, title = np.zeros(1), "Cores per heterostructure (none formed)"
        with self.cores_fig.hold_sync():
            set_mark_data(self._cores_bars, np.arange(1, counts.size + 1), counts)
            self.cores_fig.title = title

    def _show_traces(self, r: GrowthResult) -> None:
        later = r.trace_time_s > 0  # a log axis has no t = 0
        t = r.trace_time_s[later]
        decades = 10.0 ** np.arange(np.ceil(np.log10(t[0])), np.floor(np.log10(t[-1])) + 1)
        temperature = r.trace_temperature_c[later]
        with self.supersaturation_fig.hold_sync():
            for axis in self._time_axes:
                axis.tick_values = decades
            _headroom(self._s_scale, r.trace_supersaturation[later])
            # Temperature in the lower part of the plot, below the legend.
            t_low, t_high = float(temperature.min()), float(temperature.max())
            self._temp_scale.min = t_low - 0.1 * max(t_high - t_low, 10.0)
            self._temp_scale.max = t_high + 0.6 * max(t_high - t_low, 10.0)
            set_mark_data(self._s_line, t, r.trace_supersaturation[later])
            set_mark_data(self._t_line, t, temperature)
        with self.nucleation_fig.hold_sync():
            _headroom(self._het_scale, np.concatenate([r.trace_heterogeneous_nuclei,
                                                       r.trace_captures]))
            _headroom(self._hom_scale, r.trace_homogeneous_nuclei)
            set_mark_data(self._het_line, t, r.trace_heterogeneous_nuclei[later])
            set_mark_data(self._capture_line, t, r.trace_captures[later])
            set_mark_data(self._hom_line, t, r.trace_homogeneous_nuclei[later])

    def _show_structure(self, r: GrowthResult) -> None:
        geometry = _view_geometry(r, VIEW_EDGE_CAP_NM)
        if geometry.kind == "none":
            self.structure_caption.value = ("<b>No particles formed</b> — the 3D view still "
                                            "shows the previous model.")
            return
        if not geometry.close_to(self._view):
            atoms, drawn = _build_view_atoms(r, geometry, VIEW_EDGE_CAP_NM, self._seed)
            self.structure.set_atoms(atoms)
            self._view, self._view_cores_drawn = geometry, drawn
        self.structure_caption.value = _structure_html(self._view, self._view_cores_drawn)

    def _show_here(self, p: GrowthParams) -> None:
        set_mark_data(self._map_here, [p.core_diameter_nm], [p.temperature_c])

    # --- coating map ---------------------------------------------------------------------

    def _on_run_clicked(self, _button) -> None:
        try:
            with self.status.catching():
                self.run_coating_map()
        except Exception:
            _log.exception("GrowthLab: could not start the coating map")

    def _map_grid(self) -> tuple[np.ndarray, np.ndarray]:
        d_step, t_step = MAP_STEPS[self.map_step.value]
        return _grid(self.map_diameters.value, d_step), _grid(self.map_temperatures.value, t_step)

    def run_coating_map(self, core_diameters_nm=None, temperatures_c=None, *,
                        wait: bool = False) -> CoatingMap | None:
        """Sweep core diameter × temperature with the lab's recipe in a background thread.

        Cells run in parallel (:func:`~lnhet_widgets.core.growth.coating_map`); the progress
        bar counts them, :meth:`stop_coating_map` cancels the cells not started. When the map
        is done (or stopped) it is drawn, stored in ``coating`` and the map's container gets
        the CSS class ``lnhet-coating-done``. Each cell simulates at most the number of cores
        in the "Cores per cell" box (default 300) so that the map takes seconds.

        Parameters
        ----------
        core_diameters_nm, temperatures_c : array_like, optional
            Grid axes, nm and °C; default the grid set in the Coating map tab
            (3–12 nm in 0.5 nm steps × 190–250 °C in 5 °C steps).
        wait : bool
            Block until the map is finished and return it (scripts, tests).

        Returns
        -------
        CoatingMap or None
            The map when ``wait`` is true, else None (read ``lab.coating`` later).

        Raises
        ------
        ValueError
            If a grid value is not valid for :class:`GrowthParams`.
        RuntimeError
            If a map is already running.

        Examples
        --------
        >>> lab = GrowthLab(GrowthParams(simulated_cores=100))
        >>> m = lab.run_coating_map([4.0, 9.0], [210.0, 220.0], wait=True)
        >>> m.complete, lab.map_label.value.startswith("Coating map: 4/4 cells")
        (True, True)
        """
        if self._map_thread is not None and self._map_thread.is_alive():
            raise RuntimeError("a coating map is already running; stop it first "
                               "(stop_coating_map())")
        default_d, default_t = self._map_grid()
        diameters = _axis("core_diameters_nm", default_d if core_diameters_nm is None
                          else core_diameters_nm)
        temperatures = _axis("temperatures_c", default_t if temperatures_c is None
                             else temperatures_c)
        params = dataclasses.replace(
            self.params, simulated_cores=min(self.params.simulated_cores, self.map_cores.value))
        # Validate every grid value here, in the caller's thread, so the error reaches it.
        check_map_grid(diameters, temperatures, params)

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
            cmap = coating_map(diameters, temperatures, params, seed=self._seed,
                               progress=self._map_progress, stop=self._map_stop)
            elapsed = time.perf_counter() - start
            done = int(cmap.completed.sum())
            self._map_seconds = elapsed
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

    @traitlets.observe("coating")
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


def _saved_range(name: str, values, unit: str, low: float, high: float) -> tuple:
    """A saved (low, high) pair of a range slider, checked against the slider's bounds."""
    if not isinstance(values, list) or len(values) != 2:
        raise ValueError(f"{name} must be a pair [low, high] in {unit}, got {values!r}")
    pair = tuple(read_number(name, v, unit, low, high) for v in values)
    if pair[0] > pair[1]:
        raise ValueError(f"{name} = {values!r} {unit}: low must not exceed high")
    return pair


def _axis(name: str, values) -> np.ndarray:
    axis = np.unique(np.asarray(values, dtype=float).ravel())
    if axis.size == 0 or not np.all(np.isfinite(axis)):
        raise ValueError(f"{name} must be a non-empty list of finite numbers, got {values!r}")
    return axis


def _summary_html(r: GrowthResult) -> str:
    s = r.summary()
    rows = [
        ("cores coated", f"{100 * s['coated_fraction']:.1f} %"),
        ("heterostructure edge", f"{s['edge_mean_nm']:.1f} ± {s['edge_sd_nm']:.1f} nm"
         if r.edge_lengths_nm.size else "—"),
        ("cores per heterostructure", f"{s['mean_cores_per_structure']:.2f}"
         if r.edge_lengths_nm.size else "—"),
        ("free nanocrystals per core", f"{s['free_nanocrystals_per_core']:.3g}"),
        ("free nanocrystal edge", f"{s['free_edge_mean_nm']:.1f} nm"
         if r.free_counts.sum() > 0 else "—"),
        ("perovskite in free crystals", f"{100 * s['free_volume_fraction']:.1f} %"),
        (f"misfit f_eff at {r.params.temperature_c:g} °C", f"{100 * s['effective_misfit']:.2f} %"),
        ("relaxed while nucleating, r(T)", f"{s['relaxation_fraction']:.2f}"),
        ("misfit straining the shell", f"{100 * s['relaxed_misfit']:.2f} %"),
        ("shell allowed", "yes" if r.perovskite_stable else "no"),
    ]
    body = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    note = ("" if r.perovskite_stable else
            f"<br><small>{html.escape(r.stability_reason)}</small>")
    return f"<table class='lnhet-table lnhet-growth-summary'>{body}</table>{note}"


def _structure_html(g: _ViewGeometry, cores_drawn: int) -> str:
    if g.kind == "free":
        text = (f"No heterostructures formed. Median free nanocrystal: CsPb{g.halide}3 cube of "
                f"{g.edge_nm:.1f} nm")
    else:
        text = (f"Median heterostructure: {g.edge_nm:.1f} nm cube with {g.n_cores} "
                f"core{'s' if g.n_cores != 1 else ''} of {g.diameter_nm:.1f} nm")
        if cores_drawn != g.n_cores:
            text += f" ({cores_drawn} drawn)"
    if g.shown_edge_nm < g.edge_nm:
        text += f"; drawn at {g.shown_edge_nm:g} nm to stay light"
    return f"<b>3D model.</b> {html.escape(text)}."
