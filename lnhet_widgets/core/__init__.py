"""The simulation core: numpy and numba models, usable from a script (no widget imports).

The flat namespace re-exports the public functions of the modules below, in the spirit of
``ase.build``:

* :mod:`~lnhet_widgets.core.materials` — phases, lattice constants, radii, moduli
* :mod:`~lnhet_widgets.core.crystal` — bulk crystals with ASE, CIF loading
* :mod:`~lnhet_widgets.core.mismatch` and :mod:`~lnhet_widgets.core.coincidence` — misfit,
  tolerance factor, coincidence-lattice interfaces, effective misfit
* :mod:`~lnhet_widgets.core.strain` — coherent strain of a core–shell sphere
* :mod:`~lnhet_widgets.core.structures` — atomistic heterostructures
* :mod:`~lnhet_widgets.core.xrd` — powder patterns and the Debye equation
* :mod:`~lnhet_widgets.core.stem` — HAADF-STEM images and EDS maps
* :mod:`~lnhet_widgets.core.nucleation` — classical nucleation theory, Fletcher's factor
* :mod:`~lnhet_widgets.core.growth` — the seeded-growth (hot-injection) simulation
* :mod:`~lnhet_widgets.core.annealing` — vacancy-assisted cation diffusion and complex
  docking while a core–shell particle anneals (§5)
* :mod:`~lnhet_widgets.core.fitting` — multi-exponential decay fits with τ_avg (P1 Eqs. 1–6)
* :mod:`~lnhet_widgets.core.photophysics` — exciton confinement in the shell geometry,
  absorption edge, reabsorption red shift of a dilution series
* :mod:`~lnhet_widgets.core.analysis` — analysis of measurements: Tauc gap, emission
  convergence point, decays, powder patterns (:mod:`~lnhet_widgets.core.diffraction_analysis`),
  size statistics (:mod:`~lnhet_widgets.core.size_statistics`) and line profiles of images
  (:mod:`~lnhet_widgets.core.image_analysis`)
* :mod:`~lnhet_widgets.core.quenching` — surface, interface and vacancy quenching per ion (§6)
* :mod:`~lnhet_widgets.core.transfer` — Yb/Tm/CsPbX3 rate equations: steady states, power
  sweeps, decays and spectra (§7)
* :mod:`~lnhet_widgets.core.ensemble` — samples as mixtures of particle classes
* :mod:`~lnhet_widgets.core.transient` — transient-absorption bleach of CsPbX3 (§8)
* :mod:`~lnhet_widgets.core.simetuc` — simetuc configuration files into ``TransferParams``
* :mod:`~lnhet_widgets.core.heterostructure` — :class:`Heterostructure`, one design carried
  through every model (``.grow()``, ``.anneal()``, ``.spectrum()``, ``.decay()``, ``.xrd()``,
  ``.haadf()``, ``.atoms()``), results cached per parameter set

Examples
--------
>>> from lnhet_widgets.core import misfit, tolerance_factor
>>> round(100 * misfit("alpha-NaYF4", "CsPbI3"), 1), round(tolerance_factor("Cs", "Pb", "I"), 3)
(13.8, 0.807)
"""

from .analysis import (
    bootstrap_tau_avg,
    bragg_d_spacing,
    compare_decay_models,
    ecp,
    find_xrd_peaks,
    fit_rise_decay,
    lattice_constant,
    line_profile,
    load_image,
    scherrer_size,
    size_statistics,
    tauc_gap,
)
from .annealing import AnnealOptics, AnnealParams, AnnealResult, anneal
from .crystal import bulk, load_cif
from .ensemble import Sample
from .fitting import DecayFit, fit_decay
from .growth import (
    CoatingMap,
    GrowthParams,
    GrowthResult,
    coating_map,
    simulate_growth,
)
from .heterostructure import Heterostructure, XrdPattern
from .materials import Material, get_material, list_materials, register_material
from .mismatch import (
    coincidence_matches,
    effective_misfit,
    misfit,
    octahedral_factor,
    perovskite_stability,
    tolerance_factor,
)
from .nucleation import (
    critical_radius_nm,
    fletcher_factor,
    homogeneous_barrier_kt,
    homogeneous_rate_m3_s,
)
from .photophysics import (
    absorption_spectrum,
    confinement_energy_ev,
    confinement_mass_me,
    dilution_series,
    exciton_gap_ev,
)
from .simetuc import read_simetuc_config
from .stem import eds_maps, haadf_image
from .strain import coreshell_strain
from .structures import build_heterostructure
from .transfer import (
    EnergyTransfer,
    IonSites,
    Pulse,
    TransferParams,
    TransferResult,
    dispersion_absorbance,
    dynamics,
    mixture_spectrum,
    power_dependence,
    steady_state,
    yb_lifetime_us,
)
from .transient import (
    P1_SAMPLES,
    BleachParams,
    BleachResult,
    FluenceSeries,
    bleach_kinetics,
    fluence_series,
)
from .xrd import debye_pattern, powder_pattern, reflections

__all__ = [
    "P1_SAMPLES",
    "AnnealOptics",
    "AnnealParams",
    "AnnealResult",
    "BleachParams",
    "BleachResult",
    "CoatingMap",
    "DecayFit",
    "EnergyTransfer",
    "FluenceSeries",
    "GrowthParams",
    "GrowthResult",
    "Heterostructure",
    "IonSites",
    "Material",
    "Pulse",
    "Sample",
    "TransferParams",
    "TransferResult",
    "XrdPattern",
    "absorption_spectrum",
    "anneal",
    "bleach_kinetics",
    "bootstrap_tau_avg",
    "bragg_d_spacing",
    "build_heterostructure",
    "bulk",
    "coating_map",
    "coincidence_matches",
    "compare_decay_models",
    "confinement_energy_ev",
    "confinement_mass_me",
    "coreshell_strain",
    "critical_radius_nm",
    "debye_pattern",
    "dilution_series",
    "dispersion_absorbance",
    "dynamics",
    "ecp",
    "eds_maps",
    "effective_misfit",
    "exciton_gap_ev",
    "find_xrd_peaks",
    "fit_decay",
    "fit_rise_decay",
    "fletcher_factor",
    "fluence_series",
    "get_material",
    "haadf_image",
    "homogeneous_barrier_kt",
    "homogeneous_rate_m3_s",
    "lattice_constant",
    "line_profile",
    "list_materials",
    "load_cif",
    "load_image",
    "misfit",
    "mixture_spectrum",
    "octahedral_factor",
    "perovskite_stability",
    "powder_pattern",
    "power_dependence",
    "read_simetuc_config",
    "reflections",
    "register_material",
    "scherrer_size",
    "simulate_growth",
    "size_statistics",
    "steady_state",
    "tauc_gap",
    "tolerance_factor",
    "yb_lifetime_us",
]
