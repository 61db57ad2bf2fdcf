"""Simulated decays to hold against a measured one: AnalysisLab's "Simulate" section and its
overlays (:class:`ModelComparison`, mixed into the lab).

The model is :func:`lnhet_widgets.core.optics.dynamics` for the particle a file name
describes (:func:`model_particle`), after a short 980 nm pulse, with one group of rates
scaled by a factor (:func:`scale_rate`): the lesson's "adjust a rate until the model matches
the measurement". :func:`decay_curve` turns arrays or a core result into one curve to overlay.

Examples
--------
>>> t, y, params = model_decay("decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm.txt", line_nm=980.0,
...                            rate="quenching", factor=1.0, end_s=2e-3)
>>> t.size, bool(y.max() > 0), params.yb_fraction
(400, True, 0.25)
"""

from __future__ import annotations

import dataclasses
import re

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from lnhet_widgets.core.analysis import fit_decay
from lnhet_widgets.core.optics import LINES, Pulse, TransferParams, dynamics

from ..parts._throttle import Throttle
from ..parts.plots import PALETTE, set_mark_data
from .analysis_outcomes import DECAY_ANALYSES, TIME_UNITS
from .analysis_plots import line_mark, positive_points

__all__ = ["RATE_KNOBS", "SIM_PULSE", "ModelComparison", "SimulationControls", "decay_curve",
           "model_decay", "model_line", "model_particle", "scale_rate"]

#: The largest particle the model takes: the bundled samples are large crystals.
SIM_CORE_NM = 30.0
#: A 10 µs pulse at 980 nm, short against the measured lifetimes.
SIM_PULSE = Pulse(excitation_nm=980.0, power_w_cm2=1e3, duration_s=10e-6)
SIM_POINTS = 400
#: Rate groups the factor can scale: key → label.
RATE_KNOBS = {
    "quenching": "quenching (surface + vacancies)",
    "etu": "Yb → Tm energy transfer",
    "cross_relaxation": "Tm–Tm cross-relaxation",
    "yb_radiative": "Yb³⁺ radiative rate",
}
# The emitting level in a bundled file's name → the line the model shows for it.
_LEVEL_LINES = {"Yb_ES": 980.0, "Tm_3H4": 800.0, "Tm_1G4": 475.0, "Tm_1D2": 450.0,
                "Tm_1I6": 345.0}


def model_particle(source_name: str) -> TransferParams:
    """The model particle for a measured file: β-NaYF4 with the Yb and Tm contents of a name
    like ``decay_…_25.0Yb_0.3Tm.txt`` (else 25 % Yb, 0.3 % Tm), 30 nm across.

    Examples
    --------
    >>> p = model_particle("decay_Tm_1G4_exc_NIR_980_25.0Yb_0.3Tm.txt")
    >>> p.host, p.yb_fraction, p.tm_fraction
    ('beta-NaYF4', 0.25, 0.003)
    """
    found = re.search(r"(\d+(?:\.\d+)?)Yb_(\d+(?:\.\d+)?)Tm", source_name)
    yb, tm = (float(found[1]), float(found[2])) if found else (25.0, 0.3)
    return TransferParams(host="beta-NaYF4", yb_fraction=yb / 100, tm_fraction=tm / 100,
                          core_diameter_nm=SIM_CORE_NM)


def model_line(source_name: str) -> float:
    """The emission line (nm) of the level a bundled file's name gives; 980 nm otherwise.

    Examples
    --------
    >>> model_line("decay_Tm_3H4_exc_NIR_980_25.0Yb_0.3Tm.txt")
    800.0
    """
    found = re.search(r"decay_(Yb_ES|Tm_\w\w\d)_", source_name)
    return _LEVEL_LINES.get(found[1], 980.0) if found else 980.0


