"""TransferLab: lesson 4 — two-way energy transfer in LnNP@CsPbBr3 heterostructures.

One lab around :mod:`lnhet_widgets.core.optics` (SCIENCE.md §6–§8): the sample, the
excitation and the main rate constants as controls; the steady-state emission spectrum
(visible and NIR), the decay of one line after a pulse with its fitted τ_avg, the power
dependence of the main lines with their low-power slopes, the CsPbBr3 ground-state bleach after
a femtosecond pump at a chosen fluence (:mod:`lnhet_widgets.core.optics.bleach`), and an
energy-level diagram whose arrows carry the computed fluxes of the current steady state.

``params``, ``result``, ``excitation_nm``, ``power_w_cm2`` and ``sample`` are traitlets of the
lab, so a notebook can drive it from code and read what it shows. Control changes are
throttled (the first at once, a drag at the model's pace, the last value always); a bad value
shows a message in the lab and leaves the last result on screen.

Only the steady state (a few ms) is recomputed on every change. The decay (a stiff
integration, ~0.3 s), the power sweep and the bleach are recomputed only while their tab is
open, or when asked for with :meth:`TransferLab.compute_decay`,
:meth:`TransferLab.compute_power_sweep` and :meth:`TransferLab.compute_bleach`: a slider drag
stays responsive.

As in GrowthLab, a tab holds its page only while it is selected, because bqplot draws a
figure with a negative plot area when it first renders inside a hidden tab.

This module holds the lab's controls, wiring, state and saved work. The tabs it draws are
mixins beside it: :mod:`~lnhet_widgets.widgets.labs.transfer_views` (spectrum, decay, power
sweep, bleach) and :mod:`~lnhet_widgets.widgets.labs.transfer_diagram` (the level diagram and
the fluxes it shows); the samples it offers are in
:mod:`~lnhet_widgets.widgets.labs.transfer_samples`.
"""

from __future__ import annotations

import dataclasses
import logging
import time

import ipywidgets as widgets
import numpy as np
import traitlets

from lnhet_widgets.core.analysis import DecayFit
from lnhet_widgets.core.conditions import P1_UC_POWER_W_CM2
from lnhet_widgets.core.optics import (
    LINES,
    BleachResult,
    TransferParams,
    TransferResult,
    steady_state,
)

from ..parts._tabs import hold_selected_page
from ..parts._throttle import Throttle
from ..parts.panel import ParameterPanel
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
from .transfer_diagram import LevelDiagramTab, steady_state_fluxes
from .transfer_ions import ION_SEED_RANGE, IonsTab
from .transfer_samples import (
    COMPOSITION_FIELDS,
    FREE_PEROVSKITE,
    MIXTURE,
    SAMPLES,
    _consistent,
    _sample_of,
    _with_sample,
)
from .transfer_views import (
    BLEACH_FLUENCE_UJ_CM2,
    BLEACH_PUMPS_NM,
    DECAY_RANGES_MS,
    NIR_NM,
    VISIBLE_NM,
    BleachTab,
    DecayTab,
    PowerTab,
    SpectrumTab,
)

__all__ = ["TransferLab"]

_log = logging.getLogger(__name__)

EXCITATIONS = {"980 nm (Yb³⁺)": 980.0, "365 nm (CsPbBr3)": 365.0, "400 nm (CsPbBr3)": 400.0}

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


