"""Samples as mixtures of particle classes, and P1's targets E4–E6 (SCIENCE §7)."""

import numpy as np
import pytest

from lnhet_widgets.core.ensemble import Sample
from lnhet_widgets.core.growth import GrowthParams, simulate_growth
from lnhet_widgets.core.transfer import TransferParams, steady_state

VISIBLE = np.linspace(340, 720, 3801)
BETA = TransferParams(host="beta-NaGdF4", core_diameter_nm=7.1, perovskite_edge_nm=16.7)
ALPHA = TransferParams(host="alpha-NaYF4", core_diameter_nm=7.2, perovskite_edge_nm=14.3)
DENSITY_G_CM3 = {"beta-NaGdF4": 5.6, "alpha-NaYF4": 4.2, "CsPbBr3": 4.42}


def _uc_over_646(sample):
    lines = sample.lines(excitation_nm=980, power_w_cm2=100.0)
    spectrum = sample.spectrum(VISIBLE, excitation_nm=980, power_w_cm2=100.0)
    return np.trapezoid(spectrum, VISIBLE) / lines["Tm 1G4→3F4"]


def _grown(temperature_c):
    growth = simulate_growth(GrowthParams(core_diameter_nm=7.1, core_diameter_sd_nm=0.4,
                                          temperature_c=temperature_c), seed=0)
    return Sample.from_growth(growth)


def _mass(p):
    core = np.pi / 6 * p.core_diameter_nm**3
    return core * DENSITY_G_CM3[p.host] + (p.perovskite_edge_nm**3 - core) * 4.42


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


@pytest.mark.xfail(strict=True, reason="E6 at 220 °C: the model gives 6.9× (target ≥ 10×); "
                   "calibration of the LRET volume against E4/E5 is open")
def test_e6_heterostructures_grown_at_220_c_are_ten_times_greener():
    bare = Sample((("bare", TransferParams(core_diameter_nm=7.1), 1.0),))
    assert _uc_over_646(_grown(220.0)) / _uc_over_646(bare) >= 10


@pytest.mark.xfail(strict=True, reason="E6 at 210 °C inherits the seeded-growth gap G5: the "
                   "growth model coats 0.96 of the cores at 210 °C, so the sample is 8.3×")
def test_e6_heterostructures_grown_at_210_c_are_about_twice_as_green():
    bare = Sample((("bare", TransferParams(core_diameter_nm=7.1), 1.0),))
    assert _uc_over_646(_grown(210.0)) / _uc_over_646(bare) == pytest.approx(1.9, rel=0.3)


@pytest.mark.xfail(strict=True, reason="E4: the model gives 1.0× (target 1.6×); it has no "
                   "host-dependent efficiency between α-NaYF4 and β-NaGdF4 yet")
def test_e4_yb_emission_under_365_nm_beta_over_alpha_per_mass():
    per_mass = [steady_state(p, excitation_nm=365, power_w_cm2=1.0).lines[980.0] / _mass(p)
                for p in (BETA, ALPHA)]
    assert per_mass[0] / per_mass[1] == pytest.approx(1.6, rel=0.2)


@pytest.mark.xfail(strict=True, reason="E5: the model gives 0.75× (target ≈ 6×), for the "
                   "same reason as E4")
def test_e5_upconversion_beta_over_alpha():
    uc = [steady_state(p, excitation_nm=980, power_w_cm2=100.0) for p in (BETA, ALPHA)]
    visible = [sum(v for k, v in r.lines.items() if 340 < k < 720) for r in uc]
    assert visible[0] / visible[1] == pytest.approx(6, rel=0.3)
