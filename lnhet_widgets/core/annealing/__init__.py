"""Annealing of a core–shell particle: vacancy-assisted cation diffusion and complex
docking on a lattice (numba Monte Carlo), and the optics of the annealed particles.
"""

from .ensemble import ensemble_optical
from .kinetics import time_per_step_s
from .lattice import AnnealLattice, anneal_lattice
from .optics import P2_TRANSFER, AnnealOptics
from .params import COMPLEXES, REGIONS, SPECIES, AnnealParams
from .simulation import PROGRESS_STEPS, AnnealResult, anneal

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
