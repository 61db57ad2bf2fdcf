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
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from ..analysis import fit_decay
from ..optics import (
    IonSites,
    Pulse,
    TransferParams,
    dynamics,
    line_spectrum,
    steady_state,
    yb_lifetime_us,
)

__all__ = ["P2_TRANSFER", "TM_DECAY_WINDOW_S", "TM_PULSE_S", "AnnealOptics",
           "fitted_450_lifetime_ms"]


@dataclass(frozen=True)
class AnnealOptics(ResultIO):
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


#: Rate constants of the optics of P2's particles: :class:`~lnhet_widgets.core.optics.
#: TransferParams`' defaults (C_v and the uncoupled Tm ³F4 among them) with the ligand-surface
#: quenching C_s = 250 nm³/s of P2's particles instead of P1's 4500 (fixed by A4 and A6); see
#: the module docstring.
P2_TRANSFER = TransferParams(surface_quenching_nm3_s=250.0)
#: The 450 nm decay as P2 records it (SCIENCE §5): a pulse short against the 0.1–0.4 ms
#: lifetimes, and a window of several of them.
TM_PULSE_S = 20e-6
TM_DECAY_WINDOW_S = 3e-3


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


def _particle_optics(sites: IonSites, *, host: str, snapshot_step: int, power_w_cm2: float,
                     transfer: TransferParams | None) -> AnnealOptics:
    """The emission of one particle's ``sites`` in a ``host``: the body of
    :meth:`AnnealResult.optical <lnhet_widgets.core.annealing.AnnealResult.optical>`, whose
    docstring says what it computes."""
    base = transfer or P2_TRANSFER
    if not isinstance(base, TransferParams):
        raise ValueError(f"transfer must be a TransferParams, got {type(base).__name__}")
    params = dataclasses.replace(base, host=host, perovskite_edge_nm=0.0,
                                 active_shell_nm=0.0, inert_shell_nm=0.0)
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
