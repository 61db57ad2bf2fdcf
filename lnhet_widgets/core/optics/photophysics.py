"""Perovskite photophysics (SCIENCE §8): confinement, absorption edge, reabsorption red shift.

The exciton of a CsPbX3 shell lives in a cube of edge L with the lanthanide core(s) cut out.
:func:`confinement_energy_ev` gives the lowest eigenvalue of −(ħ²/2m)∇² in that region with
Dirichlet walls (the cube faces and every core surface), by finite differences on a cubic grid
and a Lanczos eigensolver (:func:`scipy.sparse.linalg.eigsh`, smallest algebraic eigenvalue —
it converges in a fraction of a second on 10⁵ unknowns, where shift-invert would factorise a
3-D Laplacian). Without a core the exact value is 3π²ħ²/(2mL²); the grid reproduces it within
0.1 % at the default 40 points per edge. A core is stair-cased on the grid, which lowers its
energy by about 1.5 % at 40 points for a 4.9 nm core in a 10.4 nm cube (0.5 % at 50).

**Which mass is confined** (:func:`confinement_mass_me`). A nanocrystal much smaller than the
exciton confines electron and hole separately (strong confinement): the kinetic energies add
to 3π²ħ²/(2μL²) with the reduced mass μ. A nanocrystal much wider than the exciton holds it
as a bound pair whose centre of mass moves in the box (weak confinement): 3π²ħ²/(2ML²) with
the translational mass M = m_e + m_h (Al. L. Efros & A. L. Efros, Sov. Phys. Semicond. 16,
772 (1982); Y. Kayanuma, Phys. Rev. B 38, 9797 (1988), whose variational solution for a
sphere crosses over between the two limits at radii of 2–4 a_B). The criterion used here
(SCIENCE §8): the centre of mass is confined when the cube edge L ≥ 2 a_B, i.e. when the
exciton, of diameter 2 a_B, fits into the cube; the reduced mass below. P1's 9.5–10.4 nm
CsPbBr3 cubes are 2.7–3.0 a_B wide (a_B = 3.5 nm): the intermediate regime, where neither
limit is exact. The centre-of-mass law gives 25 meV for a free 9.5 nm cube, the reduced-mass
law 99 meV; the bulk gap, fixed by P1's 508 nm of the free cubes, absorbs what the
centre-of-mass law leaves out, and the core's effect — the 4 nm P1 measures — is the test.
The switch is abrupt at L = 2 a_B (7 nm for CsPbBr3), where the two limits differ fourfold;
the model is meant for nanocrystals on one side of it or the other. Masses (μ, M = 4μ for the
nearly mirror-image bands, m_e ≈ m_h), Bohr radii and bulk gaps are in
:mod:`~lnhet_widgets.core.optics.perovskite_constants`. A core in the cube is a Dirichlet wall for
the centre of mass as well: the exciton cannot enter the insulating fluoride.

The absorption edge is Elliott's (bound exciton lines plus the Sommerfeld-enhanced continuum,
broadened by a Gaussian; :func:`absorption_spectrum`). A concentrated dispersion reabsorbs the
blue side of its own emission, which moves the observed peak to the red;
:func:`dilution_series` simulates P1's dilution experiment, whose emission convergence point
(ECP, the peak where dilution stops moving it) :func:`~lnhet_widgets.core.analysis.ecp` reads.

Computed with these constants (tests in ``tests/test_photophysics.py`` and
``tests/test_optics.py``; the bulk gaps are fixed by the free cubes' ECPs): the ECP of free
CsPbBr3 cubes is 507.6 nm (9.5 nm) and 508.5 nm (10.4 nm), P1 508 nm; a 3.7 nm core in the
9.5 nm cube moves it 5.7 nm to the blue, a 4.9 nm core in the 10.4 nm cube 6.7 nm (P1: 4 nm
for both; target 2–8 nm). Not met: CsPbCl3 with the same cores moves 2.3 nm (3.7 in 9.5) and
2.6 nm (4.9 in 10.4), where P1 sees no shift (target < 2 nm; its heavier exciton,
M = 0.81 m_e, is confined 1.6× less than CsPbBr3's, not enough); the Tauc gap of the
3.7/9.5 nm heterostructure lies 27 meV above that of the free 9.5 nm cube (P1: 5 meV, target
+5 ± 5 meV): the model moves emission and absorption edge by one and the same gap shift,
while P1's 4 nm ECP shift (19 meV) and 5 meV Tauc shift differ.

Examples
--------
>>> bare = confinement_energy_ev(10.4)           # CsPbBr3, centre of mass (M = 0.504 m_e)
>>> cored = confinement_energy_ev(10.4, core_diameters_nm=(4.9,))
>>> round(bare * 1e3, 1), round(cored * 1e3, 1)
(20.7, 53.2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse
from scipy import constants
from scipy.ndimage import gaussian_filter1d
from scipy.sparse.linalg import eigsh

from .._base.results import ResultIO
from .._base.validate import check_range
from ..crystal import place_cores
from .perovskite_constants import (
    BINDING_ENERGY_EV,
    BULK_GAP_EV,
    EXCITON_BOHR_RADIUS_NM,
    REDUCED_MASS_ME,
    centre_of_mass_mass_me,
    check_perovskite,
)

__all__ = [
    "BINDING_ENERGY_EV",
    "HC_EV_NM",
    "REDUCED_MASS_ME",
    "DilutionSeries",
    "absorption_spectrum",
    "confinement_energy_ev",
    "confinement_mass_me",
    "dilution_series",
    "emission_spectrum",
    "exciton_gap_ev",
]

_HBAR_J_S = constants.hbar
_ELECTRON_MASS_KG = constants.m_e
_EV = constants.e
#: hc in eV·nm: photon energy (eV) = HC_EV_NM / wavelength (nm).
HC_EV_NM = constants.h * constants.c / constants.e * 1e9
#: The centre of mass is confined when the cube edge is at least this many Bohr radii.
_CENTRE_OF_MASS_EDGE_BOHR = 2.0


def confinement_mass_me(perovskite: str, edge_nm: float) -> float:
    """Confinement mass of the exciton in a cube of edge ``edge_nm``, in electron masses.

    The translational mass M = m_e + m_h when the cube is at least two Bohr radii wide (weak
    and intermediate confinement: the exciton's centre of mass is confined), else the
    reduced mass μ (strong confinement); see the module docstring.

    Parameters
    ----------
    perovskite : {"CsPbCl3", "CsPbBr3", "CsPbI3"}
    edge_nm : float
        Cube edge, nm, in (1, 60].

    Examples
    --------
    >>> confinement_mass_me("CsPbBr3", 9.5), confinement_mass_me("CsPbBr3", 5.0)
    (0.504, 0.126)
    """
    edge = check_range("edge_nm", edge_nm, "nm", 1.0, 60.0, low_inclusive=False)
    if edge >= _CENTRE_OF_MASS_EDGE_BOHR * EXCITON_BOHR_RADIUS_NM[check_perovskite(perovskite)]:
        return centre_of_mass_mass_me(perovskite)
    return REDUCED_MASS_ME[perovskite]


def _laplacian_1d(n: int, h: float) -> sparse.csr_matrix:
    main = np.full(n, -2.0)
    off = np.ones(n - 1)
    return sparse.diags([off, main, off], [-1, 0, 1], format="csr") / h**2


def confinement_energy_ev(edge_nm: float, *, core_diameters_nm=(), core_centers_nm=None,
                          perovskite: str = "CsPbBr3", mass_me: float | None = None,
                          grid_points: int = 40, seed: int = 0) -> float:
    """Lowest confinement energy of a particle in a cube with spherical cores cut out, in eV.

    Parameters
    ----------
    edge_nm : float
        Cube edge L, in (1, 60] nm.
    core_diameters_nm : sequence of float
        Diameters of the cores inside the cube (empty: a plain cube).
    core_centers_nm : (n, 3) array_like, optional
        Core centres relative to the cube centre, nm. Default: one core at the centre, more
        placed at random without overlap like the structure builder
        (:func:`~lnhet_widgets.core.crystal.place_cores`, radius of the largest core).
    perovskite : {"CsPbCl3", "CsPbBr3", "CsPbI3"}
        The shell's perovskite: sets the default mass.
    mass_me : float, optional
        Confinement mass in electron masses, in (0, 10]. Default: the regime's mass of
        ``perovskite`` in a cube of this edge (:func:`confinement_mass_me`).
    grid_points : int
        Interior grid points per edge, in [10, 120]; the cost grows as its cube.
    seed : int
        Seed of the default core placement.

    Returns
    -------
    float
        E_conf = λ ħ²/(2m), λ the lowest Dirichlet eigenvalue of −∇² in the shell.

    Examples
    --------
    >>> mass = confinement_mass_me("CsPbBr3", 10.0)
    >>> exact = 3 * np.pi**2 * _HBAR_J_S**2 / (2 * mass * _ELECTRON_MASS_KG * (10e-9) ** 2) / _EV
    >>> abs(confinement_energy_ev(10.0) / exact - 1) < 1e-3
    True
    """
    edge = check_range("edge_nm", edge_nm, "nm", 1.0, 60.0, low_inclusive=False)
    check_perovskite(perovskite)
    mass = (confinement_mass_me(perovskite, edge) if mass_me is None
            else check_range("mass_me", mass_me, "m_e", 0.0, 10.0, low_inclusive=False))
    n = int(check_range("grid_points", grid_points, "", 10, 120))
    diameters = np.asarray(core_diameters_nm, dtype=float).ravel()
    for d in diameters:
        check_range("core_diameters_nm", float(d), "nm", 0.0, edge, low_inclusive=False,
                    high_inclusive=False)
    if core_centers_nm is None:
        centres = (place_cores(diameters.size, 0.5 * float(diameters.max()), edge, seed=seed)
                   if diameters.size else np.zeros((0, 3)))
    else:
        centres = np.asarray(core_centers_nm, dtype=float).reshape(-1, 3)
        if centres.shape[0] != diameters.size:
            raise ValueError(f"core_centers_nm has {centres.shape[0]} centres for "
                             f"{diameters.size} core diameters")
        if np.any(np.abs(centres) >= 0.5 * edge):
            raise ValueError(f"core_centers_nm must lie inside the cube (|x|, |y|, |z| < "
                             f"{0.5 * edge:g} nm)")

    h = edge / (n + 1)
    axis = -0.5 * edge + h * np.arange(1, n + 1)
    one_d = _laplacian_1d(n, h)
    eye = sparse.identity(n, format="csr")
    laplacian = (sparse.kron(sparse.kron(one_d, eye), eye)
                 + sparse.kron(sparse.kron(eye, one_d), eye)
                 + sparse.kron(sparse.kron(eye, eye), one_d)).tocsr()
    grid = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 3)
    inside_shell = np.ones(grid.shape[0], dtype=bool)
    for centre, d in zip(centres, diameters, strict=True):
        inside_shell &= np.sum((grid - centre) ** 2, axis=1) >= (0.5 * d) ** 2
    if inside_shell.sum() < 8:
        raise ValueError("the cores fill the cube; no shell is left for the exciton")
    operator = -laplacian[inside_shell][:, inside_shell]
    eigenvalue = float(eigsh(operator, k=1, which="SA", tol=1e-10,
                             return_eigenvectors=False)[0])
    # λ in nm⁻²; E = ħ²λ/(2m).
    return _HBAR_J_S**2 * eigenvalue * 1e18 / (2.0 * mass * _ELECTRON_MASS_KG) / _EV


def exciton_gap_ev(perovskite: str, edge_nm: float, *, core_diameters_nm=(),
                   **geometry) -> float:
    """Band gap of a perovskite cube with cores: bulk gap plus confinement (§8), eV.

    Parameters
    ----------
    perovskite : {"CsPbCl3", "CsPbBr3", "CsPbI3"}
    edge_nm : float
        Cube edge, nm.
    core_diameters_nm : sequence of float
        Cores inside the cube, nm.
    **geometry
        ``core_centers_nm``, ``grid_points``, ``seed`` of :func:`confinement_energy_ev`.

    Examples
    --------
    >>> round(exciton_gap_ev("CsPbBr3", 10.4), 3)
    2.476
    """
    return BULK_GAP_EV[check_perovskite(perovskite)] + confinement_energy_ev(
        edge_nm, core_diameters_nm=core_diameters_nm, perovskite=perovskite, **geometry)


_EXCITON_LINES = 30


def absorption_spectrum(energy_ev, *, gap_ev: float, binding_ev: float = BINDING_ENERGY_EV,
                        broadening_ev: float = 0.03) -> np.ndarray:
    """Elliott absorption of a direct-gap semiconductor with excitons, Gaussian-broadened.

    α(E) ∝ Σ_n 4π E_b^{3/2}/n³ δ(E − E_g + E_b/n²)
           + θ(E − E_g) 2π √E_b / (1 − exp(−2π √(E_b/(E − E_g)))),

    convolved with a Gaussian of standard deviation ``broadening_ev`` (size and phonon
    broadening of an ensemble). Units: the continuum tends to 2π√E_b far above the gap.

    Parameters
    ----------
    energy_ev : array_like
        Photon energies, eV.
    gap_ev : float
        Band gap E_g (bulk plus confinement), eV, in (0.5, 5].
    binding_ev : float
        Exciton binding energy E_b, eV, in (0, 0.5].
    broadening_ev : float
        Gaussian standard deviation, eV, in (0.001, 0.3].

    Examples
    --------
    >>> e = np.linspace(2.2, 2.8, 601)
    >>> a = absorption_spectrum(e, gap_ev=2.45)
    >>> bool(2.40 < e[np.argmax(a[:400])] < 2.45)    # the exciton peak sits E_b below the gap
    True
    """
    gap = check_range("gap_ev", gap_ev, "eV", 0.5, 5.0, low_inclusive=False)
    eb = check_range("binding_ev", binding_ev, "eV", 0.0, 0.5, low_inclusive=False)
    sigma = check_range("broadening_ev", broadening_ev, "eV", 0.001, 0.3, low_inclusive=False)
    energy = np.asarray(energy_ev, dtype=float)
    step = min(sigma / 20.0, 5e-4)
    grid = np.arange(min(energy.min(), gap - eb) - 8 * sigma, energy.max() + 8 * sigma, step)
    above = grid > gap
    x = np.sqrt(eb / np.maximum(grid - gap, 1e-12))
    alpha = np.where(above, 2 * np.pi * np.sqrt(eb) / -np.expm1(-2 * np.pi * x), 0.0)
    for n in range(1, _EXCITON_LINES + 1):
        index = np.searchsorted(grid, gap - eb / n**2)
        alpha[index] += 4 * np.pi * eb**1.5 / n**3 / step
    return np.interp(energy, grid, gaussian_filter1d(alpha, sigma / step))


def emission_spectrum(energy_ev, *, peak_ev: float, fwhm_ev: float = 0.08) -> np.ndarray:
    """Gaussian emission band with maximum 1 at ``peak_ev`` (eV) and full width ``fwhm_ev``.

    Examples
    --------
    >>> float(emission_spectrum(2.44, peak_ev=2.44))
    1.0
    """
    peak = check_range("peak_ev", peak_ev, "eV", 0.5, 5.0, low_inclusive=False)
    fwhm = check_range("fwhm_ev", fwhm_ev, "eV", 0.001, 1.0, low_inclusive=False)
    sigma = fwhm / (2.0 * np.sqrt(2.0 * np.log(2.0)))
    return np.exp(-0.5 * ((np.asarray(energy_ev, dtype=float) - peak) / sigma) ** 2)


@dataclass(frozen=True)
class DilutionSeries(ResultIO):
    """Observed emission of a dispersion at several concentrations (see :func:`dilution_series`).

    Attributes
    ----------
    concentrations : ndarray
        Relative concentrations (1 = the stock).
    wavelength_nm : ndarray
        Wavelength grid of the spectra.
    spectra : ndarray
        Observed emission, one row per concentration, each normalised to its maximum.
    peak_nm : ndarray
        Observed peak wavelength per concentration.
    intrinsic_peak_nm : float
        Peak of the emission without reabsorption (the infinite-dilution limit).
    """

    concentrations: np.ndarray
    wavelength_nm: np.ndarray
    spectra: np.ndarray
    peak_nm: np.ndarray
    intrinsic_peak_nm: float


def dilution_series(concentrations, *, gap_ev: float, stokes_shift_ev: float = 0.02,
                    fwhm_ev: float = 0.08, binding_ev: float = BINDING_ENERGY_EV,
                    broadening_ev: float = 0.03, optical_depth: float = 3.0) -> DilutionSeries:
    """Emission spectra of a dispersion diluted step by step, with reabsorption (inner filter).

    Light emitted uniformly along a path through the sample escapes with the mean
    transmission (1 − e^{−τ})/τ, τ(E) = c · ``optical_depth`` · α(E)/α(E_x) the optical depth at
    relative concentration c; α is :func:`absorption_spectrum` and E_x its exciton peak. The
    blue side of the band overlaps the absorption edge and is lost first, so the observed peak
    moves red as c rises and stops moving at high dilution: the ECP.

    Parameters
    ----------
    concentrations : array_like
        Relative concentrations, > 0 (1 = the stock whose exciton optical depth is
        ``optical_depth``).
    gap_ev : float
        Band gap, eV.
    stokes_shift_ev : float
        Emission peak below the exciton absorption peak, eV, in [0, 0.3].
    fwhm_ev : float
        Width of the intrinsic emission band, eV.
    binding_ev, broadening_ev : float
        Exciton binding energy and absorption broadening, eV.
    optical_depth : float
        Optical depth of the stock at the exciton peak along the emission path, in (0, 100].

    Returns
    -------
    DilutionSeries

    Examples
    --------
    >>> series = dilution_series([1.0, 0.1, 0.01, 0.001], gap_ev=2.47)
    >>> bool(np.all(np.diff(series.peak_nm) < 0))    # diluting moves the peak blue
    True
    >>> bool(abs(series.peak_nm[-1] - series.intrinsic_peak_nm) < 0.2)
    True
    """
    c = np.asarray(concentrations, dtype=float).ravel()
    if c.size == 0 or np.any(~(c > 0)):
        raise ValueError("concentrations must be positive relative concentrations")
    shift = check_range("stokes_shift_ev", stokes_shift_ev, "eV", 0.0, 0.3)
    od = check_range("optical_depth", optical_depth, "", 0.0, 100.0, low_inclusive=False)
    energy = np.linspace(gap_ev - 0.5, gap_ev + 0.3, 1601)
    alpha = absorption_spectrum(energy, gap_ev=gap_ev, binding_ev=binding_ev,
                                broadening_ev=broadening_ev)
    near_edge = energy < gap_ev + 0.05
    exciton_ev = float(energy[near_edge][np.argmax(alpha[near_edge])])
    intrinsic = emission_spectrum(energy, peak_ev=exciton_ev - shift, fwhm_ev=fwhm_ev)
    tau = c[:, None] * od * alpha[None, :] / alpha[near_edge].max()
    escape = np.where(tau > 1e-9, -np.expm1(-tau) / np.where(tau > 1e-9, tau, 1.0), 1.0)
    spectra = intrinsic[None, :] * escape
    spectra /= spectra.max(axis=1, keepdims=True)
    wavelength = HC_EV_NM / energy
    peak_nm = np.array([_peak_wavelength(wavelength, row) for row in spectra])
    return DilutionSeries(concentrations=c, wavelength_nm=wavelength[::-1],
                          spectra=spectra[:, ::-1], peak_nm=peak_nm,
                          intrinsic_peak_nm=HC_EV_NM / (exciton_ev - shift))


def _peak_wavelength(wavelength_nm: np.ndarray, spectrum: np.ndarray) -> float:
    """Peak position refined by a parabola through the maximum and its two neighbours."""
    i = int(np.clip(np.argmax(spectrum), 1, spectrum.size - 2))
    y0, y1, y2 = spectrum[i - 1:i + 2]
    denominator = y0 - 2 * y1 + y2
    offset = 0.5 * (y0 - y2) / denominator if denominator != 0 else 0.0
    return float(np.interp(i + offset, np.arange(wavelength_nm.size), wavelength_nm))
