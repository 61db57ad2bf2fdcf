"""Samples as mixtures of particle classes, and P1's targets E4–E6 (SCIENCE §7)."""

import numpy as np
import pytest

from lnhet_widgets.core.conditions import P1_UC_POWER_W_CM2
from lnhet_widgets.core.growth import GrowthParams, core_density_g_cm3, simulate_growth
from lnhet_widgets.core.optics import (
    BULK_TRAP_DENSITY_NM3,
    Sample,
    TransferParams,
    bulk_trap_density_nm3,
    dispersion_absorbance,
    mixture_spectrum,
    steady_state,
)

VISIBLE = np.linspace(340, 720, 3801)
# P1's α/β-LnNPs of the heterostructure comparisons (methods; SCIENCE §1): α-NaY0.69F4 and
# β-NaGd0.69F4, both :Yb0.3,Tm0.01.
COMPOSITION = {"yb_fraction": 0.3, "tm_fraction": 0.01}
DOPANTS = (("Yb", 0.3), ("Tm", 0.01))
BETA = TransferParams(host="beta-NaGdF4", core_diameter_nm=7.1, perovskite_edge_nm=16.7,
                      **COMPOSITION)
ALPHA = TransferParams(host="alpha-NaYF4", core_diameter_nm=7.2, perovskite_edge_nm=14.3,
                       **COMPOSITION)
BARE_BETA = TransferParams(host="beta-NaGdF4", core_diameter_nm=7.1, **COMPOSITION)
# The free nanocrystals of P1's physical mixture: pure CsPbBr3 cubes of a 180 °C synthesis.
FREE_CSPBBR3 = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5,
                              bulk_defects_nm3=BULK_TRAP_DENSITY_NM3)
# E6: P1's upconversion spectra, Fig. 2f,g, 980 nm at 2 W/cm².
UC_POWER_W_CM2 = P1_UC_POWER_W_CM2
# E5: P1 states no power for its PLQE (integrating sphere, CW laser diodes); the model takes
# the power of P1's own upconversion spectra (a documented choice; lesson 4 shows how the
# ratio depends on it).
PLQE_POWER_W_CM2 = P1_UC_POWER_W_CM2
# E6's physical mixture: P1 gives no concentration. 2 mg/mL of CsPbBr3 in a 1 cm cell (a
# concentrated dispersion, absorbance ≈ 20 at 400 nm, as for UC spectra of weak emitters);
# at 2 W/cm² the result hardly depends on it (lesson 4 shows the dependence).
MIXTURE_MG_ML = 2.0
# P1 gives single numbers for E6; the tolerance of its 210 °C number (1.3–3.0 for 1.9, a
# factor ≈ 1.5 either side, SCIENCE §7) is used for the mixture's 0.4 as well.
E6_FACTOR = 1.5


def _per_646(spectrum, lines):
    return np.trapezoid(spectrum, VISIBLE) / lines


