"""TransferLab: lesson 4 — two-way energy transfer in LnNP@CsPbBr3 heterostructures.

One lab around :mod:`lnhet_widgets.core.optics.transfer` (SCIENCE.md §6–§8): the sample, the
excitation and the main rate constants as controls; the steady-state emission spectrum
(visible and NIR), the decay of one line after a pulse with its fitted τ_avg, the power
dependence of the main lines with their low-power slopes, the CsPbBr3 ground-state bleach after
a femtosecond pump at a chosen fluence (:mod:`lnhet_widgets.core.optics.transient`), and an
energy-level diagram whose arrows carry the computed fluxes of the current steady state.

``params``, ``result``, ``excitation_nm``, ``power_w_cm2`` and ``sample`` are traitlets of the
lab, so a notebook can drive it from code and read what it shows. Control changes are
debounced; a bad value shows a message in the lab and leaves the last result on screen.

Only the steady state (a few ms) is recomputed on every change. The decay (a stiff
integration, ~0.3 s), the power sweep and the bleach are recomputed only while their tab is
open, or when asked for with :meth:`TransferLab.compute_decay`,
:meth:`TransferLab.compute_power_sweep` and :meth:`TransferLab.compute_bleach`: a slider drag
stays responsive.

As in GrowthLab, a tab holds its page only while it is selected, because bqplot draws a
figure with a negative plot area when it first renders inside a hidden tab.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import math
import time

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import traitlets

from lnhet_widgets.core.analysis import DecayFit, fit_decay, multi_exponential
from lnhet_widgets.core.conditions import P1_UC_POWER_W_CM2
from lnhet_widgets.core.optics import (
    BULK_GAP_EV,
    BULK_TRAP_DENSITY_NM3,
    LINES,
    P1_SAMPLES,
    BleachParams,
    BleachResult,
    Pulse,
    TransferParams,
    TransferResult,
    bleach_kinetics,
    dynamics,
    mixture_spectrum,
    power_dependence,
    rate_system,
    steady_state,
)

from ..custom.level_diagram import EnergyLevelDiagram
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
    read_flag,
    read_number,
    read_params,
)
from ..parts.status import StatusLine

__all__ = ["SAMPLES", "TransferLab", "steady_state_fluxes"]

_log = logging.getLogger(__name__)

#: Samples of P1 and what each sets in :class:`TransferParams`. Bare LnNPs and the physical
#: mixture keep the current core (so that one core can be compared in every form); the
#: heterostructures are P1's β-LnNP@ (7.1 nm β-NaGd0.69F4:Yb0.3,Tm0.01 core, 16.7 nm cube)
#: and α-LnNP@ (7.2 nm α-NaY0.69F4:Yb0.3,Tm0.01 core, 14.3 nm cube; P1 methods, SCIENCE
#: §1). "custom heterostructure" is what the lab shows when ``params`` set from code has a
#: perovskite shell that is neither of them.
SAMPLES = {
    "bare LnNPs": {"perovskite_edge_nm": 0.0, "contact_factor": 1.0},
    "physical mixture with CsPbBr3": {"perovskite_edge_nm": 0.0, "contact_factor": 0.0},
    "β-LnNP@CsPbBr3": {"host": "beta-NaGdF4", "core_diameter_nm": 7.1, "yb_fraction": 0.3,
                       "tm_fraction": 0.01, "perovskite_edge_nm": 16.7, "contact_factor": 1.0},
    "α-LnNP@CsPbBr3": {"host": "alpha-NaYF4", "core_diameter_nm": 7.2, "yb_fraction": 0.3,
                       "tm_fraction": 0.01, "perovskite_edge_nm": 14.3, "contact_factor": 1.0},
    "custom heterostructure": {},
}
MIXTURE = "physical mixture with CsPbBr3"
_PRESETS = ("β-LnNP@CsPbBr3", "α-LnNP@CsPbBr3")
#: The free CsPbBr3 nanocrystal of a physical mixture (9.5 nm cubes: P1 gives no size), with
#: the bulk traps of P1's pure-CsPbBr3 synthesis at 180 °C.
FREE_PEROVSKITE = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5,
                                 bulk_defects_nm3=BULK_TRAP_DENSITY_NM3)
EXCITATIONS = {"980 nm (Yb³⁺)": 980.0, "365 nm (CsPbBr3)": 365.0, "400 nm (CsPbBr3)": 400.0}

COMPOSITION_FIELDS = ("yb_fraction", "tm_fraction", "core_diameter_nm")
#: Rate fields offered under "Rates", with the decades of their log sliders. Zero is not on
#: a log slider; the contact factor (linear) switches the heterostructure channels off.
RATE_FIELDS = {
    "surface_quenching_nm3_s": (1.0, 6.0),
    "interface_transfer_nm3_s": (2.0, 6.0),
    "lret_volume_nm3": (0.0, 5.0),
    "defect_to_yb_rate_s": (4.0, 12.0),
    "interface_defects_nm2": (-4.0, 0.0),
    "bulk_defects_nm3": (-6.0, -1.0),
    "exciton_lifetime_ns": (-1.0, 2.0),
    "contact_factor": None,
}

VISIBLE_NM = np.linspace(340.0, 720.0, 761)
NIR_NM = np.linspace(750.0, 1500.0, 751)
NORMALISE_NM = 646.0
#: Lines of the power-dependence plot (plus the perovskite band when the sample has one).
POWER_LINES_NM = (450.0, 475.0, 646.0, 800.0, 980.0)
POWER_SWEEP_W_CM2 = np.logspace(-1.0, 5.0, 25)
#: The low-power slope is fitted over the first points of the sweep (the lowest decade).
SLOPE_POINTS = 5
#: Pulse of the decay view: long enough to populate the upconverting levels, short against
#: the 0.1–1 ms lifetimes that are measured.
PULSE_S = 10e-6
DECAY_RANGES_MS = {"0.2 ms": 0.2, "1 ms": 1.0, "3 ms": 3.0}
DECAY_POINTS = 601
# Decay points below this fraction of the maximum are left out of the log plot (and the
# zeros before the first ETU step).
DECAY_FLOOR = 1e-5
# y scales reach this factor above the data, leaving the top of each plot to its legend.
HEADROOM = 1.3

#: Pump of the bleach view: P1's fluences (6.1–23.1 µJ cm⁻², E2/E3) sit inside the range.
BLEACH_FLUENCE_UJ_CM2 = (1.0, 100.0)
BLEACH_PUMPS_NM = (400.0, 365.0)
BLEACH_WINDOW_NS = 15.0

# Energies (cm⁻¹) of the diagram: Yb³⁺ and Tm³⁺ barycentres as in simetuc's β-NaYF4 set
# (Carnall's free-ion values shifted by the crystal field); the perovskite defect state sits
# a little above Yb ²F5/2, where P1 puts the defect that feeds Yb (Fig. 2i).
_YB_CM = {"2F7/2": 0.0, "2F5/2": 10250.0}
_TM_CM = {"3H6": 0.0, "3F4": 5800.0, "3H5": 8300.0, "3H4": 12600.0, "3F3": 14500.0,
          "1G4": 21300.0, "1D2": 27700.0, "1I6": 34800.0}
_DEFECT_CM = 11000.0
_CM_PER_EV = 8065.544
_PV = "CsPbBr3"


# --- fluxes of a steady state ----------------------------------------------------------------


def _level_energy(species: str, level: str) -> float:
    return (_YB_CM if species == "Yb" else _TM_CM)[level]


def steady_state_fluxes(params: TransferParams, result: TransferResult) -> dict:
    """Events per second and particle of every process in a steady state, for the diagram.

    Keys are ``(from, to, kind)`` with ``from``/``to`` as ``(species, level)`` pairs
    (species ``"Yb"``, ``"Tm"`` or ``"CsPbBr3"``; the perovskite levels ``"VB"``, ``"X"``,
    ``"D"``) and ``kind`` one of the diagram's kinds (absorption, emission, nonradiative, etu,
    cross_relaxation, back_transfer, lret, trapping, defect_transfer). Tm's radial classes are
    summed. An energy transfer D(i→f) + A(i→f) is drawn as one arrow: between Yb and Tm from
    the level that gives the energy to the level that receives it; within Tm as the step that
    makes a higher level (ETU-like, e.g. ¹G4 → ¹D2) or, when the receiving ion starts in the
    ground state (a true cross-relaxation), as the donor's step down.

    Parameters
    ----------
    params : TransferParams
        The particle class of ``result``.
    result : TransferResult
        A steady state of ``params`` (:func:`~lnhet_widgets.core.optics.steady_state`).

    Returns
    -------
    dict
        ``{(from, to, kind): events s⁻¹ per particle}``; every value ≥ 0.

    Examples
    --------
    >>> p = TransferParams()
    >>> r = steady_state(p, excitation_nm=980, power_w_cm2=10.0)
    >>> f = steady_state_fluxes(p, r)
    >>> absorbed = f[(("Yb", "2F7/2"), ("Yb", "2F5/2"), "absorption")]
    >>> bool(absorbed > f[(("Yb", "2F5/2"), ("Yb", "2F7/2"), "emission")] > 0)
    True
    """
    # The rate constants are the core's; this only multiplies them by the populations.
    system = rate_system(params, float(result.excitation_nm))
    y = result.state[0]
    power = float(result.power_w_cm2[0])
    where = []  # index → (species, level, count per particle)
    for (name, levels, count), offset in zip(system.species, system.offsets, strict=True):
        species = {"exciton": _PV, "defect": _PV}.get(name, "Tm" if name.startswith("Tm")
                                                       else name)
        for level in levels:
            if name == "exciton":
                level = {"G": "VB", "X": "X"}[level]
            elif name == "defect":
                level = {"empty": "VB", "filled": "D"}[level]
            where.append((species, level, count))
        assert len(where) == offset + len(levels)

    flux: dict = {}

    def add(a, b, kind, value):
        if value > 0:
            key = (a, b, kind)
            flux[key] = flux.get(key, 0.0) + float(value)

    # Linear terms: decays (all levels), quenching, defect loss, exciton emission, pumping.
    total: dict = {}
    for i, j, k in zip(*system.lin, strict=True):
        a, b = where[i][:2], where[j][:2]
        total[(a, b)] = total.get((a, b), 0.0) + where[i][2] * k * y[i]
    for i, j, k in zip(*system.pump, strict=True):
        a, b = where[i][:2], where[j][:2]
        value = where[i][2] * k * power * y[i]
        if a[0] == _PV or _level_energy(*b) > _level_energy(*a):
            add(a, b, "absorption", value)
        else:  # stimulated emission of Yb: less net absorption
            key = (b, a, "absorption")
            flux[key] = max(flux.get(key, 0.0) - value, 0.0)
    lines_out = result.lines
    radiative: dict = {}
    for ion, upper, lower, nm in LINES:
        if nm in lines_out:
            radiative[((ion, upper), (ion, lower))] = float(lines_out[nm])
    for (a, b), value in total.items():
        if a[0] == _PV:
            if a[1] == "X":  # the exciton decays radiatively (its trapping is a pair term)
                add((_PV, "X"), (_PV, "VB"), "emission", value)
            else:
                add((_PV, "D"), (_PV, "VB"), "nonradiative", value)
            continue
        emitted = radiative.get((a, b), 0.0)
        add(a, b, "emission", emitted)
        add(a, b, "nonradiative", value - emitted)

    # Pair terms: lanthanide energy transfer, LRET, trapping, defect ↔ Yb, exciton → Yb.
    for df, dt, af, at, wd, _wa in zip(*system.pair, strict=True):
        events = where[df][2] * wd * y[df] * y[af]
        d_from, d_to, a_from, a_to = (where[i][:2] for i in (df, dt, af, at))
        if a_from[0] == _PV and d_from[0] != _PV:
            if a_to[1] == "X":
                add(d_from, a_to, "lret", events)
            else:  # Yb ²F5/2 → an empty interface defect
                add(d_from, a_to, "trapping", events)
        elif d_from[0] == _PV:
            if a_to[0] == _PV:
                add(d_from, a_to, "trapping", events)
            else:  # a filled defect, or the exciton through the interface, excites Yb
                add(d_from, a_to, "defect_transfer", events)
        else:
            add(*_transfer_arrow(d_from, d_to, a_from, a_to), events)
    return flux


def _transfer_arrow(d_from, d_to, a_from, a_to):
    """Arrow ends and kind of one lanthanide energy-transfer event (see steady_state_fluxes)."""
    # simetuc lists some upconversion steps with the "donor" as the ion that goes up; the
    # energies tell which ion gives and which receives.
    if _level_energy(*d_to) <= _level_energy(*d_from):
        give, get = (d_from, d_to), (a_from, a_to)
    else:
        give, get = (a_from, a_to), (d_from, d_to)
    if give[0][0] != get[0][0]:
        kind = "etu" if give[0][0] == "Yb" else "back_transfer"
        return give[0], get[1], kind
    if get[0][1] == "3H6":
        return give[0], give[1], "cross_relaxation"
    return get[0], get[1], "cross_relaxation"


def _diagram_levels(gap_cm: float) -> list:
    levels = [("Yb", name, e, "level") for name, e in _YB_CM.items()]
    levels += [("Tm", name, e, "level") for name, e in _TM_CM.items()]
    levels += [(_PV, "VB", 0.0, "band"), (_PV, "X", float(gap_cm), "band"),
               (_PV, "D", _DEFECT_CM, "defect")]
    return levels


#: Transitions always shown (with rate 0 when the sample lacks them), so that switching the
#: sample changes arrow widths in place rather than the diagram's layout.
_BASE_TRANSITIONS = (
    (("Yb", "2F7/2"), ("Yb", "2F5/2"), "absorption"),
    ((_PV, "VB"), (_PV, "X"), "absorption"),
    *(((ion, upper), (ion, lower), "emission") for ion, upper, lower, nm in LINES
      if nm in POWER_LINES_NM),
    ((_PV, "X"), (_PV, "VB"), "emission"),
    (("Yb", "2F5/2"), ("Yb", "2F7/2"), "nonradiative"),
    (("Tm", "1D2"), (_PV, "X"), "lret"),
    (("Tm", "1G4"), (_PV, "X"), "lret"),
    ((_PV, "X"), (_PV, "D"), "trapping"),
    (("Yb", "2F5/2"), (_PV, "D"), "trapping"),
    ((_PV, "D"), ("Yb", "2F5/2"), "defect_transfer"),
    ((_PV, "X"), ("Yb", "2F5/2"), "defect_transfer"),
    ((_PV, "D"), (_PV, "VB"), "nonradiative"),
)
# Other steps (weak lines, non-radiative decays) are drawn only when they carry at least this
# share of the largest flux: every Tm level has a few, and drawn all together they hide the
# arrows that tell the story (and each arrow inside a column widens the diagram).
_MINOR_SHARE = 1e-2


def _decades(low: float, high: float, max_ticks: int = 7) -> np.ndarray:
    """Whole decades from ``low`` to ``high`` (every 2nd, 3rd … when there are many)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = max(1, math.ceil((last - first + 1) / max_ticks))
    return 10.0 ** np.arange(first, last + 1, step)


