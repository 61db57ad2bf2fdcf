"""Two-way energy transfer in LnNP@CsPbX3 (SCIENCE.md §6, §7): average rate equations of Yb³⁺,
Tm³⁺ and the perovskite, solved for steady states, power sweeps and decays.

One particle class (a bare core, a core–shell–shell particle, a heterostructure or a free
perovskite nanocrystal) is described by :class:`TransferParams`. Its species and levels:

* Yb³⁺ {²F7/2, ²F5/2}: one pool, because excitation migrates fast over the Yb sublattice
  (its quenching rate is the mean over its ions, §6);
* Tm³⁺ {³H6, ³F4, ³H5, ³H4, ³F3, ¹G4, ¹D2, ¹I6}, split into ``tm_classes`` classes of equal
  size by their distance to the surface, each with its own quenching and LRET rates;
* the perovskite exciton {G, X} (one per nanocrystal) and its defect states {empty, filled}
  (``defects`` per nanocrystal, from interface and bulk defect densities).

Populations are fractions per ion (per nanocrystal, per defect); each species sums to 1.

Rates
-----
* Decay with simetuc's β-NaYF4:Yb,Tm lifetimes and branching ratios (the rest of each level's
  decay goes to the ground state); every decay is counted as emission of its line.
* Quenching (§6): continuum Förster transfer to ligand quenchers outside the core,
  C_s·g(r), on the uncovered share (1 − contact) of the surface; vacancy-related defects at a
  random vacancy fraction (mean field C_v x_v R_v⁶ L); to the ground state of the ion.
* Energy transfer between lanthanides in the mean-field limit of simetuc's microscopic
  strengths C (s⁻¹ Å⁶): the rate per donor is C · L · Π_DA / N_D, per acceptor C · L · Π_DA /
  N_A, with L the cation lattice sum of the host and Π_DA = Σ_regions n_sites c_D c_A the number
  of donor–acceptor site pairs. A process given with simetuc's ``strength_avg`` uses it as the
  coefficient of both sides instead (simetuc's average mode).
* Heterostructure channels (P1 Fig. 2h,i), all scaled by ``contact_factor``: LRET from Tm
  lines above the perovskite gap, k = A_line · V_LRET · α(λ)/α(400 nm) · g(r) (Förster to the
  continuum of perovskite acceptors outside the core); Yb ²F5/2 → empty interface defect,
  C_int·g(r); filled defect → Yb ²F5/2; exciton trapping by empty defects; defect loss;
  the exciton's transfer to Yb ²F5/2 through the interface, k_Ln = C_Ln x_Yb πd² (the rate of
  the bleach model, :mod:`~lnhet_widgets.core.optics.transient`, so that both give one exciton
  lifetime).
* Excitation: 980 nm pumps Yb with σ_Yb and the 4/3 degeneracy ratio of stimulated emission;
  365 or 400 nm pumps the perovskite with σ ∝ volume · α(λ).

A physical mixture couples only through light: see :func:`mixture_spectrum`.

Examples
--------
>>> result = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=10.0)
>>> bool(abs(result.populations["Yb"].sum() - 1) < 1e-9)
True
>>> round(yb_lifetime_us(TransferParams()))
39
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import constants
from scipy.spatial import cKDTree

from .._base.params import param
from .._base.results import ResultIO
from .._base.validate import check_range
from ..crystal import list_materials
from ..growth import core_density_g_cm3
from . import _transfer_kernel as kernel
from .perovskite_constants import (
    BULK_GAP_EV,
    CROSS_SECTION_PER_VOLUME_CM2_NM3,
    EXCITON_BINDING_ENERGY_EV,
    EXCITON_RADIATIVE_LIFETIME_NS,
    INTERFACE_DEFECT_SCALE,
    INTERFACE_TRAP_DENSITY_NM2,
    LN_TRANSFER_RATE_NS_NM2,
    STOKES_SHIFT_EV,
    TRAP_CAPTURE_TIME_NS,
    TRAP_LIFETIME_NS,
    bulk_trap_density_nm3,
    interface_defect_scale,
)
from .photophysics import HC_EV_NM, absorption_spectrum, exciton_gap_ev
from .quenching import (
    cation_lattice_sum_a6,
    cation_site_density_nm3,
    cation_sites_nm,
    continuum_factor_nm3,
    radial_classes,
)

__all__ = [
    "HETEROSTRUCTURE_SYNTHESIS_C",
    "INTERFACE_DEFECT_SCALE",
    "LINES",
    "EnergyTransfer",
    "IonSites",
    "Pulse",
    "RateSystem",
    "TransferParams",
    "TransferResult",
    "dispersion_absorbance",
    "dynamics",
    "interface_defect_scale",
    "line_spectrum",
    "mixture_spectrum",
    "power_dependence",
    "rate_system",
    "steady_state",
    "yb_lifetime_us",
]

YB_LEVELS = ("2F7/2", "2F5/2")
TM_LEVELS = ("3H6", "3F4", "3H5", "3H4", "3F3", "1G4", "1D2", "1I6")
EXCITON_LEVELS = ("G", "X")
DEFECT_LEVELS = ("empty", "filled")

#: Emission lines (SCIENCE §7): (ion, upper level, lower level, wavelength in nm).
LINES = (
    ("Tm", "1I6", "3F4", 345.0),
    ("Tm", "1D2", "3H6", 361.0),
    ("Tm", "1D2", "3F4", 450.0),
    ("Tm", "1G4", "3H6", 475.0),
    ("Tm", "1G4", "3F4", 646.0),
    ("Tm", "3F3", "3H6", 695.0),
    ("Tm", "3H4", "3H6", 800.0),
    ("Tm", "3H4", "3F4", 1470.0),
    ("Yb", "2F5/2", "2F7/2", 980.0),
)

_H_J_S = constants.h
_C_M_S = constants.c

#: Synthesis temperature of P1's heterostructures, °C (P1 methods): it sets the default
#: shell's bulk trap density (:func:`~lnhet_widgets.core.optics.perovskite_constants.
#: bulk_trap_density_nm3`). P1's pure CsPbBr3 cubes, the free nanocrystals of a physical
#: mixture, grow at 180 °C, where the density is ``BULK_TRAP_DENSITY_NM3``.
HETEROSTRUCTURE_SYNTHESIS_C = 220.0


@dataclass(frozen=True)
class EnergyTransfer:
    """One energy-transfer process D(i → f) + A(i → f), as in a simetuc configuration.

    ``strength_a6_s`` is simetuc's microscopic ``strength`` C (s⁻¹ Å⁶; rate C/r⁶ for a pair at
    r Å, dipole–dipole); ``strength_avg_s`` (s⁻¹), when given, is simetuc's average-mode
    coefficient and replaces the mean-field lattice sum.

    Examples
    --------
    >>> EnergyTransfer("ETU1", "Yb", "2F5/2", "2F7/2", "Tm", "3H6", "3H5", 7.377e7).name
    'ETU1'
    """

    name: str
    donor: str
    donor_from: str
    donor_to: str
    acceptor: str
    acceptor_from: str
    acceptor_to: str
    strength_a6_s: float
    strength_avg_s: float | None = None

    def __post_init__(self):
        for ion, levels in ((self.donor, (self.donor_from, self.donor_to)),
                            (self.acceptor, (self.acceptor_from, self.acceptor_to))):
            known = {"Yb": YB_LEVELS, "Tm": TM_LEVELS}.get(ion)
            if known is None:
                raise ValueError(f"energy transfer {self.name}: ion must be 'Yb' or 'Tm', "
                                 f"got {ion!r}")
            for level in levels:
                if level not in known:
                    raise ValueError(f"energy transfer {self.name}: {ion} has no level "
                                     f"{level!r}; its levels are {known}")
        check_range(f"{self.name}.strength_a6_s", self.strength_a6_s, "s⁻¹ Å⁶", 0.0, 1e20)
        if self.strength_avg_s is not None:
            check_range(f"{self.name}.strength_avg_s", self.strength_avg_s, "s⁻¹", 0.0, 1e15)


#: simetuc's β-NaYF4:Yb,Tm processes (config_file_Yb_Tm.cfg; Villanueva-Delgado et al.),
#: without the zero-strength and cooperative ones, plus the cross-relaxation
#: ³F3 + ³H4 → ¹D2 + ³H6 that makes ¹D2 a four-photon level at low power (slope 4 of the
#: 450 nm line, SCIENCE §7); its strength is set so that this route dominates below ~10 W/cm².
SIMETUC_YB_TM = (
    EnergyTransfer("CR50", "Tm", "1G4", "3H4", "Tm", "3H6", "3H5", 3.035e9),
    EnergyTransfer("CR30", "Tm", "3H4", "3F4", "Tm", "3H6", "3F4", 1.318e8),
    EnergyTransfer("ETU53", "Tm", "1G4", "1D2", "Tm", "3H4", "3F4", 1.821e11),
    EnergyTransfer("ETU55_1I6", "Tm", "1G4", "3H5", "Tm", "1G4", "1I6", 1.603e6),
    EnergyTransfer("CR_F3H4", "Tm", "3F3", "3H6", "Tm", "3H4", "1D2", 1e11),
    EnergyTransfer("BackET", "Tm", "3H4", "3H6", "Yb", "2F7/2", "2F5/2", 1.312e7),
    EnergyTransfer("ETU1", "Yb", "2F5/2", "2F7/2", "Tm", "3H6", "3H5", 7.377e7),
    EnergyTransfer("ETU2", "Yb", "2F5/2", "2F7/2", "Tm", "3F4", "3F3", 1.563e8),
    EnergyTransfer("ETU3", "Yb", "2F5/2", "2F7/2", "Tm", "3H4", "1G4", 1.142e10),
)

SIMETUC_TM_LIFETIMES_S = (("3F4", 12e-3), ("3H5", 25e-6), ("3H4", 2e-3), ("3F3", 2e-6),
                          ("1G4", 775e-6), ("1D2", 67.5e-6), ("1I6", 101.8e-6))
SIMETUC_TM_BRANCHING = (("3H5", "3F4", 0.4), ("3H4", "3F4", 0.3), ("3H4", "3H5", 0.1),
                        ("3F3", "3H4", 0.999), ("1G4", "3F4", 0.15), ("1G4", "3H5", 0.16),
                        ("1G4", "3H4", 0.04), ("1G4", "3F3", 0.02), ("1D2", "3F4", 0.43),
                        ("1I6", "3F4", 0.6), ("1I6", "3H4", 0.16), ("1I6", "1G4", 0.14))

FLUORIDES = list_materials(kind="fluoride")
PEROVSKITES = tuple(BULK_GAP_EV)
EXCITATIONS_NM = (365.0, 400.0, 980.0)


@dataclass(frozen=True)
class TransferParams:
    """One particle class: composition, geometry and every rate constant of §6–§7.

    Defaults: P1's LnNP40 core, β-NaGd0.79F4:Yb0.2,Tm0.01, 7.6 nm, bare (no shells, no
    perovskite), with simetuc's β-NaYF4:Yb,Tm lifetimes, branching ratios and transfer
    strengths. (The α/β-LnNPs of P1's heterostructure comparisons E4–E6 carry Yb0.3.) Where
    each remaining constant comes from:

    * Yb³⁺ absorption at 980 nm: σ = 1e-20 cm² with the 4/3 degeneracy ratio of stimulated
      emission (SCIENCE §7); ``tm_classes`` (4 radial Tm classes) is a numerical resolution.

    * Quenching of the lanthanides (§6), fixed by P1's Yb lifetimes: C_s = 4500 nm³/s puts
      the bare 7.6 and 9.2 nm cores at 39 and 47 µs (43 ± 5 µs; the model's surface-to-volume
      dependence leaves only a ±2 % window for C_s); the vacancy term (0.5 % vacancies,
      C_v = 94 s⁻¹ at R_v = 1 nm, ≈ 1100 s⁻¹ per Yb) brings the core–shell–shell, where the
      surface is 2.5 nm away and only bulk defects remain, to 561 µs (553 ± 80 µs). P1 fixes
      only the product x_v C_v (0.47 s⁻¹); C_v itself, the strength of one vacancy, is fixed
      by P2's annealed particles at 4 W/cm² (:mod:`~lnhet_widgets.core.annealing`: A3, the
      pristine particle's Tm 450 nm lifetime within a factor 2 of 0.10 ms with the docked
      gain ≤ 300×), and x_v follows from the product. Bulk defects are what annealing removes
      (SCIENCE §5).
    * The perovskite and its interface — exciton radiative lifetime, capture rate of one
      empty trap, lifetime of a filled trap, interface trap density on a β core and its
      scale by the core's structure (:data:`INTERFACE_DEFECT_SCALE`), bulk trap density and
      absorption cross-section — are those of :mod:`~lnhet_widgets.core.optics.perovskite_constants`
      (one value per quantity, each with its source there; the kinetic ones are fixed by the
      bleach targets E2/E3). The default shell's bulk traps are those of P1's 220 °C
      heterostructure synthesis, :func:`bulk_trap_density_nm3` (220 °C).
    * C_int = 6.4e4 nm³/s, the Yb³⁺ → interface-defect coupling on a β core, is fixed by E1:
      with the shell in place the ligands no longer quench (contact 1) and the interface
      takes over, giving LnNP40@CsPbBr3 (16.7 nm cube) 31.2 µs against 39.1 µs bare,
      η = 0.20 (P1: 43 → 34 µs, η ≈ 0.21; with the bare core at 39 µs, τ_DA = 34 ± 4 µs and
      η = 0.21 ± 0.05 hold together only for 30.0–32.8 µs, whose middle this is).
    * The exciton's transfer to Yb (365/400 nm → 980 nm, P1 Fig. 2h) is the bleach model's
      k_Ln = C_Ln x_Yb πd² (C_Ln: :data:`~lnhet_widgets.core.optics.perovskite_constants.
      LN_TRANSFER_RATE_NS_NM2`, fixed by E2). With it and the shared trap constants, E4 comes out
      1.64× per mass and 1.63× in NIR PLQE (P1: 1.6× and 2×).
    * The defect → Yb rate, 1e8 s⁻¹, is not fixed by a P1 number: E1 fixes only the net loss
      C_int · k_loss / (k_loss + k_D→Yb), with k_loss = 1/TRAP_LIFETIME_NS, and E4's ratios
      do not depend on it (3e7–1e9 s⁻¹ move them by < 0.3 %). 10 ns is an estimate, fast
      against the trap's own decay, so that a trapped exciton too reaches Yb.
    * V_LRET = 1.0e3 nm³ is fixed by E6 at P1's 2 W cm⁻² (Fig. 2f,g): the sample that the
      growth model makes at 220 °C from P1's Yb0.3 β-LnNPs is 11.7× greener per 646 nm line
      than bare β-LnNPs (P1: more than 10×; the round volume nearest a 20 % margin). The ideal
      continuum Förster estimate, 9κ²α(400) λ⁴ / (128π⁵n⁴) with α(400) = 1e5 cm⁻¹, κ² = 2/3,
      n = 1.5 and λ = 400 nm, is ≈ 8e3 nm³: the interface passes about 12 % of the ideal
      coupling.
      (At 1 kW cm⁻², where it was fixed before, 100 nm³ — 1 % of ideal — sufficed.)

    Examples
    --------
    >>> TransferParams(core_diameter_nm=9.2).tm_fraction
    0.01
    >>> TransferParams(yb_fraction=1.2)
    Traceback (most recent call last):
    ...
    ValueError: yb_fraction = 1.2 is outside the allowed range [0, 1]
    """

    host: str = param("beta-NaGdF4", label="Core phase", choices=FLUORIDES)
    core_diameter_nm: float = param(7.6, label="Core diameter", unit="nm", min=0.0, max=30.0,
                                    step=0.1, description="0: a perovskite nanocrystal alone")
    yb_fraction: float = param(0.2, label="Yb", min=0.0, max=1.0, step=0.01,
                               description="fraction of the core's RE sites")
    tm_fraction: float = param(0.01, label="Tm", min=0.0, max=0.2, step=0.001,
                               description="fraction of the core's RE sites")
    active_shell_nm: float = param(0.0, label="Active shell", unit="nm", min=0.0, max=10.0,
                                   step=0.1, description="Yb-rich fluoride shell thickness")
    active_shell_yb_fraction: float = param(0.7, label="Active-shell Yb", min=0.0, max=1.0,
                                            step=0.01)
    inert_shell_nm: float = param(0.0, label="Inert shell", unit="nm", min=0.0, max=10.0,
                                  step=0.1, description="undoped fluoride shell thickness")
    perovskite: str = param("CsPbBr3", label="Perovskite", choices=PEROVSKITES)
    perovskite_edge_nm: float = param(0.0, label="Perovskite edge", unit="nm", min=0.0,
                                      max=40.0, step=0.1,
                                      description="cube edge of the shell; 0: no perovskite")
    contact_factor: float = param(1.0, label="Contact", min=0.0, max=1.0, step=0.05,
                                  description="1: core–shell contact, 0: separate particles")
    yb_lifetime_s: float = 2.5e-3
    tm_lifetimes_s: tuple = SIMETUC_TM_LIFETIMES_S
    tm_branching: tuple = SIMETUC_TM_BRANCHING
    energy_transfer: tuple = SIMETUC_YB_TM
    yb_cross_section_cm2: float = 1e-20
    yb_degeneracy_ratio: float = 4.0 / 3.0
    surface_quenching_nm3_s: float = param(4.5e3, label="Surface quenching C_s",
                                           unit="nm³/s", min=0.0, max=1e6)
    vacancy_fraction: float = param(0.005, label="Vacancies", min=0.0, max=0.2, step=0.001,
                                    description="fraction of cation sites vacant")
    vacancy_quenching_s: float = 94.0
    vacancy_radius_nm: float = 1.0
    tm_classes: int = 4
    interface_transfer_nm3_s: float = param(6.4e4, label="Yb → interface defects C_int",
                                            unit="nm³/s", min=0.0, max=1e6,
                                            description="on a β (hexagonal) core; scaled by "
                                                        "INTERFACE_DEFECT_SCALE for others")
    lret_volume_nm3: float = param(1.0e3, label="LRET volume", unit="nm³", min=0.0, max=1e5,
                                   description="Förster R₀⁶ × acceptor density at 400 nm")
    exciton_lifetime_ns: float = param(EXCITON_RADIATIVE_LIFETIME_NS,
                                       label="Exciton radiative lifetime", unit="ns",
                                       min=0.1, max=100.0)
    trapping_rate_per_defect_s: float = 1e9 / TRAP_CAPTURE_TIME_NS
    interface_defects_nm2: float = param(INTERFACE_TRAP_DENSITY_NM2, label="Interface defects",
                                         unit="nm⁻²", min=0.0, max=1.0,
                                         description="on a β (hexagonal) core; scaled by "
                                                     "INTERFACE_DEFECT_SCALE for others")
    bulk_defects_nm3: float = param(bulk_trap_density_nm3(HETEROSTRUCTURE_SYNTHESIS_C),
                                    label="Shell defects", unit="nm⁻³", min=0.0, max=0.1,
                                    description="bulk traps of the perovskite; default: "
                                                "a synthesis at 220 °C")
    defect_lifetime_ns: float = TRAP_LIFETIME_NS
    defect_to_yb_rate_s: float = param(1e8, label="Defect → Yb", unit="s⁻¹", min=0.0,
                                       max=1e12)
    perovskite_cross_section_cm2: float = CROSS_SECTION_PER_VOLUME_CM2_NM3 * 1e3
    #: Coupling of Tm³⁺ ³F4 to the vacancy-related defects (§6's C_v term) relative to Yb³⁺
    #: and the other Tm levels. The defects quench by energy transfer to their own electronic
    #: states, which absorb in the visible and near infrared; the emission of ³F4 → ³H6 at
    #: 1.8 µm (5,600 cm⁻¹) lies below them, so ³F4 is not coupled (0). Fixed by A3 (with the
    #: same coupling as Yb³⁺ no C_v gives both P2's docked gain and the pristine lifetime) and
    #: the same for P1's particles (one value per constant), where it brings E5 within its
    #: tolerance. 1 couples every level alike.
    vacancy_quenching_3f4_factor: float = 0.0

    def __post_init__(self):
        if self.host not in FLUORIDES:
            raise ValueError(f"host must be one of {FLUORIDES}, got {self.host!r}")
        if self.perovskite not in PEROVSKITES:
            raise ValueError(f"perovskite must be one of {PEROVSKITES}, got {self.perovskite!r}")
        for name, unit, low, high in _RANGES:
            check_range(name, getattr(self, name), unit, low, high)
        if self.yb_fraction + self.tm_fraction > 1:
            raise ValueError("yb_fraction + tm_fraction must not exceed 1")
        if self.core_diameter_nm == 0 and self.perovskite_edge_nm == 0:
            raise ValueError("a particle needs a core (core_diameter_nm > 0) or a perovskite "
                             "(perovskite_edge_nm > 0)")
        if self.perovskite_edge_nm and self.perovskite_edge_nm < self.outer_diameter_nm:
            raise ValueError(f"perovskite_edge_nm = {self.perovskite_edge_nm:g} nm must be at "
                             f"least the fluoride particle's diameter "
                             f"({self.outer_diameter_nm:g} nm)")
        if self.core_diameter_nm and 0 < self.core_diameter_nm < 1.0:
            raise ValueError(f"core_diameter_nm = {self.core_diameter_nm:g} nm is outside the "
                             "allowed range 0 or [1, 30] nm")
        lifetimes = dict(self.tm_lifetimes_s)
        missing = set(TM_LEVELS[1:]) - set(lifetimes)
        if missing:
            raise ValueError(f"tm_lifetimes_s lacks the levels {sorted(missing)}")
        for level, tau in lifetimes.items():
            check_range(f"tm_lifetimes_s[{level}]", tau, "s", 0.0, 10.0, low_inclusive=False)
        totals = {}
        for upper, lower, ratio in self.tm_branching:
            if TM_LEVELS.index(lower) >= TM_LEVELS.index(upper):
                raise ValueError(f"tm_branching {upper}->{lower} must go to a lower level")
            totals[upper] = totals.get(upper, 0.0) + check_range(
                f"tm_branching[{upper}->{lower}]", ratio, "", 0.0, 1.0)
        for upper, total in totals.items():
            if total > 1 + 1e-9:
                raise ValueError(f"the branching ratios from {upper} sum to {total:g} > 1")
        object.__setattr__(self, "tm_classes", int(self.tm_classes))

    @property
    def outer_diameter_nm(self) -> float:
        """Diameter of the fluoride particle with its shells, nm."""
        if self.core_diameter_nm == 0:
            return 0.0
        return self.core_diameter_nm + 2 * (self.active_shell_nm + self.inert_shell_nm)

    @property
    def has_perovskite(self) -> bool:
        return self.perovskite_edge_nm > 0

    @property
    def has_lanthanides(self) -> bool:
        return self.core_diameter_nm > 0 and (self.yb_fraction > 0 or self.tm_fraction > 0)


_RANGES = (
    ("core_diameter_nm", "nm", 0.0, 30.0),
    ("yb_fraction", "", 0.0, 1.0),
    ("tm_fraction", "", 0.0, 0.2),
    ("active_shell_nm", "nm", 0.0, 10.0),
    ("active_shell_yb_fraction", "", 0.0, 1.0),
    ("inert_shell_nm", "nm", 0.0, 10.0),
    ("perovskite_edge_nm", "nm", 0.0, 40.0),
    ("contact_factor", "", 0.0, 1.0),
    ("yb_lifetime_s", "s", 1e-7, 1.0),
    ("yb_cross_section_cm2", "cm²", 0.0, 1e-15),
    ("yb_degeneracy_ratio", "", 0.0, 10.0),
    ("surface_quenching_nm3_s", "nm³/s", 0.0, 1e6),
    ("vacancy_fraction", "", 0.0, 0.2),
    ("vacancy_quenching_s", "s⁻¹", 0.0, 1e9),
    ("vacancy_radius_nm", "nm", 0.1, 5.0),
    ("tm_classes", "", 1, 16),
    ("interface_transfer_nm3_s", "nm³/s", 0.0, 1e6),
    ("lret_volume_nm3", "nm³", 0.0, 1e5),
    ("exciton_lifetime_ns", "ns", 0.1, 100.0),
    ("trapping_rate_per_defect_s", "s⁻¹", 0.0, 1e13),
    ("interface_defects_nm2", "nm⁻²", 0.0, 1.0),
    ("bulk_defects_nm3", "nm⁻³", 0.0, 0.1),
    ("defect_lifetime_ns", "ns", 0.01, 1e6),
    ("defect_to_yb_rate_s", "s⁻¹", 0.0, 1e12),
    ("perovskite_cross_section_cm2", "cm²", 0.0, 1e-10),
    ("vacancy_quenching_3f4_factor", "", 0.0, 1.0),
)


# ----------------------------------------------------------------------------- the particle
@dataclass(frozen=True)
class _Geometry:
    """Ion counts and mean geometric factors of one particle class."""

    n_yb: float
    n_tm: float
    pairs: dict  # (donor, acceptor) → number of site pairs Π_DA
    yb_surface: float  # mean g(r) over Yb, nm⁻³, to the outside of the fluoride particle
    yb_interface: float  # mean g(r) over Yb to the outside of the core (perovskite side)
    tm_surface: np.ndarray  # per Tm class
    tm_interface: np.ndarray
    tm_share: np.ndarray
    defects: float
    perovskite_volume_nm3: float
    yb_vacancy_s: float  # mean vacancy quenching rate of the Yb ions, s⁻¹
    tm_vacancy_s: np.ndarray  # per Tm class


@functools.lru_cache(maxsize=64)
def _geometry(p: TransferParams) -> _Geometry:
    core_r = p.core_diameter_nm / 2
    outer_r = p.outer_diameter_nm / 2
    pv_volume = 0.0
    if p.has_perovskite:
        pv_volume = p.perovskite_edge_nm**3 - 4 / 3 * np.pi * outer_r**3
    defects = 0.0
    if p.has_perovskite:
        defects = (p.interface_defects_nm2 * interface_defect_scale(p.host) * 4 * np.pi
                   * outer_r**2 + p.bulk_defects_nm3 * pv_volume)
    if not p.has_lanthanides:
        empty = np.zeros(0)
        return _Geometry(0.0, 0.0, {}, 0.0, 0.0, empty, empty, empty, defects, pv_volume, 0.0,
                         empty)
    active_r = core_r + p.active_shell_nm
    sites = cation_sites_nm(p.host, 2 * active_r)
    radius = np.linalg.norm(sites, axis=1)
    in_core = radius < core_r
    shell = ~in_core
    n_core, n_shell = in_core.sum(), shell.sum()
    conc = {"Yb": (p.yb_fraction, p.active_shell_yb_fraction if p.active_shell_nm else 0.0),
            "Tm": (p.tm_fraction, 0.0)}
    pairs = {(d, a): n_core * conc[d][0] * conc[a][0] + n_shell * conc[d][1] * conc[a][1]
             for d in conc for a in conc}
    n_yb = n_core * conc["Yb"][0] + n_shell * conc["Yb"][1]
    n_tm = n_core * p.tm_fraction
    # acceptors start half a cation spacing beyond the outermost cation layer (the fluoride
    # layer and the ligand head group or the first perovskite layer lie in between)
    gap = 0.5 * cation_site_density_nm3(p.host) ** (-1 / 3)
    g_surface = continuum_factor_nm3(radius, outer_r + gap)
    # the perovskite wets the core surface only when no fluoride shell covers it
    g_interface = (continuum_factor_nm3(radius, core_r + gap) if core_r == outer_r
                   else np.zeros_like(radius))
    yb_weight = np.where(in_core, conc["Yb"][0], conc["Yb"][1])
    yb_surface = float(np.sum(yb_weight * g_surface) / max(np.sum(yb_weight), 1e-300))
    yb_interface = float(np.sum(yb_weight * g_interface) / max(np.sum(yb_weight), 1e-300))
    order = np.argsort(g_surface[in_core])
    surf, share = radial_classes(g_surface[in_core][order], p.tm_classes)
    interface, _ = radial_classes(g_interface[in_core][order], p.tm_classes)
    # vacancies at random at the fraction x_v, in the mean field: C_v x_v R_v⁶ L per ion
    vacancy = (p.vacancy_quenching_s * p.vacancy_fraction * (p.vacancy_radius_nm * 10) ** 6
               * cation_lattice_sum_a6(p.host))
    return _Geometry(float(n_yb), float(n_tm), pairs, yb_surface, yb_interface, surf,
                     interface, share, defects, pv_volume, vacancy, np.full(share.size, vacancy))


@dataclass(frozen=True, eq=False)
class IonSites:
    """Where the optically active ions of one fluoride particle sit, e.g. a snapshot of an
    anneal (SCIENCE §5): explicit Yb³⁺ and Tm³⁺ positions and the cation vacancies that quench
    them, among all the particle's cation sites ``sites_nm``, in a particle of outer radius
    ``radius_nm`` whose surface carries the ligand quenchers (§6). Positions are relative to
    the particle centre, nm, shape (n, 3).

    Given to :func:`steady_state`, :func:`dynamics` or :func:`yb_lifetime_us` as ``sites``, it
    replaces the uniform doping of ``TransferParams`` (its composition, diameters and mean-field
    vacancy fraction); the rate constants still come from ``TransferParams``. Compared by
    identity: one object per configuration.

    Examples
    --------
    >>> from lnhet_widgets.core.optics import cation_sites_nm
    >>> lattice = cation_sites_nm("beta-NaGdF4", 4.0)
    >>> sites = IonSites(sites_nm=lattice, yb_nm=lattice[:100], tm_nm=lattice[100:105],
    ...                  vacancies_nm=lattice[105:110], radius_nm=2.0)
    >>> sites.yb_nm.shape, sites.radius_nm
    ((100, 3), 2.0)
    """

    sites_nm: np.ndarray
    yb_nm: np.ndarray
    tm_nm: np.ndarray
    vacancies_nm: np.ndarray
    radius_nm: float

    def __post_init__(self):
        for name in ("sites_nm", "yb_nm", "tm_nm", "vacancies_nm"):
            value = np.asarray(getattr(self, name), dtype=float).reshape(-1, 3)
            object.__setattr__(self, name, value)
        check_range("radius_nm", self.radius_nm, "nm", 0.5, 20.0)
        if len(self.yb_nm) + len(self.tm_nm) == 0:
            raise ValueError("IonSites needs at least one Yb or Tm ion")
        for name in ("yb_nm", "tm_nm"):
            r = np.linalg.norm(getattr(self, name), axis=1)
            if r.size and r.max() >= self.radius_nm:
                raise ValueError(f"{name}: an ion at {r.max():.3g} nm lies outside radius_nm = "
                                 f"{self.radius_nm:g} nm")


#: Radius of the neighbourhood whose concentrations of acceptors and vacancies set an ion's
#: transfer and quenching rates, nm. The average rate equations give every ion of a class the
#: same rate, C · c · L; an explicit Σ 1/r⁶ over one configuration would instead be dominated
#: by the few partners that happen to sit next to an ion (at 1 % Tm one nearest-neighbour pair
#: doubles the Tm–Tm sum). A local concentration keeps where ions and vacancies went
#: (intermixing dilutes, vacancies gather at interfaces) without that noise.
_LOCAL_RADIUS_NM = 1.5


def _local_counts(centres_nm, others_nm) -> np.ndarray:
    """How many of ``others_nm`` lie within :data:`_LOCAL_RADIUS_NM` of each centre (itself
    excluded)."""
    if len(others_nm) == 0 or len(centres_nm) == 0:
        return np.zeros(len(centres_nm))
    tree = cKDTree(others_nm)
    within = tree.query_ball_point(centres_nm, _LOCAL_RADIUS_NM, return_length=True)
    itself = tree.query_ball_point(centres_nm, 1e-6, return_length=True)
    return (within - itself).astype(float)


#: Vacancies farther than this from an ion are left out of its §6 sum, nm: one at 3 nm adds
#: (R_v/3 nm)⁶ ≈ 1/700 of C_v, against ≈ 460 C_v for a vacant nearest-neighbour site.
_VACANCY_CUTOFF_NM = 3.0


def _vacancy_sums(ions_nm, vacancies_nm, radius_nm: float) -> np.ndarray:
    """Σ_v (R_v / |r_i − r_v|)⁶ over the vacancies within :data:`_VACANCY_CUTOFF_NM` of each
    ion (SCIENCE §6)."""
    out = np.zeros(len(ions_nm))
    if len(ions_nm) == 0 or len(vacancies_nm) == 0:
        return out
    near = cKDTree(ions_nm).sparse_distance_matrix(cKDTree(vacancies_nm), _VACANCY_CUTOFF_NM,
                                                   output_type="ndarray")
    np.add.at(out, near["i"], (radius_nm / near["v"]) ** 6)
    return out


def _site_geometry(p: TransferParams, sites: IonSites) -> _Geometry:
    if p.has_perovskite:
        raise ValueError("sites describe a fluoride particle: set perovskite_edge_nm = 0")
    # The mean-field transfer rates are C · L · Π_DA with Π_DA = Σ_donors c_A; here the
    # concentrations are those around each ion. Vacancies quench by §6's explicit sum, whose
    # mean over vacancies at random, C_v x_v R_v⁶ L, is the mean field of the uniform particle:
    # where vacancies gather (an interface band, the surface) its r⁻⁶ reach matters, and a
    # 1.5 nm count would quench an ion 1 nm below a vacancy-rich surface as if they were its
    # neighbours.
    positions = {"Yb": sites.yb_nm, "Tm": sites.tm_nm}
    around = {name: np.maximum(_local_counts(ions, sites.sites_nm), 1.0)
              for name, ions in positions.items()}
    pairs = {(d, a): float(np.sum(_local_counts(positions[d], positions[a]) / around[d]))
             for d in positions for a in positions}
    gap = 0.5 * cation_site_density_nm3(p.host) ** (-1 / 3)
    surface = sites.radius_nm + gap

    def quench(name):
        ions = positions[name]
        g = continuum_factor_nm3(np.linalg.norm(ions, axis=1), surface)
        return g, p.vacancy_quenching_s * _vacancy_sums(ions, sites.vacancies_nm,
                                                        p.vacancy_radius_nm)

    yb_g, yb_vacancy = quench("Yb")
    tm_g, tm_vacancy = quench("Tm")
    # Tm classes by their total quenching rate, each class keeping the means of both parts
    order = np.argsort(p.surface_quenching_nm3_s * tm_g + tm_vacancy)
    groups = np.array_split(order, min(p.tm_classes, order.size)) if order.size else []
    n_tm = float(len(sites.tm_nm))
    empty = np.zeros(0)
    return _Geometry(
        float(len(sites.yb_nm)), n_tm, pairs,
        float(yb_g.mean()) if yb_g.size else 0.0, 0.0,
        np.array([tm_g[g].mean() for g in groups]) if n_tm else empty,
        np.zeros(len(groups)),
        np.array([g.size / n_tm for g in groups]) if n_tm else empty,
        0.0, 0.0, float(yb_vacancy.mean()) if yb_vacancy.size else 0.0,
        np.array([tm_vacancy[g].mean() for g in groups]) if n_tm else empty)


def perovskite_gap_ev(p: TransferParams) -> float:
    """Band gap of the particle's perovskite: bulk gap plus confinement in the real shell
    geometry (§8, :func:`~lnhet_widgets.core.optics.exciton_gap_ev`), eV.

    Examples
    --------
    >>> round(perovskite_gap_ev(TransferParams(core_diameter_nm=0, perovskite_edge_nm=9.5)), 2)
    2.48
    """
    if not p.has_perovskite:
        raise ValueError("the particle has no perovskite (perovskite_edge_nm = 0)")
    return _gap_of_geometry(p.perovskite, p.perovskite_edge_nm, p.outer_diameter_nm)


@functools.lru_cache(maxsize=64)
def _gap_of_geometry(perovskite: str, edge_nm: float, core_diameter_nm: float) -> float:
    # cached by geometry alone: the eigen-solution takes ~0.4 s and no rate constant changes it
    cores = (core_diameter_nm,) if core_diameter_nm else ()
    return exciton_gap_ev(perovskite, edge_nm, core_diameters_nm=cores)


# Absorption at 400 nm below this (the continuum is ~1.1 in these units) means the shell does
# not absorb there at all.
_MIN_ALPHA_400 = 1e-3


def _relative_absorption(p: TransferParams, wavelength_nm) -> np.ndarray:
    """Perovskite absorption at ``wavelength_nm`` relative to 400 nm (Elliott edge, §8)."""
    gap = perovskite_gap_ev(p)
    energies = HC_EV_NM / np.append(np.atleast_1d(wavelength_nm), 400.0)
    alpha = absorption_spectrum(energies, gap_ev=gap,
                                binding_ev=EXCITON_BINDING_ENERGY_EV[p.perovskite])
    # The Förster and pump rates are scaled to the absorption at 400 nm (3.10 eV); a shell
    # so thin that confinement lifts its gap above that has nothing to scale to.
    if not alpha[-1] > _MIN_ALPHA_400:
        raise ValueError(
            f"perovskite_edge_nm = {p.perovskite_edge_nm:g} nm around a "
            f"{p.core_diameter_nm:g} nm core confines the {p.perovskite} exciton to a gap of "
            f"{gap:.2f} eV, above 400 nm (3.10 eV), where the model's absorption is "
            "referenced; choose a thicker shell"
        )
    return alpha[:-1] / alpha[-1]


# ----------------------------------------------------------------------------- the system
@dataclass(frozen=True)
class RateSystem:
    """The rate equations of one particle class at one excitation wavelength, as the numba
    kernels take them (see :mod:`lnhet_widgets.core.optics._transfer_kernel`): the species blocks
    ``(name, levels, ions per particle)`` and their offsets in the population vector, the
    linear terms ``(from, to, rate s⁻¹)``, the pump terms per W cm⁻², the pair terms
    ``(donor from, donor to, acceptor from, acceptor to, w_donor, w_acceptor)`` and the
    emission lines ``(ion, upper, lower, nm, population indices, rate s⁻¹)``.
    """

    species: tuple  # (name, levels, count per particle)
    offsets: tuple
    lin: tuple  # from, to, rate
    pump: tuple  # from, to, rate per W cm⁻²
    pair: tuple  # df, dt, af, at, wd, wa
    line_rates: tuple  # (ion, upper, lower, nm, species index list, level index, rate)
    excitation_nm: float

    @property
    def size(self) -> int:
        return sum(len(levels) for _, levels, _ in self.species)

    def ground_state(self) -> np.ndarray:
        y = np.zeros(self.size)
        for offset in self.offsets:
            y[offset] = 1.0
        return y


@functools.lru_cache(maxsize=64)
def rate_system(p: TransferParams, excitation_nm: float,
                sites: IonSites | None = None) -> RateSystem:
    """Assemble the rate equations of ``p`` under ``excitation_nm`` (cached per parameter set),
    for its uniformly doped particle or for the explicit ions of ``sites``.

    Multiplying its terms by a :class:`TransferResult`'s populations gives the flux of every
    process, which is what the energy-level diagram draws.

    Examples
    --------
    >>> system = rate_system(TransferParams(), 980.0)
    >>> system.species[0][:2], system.size
    (('Yb', ('2F7/2', '2F5/2')), 34)
    """
    geo = _geometry(p) if sites is None else _site_geometry(p, sites)
    species, offsets = [], []

    def add(name, levels, count):
        offsets.append(sum(len(lv) for _, lv, _ in species))
        species.append((name, levels, count))
        return offsets[-1]

    yb = add("Yb", YB_LEVELS, geo.n_yb) if geo.n_yb > 0 else None
    tm = [add(f"Tm{k}", TM_LEVELS, geo.n_tm * share) for k, share in enumerate(geo.tm_share)
          ] if geo.n_tm > 0 else []
    exciton = add("exciton", EXCITON_LEVELS, 1.0) if p.has_perovskite else None
    defect = add("defect", DEFECT_LEVELS, geo.defects) if geo.defects > 0 else None
    lin, pump, pair = [], [], []
    coupled = p.contact_factor if (p.has_perovskite and p.has_lanthanides) else 0.0
    ligand_share = 1.0 - (p.contact_factor if p.has_perovskite else 0.0)
    photon_j = _H_J_S * _C_M_S / (excitation_nm * 1e-9)

    if yb is not None:
        k_yb = 1 / p.yb_lifetime_s + geo.yb_vacancy_s + (
            p.surface_quenching_nm3_s * geo.yb_surface * ligand_share)
        lin.append((yb + 1, yb, k_yb))
        if excitation_nm == 980.0:
            rate = p.yb_cross_section_cm2 / photon_j
            pump.append((yb, yb + 1, rate))
            pump.append((yb + 1, yb, rate * p.yb_degeneracy_ratio))
    tau = dict(p.tm_lifetimes_s)
    branch = {}
    for upper, lower, ratio in p.tm_branching:
        branch.setdefault(upper, {})[lower] = ratio
    line_rates = []
    for k, base in enumerate(tm):
        surface = p.surface_quenching_nm3_s * geo.tm_surface[k] * ligand_share
        for i, level in enumerate(TM_LEVELS[1:], start=1):
            coupling = p.vacancy_quenching_3f4_factor if level == "3F4" else 1.0
            quench = coupling * geo.tm_vacancy_s[k] + surface
            k_total = 1 / tau[level]
            ratios = branch.get(level, {})
            to_ground = 1.0 - sum(ratios.values())
            for lower, ratio in ((TM_LEVELS[0], to_ground), *ratios.items()):
                if ratio > 0:
                    lin.append((base + i, base + TM_LEVELS.index(lower), k_total * ratio))
            lin.append((base + i, base, quench))
    for ion, upper, lower, nm in LINES:
        if ion == "Yb" and yb is not None:
            line_rates.append((ion, upper, lower, nm, (yb + 1,), 1 / p.yb_lifetime_s))
        elif ion == "Tm" and tm:
            ratios = branch.get(upper, {})
            ratio = ratios.get(lower, 1.0 - sum(ratios.values()) if lower == "3H6" else 0.0)
            line_rates.append((ion, upper, lower, nm,
                               tuple(b + TM_LEVELS.index(upper) for b in tm),
                               ratio / tau[upper]))

    # lanthanide energy transfer (mean field over the host's cation lattice)
    lattice = cation_lattice_sum_a6(p.host) if p.has_lanthanides else 0.0
    blocks = {"Yb": [(yb, geo.n_yb, 1.0)] if yb is not None else [],
              "Tm": [(b, geo.n_tm * s, s) for b, s in zip(tm, geo.tm_share, strict=True)]}
    for et in p.energy_transfer:
        n_pairs = geo.pairs.get((et.donor, et.acceptor), 0.0)
        for d_base, n_d, _ in blocks[et.donor]:
            for a_base, n_a, a_share in blocks[et.acceptor]:
                if n_pairs == 0 or n_d == 0 or n_a == 0:
                    continue
                levels_d = YB_LEVELS if et.donor == "Yb" else TM_LEVELS
                levels_a = YB_LEVELS if et.acceptor == "Yb" else TM_LEVELS
                if et.strength_avg_s is not None:
                    wd = wa = et.strength_avg_s
                else:
                    # Π_DA is split over acceptor classes by their share, and over donor
                    # classes in proportion to their number
                    d_share = n_d / sum(n for _, n, _ in blocks[et.donor])
                    events = et.strength_a6_s * lattice * n_pairs * d_share * a_share
                    wd, wa = events / n_d, events / n_a
                pair.append((d_base + levels_d.index(et.donor_from),
                             d_base + levels_d.index(et.donor_to),
                             a_base + levels_a.index(et.acceptor_from),
                             a_base + levels_a.index(et.acceptor_to), wd, wa))

    if exciton is not None:
        lin.append((exciton + 1, exciton, 1e9 / p.exciton_lifetime_ns))
        line_rates.append(("CsPbX3", "X", "G", HC_EV_NM / perovskite_peak_ev(p),
                           (exciton + 1,), 1e9 / p.exciton_lifetime_ns))
        if excitation_nm in (365.0, 400.0):
            sigma = (p.perovskite_cross_section_cm2 * geo.perovskite_volume_nm3 / 1e3
                     * float(_relative_absorption(p, excitation_nm)[0]))
            pump.append((exciton, exciton + 1, sigma / photon_j))
        if defect is not None:
            k_trap = p.trapping_rate_per_defect_s
            pair.append((exciton + 1, exciton, defect, defect + 1, k_trap * geo.defects, k_trap))
            lin.append((defect + 1, defect, 1e9 / p.defect_lifetime_ns))
        if coupled > 0 and tm:
            uppers = [(u, lo, nm) for ion, u, lo, nm in LINES if ion == "Tm"]
            absorb = _relative_absorption(p, [nm for *_, nm in uppers])
            for (upper, lower, _), rel in zip(uppers, absorb, strict=True):
                ratios = branch.get(upper, {})
                ratio = ratios.get(lower, 1.0 - sum(ratios.values()) if lower == "3H6" else 0)
                a_line = ratio / tau[upper]
                for k, base in enumerate(tm):
                    wd = coupled * a_line * p.lret_volume_nm3 * rel * geo.tm_interface[k]
                    if wd > 0:
                        pair.append((base + TM_LEVELS.index(upper),
                                     base + TM_LEVELS.index(lower), exciton, exciton + 1,
                                     wd, wd * geo.n_tm * geo.tm_share[k]))
        if coupled > 0 and yb is not None and defect is not None:
            wd = (coupled * p.interface_transfer_nm3_s * interface_defect_scale(p.host)
                  * geo.yb_interface)
            pair.append((yb + 1, yb, defect, defect + 1, wd, wd * geo.n_yb / geo.defects))
            wd = coupled * p.defect_to_yb_rate_s
            pair.append((defect + 1, defect, yb, yb + 1, wd, wd * geo.defects / geo.n_yb))
        if coupled > 0 and yb is not None and geo.yb_interface > 0:
            # The exciton's own transfer to Yb³⁺ through the interface, k_Ln = C_Ln x_Yb πd²:
            # the rate of the bleach model (transient, fixed by E2), so that both models give
            # the heterostructure's exciton one lifetime.
            k_ln = (coupled * LN_TRANSFER_RATE_NS_NM2 * 1e9 * p.yb_fraction
                    * np.pi * p.core_diameter_nm**2)
            pair.append((exciton + 1, exciton, yb, yb + 1, k_ln, k_ln / geo.n_yb))

    return RateSystem(tuple(species), tuple(offsets), _columns(lin, 2), _columns(pump, 2),
                   _columns(pair, 4), tuple(line_rates), float(excitation_nm))


def _columns(rows, n_index):
    """Rows of (index…, value…) → a tuple of column arrays, int64 for the indices."""
    width = n_index + (1 if n_index == 2 else 2)
    if not rows:
        return tuple(np.zeros(0, dtype=np.int64 if i < n_index else float)
                     for i in range(width))
    return tuple(np.array(col, dtype=np.int64 if i < n_index else float)
                 for i, col in enumerate(zip(*rows, strict=True)))


def perovskite_peak_ev(p: TransferParams) -> float:
    """Emission peak of the particle's perovskite: gap − exciton binding − Stokes shift, eV."""
    return perovskite_gap_ev(p) - EXCITON_BINDING_ENERGY_EV[p.perovskite] - STOKES_SHIFT_EV


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Pulse:
    """A rectangular excitation pulse starting at t = 0.

    Examples
    --------
    >>> Pulse(excitation_nm=980, power_w_cm2=1e4, duration_s=10e-6).energy_j_cm2
    0.1
    """

    excitation_nm: float = 980.0
    power_w_cm2: float = 1e3
    duration_s: float = 10e-6

    def __post_init__(self):
        _check_excitation(self.excitation_nm)
        check_range("power_w_cm2", self.power_w_cm2, "W/cm²", 0.0, 1e9)
        check_range("duration_s", self.duration_s, "s", 0.0, 1.0, low_inclusive=False)

    @property
    def energy_j_cm2(self) -> float:
        return self.power_w_cm2 * self.duration_s


