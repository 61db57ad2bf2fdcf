"""Light from annealed particles: what the ions and vacancies of one snapshot emit under
980 nm (:class:`AnnealOptics`), with the rate constants of P2's particles (:data:`P2_TRANSFER`).

Optics at P2's conditions (SCIENCE, "Rules for every target"): 980 nm at 4 W cm⁻²
(:data:`~lnhet_widgets.core.conditions.P2_POWER_W_CM2`), the Tm 450 nm lifetime from the decay
after a 20 µs pulse at that power, fitted after the rise. The calibration of the constants,
part of the one parameter set for A1–A6 of :mod:`~lnhet_widgets.core.annealing.params`:

* Optics (:mod:`~lnhet_widgets.core.optics`, §6): each ion is quenched by the explicit sum
  C_v Σ_v (R_v/r)⁶ over the snapshot's vacancies within 3 nm (whose mean over vacancies at
  random is P1's mean field), with C_v = 94 s⁻¹ at R_v = 1 nm (TransferParams' value: P1
  fixes only the product with its vacancy fraction, now 0.5 %), fixed by A3: the pristine
  particle's Tm 450 nm lifetime within a factor 2 of 0.10 ms (the average model's tolerance,
  SCIENCE §5) with the docked gain within 50–300×. Tm ³F4 is not coupled to the vacancy
  defects (TransferParams' ``vacancy_quenching_3f4_factor`` = 0, for every particle): with
  the same coupling as Yb³⁺ the 1.8 µm level's losses cut the pristine four-photon line
  another 9× without shortening its decay (docked/pristine 1.7e3× for 0.17 → 0.47 ms), so no
  C_v met both parts of A3. For P2's particles the ligand-surface quenching is
  C_s = 250 nm³/s (P1's bare cores: 4500), fixed by A4 and A6: at 700 (the value fixed at
  100 W/cm²) a 1 nm shell lets the surface through at 4 W/cm² (A4: 0.55 of the 2 nm shell's
  line).

The per-ion model (:mod:`~lnhet_widgets.core.ions`, SCIENCE §11) measures the same snapshot
the same way, ion by ion (:class:`IonOptics`): each Yb³⁺ and Tm³⁺ on its
own site, with the same rate constants, the same pulse, window and fit.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .._base.validate import check_range
from ..analysis import fit_decay
from ..ions import IonLattice, IonResult, ion_dynamics, solve_ions
from ..optics import (
    IonSites,
    Pulse,
    TransferParams,
    dynamics,
    line_spectrum,
    steady_state,
    yb_lifetime_us,
)

__all__ = ["P2_TRANSFER", "TM_DECAY_WINDOW_S", "TM_PULSE_S", "AnnealOptics", "IonOptics",
           "fitted_450_lifetime_ms"]


@dataclass(frozen=True, eq=False)
class _Emission:
    """The fields :class:`AnnealOptics` and :class:`IonOptics` share (documented there), and
    their steady-state lines as a spectrum and a dict."""

    snapshot_step: int
    power_w_cm2: float
    line_labels: tuple
    line_nm: np.ndarray
    intensities: np.ndarray
    decay_time_ms: np.ndarray
    tm_450_decay: np.ndarray
    tm_450_lifetime_ms: float
    yb_lifetime_us: float

    def spectrum(self, wavelength_nm) -> np.ndarray:
        """Steady-state emission spectrum on ``wavelength_nm``, photons s⁻¹ nm⁻¹ per particle
        (:func:`~lnhet_widgets.core.optics.line_spectrum`)."""
        return line_spectrum(self.line_labels, self.line_nm, self.intensities, wavelength_nm)

    @property
    def lines(self) -> dict:
        """Line (nm) → photons s⁻¹ per particle."""
        return {float(nm): float(v) for nm, v in zip(self.line_nm, self.intensities,
                                                     strict=True)}


@dataclass(frozen=True)
class AnnealOptics(_Emission, ResultIO):
    """Emission of one annealing snapshot (:meth:`AnnealResult.optical`).

    Attributes
    ----------
    snapshot_step : int
    power_w_cm2 : float
        980 nm power density, W cm⁻².
    line_labels : tuple of str
        Transition of every line ("Tm 1D2→3F4", …).
    line_nm, intensities : ndarray
        Emission lines and their steady-state photons s⁻¹ per particle.
    decay_time_ms, tm_450_decay : ndarray
        The 450 nm emission (photons s⁻¹ per particle) during and after a 20 µs pulse from
        t = 0.
    tm_450_lifetime_ms : float
        Lifetime of the 450 nm (¹D2) emission fitted from its maximum after the pulse, ms.
    yb_lifetime_us : float
        Lifetime of the Yb³⁺ 980 nm emission after a weak pulse, µs.
    """


#: Rate constants of the optics of P2's particles: :class:`~lnhet_widgets.core.optics.
#: TransferParams`' defaults (C_v and the uncoupled Tm ³F4 among them) with the ligand-surface
#: quenching C_s = 250 nm³/s of P2's particles instead of P1's 4500 (fixed by A4 and A6); see
#: the module docstring.
P2_TRANSFER = TransferParams(surface_quenching_nm3_s=250.0)
#: The 450 nm decay as P2 records it (SCIENCE §5): a pulse short against the 0.1–0.4 ms
#: lifetimes, and a window of several of them.
TM_PULSE_S = 20e-6
TM_DECAY_WINDOW_S = 3e-3
#: Tolerance of the per-ion integrator for the 450 nm decay, the
#: per-ion targets' (tests/test_ions_targets.py).
ION_DECAY_RTOL = 1e-4
#: The per-ion Yb³⁺ lifetime is fitted to the 980 nm decay after the :data:`TM_PULSE_S` pulse
#: from 2 to 400 µs after its end, the window the average model's ``yb_lifetime_us`` fits
#: after its weak 1 µs pulse. At 4 W cm⁻² the Yb³⁺ respond linearly, so the same pulse gives
#: the same lifetime without another integration: 186.65 µs either way for P2's pristine
#: particle (seed 0), 507.37 against 507.41 µs for the Y-docked one.
_YB_WINDOW_AFTER_PULSE_S = (2e-6, 400e-6)


def fitted_450_lifetime_ms(t_ms: np.ndarray, decay: np.ndarray) -> float:
    """τ_avg of :func:`~lnhet_widgets.core.analysis.fit_decay` (one exponential) fitted to the
    450 nm decay from its maximum after the :data:`TM_PULSE_S` pulse — after the rise — to the
    end, ms: the lifetime as P2 reads it, for the average and the per-ion model alike.

    Examples
    --------
    >>> t_ms = np.linspace(0.0, 3.0, 601)
    >>> round(fitted_450_lifetime_ms(t_ms, np.exp(-t_ms / 0.4)), 3)
    0.4
    """
    if not np.any(decay > 0):
        return math.nan
    after = t_ms >= TM_PULSE_S * 1e3
    start = float(t_ms[after][np.argmax(decay[after])])
    fit = fit_decay(t_ms, decay / decay.max(), n_exp=1, weights=None, window=(start, t_ms[-1]))
    return float(fit.tau_avg)


def _snapshot_params(transfer: TransferParams | None, host: str) -> TransferParams:
    """``transfer`` (default :data:`P2_TRANSFER`) for the bare particle of a snapshot in
    ``host``: the snapshot gives the ions, the vacancies and the size."""
    base = transfer or P2_TRANSFER
    if not isinstance(base, TransferParams):
        raise ValueError(f"transfer must be a TransferParams, got {type(base).__name__}")
    return dataclasses.replace(base, host=host, perovskite_edge_nm=0.0,
                               active_shell_nm=0.0, inert_shell_nm=0.0)


def _particle_optics(sites: IonSites, *, host: str, snapshot_step: int, power_w_cm2: float,
                     transfer: TransferParams | None) -> AnnealOptics:
    """The emission of one particle's ``sites`` in a ``host``: the body of
    :meth:`AnnealResult.optical <lnhet_widgets.core.annealing.AnnealResult.optical>`, whose
    docstring says what it computes."""
    params = _snapshot_params(transfer, host)
    steady = steady_state(params, excitation_nm=980.0, power_w_cm2=power_w_cm2, sites=sites)
    t = np.linspace(0.0, TM_DECAY_WINDOW_S, 601)
    pulse = Pulse(980.0, power_w_cm2, TM_PULSE_S)
    decay = dynamics(params, pulse=pulse, t_eval=t, sites=sites).lines[450.0]
    yb_us = yb_lifetime_us(params, sites=sites) if len(sites.yb_nm) else math.nan
    return AnnealOptics(
        snapshot_step=snapshot_step, power_w_cm2=float(power_w_cm2),
        line_labels=tuple(steady.line_labels), line_nm=steady.line_nm,
        intensities=steady.intensities[0], decay_time_ms=t * 1e3, tm_450_decay=decay,
        tm_450_lifetime_ms=fitted_450_lifetime_ms(t * 1e3, decay), yb_lifetime_us=yb_us)


@dataclass(frozen=True, eq=False)
class IonOptics(_Emission):
    """Emission of one annealing snapshot computed ion by ion (:meth:`AnnealResult.optical_per_ion
    <lnhet_widgets.core.annealing.AnnealResult.optical_per_ion>`): the fields
    of :class:`AnnealOptics`, measured the same way, plus the per-ion solutions.

    Attributes
    ----------
    snapshot_step, power_w_cm2, line_labels, line_nm, intensities
        As in :class:`AnnealOptics` (the lines from :func:`~lnhet_widgets.core.ions.solve_ions`).
    decay_time_ms, tm_450_decay, tm_450_lifetime_ms
        As in :class:`AnnealOptics` (from :func:`~lnhet_widgets.core.ions.ion_dynamics`);
        empty and NaN when the decay was not asked for.
    yb_lifetime_us : float
        Lifetime of the Yb³⁺ 980 nm emission fitted from 2 to 400 µs after the same pulse, µs
        (NaN without the decay or without Yb³⁺).
    steady : IonResult
        The steady state of every ion; ``steady.lattice`` holds the ions and vacancies.
    pulse : IonResult or None
        Every ion during and after the pulse (None without the decay).
    """

    steady: IonResult
    pulse: IonResult | None


def _particle_ion_optics(sites: IonSites, *, host: str, snapshot_step: int,
                         power_w_cm2: float, transfer: TransferParams | None,
                         decay: bool) -> IonOptics:
    """The emission of one particle's ``sites`` in a ``host``, ion by ion: the body of
    :meth:`AnnealResult.optical_per_ion
    <lnhet_widgets.core.annealing.AnnealResult.optical_per_ion>`, whose docstring says what it
    computes."""
    power = check_range("power_w_cm2", power_w_cm2, "W/cm²", 0.0, 1e9)
    params = _snapshot_params(transfer, host)
    lattice = IonLattice.from_sites(sites, host=host)
    steady = solve_ions(params, lattice, power_w_cm2=power)
    labels = steady.line_labels
    line_nm = np.array(list(labels), dtype=float)
    lines = steady.lines
    t_ms, tm_450, tm_ms, yb_us, pulse = np.zeros(0), np.zeros(0), math.nan, math.nan, None
    if decay:
        t = np.linspace(0.0, TM_DECAY_WINDOW_S, 601)
        pulse = ion_dynamics(params, lattice, pulse=Pulse(980.0, power, TM_PULSE_S),
                             t_eval=t, rtol=ION_DECAY_RTOL)
        t_ms, tm_450 = t * 1e3, pulse.lines[450.0]
        tm_ms = fitted_450_lifetime_ms(t_ms, tm_450)
        yb = pulse.lines[980.0]
        if lattice.count("Yb") and np.any(yb > 0):
            start, end = (TM_PULSE_S + w for w in _YB_WINDOW_AFTER_PULSE_S)
            yb_us = float(fit_decay(t * 1e6, yb / yb.max(), n_exp=1, weights=None,
                                    window=(start * 1e6, end * 1e6)).lifetimes[0])
    return IonOptics(
        snapshot_step=int(snapshot_step), power_w_cm2=power,
        line_labels=tuple(labels[nm] for nm in line_nm),
        line_nm=line_nm, intensities=np.array([float(lines[nm]) for nm in line_nm]),
        decay_time_ms=t_ms, tm_450_decay=tm_450, tm_450_lifetime_ms=tm_ms,
        yb_lifetime_us=yb_us, steady=steady, pulse=pulse)
