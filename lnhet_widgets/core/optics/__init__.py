"""Optics of the heterostructure: perovskite constants, per-ion quenching, the Yb/Tm/CsPbX3
rate equations (steady state, pulses, spectra), the transient bleach, photophysics,
ensembles of particles and simetuc configuration files.
"""

from .bleach import (
    FIG1J_BULK_TRAP_DENSITY_NM3,
    P1_SAMPLES,
    bleach_kinetics,
    fluence_series,
)
from .bleach_params import (
    BleachParams,
)
from .bleach_results import (
    BleachResult,
    FluenceSeries,
)
from .ensemble import (
    Sample,
)
from .ion_geometry import (
    IonSites,
)
from .perovskite_constants import (
    AUGER_CAPTURE_PROBABILITY,
    AUGER_TIME_PER_VOLUME_PS_NM3,
    BINDING_ENERGY_EV,
    BULK_GAP_EV,
    BULK_TRAP_DENSITY_NM3,
    CROSS_SECTION_PER_VOLUME_CM2_NM3,
    EXCITON_BINDING_ENERGY_EV,
    EXCITON_BOHR_RADIUS_NM,
    EXCITON_RADIATIVE_LIFETIME_NS,
    INTERFACE_DEFECT_SCALE,
    INTERFACE_TRAP_DENSITY_NM2,
    LN_TRANSFER_RATE_NS_NM2,
    REDUCED_MASS_ME,
    STOKES_SHIFT_EV,
    TRAP_ANNEALING_ENERGY_EV,
    TRAP_AUGER_TIME_PER_VOLUME_PS_NM3,
    TRAP_CAPTURE_TIME_NS,
    TRAP_LIFETIME_NS,
    TRAP_REFERENCE_TEMPERATURE_C,
    bulk_trap_density_nm3,
    centre_of_mass_mass_me,
    check_perovskite,
    interface_defect_scale,
    interface_trap_density_nm2,
)
from .photophysics import (
    HC_EV_NM,
    DilutionSeries,
    absorption_spectrum,
    confinement_energy_ev,
    confinement_mass_me,
    dilution_series,
    emission_spectrum,
    exciton_gap_ev,
)
from .quenching import (
    cation_lattice_sum_a6,
    cation_site_density_nm3,
    cation_sites_nm,
    continuum_factor_nm3,
    radial_classes,
    surface_rate_s,
    vacancy_rate_s,
)
from .rate_equations import (
    RateSystem,
    rate_system,
)
from .simetuc import (
    read_simetuc_config,
)
from .spectra import (
    dispersion_absorbance,
    line_spectrum,
    mixture_spectrum,
)
from .transfer_params import (
    HETEROSTRUCTURE_SYNTHESIS_C,
    LINES,
    EnergyTransfer,
    Pulse,
    TransferParams,
)
from .transfer_solvers import (
    TransferResult,
    dynamics,
    power_dependence,
    steady_state,
    yb_lifetime_us,
)

__all__ = [
    "AUGER_CAPTURE_PROBABILITY",
    "AUGER_TIME_PER_VOLUME_PS_NM3",
    "BINDING_ENERGY_EV",
    "BULK_GAP_EV",
    "BULK_TRAP_DENSITY_NM3",
    "CROSS_SECTION_PER_VOLUME_CM2_NM3",
    "EXCITON_BINDING_ENERGY_EV",
    "EXCITON_BOHR_RADIUS_NM",
    "EXCITON_RADIATIVE_LIFETIME_NS",
    "FIG1J_BULK_TRAP_DENSITY_NM3",
    "HC_EV_NM",
    "HETEROSTRUCTURE_SYNTHESIS_C",
    "INTERFACE_DEFECT_SCALE",
    "INTERFACE_TRAP_DENSITY_NM2",
    "LINES",
    "LN_TRANSFER_RATE_NS_NM2",
    "P1_SAMPLES",
    "REDUCED_MASS_ME",
    "STOKES_SHIFT_EV",
    "TRAP_ANNEALING_ENERGY_EV",
    "TRAP_AUGER_TIME_PER_VOLUME_PS_NM3",
    "TRAP_CAPTURE_TIME_NS",
    "TRAP_LIFETIME_NS",
    "TRAP_REFERENCE_TEMPERATURE_C",
    "BleachParams",
    "BleachResult",
    "DilutionSeries",
    "EnergyTransfer",
    "FluenceSeries",
    "IonSites",
    "Pulse",
    "RateSystem",
    "Sample",
    "TransferParams",
    "TransferResult",
    "absorption_spectrum",
    "bleach_kinetics",
    "bulk_trap_density_nm3",
    "cation_lattice_sum_a6",
    "cation_site_density_nm3",
    "cation_sites_nm",
    "centre_of_mass_mass_me",
    "check_perovskite",
    "confinement_energy_ev",
    "confinement_mass_me",
    "continuum_factor_nm3",
    "dilution_series",
    "dispersion_absorbance",
    "dynamics",
    "emission_spectrum",
    "exciton_gap_ev",
    "fluence_series",
    "interface_defect_scale",
    "interface_trap_density_nm2",
    "line_spectrum",
    "mixture_spectrum",
    "power_dependence",
    "radial_classes",
    "rate_system",
    "read_simetuc_config",
    "steady_state",
    "surface_rate_s",
    "vacancy_rate_s",
    "yb_lifetime_us",
]