def scale_rate(params: TransferParams, rate: str, factor: float) -> TransferParams:
    """``params`` with one group of rates (a key of :data:`RATE_KNOBS`) times ``factor``.

    Examples
    --------
    >>> scale_rate(TransferParams(), "yb_radiative", 2.0).yb_lifetime_s
    0.00125
    """
    if rate == "quenching":
        return dataclasses.replace(
            params, surface_quenching_nm3_s=params.surface_quenching_nm3_s * factor,
            vacancy_quenching_s=params.vacancy_quenching_s * factor)
    if rate in ("etu", "cross_relaxation"):
        def scaled(et):
            chosen = et.donor == "Yb" if rate == "etu" else et.name.startswith("CR")
            if not chosen:
                return et
            avg = None if et.strength_avg_s is None else et.strength_avg_s * factor
            return dataclasses.replace(et, strength_a6_s=et.strength_a6_s * factor,
                                       strength_avg_s=avg)

        return dataclasses.replace(
            params, energy_transfer=tuple(scaled(et) for et in params.energy_transfer))
    if rate == "yb_radiative":
        return dataclasses.replace(params, yb_lifetime_s=params.yb_lifetime_s / factor)
    raise ValueError(f"rate must be one of {list(RATE_KNOBS)}, got {rate!r}")


def model_decay(source_name: str, *, line_nm: float, rate: str, factor: float,
                end_s: float) -> tuple[np.ndarray, np.ndarray, TransferParams]:
    """The model's decay of ``line_nm`` after :data:`SIM_PULSE`, on 400 times from 0 to
    ``end_s`` (at least 20 pulse lengths): times (s), photons s⁻¹ per particle, the params.

    Raises
    ------
    ValueError
        When the particle does not emit on that line (e.g. no Yb to absorb at 980 nm).
    """
    params = scale_rate(model_particle(source_name), rate, factor)
    t = np.linspace(0.0, max(end_s, 20 * SIM_PULSE.duration_s), SIM_POINTS)
    y = np.asarray(dynamics(params, pulse=SIM_PULSE, t_eval=t).lines[line_nm], dtype=float)
    if not np.any(y > 0):
        raise ValueError(f"the model gives no {line_nm:g} nm emission for this particle "
                         f"({100 * params.yb_fraction:g} % Yb, {100 * params.tm_fraction:g} % "
                         "Tm) under 980 nm excitation")
    return t, y, params


def decay_curve(t, y=None, *, time_unit: str = "s", line_nm: float | None = None):
    """Times (s) and intensities of a curve given as arrays (times in ``time_unit``) or as a
    core result: a TransferResult of ``dynamics`` (the ``line_nm`` line, default 980 nm), an
    AnnealOptics (its 450 nm decay) or a BleachResult (its bleach).

    Examples
    --------
    >>> decay_curve([0.0, 1.0, 2.0], [3.0, 2.0, 1.0], time_unit="ms")[0].tolist()
    [0.0, 0.001, 0.002]
    """
    if hasattr(t, "time_s") and hasattr(t, "lines"):
        nm = 980.0 if line_nm is None else float(line_nm)
        if nm not in t.lines:
            raise ValueError(f"line_nm = {nm:g} nm is not a line of this result; lines: "
                             f"{sorted(t.lines)}")
        return np.asarray(t.time_s, float), np.asarray(t.lines[nm], float)
    if hasattr(t, "decay_time_ms") and hasattr(t, "tm_450_decay"):
        return np.asarray(t.decay_time_ms, float) * 1e-3, np.asarray(t.tm_450_decay, float)
    if hasattr(t, "t_ns") and hasattr(t, "bleach"):
        return np.asarray(t.t_ns, float) * 1e-9, np.asarray(t.bleach, float)
    if y is None:
        raise ValueError("give the intensities y with the times t, or a result with a decay")
    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {list(TIME_UNITS)}, got {time_unit!r}")
    t = np.asarray(t, float).ravel() * TIME_UNITS[time_unit]
    y = np.asarray(y, float).ravel()
    if t.shape != y.shape or t.size < 2 or not (np.all(np.isfinite(t))
                                                and np.all(np.isfinite(y))):
        raise ValueError("t and y must be finite 1-D arrays of the same length (≥ 2)")
    return t, y


