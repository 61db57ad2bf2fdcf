"""AnnealingLab: lesson 3 — annealing NaGdF4:Yb/Tm@NaYF4 with or without Ln–oleate complexes.

One lab around :func:`~lnhet_widgets.core.annealing.anneal` (SCIENCE.md §5–§6, P2): the
particle, its vacancies and the anneal as controls; every run anneals the chosen particle
*and* its counterpart — without complexes when complexes are chosen, with Y³⁺–oleate when
none are — with the same seed, so the two sides of P2's comparison are always on screen. The
views: an animated cross-section of the cation lattice beside a 3D model of one snapshot, radial
profiles and the vacancy / intermixing history of both runs, and the optical consequence
(emission spectrum, Tm 450 nm decay and lifetimes) of the pristine and both annealed particles.

A run takes about a second for P2's particle (two anneals of ~100 snapshots each, then three
rate-equation solutions for the optics), too long to repeat on every slider move. Controls
therefore only validate what is typed; the Run button (or :meth:`AnnealingLab.run`) anneals,
in a background thread with a progress bar and a Stop button.

``params``, ``steps``, ``seed``, ``result``, ``comparison`` and ``optics`` are traitlets of
the lab, so a notebook can drive it from code and read what it shows. A bad value shows a
message in the lab and leaves the last result on screen.

As in GrowthLab, a tab holds its page only while it is selected, because bqplot draws a
figure with a negative plot area when it first renders inside a hidden tab; the 3D model is
built only while the Particle tab is open (and resized when it opens, which nglview needs).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import logging
import math
import threading
import time

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import traitlets
from ase import Atoms

from lnhet_widgets.core.annealing import (
    SPECIES,
    AnnealOptics,
    AnnealParams,
    AnnealResult,
    anneal,
    time_per_step_s,
)

from ..custom.lattice_slice import SPECIES_COLORS as _SLICE_COLORS
from ..custom.lattice_slice import LatticeSliceAnimation, snapshot_labels
from ..parts._debounce import Debouncer
from ..parts._download import download_link
from ..parts._tabs import hold_selected_page
from ..parts.panel import ParameterPanel
from ..parts.plots import PALETTE, figure, lines, set_mark_data
from ..parts.saved import (
    SavableLab,
    SaveLoadBar,
    check_keys,
    params_state,
    read_number,
    read_params,
)
from ..parts.status import StatusLine
from ..parts.structure_view import REGION_COLORS, StructureView

__all__ = ["AnnealingLab", "snapshot_steps"]

_log = logging.getLogger(__name__)

DEFAULT_STEPS = 1000
MAX_STEPS = 5000
#: P2 shows its simulation at these steps; the summary table and the run always include them.
P2_STEPS = (0, 100, 500, 1000)
#: About this many animation frames per run (one snapshot every ``steps // 100`` steps).
ANIMATION_FRAMES = 100
MAX_SEED = 2**32 - 1

#: The complex control: (label, dropdown value). The dropdown holds "" for "none": an
#: ipywidgets selection whose value is None shows a blank (ParameterPanel's problem with
#: ``complex=None``), so None stays on the params side only.
COMPLEX_OPTIONS = (("none", ""), ("Y³⁺–oleate", "Y"), ("Gd³⁺–oleate", "Gd"))
RUN_NAMES = {None: "without complexes", "Y": "with Y³⁺–oleate", "Gd": "with Gd³⁺–oleate"}
#: Species colours of the profiles and the 3D model: the cross-section's, so that a species
#: looks the same in every view (quiet hosts, strong dopants, near-black vacancies).
SPECIES_COLORS = dict(zip(SPECIES, _SLICE_COLORS, strict=True))
#: Element of each species in the 3D model; a vacancy is ASE's placeholder "X".
SPECIES_SYMBOLS = {"vacancy": "X", "Gd": "Gd", "Y": "Y", "Yb": "Yb", "Tm": "Tm"}
#: Sphere radii (Å) of the 3D model: cation sites are 3.6–3.9 Å apart, so ions of 1.6 Å
#: nearly touch and a vacancy of 0.8 Å reads as a hole.
ION_RADIUS_A = 1.6
VACANCY_RADIUS_A = 0.8
VIEW_MODES = (("cross-section (half, cut at z = 0)", "half"), ("whole particle", "whole"),
              ("vacancies only", "vacancies"))

#: Wavelengths of the spectrum view and its log axis: this many decades below the highest
#: point are shown (the lines of the three particles differ by up to ~10⁶).
SPECTRUM_NM = np.linspace(400.0, 850.0, 901)
SPECTRUM_DECADES = 8
#: Decay points below this fraction of their maximum are left out of the log plot.
DECAY_FLOOR = 1e-4
LINE_450_NM = 450.0
# y scales reach this factor above the data, leaving the top of each plot to its legend
# (the profiles' legend has five rows).
HEADROOM = 1.3
PROFILE_HEADROOM = 1.7
# Progress messages from the worker at most this often (a message per 10 MC steps would be
# hundreds of comm messages per run).
_REPORT_S = 0.1

# Controls of the params fields, by group; any other field with panel metadata goes under
# "Phases, bands and kinetics" (so a field added to AnnealParams gets a control too).
PARTICLE_FIELDS = ("core_diameter_nm", "shell_thickness_nm", "yb_fraction", "tm_fraction")
VACANCY_FIELDS = ("vacancy_interface", "vacancy_surface", "vacancy_core", "vacancy_shell")
ANNEAL_FIELDS = ("temperature_c", "complex", "complex_concentration_mm")
_STYLE = {"description_width": "150px"}
_WIDTH = {"width": "360px"}


# --- helpers ---------------------------------------------------------------------------------


def snapshot_steps(steps: int) -> np.ndarray:
    """Steps at which a lab run records the lattice: ~100 animation frames plus P2's steps.

    One snapshot every ``max(1, steps // 100)`` steps, P2's steps 0/100/500/1000 that are
    within ``steps``, and ``steps`` itself.

    Examples
    --------
    >>> s = snapshot_steps(1000)
    >>> s[:3].tolist(), s.size, int(s[-1])
    ([0, 10, 20], 101, 1000)
    >>> snapshot_steps(250)[-4:].tolist()
    [244, 246, 248, 250]
    """
    steps = int(steps)
    every = max(1, steps // ANIMATION_FRAMES)
    p2 = [s for s in P2_STEPS if s <= steps]
    return np.union1d(np.arange(0, steps + 1, every), [*p2, steps]).astype(np.int64)


def _check_steps(value) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or not 0 <= value <= MAX_STEPS:
        raise ValueError(f"steps = {value!r} MC steps is outside the allowed range "
                         f"[0, {MAX_STEPS}] (whole steps)")
    return int(value)


def _check_seed(value) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed = {value!r} is outside the allowed range [0, {MAX_SEED}] "
                         "(whole numbers)")
    return int(value)


def _fit_step(control, value) -> None:
    """Refine a float slider's step until ``value`` lies on its grid.

    The front end snaps a slider's value to ``min + k·step`` when it draws it and sends the
    snapped value back: 1.657 eV on a 0.005 eV grid from 0.1 eV would silently become 1.655
    eV in ``params`` once the lab is on screen.
    """
    if not isinstance(control, widgets.FloatSlider) or not control.step:
        return
    step = control.step
    while step > 1e-9 and not _on_grid(value, control.min, step):
        step /= 10.0
    if step != control.step:
        control.step = step


def _on_grid(value: float, low: float, step: float) -> bool:
    k = (value - low) / step
    return abs(k - round(k)) < 1e-6


def _clean(value):
    """A control's float without the front end's rounding noise (0.1 + 7 × 0.1 is
    0.7999999999999999), so that an untouched slider reads back the value it was given."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


def comparison_params(p: AnnealParams) -> AnnealParams:
    """The other side of P2's comparison: without complexes, or with Y³⁺–oleate when ``p``
    has none.

    Examples
    --------
    >>> comparison_params(AnnealParams(complex="Gd")).complex is None
    True
    >>> comparison_params(AnnealParams()).complex
    'Y'
    """
    return dataclasses.replace(p, complex="Y" if p.complex is None else None)


def _minutes(seconds: float) -> str:
    minutes = seconds / 60.0
    return f"{minutes:.1f} min" if 0 < minutes < 9.95 else f"{minutes:.0f} min"


def _labels(r: AnnealResult) -> list[str]:
    """"step 500 · 34 min" for every snapshot of ``r`` (the cross-section's labels)."""
    return snapshot_labels(r.snapshot_steps, r.snapshot_time_s)


def _decades(low: float, high: float, max_ticks: int = 7) -> np.ndarray:
    """Whole decades from ``low`` to ``high`` (every 2nd, 3rd … when there are many)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = max(1, math.ceil((last - first + 1) / max_ticks))
    return 10.0 ** np.arange(first, last + 1, step)


def _fmt(value: float, spec: str) -> str:
    return "—" if value is None or not math.isfinite(value) else format(value, spec)


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 and math.isfinite(a) else math.nan


def _nearest_index(steps: np.ndarray, step: int) -> int:
    """Index of ``step`` in ``steps``, or of the last step before it (the runs can stop at
    different steps)."""
    return int(max(0, np.searchsorted(steps, step, side="right") - 1))


def snapshot_atoms(result: AnnealResult, snapshot: int = -1, *, show: str = "half") -> Atoms:
    """The cation sites of one snapshot as :class:`ase.Atoms` for the 3D model (Å).

    Ions carry their element; a vacancy is the placeholder element ``"X"``. The arrays
    ``species`` (names of :data:`~lnhet_widgets.core.annealing.SPECIES`) and ``region``
    ("core" inside the core radius, else "shell") say what each site is.

    Parameters
    ----------
    result : AnnealResult
    snapshot : int
        Index into ``result.snapshot_steps``.
    show : {"half", "whole", "vacancies"}
        The half particle with z ≥ 0 (its cut face at z = 0 looks at the viewer, who sees
        the particle from −z), the whole particle, or only the vacancies of the whole
        particle.

    Examples
    --------
    >>> r = anneal(AnnealParams(core_diameter_nm=4.0), steps=0, snapshots=(0,))
    >>> atoms = snapshot_atoms(r, 0, show="vacancies")
    >>> set(atoms.get_chemical_symbols()), len(atoms) == int(r.vacancy_count[0])
    ({'X'}, True)
    """
    modes = [value for _, value in VIEW_MODES]
    if show not in modes:
        raise ValueError(f"show must be one of {modes}, got {show!r}")
    codes = result.species[snapshot]
    positions = result.positions_nm
    if show == "half":
        keep = positions[:, 2] >= 0.0
    elif show == "vacancies":
        keep = codes == SPECIES.index("vacancy")
    else:
        keep = np.ones(codes.size, dtype=bool)
    names = np.asarray(SPECIES)[codes[keep]]
    atoms = Atoms(symbols=[SPECIES_SYMBOLS[n] for n in names], positions=10.0 * positions[keep])
    radius = np.linalg.norm(positions[keep], axis=1)
    atoms.new_array("species", names.astype(str))
    atoms.new_array("region", np.where(radius < 0.5 * result.params.core_diameter_nm,
                                       "core", "shell"))
    return atoms


class _SpeciesView(StructureView):
    """A :class:`StructureView` of cation sites: one colour per species, vacancies as small
    dark spheres.

    StructureView colours by NGL element or by region; NGL's element colours make Yb and Tm
    the same green and know no colour for a vacancy. This view adds one representation per
    species (or per region, plus the vacancies) selected by atom index, which works whatever
    NGL makes of the element column. The lab cuts the particle itself, so the shell cutaway
    of StructureView (which only removes shell atoms at z < 0) is hidden.
    """

    def __init__(self, **kwargs):
        super().__init__(color_by="element", cutaway=False, **kwargs)
        self._cutaway.layout.display = "none"
        self._color.options = (("species", "element"), ("core / shell", "region"))
        self._color.value = "element"

    def _add_representations(self) -> None:
        visible = self._visible()
        species = visible.arrays["species"]
        regions = visible.arrays["region"]
        scale = 1.0 if self._style.value == "spacefill" else 0.55
        vacancy = species == "vacancy"
        if self._color.value == "element":
            groups = [(SPECIES_COLORS[name], species == name, ION_RADIUS_A)
                      for name in SPECIES if name != "vacancy"]
        else:
            groups = [(REGION_COLORS[region], (regions == region) & ~vacancy, ION_RADIUS_A)
                      for region in ("core", "shell")]
        groups.append((SPECIES_COLORS["vacancy"], vacancy, VACANCY_RADIUS_A))
        for colour, mask, radius in groups:
            index = np.flatnonzero(mask)
            if index.size:
                self.view.add_representation(
                    "spacefill", selection="@" + ",".join(map(str, index.tolist())),
                    component=0, color=colour, radius=radius * scale)


@dataclasses.dataclass
class _Job:
    """One run: what to anneal, and the Stop button's event."""

    params: AnnealParams
    steps: int
    seed: int
    stop: threading.Event
    started: float
    time_per_step_s: float = math.nan


# --- the lab ---------------------------------------------------------------------------------


class AnnealingLab(SavableLab, widgets.VBox):
    """Lesson 3 lab: anneal a core–shell particle with or without Ln–oleate docking complexes.

    Every run anneals two particles with the same seed: the one of ``params`` and its
    counterpart (:func:`comparison_params`: without complexes, or with Y³⁺–oleate when
    ``params`` has none), with ~100 snapshots each, then computes the emission of the
    pristine particle and of both annealed ones. Controls only validate; Run anneals (in a
    background thread, with a progress bar and Stop). The first run happens in the
    constructor, so the lab is never empty.

    Parameters
    ----------
    params : AnnealParams, optional
        Starting particle and anneal (default: P2's particle without complexes).
    steps : int
        MC steps per run, 0–5000 (1000 ≈ P2's hour at 300 °C with the default kinetics).
    seed : int
        Seed of the initial state and of the moves (the same for both runs).

    Attributes
    ----------
    params : AnnealParams
        Current settings; set it from code to change the controls (Run or :meth:`run`
        anneals them).
    steps, seed : int
        Current MC steps per run and seed (controls of the lab).
    result : AnnealResult
        The run of the last anneal's ``params``; a bad input leaves it in place.
    comparison : AnnealResult
        The counterpart run of the same anneal.
    optics : dict
        ``{"pristine", "docked", "undocked"}`` → :class:`~lnhet_widgets.core.annealing.AnnealOptics`
        of the first snapshot and of the last snapshot of the run with and without
        complexes; empty after a stopped run.
    timings : dict
        Seconds spent in the last run: ``"anneal_s"``, ``"optics_s"``, ``"draw_s"``,
        ``"total_s"``.

    ``save``/``load``/``restore`` (:class:`~lnhet_widgets.widgets.parts.saved.SavableLab`) keep
    ``params`` (the complex included), ``steps`` and ``seed``; ``restore`` anneals them at
    once (unless they were the last run's). The Save/Load bar sits under the status line.

    Examples
    --------
    >>> lab = AnnealingLab(AnnealParams(core_diameter_nm=4.0, complex="Y"), steps=100)
    >>> lab.result.params.complex, lab.comparison.params.complex, sorted(lab.optics)
    ('Y', None, ['docked', 'pristine', 'undocked'])
    >>> bool(lab.result.vacancy_count[-1] < lab.comparison.vacancy_count[-1])
    True
    >>> lab.params = dataclasses.replace(lab.params, temperature_c=280.0)
    >>> lab.controls["temperature_c"].value, lab.result.params.temperature_c
    (280.0, 300.0)
    >>> lab.run().params.temperature_c
    280.0
    """

    params = traitlets.Instance(AnnealParams)
    steps = traitlets.Int(DEFAULT_STEPS)
    seed = traitlets.Int(0)
    result = traitlets.Instance(AnnealResult, allow_none=True)
    comparison = traitlets.Instance(AnnealResult, allow_none=True)
    optics = traitlets.Dict()

    def __init__(self, params: AnnealParams | None = None, *, steps: int = DEFAULT_STEPS,
                 seed: int = 0):
        start = AnnealParams() if params is None else params
        if not isinstance(start, AnnealParams):
            raise TypeError(f"params must be an AnnealParams, got {type(start).__name__}")
        steps, seed = _check_steps(steps), _check_seed(seed)
        self.status = StatusLine()
        self._debounce = Debouncer(self._apply_controls, wait_s=0.3)
        self._showing = False  # True while controls are set from code: not user input
        self._lock = threading.Lock()
        self._job: _Job | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._last_report = 0.0
        self._stale_3d = True
        self._done_text, self._done_kind = "", "ok"
        self._last_steps: int | None = None
        # The runs the views draw: (this run, comparison). The traits are set after the
        # drawing, all together, so that an observer of ``result`` finds ``comparison`` and
        # ``optics`` of the same run.
        self._shown: tuple[AnnealResult, AnnealResult] | None = None
        self.timings: dict = {}
        self.downloads = widgets.HTML()
        self.downloads.add_class("lnhet-anneal-downloads")

        self._build_controls(start, steps, seed)
        self._build_run_bar()
        self._build_slice_page()
        self._build_structure_page()
        self._build_profiles_page()
        self._build_optics_page()
        # The animated slice and the 3D particle side by side: the two views of one lattice.
        self.particle_page = widgets.HBox([self.slice_page, self.structure_page],
                                          layout={"flex_flow": "row wrap",
                                                  "align_items": "flex-start"})
        self._pages = (self.particle_page, self.profiles_page, self.optics_page)
        # The slots stretch their page to the tab's width (a Box sizes to its content).
        for page in self._pages:
            page.layout.width, page.layout.min_width = "100%", "0"
        self.tabs = widgets.Tab(children=[widgets.Box(layout={"width": "100%", "min_width": "0"})
                                          for _ in self._pages],
                                titles=("Particle", "Profiles", "Optics"),
                                selected_index=0)
        self.tabs.observe(self._on_tab, names="selected_index")
        self._on_tab()
        self.save_bar = SaveLoadBar(self)
        left = widgets.VBox([self.controls_box, self.status, self.save_bar, self.downloads],
                            layout={"width": "390px"})
        right = widgets.VBox([self.run_bar, self.tabs],
                             layout={"flex": "1 1 560px", "min_width": "460px"})
        super().__init__([widgets.HBox([left, right], layout={"flex_flow": "row wrap"})])
        self.add_class("lnhet-lab")
        self.add_class("lnhet-annealing-lab")

        self._showing = True  # the controls were built from these values
        try:
            with self.hold_trait_notifications():
                self.params, self.steps, self.seed = start, steps, seed
        finally:
            self._showing = False
        # The first run is synchronous: a script gets the result (or the error) at once.
        self.run()

    # --- layout --------------------------------------------------------------------------

    def _build_controls(self, start: AnnealParams, n_steps: int, seed: int) -> None:
        self.panel = ParameterPanel(start, on_change=self._control_changed)
        controls = self.panel.controls
        # Fields that span decades without a step (attempt frequency, docking rate
        # constants) would be useless as linear sliders: free text, validated by
        # AnnealParams.
        steps = {f.name: f.metadata.get("step") for f in dataclasses.fields(start)}
        for name, old in list(controls.items()):
            if isinstance(old, widgets.FloatSlider) and steps[name] is None:
                text = widgets.FloatText(value=getattr(start, name), description=old.description,
                                         style=_STYLE, layout=_WIDTH, tooltip=old.tooltip)
                text.observe(self._control_changed, names="value")
                controls[name] = text
        for name, control in controls.items():
            _fit_step(control, getattr(start, name))
        # The complex: None is "none" here (see COMPLEX_OPTIONS). It is no longer a panel
        # control, so ParameterPanel.show leaves it to _show_controls.
        panel_complex = controls.pop("complex", None)
        self.complex_control = widgets.Dropdown(
            options=list(COMPLEX_OPTIONS), value=start.complex or "",
            description="Ln–oleate complex", style=_STYLE, layout=_WIDTH,
            tooltip=panel_complex.tooltip if panel_complex is not None else "")
        self.complex_control.observe(self._control_changed, names="value")
        self.steps_control = widgets.IntText(value=n_steps, description="MC steps", style=_STYLE,
                                             layout={"width": "260px"},
                                             tooltip=f"MC steps per run, 0–{MAX_STEPS}")
        self.seed_control = widgets.IntText(value=seed, description="Random seed", style=_STYLE,
                                            layout={"width": "260px"},
                                            tooltip="seed of the initial state and the moves "
                                                    "(the same for both runs)")
        for control in (self.steps_control, self.seed_control):
            control.observe(self._control_changed, names="value")
        self.controls = {**controls, "complex": self.complex_control}

        def group(title, names, extra=()):
            return [widgets.HTML(f"<b>{html.escape(title)}</b>"),
                    *(self.controls[n] for n in names if n in self.controls), *extra]

        grouped = {*PARTICLE_FIELDS, *VACANCY_FIELDS, *ANNEAL_FIELDS}
        rest = [c for name, c in self.controls.items() if name not in grouped]
        self.advanced = widgets.Accordion(children=[widgets.VBox(rest)],
                                          titles=("Phases, bands and kinetics",),
                                          selected_index=None)
        self.controls_box = widgets.VBox([
            *group("Particle", PARTICLE_FIELDS),
            *group("Vacancies (fraction of the sites)", VACANCY_FIELDS),
            *group("Anneal", ANNEAL_FIELDS, (self.steps_control, self.seed_control)),
            self.advanced,
        ])

    def _build_run_bar(self) -> None:
        self.run_button = widgets.Button(description="Run", icon="play", button_style="primary",
                                         layout={"width": "90px"},
                                         tooltip="anneal both particles, then their optics")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True,
                                          layout={"width": "90px"})
        self.run_button.on_click(self._on_run_clicked)
        self.stop_button.on_click(lambda _b: self.stop())
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout={"width": "220px"})
        self.progress_label = widgets.HTML()
        self.progress_label.add_class("lnhet-anneal-progress")
        self.run_bar = widgets.HBox(
            [self.run_button, self.stop_button, self.progress, self.progress_label],
            layout={"flex_flow": "row wrap", "align_items": "center"})

    def _run_toggle(self) -> widgets.ToggleButtons:
        return widgets.ToggleButtons(options=[("this run", "chosen"),
                                              ("comparison", "comparison")],
                                     value="chosen", description="Show",
                                     tooltips=["the run of the lab's settings",
                                               "the same particle and seed, the other side "
                                               "of P2's comparison"],
                                     style={"button_width": "190px",
                                            "description_width": "40px"})

    def _build_slice_page(self) -> None:
        self.slice_run = self._run_toggle()
        self.slice_run.observe(lambda _c: self._safely(self._show_slice), names="value")
        self.slice = LatticeSliceAnimation()
        self.slice_caption = widgets.HTML()
        self.summary = widgets.HTML()
        self.summary.add_class("lnhet-anneal-summary")
        self.slice_page = widgets.VBox([self.slice_run, self.slice, self.slice_caption,
                                        self.summary])

    def _build_structure_page(self) -> None:
        self.view_run = self._run_toggle()
        self.view_snapshot = widgets.SelectionSlider(
            options=[("step 0", 0)], description="Snapshot", continuous_update=False,
            style={"description_width": "70px"}, layout={"width": "420px"})
        self.view_mode = widgets.Dropdown(options=list(VIEW_MODES), value="half",
                                          description="Show", style={"description_width": "40px"},
                                          layout={"width": "300px"})
        for control in (self.view_run, self.view_snapshot, self.view_mode):
            control.observe(self._view_options_changed, names="value")
        self.structure = _SpeciesView(height_px=420)
        self.structure_caption = widgets.HTML()
        legend = " ".join(
            f"<span style='color:{SPECIES_COLORS[n]}'>●</span>&nbsp;{html.escape(n)}"
            for n in SPECIES)
        self.structure_page = widgets.VBox([
            self.view_run,
            widgets.HBox([self.view_snapshot, self.view_mode], layout={"flex_flow": "row wrap"}),
            self.structure_caption, widgets.HTML(f"<small>{legend}</small>"), self.structure])

    def _build_profiles_page(self) -> None:
        self.profile_snapshot = widgets.SelectionSlider(
            options=[("step 0", 0)], description="Snapshot", continuous_update=True,
            style={"description_width": "70px"}, layout={"width": "420px"})
        self.profile_snapshot.observe(self._profile_options_changed, names="value")
        self.profile_caption = widgets.HTML()

        x, y = bq.LinearScale(), bq.LinearScale(min=0.0, max=PROFILE_HEADROOM)
        colors = [SPECIES_COLORS[n] for n in SPECIES]
        self._profile_lines = bq.Lines(
            x=np.zeros(0), y=np.zeros((len(SPECIES), 0)), scales={"x": x, "y": y},
            colors=colors, labels=list(SPECIES), display_legend=True, stroke_width=2)
        self._profile_compare = bq.Lines(
            x=np.zeros(0), y=np.zeros((len(SPECIES), 0)), scales={"x": x, "y": y},
            colors=colors, line_style="dashed", stroke_width=1.5, opacities=[0.9])
        self._core_line = bq.Lines(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                   colors=["#777777"], line_style="dotted", stroke_width=1)
        self.profile_fig = figure(
            "Radial profiles", [self._profile_lines, self._profile_compare, self._core_line],
            [bq.Axis(scale=x, label="radius (nm)"),
             bq.Axis(scale=y, label="share of the sites", side="left", tick_format=".1f",
                     tick_values=np.linspace(0.0, 1.0, 6))],
            height_px=340, legend="top-left")

        # Four curves with long names: bqplot would push their legend off the plot, so the
        # caption explains colours and dashes instead.
        x = bq.LinearScale(min=0.0)
        vac, yb = bq.LinearScale(min=0.0), bq.LinearScale(min=0.0, max=HEADROOM)
        self._vacancy_marks = (lines({"x": x, "y": vac}, "vacancies", PALETTE[0]),
                               lines({"x": x, "y": vac}, "vacancies", PALETTE[0],
                                     line_style="dashed"))
        self._yb_marks = (lines({"x": x, "y": yb}, "Yb in shell", PALETTE[1]),
                          lines({"x": x, "y": yb}, "Yb in shell", PALETTE[1],
                                line_style="dashed"))
        for mark in (*self._vacancy_marks, *self._yb_marks):
            mark.display_legend = False
        self._history_here = bq.Lines(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": yb},
                                      colors=["#777777"], line_style="dotted", stroke_width=1)
        self._vacancy_scale = vac
        self._history_x_axis = bq.Axis(scale=x, label="MC step")
        self.history_fig = figure(
            "Vacancies and intermixing during the anneal",
            [*self._vacancy_marks, *self._yb_marks, self._history_here],
            [self._history_x_axis,
             bq.Axis(scale=vac, label="vacancies", side="left", tick_format="d"),
             bq.Axis(scale=yb, label="share of Yb in the shell", side="right",
                     grid_lines="none", color=PALETTE[1], tick_format=".1f",
                     tick_values=np.linspace(0.0, 1.0, 6))],
            height_px=300, right_axis=True)
        self.history_caption = widgets.HTML()
        self.profiles_page = widgets.VBox([self.profile_snapshot, self.profile_caption,
                                           self.profile_fig, self.history_caption,
                                           self.history_fig])

    def _build_optics_page(self) -> None:
        colors = {"pristine": "#555555", "docked": PALETTE[2], "undocked": PALETTE[1]}
        x, y = bq.LinearScale(min=float(SPECTRUM_NM[0]), max=float(SPECTRUM_NM[-1])), bq.LogScale()
        self._spectrum_marks = {key: lines({"x": x, "y": y}, key, c) for key, c in colors.items()}
        self._spectrum_scale = y
        self._spectrum_axis = bq.Axis(scale=y, label="photons s⁻¹ nm⁻¹ per particle",
                                      side="left", tick_format=".0e")
        self.spectrum_fig = figure("Emission under 980 nm (log scale)",
                                   list(self._spectrum_marks.values()),
                                   [bq.Axis(scale=x, label="wavelength (nm)"),
                                    self._spectrum_axis], height_px=320, legend="top-right")
        self.spectrum_fig.fig_margin = {**self.spectrum_fig.fig_margin, "left": 80}

        # Two decades above the maxima: the legend's place.
        x, y = bq.LinearScale(min=0.0), bq.LogScale(min=DECAY_FLOOR, max=100.0)
        self._decay_marks = {key: lines({"x": x, "y": y}, key, c) for key, c in colors.items()}
        self.decay_fig = figure("Tm 450 nm emission during and after a 200 µs pulse",
                                list(self._decay_marks.values()),
                                [bq.Axis(scale=x, label="time (ms)"),
                                 bq.Axis(scale=y, label="intensity (normalised)", side="left",
                                         tick_format=".0e",
                                         tick_values=_decades(DECAY_FLOOR, 1.0))],
                                height_px=300, legend="top-right")
        self.decay_fig.fig_margin = {**self.decay_fig.fig_margin, "left": 80}
        self.optics_info = widgets.HTML()
        self.optics_info.add_class("lnhet-anneal-optics")
        self.optics_page = widgets.VBox([self.optics_info, self.spectrum_fig, self.decay_fig])

    def _on_tab(self, _change=None) -> None:
        hold_selected_page(self.tabs, self._pages)
        selected = self.tabs.selected_index
        if selected == 0 and self._shown is not None:
            if self._stale_3d:
                self._safely(self._show_structure)
            self.structure.handle_resize()  # nglview is blank in a tab until resized

    # --- controls ------------------------------------------------------------------------

    def _control_changed(self, _change=None) -> None:
        if not self._showing:
            self._debounce.trigger()

    def _read_controls(self) -> tuple[AnnealParams, int, int]:
        values = {name: _clean(control.value) for name, control in self.controls.items()}
        values["complex"] = values["complex"] or None
        params = dataclasses.replace(self.params, **values)
        return params, _check_steps(self.steps_control.value), _check_seed(self.seed_control.value)

    def _apply_controls(self) -> bool:
        """Controls → traits (nothing is annealed); False, and the message shown, when a value
        is bad. The controls keep what the user typed either way."""
        try:
            params, steps, seed = self._read_controls()
        except (ValueError, TypeError) as error:
            self.status.error(str(error))
            return False
        if (params, steps, seed) != (self.params, self.steps, self.seed):
            self._showing = True  # the controls already show these values
            try:
                with self.hold_trait_notifications():
                    self.params, self.steps, self.seed = params, steps, seed
            finally:
                self._showing = False
        self._show_state()
        return True

    @traitlets.observe("params", "steps", "seed")
    def _on_settings(self, _change) -> None:
        if not self._showing:
            self._show_controls()
            self._show_state()

    def _show_controls(self) -> None:
        self._showing = True
        try:
            for name, control in self.panel.controls.items():
                _fit_step(control, getattr(self.params, name))
            self.panel.show(self.params)
            self.complex_control.value = self.params.complex or ""
            self.steps_control.value, self.seed_control.value = self.steps, self.seed
        finally:
            self._showing = False

    def _show_state(self) -> None:
        """Status line after a settings change: the last result, or that Run is needed."""
        if self._job is not None:
            return  # a run in progress keeps its own messages
        if self.result is None or self._settings_of_last_run() == (self.params, self.steps,
                                                                     self.seed):
            if self._done_text:
                self.status.show(self._done_text, self._done_kind)
        else:
            self.status.show("Settings changed since the last run: press Run to anneal.",
                             "info")

    def _settings_of_last_run(self):
        r = self.result
        return (r.params, self._last_steps, r.seed) if r is not None else None

    # --- running -------------------------------------------------------------------------

    def _on_run_clicked(self, _button) -> None:
        if not self._apply_controls():
            return  # a bad value: its message stays, the last result too
        # Not status.catching(): its "done" message could land after the thread's own.
        try:
            self.run_async()
        except (ValueError, RuntimeError) as error:
            self.status.error(str(error))
        except Exception as error:  # never raise out of a widget callback
            self.status.error(f"{type(error).__name__}: {error}")
            _log.exception("AnnealingLab: could not start the run")

    def run(self) -> AnnealResult:
        """Anneal now, in this thread, and return the new ``result``.

        Anneals ``params`` and :func:`comparison_params` of it for ``steps`` MC steps with
        ``seed``, then computes the optics, and shows everything. Errors propagate (a script
        wants them); they are also shown in the lab, whose last result stays.

        Raises
        ------
        ValueError
            For settings that cannot be annealed (e.g. ``steps`` out of range).
        RuntimeError
            If a run is already in progress.
        """
        job = self._prepare()
        self._execute(job)
        if self._error is not None:
            raise self._error
        return self.result

    def run_async(self) -> threading.Thread:
        """Anneal in a background thread (what the Run button does) and return the thread.

        The progress bar follows both runs; :meth:`stop` ends the run early. Join the thread
        (or call :meth:`wait`) before reading the new ``result``.

        Raises
        ------
        ValueError, RuntimeError
            As :meth:`run`, before the thread starts.
        """
        job = self._prepare()
        self._thread = threading.Thread(target=self._execute, args=(job,),
                                        name="AnnealingLab-run", daemon=True)
        self._thread.start()
        return self._thread

    def wait(self, timeout: float | None = None) -> AnnealResult | None:
        """Wait for a background run to finish and return ``result``; re-raise its error."""
        if self._thread is not None:
            self._thread.join(timeout)
        if self._error is not None:
            raise self._error
        return self.result

    @property
    def running(self) -> bool:
        """True while a run is in progress."""
        return self._job is not None

    def stop(self) -> None:
        """End a running anneal at its next progress report (within 10 MC steps).

        The lab then shows the snapshots reached. If the first run is stopped, its
        counterpart is annealed to the same step (no longer than the time already spent), so
        both sides compare; the optics are not computed. Does nothing when no run is in
        progress.
        """
        job = self._job
        if job is None:
            return
        job.stop.set()
        self.stop_button.disabled = True
        self.progress_label.value = "stopping…"

    def _prepare(self) -> _Job:
        with self._lock:
            if self._job is not None:
                raise RuntimeError("an anneal is already running; stop it first (stop())")
            try:
                steps, seed = _check_steps(self.steps), _check_seed(self.seed)
            except ValueError as error:
                self.status.error(str(error))
                raise
            job = _Job(self.params, steps, seed, threading.Event(), time.perf_counter())
            self._job = job
        self._error = None
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.progress.max, self.progress.value = max(1, 2 * steps), 0
        self.progress.bar_style = "info"
        self.progress_label.value = "starting…"
        self.status.show(f"Annealing {RUN_NAMES[job.params.complex]} and "
                         f"{RUN_NAMES[comparison_params(job.params).complex]}…", "busy")
        return job

    def _execute(self, job: _Job) -> None:
        """Anneal both runs, compute the optics, show them; the body of Run."""
        try:
            runs, optics, anneal_s, optics_s = self._compute(job)
            draw = time.perf_counter()
            self._show(*runs, optics)
            self._last_steps = job.steps
            with self.hold_trait_notifications():
                self.comparison, self.optics = runs[1], optics
                self.result = runs[0]
            total = time.perf_counter() - job.started
            self.timings = {"anneal_s": anneal_s, "optics_s": optics_s,
                            "draw_s": time.perf_counter() - draw, "total_s": total}
            self._finish(job, runs, total)
        except Exception as error:
            self._error = error
            self.progress.bar_style = "danger"
            self.progress_label.value = "failed"
            message = (str(error) if isinstance(error, ValueError | TypeError)
                       else f"{type(error).__name__}: {error}")
            self.status.error(f"Anneal failed: {message}")
            if not isinstance(error, ValueError | TypeError):
                _log.exception("AnnealingLab: unexpected error in a run")
        finally:
            with self._lock:
                self._job = None
            self.run_button.disabled, self.stop_button.disabled = False, True
        if self._error is None:
            # Settings changed while the run went on: say so rather than "done".
            self._show_state()

    def _compute(self, job: _Job):
        start = time.perf_counter()
        job.time_per_step_s = time_per_step_s(job.params)  # the clock of the progress label
        snapshots = snapshot_steps(job.steps)
        runs, stop_step = [], None
        for index, p in enumerate((job.params, comparison_params(job.params))):
            steps = job.steps if stop_step is None else stop_step
            wanted = np.union1d(snapshots[snapshots <= steps], [steps])
            # After a stop in the first run the counterpart is brought to the same step
            # without stopping: the two sides must compare.
            progress = functools.partial(self._progress, job, index, RUN_NAMES[p.complex],
                                         stop_step is None)
            r = anneal(p, steps=steps, snapshots=wanted, seed=job.seed, progress=progress)
            runs.append(r)
            if index == 0 and r.steps < steps:
                stop_step = r.steps
        anneal_s = time.perf_counter() - start

        start = time.perf_counter()
        optics = {}
        if not job.stop.is_set():
            chosen, other = runs
            docked, undocked = (chosen, other) if chosen.params.complex else (other, chosen)
            todo = (("pristine", chosen, 0), ("docked", docked, -1), ("undocked", undocked, -1))
            for k, (key, r, snapshot) in enumerate(todo):
                if job.stop.is_set():
                    optics = {}
                    break
                self.progress_label.value = html.escape(
                    f"optics {k + 1}/3 ({key}) · step {job.steps} of {job.steps}")
                optics[key] = r.optical(snapshot)
        return runs, optics, anneal_s, time.perf_counter() - start

    def _progress(self, job: _Job, index: int, name: str, may_stop: bool, done: int,
                  total: int) -> bool:
        """anneal's progress callback: moves the bar, says whether to go on."""
        now = time.perf_counter()
        if done == total or now - self._last_report >= _REPORT_S:
            self._last_report = now
            try:
                self.progress.value = min(self.progress.max, index * job.steps + done)
                self.progress_label.value = html.escape(
                    f"{name}: step {done} of {total} · "
                    f"{_minutes(done * job.time_per_step_s)} of annealing")
            except Exception:  # an exception here would end the anneal
                _log.exception("AnnealingLab: progress update failed")
        return not (may_stop and job.stop.is_set())

    def _finish(self, job: _Job, runs, total_s: float) -> None:
        chosen, other = runs
        reached = f"step {chosen.steps} of {job.steps}"
        if job.stop.is_set():
            self.progress.bar_style = "warning"
            extra = ("" if other.steps == chosen.steps else
                     f"; the comparison reached step {other.steps}")
            self.progress_label.value = html.escape(
                f"stopped at {reached} · {_minutes(chosen.snapshot_time_s[-1])} of annealing")
            self._done_text = (f"Stopped at {reached}{extra}: the snapshots reached are shown; "
                               "no optics for a stopped run (press Run to anneal to the end).")
            self._done_kind = "info"
        else:
            self.progress.value = self.progress.max
            self.progress.bar_style = "success"
            self.progress_label.value = html.escape(
                f"step {job.steps} of {job.steps} · {_minutes(chosen.snapshot_time_s[-1])} of "
                f"annealing · {total_s:.1f} s")
            self._done_kind = "ok"
            self._done_text = (
                f"Annealed {job.steps} MC steps ({_minutes(chosen.snapshot_time_s[-1])} at "
                f"{chosen.params.temperature_c:g} °C) {RUN_NAMES[chosen.params.complex]} and "
                f"{RUN_NAMES[other.params.complex]}, with optics, in {total_s:.1f} s "
                f"(seed {job.seed}).")

    # --- saved work (SavableLab) ---------------------------------------------------------

    def _saved_state(self) -> dict:
        return {"params": params_state(self.params), "steps": self.steps, "seed": self.seed}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        check_keys(state, "AnnealingLab", ("params", "steps", "seed"))
        return {"params": read_params(AnnealParams, state["params"]),
                "steps": read_number("steps", state["steps"], "MC steps", 0, MAX_STEPS,
                                     integer=True),
                "seed": read_number("seed", state["seed"], "", 0, MAX_SEED, integer=True)}

    def _apply_saved_state(self, values: dict) -> None:
        if self.running:
            raise RuntimeError("an anneal is running; stop it before loading saved settings")
        with self.hold_trait_notifications():
            self.params, self.steps, self.seed = (values["params"], values["steps"],
                                                  values["seed"])
        if self._settings_of_last_run() != (self.params, self.steps, self.seed):
            self.run()

    # --- drawing -------------------------------------------------------------------------

    def _safely(self, func, *args) -> None:
        """Draw one view; its error is shown in the status line, the other views still draw."""
        try:
            func(*args)
        except Exception as error:
            self.status.error(f"{type(error).__name__} while drawing: {error}")
            _log.exception("AnnealingLab: a view failed")

    def _runs(self, which: str = "chosen") -> tuple[AnnealResult, AnnealResult]:
        """(shown run, the other) for a run toggle's value."""
        chosen, other = self._shown
        return (other, chosen) if which == "comparison" else (chosen, other)

    def _show(self, chosen: AnnealResult, other: AnnealResult, optics: dict) -> None:
        self._shown = (chosen, other)
        names = [(_run_name(chosen), "chosen"), (_run_name(other), "comparison")]
        options = list(zip(_labels(chosen), range(chosen.snapshot_steps.size), strict=True))
        self._showing = True
        try:
            for toggle in (self.slice_run, self.view_run):
                value = toggle.value
                toggle.options = names
                toggle.value = value
            for slider in (self.view_snapshot, self.profile_snapshot):
                slider.options = options
                slider.value = len(options) - 1  # the end of the anneal
        finally:
            self._showing = False
        self._stale_3d = True
        self._safely(self._show_slice, False)
        for view in (self._show_summary, self._show_profiles, self._show_history,
                     self._show_downloads):
            self._safely(view)
        self._safely(self._show_optics, optics)
        if self.tabs.selected_index == 0:
            self._safely(self._show_structure)

    def _show_slice(self, keep_frame: bool = True) -> None:
        r, _ = self._runs(self.slice_run.value)
        frame = self.slice.frame_index
        # set_snapshots shows the last frame: after a run, the end of the anneal (Play starts
        # from the first); switching between the two runs keeps the frame shown.
        self.slice.set_snapshots(r.positions_nm, r.species, labels=_labels(r),
                                 radius_nm=0.5 * r.params.diameter_nm,
                                 core_radius_nm=0.5 * r.params.core_diameter_nm,
                                 # thinner than the default: β's cation planes along c pair
                                 # up, and 0.35 nm would draw sites on top of each other
                                 half_thickness_nm=0.2)
        if keep_frame:
            self.slice.frame_index = frame
        self.slice.title = f"Central slice, {_run_name(r)}"
        self.slice_caption.value = (
            "<small>Cation sites within 0.35 nm of the central plane, one disc per site; "
            "vacancies are rings; dashed circles: core and surface. Play to watch the anneal "
            f"({r.snapshot_steps.size} snapshots; 1 MC step = {r.time_per_step_s:.1f} s at "
            f"{r.params.temperature_c:g} °C).</small>")

    def _show_summary(self) -> None:
        head = ("<tr><th>step</th><th>time</th><th>Yb in shell</th><th>vacancies</th>"
                "<th>Yb CN</th><th>interface width</th><th>docked ions</th></tr>")
        body = []
        for r, role in zip(self._runs(), ("this run", "comparison"), strict=True):
            body.append(f"<tr><th colspan='7' style='text-align:left'>"
                        f"{html.escape(_run_name(r))} ({role})</th></tr>")
            steps = r.snapshot_steps
            rows = [int(np.flatnonzero(steps == s)[0]) for s in P2_STEPS if s in steps]
            if steps[-1] not in P2_STEPS:
                rows.append(steps.size - 1)  # the end of a run that is not one of P2's steps
            for k in rows:
                body.append(
                    f"<tr><td>{steps[k]}</td><td>{_minutes(r.snapshot_time_s[k])}</td>"
                    f"<td>{_fmt(r.yb_fraction_in_shell[k], '.3f')}</td>"
                    f"<td>{r.vacancy_count[k]}</td>"
                    f"<td>{_fmt(r.yb_coordination[k], '.2f')}</td>"
                    f"<td>{_fmt(r.interface_width_nm[k], '.2f')} nm</td>"
                    f"<td>{r.docked_ions[k]}</td></tr>")
        self.summary.value = (
            "<table class='lnhet-table lnhet-anneal-table'>" + head + "".join(body)
            + "</table><small>Yb in shell: share of the Yb ions outside the core radius; "
            "Yb CN: occupied cation sites around a Yb ion (the EXAFS coordination); interface "
            "width: 10–90 % width of the radial Yb profile. Rows: P2's steps 0/100/500/1000 "
            "and the last step.</small>")

    def _view_options_changed(self, _change=None) -> None:
        if self._showing:
            return
        self._stale_3d = True
        if self.tabs.selected_index == 0:
            self._safely(self._show_structure)

    def _show_structure(self) -> None:
        r, _ = self._runs(self.view_run.value)
        step = int(self._shown[0].snapshot_steps[self.view_snapshot.value])
        index = _nearest_index(r.snapshot_steps, step)
        atoms = snapshot_atoms(r, index, show=self.view_mode.value)
        self._stale_3d = False
        counts = np.bincount(r.species[index], minlength=len(SPECIES))
        text = ", ".join(f"{int(c):,} {n}" for n, c in zip(SPECIES, counts, strict=True))
        self.structure_caption.value = (
            f"<b>{html.escape(_run_name(r))}, {html.escape(_labels(r)[index])}</b> — whole "
            f"particle: {html.escape(text)}.")
        if len(atoms) == 0:
            self.structure_caption.value += " Nothing to draw: no vacancies left."
            return
        self.structure.set_atoms(atoms)

    def _profile_options_changed(self, _change=None) -> None:
        if not self._showing:
            self._safely(self._show_profiles)

    def _show_profiles(self) -> None:
        chosen, other = self._runs()
        k = int(self.profile_snapshot.value)
        step = int(chosen.snapshot_steps[k])
        j = _nearest_index(other.snapshot_steps, step)
        # Bins without sites (the innermost of a small particle) are NaN for every species.
        use = np.all(np.isfinite(chosen.radial_profiles[k]), axis=0)
        use_other = np.all(np.isfinite(other.radial_profiles[j]), axis=0)
        core_r = 0.5 * chosen.params.core_diameter_nm
        with self.profile_fig.hold_sync():
            set_mark_data(self._profile_lines, chosen.profile_radius_nm[use],
                          chosen.radial_profiles[k][:, use])
            set_mark_data(self._profile_compare, other.profile_radius_nm[use_other],
                          other.radial_profiles[j][:, use_other])
            set_mark_data(self._core_line, [core_r, core_r], [0.0, 1.0])
            self.profile_fig.title = f"Radial profiles at {_labels(chosen)[k]}"
        other_step = int(other.snapshot_steps[j])
        note = "" if other_step == step else f" (its last snapshot, step {other_step})"
        self.profile_caption.value = (
            f"<small>Solid: {html.escape(_run_name(chosen))} (this run); dashed: "
            f"{html.escape(_run_name(other))}{note}. Share of the sites of each 0.25 nm "
            "shell held by each species; dotted: the core radius.</small>")
        set_mark_data(self._history_here, [step, step], [0.0, 1.0])

    def _show_history(self) -> None:
        runs = self._runs()
        top = max(max(int(r.vacancy_count.max()) for r in runs), 1)
        with self.history_fig.hold_sync():
            self._vacancy_scale.max = HEADROOM * top
            for marks, values, what in ((self._vacancy_marks, "vacancy_count", "vacancies"),
                                        (self._yb_marks, "yb_fraction_in_shell",
                                         "Yb in shell")):
                for mark, r in zip(marks, runs, strict=True):
                    set_mark_data(mark, r.snapshot_steps, getattr(r, values),
                                  labels=[f"{what}, {_run_name(r)}"])
            chosen = runs[0]
            self._history_x_axis.label = (f"MC step (1 step = {chosen.time_per_step_s:.1f} s "
                                          f"at {chosen.params.temperature_c:g} °C)")
        self.history_caption.value = (
            f"<small><span style='color:{PALETTE[0]}'>━</span> vacancies (left axis), "
            f"<span style='color:{PALETTE[1]}'>━</span> share of the Yb ions in the shell "
            f"(right axis); solid: {html.escape(_run_name(runs[0]))} (this run), dashed: "
            f"{html.escape(_run_name(runs[1]))}; dotted: the snapshot above.</small>")

    def _show_optics(self, optics: dict) -> None:
        if not optics:
            with self.spectrum_fig.hold_sync(), self.decay_fig.hold_sync():
                for mark in (*self._spectrum_marks.values(), *self._decay_marks.values()):
                    set_mark_data(mark, [], [])
            self.optics_info.value = ("<b>No optics for a stopped run.</b> Press Run to anneal "
                                      "to the end; the optics follow.")
            return
        chosen, other = self._runs()
        docked = chosen if chosen.params.complex else other
        names = {"pristine": "pristine (step 0)", "docked": _run_name(docked),
                 "undocked": RUN_NAMES[None]}
        # Short legend entries: bqplot pushes a wide legend off the plot.
        short = {"pristine": "pristine", "docked": f"{docked.params.complex}³⁺–oleate",
                 "undocked": "no complexes"}
        spectra = {key: o.spectrum(SPECTRUM_NM) for key, o in optics.items()}
        top = max(float(s.max()) for s in spectra.values())
        top = top if top > 0 else 1.0
        floor = top * 10.0 ** -SPECTRUM_DECADES
        with self.spectrum_fig.hold_sync():
            for key, mark in self._spectrum_marks.items():
                # A log axis has no zero: the gaps between the lines sit on the floor.
                set_mark_data(mark, SPECTRUM_NM, np.maximum(spectra[key], floor),
                              labels=[short[key]])
            # Two decades above the highest line: the legend's place.
            self._spectrum_scale.min, self._spectrum_scale.max = floor, 100.0 * top
            self._spectrum_axis.tick_values = _decades(floor, top)
        with self.decay_fig.hold_sync():
            for key, mark in self._decay_marks.items():
                o: AnnealOptics = optics[key]
                peak = float(o.tm_450_decay.max())
                y = o.tm_450_decay / peak if peak > 0 else np.zeros_like(o.tm_450_decay)
                shown = y >= DECAY_FLOOR
                set_mark_data(mark, o.decay_time_ms[shown], y[shown],
                              labels=[f"{short[key]}: τ {_fmt(o.tm_450_lifetime_ms, '.2g')} ms"])
        self.optics_info.value = _optics_html(optics, names, docked)

    def _show_downloads(self) -> None:
        links = []
        for r, role in zip(self._runs(), ("this_run", "comparison"), strict=True):
            tag = {None: "no_complex", "Y": "Y_oleate", "Gd": "Gd_oleate"}.get(
                r.params.complex, "complex")
            links.append(download_link(f"anneal_{role}_{tag}.csv", r.to_csv(), "text/csv",
                                       _run_name(r)))
        self.downloads.value = ("<small>CSV, one row per snapshot: " + " · ".join(links)
                                + "</small>")


