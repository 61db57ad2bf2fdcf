"""From structure to quenching (SCIENCE.md §6): the non-radiative rate of each ion from where
it sits.

Two terms, both Förster (dipole–dipole, r⁻⁶) transfer to acceptors:

* a continuum of surface quenchers (ligand and solvent vibrations) outside the radius ``R``
  of the quencher-free region. Integrating C/d⁶ over a uniform acceptor density outside a
  sphere gives, for an ion at radius r < R,

      k_s(r) = C_s · g(r),   g(r) = 4π R³ / (3 (R² − r²)³)   [nm⁻³],

  with C_s (nm³ s⁻¹) the product of the Förster constant and the quencher density. The same
  geometric factor describes any continuum of acceptors outside R — the CsPbBr3 shell of a
  heterostructure (LRET and transfer to interface defect states, §7) uses it with its own
  constants;
* vacancy-related defects: k_v(i) = C_v Σ_v (R_v / |r_i − r_v|)⁶ over vacancies within a
  cut-off. For vacancies spread at random over the cation sites with fraction x_v, the
  mean-field value is C_v x_v R_v⁶ L, with L = Σ_j 1/r_j⁶ the cation lattice sum.

Yb³⁺ excitation migrates fast over the Yb sublattice (P1's 20–70 % Yb), so a Yb pool decays
with the mean rate over its ions; Tm³⁺ ions keep their own rates (:func:`radial_classes`
groups them into classes of equal size).

Ion sites are the cation sites of the real host lattice built by
:func:`lnhet_widgets.core.crystal.bulk`, carved to a sphere; the discrete lattice keeps the
surface average finite (the continuum g(r) diverges at r = R).

Examples
--------
>>> sites = cation_sites_nm("beta-NaGdF4", 7.6)
>>> rates = surface_rate_s(sites, radius_nm=3.8, strength_nm3_s=1.0)
>>> bool(rates.min() > 0), sites.shape[1]
(True, 3)
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.spatial import cKDTree

from .._base.validate import check_range
from ..crystal import bulk, get_material, re_site_mask

__all__ = [
    "cation_lattice_sum_a6",
    "cation_site_density_nm3",
    "cation_sites_nm",
    "continuum_factor_nm3",
    "radial_classes",
    "surface_rate_s",
    "vacancy_rate_s",
]


def continuum_factor_nm3(r_nm, radius_nm: float) -> np.ndarray:
    """Geometric factor g(r) = 4πR³/(3(R² − r²)³) (nm⁻³) of Förster transfer from an ion at
    radius r to a uniform continuum of acceptors outside the radius R.

    Multiply by a strength C (nm³ s⁻¹) to get a rate in s⁻¹.

    Examples
    --------
    >>> round(float(continuum_factor_nm3(0.0, 1.0)), 4)   # 4π/3 at the centre of a unit sphere
    4.1888
    """
    r = np.asarray(r_nm, dtype=float)
    radius = check_range("radius_nm", radius_nm, "nm", 0.0, 1e3, low_inclusive=False)
    if np.any(r >= radius):
        raise ValueError(f"every ion radius must lie inside radius_nm = {radius:g} nm")
    return 4.0 * np.pi * radius**3 / (3.0 * (radius**2 - r**2) ** 3)


@functools.lru_cache(maxsize=16)
def _sphere_sites(host: str, diameter_nm: float) -> np.ndarray:
    m = get_material(host)
    if m.host_re is None:
        raise ValueError(f"host must be a fluoride host, got {host!r}")
    radius_a = 5.0 * diameter_nm
    hexagonal = not m.is_cubic
    reps = (int(np.ceil(2 * radius_a / m.a_angstrom)) + 2,
            int(np.ceil(2 * radius_a / m.a_angstrom / (np.sqrt(3) / 2 if hexagonal else 1))) + 2,
            int(np.ceil(2 * radius_a / m.c_angstrom)) + 2)
    atoms = bulk(host, supercell=reps, seed=0)
    positions = atoms.positions[re_site_mask(atoms)]
    positions = (positions - positions.mean(axis=0)) / 10.0
    inside = np.linalg.norm(positions, axis=1) < diameter_nm / 2
    sites = positions[inside]
    sites.setflags(write=False)
    return sites


def cation_sites_nm(host: str, diameter_nm: float) -> np.ndarray:
    """Positions (nm, centred on the origin) of the rare-earth cation sites of a sphere of the
    host lattice, shape (n, 3). Mixed Na/RE sites are resolved with a fixed seed.

    Examples
    --------
    >>> cation_sites_nm("alpha-NaYF4", 4.9).shape[0] > 500
    True
    """
    diameter = check_range("diameter_nm", diameter_nm, "nm", 0.5, 40.0)
    return _sphere_sites(host, round(diameter, 4))


@functools.lru_cache(maxsize=16)
def cation_lattice_sum_a6(host: str) -> float:
    """L = Σ_j 1/r_j⁶ (Å⁻⁶) over the cation sites around a cation of the bulk host, averaged
    over 50 central sites (the mixed Na/RE sites make it site-dependent by ~20 %).

    It turns a microscopic Förster strength C/r⁶ (s⁻¹ Å⁶, simetuc's ``strength``) into the
    mean-field rate per donor, C · c_acceptor · L.

    Examples
    --------
    >>> round(cation_lattice_sum_a6("beta-NaGdF4") * 1e3, 1)
    2.3
    """
    m = get_material(host)
    hexagonal = not m.is_cubic
    reps = (14, 14, 24) if hexagonal else (14, 14, 14)
    atoms = bulk(host, supercell=reps, seed=0)
    sites = atoms.positions[re_site_mask(atoms)]
    centre = sites.mean(axis=0)
    central = np.argsort(np.linalg.norm(sites - centre, axis=1))[:50]
    sums = []
    for i in central:
        r = np.linalg.norm(sites - sites[i], axis=1)
        sums.append(np.sum(r[r > 0.1] ** -6.0))
    return float(np.mean(sums))


@functools.lru_cache(maxsize=16)
def cation_site_density_nm3(host: str) -> float:
    """Rare-earth cation sites per nm³ of the host (from its unit cell and site occupancies).

    Examples
    --------
    >>> round(cation_site_density_nm3("beta-NaGdF4"), 1)
    13.3
    """
    m = get_material(host)
    atoms = bulk(host, supercell=(4, 4, 4) if m.is_cubic else (4, 4, 6), seed=0)
    return float(re_site_mask(atoms).sum() / atoms.get_volume() * 1e3)


def surface_rate_s(positions_nm, *, radius_nm: float, strength_nm3_s: float) -> np.ndarray:
    """Continuum Förster rate (s⁻¹) of each ion to the acceptors outside ``radius_nm``.

    Parameters
    ----------
    positions_nm : array (n, 3)
        Ion positions relative to the particle centre, nm.
    radius_nm : float
        Radius of the acceptor-free region (the particle for an inert shell, the core for a
        perovskite-coated core), nm.
    strength_nm3_s : float
        C (nm³ s⁻¹): Förster constant times acceptor density.

    Examples
    --------
    >>> rate = surface_rate_s([[0, 0, 0]], radius_nm=1.0, strength_nm3_s=3 / (4 * np.pi))
    >>> round(float(rate[0]), 9)
    1.0
    """
    strength = check_range("strength_nm3_s", strength_nm3_s, "nm³/s", 0.0, 1e12)
    r = np.linalg.norm(np.atleast_2d(np.asarray(positions_nm, dtype=float)), axis=1)
    return strength * continuum_factor_nm3(r, radius_nm)


def vacancy_rate_s(positions_nm, vacancies_nm, *, strength_s: float, radius_nm: float = 1.0,
                   cutoff_nm: float = 3.0) -> np.ndarray:
    """Rate (s⁻¹) of each ion to vacancy-related defects, C_v Σ (R_v/d)⁶ within ``cutoff_nm``.

    Parameters
    ----------
    positions_nm, vacancies_nm : arrays (n, 3) and (m, 3)
        Ion and vacancy positions, nm.
    strength_s : float
        C_v, the rate at the distance ``radius_nm``, s⁻¹.
    radius_nm : float
        R_v, nm.
    cutoff_nm : float
        Vacancies farther than this are ignored, nm (r⁻⁶ makes them negligible).

    Examples
    --------
    >>> float(vacancy_rate_s([[0, 0, 0]], [[0, 0, 2.0]], strength_s=64.0)[0])
    1.0
    """
    strength = check_range("strength_s", strength_s, "s⁻¹", 0.0, 1e15)
    check_range("radius_nm", radius_nm, "nm", 0.0, 10.0, low_inclusive=False)
    check_range("cutoff_nm", cutoff_nm, "nm", 0.0, 50.0, low_inclusive=False)
    ions = np.atleast_2d(np.asarray(positions_nm, dtype=float))
    vacancies = np.asarray(vacancies_nm, dtype=float).reshape(-1, 3)
    if not len(ions) or not len(vacancies):
        return np.zeros(len(ions))
    # Only the pairs within the cut-off, found by a k-d tree: the per-ion model asks this for
    # every ion of a 30 nm particle, where all ion–vacancy distances would take seconds.
    near = cKDTree(ions).sparse_distance_matrix(cKDTree(vacancies), cutoff_nm,
                                                output_type="ndarray")
    d = near["v"]
    keep = (d < cutoff_nm) & (d > 1e-6)
    rates = np.bincount(near["i"][keep], weights=(radius_nm / d[keep]) ** 6,
                        minlength=len(ions))
    return strength * rates


def radial_classes(rates_s, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Group ions into ``n_classes`` classes of (nearly) equal size by their rate; return the
    mean rate and the share of ions of each class.

    Examples
    --------
    >>> rates, shares = radial_classes([1.0, 2.0, 3.0, 10.0], 2)
    >>> rates.tolist(), shares.tolist()
    ([1.5, 6.5], [0.5, 0.5])
    """
    values = np.sort(np.asarray(rates_s, dtype=float))
    if values.size == 0:
        raise ValueError("radial_classes needs at least one ion")
    groups = np.array_split(values, min(int(n_classes), values.size))
    return (np.array([g.mean() for g in groups]),
            np.array([g.size / values.size for g in groups]))
