"""Annealing of a core–shell particle: vacancy-assisted cation diffusion and complex
docking on a lattice (numba Monte Carlo), and the optics of the annealed particles.
"""

from .model import (
    COMPLEXES,
    P2_TRANSFER,
    PROGRESS_STEPS,
    REGIONS,
    SPECIES,
    AnnealLattice,
    AnnealOptics,
    AnnealParams,
    AnnealResult,
    anneal,
    anneal_lattice,
    ensemble_optical,
    time_per_step_s,
)

__all__ = [
    "COMPLEXES",
    "P2_TRANSFER",
    "PROGRESS_STEPS",
    "REGIONS",
    "SPECIES",
    "AnnealLattice",
    "AnnealOptics",
    "AnnealParams",
    "AnnealResult",
    "anneal",
    "anneal_lattice",
    "ensemble_optical",
    "time_per_step_s",
]