@dataclass(frozen=True)
class TransferResult(ResultIO):
    """Populations and emission of one particle class, at one or more powers or times.

    ``state`` holds the flat population vector per point (rows: powers of a sweep or times of
    a decay); ``intensities`` the photons emitted per second and particle in each line of
    ``line_nm`` (the perovskite band at its emission peak is one of them).

    Examples
    --------
    >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=10.0)
    >>> sorted(r.populations)[:2], r.populations["Tm"].shape
    (['Tm', 'Yb'], (8,))
    """

    excitation_nm: float
    power_w_cm2: np.ndarray
    time_s: np.ndarray
    state: np.ndarray
    species: tuple
    species_levels: tuple
    species_counts: np.ndarray
    line_nm: np.ndarray
    line_labels: tuple
    intensities: np.ndarray
    absorbed_photons_s: np.ndarray

    def _blocks(self):
        offset = 0
        for name, levels, count in zip(self.species, self.species_levels, self.species_counts,
                                       strict=True):
            yield name, offset, len(levels), count
            offset += len(levels)

    @property
    def populations(self) -> dict:
        """Level populations (fractions) per ion: ``"Yb"``, ``"Tm"`` (mean over its radial
        classes, weighted by their numbers), ``"exciton"``, ``"defect"``; the last axis runs
        over the levels, a leading axis over the powers or times of a sweep or decay."""
        out, tm_sum, tm_count = {}, None, 0.0
        for name, offset, size, count in self._blocks():
            block = self.state[:, offset:offset + size]
            if name.startswith("Tm"):
                tm_sum = block * count if tm_sum is None else tm_sum + block * count
                tm_count += count
            else:
                out[name] = block
        if tm_sum is not None:
            out["Tm"] = tm_sum / tm_count
        single = self.state.shape[0] == 1
        return {k: (v[0] if single else v) for k, v in out.items()}

    @property
    def lines(self) -> dict:
        """Emission per line: wavelength (nm) → photons s⁻¹ per particle (an array over the
        powers or times of a sweep or decay)."""
        single = self.intensities.shape[0] == 1
        return {float(nm): (self.intensities[0, i] if single else self.intensities[:, i])
                for i, nm in enumerate(self.line_nm)}

    def quantum_yield(self, low_nm: float = 0.0, high_nm: float = np.inf):
        """Photons emitted in the lines between ``low_nm`` and ``high_nm`` per absorbed photon
        (the PLQE of that window; an array over the points of a sweep).

        Examples
        --------
        >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=1e3)
        >>> bool(0 < r.quantum_yield(340, 720) < r.quantum_yield(900, 1100) < 1)
        True
        """
        window = (self.line_nm >= low_nm) & (self.line_nm <= high_nm)
        emitted = self.intensities[:, window].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(self.absorbed_photons_s > 0, emitted / self.absorbed_photons_s, 0.0)
        return out[0] if out.size == 1 else out

    def spectrum(self, wavelength_nm, *, point: int = 0) -> np.ndarray:
        """Emission spectrum (photons s⁻¹ nm⁻¹ per particle) on ``wavelength_nm``: Gaussian
        lines of 8 nm (Tm), 25 nm (Yb) and 0.08 eV (the perovskite band) full width.

        Examples
        --------
        >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=100.0)
        >>> wl = np.linspace(400, 900, 1001)
        >>> float(wl[np.argmax(r.spectrum(wl))])
        800.0
        """
        return line_spectrum(self.line_labels, self.line_nm, self.intensities[point],
                             wavelength_nm)


