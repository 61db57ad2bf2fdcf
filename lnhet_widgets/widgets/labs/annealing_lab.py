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

This module holds the lab's controls, wiring, what a run computes and its saved work. Beside
it, as mixins of the lab, are how a run goes (:mod:`~lnhet_widgets.widgets.labs.annealing_runs`:
Run, Stop, the background thread, progress) and the tabs it draws
(:mod:`~lnhet_widgets.widgets.labs.annealing_views`: the cross-section, 3D model and summary;
:mod:`~lnhet_widgets.widgets.labs.annealing_plots`: profiles, histories and optics).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import logging
import threading
import time

import ipywidgets as widgets
import numpy as np
import traitlets

from lnhet_widgets.core.annealing import (
    SPECIES,
    AnnealParams,
    AnnealResult,
    anneal,
    time_per_step_s,
)

from ..custom.lattice_slice import SPECIES_COLORS as _SLICE_COLORS
from ..parts._download import download_link
from ..parts._tabs import hold_selected_page
from ..parts._throttle import Throttle
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
from .annealing_ions import IonOpticsChoice, check_optics_model
from .annealing_plots import OpticsTab, ProfilesTab
from .annealing_runs import (
    MAX_SEED,
    MAX_STEPS,
    RunBar,
    _check_seed,
    _check_steps,
    _Job,
    comparison_params,
)
from .annealing_views import P2_STEPS, RUN_NAMES, ParticleTab, _labels, _run_name

__all__ = ["AnnealingLab", "snapshot_steps"]

_log = logging.getLogger(__name__)

DEFAULT_STEPS = 1000
#: About this many animation frames per run (one snapshot every ``steps // 100`` steps).
ANIMATION_FRAMES = 100

#: The complex control: (label, dropdown value). The dropdown holds "" for "none": an
#: ipywidgets selection whose value is None shows a blank (ParameterPanel's problem with
#: ``complex=None``), so None stays on the params side only.
COMPLEX_OPTIONS = (("none", ""), ("Y³⁺–oleate", "Y"), ("Gd³⁺–oleate", "Gd"))
#: Species colours of the profiles and the 3D model: the cross-section's, so that a species
#: looks the same in every view (quiet hosts, strong dopants, near-black vacancies).
SPECIES_COLORS = dict(zip(SPECIES, _SLICE_COLORS, strict=True))
#: Wavelengths (nm) of the emission spectra in the Optics tab.
SPECTRUM_NM = np.linspace(400.0, 850.0, 901)

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


# --- the lab ---------------------------------------------------------------------------------


class AnnealingLab(RunBar, ParticleTab, ProfilesTab, OpticsTab, IonOpticsChoice, SavableLab,
                   widgets.VBox):
    """Lesson 3 lab: anneal a core–shell particle with or without Ln–oleate docking complexes.

    Every run anneals two particles with the same seed: the one of ``params`` and its
    counterpart (:func:`~lnhet_widgets.widgets.labs.annealing_runs.comparison_params`:
    without complexes, or with Y³⁺–oleate when ``params`` has none), with ~100 snapshots
    each, then computes the emission of the pristine particle and of both annealed ones.
    Controls only validate; Run anneals (in a background thread, with a progress bar and
    Stop). The first run happens in the constructor, so the lab is never empty.

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
    optics_model : {"average", "per_ion"}
        The Optics tab's model (its control): ``"per_ion"`` computes the optics of the three
        particles ion by ion too (:mod:`~lnhet_widgets.widgets.labs.annealing_ions`, 10–20 s
        a particle, in the background) and tabulates them beside the average
        model's.
    per_ion_optics : dict
        ``{"pristine", "docked", "undocked"}`` → :class:`~lnhet_widgets.core.annealing.
        optics.IonOptics` of the last per-ion optics completed (:meth:`wait_per_ion` waits for
        them); empty before.

    ``save``/``load``/``restore`` (:class:`~lnhet_widgets.widgets.parts.saved.SavableLab`) keep
    ``params`` (the complex included), ``steps``, ``seed`` and ``optics_model``; ``restore``
    anneals them at once (unless they were the last run's). The Save/Load bar sits under the
    status line.

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
    optics_model = traitlets.Unicode("average")
    per_ion_optics = traitlets.Dict()

    def __init__(self, params: AnnealParams | None = None, *, steps: int = DEFAULT_STEPS,
                 seed: int = 0):
        start = AnnealParams() if params is None else params
        if not isinstance(start, AnnealParams):
            raise TypeError(f"params must be an AnnealParams, got {type(start).__name__}")
        steps, seed = _check_steps(steps), _check_seed(seed)
        self.status = StatusLine()
        self._throttle = Throttle(self._apply_controls)
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
        self._build_structure_page(SPECIES_COLORS)
        self._build_profiles_page(SPECIES_COLORS)
        self._build_optics_model()
        self._build_optics_page(SPECTRUM_NM)
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

    # --- controls and tabs ---------------------------------------------------------------

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

    def _on_tab(self, _change=None) -> None:
        hold_selected_page(self.tabs, self._pages)
        selected = self.tabs.selected_index
        if selected == 0 and self._shown is not None:
            if self._stale_3d:
                self._safely(self._show_structure)
            self.structure.handle_resize()  # nglview is blank in a tab until resized

    # --- settings ------------------------------------------------------------------------

    def _control_changed(self, _change=None) -> None:
        if not self._showing:
            self._throttle.trigger()

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

    @traitlets.validate("optics_model")
    def _valid_optics_model(self, proposal) -> str:
        return check_optics_model(proposal["value"])

    @traitlets.observe("optics_model")
    def _on_optics_model(self, change) -> None:
        self._optics_model_set(change)

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
        if self._job is not None or self._ion_job is not None:
            return  # a run or per-ion optics in progress keep their own messages
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

    # --- what a run computes -------------------------------------------------------------

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

    # --- saved work (SavableLab) ---------------------------------------------------------

    def _saved_state(self) -> dict:
        return {"params": params_state(self.params), "steps": self.steps, "seed": self.seed,
                "optics_model": self.optics_model}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        # optics_model is optional: files saved before the per-ion model have the average
        check_keys(state, "AnnealingLab", ("params", "steps", "seed"), ("optics_model",))
        return {"params": read_params(AnnealParams, state["params"]),
                "steps": read_number("steps", state["steps"], "MC steps", 0, MAX_STEPS,
                                     integer=True),
                "seed": read_number("seed", state["seed"], "", 0, MAX_SEED, integer=True),
                "optics_model": check_optics_model(state.get("optics_model", "average"))}

    def _apply_saved_state(self, values: dict) -> None:
        if self.running:
            raise RuntimeError("an anneal is running; stop it before loading saved settings")
        with self.hold_trait_notifications():
            self.params, self.steps, self.seed = (values["params"], values["steps"],
                                                  values["seed"])
        if self._settings_of_last_run() != (self.params, self.steps, self.seed):
            self.run()  # the per-ion optics of the new run follow if they are chosen
        self.optics_model = values["optics_model"]

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

    def _show_downloads(self) -> None:
        links = []
        for r, role in zip(self._runs(), ("this_run", "comparison"), strict=True):
            tag = {None: "no_complex", "Y": "Y_oleate", "Gd": "Gd_oleate"}.get(
                r.params.complex, "complex")
            links.append(download_link(f"anneal_{role}_{tag}.csv", r.to_csv(), "text/csv",
                                       _run_name(r)))
        self.downloads.value = ("<small>CSV, one row per snapshot: " + " · ".join(links)
                                + "</small>")

