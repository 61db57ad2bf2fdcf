"""MismatchLab: lesson 1 — lattice mismatch, perovskite stability, strain, structure and XRD.

One lab, one params dataclass (:class:`MismatchParams`), one result (:class:`MismatchResult`).
Both are traitlets of the lab, so a notebook can set ``lab.params`` or read ``lab.result``.
Control changes are throttled (the first at once, a drag at the model's pace, the last value
always); a bad value shows a message in the lab and leaves the last result on screen.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import traitlets
from ase import Atoms

from lnhet_widgets.core._base.validate import check_range
from lnhet_widgets.core.crystal import (
    FLUORIDES,
    PEROVSKITES,
    UNIFORM_SHELL_LIMIT_EV_NM2,
    CoincidenceMatch,
    CoreShellStrain,
    build_heterostructure,
    coincidence_matches,
    coreshell_strain,
    debye_pattern,
    effective_misfit,
    get_material,
    misfit,
    perovskite_stability,
    powder_pattern,
    tolerance_factor,
)

from ..custom.gauge import ToleranceGauge
from ..parts._throttle import Throttle
from ..parts.background import LatestJob
from ..parts.panel import ParameterPanel, param
from ..parts.plots import line_figure, set_mark_data
from ..parts.saved import SavableLab, SaveLoadBar, check_keys, params_state, read_flag, read_params
from ..parts.status import StatusLine
from ..parts.structure_view import StructureView

__all__ = ["MismatchLab", "MismatchParams", "MismatchResult"]

CUBIC_PLANES = ("(100)", "(110)", "(111)")
HEXAGONAL_PLANES = ("(0001)", "(10-10)", "(11-20)")
TWO_THETA_DEG = np.linspace(10.0, 60.0, 1001)
_CORE_SWEEP_NM = np.linspace(1.0, 16.0, 61)


def planes_of(key: str) -> tuple[str, ...]:
    """Interface planes offered for a phase: hexagonal or cubic low-index planes."""
    return CUBIC_PLANES if get_material(key).is_cubic else HEXAGONAL_PLANES


@dataclass(frozen=True)
class MismatchParams:
    """Inputs of lesson 1 (defaults: P1's α-NaYF4 (4.9 nm) @ CsPbBr3 (10.4 nm) at 220 °C)."""

    core: str = param("alpha-NaYF4", label="Core phase", choices=FLUORIDES)
    shell: str = param("CsPbBr3", label="Shell phase", choices=PEROVSKITES)
    core_plane: str = param("(100)", label="Core plane",
                            choices=CUBIC_PLANES + HEXAGONAL_PLANES)
    shell_plane: str = param("(100)", label="Shell plane", choices=CUBIC_PLANES)
    temperature_c: float = param(220.0, label="Temperature", unit="°C", min=20.0, max=400.0,
                                 step=5.0)
    core_diameter_nm: float = param(4.9, label="Core diameter", unit="nm", min=1.0, max=20.0,
                                    step=0.1)
    edge_nm: float = param(10.4, label="Shell cube edge", unit="nm", min=2.0, max=30.0,
                           step=0.1)
    max_area_a2: float = param(300.0, label="Max. cell area", unit="Å²", min=30.0, max=1000.0,
                               step=10.0,
                               description="largest coincidence cell counted as coherent")
    max_strain: float = param(0.05, label="Max. strain", min=0.005, max=0.15, step=0.005)
    radii: str = param("cn6", label="Cs radius set", choices=("cn6", "cn12"),
                       description="coordination of Cs⁺ in the tolerance factor")

    def __post_init__(self):
        for name, allowed in (("core", FLUORIDES), ("shell", PEROVSKITES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")
        for name, plane, key in (("core_plane", self.core_plane, self.core),
                                 ("shell_plane", self.shell_plane, self.shell)):
            if plane not in planes_of(key):
                raise ValueError(f"{name} = {plane} does not apply to {key}; "
                                 f"choose one of {', '.join(planes_of(key))}")
        check_range("temperature_c", self.temperature_c, "°C", 20.0, 400.0)
        check_range("core_diameter_nm", self.core_diameter_nm, "nm", 1.0, 20.0)
        check_range("edge_nm", self.edge_nm, "nm", 2.0, 30.0)
        if self.edge_nm <= self.core_diameter_nm:
            raise ValueError(f"edge_nm = {self.edge_nm:g} nm must exceed core_diameter_nm = "
                             f"{self.core_diameter_nm:g} nm")
        check_range("max_area_a2", self.max_area_a2, "Å²", 30.0, 1000.0)
        check_range("max_strain", self.max_strain, "", 0.005, 0.15)
        if self.radii not in ("cn6", "cn12"):
            raise ValueError(f"radii must be 'cn6' or 'cn12', got {self.radii!r}")


@dataclass(frozen=True)
class MismatchResult:
    """Everything lesson 1 shows for one :class:`MismatchParams`."""

    params: MismatchParams
    misfit_25c: dict[str, float]
    misfit_at_t: dict[str, float]
    effective_misfit_at_t: dict[str, float]
    matches: list[CoincidenceMatch]
    tolerance: dict[str, float]
    forms_shell: dict[str, bool]
    strain: CoreShellStrain
    energy_density_sweep_ev_nm2: np.ndarray
    atoms: Atoms
    core_pattern: np.ndarray
    shell_pattern: np.ndarray
    heterostructure_pattern: np.ndarray | None


def _structure_key(p: MismatchParams) -> tuple:
    return (p.core, p.shell, p.core_diameter_nm, p.edge_nm)


class MismatchLab(SavableLab, widgets.VBox):
    """Lesson 1 lab: choose core, shell, planes and temperature; see why some pairs match.

    ``save``/``load``/``restore`` (:class:`~lnhet_widgets.widgets.parts.saved.SavableLab`) keep
    ``params`` and whether the heterostructure's Debye pattern was computed; the Save/Load
    bar sits under the status line.

    Attributes
    ----------
    params : MismatchParams
        Current inputs; set it from code to drive the lab.
    result : MismatchResult
        Result for ``params``.

    Examples
    --------
    >>> lab = MismatchLab()
    >>> round(100 * lab.result.misfit_25c["CsPbBr3"], 1)
    7.8
    >>> lab.params = MismatchParams(core="beta-NaGdF4", core_plane="(0001)")
    >>> lab.result.params.core
    'beta-NaGdF4'
    """

    params = traitlets.Instance(MismatchParams)
    result = traitlets.Instance(MismatchResult, allow_none=True)

    def __init__(self, params: MismatchParams | None = None):
        self.status = StatusLine()
        self._throttle = Throttle(self._apply_panel)
        start = params or MismatchParams()
        self.panel = ParameterPanel(start, on_change=self._throttle.trigger)
        self.panel.controls["core"].observe(self._offer_core_planes, names="value")
        self.structure = StructureView(height_px=380)
        self.gauge = ToleranceGauge(low=0.8, high=1.11, title="Goldschmidt tolerance factor")
        self.misfit_table = widgets.HTML()
        self.matches_table = widgets.HTML()
        self.stability_text = widgets.HTML()
        self.strain_fig, self._strain_marks = line_figure(
            "Areal strain energy of a coherent shell", "core diameter (nm)",
            "w_el (eV nm⁻²)", ["w_el", "limit 0.6", "limit 0.85", "this core"])
        self.stress_fig, self._stress_marks = line_figure(
            "Stress in the particle", "r (nm)", "stress (GPa)", ["σ_rr", "σ_θθ"])
        self.xrd_fig, self._xrd_marks = line_figure(
            "Powder XRD (Cu Kα)", "2θ (°)", "intensity (a.u.)",
            ["core (bulk)", "shell (bulk)", "heterostructure (Debye)"], height_px=340)
        self._debye_button = widgets.Button(description="Compute heterostructure pattern",
                                            layout={"width": "260px"})
        self._debye_button.on_click(lambda _b: self._compute_debye())
        self._debye_job = LatestJob("MismatchLab-debye")
        # bqplot draws with negative sizes inside a hidden tab, so every figure stays visible.
        self.save_bar = SaveLoadBar(self)
        left = widgets.VBox([self.panel, self.status, self.save_bar], layout={"width": "380px"})
        self.structure.layout = widgets.Layout(flex="1 1 480px", min_width="420px")
        top = widgets.HBox([left, self.structure], layout={"flex_flow": "row wrap"})
        tables = widgets.HBox([
            widgets.VBox([self.misfit_table, self.matches_table],
                         layout={"flex": "1 1 520px"}),
            widgets.VBox([self.gauge, self.stability_text], layout={"flex": "1 1 380px"}),
        ], layout={"flex_flow": "row wrap"})
        plots = widgets.HBox([
            widgets.Box([self.strain_fig], layout={"flex": "1 1 420px"}),
            widgets.Box([self.stress_fig], layout={"flex": "1 1 420px"}),
        ], layout={"flex_flow": "row wrap"})
        super().__init__([top, tables, plots, self.xrd_fig, self._debye_button])
        self.add_class("lnhet-lab")
        self._structure: tuple[tuple, Atoms] | None = None  # (_structure_key, atoms)
        self._patterns = {}
        self.params = start

    @traitlets.observe("params")
    def _on_params(self, change) -> None:
        self.panel.show(change.new)
        with self.status.catching(busy="Computing…", done="Up to date."):
            self.result = self._compute(change.new)

    def _offer_core_planes(self, change) -> None:
        control = self.panel.controls["core_plane"]
        planes = planes_of(change.new)
        if control.value not in planes:
            control.options = planes
            control.value = planes[0]

    def _apply_panel(self) -> None:
        with self.status.catching():
            self.params = self.panel.read()

    def _compute(self, p: MismatchParams) -> MismatchResult:
        t = p.temperature_c
        misfit_25 = {s: misfit(p.core, s) for s in PEROVSKITES}
        misfit_t = {s: misfit(p.core, s, temperature_c=t) for s in PEROVSKITES}
        f_eff = {s: effective_misfit(p.core, s, temperature_c=t) for s in PEROVSKITES}
        matches = coincidence_matches(p.core, p.core_plane, p.shell, p.shell_plane,
                                      max_area_a2=p.max_area_a2, max_strain=p.max_strain,
                                      temperature_c=t)
        tolerance = {s: tolerance_factor("Cs", "Pb", get_material(s).halide, radii=p.radii)
                     for s in PEROVSKITES}
        forms = {
            s: perovskite_stability(s, radii=p.radii, core=p.core, temperature_c=t).forms_shell
            for s in PEROVSKITES
        }
        shell = get_material(p.shell)
        core = get_material(p.core)
        moduli = {"core_bulk_gpa": core.bulk_gpa, "shell_bulk_gpa": shell.bulk_gpa,
                  "shell_shear_gpa": shell.shear_gpa}
        a, thickness = p.core_diameter_nm / 2, (p.edge_nm - p.core_diameter_nm) / 2
        strain = coreshell_strain(a, a + thickness, f_eff[p.shell], **moduli)
        sweep = np.array([
            coreshell_strain(d / 2, d / 2 + thickness, f_eff[p.shell], **moduli)
            .energy_density_ev_nm2 for d in _CORE_SWEEP_NM])
        atoms = self._atoms_for(p)
        result = MismatchResult(
            params=p, misfit_25c=misfit_25, misfit_at_t=misfit_t, effective_misfit_at_t=f_eff,
            matches=matches, tolerance=tolerance, forms_shell=forms, strain=strain,
            energy_density_sweep_ev_nm2=sweep, atoms=atoms,
            core_pattern=self._pattern(p.core), shell_pattern=self._pattern(p.shell),
            heterostructure_pattern=self._patterns.get(("debye", _structure_key(p))),
        )
        self._show(result)
        return result

    # --- saved work (SavableLab) ---------------------------------------------------------

    def _saved_state(self) -> dict:
        computed = self.result is not None and self.result.heterostructure_pattern is not None
        return {"params": params_state(self.params), "heterostructure_pattern": computed}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        check_keys(state, "MismatchLab", ("params",), ("heterostructure_pattern",))
        return {"params": read_params(MismatchParams, state["params"]),
                "heterostructure_pattern": read_flag("heterostructure_pattern",
                                                     state.get("heterostructure_pattern",
                                                               False))}

    def _apply_saved_state(self, values: dict) -> None:
        self.params = values["params"]  # the observer recomputes when they differ
        r = self.result
        wanted = values["heterostructure_pattern"]
        if wanted and r is not None and r.heterostructure_pattern is None:
            self._compute_debye()

    def _pattern(self, key: str) -> np.ndarray:
        if key not in self._patterns:
            self._patterns[key] = powder_pattern(key, TWO_THETA_DEG)[1]
        return self._patterns[key]

    def _atoms_for(self, p: MismatchParams) -> Atoms:
        key = _structure_key(p)
        if self._structure is None or self._structure[0] != key:
            atoms = build_heterostructure(p.core, p.core_diameter_nm, p.shell, p.edge_nm)
            self._structure = (key, atoms)
        return self._structure[1]

    @staticmethod
    def _debye(atoms: Atoms) -> np.ndarray:
        intensity = debye_pattern(atoms, TWO_THETA_DEG)
        return 100 * intensity / intensity.max()

    def _compute_debye(self) -> None:
        """Compute the heterostructure's Debye pattern (seconds for 10⁴ atoms) in a worker
        thread, so the controls stay live; it is drawn if the structure is still the same."""
        if self.result is None:
            return
        key = ("debye", _structure_key(self.result.params))
        atoms = self.result.atoms
        self._debye_button.disabled = True
        self.status.show(f"Debye pattern of {len(atoms):,} atoms… (the controls stay live)",
                         "busy")
        self._debye_job.submit(lambda: self._debye(atoms),
                               lambda pattern: self._show_debye(key, pattern),
                               self._debye_failed)

    def _show_debye(self, key: tuple, pattern: np.ndarray) -> None:
        self._patterns[key] = pattern
        r = self.result
        if r is None or ("debye", _structure_key(r.params)) != key:
            # The structure changed meanwhile: the pattern waits in the cache until it is back.
            self._debye_button.disabled = False
            return
        self.result = dataclasses.replace(r, heterostructure_pattern=pattern)
        self._show_xrd(self.result)
        self.status.show("Heterostructure pattern computed.", "ok")

    def _debye_failed(self, error: Exception) -> None:
        self._debye_button.disabled = False
        self.status.error(f"Debye pattern failed: {error}")

    def _show(self, r: MismatchResult) -> None:
        p = r.params
        self.misfit_table.value = _misfit_html(r)
        self.matches_table.value = _matches_html(r.matches, p)
        self.gauge.values = [{"label": s, "t": round(t, 4)} for s, t in r.tolerance.items()]
        self.gauge.selected = p.shell
        self.stability_text.value = _stability_html(r)
        limit_x = _CORE_SWEEP_NM[[0, -1]]
        set_mark_data(self._strain_marks["w_el"], _CORE_SWEEP_NM, r.energy_density_sweep_ev_nm2)
        for label, value in zip(("limit 0.6", "limit 0.85"), UNIFORM_SHELL_LIMIT_EV_NM2,
                                strict=True):
            set_mark_data(self._strain_marks[label], limit_x, [value, value])
        w_here = r.strain.energy_density_ev_nm2
        set_mark_data(self._strain_marks["this core"], [p.core_diameter_nm] * 2, [0.0, w_here])
        set_mark_data(self._stress_marks["σ_rr"], r.strain.r_nm, r.strain.sigma_rr_gpa)
        set_mark_data(self._stress_marks["σ_θθ"], r.strain.r_nm, r.strain.sigma_tt_gpa)
        self._show_xrd(r)
        # Last: a new structure makes the browser parse and draw thousands of atoms, which
        # holds up every message behind it; the plots and tables go out first.
        if self.structure.atoms is not r.atoms:
            self.structure.set_atoms(r.atoms)

    def _show_xrd(self, r: MismatchResult) -> None:
        set_mark_data(self._xrd_marks["core (bulk)"], TWO_THETA_DEG, r.core_pattern)
        set_mark_data(self._xrd_marks["shell (bulk)"], TWO_THETA_DEG, r.shell_pattern)
        hetero = r.heterostructure_pattern
        set_mark_data(self._xrd_marks["heterostructure (Debye)"],
                      TWO_THETA_DEG if hetero is not None else [],
                      hetero if hetero is not None else [])
        self._debye_button.disabled = hetero is not None


def _percent(x: float) -> str:
    return f"{100 * x:+.1f} %"


def _misfit_html(r: MismatchResult) -> str:
    t = r.params.temperature_c
    bold = ' style="font-weight:600"'
    rows = "".join(
        f"<tr{bold if s == r.params.shell else ''}>"
        f"<td>{s}</td><td>{_percent(r.misfit_25c[s])}</td><td>{_percent(r.misfit_at_t[s])}</td>"
        f"<td>{100 * r.effective_misfit_at_t[s]:.2f} %</td></tr>"
        for s in PEROVSKITES
    )
    return (
        f"<h4>Misfit with {html.escape(r.params.core)} (f = (a<sub>shell</sub> − "
        f"a<sub>core</sub>)/a<sub>core</sub>)</h4>"
        f"<table class='lnhet-table'><tr><th>shell</th><th>f at 25 °C</th><th>f at {t:g} °C</th>"
        f"<th>f<sub>eff</sub> at {t:g} °C</th></tr>{rows}</table>"
        "<small>f<sub>eff</sub>: smallest RMS strain of a coherent interface cell "
        "(coincidence-lattice search over low-index planes).</small>"
    )


def _matches_html(matches, p: MismatchParams) -> str:
    head = (f"<h4>Coincidence cells {p.core} {p.core_plane} ∥ {p.shell} {p.shell_plane} "
            f"(area ≤ {p.max_area_a2:g} Å², |strain| ≤ {100 * p.max_strain:g} %)</h4>")
    if not matches:
        return head + ("<p class='lnhet-no-match'>No coherent cell within these limits: the two "
                       "lattices do not fit together on these planes.</p>")
    rows = "".join(
        f"<tr><td>{m.rank}</td><td>{m.area_a2:.0f}</td><td>{m.core_multiplicity}:"
        f"{m.shell_multiplicity}</td><td>{_percent(m.strain_u)}</td><td>{_percent(m.strain_v)}"
        f"</td><td>{m.angle_misfit_deg:+.2f}°</td><td>{100 * m.rms_strain:.2f} %</td></tr>"
        for m in matches[:8]
    )
    return head + (
        "<table class='lnhet-table'><tr><th>#</th><th>area (Å²)</th><th>cells core:shell</th>"
        "<th>strain u</th><th>strain v</th><th>angle</th><th>RMS strain</th></tr>"
        f"{rows}</table>"
    )


def _stability_html(r: MismatchResult) -> str:
    items = "".join(
        f"<li>{s}: t = {r.tolerance[s]:.3f} — "
        f"{'forms a shell' if r.forms_shell[s] else 'no shell predicted'}</li>"
        for s in PEROVSKITES
    )
    return (f"<p>Stable perovskites need 0.8 ≤ t ≤ 1.11 (radii set {r.params.radii}).</p>"
            f"<ul>{items}</ul>")
