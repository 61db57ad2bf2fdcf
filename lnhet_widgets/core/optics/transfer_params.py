"""Parameters of the Yb/Tm/CsPbX3 rate equations: the level scheme and emission lines, the
energy-transfer processes, one particle class (:class:`TransferParams`) and a pulse.

One particle class (a bare core, a core–shell–shell particle, a heterostructure or a free
perovskite nanocrystal) is described by :class:`TransferParams`; the rate equations built from
it are described in :mod:`~lnhet_widgets.core.optics.rate_equations`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._base.params import param
from .._base.validate import check_range
from ..crystal import FLUORIDES
from .perovskite_constants import (
    BULK_GAP_EV,
    CROSS_SECTION_PER_VOLUME_CM2_NM3,
    EXCITON_RADIATIVE_LIFETIME_NS,
    INTERFACE_TRAP_DENSITY_NM2,
    TRAP_CAPTURE_TIME_NS,
    TRAP_LIFETIME_NS,
    bulk_trap_density_nm3,
)

__all__ = [
    "HETEROSTRUCTURE_SYNTHESIS_C",
    "LINES",
    "EnergyTransfer",
    "Pulse",
    "TransferParams",
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

#: Synthesis temperature of P1's heterostructures, °C (P1 methods): it sets the default
#: shell's bulk trap density (:func:`~lnhet_widgets.core.optics.perovskite_constants.
#: bulk_trap_density_nm3`). P1's pure CsPbBr3 cubes, the free nanocrystals of a physical
#: mixture, grow at 180 °C, where the density is ``BULK_TRAP_DENSITY_NM3``.
HETEROSTRUCTURE_SYNTHESIS_C = 220.0


@dataclass(frozen=True)
class EnergyTransfer:
    """One energy-transfer process D(i → f) + A(i → f), as in a simetuc configuration.

    ``strength_a6_s`` is simetuc's microscopic ``strength`` C (s⁻¹ Å^s; rate C/r^s for a pair
    at r Å, with s = ``multipolarity``: 6 dipole–dipole, 8 dipole–quadrupole, 10
    quadrupole–quadrupole); ``strength_avg_s`` (s⁻¹), when given, is simetuc's average-mode
    coefficient and replaces the mean-field lattice sum. The average model's lattice sum is
    dipole–dipole: a process of another multipolarity needs ``strength_avg_s`` there, while
    the per-ion model (:mod:`lnhet_widgets.core.ions`) takes every multipolarity.

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
    multipolarity: int = 6

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
        if self.multipolarity not in (6, 8, 10):
            raise ValueError(f"energy transfer {self.name}: multipolarity must be 6, 8 or 10 "
                             f"(the exponent s of C/r^s), got {self.multipolarity!r}")
        object.__setattr__(self, "multipolarity", int(self.multipolarity))


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
      by P2's annealed particles at 4 W/cm² (:mod:`~lnhet_widgets.core.annealing.params`: A3, the
      pristine particle's Tm 450 nm lifetime within a factor 2 of 0.10 ms with the docked
      gain ≤ 300×), and x_v follows from the product. Bulk defects are what annealing removes
      (SCIENCE §5).
    * The perovskite and its interface — exciton radiative lifetime, capture rate of one
      empty trap, lifetime of a filled trap, interface trap density on a β core and its
      scale by the core's structure
      (:data:`~lnhet_widgets.core.optics.INTERFACE_DEFECT_SCALE`), bulk trap density and
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
    #: Yb³⁺ → Yb³⁺ energy migration ²F5/2 + ²F7/2 → ²F7/2 + ²F5/2, W = C/r⁶, s⁻¹ Å⁶: the
    #: per-ion model's (:mod:`lnhet_widgets.core.ions`) calibrated constant; the average
    #: model's single Yb pool is its fast-migration limit and does not use it. Fixed by E1's
    #: bare LnNP40 (P1: Yb³⁺ 43 µs; tests/calibrate_ions.py, root 3.17e10 rounded): C_s was
    #: calibrated on that lifetime under the pool's fast migration, and the per-ion model must
    #: migrate fast enough to agree with it. simetuc's example ``EM`` (config_file_Yb_Tm.cfg,
    #: 4.2e7; read_simetuc_config keeps a file's own value) hops 1.9e4 s⁻¹ between nearest
    #: neighbours (0.36 nm), too slow to bring the centre's excitation to the surface within
    #: the lifetime: the bare core then decays in 116 µs. This value: R₀ = (C τ_Yb)^⅙ = 2.1 nm,
    #: 1.5e7 s⁻¹ per nearest-neighbour hop, ≈ 1.4e7 s⁻¹ out of each Yb³⁺ at 20 % Yb.
    yb_migration_a6_s: float = 3.2e10
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
    ("yb_migration_a6_s", "s⁻¹ Å⁶", 0.0, 1e20),
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


# ----------------------------------------------------------------------------- excitation
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


def _check_excitation(excitation_nm) -> float:
    value = float(excitation_nm)
    if value not in EXCITATIONS_NM:
        raise ValueError(f"excitation_nm must be one of {EXCITATIONS_NM} nm, got {excitation_nm!r}")
    return value
