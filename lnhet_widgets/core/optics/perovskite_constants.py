"""Physical constants of the lead-halide perovskites and of their interfaces with the cores.

One quantity, one value (SCIENCE.md, "Rules for every target"): every model that needs one of
these constants — the ground-state-bleach kinetics (:mod:`~lnhet_widgets.core.optics.bleach`),
the confinement and absorption edge (:mod:`~lnhet_widgets.core.optics.photophysics`) and the rate
equations of the two-way energy transfer (:mod:`~lnhet_widgets.core.optics.rate_equations`)
— imports it from here. Each constant carries its unit in its name and, in its comment, its
source or the P1 target that fixes it (P1 = Yu, Chan et al., Nat. Commun. 2025; targets as in
SCIENCE §7–§8).

The kinetic constants of the exciton and its traps are fixed by the transient-absorption
targets E2 and E3, which measure the perovskite directly: the model and its calibration are
described in :mod:`~lnhet_widgets.core.optics.bleach`.

Examples
--------
>>> EXCITON_RADIATIVE_LIFETIME_NS, round(1e9 / TRAP_CAPTURE_TIME_NS / 1e6, 2)
(5.4, 6.67)
>>> interface_trap_density_nm2("alpha-NaYF4") == 2 * interface_trap_density_nm2("beta-NaGdF4")
True
>>> round(centre_of_mass_mass_me("CsPbBr3"), 3), bulk_trap_density_nm3(180.0)
(0.504, 0.00078)
"""

from __future__ import annotations

import math

from scipy import constants

from .._base.validate import check_range
from ..crystal import get_material

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
    "INTERFACE_DEFECT_SCALE",
    "INTERFACE_TRAP_DENSITY_NM2",
    "LN_TRANSFER_RATE_NS_NM2",
    "REDUCED_MASS_ME",
    "STOKES_SHIFT_EV",
    "TRAP_ANNEALING_ENERGY_EV",
    "TRAP_AUGER_TIME_PER_VOLUME_PS_NM3",
    "TRAP_CAPTURE_TIME_NS",
    "TRAP_LIFETIME_NS",
    "TRAP_REFERENCE_TEMPERATURE_C",
    "bulk_trap_density_nm3",
    "centre_of_mass_mass_me",
    "check_perovskite",
    "interface_defect_scale",
    "interface_trap_density_nm2",
]

_BOLTZMANN_EV_K = constants.k / constants.e
_KELVIN = constants.zero_Celsius

# ------------------------------------------------------------------- band edge and exciton
#: Reduced exciton masses μ in electron masses, from magneto-optical spectroscopy at 60–150 T
#: (Z. Yang et al., ACS Energy Lett. 2, 1621 (2017)).
REDUCED_MASS_ME = {"CsPbCl3": 0.202, "CsPbBr3": 0.126, "CsPbI3": 0.114}

#: Exciton binding energies, eV (Yang et al. 2017, the same measurement as the masses).
EXCITON_BINDING_ENERGY_EV = {"CsPbCl3": 0.064, "CsPbBr3": 0.033, "CsPbI3": 0.015}

#: Exciton binding energy of CsPbBr3, eV: the default of the Elliott edge.
BINDING_ENERGY_EV = EXCITON_BINDING_ENERGY_EV["CsPbBr3"]

#: Exciton Bohr radii, nm: half the Bohr *diameters* of Protesescu et al., Nano Lett. 15, 3692
#: (2015) (5, 7 and 12 nm). P1 quotes the CsPbBr3 diameter as "the exciton Bohr radius of
#: 7 nm" and "≈ 3 nm" for CsPbCl3; with the radius, P1's 9.5–10.4 nm cubes are 2.7–3.0 a_B
#: wide — weak to intermediate confinement (SCIENCE §8).
EXCITON_BOHR_RADIUS_NM = {"CsPbCl3": 2.5, "CsPbBr3": 3.5, "CsPbI3": 6.0}

#: Emission peak below the exciton absorption peak, eV (typical 10–30 meV of CsPbBr3
#: nanocrystals; the ECP targets of SCIENCE §8 fix the bulk gaps with it).
STOKES_SHIFT_EV = 0.02

