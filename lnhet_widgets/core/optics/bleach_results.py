"""Results of the ground-state-bleach model: the kinetics of one sample class at one fluence
(:class:`BleachResult`) and its τ_avg against the fluence (:class:`FluenceSeries`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .bleach_params import BleachParams

__all__ = ["BleachResult", "FluenceSeries"]


@dataclass(frozen=True)
class BleachResult(ResultIO):
    """Ground-state-bleach kinetics of one sample class at one fluence
    (:func:`~lnhet_widgets.core.optics.bleach_kinetics`).

    Attributes
    ----------
    params : BleachParams
    fluence_uj_cm2, pump_nm : float
        Pump fluence (µJ cm⁻²) and wavelength (nm).
    mean_excitons : float
        ⟨N⟩ = σ j, excitons per nanocrystal right after the pulse.
    traps_per_nc : float
        Mean traps per nanocrystal M̄.
    t_ns, bleach : ndarray
        Delay (ns) and the GSB ∝ ⟨min(n, g)⟩, normalised to 1 at its maximum (t = 0).
    excitons, charged_fraction : ndarray
        Mean band-edge excitons per nanocrystal and the fraction of charged nanocrystals (a
        carrier held in a trap) at ``t_ns``.
    tau_avg_ns, tau_avg_err_ns : float
        Intensity-weighted τ_avg = Σ A t²/Σ A t of the three-exponential fit, and its error.
    fit_amplitudes, fit_lifetimes_ns : ndarray
        The fit's A_i and t_i (shortest first); ``fit_offset`` its y0.
    fit_offset : float
    """

    params: BleachParams
    fluence_uj_cm2: float
    pump_nm: float
    mean_excitons: float
    traps_per_nc: float
    t_ns: np.ndarray
    bleach: np.ndarray
    excitons: np.ndarray
    charged_fraction: np.ndarray
    tau_avg_ns: float
    tau_avg_err_ns: float
    fit_amplitudes: np.ndarray
    fit_lifetimes_ns: np.ndarray
    fit_offset: float


@dataclass(frozen=True)
class FluenceSeries(ResultIO):
    """τ_avg of one sample class against the pump fluence
    (:func:`~lnhet_widgets.core.optics.fluence_series`).

    Attributes
    ----------
    params : BleachParams
    fluence_uj_cm2, mean_excitons, tau_avg_ns, tau_avg_err_ns : ndarray
    """

    params: BleachParams
    fluence_uj_cm2: np.ndarray
    mean_excitons: np.ndarray
    tau_avg_ns: np.ndarray
    tau_avg_err_ns: np.ndarray