class SimulationControls(widgets.Accordion):
    """The "Simulate" section: a line, a rate group, its factor, Overlay and Clear buttons.

    ``on_overlay()`` runs when Overlay is clicked and, once a model is shown, when a control
    changes (``on_change`` is given the throttled trigger for that); ``on_clear()`` for Clear.

    Examples
    --------
    >>> controls = SimulationControls(on_overlay=lambda: None, on_clear=lambda: None)
    >>> controls.read()
    (980.0, 'quenching', 1.0)
    """

    def __init__(self, *, on_overlay, on_clear, on_change=None):
        style, layout = {"description_width": "60px"}, {"width": "300px"}
        self.line = widgets.Dropdown(
            options=[(f"{nm:g} nm: {ion} {upper}→{lower}", nm) for ion, upper, lower, nm in LINES],
            value=980.0, description="Line", style=style, layout=layout)
        self.rate = widgets.Dropdown(options=[(v, k) for k, v in RATE_KNOBS.items()],
                                     value="quenching", description="Rate", style=style,
                                     layout=layout)
        self.factor = widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=2, step=0.02,
                                             description="× rate", style=style, layout=layout,
                                             readout_format=".3g")
        self.active = False  # a model is shown: control changes re-simulate
        self.quiet = False  # True while the lab sets the controls
        for control in (self.line, self.rate, self.factor):
            control.observe(lambda _c: self.active and not self.quiet and on_change
                            and on_change(), names="value")
        self.overlay_button = widgets.Button(description="Overlay model decay",
                                             icon="line-chart", layout={"width": "180px"})
        self.overlay_button.on_click(lambda _b: on_overlay())
        self.clear_button = widgets.Button(description="Clear", layout={"width": "80px"},
                                           tooltip="remove every overlaid curve")
        self.clear_button.on_click(lambda _b: on_clear())
        self.info = widgets.HTML(layout={"width": "300px"})
        super().__init__(children=[widgets.VBox([
            self.line, self.rate, self.factor,
            widgets.HBox([self.overlay_button, self.clear_button]), self.info])],
            titles=("Simulate (rate-equation model)",), selected_index=None,
            layout={"width": "320px"})

    def read(self) -> tuple[float, str, float]:
        """The chosen line (nm), rate group and factor."""
        return float(self.line.value), self.rate.value, float(self.factor.value)

    def show(self, line_nm=None, rate=None, factor=None) -> None:
        """Set controls without re-simulating."""
        self.quiet = True
        try:
            if line_nm is not None:
                self.line.value = float(line_nm)
            if rate is not None:
                self.rate.value = rate
            if factor is not None:
                self.factor.value = float(factor)
        finally:
            self.quiet = False