def _line_label(nm: float) -> str:
    for ion, upper, lower, value in LINES:
        if value == nm:
            return f"{nm:g} nm — {ion} {upper}→{lower}"
    return f"{nm:g} nm"


# --- the lab ---------------------------------------------------------------------------------


class TransferLab(SavableLab, widgets.VBox):
    """Lesson 4 lab: emission, decays, power dependence and fluxes of LnNP@CsPbBr3.

    The first steady state is computed in the constructor; after that, every control change
    recomputes (debounced inside a Jupyter kernel, at once elsewhere).

    Parameters
    ----------
    params : TransferParams, optional
        Starting particle (default: P1's β-LnNP@CsPbBr3).
    sample : str
        One of :data:`SAMPLES`; default ``"β-LnNP@CsPbBr3"``, or the sample ``params`` describes
        when given.
    excitation_nm : {980, 365, 400}
    power_w_cm2 : float
        CW power density, W cm⁻²; default P1's 2 W cm⁻² of the upconversion spectra
        (:data:`~lnhet_widgets.core.conditions.P1_UC_POWER_W_CM2`, Fig. 2f,g).

    Attributes
    ----------
    params : TransferParams
        The simulated particle (for a physical mixture: the lanthanide particle, contact 0).
    result : TransferResult
        Steady state of ``params``; a bad input leaves the last good result here.
    perovskite_result : TransferResult or None
        Steady state of the free CsPbBr3 nanocrystal of a physical mixture, else None.
    spectrum : ndarray
        The spectrum shown (photons s⁻¹ nm⁻¹ per particle, or normalised), on
        ``spectrum_nm`` (visible then NIR wavelengths).
    decay, decay_fit : TransferResult, DecayFit or None
        The last decay of ``decay_line`` and its two-exponential fit.
    sweep : TransferResult or None
        The last power sweep; ``slopes`` maps line (nm) → low-power log–log slope.
    bleach, bleach_reference : BleachResult or None
        The last ground-state bleach of the sample's perovskite (None for bare LnNPs) and of
        pure CsPbBr3 nanocrystals at the same fluence.
    fluxes : dict
        :func:`steady_state_fluxes` of the current steady state (what the diagram shows).

    ``save``/``load``/``restore`` (:class:`~lnhet_widgets.widgets.parts.saved.SavableLab`) keep
    ``params``, ``sample``, ``excitation_nm``, ``power_w_cm2``, the mixture's absorbance and
    the settings of the decay, bleach and spectrum views; the Save/Load bar sits under the
    status line.

    Examples
    --------
    >>> lab = TransferLab()
    >>> lab.sample, lab.excitation_nm
    ('β-LnNP@CsPbBr3', 980.0)
    >>> bool(lab.result.lines[646.0] > 0)
    True
    >>> lab.power_w_cm2 = 100.0
    >>> float(lab.result.power_w_cm2[0])
    100.0
    >>> fit = lab.compute_decay(980.0)
    >>> 10 < fit.tau_avg < 100  # µs
    True
    """

    params = traitlets.Instance(TransferParams)
    result = traitlets.Instance(TransferResult)
    sample = traitlets.Unicode("β-LnNP@CsPbBr3")
    excitation_nm = traitlets.Float(980.0)
    power_w_cm2 = traitlets.Float(P1_UC_POWER_W_CM2)

    def __init__(self, params: TransferParams | None = None, *, sample: str | None = None,
                 excitation_nm: float = 980.0, power_w_cm2: float = P1_UC_POWER_W_CM2):
        if params is None:
            sample = sample or "β-LnNP@CsPbBr3"
            start = dataclasses.replace(TransferParams(), **SAMPLES.get(sample, {}))
        elif not isinstance(params, TransferParams):
            raise TypeError(f"params must be a TransferParams, got {type(params).__name__}")
        else:
            start = params
            sample = sample or _sample_of(params, "bare LnNPs")
        if sample not in SAMPLES:
            raise ValueError(f"sample must be one of {list(SAMPLES)}, got {sample!r}")
        if not _consistent(start, sample):
            start = _with_sample(start, sample)
        self.status = StatusLine()
        self._debounce = Debouncer(self._apply_controls, wait_s=0.15)
        self._showing = False  # True while controls are set from code: not user input
        self._ready = False  # True once the first result is on screen
        self.perovskite_result: TransferResult | None = None
        self.decay: TransferResult | None = None
        self.decay_fit: DecayFit | None = None
        self.sweep: TransferResult | None = None
        self.slopes: dict = {}
        self.fluxes: dict = {}
        self.spectrum = np.zeros(0)
        self.spectrum_nm = np.concatenate([VISIBLE_NM, NIR_NM])
        self.bleach: BleachResult | None = None
        self.bleach_reference: BleachResult | None = None
        self._stale = {"decay": True, "sweep": True, "bleach": True}
        self._view_error = ""  # the last error of a view computed on demand
        self.timings: dict = {}

        self._build_controls(start, sample, excitation_nm, power_w_cm2)
        self._build_spectrum_page()
        self._build_decay_page()
        self._build_power_page()
        self._build_bleach_page()
        self._build_diagram_page()
        self.save_bar = SaveLoadBar(self)
        self._pages = (self.spectrum_page, self.decay_page, self.power_page, self.bleach_page,
                       self.diagram_page)
        # The slots stretch their page to the tab's width (a Box sizes to its content), and
        # min_width 0 lets them shrink below their content's first width (flex items do not).
        for page in self._pages:
            page.layout.width, page.layout.min_width = "100%", "0"
        self.tabs = widgets.Tab(children=[widgets.Box(layout={"width": "100%", "min_width": "0"})
                                          for _ in self._pages],
                                # Short titles: five must fit a 560 px tab bar.
                                titles=("Spectrum", "Decay", "Power sweep", "Bleach",
                                        "Level diagram"),
                                selected_index=0)
        self.tabs.observe(self._on_tab, names="selected_index")
        self._on_tab()
        left = widgets.VBox([self.sample_control, self.excitation_control, self.power_control,
                             self.absorbance_control, self.panel, self.rates, self.status,
                             self.save_bar], layout={"width": "390px"})
        right = widgets.VBox([self.tabs], layout={"flex": "1 1 560px", "min_width": "460px"})
        super().__init__([widgets.HBox([left, right], layout={"flex_flow": "row wrap"})])
        self.add_class("lnhet-lab")
        self.add_class("lnhet-transfer-lab")

        # Compute before the traits are set, so that a bad start raises here (a script wants
        # the error); the observers then find the result up to date.
        self.set_trait("sample", sample)
        self.set_trait("excitation_nm", float(excitation_nm))
        self.set_trait("power_w_cm2", float(power_w_cm2))
        self.result = self._compute(start)
        self.params = start
        self._ready = True
        self._show_controls()
        self.status.show(self._done_message(), "ok")

    # --- layout --------------------------------------------------------------------------

    def _build_controls(self, start, sample, excitation_nm, power_w_cm2) -> None:
        style = {"description_width": "150px"}
        layout = {"width": "360px"}
        self.sample_control = widgets.Dropdown(options=list(SAMPLES), value=sample,
                                               description="Sample", style=style, layout=layout)
        self.excitation_control = widgets.Dropdown(
            options=list(EXCITATIONS.items()), value=float(excitation_nm),
            description="Excitation", style=style, layout=layout)
        self.power_control = widgets.FloatLogSlider(
            value=power_w_cm2, base=10, min=-2, max=6, step=0.05,
            description="CW power (W/cm²)", style=style, layout=layout, readout_format=".3g")
        self.absorbance_control = widgets.FloatSlider(
            value=1.0, min=0.0, max=30.0, step=0.1, description="Mixture absorbance",
            style=style, layout=layout, readout_format=".2f",
            tooltip="absorbance at 400 nm of the CsPbBr3 dispersion in a physical mixture "
                    "(inner filter)")
        # One ParameterPanel over the composition and rate fields: its visible children are
        # the composition; the rates sit in an accordion below, on log sliders (they span
        # decades, which a linear slider cannot show).
        self.panel = ParameterPanel(start, on_change=self._control_changed)
        keep = (*COMPOSITION_FIELDS, *RATE_FIELDS)
        for name in list(self.panel.controls):
            if name not in keep:
                del self.panel.controls[name]
        for name, decades in RATE_FIELDS.items():
            if decades is None:
                continue
            old = self.panel.controls[name]
            log = widgets.FloatLogSlider(
                value=max(getattr(start, name), 10 ** decades[0]), base=10, min=decades[0],
                max=decades[1], step=0.05, description=old.description, style=style,
                layout=layout, readout_format=".3g", tooltip=old.tooltip)
            log.observe(self._control_changed, names="value")
            self.panel.controls[name] = log
        self.panel.children = [self.panel.controls[n] for n in COMPOSITION_FIELDS]
        self.rates = widgets.Accordion(
            children=[widgets.VBox([self.panel.controls[n] for n in RATE_FIELDS])],
            titles=("Rates",), selected_index=None)
        for control in (self.sample_control, self.excitation_control, self.power_control,
                        self.absorbance_control):
            control.observe(self._control_changed, names="value")

    def _build_spectrum_page(self) -> None:
        self.normalise_control = widgets.Checkbox(value=False,
                                                  description="normalise to the 646 nm line",
                                                  layout={"width": "300px"})
        self.normalise_control.observe(lambda _c: self._show_spectrum(), names="value")
        self._spectrum_scales = []
        marks = []
        figs = []
        for title, color in (("Visible emission", PALETTE[0]), ("NIR emission", PALETTE[1])):
            x, y = bq.LinearScale(), bq.LinearScale(min=0.0)
            mark = lines({"x": x, "y": y}, title, color)
            mark.display_legend = False
            marks.append(mark)
            self._spectrum_scales.append(y)
            fig = figure(title, [mark], [
                bq.Axis(scale=x, label="wavelength (nm)"),
                bq.Axis(scale=y, label="photons/s/nm", side="left", tick_format=".2~g")],
                height_px=280)
            # Room for tick labels such as "1.2e+5" beside the axis label.
            fig.fig_margin = {**fig.fig_margin, "left": 80}
            figs.append(fig)
        self._visible_line, self._nir_line = marks
        self.visible_fig, self.nir_fig = figs
        self.spectrum_info = widgets.HTML()
        self.spectrum_page = widgets.VBox([
            widgets.HBox([self.normalise_control, self.spectrum_info],
                         layout={"align_items": "center"}),
            self.visible_fig, self.nir_fig])

    def _build_decay_page(self) -> None:
        self.decay_line = widgets.Dropdown(
            options=[(_line_label(nm), nm) for *_, nm in LINES], value=980.0,
            description="Line", style={"description_width": "40px"}, layout={"width": "300px"})
        self.decay_range = widgets.Dropdown(options=list(DECAY_RANGES_MS.items()), value=1.0,
                                            description="Time range",
                                            style={"description_width": "80px"},
                                            layout={"width": "200px"})
        for control in (self.decay_line, self.decay_range):
            control.observe(self._decay_options_changed, names="value")
        x, y = bq.LinearScale(), bq.LogScale()
        self._decay_y = y
        self._decay_mark = lines({"x": x, "y": y}, "simulated", PALETTE[0])
        self._fit_mark = lines({"x": x, "y": y}, "2-exp fit", PALETTE[1], line_style="dashed")
        self._decay_axis = bq.Axis(scale=y, label="intensity (normalised)", side="left",
                                   tick_format=".0e")
        self.decay_fig = figure("Decay after a 10 µs pulse", [self._decay_mark, self._fit_mark],
                                [bq.Axis(scale=x, label="time (µs)"), self._decay_axis],
                                height_px=340)
        self.decay_fig.fig_margin = {**self.decay_fig.fig_margin, "left": 80}
        self.decay_info = widgets.HTML()
        self.decay_page = widgets.VBox([
            widgets.HBox([self.decay_line, self.decay_range], layout={"flex_flow": "row wrap"}),
            self.decay_info, self.decay_fig])

    def _build_power_page(self) -> None:
        x, y = bq.LogScale(), bq.LogScale()
        self._power_marks = {}
        for i, nm in enumerate((*POWER_LINES_NM, "band")):
            label = "CsPbBr3 band" if nm == "band" else f"{nm:g} nm"
            self._power_marks[nm] = lines({"x": x, "y": y}, label, PALETTE[i % len(PALETTE)],
                                          marker="circle", marker_size=12)
        self._power_axes = (bq.Axis(scale=x, label="power density (W/cm²)", tick_format="~g"),
                            bq.Axis(scale=y, label="photons s⁻¹ per particle", side="left",
                                    tick_format=".0e"))
        # The lines rise to the right; the lower right corner stays free for the legend.
        self.power_fig = figure("Emission vs power (log–log)", list(self._power_marks.values()),
                                list(self._power_axes), height_px=360, legend="bottom-right")
        self.power_fig.fig_margin = {**self.power_fig.fig_margin, "left": 80}
        self.slope_table = widgets.HTML()
        self.power_page = widgets.VBox([self.power_fig, self.slope_table])

    def _build_bleach_page(self) -> None:
        # The front end snaps a log slider to min + k·step: a fine step keeps P1's fluences.
        self.fluence_control = widgets.FloatLogSlider(
            value=23.1, base=10, min=math.log10(BLEACH_FLUENCE_UJ_CM2[0]),
            max=math.log10(BLEACH_FLUENCE_UJ_CM2[1]), step=1e-4,
            description="Fluence (µJ/cm²)", style={"description_width": "110px"},
            layout={"width": "360px"}, readout_format=".3g")
        self.pump_control = widgets.Dropdown(
            options=[(f"{nm:g} nm", nm) for nm in BLEACH_PUMPS_NM], value=400.0,
            description="Pump", style={"description_width": "40px"}, layout={"width": "140px"})
        for control in (self.fluence_control, self.pump_control):
            control.observe(self._bleach_options_changed, names="value")
        x = bq.LinearScale(min=0.0, max=BLEACH_WINDOW_NS)
        y = bq.LinearScale(min=0.0, max=HEADROOM)
        self._bleach_mark = lines({"x": x, "y": y}, "sample", PALETTE[2])
        self._bleach_reference_mark = lines({"x": x, "y": y}, "pure CsPbBr3", PALETTE[0],
                                            line_style="dashed")
        self.bleach_fig = figure("CsPbBr3 ground-state bleach",
                                 [self._bleach_mark, self._bleach_reference_mark],
                                 [bq.Axis(scale=x, label="delay (ns)"),
                                  bq.Axis(scale=y, label="−ΔA (normalised)", side="left",
                                          tick_format=".1f")],
                                 height_px=340, legend="top-right")
        self.bleach_info = widgets.HTML()
        self.bleach_page = widgets.VBox([
            widgets.HBox([self.fluence_control, self.pump_control],
                         layout={"flex_flow": "row wrap"}),
            self.bleach_info, self.bleach_fig])

    def _build_diagram_page(self) -> None:
        # Columns in the diagram's automatic order: it puts the species that exchange the
        # most arrows next to each other.
        self.diagram = EnergyLevelDiagram(title="Fluxes of the current steady state",
                                          height=480)
        self.diagram.observe(self._on_level_selected, names="selected_level")
        self._diagram_keys: list = []
        self.diagram_info = widgets.HTML(
            "<small>Arrow widths: events per second and particle (log scale). Click a level "
            "to see its decay in the Decay tab.</small>")
        # min_width 0: as a flex item the diagram would otherwise keep the width of its first
        # drawing (made before it is attached) and overflow a narrow tab.
        self.diagram.layout = widgets.Layout(width="100%", min_width="0")
        self.diagram_page = widgets.VBox([self.diagram_info, self.diagram],
                                         layout={"overflow": "auto"})

    def _on_tab(self, _change=None) -> None:
        hold_selected_page(self.tabs, self._pages)
        if self._ready:
            self._refresh_visible()

    # --- recomputing ---------------------------------------------------------------------

    def _control_changed(self, _change=None) -> None:
        if not self._showing:
            self._debounce.trigger()

    def _read_controls(self) -> tuple[TransferParams, str]:
        sample = self.sample_control.value
        params = self.panel.read()
        if sample != self.sample:
            params = _with_sample(params, sample)
        return params, sample

    def _apply_controls(self) -> None:
        try:
            new, sample = self._read_controls()
        except ValueError as error:  # bad input: say so, keep the last result on screen
            self.status.error(str(error))
            return
        try:
            # All at once: the first observer recomputes with every new value, the others
            # find the result up to date.
            with self.hold_trait_notifications():
                self.params = new
                self.sample = sample
                self.excitation_nm = float(self.excitation_control.value)
                self.power_w_cm2 = float(self.power_control.value)
            if not self._up_to_date() or self.status.kind == "error":
                self._recompute()  # e.g. the absorbance, or a bad value put back
        except Exception:  # shown in the status line; never raise out of a widget callback
            _log.exception("TransferLab: unexpected error while applying the controls")

    @traitlets.validate("excitation_nm")
    def _validate_excitation(self, proposal):
        value = float(proposal["value"])
        if value not in EXCITATIONS.values():
            raise traitlets.TraitError(f"excitation_nm must be one of "
                                       f"{sorted(EXCITATIONS.values())} nm, got {value!r}")
        return value

    @traitlets.observe("params")
    def _on_params(self, change) -> None:
        if not self._ready:
            return
        if not _consistent(change.new, self.sample):
            current = self.sample if self.sample in ("bare LnNPs", MIXTURE) else "bare LnNPs"
            self.set_trait("sample", _sample_of(change.new, current))
        self._show_controls()
        if not self._up_to_date():
            self._recompute_safely()

    @traitlets.observe("excitation_nm", "power_w_cm2", "sample")
    def _on_conditions(self, change) -> None:
        if not self._ready:
            return
        if change.name == "sample" and not _consistent(self.params, change.new):
            # A sample set from code brings its geometry; the params observer recomputes.
            self.params = _with_sample(self.params, change.new)
            return
        self._show_controls()
        if self.result is not None and not self._up_to_date():
            self._recompute_safely()

    def _up_to_date(self) -> bool:
        r = self.result
        return (r is not None and getattr(self, "_computed_for", None) == self._key())

    def _key(self):
        mixture = self.sample == MIXTURE
        return (self.params, self.excitation_nm, self.power_w_cm2, mixture,
                self.absorbance_control.value if mixture else None)

    def _show_controls(self) -> None:
        self._showing = True
        try:
            self.panel.show(self.params)
            self.sample_control.value = self.sample
            self.excitation_control.value = self.excitation_nm
            self.power_control.value = self.power_w_cm2
            self.absorbance_control.disabled = self.sample != MIXTURE
        finally:
            self._showing = False

    def _recompute_safely(self) -> None:
        try:
            self._recompute()
        except Exception:  # shown in the status line
            _log.exception("TransferLab: unexpected error while computing")

    def _recompute(self) -> None:
        try:
            self.result = self._compute(self.params)
        except (ValueError, RuntimeError) as error:  # bad input or no convergence
            self.status.error(str(error))
            return
        except Exception as error:
            self.status.error(f"{type(error).__name__}: {error}")
            raise
        self.status.show(self._done_message(), "ok")

    def run(self) -> TransferResult:
        """Recompute the steady state now (synchronously) and return it.

        Errors propagate (a script wants them); they are also shown in the lab.

        Examples
        --------
        >>> lab = TransferLab(sample="bare LnNPs")
        >>> lab.run() is lab.result
        True
        """
        self._show_controls()
        try:
            self.result = self._compute(self.params)
        except Exception as error:
            self.status.error(str(error))
            raise
        self.status.show(self._done_message(), "ok")
        return self.result

    def _compute(self, p: TransferParams) -> TransferResult:
        start = time.perf_counter()
        excitation, power = self.excitation_nm, self.power_w_cm2
        result = steady_state(p, excitation_nm=excitation, power_w_cm2=power)
        pv = None
        if self.sample == MIXTURE:
            pv = steady_state(FREE_PEROVSKITE, excitation_nm=excitation, power_w_cm2=power)
        spectrum = self._spectrum_of(result, pv)
        fluxes = steady_state_fluxes(p, result)
        self.timings["steady_state_s"] = time.perf_counter() - start
        # Nothing above failed: now the lab may change what it shows.
        self.perovskite_result, self.spectrum, self.fluxes = pv, spectrum, fluxes
        self._computed_for = (p, excitation, power, self.sample == MIXTURE,
                              self.absorbance_control.value if pv is not None else None)
        self._stale = {"decay": True, "sweep": True, "bleach": True}
        with self.hold_sync():
            self._show_spectrum()
            self._show_diagram(p, result)
        self.timings["update_s"] = time.perf_counter() - start
        if self._ready:
            self._refresh_visible()
        return result

    def _done_message(self) -> str:
        r = self.result
        strongest = max(r.lines.items(), key=lambda item: item[1])
        return (f"Up to date: steady state in {1e3 * self.timings['steady_state_s']:.0f} ms; "
                f"strongest line {strongest[0]:.0f} nm.")

    # --- saved work (SavableLab) ---------------------------------------------------------

    def _view_controls(self) -> dict:
        """Saved name → control, for the settings that are not traits."""
        return {"mixture_absorbance": self.absorbance_control,
                "normalise_spectrum": self.normalise_control,
                "decay_line_nm": self.decay_line, "decay_range_ms": self.decay_range,
                "bleach_fluence_uj_cm2": self.fluence_control, "bleach_pump_nm": self.pump_control}

    def _saved_state(self) -> dict:
        return {"params": params_state(self.params), "sample": self.sample,
                "excitation_nm": self.excitation_nm, "power_w_cm2": self.power_w_cm2,
                **{name: control.value for name, control in self._view_controls().items()}}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        check_keys(state, "TransferLab", ("params", "sample", "excitation_nm", "power_w_cm2",
                                          "mixture_absorbance", "normalise_spectrum",
                                          "decay_line_nm", "decay_range_ms",
                                          "bleach_fluence_uj_cm2", "bleach_pump_nm"))
        params = read_params(TransferParams, state["params"])
        sample = read_choice("sample", state["sample"], SAMPLES)
        if not _consistent(params, sample):
            raise ValueError(f"sample = {sample!r} does not match the saved params (perovskite "
                             f"edge {params.perovskite_edge_nm:g} nm, core {params.host})")
        return {
            "params": params, "sample": sample,
            "excitation_nm": read_choice("excitation_nm", state["excitation_nm"],
                                         EXCITATIONS.values()),
            "power_w_cm2": read_number("power_w_cm2", state["power_w_cm2"], "W/cm²", 0.0, 1e9),
            "mixture_absorbance": read_number("mixture_absorbance", state["mixture_absorbance"],
                                              "", 0.0, 30.0),
            "normalise_spectrum": read_flag("normalise_spectrum", state["normalise_spectrum"]),
            "decay_line_nm": read_choice("decay_line_nm", state["decay_line_nm"],
                                         [nm for *_, nm in LINES]),
            "decay_range_ms": read_choice("decay_range_ms", state["decay_range_ms"],
                                          DECAY_RANGES_MS.values()),
            "bleach_fluence_uj_cm2": read_number(
                "bleach_fluence_uj_cm2", state["bleach_fluence_uj_cm2"], "µJ/cm²",
                *BLEACH_FLUENCE_UJ_CM2),
            "bleach_pump_nm": read_choice("bleach_pump_nm", state["bleach_pump_nm"],
                                          BLEACH_PUMPS_NM),
        }

    def _apply_saved_state(self, values: dict) -> None:
        controls = self._view_controls()
        before = {name: control.value for name, control in controls.items()}
        self._showing = True
        try:
            for name, control in controls.items():
                control.value = values[name]
        finally:
            self._showing = False
        changed = {name for name in controls if values[name] != before[name]}
        if changed & {"decay_line_nm", "decay_range_ms"}:
            self._stale["decay"] = True
        if changed & {"bleach_fluence_uj_cm2", "bleach_pump_nm"}:
            self._stale["bleach"] = True
        # All at once, as in _apply_controls: one recomputation with every new value.
        with self.hold_trait_notifications():
            self.params = values["params"]
            self.sample = values["sample"]
            self.excitation_nm = values["excitation_nm"]
            self.power_w_cm2 = values["power_w_cm2"]
        if not self._up_to_date():
            self._recompute()  # e.g. only the mixture's absorbance changed
        self._refresh_visible()

    # --- spectrum ------------------------------------------------------------------------

    def _spectrum_of(self, result: TransferResult, pv: TransferResult | None) -> np.ndarray:
        wl = self.spectrum_nm
        if pv is None:
            return result.spectrum(wl)
        return mixture_spectrum(result, pv, wl,
                                perovskite_absorbance_400nm=self.absorbance_control.value,
                                perovskite_params=FREE_PEROVSKITE)

    def _show_spectrum(self) -> None:
        wl, spectrum = self.spectrum_nm, self.spectrum
        if spectrum.size == 0:
            return
        unit = "photons/s/nm"
        note = ""
        if self.normalise_control.value:
            at_646 = float(np.interp(NORMALISE_NM, wl, spectrum))
            if at_646 > 0 and np.isfinite(at_646):
                spectrum = spectrum / at_646
                unit = "÷ 646 nm line"
            else:
                note = "No 646 nm emission to normalise to: absolute intensities shown."
        n_vis = VISIBLE_NM.size
        with self.visible_fig.hold_sync(), self.nir_fig.hold_sync():
            for mark, scale, fig, x, y in (
                    (self._visible_line, self._spectrum_scales[0], self.visible_fig,
                     wl[:n_vis], spectrum[:n_vis]),
                    (self._nir_line, self._spectrum_scales[1], self.nir_fig,
                     wl[n_vis:], spectrum[n_vis:])):
                top = float(np.max(y)) if y.size else 0.0
                scale.max = HEADROOM * top if top > 0 else 1.0
                set_mark_data(mark, x, y)
                fig.axes[1].label = unit
        self.spectrum_info.value = html.escape(note)

    # --- decay ---------------------------------------------------------------------------

    def _decay_options_changed(self, _change=None) -> None:
        self._stale["decay"] = True
        if self.tabs.selected_index == 1:
            self._safely(self.compute_decay)

    def compute_decay(self, line_nm: float | None = None) -> DecayFit | None:
        """Simulate the decay of one line after a pulse and fit it (two exponentials).

        The pulse has the lab's excitation and power and lasts 10 µs; the fit (equal
        weights, τ in µs) starts at the end of the pulse or at the maximum of the curve,
        whichever is later (lines fed by energy transfer rise after the pulse).

        Parameters
        ----------
        line_nm : float, optional
            A wavelength of :data:`~lnhet_widgets.core.optics.LINES`; default the line
            chosen in the Decay tab (and it becomes the chosen one).

        Returns
        -------
        DecayFit or None
            The fit, also in ``decay_fit``; None when the line does not emit (then the plot
            says so).

        Raises
        ------
        ValueError
            For a wavelength that is not a line.

        Examples
        --------
        >>> lab = TransferLab(sample="bare LnNPs")
        >>> fit = lab.compute_decay(980.0)
        >>> 30 < fit.tau_avg < 60
        True
        """
        if line_nm is not None:
            line_nm = float(line_nm)
            if line_nm not in dict(self.decay_line.options).values():
                raise ValueError(f"line_nm must be one of {[nm for *_, nm in LINES]} nm, got "
                                 f"{line_nm!r}")
            if self.decay_line.value != line_nm:
                self._showing = True
                try:
                    self.decay_line.value = line_nm
                finally:
                    self._showing = False
        start = time.perf_counter()
        nm = float(self.decay_line.value)
        t_end = self.decay_range.value * 1e-3
        t = np.linspace(0.0, t_end, DECAY_POINTS)
        pulse = Pulse(self.excitation_nm, max(self.power_w_cm2, 1e-6), PULSE_S)
        decay = dynamics(self.params, pulse=pulse, t_eval=t)
        self.decay, self.decay_fit = decay, None
        self._stale["decay"] = False
        y = np.asarray(decay.lines.get(nm, np.zeros_like(t)), dtype=float)
        t_us = t * 1e6
        title = f"Decay of the {nm:g} nm line after a {PULSE_S * 1e6:g} µs pulse"
        if not np.any(y > 0):
            with self.decay_fig.hold_sync():
                set_mark_data(self._decay_mark, [], [])
                set_mark_data(self._fit_mark, [], [])
                self.decay_fig.title = title
            self.decay_info.value = (f"<b>{nm:g} nm does not emit</b> in this sample under "
                                     f"{self.excitation_nm:g} nm excitation.")
            self.timings["decay_s"] = time.perf_counter() - start
            return None
        y = y / y.max()
        begin = max(PULSE_S * 1e6, float(t_us[np.argmax(y)]))
        message = ""
        try:
            fit = fit_decay(t_us, y, n_exp=2, weights=None, window=(begin, t_us[-1]))
        except ValueError as error:
            fit, message = None, f"fit failed: {error}"
        self.decay_fit = fit
        shown = y > DECAY_FLOOR
        with self.decay_fig.hold_sync():
            set_mark_data(self._decay_mark, t_us[shown], y[shown])
            if fit is not None:
                tf = t_us[t_us >= begin]
                yf = multi_exponential(tf, fit.amplitudes, fit.lifetimes, fit.y0, fit.x0)
                keep = yf > DECAY_FLOOR
                set_mark_data(self._fit_mark, tf[keep], yf[keep])
            else:
                set_mark_data(self._fit_mark, [], [])
            low = max(DECAY_FLOOR, float(y[shown].min()))
            self._decay_y.min, self._decay_y.max = low, 2.0
            # One tick per decade: bqplot's own log ticks crowd into an unreadable column.
            self._decay_axis.tick_values = _decades(low, 1.0)
            self.decay_fig.title = title
        if fit is not None:
            message = (f"τ_avg = <b>{fit.tau_avg:.3g} ± {fit.tau_avg_err:.2g} µs</b> "
                       f"(fit from {begin:.3g} µs; lifetimes "
                       + ", ".join(f"{v:.3g}" for v in fit.lifetimes) + " µs)")
        self.decay_info.value = message
        self.timings["decay_s"] = time.perf_counter() - start
        return fit

    def _on_level_selected(self, change) -> None:
        index = change.new
        if index < 0 or index >= len(self.diagram.levels):
            return
        species, level = self.diagram.levels[index][:2]
        candidates = [nm for ion, upper, _, nm in LINES if (ion, upper) == (species, level)]
        if not candidates:
            return
        current = float(self.decay_line.value)
        # Keep the chosen line when it already comes from the clicked level.
        self.decay_line.value = current if current in candidates else candidates[0]

    # --- power dependence ----------------------------------------------------------------

    def compute_power_sweep(self, powers_w_cm2=None) -> dict:
        """Steady states over a power sweep and the low-power log–log slope of each line.

        Parameters
        ----------
        powers_w_cm2 : array_like, optional
            Powers, W cm⁻²; default 25 powers from 0.1 to 10⁵ W cm⁻².

        Returns
        -------
        dict
            Line (nm, the perovskite band as ``"band"``) → slope of log I vs log P over the
            lowest five powers; NaN where the line does not emit. Also in ``slopes``.

        Examples
        --------
        >>> lab = TransferLab(sample="bare LnNPs")
        >>> slopes = lab.compute_power_sweep()
        >>> round(slopes[800.0]), round(slopes[475.0])
        (2, 3)
        """
        start = time.perf_counter()
        powers = POWER_SWEEP_W_CM2 if powers_w_cm2 is None else np.asarray(powers_w_cm2, float)
        sweep = power_dependence(self.params, powers, excitation_nm=self.excitation_nm)
        order = np.argsort(sweep.power_w_cm2)
        p = sweep.power_w_cm2[order]
        slopes = {}
        band_nm = [nm for nm, lab in zip(sweep.line_nm, sweep.line_labels, strict=True)
                   if lab.startswith("CsPbX3")]
        series = {nm: sweep.lines.get(nm) for nm in POWER_LINES_NM}
        series["band"] = sweep.lines[float(band_nm[0])] if band_nm else None
        with self.power_fig.hold_sync():
            for key, values in series.items():
                mark = self._power_marks[key]
                name = "CsPbBr3 band" if key == "band" else f"{key:g} nm"
                if values is None:
                    set_mark_data(mark, [], [], labels=[name])
                    slopes[key] = math.nan
                    continue
                values = np.atleast_1d(values)[order]
                positive = values > 0
                low = positive[:SLOPE_POINTS]
                slope = (float(np.polyfit(np.log10(p[:SLOPE_POINTS][low]),
                                          np.log10(values[:SLOPE_POINTS][low]), 1)[0])
                         if low.sum() >= 2 else math.nan)
                slopes[key] = slope
                label = name if math.isnan(slope) else f"{name} (slope {slope:.2f})"
                set_mark_data(mark, p[positive], values[positive], labels=[label])
            self._power_axes[0].tick_values = _decades(p[0], p[-1])
            drawn = np.concatenate([m.y for m in self._power_marks.values() if m.y.size])
            if drawn.size:
                self._power_axes[1].tick_values = _decades(drawn.min(), drawn.max())
        self.sweep, self.slopes = sweep, slopes
        self._stale["sweep"] = False
        rows = "".join(
            f"<tr><td>{'CsPbBr3 band' if k == 'band' else f'{k:g} nm'}</td>"
            f"<td>{'—' if math.isnan(v) else f'{v:.2f}'}</td></tr>" for k, v in slopes.items())
        self.slope_table.value = (
            f"<table class='lnhet-table lnhet-slopes'><tr><th>line</th><th>low-power slope "
            f"({p[0]:.2g}–{p[min(SLOPE_POINTS, p.size) - 1]:.2g} W/cm²)</th></tr>{rows}"
            "</table>")
        self.timings["sweep_s"] = time.perf_counter() - start
        return slopes

    # --- bleach --------------------------------------------------------------------------

    def _bleach_options_changed(self, _change=None) -> None:
        if self._showing:
            return
        self._stale["bleach"] = True
        if self.tabs.selected_index == 3:
            self._safely(self.compute_bleach)

    def compute_bleach(self, fluence_uj_cm2: float | None = None,
                       pump_nm: float | None = None) -> BleachResult | None:
        """Ground-state bleach of the sample's CsPbBr3 after one pump pulse, with pure CsPbBr3
        nanocrystals at the same fluence as the reference (SCIENCE §8, P1's E2/E3).

        The heterostructure's perovskite is P1's (grown at 220 °C) with the lab's cube edge and
        core diameter, its lanthanide channel scaled by the lab's Yb fraction and contact
        factor; a physical mixture's perovskite is the pure nanocrystals themselves; bare LnNPs
        have none (the plot shows the reference only).

        Parameters
        ----------
        fluence_uj_cm2 : float, optional
            Pump fluence, µJ cm⁻², in [1, 100]; default (and then shown) the tab's fluence.
        pump_nm : {400, 365}, optional
            Pump wavelength, nm; default the tab's.

        Returns
        -------
        BleachResult or None
            The sample's bleach (also in ``bleach``), None for bare LnNPs.

        Raises
        ------
        ValueError
            For a fluence or pump wavelength outside the allowed values; the last bleach
            stays on screen.

        Examples
        --------
        >>> lab = TransferLab()  # β-LnNP@CsPbBr3
        >>> result = lab.compute_bleach(23.1)
        >>> bool(result.tau_avg_ns < lab.bleach_reference.tau_avg_ns)
        True
        """
        fluence = self.fluence_control.value if fluence_uj_cm2 is None else float(
            fluence_uj_cm2)
        pump = self.pump_control.value if pump_nm is None else float(pump_nm)
        low, high = BLEACH_FLUENCE_UJ_CM2
        if not low <= fluence <= high:
            raise ValueError(f"fluence_uj_cm2 = {fluence!r} µJ/cm² is outside the allowed "
                             f"range [{low:g}, {high:g}]")
        if pump not in BLEACH_PUMPS_NM:
            raise ValueError(f"pump_nm must be one of {list(BLEACH_PUMPS_NM)} nm, got {pump!r}")
        start = time.perf_counter()
        sample = _bleach_sample(self.params, self.sample)
        reference = bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=fluence, pump_nm=pump)
        if sample is None or sample == reference.params:
            result = None if sample is None else reference
        else:
            result = bleach_kinetics(sample, fluence_uj_cm2=fluence, pump_nm=pump)
        self.bleach, self.bleach_reference = result, reference
        self._showing = True
        try:
            self.fluence_control.value, self.pump_control.value = fluence, pump
        finally:
            self._showing = False
        self._stale["bleach"] = False
        shown = reference.t_ns <= BLEACH_WINDOW_NS
        reference_label = f"pure CsPbBr3 {reference.tau_avg_ns:.2f} ns"
        with self.bleach_fig.hold_sync():
            set_mark_data(self._bleach_reference_mark, reference.t_ns[shown],
                          reference.bleach[shown], labels=[reference_label])
            if result is None:
                set_mark_data(self._bleach_mark, [], [], labels=["sample"])
            else:
                set_mark_data(self._bleach_mark, result.t_ns[shown], result.bleach[shown],
                              labels=[f"sample {result.tau_avg_ns:.2f} ns"])
            self.bleach_fig.title = (f"CsPbBr3 ground-state bleach, {pump:g} nm pump, "
                                     f"{fluence:.3g} µJ/cm²")
        if result is None:
            self.bleach_info.value = ("<b>Bare LnNPs have no perovskite to bleach</b>: the "
                                      "dashed curve is pure CsPbBr3 at this fluence.")
        else:
            self.bleach_info.value = (
                f"τ_avg = <b>{result.tau_avg_ns:.3g} ± {result.tau_avg_err_ns:.2g} ns</b> "
                f"(three-exponential fit); ⟨N⟩ = {result.mean_excitons:.2g} excitons and "
                f"{result.traps_per_nc:.2g} traps per nanocrystal; pure CsPbBr3: "
                f"{reference.tau_avg_ns:.3g} ns.")
        self.timings["bleach_s"] = time.perf_counter() - start
        return result

    # --- level diagram -------------------------------------------------------------------

    def _show_diagram(self, p: TransferParams, result: TransferResult) -> None:
        band = [nm for nm, lab in zip(result.line_nm, result.line_labels, strict=True)
                if lab.startswith("CsPbX3")]
        gap_cm = 1e7 / float(band[0]) if band else (
            BULK_GAP_EV[_PV] * _CM_PER_EV)
        flux = self.fluxes
        largest = max(flux.values(), default=0.0)
        keys = list(_BASE_TRANSITIONS)
        # Every energy-transfer process of the model is drawn, even when weak: ETU and
        # cross-relaxation are what the lesson is about.
        for et in p.energy_transfer:
            key = _transfer_arrow((et.donor, et.donor_from), (et.donor, et.donor_to),
                                  (et.acceptor, et.acceptor_from), (et.acceptor, et.acceptor_to))
            if key not in keys:
                keys.append(key)
        for key in sorted(flux, key=str):
            if key not in keys and flux[key] >= _MINOR_SHARE * largest:
                keys.append(key)
        levels = _diagram_levels(gap_cm)
        index = {(sp, name): i for i, (sp, name, *_rest) in enumerate(levels)}
        rates = [flux.get(key, 0.0) for key in keys]
        if keys == self._diagram_keys and self.diagram.levels == levels:
            self.diagram.set_rates(rates)  # arrows change width in place
        else:
            self.diagram.set_data(levels, [(index[a], index[b], kind, rate)
                                           for (a, b, kind), rate in zip(keys, rates,
                                                                         strict=True)])
            self._diagram_keys = keys

    # --- views that are computed on demand -----------------------------------------------

    def _refresh_visible(self) -> None:
        selected = self.tabs.selected_index
        if selected == 1 and self._stale["decay"]:
            self._safely(self.compute_decay)
        elif selected == 2 and self._stale["sweep"]:
            self._safely(self.compute_power_sweep)
        elif selected == 3 and self._stale["bleach"]:
            self._safely(self.compute_bleach)

    def _safely(self, func) -> None:
        try:
            func()
        except (ValueError, RuntimeError) as error:
            self._view_error = str(error)
            self.status.error(self._view_error)
        except Exception as error:  # a bug: show it, and keep the traceback in the log
            self._view_error = f"{type(error).__name__}: {error}"
            self.status.error(self._view_error)
            _log.exception("TransferLab: unexpected error")
        else:
            # A view's own error goes once the view computes again; an error in the controls
            # stays until the control is put right.
            if self.status.kind == "error" and self.status.message == self._view_error:
                self.status.show(self._done_message(), "ok")