class TransferLab(SpectrumTab, DecayTab, PowerTab, BleachTab, LevelDiagramTab, IonsTab,
                  SavableLab, widgets.VBox):
    """Lesson 4 lab: emission, decays, power dependence and fluxes of LnNP@CsPbBr3.

    The first steady state is computed in the constructor; after that, every control change
    recomputes (throttled inside a Jupyter kernel, at once elsewhere).

    Parameters
    ----------
    params : TransferParams, optional
        Starting particle (default: P1's β-LnNP@CsPbBr3).
    sample : str
        One of :data:`~lnhet_widgets.widgets.labs.transfer_samples.SAMPLES`; default
        ``"β-LnNP@CsPbBr3"``, or the sample ``params`` describes when given.
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
        :func:`~lnhet_widgets.widgets.labs.transfer_diagram.steady_state_fluxes` of the
        current steady state (what the diagram shows).

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
        self._throttle = Throttle(self._apply_controls)
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
        self._stale = {"decay": True, "sweep": True, "bleach": True, "ions": True}
        self._view_error = ""  # the last error of a view computed on demand
        self.timings: dict = {}

        self._build_controls(start, sample, excitation_nm, power_w_cm2)
        self._build_spectrum_page()
        self._build_decay_page()
        self._build_power_page()
        self._build_bleach_page()
        self._build_diagram_page()
        self._build_ions_page()
        self.save_bar = SaveLoadBar(self)
        self._pages = (self.spectrum_page, self.decay_page, self.power_page, self.bleach_page,
                       self.diagram_page, self.ions_page)
        # The slots stretch their page to the tab's width (a Box sizes to its content), and
        # min_width 0 lets them shrink below their content's first width (flex items do not).
        for page in self._pages:
            page.layout.width, page.layout.min_width = "100%", "0"
        self.tabs = widgets.Tab(children=[widgets.Box(layout={"width": "100%", "min_width": "0"})
                                          for _ in self._pages],
                                # Short titles: six must fit a 560 px tab bar.
                                titles=("Spectrum", "Decay", "Power sweep", "Bleach",
                                        "Level diagram", "Ions"),
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

    # --- controls and tabs ---------------------------------------------------------------

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

    def _on_tab(self, _change=None) -> None:
        hold_selected_page(self.tabs, self._pages)
        if self._ready:
            self._refresh_visible()

    # --- recomputing ---------------------------------------------------------------------

    def _control_changed(self, _change=None) -> None:
        if not self._showing:
            self._throttle.trigger()

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
        self._stale = {"decay": True, "sweep": True, "bleach": True, "ions": True}
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
                "bleach_fluence_uj_cm2": self.fluence_control, "bleach_pump_nm": self.pump_control,
                "ion_seed": self.ion_seed_control}

    def _saved_state(self) -> dict:
        return {"params": params_state(self.params), "sample": self.sample,
                "excitation_nm": self.excitation_nm, "power_w_cm2": self.power_w_cm2,
                **{name: control.value for name, control in self._view_controls().items()}}

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        check_keys(state, "TransferLab", ("params", "sample", "excitation_nm", "power_w_cm2",
                                          "mixture_absorbance", "normalise_spectrum",
                                          "decay_line_nm", "decay_range_ms",
                                          "bleach_fluence_uj_cm2", "bleach_pump_nm"),
                   ("ion_seed",))  # optional: files saved before the Ions tab had seed 0
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
            "ion_seed": read_number("ion_seed", state.get("ion_seed", 0), "", *ION_SEED_RANGE,
                                    integer=True),
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
        if "ion_seed" in changed:
            self._stale["ions"] = True
        # All at once, as in _apply_controls: one recomputation with every new value.
        with self.hold_trait_notifications():
            self.params = values["params"]
            self.sample = values["sample"]
            self.excitation_nm = values["excitation_nm"]
            self.power_w_cm2 = values["power_w_cm2"]
        if not self._up_to_date():
            self._recompute()  # e.g. only the mixture's absorbance changed
        self._refresh_visible()

    # --- views that are computed on demand -----------------------------------------------

    def _refresh_visible(self) -> None:
        selected = self.tabs.selected_index
        if selected == 1 and self._stale["decay"]:
            self._safely(self.compute_decay)
        elif selected == 2 and self._stale["sweep"]:
            self._safely(self.compute_power_sweep)
        elif selected == 3 and self._stale["bleach"]:
            self._safely(self.compute_bleach)
        elif selected == 5 and self._stale["ions"]:
            self._safely(self.compute_ions)

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

