"""Samples as mixtures of particle classes, and P1's targets E4–E6 (SCIENCE §7)."""

import numpy as np
import pytest

from lnhet_widgets.core.ensemble import Sample
from lnhet_widgets.core.growth import GrowthParams, core_density_g_cm3, simulate_growth
from lnhet_widgets.core.transfer import (
    TransferParams,
    dispersion_absorbance,
    mixture_spectrum,
    steady_state,
)

VISIBLE = np.linspace(340, 720, 3801)
BETA = TransferParams(host="beta-NaGdF4", core_diameter_nm=7.1, perovskite_edge_nm=16.7)
ALPHA = TransferParams(host="alpha-NaYF4", core_diameter_nm=7.2, perovskite_edge_nm=14.3)
FREE_CSPBBR3 = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5)
# P1's upconversion spectra of the bare cores show the four-photon ¹D2 line at 450 nm beside
# ¹G4's 475 nm; a 7 nm core needs about 1 kW/cm² for that (the model: 450/475 = 0.1 at
# 1 kW/cm², 0.002 at 100 W/cm²), so E5 and E6 are evaluated there.
UC_POWER_W_CM2 = 1e3
DOPANTS = (("Yb", 0.2), ("Tm", 0.01))


def _per_646(spectrum, lines):
    return np.trapezoid(spectrum, VISIBLE) / lines


def _uc_over_646(sample):
    lines = sample.lines(excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
    spectrum = sample.spectrum(VISIBLE, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
    return _per_646(spectrum, lines["Tm 1G4→3F4"])


def _grown(temperature_c):
    growth = simulate_growth(GrowthParams(core_diameter_nm=7.1, core_diameter_sd_nm=0.4,
                                          temperature_c=temperature_c), seed=0)
    return Sample.from_growth(growth)


def _bare():
    return Sample((("bare", TransferParams(core_diameter_nm=7.1), 1.0),))


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


def test_e6_heterostructures_grown_at_220_c_are_ten_times_greener():
    assert _uc_over_646(_grown(220.0)) / _uc_over_646(_bare()) >= 10


@pytest.mark.xfail(strict=True, reason="E6 at 210 °C inherits the seeded-growth gap G5: the "
                   "growth model coats 0.96 of the cores at 210 °C, so the sample is 14×")
def test_e6_heterostructures_grown_at_210_c_are_about_twice_as_green():
    assert _uc_over_646(_grown(210.0)) / _uc_over_646(_bare()) == pytest.approx(1.9, rel=0.3)


def test_e6_physical_mixture_is_weaker_per_646_line():
    # P1 measured concentrated dispersions; 2 mg/mL of CsPbBr3 in a 1 cm cell absorbs ≈ 20 at
    # 400 nm, so the blue Tm lines are absorbed and come back green only with the
    # perovskite's quantum yield, after its own self-absorption.
    ln = steady_state(TransferParams(core_diameter_nm=7.1), excitation_nm=980,
                      power_w_cm2=UC_POWER_W_CM2)
    pv = steady_state(FREE_CSPBBR3, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
    absorbance = dispersion_absorbance(FREE_CSPBBR3, concentration_mg_ml=2.0)
    mixed = mixture_spectrum(ln, pv, VISIBLE, perovskite_absorbance_400nm=absorbance,
                             perovskite_params=FREE_CSPBBR3)
    ratio = (_per_646(mixed, np.interp(646.0, VISIBLE, mixed))
             / _per_646(ln.spectrum(VISIBLE), np.interp(646.0, VISIBLE, ln.spectrum(VISIBLE))))
    assert ratio == pytest.approx(0.4, rel=0.3)


def test_e6_main_colour_turns_from_blue_to_green():
    bare, hetero = (steady_state(p, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2)
                    for p in (TransferParams(core_diameter_nm=7.1), BETA))
    visible = VISIBLE < 600  # the colour is set by the blue–green range, not 646/695 nm
    assert 440 < VISIBLE[visible][np.argmax(bare.spectrum(VISIBLE)[visible])] < 480
    assert 495 < VISIBLE[np.argmax(hetero.spectrum(VISIBLE))] < 530


def test_e4_yb_emission_under_365_nm_beta_over_alpha_per_mass():
    per_mass = [steady_state(p, excitation_nm=365, power_w_cm2=1.0).lines[980.0] / _mass_g(p)
                for p in (BETA, ALPHA)]
    assert per_mass[0] / per_mass[1] == pytest.approx(1.6, rel=0.2)


def test_e4_nir_quantum_yield_beta_over_alpha():
    qy = [steady_state(p, excitation_nm=365, power_w_cm2=1.0).quantum_yield(900, 1100)
          for p in (BETA, ALPHA)]
    assert qy[0] / qy[1] == pytest.approx(2.0, rel=0.2)


def test_e5_upconversion_quantum_yield_beta_over_alpha():
    qy = [steady_state(p, excitation_nm=980, power_w_cm2=UC_POWER_W_CM2).quantum_yield(340, 720)
          for p in (BETA, ALPHA)]
    assert qy[0] / qy[1] == pytest.approx(6, rel=0.3)
