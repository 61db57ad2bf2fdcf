"""Seeded growth of the perovskite shell: classical nucleation, the wetting of a core, the
hot-injection growth simulation with its numba kernel, and maps of coating over core size and
temperature.
"""

from .coating_maps import CoatingMap, check_map_grid, coating_map
from .nucleation import (
    BOLTZMANN_J_K,
    critical_radius_nm,
    fletcher_factor,
    fletcher_factor_nb,
    homogeneous_barrier_kt,
    homogeneous_rate_m3_s,
    planar_fletcher_factor,
)
from .params import GrowthParams
from .result import GrowthResult, RepresentativeGeometry, RepresentativeStructures
from .seeded import core_density_g_cm3, simulate_growth
from .wetting import core_wetting, relaxation_fraction, relaxed_misfit

__all__ = [
    "BOLTZMANN_J_K",
    "CoatingMap",
    "GrowthParams",
    "GrowthResult",
    "RepresentativeGeometry",
    "RepresentativeStructures",
    "check_map_grid",
    "coating_map",
    "core_density_g_cm3",
    "core_wetting",
    "critical_radius_nm",
    "fletcher_factor",
    "fletcher_factor_nb",
    "homogeneous_barrier_kt",
    "homogeneous_rate_m3_s",
    "planar_fletcher_factor",
    "relaxation_fraction",
    "relaxed_misfit",
    "simulate_growth",
]