def _uc_over_646(sample):
    lines = sample.lines(excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
    spectrum = sample.spectrum(VISIBLE, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
    return _per_646(spectrum, lines["Tm 1G4→3F4"])


def _grown(temperature_c):
    # P1's β-LnNPs of E6 (SCIENCE §1), not GrowthParams' LnNP40 default
    growth = simulate_growth(GrowthParams(core_diameter_nm=7.1, core_diameter_sd_nm=0.4,
                                          dopants=DOPANTS, temperature_c=temperature_c),
                             seed=0)
    return Sample.from_growth(growth)


def _bare():
    return Sample((("bare", BARE_BETA, 1.0),))


def _mass_g(p):
    core_cm3 = np.pi / 6 * p.core_diameter_nm**3 * 1e-21
    shell_cm3 = p.perovskite_edge_nm**3 * 1e-21 - core_cm3
    return (core_cm3 * core_density_g_cm3(p.host, DOPANTS)
            + shell_cm3 * core_density_g_cm3(p.perovskite))


def test_from_growth_counts_every_core_once():
    sample = _grown(220.0)
    numbers = {label: number for label, _, number in sample.classes}
    assert numbers["heterostructure"] + numbers.get("bare core", 0) == pytest.approx(1.0)
    hetero = dict((label, p) for label, p, _ in sample.classes)["heterostructure"]
    assert hetero.perovskite_edge_nm > hetero.core_diameter_nm > 6


def test_sample_spectrum_is_the_number_weighted_sum():
    a, b = TransferParams(), BETA
    sample = Sample((("a", a, 2.0), ("b", b, 0.5)))
    expected = sum(n * steady_state(p, excitation_nm=980, power_w_cm2=10.0).spectrum(VISIBLE)
                   for p, n in ((a, 2.0), (b, 0.5)))
    assert np.allclose(sample.spectrum(VISIBLE, excitation_nm=980, power_w_cm2=10.0), expected)


def test_bad_samples_are_rejected():
    with pytest.raises(ValueError, match="at least one"):
        Sample(())
    with pytest.raises(ValueError, match="TransferParams"):
        Sample((("x", object(), 1.0),))


def test_from_growth_takes_the_composition_and_traps_of_the_reaction():
    growth = simulate_growth(GrowthParams(core_diameter_nm=7.1, core_diameter_sd_nm=0.4,
                                          temperature_c=220.0,
                                          dopants=(("Yb", 0.25), ("Tm", 0.02))), seed=0)
    for _, p, _ in Sample.from_growth(growth).classes:
        assert (p.yb_fraction, p.tm_fraction) == (0.25, 0.02)
        assert p.bulk_defects_nm3 == pytest.approx(bulk_trap_density_nm3(220.0))


def test_e6_heterostructures_grown_at_220_c_are_ten_times_greener():
    ratio = _uc_over_646(_grown(220.0)) / _uc_over_646(_bare())
    print(f"E6 at 220 °C: {ratio:.2f}× (P1: more than 10×)")
    assert ratio >= 10


def test_e6_heterostructures_grown_at_210_c_are_about_twice_as_green():
    # through the growth model's coated fraction at 210 °C (misfit relaxation, SCIENCE §4a)
    ratio = _uc_over_646(_grown(210.0)) / _uc_over_646(_bare())
    print(f"E6 at 210 °C: {ratio:.2f}× (P1: 1.9×, 1.3–3.0×)")
    assert 1.3 <= ratio <= 3.0


@pytest.mark.xfail(strict=True, reason="at 2 W/cm² the visible emission of bare β-LnNPs is "
                   "dominated by Tm ³F3's two-photon 695 nm line, which CsPbBr3 does not "
                   "absorb; the absorbed blue lines are a small part of it, so the mixture is "
                   "hardly weaker than bare cores at any concentration")
def test_e6_physical_mixture_is_weaker_per_646_line():
    ln = steady_state(BARE_BETA, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
    pv = steady_state(FREE_CSPBBR3, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
    absorbance = dispersion_absorbance(FREE_CSPBBR3, concentration_mg_ml=MIXTURE_MG_ML)
    mixed = mixture_spectrum(ln, pv, VISIBLE, perovskite_absorbance_400nm=absorbance,
                             perovskite_params=FREE_CSPBBR3)
    ratio = (_per_646(mixed, np.interp(646.0, VISIBLE, mixed))
             / _per_646(ln.spectrum(VISIBLE), np.interp(646.0, VISIBLE, ln.spectrum(VISIBLE))))
    print(f"E6 physical mixture: {ratio:.2f}× (P1: 0.4×)")
    assert 0.4 / E6_FACTOR <= ratio <= 0.4 * E6_FACTOR


@pytest.mark.xfail(strict=True, reason="at 2 W/cm² Tm ³F3's two-photon 695 nm line is the "
                   "strongest visible line of bare β-LnNPs and of the heterostructure: the "
                   "model's main colour is deep red in both, not blue → green")
def test_e6_main_colour_turns_from_blue_to_green():
    bare, hetero = (steady_state(p, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
                    for p in (BARE_BETA, BETA))
    peaks = [float(VISIBLE[np.argmax(r.spectrum(VISIBLE))]) for r in (bare, hetero)]
    print(f"strongest visible emission: bare {peaks[0]:.0f} nm, heterostructure "
          f"{peaks[1]:.0f} nm (P1: blue → green)")
    assert 440 < peaks[0] < 480
    assert 495 < peaks[1] < 530


def test_e4_yb_emission_under_365_nm_beta_over_alpha_per_mass():
    per_mass = [steady_state(p, excitation_nm=365, power_w_cm2=1.0).lines[980.0] / _mass_g(p)
                for p in (BETA, ALPHA)]
    assert per_mass[0] / per_mass[1] == pytest.approx(1.6, rel=0.2)


def test_e4_nir_quantum_yield_beta_over_alpha():
    qy = [steady_state(p, excitation_nm=365, power_w_cm2=1.0).quantum_yield(900, 1100)
          for p in (BETA, ALPHA)]
    assert qy[0] / qy[1] == pytest.approx(2.0, rel=0.2)


def test_e5_upconversion_quantum_yield_beta_over_alpha():
    qy = [steady_state(p, excitation_nm=980, power_w_cm2=PLQE_POWER_W_CM2).quantum_yield(
        340, 720) for p in (BETA, ALPHA)]
    print(f"E5: UC PLQE β/α = {qy[0] / qy[1]:.2f} (P1: ≈ 6)")
    assert qy[0] / qy[1] == pytest.approx(6, rel=0.3)
