"""The Particle tab of AnnealingLab: the animated cross-section of the cation lattice, a 3D
model of one snapshot, and the table of P2's steps; with the names and labels of a run that
every view of the lab uses.

The tab is a mixin of :class:`~lnhet_widgets.widgets.labs.annealing_lab.AnnealingLab`: its
``_build_*_page`` methods make the page's widgets as attributes of the lab, and its ``_show_*``
methods draw the two runs of the lab's last anneal (``lab._runs()``: this run and its
comparison), each called through ``lab._safely`` so that one failing view leaves the others.
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np
from ase import Atoms

from lnhet_widgets.core.annealing import SPECIES, AnnealResult

from ..custom.lattice_slice import LatticeSliceAnimation, snapshot_labels
from ..parts.structure_view import REGION_COLORS, StructureView

__all__ = ["snapshot_atoms"]

#: P2 shows its simulation at these steps; the summary table and the run always include them.
P2_STEPS = (0, 100, 500, 1000)
RUN_NAMES = {None: "without complexes", "Y": "with Y³⁺–oleate", "Gd": "with Gd³⁺–oleate"}
#: Element of each species in the 3D model; a vacancy is ASE's placeholder "X".
SPECIES_SYMBOLS = {"vacancy": "X", "Gd": "Gd", "Y": "Y", "Yb": "Yb", "Tm": "Tm"}
#: Sphere radii (Å) of the 3D model: cation sites are 3.6–3.9 Å apart, so ions of 1.6 Å
#: nearly touch and a vacancy of 0.8 Å reads as a hole.
ION_RADIUS_A = 1.6
VACANCY_RADIUS_A = 0.8
VIEW_MODES = (("cross-section (half, cut at z = 0)", "half"), ("whole particle", "whole"),
              ("vacancies only", "vacancies"))


def _minutes(seconds: float) -> str:
    minutes = seconds / 60.0
    return f"{minutes:.1f} min" if 0 < minutes < 9.95 else f"{minutes:.0f} min"


def _labels(r: AnnealResult) -> list[str]:
    """"step 500 · 34 min" for every snapshot of ``r`` (the cross-section's labels)."""
    return snapshot_labels(r.snapshot_steps, r.snapshot_time_s)


def _fmt(value: float, spec: str) -> str:
    return "—" if value is None or not math.isfinite(value) else format(value, spec)


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
    >>> from lnhet_widgets.core.annealing import AnnealParams, anneal
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

    Parameters
    ----------
    species_colors : dict
        Colour (``#rrggbb``) of each name of :data:`~lnhet_widgets.core.annealing.SPECIES`.
    """

    def __init__(self, species_colors: dict, **kwargs):
        # Set before StructureView draws anything with it.
        self.species_colors = species_colors
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
            groups = [(self.species_colors[name], species == name, ION_RADIUS_A)
                      for name in SPECIES if name != "vacancy"]
        else:
            groups = [(REGION_COLORS[region], (regions == region) & ~vacancy, ION_RADIUS_A)
                      for region in ("core", "shell")]
        groups.append((self.species_colors["vacancy"], vacancy, VACANCY_RADIUS_A))
        for colour, mask, radius in groups:
            index = np.flatnonzero(mask)
            if index.size:
                self.view.add_representation(
                    "spacefill", selection="@" + ",".join(map(str, index.tolist())),
                    component=0, color=colour, radius=radius * scale)


def _run_name(r: AnnealResult) -> str:
    return RUN_NAMES.get(r.params.complex, f"with {r.params.complex}³⁺–oleate")


class ParticleTab:
    """The cross-section, the 3D model and the summary table of the two runs."""

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

    def _build_structure_page(self, species_colors: dict) -> None:
        self.view_run = self._run_toggle()
        self.view_snapshot = widgets.SelectionSlider(
            options=[("step 0", 0)], description="Snapshot", continuous_update=False,
            style={"description_width": "70px"}, layout={"width": "420px"})
        self.view_mode = widgets.Dropdown(options=list(VIEW_MODES), value="half",
                                          description="Show", style={"description_width": "40px"},
                                          layout={"width": "300px"})
        for control in (self.view_run, self.view_snapshot, self.view_mode):
            control.observe(self._view_options_changed, names="value")
        self.structure = _SpeciesView(species_colors, height_px=420)
        self.structure_caption = widgets.HTML()
        legend = " ".join(
            f"<span style='color:{species_colors[n]}'>●</span>&nbsp;{html.escape(n)}"
            for n in SPECIES)
        self.structure_page = widgets.VBox([
            self.view_run,
            widgets.HBox([self.view_snapshot, self.view_mode], layout={"flex_flow": "row wrap"}),
            self.structure_caption, widgets.HTML(f"<small>{legend}</small>"), self.structure])

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