class ModelComparison:
    """Curves overlaid on AnalysisLab's measured decay (``compare_with``) and the rate-equation
    model's decay (``simulate``, from the ``simulation`` controls), scaled to the measured
    maximum and shown while the analysis is a decay one."""

    def _build_simulation(self) -> None:
        self._comparisons: dict[str, tuple] = {}  # label → (t_s, y, mark)
        self._sim_throttle = Throttle(lambda: self._safely(self.simulate))
        self.simulation = SimulationControls(
            on_overlay=lambda: self._safely(self.simulate), on_clear=self.clear_comparisons,
            on_change=self._sim_throttle.trigger)

    def _draw_comparisons(self, log: bool) -> None:
        visible = self.analysis in DECAY_ANALYSES and self._xy is not None
        top = float(np.max(self._xy[1])) if visible else 1.0
        for t_s, y, mark in self._comparisons.values():
            if not visible or not np.any(y > 0):
                set_mark_data(mark, [], [])
                continue
            t = t_s / TIME_UNITS[self.display_unit]
            set_mark_data(mark, *positive_points(t, y * (top / np.max(y)), log))

    def compare_with(self, t, y=None, *, label: str = "simulated", time_unit: str = "s",
                     line_nm: float | None = None) -> bq.Lines:
        """Overlay a simulated decay on the measured one, scaled to the measured maximum.

        Parameters
        ----------
        t : array_like or result
            Times in ``time_unit``, or a core result with a decay curve: a
            :class:`~lnhet_widgets.core.optics.TransferResult` from ``dynamics`` (with
            ``line_nm``, default 980 nm), an ``AnnealOptics`` (its 450 nm decay) or a
            ``BleachResult`` (its bleach).
        y : array_like, optional
            Intensities (any scale), for times ``t``.
        label : str
            Legend text; a curve with the same label is replaced.
        time_unit : {"s", "ms", "µs", "ns"}

        Returns
        -------
        bqplot.Lines
            The overlaid curve's mark (shown while the analysis is a decay one).

        Examples
        --------
        >>> from lnhet_widgets.widgets import AnalysisLab
        >>> lab = AnalysisLab()
        >>> t = np.linspace(0.0, 0.02, 200)
        >>> mark = lab.compare_with(t, np.exp(-t / 2e-3), label="τ = 2 ms")
        >>> float(mark.y.max()) == float(lab._data_mark.y.max())
        True
        """
        t_s, y = decay_curve(t, y, time_unit=time_unit, line_nm=line_nm)
        old = self._comparisons.get(label)
        if old is not None:
            mark = old[2]
        else:
            color = PALETTE[(2 + 3 * len(self._comparisons)) % len(PALETTE)]
            mark = line_mark({"x": self._x, "y": self._data_mark.scales["y"]}, label, color,
                             line_style="dash_dotted")
            self.figure.marks = [*self.figure.marks, mark]
        self._comparisons[label] = (t_s, y, mark)
        self._draw_comparisons(self.log_y and self.analysis in DECAY_ANALYSES)
        return mark

    def clear_comparisons(self) -> None:
        """Remove every overlaid curve."""
        marks = {id(c[2]) for c in self._comparisons.values()}
        self.figure.marks = [m for m in self.figure.marks if id(m) not in marks]
        self._comparisons = {}
        self.simulation.active = False
        self.simulation.info.value = ""

    def simulate(self, line_nm: float | None = None, rate: str | None = None,
                 factor: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Overlay the rate-equation model's decay of one line with one rate group scaled by
        ``factor`` (:func:`~lnhet_widgets.widgets.labs.analysis_compare.model_decay`: the particle
        of the file's name, a 10 µs 980 nm pulse, up to the end of the measurement).

        The options default to the Simulate controls (and are shown there); from then on a
        change of those controls re-simulates. Returns the model's times (s) and intensities.
        """
        self.simulation.show(line_nm, rate, factor)
        nm, knob, scale = self.simulation.read()
        end_s = 2e-3
        if self._xy is not None and self.analysis in DECAY_ANALYSES:
            end_s = float(np.max(self._xy[0])) * TIME_UNITS[self.display_unit]
        t, y, params = model_decay(self.source_name, line_nm=nm, rate=knob, factor=scale,
                                   end_s=end_s)
        label = f"model {nm:g} nm, {RATE_KNOBS[knob]} ×{scale:.3g}"
        for key in [k for k in self._comparisons if k.startswith("model ") and k != label]:
            mark = self._comparisons.pop(key)[2]
            self.figure.marks = [m for m in self.figure.marks if m is not mark]
        self.compare_with(t, y, label=label, time_unit="s")
        self.simulation.active = True
        unit = self.display_unit
        fit = fit_decay(t / TIME_UNITS[unit], y / y.max(), n_exp=1, weights=None)
        self.simulation.info.value = (
            f"Model: β-NaYF4, {100 * params.yb_fraction:g} % Yb, {100 * params.tm_fraction:g} % "
            f"Tm, {params.core_diameter_nm:g} nm; decay time from the maximum ≈ "
            f"<b>{fit.lifetimes[0]:.3g} {unit}</b>.")
        return t, y