def _run_name(r: AnnealResult) -> str:
    return RUN_NAMES.get(r.params.complex, f"with {r.params.complex}³⁺–oleate")


def _optics_html(optics: dict, names: dict, docked: AnnealResult) -> str:
    p, d, u = (optics[k] for k in ("pristine", "docked", "undocked"))
    line = [o.lines.get(LINE_450_NM, math.nan) for o in (p, d, u)]
    step = d.snapshot_step
    text = (
        f"<b>450 nm (Tm ¹D₂)</b> under 980 nm at {_fmt(p.power_w_cm2, 'g')} W cm⁻² (P2's "
        f"power), after {step} steps "
        f"({_minutes(step * docked.time_per_step_s)}), relative to the pristine particle: "
        f"<b>×{_fmt(_ratio(line[1], line[0]), '.3g')}</b> {html.escape(names['docked'])}, "
        f"<b>×{_fmt(_ratio(line[2], line[0]), '.3g')}</b> {html.escape(names['undocked'])}. "
        f"Tm 450 nm lifetime: {_fmt(p.tm_450_lifetime_ms, '.3g')} ms pristine → "
        f"{_fmt(d.tm_450_lifetime_ms, '.3g')} ms {html.escape(names['docked'])}, "
        f"{_fmt(u.tm_450_lifetime_ms, '.3g')} ms {html.escape(names['undocked'])}. "
        f"Yb³⁺ lifetime: {_fmt(p.yb_lifetime_us, '.3g')} → {_fmt(d.yb_lifetime_us, '.3g')} / "
        f"{_fmt(u.yb_lifetime_us, '.3g')} µs.")
    if docked.params.complex == "Y":
        text += " <small>P2 (Y docking): ×116 and 0.10 → 0.41 ms.</small>"
    return text