#: Bulk band gaps at room temperature, eV. CsPbBr3 and CsPbCl3 are fixed by P1's ECPs of
#: the free nanocrystals (508 nm for 9.5–10.4 nm CsPbBr3 cubes, mean of the two edges; 403 nm
#: for a 10 nm CsPbCl3 cube) through the centre-of-mass confinement of
#: :func:`~lnhet_widgets.core.optics.exciton_gap_ev` and the Elliott edge. They lie
#: 45 and 95 meV above the gaps the bulk emission implies (2.41 and 3.05 eV; Protesescu et al.
#: 2015): an effective gap that also holds what the centre-of-mass picture leaves out in
#: 10 nm cubes (the exciton's own size keeps its centre ≈ a_B/2 from the walls, Kayanuma
#: 1988). CsPbI3: its bulk emission (Protesescu et al. 2015) plus binding energy and Stokes
#: shift.
BULK_GAP_EV = {"CsPbCl3": 3.144, "CsPbBr3": 2.455, "CsPbI3": 1.78}


def centre_of_mass_mass_me(perovskite: str) -> float:
    """Exciton translational mass M = m_e + m_h in electron masses.

    Lead-halide perovskites have nearly mirror-image conduction and valence bands, m_e ≈ m_h
    (Yang et al. 2017 use equal masses to interpret their μ), so M = 4μ.

    Examples
    --------
    >>> centre_of_mass_mass_me("CsPbCl3")
    0.808
    """
    return 4.0 * REDUCED_MASS_ME[check_perovskite(perovskite)]


def check_perovskite(name: str) -> str:
    """``name`` if the constants know that perovskite, else a ``ValueError`` naming the choices.

    Examples
    --------
    >>> check_perovskite("CsPbBr3")
    'CsPbBr3'
    """
    if name not in REDUCED_MASS_ME:
        raise ValueError(f"perovskite must be one of {tuple(REDUCED_MASS_ME)}, got {name!r}")
    return name


# ------------------------------------------------------------------ absorption and Auger
#: Absorption cross-section per perovskite volume at 400 nm, cm² nm⁻³: 1e-13 cm² for a
#: 10 nm cube (SCIENCE §7).
CROSS_SECTION_PER_VOLUME_CM2_NM3 = 1e-16

#: Biexciton Auger lifetime per perovskite volume, ps nm⁻³ (τ_XX ∝ V; SCIENCE §8's
#: 50–130 ps for ~10 nm CsPbBr3 cubes: 100 ps for 1000 nm³).
AUGER_TIME_PER_VOLUME_PS_NM3 = 0.1

# ------------------------------------------------------------- the exciton and its traps
#: Radiative lifetime of the band-edge exciton, ns (fixed by E2's pure cubes at 23.1 µJ cm⁻²
#: and E3's inert heterostructure at 6.1 µJ cm⁻², both nearly trap-free; see
#: :mod:`~lnhet_widgets.core.optics.bleach`).
EXCITON_RADIATIVE_LIFETIME_NS = 5.4

#: Capture time of a lone exciton by one trap, ns (1/k_t, k_t = 6.7e6 s⁻¹; fixed with the
#: trap densities by E3: Fig. 1j's defect-rich pure cubes at 1.2 ns and the inert
#: heterostructure at 4.1 ns, 6.1 µJ cm⁻²).
TRAP_CAPTURE_TIME_NS = 150.0

#: Lifetime of a filled trap, ns: the release of a trapped carrier (transient model) and the
#: decay of the defect state D (rate equations of §7). Any value ≫ the 30 ns window gives the
#: same bleach.
TRAP_LIFETIME_NS = 100.0

#: Trap-assisted Auger lifetime of an exciton beside a carrier held in a trap (a charged
#: nanocrystal), per perovskite volume, ps nm⁻³ (∝ V like τ_XX; fixed by E2/E3). Far longer
#: than a delocalised trion's (≈ 4 τ_XX by statistical scaling): the trapped carrier is
#: localised at the surface or interface and overlaps the exciton little.
TRAP_AUGER_TIME_PER_VOLUME_PS_NM3 = 5.3

#: Transfer of a heterostructure's exciton to Yb³⁺ through the interface (exciton →
#: interface defect → Yb³⁺, P1 Fig. 2h), per unit Yb fraction of the core and nm² of
#: interface, ns⁻¹ nm⁻²: k_Ln = C_Ln x_Yb πd², 0.18 ns⁻¹ for P1's Yb0.3 7.1 nm core (fixed by
#: E2's α/β-LnNP@CsPbBr3 at 23.1 µJ cm⁻²).
LN_TRANSFER_RATE_NS_NM2 = 3.8e-3

#: Probability that one empty trap takes the carrier of a three-carrier (Auger) event (an
#: estimate: Auger capture by deep centres is efficient at high carrier density; the E2/E3
#: search kept it at 0.9).
AUGER_CAPTURE_PROBABILITY = 0.9