def _bleach_sample(p: TransferParams, sample: str) -> BleachParams | None:
    """The perovskite whose bleach the lab shows, or None for bare LnNPs.

    A physical mixture's perovskite is P1's pure cubes (``P1_SAMPLES["pure"]``). A
    heterostructure is P1's β-LnNP@ class (220 °C growth, model constants) with the lab's core
    phase, cube edge and core diameter; its lanthanide channel follows the lab's Yb fraction
    and, like every heterostructure channel of SCIENCE §7, the contact factor. At the lab's
    defaults
    the two presets are ``P1_SAMPLES["beta"]`` and ``P1_SAMPLES["alpha"]``.
    """
    if sample == MIXTURE:
        return P1_SAMPLES["pure"]
    if not p.has_perovskite:
        return None
    base = P1_SAMPLES["beta"]
    return dataclasses.replace(
        base, edge_nm=p.perovskite_edge_nm, core_diameter_nm=p.core_diameter_nm,
        core_host=p.host, yb_fraction=p.yb_fraction if p.core_diameter_nm else 0.0,
        ln_transfer_rate_ns_nm2=base.ln_transfer_rate_ns_nm2 * p.contact_factor)


def _sample_of(p: TransferParams, default: str) -> str:
    """The sample name that describes ``p``: ``default`` (bare or mixture) without a shell, a
    preset heterostructure (any core size and composition: the composition controls edit the
    preset's core), or "custom heterostructure"."""
    if not p.has_perovskite:
        return default if default in ("bare LnNPs", MIXTURE) else "bare LnNPs"
    for name in _PRESETS:
        preset = SAMPLES[name]
        if all(getattr(p, k) == v for k, v in preset.items() if k not in COMPOSITION_FIELDS):
            return name
    return "custom heterostructure"


def _consistent(p: TransferParams, sample: str) -> bool:
    if sample in ("bare LnNPs", MIXTURE):
        return not p.has_perovskite
    if sample == "custom heterostructure":
        return p.has_perovskite
    return _sample_of(p, "") == sample


def _with_sample(p: TransferParams, sample: str) -> TransferParams:
    """``p`` with the geometry of ``sample`` (a custom heterostructure keeps its own shell,
    or gets β-LnNP@'s when it has none)."""
    if sample not in SAMPLES:
        raise ValueError(f"sample must be one of {list(SAMPLES)}, got {sample!r}")
    changes = SAMPLES[sample]
    if sample == "custom heterostructure" and not p.has_perovskite:
        changes = SAMPLES["β-LnNP@CsPbBr3"]
    return dataclasses.replace(p, **changes)
