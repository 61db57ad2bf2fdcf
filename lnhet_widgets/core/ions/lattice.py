"""The ions of one real particle (SCIENCE §11): where every Yb³⁺ and Tm³⁺ sits, which region
it belongs to, how far it is from the surface, and the cation vacancies that quench it.

Three sources give the same :class:`IonLattice`: the host lattice of a
:class:`~lnhet_widgets.core.optics.TransferParams` particle doped at random with a seed
(:meth:`IonLattice.from_params`), the ions and vacancies of an annealing snapshot
(:meth:`IonLattice.from_sites`, e.g. ``AnnealResult.ion_sites(k)``), and a simetuc lattice file
(:func:`~lnhet_widgets.core.ions.read_simetuc_lattice`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._base.validate import check_range
from ..optics import IonSites, TransferParams, cation_sites_nm

__all__ = ["SPECIES", "IonLattice"]

#: The optically active species of the per-ion model, in the order of simetuc's ``ion_type``
#: (0 = sensitizer, 1 = activator).
SPECIES = ("Yb", "Tm")


@dataclass(frozen=True, eq=False)
class IonLattice:
    """The optically active ions of one particle, or of a periodic box of the host.

    Attributes
    ----------
    positions_nm : ndarray (n, 3)
        Ion positions, nm; relative to the particle centre for a particle.
    species : ndarray of str (n,)
        ``"Yb"`` or ``"Tm"`` per ion.
    region : ndarray of str (n,)
        ``"core"``, ``"active_shell"`` (a particle) or ``"box"`` (a periodic box).
    vacancies_nm : ndarray (m, 3)
        Cation vacancies (§6's vacancy-related defects), nm.
    site_percent : dict
        Concentration of each species in % of the cation sites: simetuc's normalisation of
        its populations (:attr:`IonResult.mean_populations
        <lnhet_widgets.core.ions.IonResult.mean_populations>`).
    radius_nm : float or None
        Outer radius of the fluoride particle, whose surface carries the ligand quenchers;
        None for a periodic box.
    cell_nm : ndarray (3, 3) or None
        Periodic box vectors (rows), nm; pair distances then follow the minimum-image
        convention, as simetuc computes them. None for a particle.
    host : str
        The host lattice (its cation density sets the gap to the quenchers, as in §6).

    Examples
    --------
    >>> lattice = IonLattice.from_params(TransferParams(core_diameter_nm=4.0), seed=1)
    >>> lattice.count("Yb") > 50, lattice.radius_nm
    (True, 2.0)
    >>> IonLattice(np.zeros((1, 3)), np.array(["Er"]), np.array(["core"]), radius_nm=1.0)
    Traceback (most recent call last):
    ...
    ValueError: species must be 'Yb' or 'Tm' per ion, got ['Er']
    """

    positions_nm: np.ndarray
    species: np.ndarray
    region: np.ndarray
    vacancies_nm: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    site_percent: dict = field(default_factory=dict)
    radius_nm: float | None = None
    cell_nm: np.ndarray | None = None
    host: str = "beta-NaGdF4"

    def __post_init__(self):
        positions = np.asarray(self.positions_nm, dtype=float)
        if positions.ndim != 2 or positions.shape[1] != 3 or not np.isfinite(positions).all():
            raise ValueError(f"positions_nm must be finite (n, 3) positions in nm, got shape "
                             f"{positions.shape}")
        if positions.shape[0] == 0:
            raise ValueError("positions_nm: the lattice needs at least one Yb or Tm ion")
        species = np.asarray(self.species).astype(str)
        region = np.asarray(self.region).astype(str)
        for name, value in (("species", species), ("region", region)):
            if value.shape != (positions.shape[0],):
                raise ValueError(f"{name} must hold one entry per ion ({positions.shape[0]}), "
                                 f"got shape {value.shape}")
        unknown = sorted(set(species.tolist()) - set(SPECIES))
        if unknown:
            raise ValueError(f"species must be 'Yb' or 'Tm' per ion, got {unknown}")
        vacancies = np.asarray(self.vacancies_nm, dtype=float).reshape(-1, 3)
        if (self.radius_nm is None) == (self.cell_nm is None):
            raise ValueError("give either radius_nm (a particle) or cell_nm (a periodic box)")
        if self.radius_nm is not None:
            radius = check_range("radius_nm", self.radius_nm, "nm", 0.2, 100.0)
            r = np.linalg.norm(positions, axis=1)
            if r.max() >= radius:
                worst = int(np.argmax(r))
                raise ValueError(f"positions_nm: ion {worst} lies {r[worst]:.3g} nm from the "
                                 f"centre, outside the particle (radius_nm = {radius:g} nm); "
                                 "ions must lie at r < radius_nm")
            object.__setattr__(self, "radius_nm", radius)
        else:
            cell = np.asarray(self.cell_nm, dtype=float)
            if cell.shape != (3, 3) or abs(np.linalg.det(cell)) < 1e-9:
                raise ValueError("cell_nm must be three non-coplanar box vectors (3, 3), nm")
            object.__setattr__(self, "cell_nm", cell)
        percent = {name: check_range(f"site_percent[{name}]", value, "%", 0.0, 100.0)
                   for name, value in dict(self.site_percent).items()}
        for name in SPECIES:
            if name not in percent and np.any(species == name):
                raise ValueError(f"site_percent lacks the concentration of {name} (% of the "
                                 "cation sites)")
        object.__setattr__(self, "positions_nm", positions)
        object.__setattr__(self, "species", species)
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "vacancies_nm", vacancies)
        object.__setattr__(self, "site_percent", percent)

    @property
    def size(self) -> int:
        """Number of ions."""
        return int(self.positions_nm.shape[0])

    def count(self, species: str) -> int:
        """Number of ions of ``species``."""
        return int(np.count_nonzero(self.species == species))

    @property
    def radial_nm(self) -> np.ndarray:
        """Distance of each ion from the particle centre, nm (a particle only)."""
        if self.radius_nm is None:
            raise ValueError("a periodic box has no centre: radial_nm needs a particle")
        return np.linalg.norm(self.positions_nm, axis=1)

    @property
    def surface_distance_nm(self) -> np.ndarray:
        """Distance of each ion from the particle's surface, nm (infinite in a periodic box)."""
        if self.radius_nm is None:
            return np.full(self.size, np.inf)
        return self.radius_nm - self.radial_nm

    @classmethod
    def from_params(cls, params: TransferParams, *, seed: int = 0) -> IonLattice:
        """The ions of the particle of ``params``, doped at random with ``seed``.

        The cation sites are those of the host lattice carved to the particle
        (:func:`~lnhet_widgets.core.optics.cation_sites_nm`, the sites the average model's
        geometry uses). A fraction ``vacancy_fraction`` of all sites is vacant; every other
        site of the core holds Yb with probability ``yb_fraction`` and Tm with
        ``tm_fraction``, every site of the active shell Yb with ``active_shell_yb_fraction``;
        the inert shell holds no dopants. ``site_percent`` counts the ions over all sites.

        Examples
        --------
        >>> a = IonLattice.from_params(TransferParams(core_diameter_nm=4.0), seed=3)
        >>> b = IonLattice.from_params(TransferParams(core_diameter_nm=4.0), seed=3)
        >>> bool(np.array_equal(a.positions_nm, b.positions_nm)), sorted(set(a.region.tolist()))
        (True, ['core'])
        """
        if not isinstance(params, TransferParams):
            raise ValueError(f"params must be a TransferParams, got {type(params).__name__}")
        if not params.has_lanthanides:
            raise ValueError("params describe no lanthanide ions: core_diameter_nm and "
                             "yb_fraction or tm_fraction must be > 0")
        sites = cation_sites_nm(params.host, params.outer_diameter_nm)
        r = np.linalg.norm(sites, axis=1)
        core_r = params.core_diameter_nm / 2
        shell_r = core_r + params.active_shell_nm
        rng = np.random.default_rng(seed)
        vacant = rng.random(len(sites)) < params.vacancy_fraction
        draw = rng.random(len(sites))
        in_core, in_shell = r < core_r, (r >= core_r) & (r < shell_r)
        yb = ~vacant & ((in_core & (draw < params.yb_fraction))
                        | (in_shell & (draw < params.active_shell_yb_fraction)))
        tm = ~vacant & in_core & (draw >= params.yb_fraction) & (
            draw < params.yb_fraction + params.tm_fraction)
        ions = yb | tm
        if not ions.any():
            raise ValueError(f"the doping drew no ion on the {len(sites)} sites of this "
                             "particle: raise the concentrations or the size")
        return cls(positions_nm=sites[ions], species=np.where(yb[ions], "Yb", "Tm"),
                   region=np.where(in_core[ions], "core", "active_shell"),
                   vacancies_nm=sites[vacant],
                   site_percent={"Yb": 100 * yb.sum() / len(sites),
                                 "Tm": 100 * tm.sum() / len(sites)},
                   radius_nm=params.outer_diameter_nm / 2, host=params.host)

    @classmethod
    def from_sites(cls, sites: IonSites, *, host: str = "beta-NaGdF4") -> IonLattice:
        """The ions and vacancies of :class:`~lnhet_widgets.core.optics.IonSites`, e.g. one
        annealing snapshot (``AnnealResult.ion_sites(k)``, SCIENCE §5).

        Examples
        --------
        >>> sites = cation_sites_nm("beta-NaGdF4", 4.0)
        >>> ions = IonSites(sites_nm=sites, yb_nm=sites[:100], tm_nm=sites[100:105],
        ...                 vacancies_nm=sites[105:110], radius_nm=2.0)
        >>> lattice = IonLattice.from_sites(ions)
        >>> lattice.count("Tm"), len(lattice.vacancies_nm)
        (5, 5)
        """
        if not isinstance(sites, IonSites):
            raise ValueError(f"sites must be an IonSites, got {type(sites).__name__}")
        n_sites = max(len(sites.sites_nm), 1)
        n_yb, n_tm = len(sites.yb_nm), len(sites.tm_nm)
        return cls(positions_nm=np.concatenate((sites.yb_nm, sites.tm_nm)),
                   species=np.array(["Yb"] * n_yb + ["Tm"] * n_tm),
                   region=np.full(n_yb + n_tm, "core"),
                   vacancies_nm=sites.vacancies_nm,
                   site_percent={"Yb": 100 * n_yb / n_sites, "Tm": 100 * n_tm / n_sites},
                   radius_nm=sites.radius_nm, host=host)
