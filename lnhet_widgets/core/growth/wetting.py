"""How well the shell wets a core: Young's wetting with the strain penalty of the misfit.

The wetting m = (γ_core,liquid − γ_chem − w_el(R, T)) / γ_shell,liquid (:func:`core_wetting`)
carries the areal strain energy w_el of the shell, which grows linearly with the core radius R:
wetting turns into non-wetting at a core size, which is the core-size limit (SCIENCE §4).

**Misfit relaxation while a shell nucleates** (SCIENCE §4a). The misfit in w_el is not the
coherent f_eff of the pair (:func:`~lnhet_widgets.core.crystal.effective_misfit`, 12.1 % for
β-NaGdF4/CsPbBr3 at 220 °C, above the 10 % coherence cap
:data:`~lnhet_widgets.core.crystal.MAX_COHERENT_MISFIT`) but what is left of it after the
interface has relaxed part of it, by nucleating misfit dislocations or reconstructing into
coincidence sites, during the time t_n a shell nucleus spends on the core. That is a
thermally activated process with ν t_n attempts over a barrier E_r:

    r(T) = 1 − exp(−ν t_n exp(−E_r / RT)),   f_rel(T) = min(f_eff (1 − r(T)), cap)

(:func:`relaxation_fraction`, :func:`relaxed_misfit`). Misfit beyond the cap cannot be held
coherently at all (the strained layer is past its critical thickness at one monolayer), so
it relaxes without a barrier: the min(). With the defaults the cap binds only below
≈ 198 °C. Because w_el ∝ f², the core-size limit scales as 1/(1 − r)²; this is what makes
temperature decide, as P1 says ("a high reaction temperature is crucial to help to overcome
the lattice mismatch"). Classical nucleation alone predicts the opposite: a colder reaction
has a higher supersaturation, which helps heterogeneous nucleation too.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import constants

from ..crystal import MAX_COHERENT_MISFIT, coreshell_strain, effective_misfit, get_material
from .params import GrowthParams

__all__ = ["core_wetting", "relaxation_fraction", "relaxed_misfit"]

_GAS_CONSTANT = constants.R
_KELVIN = constants.zero_Celsius
# Thick-shell limit of the Lamé solution: a nucleus sits on a core that ends up deep inside
# its shell, so the elastic energy per interface area uses b ≫ a.
_THICK_SHELL_RATIO = 1000.0


def core_wetting(core_diameter_nm, params: GrowthParams, *, temperature_c=None):
    """Young's wetting m = cos θ of the shell on a core, with the strain penalty (SCIENCE §4).

    m = (γ_core,liquid − γ_chem − w_el(R, T)) / γ_shell,liquid, clipped to [−1, 1], where w_el
    is the strain energy per interface area for the misfit left after relaxation at T
    (:func:`relaxed_misfit`).

    Parameters
    ----------
    core_diameter_nm : float or array_like
        Core diameters, nm.
    params : GrowthParams
        Phases and interface energies.
    temperature_c : float, optional
        Temperature of the misfit; default ``params.temperature_c``.

    Returns
    -------
    (m, w_el_j_m2) : tuple of ndarray
        Wetting and areal strain energy (J/m²).

    Examples
    --------
    >>> m, w = core_wetting([4.0, 12.0], GrowthParams())
    >>> bool(m[0] > m[1]) and bool(w[1] > w[0])
    True
    """
    temp = params.temperature_c if temperature_c is None else temperature_c
    f_rel = relaxed_misfit(params, temperature_c=temp)
    w_per_nm = _strain_energy_per_radius(params.core, params.shell) * f_rel**2
    radius_nm = 0.5 * np.asarray(core_diameter_nm, dtype=float)
    w_el = w_per_nm * radius_nm
    m = (params.core_liquid_energy_j_m2 - params.interface_chemical_energy_j_m2 - w_el)
    return np.clip(m / params.surface_energy_j_m2, -1.0, 1.0), w_el


def relaxation_fraction(temperature_c, params: GrowthParams | None = None):
    """Share r(T) of the misfit that the interface relaxes while a shell nucleates (SCIENCE §4a).

    r(T) = 1 − exp(−ν t_n exp(−E_r / RT)), with E_r = ``params.relaxation_energy_kj_mol`` and
    ν t_n = ``params.relaxation_attempts``: the probability that at least one of the ν t_n
    attempts over the barrier E_r succeeded, read as the relaxed share of the misfit. It rises
    monotonically from 0 (cold, or no attempts) to 1 (hot).

    Parameters
    ----------
    temperature_c : float or array_like
        Temperature, °C, above −273.15.
    params : GrowthParams, optional
        Source of E_r and ν t_n (default: the package defaults).

    Returns
    -------
    float or ndarray
        r(T), in [0, 1], the shape of ``temperature_c``.

    Examples
    --------
    >>> [round(float(relaxation_fraction(t)), 2) for t in (210.0, 220.0)]
    [0.24, 0.31]
    """
    p = GrowthParams() if params is None else params
    t_k = np.asarray(temperature_c, dtype=float) + _KELVIN
    if not np.all(np.isfinite(t_k)) or np.any(t_k <= 0.0):
        raise ValueError(f"temperature_c must be finite and above −273.15 °C, got "
                         f"{temperature_c!r}")
    successes = p.relaxation_attempts * np.exp(-p.relaxation_energy_kj_mol * 1e3
                                               / (_GAS_CONSTANT * t_k))
    r = -np.expm1(-successes)
    return float(r) if r.ndim == 0 else r


def relaxed_misfit(params: GrowthParams, *, temperature_c=None) -> float:
    """Misfit left in the shell's strain penalty: f_eff (1 − r(T)), at most the coherence cap.

    f_eff is the effective misfit of the core/shell pair at T
    (:func:`~lnhet_widgets.core.crystal.effective_misfit`) and r(T) is
    :func:`relaxation_fraction`. Misfit beyond
    :data:`~lnhet_widgets.core.crystal.MAX_COHERENT_MISFIT` (10 %) cannot stay coherent and
    relaxes without a barrier, so the result never exceeds the cap.

    Parameters
    ----------
    params : GrowthParams
        Core, shell and relaxation constants.
    temperature_c : float, optional
        Temperature, °C; default ``params.temperature_c``.

    Returns
    -------
    float
        Relaxed misfit (signed like f_eff).

    Examples
    --------
    >>> p = GrowthParams()
    >>> round(relaxed_misfit(p), 4), round(relaxed_misfit(p, temperature_c=210.0), 4)
    (0.0829, 0.0915)
    >>> relaxed_misfit(GrowthParams(relaxation_attempts=0.0))  # no relaxation: held at the cap
    0.1
    """
    temp = params.temperature_c if temperature_c is None else temperature_c
    f_eff = effective_misfit(params.core, params.shell, temperature_c=round(float(temp), 2))
    relaxed = abs(f_eff) * (1.0 - relaxation_fraction(temp, params))
    return math.copysign(min(relaxed, MAX_COHERENT_MISFIT), f_eff)


@functools.lru_cache(maxsize=64)
def _strain_energy_per_radius(core: str, shell: str) -> float:
    """w_el per nm of core radius and per unit misfit² (J/m² per nm), thick-shell limit.

    Linear elasticity: P ∝ f and E_el ∝ f², so one solution at f = 1 % scales to any misfit.
    """
    m_core, m_shell = get_material(core), get_material(shell)
    strain = coreshell_strain(1.0, _THICK_SHELL_RATIO, 0.01, core_bulk_gpa=m_core.bulk_gpa,
                              shell_bulk_gpa=m_shell.bulk_gpa, shell_shear_gpa=m_shell.shear_gpa,
                              n_points=3)
    return strain.energy_density_ev_nm2 * constants.e / 1e-18 / 0.01**2