def line_spectrum(labels, line_nm, intensities, wavelength_nm) -> np.ndarray:
    """Emission lines as a spectrum (photons s⁻¹ nm⁻¹) on ``wavelength_nm``: Gaussian lines of
    8 nm (Tm), 25 nm (Yb; labels starting "Yb") and 0.08 eV (the perovskite band; labels
    starting "CsPbX3") full width, each of area ``intensities``.

    Examples
    --------
    >>> wl = np.linspace(400, 500, 201)
    >>> s = line_spectrum(["Tm 1D2→3F4"], [450.0], [1.0], wl)
    >>> round(float(np.trapezoid(s, wl)), 3), float(wl[np.argmax(s)])
    (1.0, 450.0)
    """
    wl = np.asarray(wavelength_nm, dtype=float)
    total = np.zeros_like(wl)
    for label, nm, value in zip(labels, line_nm, intensities, strict=True):
        if label.startswith("CsPbX3"):
            # a Gaussian of 0.08 eV FWHM in energy, expressed per nm
            sigma_ev = 0.08 / 2.3548
            energy = HC_EV_NM / np.maximum(wl, 1e-9)
            peak = HC_EV_NM / nm
            density = (np.exp(-0.5 * ((energy - peak) / sigma_ev) ** 2)
                       / (sigma_ev * np.sqrt(2 * np.pi)) * energy / wl)
        else:
            sigma = (25.0 if label.startswith("Yb") else 8.0) / 2.3548
            density = np.exp(-0.5 * ((wl - nm) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
        total += value * density
    return total


def _checked_sites(sites) -> IonSites | None:
    if sites is not None and not isinstance(sites, IonSites):
        raise ValueError(f"sites must be an IonSites, got {type(sites).__name__}")
    return sites


def _check_excitation(excitation_nm) -> float:
    value = float(excitation_nm)
    if value not in EXCITATIONS_NM:
        raise ValueError(f"excitation_nm must be one of {EXCITATIONS_NM} nm, got {excitation_nm!r}")
    return value


def _result(system: RateSystem, state: np.ndarray, power, time_s, *,
            pumping_w_cm2=None) -> TransferResult:
    state = np.atleast_2d(state)
    pumping = np.broadcast_to(power if pumping_w_cm2 is None else pumping_w_cm2,
                              state.shape[:1])
    absorbed = np.zeros(state.shape[0])
    for start, end, rate in zip(*system.pump, strict=True):
        # a downward pump term is stimulated emission: it gives a photon back
        sign = 1.0 if end > start else -1.0
        absorbed += sign * rate * pumping * _count_of(system, start) * state[:, start]
    intensities = np.zeros((state.shape[0], len(system.line_rates)))
    for j, (_, _, _, _, indices, rate) in enumerate(system.line_rates):
        for index in indices:
            count = _count_of(system, index)
            intensities[:, j] += count * rate * state[:, index]
    labels = tuple(f"{ion} {upper}→{lower}" for ion, upper, lower, *_ in system.line_rates)
    labels = tuple("CsPbX3 band" if lab.startswith("CsPbX3") else lab for lab in labels)
    return TransferResult(
        excitation_nm=system.excitation_nm,
        power_w_cm2=np.atleast_1d(np.asarray(power, dtype=float)),
        time_s=np.asarray(time_s, dtype=float),
        state=state,
        species=tuple(name for name, _, _ in system.species),
        species_levels=tuple(tuple(levels) for _, levels, _ in system.species),
        species_counts=np.array([count for *_, count in system.species], dtype=float),
        line_nm=np.array([row[3] for row in system.line_rates], dtype=float),
        line_labels=labels,
        intensities=intensities,
        absorbed_photons_s=absorbed,
    )


def _count_of(system: RateSystem, index: int) -> float:
    for offset, (_, levels, count) in zip(system.offsets, system.species, strict=True):
        if offset <= index < offset + len(levels):
            return count
    raise IndexError(index)


def _solve(system: RateSystem, power_w_cm2: float, start: np.ndarray) -> np.ndarray:
    lin_from, lin_to, lin_rate = system.lin
    pump_from, pump_to, pump_rate = system.pump
    ground = np.array(system.offsets, dtype=np.int64)
    block_end = np.array([o + len(lv) for o, (_, lv, _) in
                          zip(system.offsets, system.species, strict=True)], dtype=np.int64)
    y, _, residual = kernel.steady_state(
        start, ground, block_end, np.concatenate((lin_from, pump_from)),
        np.concatenate((lin_to, pump_to)), np.concatenate((lin_rate, pump_rate * power_w_cm2)),
        *system.pair, 1e-12)
    if not np.isfinite(residual) or residual > 1e-8:
        raise RuntimeError(f"steady state did not converge (last Newton step {residual:.2e})")
    return y


def steady_state(params: TransferParams, *, excitation_nm: float = 980.0,
                 power_w_cm2: float = 10.0, sites: IonSites | None = None) -> TransferResult:
    """Steady-state populations and emission under continuous-wave excitation.

    Parameters
    ----------
    params : TransferParams
        The particle class.
    excitation_nm : {980, 365, 400}
        980 nm pumps Yb³⁺, 365 and 400 nm the perovskite.
    power_w_cm2 : float
        Power density, W cm⁻², in [0, 1e9].
    sites : IonSites, optional
        Explicit ion positions and vacancies instead of the uniform doping of ``params``.

    Returns
    -------
    TransferResult

    Examples
    --------
    >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=1.0)
    >>> bool(0 < r.populations["Yb"][1] < 0.01)
    True
    """
    system = rate_system(params, _check_excitation(excitation_nm), _checked_sites(sites))
    power = check_range("power_w_cm2", power_w_cm2, "W/cm²", 0.0, 1e9)
    return _result(system, _solve(system, power, system.ground_state()), power, np.zeros(0))


def power_dependence(params: TransferParams, powers_w_cm2, *,
                     excitation_nm: float = 980.0) -> TransferResult:
    """Steady states over a power sweep (each solve starts from the previous one).

    Examples
    --------
    >>> sweep = power_dependence(TransferParams(), np.logspace(-1, 1, 5))
    >>> sweep.lines[800.0].shape
    (5,)
    """
    system = rate_system(params, _check_excitation(excitation_nm))
    powers = np.asarray(powers_w_cm2, dtype=float).ravel()
    if powers.size == 0:
        raise ValueError("powers_w_cm2 must hold at least one power")
    for value in powers:
        check_range("powers_w_cm2", value, "W/cm²", 0.0, 1e9)
    states = np.empty((powers.size, system.size))
    start = system.ground_state()
    for i in np.argsort(powers):
        states[i] = start = _solve(system, powers[i], start)
    return _result(system, states, powers, np.zeros(0))


#: Absolute tolerance of the decay integration (population fractions). A weak pulse excites
#: ~1e-8 of the ions; 1e-16 keeps its decay smooth and monotonic over eight decades.
_DYNAMICS_ATOL = 1e-16


def dynamics(params: TransferParams, *, pulse: Pulse, t_eval, rtol: float = 1e-4,
             sites: IonSites | None = None) -> TransferResult:
    """Populations and emission after a rectangular pulse (from the ground state at t = 0).

    The stiff rate equations are integrated by an L-stable Rosenbrock method (Rodas3) with
    the analytic Jacobian (:func:`lnhet_widgets.core.optics._transfer_kernel.integrate`).

    Parameters
    ----------
    params : TransferParams
    pulse : Pulse
        Wavelength, power and duration of the pulse.
    t_eval : array_like
        Output times, s, ascending and ≥ 0.
    rtol : float
        Relative tolerance of each step, in [1e-9, 1e-2]; populations below 1e-16 are
        controlled absolutely.
    sites : IonSites, optional
        Explicit ion positions and vacancies instead of the uniform doping of ``params``.

    Examples
    --------
    >>> t = np.linspace(0, 2e-3, 201)
    >>> r = dynamics(TransferParams(), pulse=Pulse(980, 10.0, 10e-6), t_eval=t)
    >>> r.lines[980.0].shape
    (201,)
    """
    if not isinstance(pulse, Pulse):
        raise ValueError("pulse must be a Pulse(excitation_nm, power_w_cm2, duration_s)")
    system = rate_system(params, pulse.excitation_nm, _checked_sites(sites))
    t = np.asarray(t_eval, dtype=float).ravel()
    if t.size == 0 or t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError("t_eval must be ascending times in s, starting at or after 0")
    lin_from, lin_to, lin_rate = system.lin
    pump_from, pump_to, pump_rate = system.pump
    states, _ = kernel.integrate(system.ground_state(), t, pulse.duration_s, lin_from, lin_to,
                                 lin_rate, pump_from, pump_to, pump_rate * pulse.power_w_cm2,
                                 *system.pair, check_range("rtol", rtol, "", 1e-9, 1e-2),
                                 _DYNAMICS_ATOL)
    return _result(system, states, pulse.power_w_cm2, t,
                   pumping_w_cm2=np.where(t < pulse.duration_s, pulse.power_w_cm2, 0.0))


def yb_lifetime_us(params: TransferParams, *, sites: IonSites | None = None) -> float:
    """Lifetime of the Yb³⁺ 980 nm emission after a weak 980 nm pulse, µs.

    The decay is computed with :func:`dynamics` and fitted with one exponential from 2 µs
    after the pulse, as a lifetime measurement would be.

    Examples
    --------
    >>> round(yb_lifetime_us(TransferParams(core_diameter_nm=9.2)))
    47
    """
    from ..analysis import fit_decay

    if (sites is None and (not params.has_lanthanides or params.yb_fraction == 0)) or (
            sites is not None and len(sites.yb_nm) == 0):
        raise ValueError("the particle has no Yb³⁺")
    t = np.linspace(0.0, 2e-3, 801)
    decay = dynamics(params, pulse=Pulse(980.0, 1.0, 1e-6), t_eval=t,
                     sites=sites).lines[980.0]
    fit = fit_decay(t * 1e6, decay / decay.max(), n_exp=1, weights=None, window=(2.0, 400.0))
    return float(fit.lifetimes[0])


def mixture_spectrum(lanthanide: TransferResult, perovskite: TransferResult, wavelength_nm, *,
                     perovskite_absorbance_400nm: float, perovskite_params: TransferParams,
                     perovskite_qy: float | None = None):
    """Spectrum of a physical mixture: the lanthanide emission seen through the perovskite
    dispersion (inner filter), plus the perovskite band — its own emission and its re-emission
    of the absorbed lanthanide light — after self-absorption and photon recycling.

    Light emitted uniformly in a layer of absorbance A(λ) leaves with the mean transmission
    T(λ) = (1 − 10^(−A)) / (A ln 10). The absorbed lanthanide photons become perovskite
    excitons, which emit with the quantum yield φ (by default from the rates:
    k_rad / (k_rad + trapping)). The band overlaps the perovskite's own absorption edge, so
    only a share e = ∫ band·T of its photons escapes; the rest is re-absorbed and re-emitted
    with φ again, which sums to an escaping yield φe / (1 − φ(1 − e)) and red-shifts the band
    (the concentration shift of SCIENCE §8).

    Returns the spectrum (photons s⁻¹ nm⁻¹, summed over one particle of each kind).

    Examples
    --------
    >>> import numpy as np
    >>> from lnhet_widgets.core.optics import TransferParams, steady_state
    >>> pv = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5)
    >>> ln = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=1e3)
    >>> wl = np.linspace(340, 720, 761)
    >>> clear = mixture_spectrum(ln, steady_state(pv, excitation_nm=980, power_w_cm2=1e3), wl,
    ...                          perovskite_absorbance_400nm=0.0, perovskite_params=pv)
    >>> bool(np.allclose(clear, ln.spectrum(wl)))
    True
    """
    wl = np.asarray(wavelength_nm, dtype=float)
    check_range("perovskite_absorbance_400nm", perovskite_absorbance_400nm, "", 0.0, 100.0)
    if perovskite_qy is None:
        geo = _geometry(perovskite_params)
        k_rad = 1e9 / perovskite_params.exciton_lifetime_ns
        perovskite_qy = k_rad / (k_rad + perovskite_params.trapping_rate_per_defect_s
                                 * geo.defects)
    check_range("perovskite_qy", perovskite_qy, "", 0.0, 1.0)

    def transmission(nm):
        absorbance = np.maximum(perovskite_absorbance_400nm
                                * _relative_absorption(perovskite_params, nm), 1e-12)
        return -np.expm1(-absorbance * np.log(10)) / (absorbance * np.log(10))

    # Photon budgets are integrals over every line and the whole band, whatever range the
    # caller asks to see.
    grid = _MIXTURE_GRID_NM
    grid_t = transmission(grid)
    absorbed = np.trapezoid(lanthanide.spectrum(grid) * (1 - grid_t), grid)
    emitted = np.trapezoid(perovskite.spectrum(grid), grid)
    band = _band_shape(perovskite_params, grid)
    escape = np.trapezoid(band * grid_t, grid)
    band_photons = (emitted + perovskite_qy * absorbed) / (1 - perovskite_qy * (1 - escape))
    seen = transmission(wl)
    return (lanthanide.spectrum(wl) * seen
            + band_photons * np.interp(wl, grid, band, left=0.0, right=0.0) * seen)


def dispersion_absorbance(params: TransferParams, *, concentration_mg_ml: float,
                          path_cm: float = 1.0, wavelength_nm: float = 400.0) -> float:
    """Decadic absorbance of a dispersion of the particle's perovskite: A = σ(λ) n L / ln 10,
    with σ the model's absorption cross-section of one nanocrystal and n the number of
    nanocrystals per cm³ that ``concentration_mg_ml`` of perovskite makes.

    Parameters
    ----------
    params : TransferParams
        The perovskite particle (e.g. a free nanocrystal).
    concentration_mg_ml : float
        Perovskite mass per volume of dispersion, mg/mL.
    path_cm : float
        Optical path, cm.
    wavelength_nm : float
        Wavelength of the absorbance, nm.

    Examples
    --------
    >>> free = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5)
    >>> round(dispersion_absorbance(free, concentration_mg_ml=1.0), 1)
    9.5
    """
    if not params.has_perovskite:
        raise ValueError("dispersion_absorbance needs a particle with a perovskite "
                         "(perovskite_edge_nm > 0)")
    check_range("concentration_mg_ml", concentration_mg_ml, "mg/mL", 0.0, 1e3)
    check_range("path_cm", path_cm, "cm", 0.0, 100.0)
    check_range("wavelength_nm", wavelength_nm, "nm", 250.0, 2000.0)
    volume_cm3 = _geometry(params).perovskite_volume_nm3 * 1e-21
    sigma_cm2 = (params.perovskite_cross_section_cm2 * volume_cm3 / 1e-18
                 * float(_relative_absorption(params, wavelength_nm)[0]))
    per_cm3 = concentration_mg_ml * 1e-3 / (core_density_g_cm3(params.perovskite) * volume_cm3)
    return float(sigma_cm2 * per_cm3 * path_cm / np.log(10))


#: Wavelengths over which the mixture's photon budgets are integrated (all lines, whole band).
_MIXTURE_GRID_NM = np.linspace(300.0, 1600.0, 5201)


def _band_shape(p: TransferParams, wl: np.ndarray) -> np.ndarray:
    """The perovskite band on ``wl`` normalised to unit area (nm⁻¹)."""
    sigma_ev = 0.08 / 2.3548
    energy = HC_EV_NM / wl
    density = np.exp(-0.5 * ((energy - perovskite_peak_ev(p)) / sigma_ev) ** 2) * energy / wl
    return density / np.trapezoid(density, wl)
