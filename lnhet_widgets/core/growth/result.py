"""What one growth reaction made: :class:`GrowthResult` and its typical particles.

The typical particles come as numbers (:class:`RepresentativeGeometry`) or as atomistic models
for the 3D view (:class:`RepresentativeStructures`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ase import Atoms

from .._base.results import ResultIO
from .._base.validate import check_range
from ..crystal import build_heterostructure, bulk, get_material
from .params import GrowthParams

__all__ = ["GrowthResult", "RepresentativeGeometry", "RepresentativeStructures"]


@dataclass(frozen=True)
class RepresentativeGeometry:
    """The typical particles of a result, as numbers (cheap; no atoms).

    Attributes
    ----------
    edge_nm : float
        Median heterostructure edge (NaN without heterostructures).
    n_cores : int
        Cores in that heterostructure.
    core_diameter_nm : float
        Mean diameter of its cores.
    free_edge_nm : float
        Count-weighted median edge of the free crystals (NaN without free crystals).
    """

    edge_nm: float
    n_cores: int
    core_diameter_nm: float
    free_edge_nm: float


@dataclass(frozen=True)
class RepresentativeStructures:
    """Atomistic models for the 3D view: a typical heterostructure and a free nanocrystal.

    ``n_cores_shown`` can be smaller than ``geometry.n_cores`` when the edge was capped and the
    smaller cube holds fewer cores.
    """

    heterostructure: Atoms | None
    free_nanocrystal: Atoms | None
    geometry: RepresentativeGeometry
    n_cores_shown: int


@dataclass(frozen=True)
class GrowthResult(ResultIO):
    """Outcome of :func:`~lnhet_widgets.core.growth.simulate_growth`.

    Attributes
    ----------
    params : GrowthParams
    seed : int
    core_diameters_nm : ndarray
        Diameters of the simulated cores.
    core_structure : ndarray of int
        Index into ``edge_lengths_nm`` of the heterostructure holding each core, −1 if bare.
    core_captured : ndarray of bool
        Cores that joined a heterostructure by capture rather than by nucleating a shell.
    core_partly_overgrown : ndarray of bool
        Cores carrying a perovskite island too small to enclose them (at least one perovskite
        cell on every side); they count as not coated.
    core_wetting : ndarray
        Young's wetting m of each core at the reaction temperature.
    edge_lengths_nm : ndarray
        Cube edge of each heterostructure (perovskite and embedded cores).
    cores_per_structure : ndarray of int
        Number of cores in each heterostructure.
    free_edge_lengths_nm : ndarray
        Cube edge of each free-nanocrystal class; ``free_counts`` crystals share it.
    free_counts : ndarray
        Number of free crystals each entry of ``free_edge_lengths_nm`` stands for.
    trace_time_s, trace_supersaturation, trace_monomer_mm, trace_temperature_c : ndarray
        Time traces.
    trace_homogeneous_nuclei, trace_heterogeneous_nuclei, trace_captures : ndarray
        Cumulative events per simulated core.
    monomer_initial, monomer_in_solution, monomer_in_precursor, monomer_in_shells,
    monomer_in_free : float
        Mass ledger, in monomers of the simulated volume (shells include partial islands).
    effective_misfit : float
        Coherent f_eff of the core/shell pair at the reaction temperature.
    relaxation_fraction : float
        Share r(T) of the misfit relaxed while a shell nucleates
        (:func:`~lnhet_widgets.core.growth.relaxation_fraction`).
    relaxed_misfit : float
        Misfit in the strain penalty of the wetting
        (:func:`~lnhet_widgets.core.growth.relaxed_misfit`).
    perovskite_stable : bool
        Whether the cubic perovskite passes the tolerance-factor test (shells allowed).
    stability_reason : str
    cores_in_reaction : float
        Dispersed cores in the whole flask.
    steps : int
        Time steps taken.
    """

    params: GrowthParams
    seed: int
    core_diameters_nm: np.ndarray
    core_structure: np.ndarray
    core_captured: np.ndarray
    core_partly_overgrown: np.ndarray
    core_wetting: np.ndarray
    edge_lengths_nm: np.ndarray
    cores_per_structure: np.ndarray
    free_edge_lengths_nm: np.ndarray
    free_counts: np.ndarray
    trace_time_s: np.ndarray
    trace_supersaturation: np.ndarray
    trace_monomer_mm: np.ndarray
    trace_temperature_c: np.ndarray
    trace_homogeneous_nuclei: np.ndarray
    trace_heterogeneous_nuclei: np.ndarray
    trace_captures: np.ndarray
    monomer_initial: float
    monomer_in_solution: float
    monomer_in_precursor: float
    monomer_in_shells: float
    monomer_in_free: float
    effective_misfit: float
    relaxation_fraction: float
    relaxed_misfit: float
    perovskite_stable: bool
    stability_reason: str
    cores_in_reaction: float
    steps: int

    @property
    def core_coated(self) -> np.ndarray:
        """Boolean per core: inside a heterostructure."""
        return self.core_structure >= 0

    @property
    def coated_fraction(self) -> float:
        """Fraction of cores inside a heterostructure."""
        return float(np.mean(self.core_coated))

    def coated_fraction_by_size(self, edges_nm) -> np.ndarray:
        """Coated fraction of the cores in each diameter bin (NaN for an empty bin).

        Parameters
        ----------
        edges_nm : array_like
            Increasing bin edges of the core diameter, nm.

        Examples
        --------
        >>> from lnhet_widgets.core.growth import simulate_growth
        >>> r = simulate_growth(GrowthParams(simulated_cores=200), seed=0)
        >>> r.coated_fraction_by_size([0.0, 100.0]).shape
        (1,)
        """
        edges = np.asarray(edges_nm, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("edges_nm must be an increasing sequence of at least two diameters "
                             "in nm")
        which = np.digitize(self.core_diameters_nm, edges) - 1
        out = np.full(edges.size - 1, np.nan)
        for k in range(edges.size - 1):
            inside = which == k
            if inside.any():
                out[k] = self.core_coated[inside].mean()
        return out

    @property
    def free_nanocrystals(self) -> float:
        """Number of free crystals in the simulated volume (parcels counted by weight)."""
        return float(self.free_counts.sum())

    @property
    def free_volume_fraction(self) -> float:
        """Fraction of the perovskite volume in free crystals."""
        total = self.monomer_in_free + self.monomer_in_shells
        return self.monomer_in_free / total if total > 0 else 0.0

    @property
    def mass_balance_error(self) -> float:
        """|monomer now − monomer at start| / monomer at start (should be ~1e-15)."""
        now = (self.monomer_in_solution + self.monomer_in_precursor + self.monomer_in_shells
               + self.monomer_in_free)
        return float(abs(now - self.monomer_initial) / self.monomer_initial)

    @property
    def mean_cores_per_structure(self) -> float:
        """Mean number of cores in a heterostructure (NaN without heterostructures)."""
        return float(self.cores_per_structure.mean()) if self.cores_per_structure.size else math.nan

    def summary(self) -> dict:
        """The headline numbers as a dict (for a table or a print).

        Examples
        --------
        >>> from lnhet_widgets.core.growth import simulate_growth
        >>> r = simulate_growth(GrowthParams(simulated_cores=200), seed=0)
        >>> sorted(r.summary())[:3]
        ['coated_fraction', 'edge_mean_nm', 'edge_sd_nm']
        """
        edges = self.edge_lengths_nm
        free_w = self.free_counts
        free_mean = (float(np.average(self.free_edge_lengths_nm, weights=free_w))
                     if free_w.sum() > 0 else math.nan)
        return {
            "coated_fraction": self.coated_fraction,
            "edge_mean_nm": float(edges.mean()) if edges.size else math.nan,
            "edge_sd_nm": float(edges.std()) if edges.size else math.nan,
            "mean_cores_per_structure": self.mean_cores_per_structure,
            "free_nanocrystals_per_core": self.free_nanocrystals / self.core_diameters_nm.size,
            "free_edge_mean_nm": free_mean,
            "free_volume_fraction": self.free_volume_fraction,
            "effective_misfit": self.effective_misfit,
            "relaxation_fraction": self.relaxation_fraction,
            "relaxed_misfit": self.relaxed_misfit,
            "perovskite_stable": self.perovskite_stable,
            "mass_balance_error": self.mass_balance_error,
        }

    def representative_geometry(self) -> RepresentativeGeometry:
        """Median heterostructure (edge, cores, their mean diameter) and median free crystal.

        Examples
        --------
        >>> from lnhet_widgets.core.growth import simulate_growth
        >>> r = simulate_growth(GrowthParams(core_diameter_nm=3.7, core_diameter_sd_nm=0.3,
        ...                                  simulated_cores=200), seed=0)
        >>> g = r.representative_geometry()
        >>> g.n_cores >= 1 and g.edge_nm > g.core_diameter_nm
        True
        """
        edge, n_cores, diameter = math.nan, 0, math.nan
        if self.edge_lengths_nm.size:
            pick = int(np.argsort(self.edge_lengths_nm)[self.edge_lengths_nm.size // 2])
            edge = float(self.edge_lengths_nm[pick])
            n_cores = int(self.cores_per_structure[pick])
            diameter = float(self.core_diameters_nm[self.core_structure == pick].mean())
        free_edge = math.nan
        if self.free_counts.sum() > 0:
            order = np.argsort(self.free_edge_lengths_nm)
            cumulative = np.cumsum(self.free_counts[order])
            median = order[np.searchsorted(cumulative, 0.5 * cumulative[-1])]
            free_edge = float(self.free_edge_lengths_nm[median])
        return RepresentativeGeometry(edge_nm=edge, n_cores=n_cores, core_diameter_nm=diameter,
                                      free_edge_nm=free_edge)

    def representative_structure(self, *, seed: int = 0, max_edge_nm: float = 24.0,
                                 strain: bool = True, heterostructure: bool = True,
                                 free_nanocrystal: bool = True) -> RepresentativeStructures:
        """Atomistic models of a typical heterostructure and a typical free nanocrystal.

        The particles are those of :meth:`representative_geometry`. Edges are capped at
        ``max_edge_nm`` so that the 3D view stays responsive (a 24 nm cube holds ~ 350,000
        atoms); when a capped cube cannot hold all the cores of the real particle, it shows as
        many as fit (at most 12). Either model can be skipped.

        Examples
        --------
        >>> from lnhet_widgets.core.growth import simulate_growth
        >>> r = simulate_growth(GrowthParams(core_diameter_nm=3.7, core_diameter_sd_nm=0.3,
        ...                                  simulated_cores=200), seed=0)
        >>> rep = r.representative_structure(free_nanocrystal=False)
        >>> rep.n_cores_shown >= 1 and len(rep.heterostructure) > 1000
        True
        """
        cap = check_range("max_edge_nm", max_edge_nm, "nm", 2.0, 40.0)
        p = self.params
        g = self.representative_geometry()
        hetero, shown = None, 0
        if heterostructure and g.n_cores:
            shown_edge = min(g.edge_nm, cap)
            shown_diameter = min(g.core_diameter_nm, 0.95 * shown_edge)
            for shown in range(min(g.n_cores, 12), 0, -1):
                try:
                    hetero = build_heterostructure(p.core, shown_diameter, p.shell, shown_edge,
                                                   dopants=dict(p.dopants), n_cores=shown,
                                                   strain=strain, seed=seed)
                    break
                except ValueError:
                    if shown == 1:
                        raise
        free = None
        if free_nanocrystal and not math.isnan(g.free_edge_nm):
            a = get_material(p.shell).a_angstrom / 10.0
            n = max(1, round(min(g.free_edge_nm, cap) / a))
            free = bulk(p.shell, supercell=(n, n, n))
            free.pbc = False
            free.center()
        return RepresentativeStructures(heterostructure=hetero, free_nanocrystal=free,
                                        geometry=g, n_cores_shown=shown)

    def to_csv(self, path=None) -> str:
        """Per-core table: diameter, structure index, captured, wetting; returns the text."""
        lines = ["core_diameter_nm,core_structure,core_captured,core_wetting,edge_length_nm"]
        for d, s, c, m in zip(self.core_diameters_nm, self.core_structure, self.core_captured,
                              self.core_wetting, strict=True):
            edge = f"{self.edge_lengths_nm[s]:.6g}" if s >= 0 else ""
            lines.append(f"{d:.6g},{s},{int(c)},{m:.6g},{edge}")
        text = "\n".join(lines) + "\n"
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text