#: Bulk trap density at the reference synthesis temperature, nm⁻³: P1's E2 batch (pure cubes
#: and the α/β heterostructures; fixed by E2's pure 2.9 ns at 23.1 µJ cm⁻²). The batch of
#: Fig. 1j has its own (:data:`~lnhet_widgets.core.optics.FIG1J_BULK_TRAP_DENSITY_NM3`).
BULK_TRAP_DENSITY_NM3 = 7.8e-4

#: Synthesis temperature at which :data:`BULK_TRAP_DENSITY_NM3` holds: P1's pure CsPbX3
#: hot injection, °C.
TRAP_REFERENCE_TEMPERATURE_C = 180.0

#: Effective activation energy with which bulk defects anneal out during growth, eV (fixed
#: by E3: the inert heterostructure grown at 220 °C has 31× fewer bulk traps than the pure
#: cubes of its batch grown at 180 °C).
TRAP_ANNEALING_ENERGY_EV = 1.65

#: Trap density of the perovskite's interface with a β (hexagonal) core, nm⁻² (fixed by E2's
#: heterostructures at 23.1 µJ cm⁻² and E3's fall of the inert sample with fluence); other
#: core structures scale it by :data:`INTERFACE_DEFECT_SCALE`.
INTERFACE_TRAP_DENSITY_NM2 = 0.028

#: Density of interface defects relative to the hexagonal β phase, by the core's structure.
#: The cubic α phase is a disordered fluorite (Na and the rare earth share one cation site at
#: random), so its facets offer more defect sites. The factor 2 is an estimate: it was fixed
#: by P1's E4 (980 nm emission under 365 nm, β@ 1.6× α@ per mass) in the rate equations of
#: :mod:`~lnhet_widgets.core.optics.rate_equations` before the trap constants were re-fixed
#: by E2/E3; E4 tests it there, and E2's α@ (1.46 ns, P1 1.5) is computed with it.
INTERFACE_DEFECT_SCALE = {"beta-hexagonal": 1.0, "fluorite": 2.0}


def interface_defect_scale(host: str) -> float:
    """Interface defect density of ``host``'s perovskite interface relative to β-NaGdF4.

    Examples
    --------
    >>> interface_defect_scale("alpha-NaYF4"), interface_defect_scale("beta-NaGdF4")
    (2.0, 1.0)
    """
    return INTERFACE_DEFECT_SCALE[get_material(host).structure]


def interface_trap_density_nm2(host: str) -> float:
    """Trap density of the perovskite's interface with a core of phase ``host``, nm⁻².

    Examples
    --------
    >>> interface_trap_density_nm2("beta-NaGdF4") == INTERFACE_TRAP_DENSITY_NM2
    True
    """
    return INTERFACE_TRAP_DENSITY_NM2 * interface_defect_scale(host)


def bulk_trap_density_nm3(synthesis_temperature_c: float, *,
                          reference_density_nm3: float = BULK_TRAP_DENSITY_NM3,
                          reference_temperature_c: float = TRAP_REFERENCE_TEMPERATURE_C,
                          annealing_energy_ev: float = TRAP_ANNEALING_ENERGY_EV) -> float:
    """Bulk trap density left by a synthesis at ``synthesis_temperature_c``, nm⁻³.

    ρ_b(T) = ρ_ref exp[(E_a/k_B)(1/T − 1/T_ref)]: defects anneal out while the crystal grows,
    so a hotter synthesis leaves fewer (P1's reading of E3).

    Parameters
    ----------
    synthesis_temperature_c : float
        Synthesis temperature, °C, in [100, 300].
    reference_density_nm3 : float
        ρ_ref of the batch at ``reference_temperature_c``, nm⁻³, in [0, 0.1].
    reference_temperature_c : float
        T_ref, °C, in [100, 300].
    annealing_energy_ev : float
        E_a, eV, in [0, 5].

    Examples
    --------
    >>> round(bulk_trap_density_nm3(180.0) / bulk_trap_density_nm3(220.0), 1)
    30.8
    """
    t = check_range("synthesis_temperature_c", synthesis_temperature_c, "°C", 100.0, 300.0)
    rho = check_range("reference_density_nm3", reference_density_nm3, "nm⁻³", 0.0, 0.1)
    t_ref = check_range("reference_temperature_c", reference_temperature_c, "°C", 100.0, 300.0)
    energy = check_range("annealing_energy_ev", annealing_energy_ev, "eV", 0.0, 5.0)
    inverse = 1.0 / (t + _KELVIN) - 1.0 / (t_ref + _KELVIN)
    return rho * math.exp(energy / _BOLTZMANN_EV_K * inverse)
