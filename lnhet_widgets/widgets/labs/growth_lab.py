"""GrowthLab: lesson 2 — seeded growth of CsPbX3 on lanthanide cores by hot injection.

One lab around :func:`~lnhet_widgets.core.growth.simulate_growth`: the recipe as controls, the
result as plots (coated fraction vs core size, particle sizes, cores per heterostructure,
supersaturation and nucleation traces), a 3D model of the median heterostructure, and a
"Coating map" tab that sweeps core size × temperature with
:func:`~lnhet_widgets.core.growth.coating_map` in a background thread, on this machine's cores
or on the ``executor`` the user sets (a pool or a Dask client).

``params``, ``result`` and ``coating`` are traitlets of the lab, so a notebook can drive it
from code. Control changes are throttled (the first at once, a drag at the model's pace, the
last value always); a bad value shows a message in the lab and leaves the last result on screen.

bqplot draws a figure with a negative plot area (and logs errors in the browser console) when
it first renders inside a hidden tab. The tabs of this lab therefore hold their content only
while selected: the hidden tab is an empty box, and its figures are re-attached (and rendered
fresh, at their real size) when the tab is opened. The figure models live all the time, so
their data is always up to date.

This module holds the controls and their wiring; the views are beside it:
:mod:`~lnhet_widgets.widgets.labs.growth_plots` (the result plots and summary),
:mod:`~lnhet_widgets.widgets.labs.growth_structure` (the 3D model) and
:mod:`~lnhet_widgets.widgets.labs.growth_map` (the Coating map tab and its thread).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import time

import ipywidgets as widgets
import traitlets

from lnhet_widgets.core._base.validate import check_range
from lnhet_widgets.core.growth import CoatingMap, GrowthParams, GrowthResult, simulate_growth

from ..parts._tabs import hold_selected_page
from ..parts._throttle import Throttle
from ..parts.background import LatestJob
from ..parts.panel import ParameterPanel
from ..parts.saved import (
    SavableLab,
    SaveLoadBar,
    check_keys,
    params_state,
    read_number,
    read_params,
)
from ..parts.status import StatusLine
from ..parts.structure_view import StructureView
from .growth_map import CoatingMapTab, read_map_state
from .growth_plots import GrowthPlots, summary_html
from .growth_structure import (
    VIEW_EDGE_CAP_NM,
    ViewGeometry,
    build_view_atoms,
    structure_html,
    view_geometry,
)

__all__ = ["GrowthLab", "format_dopants", "parse_dopants"]

_log = logging.getLogger(__name__)

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


# --- the lab ---------------------------------------------------------------------------------


class GrowthLab(GrowthPlots, CoatingMapTab, SavableLab, widgets.VBox):
    """Lesson 2 lab: grow CsPbX3 shells on lanthanide cores and see which cores get coated.

    The first result is computed in the constructor; after that, every control change
    recomputes (throttled inside a Jupyter kernel, at once elsewhere).

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
    executor : concurrent.futures.Executor or dask.distributed.Client or None
        Where the coating map's cells run: None (default) for this machine's cores, or a pool
        or a Dask client you pass (``lab.executor = Client("tcp://host:8786")``); you close it.
    map_confirm_s : float
        The Run button asks "Run anyway / Cancel" before a map estimated to take longer
        (default 60 s).
    view_edge_cap_nm : float
        Largest cube edge the 3D model draws, nm, in [4, 40] (default 12): larger particles are
        drawn at this edge so that the model stays quick to redraw; raise it to see the whole
        particle (e.g. ``lab.view_edge_cap_nm = 40``).

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
    view_edge_cap_nm = traitlets.Float(VIEW_EDGE_CAP_NM)

    def __init__(self, params: GrowthParams | None = None, *, seed: int = 0):
        start = GrowthParams() if params is None else params
        if not isinstance(start, GrowthParams):
            raise TypeError(f"params must be a GrowthParams, got {type(start).__name__}")
        self.status = StatusLine()
        self._throttle = Throttle(self._apply_controls)
        self._showing = False  # True while controls are set from params: not user input
        self._build_controls(start, seed)
        self._build_result_figures()
        self.summary = widgets.HTML()
        self.structure = StructureView(height_px=380)
        self.structure_caption = widgets.HTML()
        self._view: ViewGeometry | None = None  # what the 3D model shows
        self._view_requested: ViewGeometry | None = None  # what it will show once built
        self._view_cores_drawn = 0
        self._structure_job = LatestJob("GrowthLab-structure")
        self._compute_s = math.nan
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

    def _on_tab(self, _change=None) -> None:
        hold_selected_page(self.tabs, self._pages)

    # --- recomputing ---------------------------------------------------------------------

    def _control_changed(self, _change=None) -> None:
        if not self._showing:
            self._throttle.trigger()

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

    @traitlets.validate("view_edge_cap_nm")
    def _check_view_edge_cap(self, proposal) -> float:
        return check_range("view_edge_cap_nm", float(proposal["value"]), "nm", 4.0, 40.0)

    @traitlets.observe("view_edge_cap_nm")
    def _redraw_structure(self, _change) -> None:
        self._view_requested = None  # another edge: rebuild even if the particle is the same
        if self.result is not None:
            self._show_structure(self.result)

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
    # --- saved work (SavableLab) ---------------------------------------------------------

    def _saved_state(self) -> dict:
        return {"params": params_state(self.params), "seed": self._seed,
                "coating_map": self._map_state()}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        check_keys(state, "GrowthLab", ("params", "seed"), ("coating_map",))
        grid = state.get("coating_map")
        return {"params": read_params(GrowthParams, state["params"]),
                "seed": read_number("seed", state["seed"], "", 0, 2**31 - 1, integer=True),
                "coating_map": None if grid is None else read_map_state(grid)}

    def _apply_saved_state(self, values: dict) -> None:
        if values["coating_map"] is not None:
            self._show_map_state(values["coating_map"])
        self._seed = values["seed"]
        self.params = values["params"]  # the observer recomputes when they differ
        r = self.result
        if r.params != self.params or r.seed != self._seed:
            self._show_controls(self.params)
            self._recompute()

    # --- drawing -------------------------------------------------------------------------

    def _show(self, r: GrowthResult) -> None:
        self.summary.value = summary_html(r)
        self._show_core_sizes(r)
        self._show_particle_sizes(r)
        self._show_traces(r)
        self._show_structure(r)
        self._show_here(r.params)

    def _show_structure(self, r: GrowthResult) -> None:
        cap_nm = self.view_edge_cap_nm
        geometry = view_geometry(r, cap_nm)
        if geometry.kind == "none":
            self._structure_job.cancel()
            self._view_requested = self._view
            self.structure_caption.value = ("<b>No particles formed</b> — the 3D view still "
                                            "shows the previous model.")
            return
        if geometry.close_to(self._view_requested):
            return
        # Building ~50,000 atoms takes ~0.1 s: in a worker thread, so a drag stays live and
        # only the model of its last value is drawn.
        self._view_requested = geometry
        seed = self._seed
        self._structure_job.submit(
            lambda: build_view_atoms(r, geometry, cap_nm, seed),
            lambda built: self._draw_structure(geometry, *built),
            lambda error: self.status.error(f"3D model failed: {error}"))

    def _draw_structure(self, geometry: ViewGeometry, atoms, cores_drawn: int) -> None:
        self.structure.set_atoms(atoms)
        self._view, self._view_cores_drawn = geometry, cores_drawn
        self.structure_caption.value = structure_html(geometry, cores_drawn)
