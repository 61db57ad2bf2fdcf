"""The cation lattice of an annealed particle: its sites and first-shell neighbours, its
regions and the seeded initial state (SCIENCE §5).

* **Lattice.** The rare-earth (RE) cation sites of the core's host, built by the crystal tools
  (:func:`~lnhet_widgets.core.optics.cation_sites_nm`: :func:`~lnhet_widgets.core.crystal.bulk`
  β-NaGdF4, RE on 1a and on the RE half of 1f, resolved with a fixed seed), carved to a sphere
  of the outer diameter. The shell is coherent: its ions sit on the continuation of the core's
  cation lattice, and the shell phase only chooses the shell's ion. β-NaYF4 on β-NaGdF4
  misfits by −1.0 % (a) and −1.9 % (c), too little for a 1–2 nm shell to relax by
  dislocations, so one lattice is the defensible picture; a shell of another structure is
  refused. Na⁺ and F⁻ are not modelled: RE ions hop among RE sites only. Neighbours are the
  sites within 1.25 × the shortest cation distance, the first cation shell (β: 3.60 Å along
  the c chains and 3.91 Å between 1a and 1f; the next shell is at a = 6.02 Å); at most 8 in
  β-NaREF4. They are computed once per particle (:func:`anneal_lattice`, cached).
* **Regions.** Core r < d/2 and shell outside; an interface band of width
  ``interface_band_nm`` centred on d/2 (with a shell) and a surface band, the outer
  ``surface_band_nm``, which takes precedence. The shell proper, for "Yb in the shell", is
  every site with r ≥ d/2.
* **Initial state** (seeded). Sites are first made vacant, region by region, with exact counts
  (fraction × sites); the ions left in the core are Yb and Tm with exact counts of the
  dopant fractions, the rest the core's host ion; the shell holds the shell's ion.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from ..crystal import get_material
from ..optics import cation_sites_nm
from . import _kernel as kernel
from .params import _CODE, AnnealParams

__all__ = ["AnnealLattice", "anneal_lattice"]

_CORE, _SHELL, _INTERFACE = 0, 1, 2
_SURFACE = kernel.SURFACE
# The first cation shell ends well before the second: 1.09 d_nn (1a–1f) against 1.67 d_nn
# (a) in β-NaREF4, 1.41 d_nn in the fluorite cation lattice; 1.25 d_nn lies between for both.
_FIRST_SHELL_FACTOR = 1.25


@dataclass(frozen=True)
class AnnealLattice:
    """Cation sites of a particle and their first-shell neighbours (see :func:`anneal_lattice`).

    Attributes
    ----------
    positions_nm : ndarray (n, 3)
        Site positions relative to the particle centre, nm (read-only, shared by the cache).
    nbr_ptr, nbr_idx : ndarray of int64
        The neighbours of site i are ``nbr_idx[nbr_ptr[i]:nbr_ptr[i + 1]]`` (CSR).
    cutoff_nm : float
        Neighbour cut-off, nm.
    """

    positions_nm: np.ndarray
    nbr_ptr: np.ndarray
    nbr_idx: np.ndarray
    cutoff_nm: float

    @property
    def coordination(self) -> np.ndarray:
        """Number of neighbour sites of every site."""
        return np.diff(self.nbr_ptr)

    def occupied_neighbours(self, species: np.ndarray) -> np.ndarray:
        """Number of occupied (not vacant) neighbour sites of every site of a species array."""
        filled = np.concatenate([[0], np.cumsum(species[self.nbr_idx] != kernel.VACANCY)])
        return filled[self.nbr_ptr[1:]] - filled[self.nbr_ptr[:-1]]


@functools.lru_cache(maxsize=8)
def _lattice(host: str, diameter_nm: float) -> AnnealLattice:
    sites = cation_sites_nm(host, diameter_nm)
    tree = cKDTree(sites)
    cutoff = _FIRST_SHELL_FACTOR * float(tree.query(sites, k=2)[0][:, 1].min())
    pairs = tree.query_pairs(cutoff, output_type="ndarray").astype(np.int64)
    both = np.concatenate([pairs, pairs[:, ::-1]])
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(both[:, 0], minlength=len(sites)))])
    lattice = AnnealLattice(positions_nm=sites, nbr_ptr=ptr, nbr_idx=both[:, 1].copy(),
                            cutoff_nm=cutoff)
    lattice.nbr_ptr.setflags(write=False)
    lattice.nbr_idx.setflags(write=False)
    return lattice


def anneal_lattice(params: AnnealParams) -> AnnealLattice:
    """The cation lattice of the particle of ``params`` and its neighbour lists (cached).

    Examples
    --------
    >>> lattice = anneal_lattice(AnnealParams())
    >>> lattice.positions_nm.shape, int(lattice.coordination.max()), round(lattice.cutoff_nm, 2)
    ((4586, 3), 8, 0.45)
    """
    return _lattice(params.core, round(params.diameter_nm, 4))


def _regions(params: AnnealParams, radius_nm: np.ndarray) -> np.ndarray:
    core_r = 0.5 * params.core_diameter_nm
    region = np.where(radius_nm < core_r, _CORE, _SHELL).astype(np.int8)
    if params.shell_thickness_nm > 0:
        region[np.abs(radius_nm - core_r) < 0.5 * params.interface_band_nm] = _INTERFACE
    region[radius_nm > 0.5 * params.diameter_nm - params.surface_band_nm] = _SURFACE
    return region


def _initial_species(params: AnnealParams, region: np.ndarray, in_core: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    core_host = _CODE[get_material(params.core).host_re]
    shell_host = _CODE[get_material(params.shell).host_re]
    species = np.where(in_core, core_host, shell_host).astype(np.int8)
    fractions = {_CORE: params.vacancy_core, _SHELL: params.vacancy_shell,
                 _INTERFACE: params.vacancy_interface, _SURFACE: params.vacancy_surface}
    for code, fraction in fractions.items():
        sites = np.flatnonzero(region == code)
        species[sites[rng.permutation(sites.size)[: round(fraction * sites.size)]]] = (
            kernel.VACANCY)
    ions = np.flatnonzero(in_core & (species != kernel.VACANCY))
    ions = ions[rng.permutation(ions.size)]
    n_yb, n_tm = round(params.yb_fraction * ions.size), round(params.tm_fraction * ions.size)
    species[ions[:n_yb]] = _CODE["Yb"]
    species[ions[n_yb:n_yb + n_tm]] = _CODE["Tm"]
    return species
