"""The simulation core: numpy and numba models, usable from a script (no widget imports).

The flat namespace below is the curated entry point, in the spirit of ``ase.build``. Behind it
the core is cut by domain; each package re-exports its own public names:

* :mod:`~lnhet_widgets.core.crystal` — materials, bulk crystals (ASE), misfit, tolerance
  factor and coincidence lattices, coherent strain, the atomistic builder, XRD and STEM
* :mod:`~lnhet_widgets.core.growth` — classical nucleation and the seeded-growth (hot-injection)
  simulation with its coating maps (§3–4a)
* :mod:`~lnhet_widgets.core.annealing` — vacancy-assisted cation diffusion and complex docking
  while a core–shell particle anneals, and the optics of the annealed particles (§5)
* :mod:`~lnhet_widgets.core.optics` — perovskite constants, quenching per ion (§6), the
  Yb/Tm/CsPbX3 rate equations (§7), the transient bleach and photophysics (§8), ensembles,
  simetuc configuration files
* :mod:`~lnhet_widgets.core.ions` — the per-ion model (§11): simetuc's microscopic rate
  equations on the ions of a real particle or a simetuc lattice file, sparse Newton and BDF
* :mod:`~lnhet_widgets.core.analysis` — analysis of measurements: decay fits (P1 Eqs. 1–6),
  Tauc gap, emission convergence point, powder patterns, size statistics, image profiles
* :mod:`~lnhet_widgets.core.heterostructure` — :class:`Heterostructure`, one design carried
  through every model (``.grow()``, ``.anneal()``, ``.spectrum()``, ``.decay()``, ``.xrd()``,
  ``.haadf()``, ``.atoms()``), results cached per parameter set
* :mod:`~lnhet_widgets.core.sweeps` — :func:`sweep`: any model over a parameter grid, on
  threads, processes or a Dask cluster, as a labelled xarray Dataset
* :mod:`~lnhet_widgets.core.conditions` — the papers' own measurement conditions
* ``lnhet_widgets.core._base`` — the machinery every model shares: parameter fields, the JSON
  round trip of results, range checks

Examples
--------
>>> from lnhet_widgets.core import misfit, tolerance_factor
>>> round(100 * misfit("alpha-NaYF4", "CsPbI3"), 1), round(tolerance_factor("Cs", "Pb", "I"), 3)
(13.8, 0.807)
"""

from .analysis import (
    DecayFit,
    bootstrap_tau_avg,
    bragg_d_spacing,
    compare_decay_models,
    ecp,
    find_xrd_peaks,
    fit_decay,
    fit_rise_decay,
    lattice_constant,
    line_profile,
    load_image,
    scherrer_size,
    size_statistics,
    tauc_gap,
)
from .annealing import (
    AnnealOptics,
    AnnealParams,
    AnnealResult,
    anneal,
)
from .crystal import (
    Material,
    build_heterostructure,
    bulk,
    coincidence_matches,
    coreshell_strain,
    debye_pattern,
    eds_maps,
    effective_misfit,
    get_material,
    haadf_image,
    list_materials,
    load_cif,
    misfit,
    octahedral_factor,
    perovskite_stability,
    powder_pattern,
    reflections,
    register_material,
    tolerance_factor,
)
from .growth import (
    CoatingMap,
    GrowthParams,
    GrowthResult,
    coating_map,
    critical_radius_nm,
    fletcher_factor,
    homogeneous_barrier_kt,
    homogeneous_rate_m3_s,
    simulate_growth,
)
from .heterostructure import (
    Heterostructure,
    XrdPattern,
)
from .ions import (
    IonLattice,
    IonResult,
    ion_dynamics,
    read_simetuc_lattice,
    solve_ions,
)
from .optics import (
    P1_SAMPLES,
    BleachParams,
    BleachResult,
    EnergyTransfer,
    FluenceSeries,
    IonSites,
    Pulse,
    Sample,
    TransferParams,
    TransferResult,
    absorption_spectrum,
    bleach_kinetics,
    confinement_energy_ev,
    confinement_mass_me,
    dilution_series,
    dispersion_absorbance,
    dynamics,
    exciton_gap_ev,
    fluence_series,
    mixture_spectrum,
    power_dependence,
    read_simetuc_config,
    steady_state,
    yb_lifetime_us,
)
from .sweeps import SWEEP_MODELS, sweep

__all__ = [
    "P1_SAMPLES",
    "SWEEP_MODELS",
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
    "IonLattice",
    "IonResult",
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
    "ion_dynamics",
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
    "read_simetuc_lattice",
    "reflections",
    "register_material",
    "scherrer_size",
    "simulate_growth",
    "size_statistics",
    "solve_ions",
    "steady_state",
    "sweep",
    "tauc_gap",
    "tolerance_factor",
    "yb_lifetime_us",
]
