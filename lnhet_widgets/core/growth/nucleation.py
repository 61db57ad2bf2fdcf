"""Classical nucleation theory: homogeneous barrier and rate, Fletcher's heterogeneous factor.

Homogeneous nucleation of a spherical cluster from a solution with supersaturation S
(SCIENCE §4):

    r* = 2 γ v_m / (kT ln S),   ΔG*_hom = 16π γ³ v_m² / (3 (kT ln S)²),
    J_hom = A_hom exp(−ΔG*_hom / kT)                         (per volume and time)

Heterogeneous nucleation on a convex sphere of radius R (Fletcher, J. Chem. Phys. 29, 572,
1958), with wetting m = cos θ and x = R / r*:

    g = (1 + x² − 2 m x)^(1/2),  φ = (x − m)/g
    f(m, x) = 1 + ((1 − m x)/g)³ + x³ (2 − 3φ + φ³) + 3 m x² (φ − 1)
    ΔG*_het / ΔG*_hom = f(m, x) / 2

:func:`fletcher_factor` returns f/2. It is written once as plain arithmetic, so the same
formula serves numpy arrays and the numba kernels of :mod:`lnhet_widgets.core.growth`
(:func:`fletcher_factor_nb`). Two rewrites keep it accurate for the large x of a nucleus on a
nanocrystal (x ≈ 5–50): g² = (1 − m x)² + x² (1 − m²) has no cancellation, and
1 − φ = (1 − m x + m g) / (g (g + x)) replaces the difference of two nearly equal numbers
(the naive form loses 4 digits at x = 10⁴).

Limits: f/2 → (2 + m)(1 − m)²/4 as x → ∞ (planar cap); f/2 → 1 as x → 0 (a point seed does
not help); f/2 = 0 at m = 1 for x ≥ 1. For x < 1 and m = 1 the seed is smaller than the
critical nucleus and f/2 = (1 − x)²(1 + 2x) > 0: a wetting cluster still has to grow around the
seed to r*, which costs the homogeneous barrier minus what the engulfed seed saves.

Examples
--------
>>> round(float(fletcher_factor(0.0, 1e6)), 6)    # planar, θ = 90°: half the barrier
0.5
>>> round(critical_radius_nm(100.0, 220.0, surface_energy_j_m2=0.1,
...                          molecular_volume_nm3=0.2106), 3)
1.343
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import constants

from .._base.validate import check_range

__all__ = [
    "BOLTZMANN_J_K",
    "critical_radius_nm",
    "fletcher_factor",
    "fletcher_factor_nb",
    "homogeneous_barrier_kt",
    "homogeneous_rate_m3_s",
    "planar_fletcher_factor",
]

#: Boltzmann constant, J/K (CODATA, as scipy gives it).
BOLTZMANN_J_K = constants.k
_KELVIN = constants.zero_Celsius


def _fletcher_formula(m, x):
    g = np.sqrt((1.0 - m * x) ** 2 + x * x * (1.0 - m * m))
    # g = 0 only at m = 1, x = 1, where f = 0 from both sides; the floor gives that value.
    g = np.maximum(g, 1e-12)
    one_minus_phi = (1.0 - m * x + m * g) / (g * (g + x))
    phi = 1.0 - one_minus_phi
    f = (1.0 + ((1.0 - m * x) / g) ** 3 + x**3 * one_minus_phi**2 * (2.0 + phi)
         - 3.0 * m * x * x * one_minus_phi)
    return np.minimum(np.maximum(0.5 * f, 0.0), 1.0)


#: numba version of :func:`fletcher_factor` for scalars inside kernels (no validation).
fletcher_factor_nb = numba.njit(cache=True, nogil=True)(_fletcher_formula)


def _critical_radius_formula(gamma, v_m, kt, ln_s):
    return 2.0 * gamma * v_m / (kt * ln_s)


def _barrier_kt_formula(gamma, v_m, kt, ln_s):
    return 16.0 * np.pi * gamma**3 * v_m**2 / (3.0 * kt**3 * ln_s**2)


#: numba versions of r* (m) and ΔG*_hom/kT in SI units, for the growth kernel (no validation).
critical_radius_nb = numba.njit(cache=True, nogil=True)(_critical_radius_formula)
barrier_kt_nb = numba.njit(cache=True, nogil=True)(_barrier_kt_formula)


def fletcher_factor(m, x):
    """Ratio ΔG*_het / ΔG*_hom = f(m, x)/2 for nucleation on a sphere (Fletcher 1958).

    Parameters
    ----------
    m : float or array_like
        Wetting parameter cos θ, in [−1, 1].
    x : float or array_like
        Seed radius over critical radius R/r*, ≥ 0. Broadcast against ``m``.

    Returns
    -------
    float or ndarray
        f/2 in [0, 1].

    Examples
    --------
    >>> np.round(fletcher_factor([-1.0, 0.0, 0.5, 1.0], 10.0), 4)
    array([1.    , 0.5374, 0.179 , 0.    ])
    """
    m_arr = np.asarray(m, dtype=float)
    x_arr = np.asarray(x, dtype=float)
    if np.any(~(np.abs(m_arr) <= 1.0)):
        raise ValueError("wetting m = cos θ must lie in the allowed range [-1, 1]")
    if np.any(~(x_arr >= 0.0)):
        raise ValueError("x = R/r* (seed radius over critical radius) must be ≥ 0")
    out = _fletcher_formula(m_arr, x_arr)
    return float(out) if out.ndim == 0 else out


def planar_fletcher_factor(m):
    """The x → ∞ limit of :func:`fletcher_factor`: (2 + m)(1 − m)²/4, a cap on a flat substrate.

    Examples
    --------
    >>> planar_fletcher_factor(0.0)
    0.5
    """
    m_arr = np.asarray(m, dtype=float)
    if np.any(~(np.abs(m_arr) <= 1.0)):
        raise ValueError("wetting m = cos θ must lie in the allowed range [-1, 1]")
    out = (2.0 + m_arr) * (1.0 - m_arr) ** 2 / 4.0
    return float(out) if out.ndim == 0 else out


def _kt_ln_s(supersaturation, temperature_c):
    s = np.asarray(supersaturation, dtype=float)
    if np.any(~(s > 1.0)):
        raise ValueError("supersaturation S must be > 1 for a finite nucleation barrier")
    t = check_range("temperature_c", temperature_c, "°C", -273.15, 2000.0, low_inclusive=False)
    return BOLTZMANN_J_K * (t + _KELVIN), np.log(s)


def _checked_constants(surface_energy_j_m2, molecular_volume_nm3):
    gamma = check_range("surface_energy_j_m2", surface_energy_j_m2, "J/m²", 0.0, 10.0,
                        low_inclusive=False)
    v_m = check_range("molecular_volume_nm3", molecular_volume_nm3, "nm³", 0.0, 100.0,
                      low_inclusive=False)
    return gamma, v_m * 1e-27


def critical_radius_nm(supersaturation, temperature_c, *, surface_energy_j_m2,
                       molecular_volume_nm3):
    """Critical radius r* = 2 γ v_m / (kT ln S), in nm.

    Parameters
    ----------
    supersaturation : float or array_like
        S = C / C_eq, > 1.
    temperature_c : float
        Temperature, °C.
    surface_energy_j_m2 : float
        Crystal/solution interface energy γ, J/m².
    molecular_volume_nm3 : float
        Volume of one formula unit v_m, nm³ (CsPbBr3: a³ = 0.2106 nm³).

    Examples
    --------
    >>> r = critical_radius_nm([10.0, 100.0], 220.0, surface_energy_j_m2=0.1,
    ...                        molecular_volume_nm3=0.2106)
    >>> bool(r[0] > r[1])
    True
    """
    kt, ln_s = _kt_ln_s(supersaturation, temperature_c)
    gamma, v_m = _checked_constants(surface_energy_j_m2, molecular_volume_nm3)
    out = _critical_radius_formula(gamma, v_m, kt, ln_s) * 1e9
    return float(out) if np.ndim(out) == 0 else out


def homogeneous_barrier_kt(supersaturation, temperature_c, *, surface_energy_j_m2,
                           molecular_volume_nm3):
    """Homogeneous barrier in units of kT: ΔG*_hom / kT = 16π γ³ v_m² / (3 (kT)³ (ln S)²).

    Examples
    --------
    >>> round(homogeneous_barrier_kt(100.0, 220.0, surface_energy_j_m2=0.1,
    ...                              molecular_volume_nm3=0.2106), 2)
    111.02
    """
    kt, ln_s = _kt_ln_s(supersaturation, temperature_c)
    gamma, v_m = _checked_constants(surface_energy_j_m2, molecular_volume_nm3)
    out = _barrier_kt_formula(gamma, v_m, kt, ln_s)
    return float(out) if np.ndim(out) == 0 else out


def homogeneous_rate_m3_s(supersaturation, temperature_c, *, surface_energy_j_m2,
                          molecular_volume_nm3, prefactor_m3_s):
    """Homogeneous nucleation rate J = A exp(−ΔG*_hom/kT), nuclei per m³ per second.

    Parameters
    ----------
    prefactor_m3_s : float
        Kinetic prefactor A_hom, m⁻³ s⁻¹, in (0, 1e45].

    Examples
    --------
    >>> j = homogeneous_rate_m3_s([50.0, 500.0], 220.0, surface_energy_j_m2=0.1,
    ...                           molecular_volume_nm3=0.2106, prefactor_m3_s=1e30)
    >>> bool(j[1] > 1e3 * j[0])
    True
    """
    a = check_range("prefactor_m3_s", prefactor_m3_s, "m⁻³ s⁻¹", 0.0, 1e45, low_inclusive=False)
    barrier = homogeneous_barrier_kt(supersaturation, temperature_c,
                                     surface_energy_j_m2=surface_energy_j_m2,
                                     molecular_volume_nm3=molecular_volume_nm3)
    out = a * np.exp(-np.asarray(barrier))
    return float(out) if np.ndim(out) == 0 else out
