"""Where the ions of one particle class sit: ion counts, donor–acceptor pairs and the mean
quenching factors of the uniformly doped particle, or of explicit ion positions
(:class:`IonSites`), as the rate equations take them (SCIENCE §6).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .._base.validate import check_range
from .perovskite_constants import interface_defect_scale
from .quenching import (
    cation_lattice_sum_a6,
    cation_site_density_nm3,
    cation_sites_nm,
    continuum_factor_nm3,
    radial_classes,
)
from .transfer_params import TransferParams

__all__ = ["IonSites"]


@dataclass(frozen=True)
class _Geometry:
    """Ion counts and mean geometric factors of one particle class."""

    n_yb: float
    n_tm: float
    pairs: dict  # (donor, acceptor) → number of site pairs Π_DA
    yb_surface: float  # mean g(r) over Yb, nm⁻³, to the outside of the fluoride particle
    yb_interface: float  # mean g(r) over Yb to the outside of the core (perovskite side)
    tm_surface: np.ndarray  # per Tm class
    tm_interface: np.ndarray
    tm_share: np.ndarray
    defects: float
    perovskite_volume_nm3: float
    yb_vacancy_s: float  # mean vacancy quenching rate of the Yb ions, s⁻¹
    tm_vacancy_s: np.ndarray  # per Tm class


@functools.lru_cache(maxsize=64)
def _geometry(p: TransferParams) -> _Geometry:
    core_r = p.core_diameter_nm / 2
    outer_r = p.outer_diameter_nm / 2
    pv_volume = 0.0
    if p.has_perovskite:
        pv_volume = p.perovskite_edge_nm**3 - 4 / 3 * np.pi * outer_r**3
    defects = 0.0
    if p.has_perovskite:
        defects = (p.interface_defects_nm2 * interface_defect_scale(p.host) * 4 * np.pi
                   * outer_r**2 + p.bulk_defects_nm3 * pv_volume)
    if not p.has_lanthanides:
        empty = np.zeros(0)
        return _Geometry(0.0, 0.0, {}, 0.0, 0.0, empty, empty, empty, defects, pv_volume, 0.0,
                         empty)
    active_r = core_r + p.active_shell_nm
    sites = cation_sites_nm(p.host, 2 * active_r)
    radius = np.linalg.norm(sites, axis=1)
    in_core = radius < core_r
    shell = ~in_core
    n_core, n_shell = in_core.sum(), shell.sum()
    conc = {"Yb": (p.yb_fraction, p.active_shell_yb_fraction if p.active_shell_nm else 0.0),
            "Tm": (p.tm_fraction, 0.0)}
    pairs = {(d, a): n_core * conc[d][0] * conc[a][0] + n_shell * conc[d][1] * conc[a][1]
             for d in conc for a in conc}
    n_yb = n_core * conc["Yb"][0] + n_shell * conc["Yb"][1]
    n_tm = n_core * p.tm_fraction
    # acceptors start half a cation spacing beyond the outermost cation layer (the fluoride
    # layer and the ligand head group or the first perovskite layer lie in between)
    gap = 0.5 * cation_site_density_nm3(p.host) ** (-1 / 3)
    g_surface = continuum_factor_nm3(radius, outer_r + gap)
    # the perovskite wets the core surface only when no fluoride shell covers it
    g_interface = (continuum_factor_nm3(radius, core_r + gap) if core_r == outer_r
                   else np.zeros_like(radius))
    yb_weight = np.where(in_core, conc["Yb"][0], conc["Yb"][1])
    yb_surface = float(np.sum(yb_weight * g_surface) / max(np.sum(yb_weight), 1e-300))
    yb_interface = float(np.sum(yb_weight * g_interface) / max(np.sum(yb_weight), 1e-300))
    order = np.argsort(g_surface[in_core])
    surf, share = radial_classes(g_surface[in_core][order], p.tm_classes)
    interface, _ = radial_classes(g_interface[in_core][order], p.tm_classes)
    # vacancies at random at the fraction x_v, in the mean field: C_v x_v R_v⁶ L per ion
    vacancy = (p.vacancy_quenching_s * p.vacancy_fraction * (p.vacancy_radius_nm * 10) ** 6
               * cation_lattice_sum_a6(p.host))
    return _Geometry(float(n_yb), float(n_tm), pairs, yb_surface, yb_interface, surf,
                     interface, share, defects, pv_volume, vacancy, np.full(share.size, vacancy))


@dataclass(frozen=True, eq=False)
class IonSites:
    """Where the optically active ions of one fluoride particle sit, e.g. a snapshot of an
    anneal (SCIENCE §5): explicit Yb³⁺ and Tm³⁺ positions and the cation vacancies that quench
    them, among all the particle's cation sites ``sites_nm``, in a particle of outer radius
    ``radius_nm`` whose surface carries the ligand quenchers (§6). Positions are relative to
    the particle centre, nm, shape (n, 3).

    Given to :func:`~lnhet_widgets.core.optics.steady_state`,
    :func:`~lnhet_widgets.core.optics.dynamics` or
    :func:`~lnhet_widgets.core.optics.yb_lifetime_us` as ``sites``, it replaces the uniform
    doping of ``TransferParams`` (its composition, diameters and mean-field vacancy fraction);
    the rate constants still come from ``TransferParams``. Compared by identity: one object
    per configuration.

    Examples
    --------
    >>> from lnhet_widgets.core.optics import cation_sites_nm
    >>> lattice = cation_sites_nm("beta-NaGdF4", 4.0)
    >>> sites = IonSites(sites_nm=lattice, yb_nm=lattice[:100], tm_nm=lattice[100:105],
    ...                  vacancies_nm=lattice[105:110], radius_nm=2.0)
    >>> sites.yb_nm.shape, sites.radius_nm
    ((100, 3), 2.0)
    """

    sites_nm: np.ndarray
    yb_nm: np.ndarray
    tm_nm: np.ndarray
    vacancies_nm: np.ndarray
    radius_nm: float

    def __post_init__(self):
        for name in ("sites_nm", "yb_nm", "tm_nm", "vacancies_nm"):
            value = np.asarray(getattr(self, name), dtype=float).reshape(-1, 3)
            object.__setattr__(self, name, value)
        check_range("radius_nm", self.radius_nm, "nm", 0.5, 20.0)
        if len(self.yb_nm) + len(self.tm_nm) == 0:
            raise ValueError("IonSites needs at least one Yb or Tm ion")
        for name in ("yb_nm", "tm_nm"):
            r = np.linalg.norm(getattr(self, name), axis=1)
            if r.size and r.max() >= self.radius_nm:
                raise ValueError(f"{name}: an ion at {r.max():.3g} nm lies outside radius_nm = "
                                 f"{self.radius_nm:g} nm")


#: Radius of the neighbourhood whose concentrations of acceptors and vacancies set an ion's
#: transfer and quenching rates, nm. The average rate equations give every ion of a class the
#: same rate, C · c · L; an explicit Σ 1/r⁶ over one configuration would instead be dominated
#: by the few partners that happen to sit next to an ion (at 1 % Tm one nearest-neighbour pair
#: doubles the Tm–Tm sum). A local concentration keeps where ions and vacancies went
#: (intermixing dilutes, vacancies gather at interfaces) without that noise.
_LOCAL_RADIUS_NM = 1.5


def _local_counts(centres_nm, others_nm) -> np.ndarray:
    """How many of ``others_nm`` lie within :data:`_LOCAL_RADIUS_NM` of each centre (itself
    excluded)."""
    if len(others_nm) == 0 or len(centres_nm) == 0:
        return np.zeros(len(centres_nm))
    tree = cKDTree(others_nm)
    within = tree.query_ball_point(centres_nm, _LOCAL_RADIUS_NM, return_length=True)
    itself = tree.query_ball_point(centres_nm, 1e-6, return_length=True)
    return (within - itself).astype(float)


#: Vacancies farther than this from an ion are left out of its §6 sum, nm: one at 3 nm adds
#: (R_v/3 nm)⁶ ≈ 1/700 of C_v, against ≈ 460 C_v for a vacant nearest-neighbour site.
_VACANCY_CUTOFF_NM = 3.0


def _vacancy_sums(ions_nm, vacancies_nm, radius_nm: float) -> np.ndarray:
    """Σ_v (R_v / |r_i − r_v|)⁶ over the vacancies within :data:`_VACANCY_CUTOFF_NM` of each
    ion (SCIENCE §6)."""
    out = np.zeros(len(ions_nm))
    if len(ions_nm) == 0 or len(vacancies_nm) == 0:
        return out
    near = cKDTree(ions_nm).sparse_distance_matrix(cKDTree(vacancies_nm), _VACANCY_CUTOFF_NM,
                                                   output_type="ndarray")
    np.add.at(out, near["i"], (radius_nm / near["v"]) ** 6)
    return out


def _site_geometry(p: TransferParams, sites: IonSites) -> _Geometry:
    if p.has_perovskite:
        raise ValueError("sites describe a fluoride particle: set perovskite_edge_nm = 0")
    # The mean-field transfer rates are C · L · Π_DA with Π_DA = Σ_donors c_A; here the
    # concentrations are those around each ion. Vacancies quench by §6's explicit sum, whose
    # mean over vacancies at random, C_v x_v R_v⁶ L, is the mean field of the uniform particle:
    # where vacancies gather (an interface band, the surface) its r⁻⁶ reach matters, and a
    # 1.5 nm count would quench an ion 1 nm below a vacancy-rich surface as if they were its
    # neighbours.
    positions = {"Yb": sites.yb_nm, "Tm": sites.tm_nm}
    around = {name: np.maximum(_local_counts(ions, sites.sites_nm), 1.0)
              for name, ions in positions.items()}
    pairs = {(d, a): float(np.sum(_local_counts(positions[d], positions[a]) / around[d]))
             for d in positions for a in positions}
    gap = 0.5 * cation_site_density_nm3(p.host) ** (-1 / 3)
    surface = sites.radius_nm + gap

    def quench(name):
        ions = positions[name]
        g = continuum_factor_nm3(np.linalg.norm(ions, axis=1), surface)
        return g, p.vacancy_quenching_s * _vacancy_sums(ions, sites.vacancies_nm,
                                                        p.vacancy_radius_nm)

    yb_g, yb_vacancy = quench("Yb")
    tm_g, tm_vacancy = quench("Tm")
    # Tm classes by their total quenching rate, each class keeping the means of both parts
    order = np.argsort(p.surface_quenching_nm3_s * tm_g + tm_vacancy)
    groups = np.array_split(order, min(p.tm_classes, order.size)) if order.size else []
    n_tm = float(len(sites.tm_nm))
    empty = np.zeros(0)
    return _Geometry(
        float(len(sites.yb_nm)), n_tm, pairs,
        float(yb_g.mean()) if yb_g.size else 0.0, 0.0,
        np.array([tm_g[g].mean() for g in groups]) if n_tm else empty,
        np.zeros(len(groups)),
        np.array([g.size / n_tm for g in groups]) if n_tm else empty,
        0.0, 0.0, float(yb_vacancy.mean()) if yb_vacancy.size else 0.0,
        np.array([tm_vacancy[g].mean() for g in groups]) if n_tm else empty)
