"""One sample class of the ground-state-bleach model (:class:`BleachParams`): the geometry,
absorption cross-section, traps and Auger lifetimes of its nanocrystals (SCIENCE §8).

The kinetics are in :mod:`~lnhet_widgets.core.optics.bleach`. For one nanocrystal of a sample
class (all nanocrystals of a class are alike: one cube edge L, one core of diameter d at its
centre):

* **Geometry.** Perovskite volume V = L³ − πd³/6; interface area A = πd² (the core sphere).
* **Excitation.** n ~ Poisson(⟨N⟩), ⟨N⟩ = σ j with the photon fluence j = F λ/(hc)
  (1 µJ cm⁻² at 400 nm = 2.01e12 cm⁻²) and σ ∝ V: 1e-16 cm² nm⁻³, i.e. 1e-13 cm² for a 10 nm
  cube at 400 nm (SCIENCE §7). At other pump wavelengths σ scales with the Elliott absorption
  of CsPbBr3 (:func:`~lnhet_widgets.core.optics.absorption_spectrum`).
* **Traps.** A nanocrystal holds M̄ = ρ_b(T) V + s ρ_i A traps: bulk defects frozen in during
  the synthesis, ρ_b(T) = ρ_ref exp[(E_a/k_B)(1/T − 1/T_ref)] (defects anneal out while the
  crystal grows, so a hotter synthesis leaves fewer — P1's reading of E3; ρ_ref is what a
  batch's synthesis leaves), and defects of the core–shell interface, scaled by the core's
  structure (s = 1 for hexagonal β, 2 for the fluorite α phase:
  :data:`~lnhet_widgets.core.optics.INTERFACE_DEFECT_SCALE`). Every nanocrystal
  of a class holds ⌊M̄⌋ or ⌈M̄⌉ traps, mixed so that the mean is M̄ (the narrowest
  distribution with that mean, like the one edge per class).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._base.params import ParamsDict, param
from .._base.validate import check_range
from ..crystal import FLUORIDES
from .perovskite_constants import (
    AUGER_CAPTURE_PROBABILITY,
    AUGER_TIME_PER_VOLUME_PS_NM3,
    BULK_GAP_EV,
    BULK_TRAP_DENSITY_NM3,
    CROSS_SECTION_PER_VOLUME_CM2_NM3,
    EXCITON_BOHR_RADIUS_NM,
    EXCITON_RADIATIVE_LIFETIME_NS,
    INTERFACE_TRAP_DENSITY_NM2,
    LN_TRANSFER_RATE_NS_NM2,
    TRAP_ANNEALING_ENERGY_EV,
    TRAP_AUGER_TIME_PER_VOLUME_PS_NM3,
    TRAP_CAPTURE_TIME_NS,
    TRAP_LIFETIME_NS,
    TRAP_REFERENCE_TEMPERATURE_C,
    bulk_trap_density_nm3,
    interface_defect_scale,
)
from .photophysics import HC_EV_NM, absorption_spectrum

__all__ = ["BleachParams"]

_PUMP_RANGE_NM = (300.0, 480.0)


@dataclass(frozen=True)
class BleachParams(ParamsDict):
    """One sample class (geometry, core, doping, synthesis) and the model constants of the GSB.

    The defaults are P1's pure CsPbBr3 cubes of E2 (10 nm, 180 °C) with the model constants
    of :mod:`~lnhet_widgets.core.optics.perovskite_constants`;
    :data:`~lnhet_widgets.core.optics.P1_SAMPLES` holds P1's sample classes of E2 and E3. The
    model is in the module docstrings of this module and of
    :mod:`~lnhet_widgets.core.optics.bleach`.

    Every field is validated at construction; a bad value raises ``ValueError`` naming the
    field, its unit and the allowed range.

    Examples
    --------
    >>> p = BleachParams(edge_nm=16.7, core_diameter_nm=7.1, synthesis_temperature_c=220.0)
    >>> round(p.perovskite_volume_nm3), round(p.interface_area_nm2, 1)
    (4470, 158.4)
    >>> BleachParams(edge_nm=8.0, core_diameter_nm=9.0)
    Traceback (most recent call last):
    ...
    ValueError: core_diameter_nm = 9.0 nm must be smaller than edge_nm = 8 nm
    """

    # Sample class. P1's pure cubes: 10 nm, the upper end of the 9–10 nm of a 180 °C hot
    # injection (a larger cube absorbs more, ⟨N⟩ ∝ V).
    edge_nm: float = param(10.0, label="Cube edge", unit="nm", min=3.0, max=40.0, step=0.1)
    core_diameter_nm: float = param(0.0, label="Core diameter", unit="nm", min=0.0, max=30.0,
                                    step=0.1, description="0: a pure perovskite nanocrystal")
    core_host: str = param("beta-NaGdF4", label="Core phase", choices=FLUORIDES,
                           description="sets the interface trap density (INTERFACE_DEFECT_SCALE)")
    yb_fraction: float = param(0.0, label="Yb in the core", min=0.0, max=1.0, step=0.01,
                               description="RE-site fraction; 0: an inert (undoped) core")
    synthesis_temperature_c: float = param(180.0, label="Synthesis T", unit="°C", min=100.0,
                                           max=300.0, step=1.0)
    radiative_lifetime_ns: float = param(EXCITON_RADIATIVE_LIFETIME_NS,
                                         label="Radiative lifetime", unit="ns", min=0.1,
                                         max=100.0, step=0.1)
    trap_capture_time_ns: float = param(TRAP_CAPTURE_TIME_NS, label="Trap capture time",
                                        unit="ns", min=0.01, max=1e4, step=0.1,
                                        description="1/k_t of one trap for a lone exciton")
    trap_lifetime_ns: float = param(TRAP_LIFETIME_NS, label="Trap lifetime", unit="ns",
                                    min=0.1, max=1e6,
                                    description="a carrier held in a trap (charged NC)")
    bulk_trap_density_nm3: float = param(BULK_TRAP_DENSITY_NM3, label="Bulk trap density",
                                         unit="nm⁻³", min=0.0, max=0.1, step=1e-4,
                                         description="of the batch, at the reference T")
    trap_reference_temperature_c: float = param(TRAP_REFERENCE_TEMPERATURE_C,
                                                label="Reference T", unit="°C", min=100.0,
                                                max=300.0)
    trap_annealing_energy_ev: float = param(TRAP_ANNEALING_ENERGY_EV,
                                            label="Defect annealing energy", unit="eV",
                                            min=0.0, max=5.0, step=0.05)
    interface_trap_density_nm2: float = param(INTERFACE_TRAP_DENSITY_NM2,
                                              label="Interface trap density", unit="nm⁻²",
                                              min=0.0, max=1.0, step=1e-4,
                                              description="on a β core; scaled by the core "
                                                          "phase")
    auger_time_per_volume_ps_nm3: float = param(AUGER_TIME_PER_VOLUME_PS_NM3,
                                                label="τ_XX / V", unit="ps/nm³", min=1e-4,
                                                max=10.0,
                                                description="biexciton Auger lifetime per "
                                                            "perovskite volume")
    trap_auger_time_per_volume_ps_nm3: float = param(TRAP_AUGER_TIME_PER_VOLUME_PS_NM3,
                                                     label="τ_TA / V", unit="ps/nm³",
                                                     min=1e-4, max=100.0,
                                                     description="trap-assisted Auger "
                                                                 "lifetime beside a trapped "
                                                                 "carrier, per volume")
    auger_capture_probability: float = param(AUGER_CAPTURE_PROBABILITY, label="Auger capture",
                                             min=0.0, max=1.0, step=0.01,
                                             description="per trap and Auger event")
    ln_transfer_rate_ns_nm2: float = param(LN_TRANSFER_RATE_NS_NM2, label="Ln transfer C_Ln",
                                           unit="ns⁻¹ nm⁻²", min=0.0, max=10.0,
                                           description="k_Ln = C_Ln · yb_fraction · area")
    cross_section_per_volume_cm2_nm3: float = param(CROSS_SECTION_PER_VOLUME_CM2_NM3,
                                                    label="σ / V at 400 nm",
                                                    unit="cm²/nm³", min=0.0, max=1e-14)
    exciton_bohr_radius_nm: float = param(EXCITON_BOHR_RADIUS_NM["CsPbBr3"],
                                          label="Exciton Bohr radius", unit="nm",
                                          min=0.5, max=20.0, step=0.1)

    def __post_init__(self):
        if self.core_host not in FLUORIDES:
            raise ValueError(f"core_host must be one of {FLUORIDES}, got {self.core_host!r}")
        for name, unit, low, high in _RANGES:
            object.__setattr__(self, name, check_range(name, getattr(self, name), unit, low,
                                                       high))
        if 0.0 < self.core_diameter_nm < 1.0:
            raise ValueError(f"core_diameter_nm = {self.core_diameter_nm!r} nm is outside the "
                             "allowed range 0 (no core) or [1, 30] nm")
        if self.core_diameter_nm >= self.edge_nm:
            raise ValueError(f"core_diameter_nm = {self.core_diameter_nm!r} nm must be smaller "
                             f"than edge_nm = {self.edge_nm:g} nm")
        if self.yb_fraction > 0 and self.core_diameter_nm == 0:
            raise ValueError(f"yb_fraction = {self.yb_fraction!r} needs a core "
                             "(core_diameter_nm > 0); a pure nanocrystal has yb_fraction 0")

    @property
    def perovskite_volume_nm3(self) -> float:
        """V = L³ − πd³/6, nm³."""
        return self.edge_nm**3 - math.pi / 6.0 * self.core_diameter_nm**3

    @property
    def interface_area_nm2(self) -> float:
        """Core–shell interface area πd², nm²."""
        return math.pi * self.core_diameter_nm**2

    @property
    def traps_per_nc(self) -> float:
        """Mean number of traps per nanocrystal, M̄ = ρ_b(T) V + s_host ρ_i A."""
        bulk = bulk_trap_density_nm3(self.synthesis_temperature_c,
                                     reference_density_nm3=self.bulk_trap_density_nm3,
                                     reference_temperature_c=self.trap_reference_temperature_c,
                                     annealing_energy_ev=self.trap_annealing_energy_ev)
        interface = self.interface_trap_density_nm2 * interface_defect_scale(self.core_host)
        return bulk * self.perovskite_volume_nm3 + interface * self.interface_area_nm2

    @property
    def auger_lifetime_ps(self) -> float:
        """Biexciton Auger lifetime τ_XX ∝ V, ps."""
        return self.auger_time_per_volume_ps_nm3 * self.perovskite_volume_nm3

    @property
    def trap_auger_lifetime_ps(self) -> float:
        """Trap-assisted Auger lifetime τ_TA ∝ V of an exciton in a charged nanocrystal, ps."""
        return self.trap_auger_time_per_volume_ps_nm3 * self.perovskite_volume_nm3

    @property
    def band_edge_degeneracy(self) -> float:
        """g = max(2, V/V_X): excitons the band edge holds before the bleach saturates."""
        exciton_volume = 4.0 * math.pi / 3.0 * self.exciton_bohr_radius_nm**3
        return max(2.0, self.perovskite_volume_nm3 / exciton_volume)

    @property
    def ln_transfer_rate_ns(self) -> float:
        """k_Ln = C_Ln x_Yb A, per exciton, ns⁻¹."""
        return self.ln_transfer_rate_ns_nm2 * self.yb_fraction * self.interface_area_nm2

    @property
    def single_exciton_lifetime_ns(self) -> float:
        """1/(k_rad + M̄ k_t + k_Ln): a lone exciton in a neutral nanocrystal, ns."""
        rate = (1.0 / self.radiative_lifetime_ns + self.traps_per_nc / self.trap_capture_time_ns
                + self.ln_transfer_rate_ns)
        return 1.0 / rate

    def cross_section_cm2(self, pump_nm: float = 400.0) -> float:
        """Absorption cross-section of one nanocrystal at ``pump_nm``, cm².

        Examples
        --------
        >>> round(BleachParams(edge_nm=10.0).cross_section_cm2() / 1e-13, 3)
        1.0
        """
        pump = check_range("pump_nm", pump_nm, "nm", *_PUMP_RANGE_NM)
        energies = HC_EV_NM / np.array([pump, 400.0])
        # The Elliott edge only sets α(λ)/α(400 nm); the confinement of 10–17 nm cubes
        # (10–25 meV) changes it by < 1 %, so the bulk gap serves every class.
        alpha = absorption_spectrum(energies, gap_ev=BULK_GAP_EV["CsPbBr3"])
        return (self.cross_section_per_volume_cm2_nm3 * self.perovskite_volume_nm3
                * float(alpha[0] / alpha[1]))


_RANGES = (
    ("edge_nm", "nm", 3.0, 40.0),
    ("core_diameter_nm", "nm", 0.0, 30.0),
    ("yb_fraction", "", 0.0, 1.0),
    ("synthesis_temperature_c", "°C", 100.0, 300.0),
    ("radiative_lifetime_ns", "ns", 0.1, 100.0),
    ("trap_capture_time_ns", "ns", 0.01, 1e4),
    ("trap_lifetime_ns", "ns", 0.1, 1e6),
    ("bulk_trap_density_nm3", "nm⁻³", 0.0, 0.1),
    ("trap_reference_temperature_c", "°C", 100.0, 300.0),
    ("trap_annealing_energy_ev", "eV", 0.0, 5.0),
    ("interface_trap_density_nm2", "nm⁻²", 0.0, 1.0),
    ("auger_time_per_volume_ps_nm3", "ps/nm³", 1e-4, 10.0),
    ("trap_auger_time_per_volume_ps_nm3", "ps/nm³", 1e-4, 100.0),
    ("auger_capture_probability", "", 0.0, 1.0),
    ("ln_transfer_rate_ns_nm2", "ns⁻¹ nm⁻²", 0.0, 10.0),
    ("cross_section_per_volume_cm2_nm3", "cm²/nm³", 0.0, 1e-14),
    ("exciton_bohr_radius_nm", "nm", 0.5, 20.0),
)
