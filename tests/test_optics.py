"""Absorption edge, Tauc gap, reabsorption red shift and the ECP (SCIENCE §8, §10)."""

import numpy as np
import pytest

from lnhet_widgets.core.analysis import EcpResult, TaucFit, ecp, tauc_gap
from lnhet_widgets.core.optics import (
    EXCITON_BINDING_ENERGY_EV,
    absorption_spectrum,
    dilution_series,
    emission_spectrum,
    exciton_gap_ev,
)

E = np.linspace(2.2, 2.9, 1401)


def test_elliott_edge_has_an_exciton_below_the_gap_and_a_flat_continuum():
    alpha = absorption_spectrum(E, gap_ev=2.45, binding_ev=0.033, broadening_ev=0.02)
    edge = E < 2.47
    # The broadened line sits between E_g − E_b and E_g, pulled up by the continuum onset.
    assert 2.45 - 0.033 <= E[edge][np.argmax(alpha[edge])] < 2.45 - 0.02
    # Far above the gap: the Sommerfeld-enhanced continuum (→ 2π√E_b as E − E_g → ∞).
    x = np.sqrt(0.033 / (E[-1] - 2.45))
    sommerfeld = 2 * np.pi * np.sqrt(0.033) / -np.expm1(-2 * np.pi * x)
    assert alpha[-1] == pytest.approx(sommerfeld, rel=0.02)
    assert alpha[0] < 1e-3 * alpha.max()


def test_no_binding_no_exciton():
    weak = absorption_spectrum(E, gap_ev=2.45, binding_ev=1e-5, broadening_ev=0.01)
    assert np.all(np.diff(weak[E > 2.5]) >= -1e-9)  # a monotonic √(E − Eg)-like rise


def test_tauc_recovers_an_ideal_direct_gap():
    alpha = np.sqrt(np.clip(E - 2.42, 0.0, None)) / E
    fit = tauc_gap(E, alpha, window=(2.44, 2.7))
    assert fit.gap_ev == pytest.approx(2.42, abs=1e-9)
    assert isinstance(fit, TaucFit) and fit.gap_err_ev < 1e-6


def test_tauc_tracks_a_gap_shift_of_5_mev():
    # P1: the Tauc gap of the heterostructures is 5 meV above the pure perovskite's.
    pure = tauc_gap(E, absorption_spectrum(E, gap_ev=2.450))
    shifted = tauc_gap(E, absorption_spectrum(E, gap_ev=2.455))
    assert shifted.gap_ev - pure.gap_ev == pytest.approx(0.005, abs=0.0005)
    assert pure.window_start_ev < pure.window_end_ev < 2.45


@pytest.mark.parametrize("noise", [1e-3, 1e-2])
def test_tauc_automatic_window_survives_measurement_noise(noise):
    # Noise of a measured spectrum must not fake an exciton maximum or a steepest point.
    clean = absorption_spectrum(E, gap_ev=2.45)
    rng = np.random.default_rng(11)
    noisy = clean + noise * clean.max() * rng.standard_normal(E.size)
    assert tauc_gap(E, noisy).gap_ev == pytest.approx(tauc_gap(E, clean).gap_ev, abs=0.003)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"window": (2.6, 2.5)}, "low < high"), ({"window": (2.0, 2.01)}, "needs at least 4"),
     ({"window": (2.2, 2.3)}, "does not rise")],
)
def test_tauc_bad_windows(kwargs, message):
    alpha = absorption_spectrum(E, gap_ev=2.45)
    alpha[E < 2.3] = 0.0
    with pytest.raises(ValueError, match=message):
        tauc_gap(E, alpha, **kwargs)


def test_emission_band_width():
    band = emission_spectrum(E, peak_ev=2.44, fwhm_ev=0.08)
    above_half = E[band >= 0.5]
    assert above_half[-1] - above_half[0] == pytest.approx(0.08, abs=0.002)


def test_reabsorption_moves_the_peak_red_and_dilution_converges():
    c = np.geomspace(3.0, 1e-3, 12)
    series = dilution_series(c, gap_ev=2.47)
    assert np.all(np.diff(series.peak_nm) < 1e-9)  # diluting never moves the peak red
    assert series.peak_nm[0] - series.intrinsic_peak_nm > 5.0
    result = ecp(series.concentrations, series.peak_nm, tolerance_nm=0.2)
    assert result.ecp_nm == pytest.approx(series.intrinsic_peak_nm, abs=0.2)
    assert result.red_shift_nm > 5.0
    assert series.spectra.shape == (12, series.wavelength_nm.size)
    assert np.all(np.diff(series.wavelength_nm) > 0)


def test_a_larger_gap_gives_a_bluer_ecp():
    # 508 → 504 nm (P1) is 19 meV; the ECP follows the gap.
    c = np.geomspace(1.0, 1e-3, 8)
    red = ecp(c, dilution_series(c, gap_ev=2.470).peak_nm, tolerance_nm=0.2).ecp_nm
    blue = ecp(c, dilution_series(c, gap_ev=2.489).peak_nm, tolerance_nm=0.2).ecp_nm
    assert red - blue == pytest.approx(1239.84 / 2.45 - 1239.84 / 2.469, abs=0.3)


def test_ecp_reads_the_converged_dilutions():
    result = ecp([1.0, 0.3, 0.1, 0.03, 0.01], [515.2, 511.0, 508.6, 508.2, 508.1])
    assert isinstance(result, EcpResult)
    assert result.converged.tolist() == [True, True, True, False, False]
    assert result.ecp_nm == pytest.approx(508.3)
    assert result.red_shift_nm == pytest.approx(6.9)
    back = EcpResult.from_json(result.to_json())
    assert back.ecp_nm == result.ecp_nm


def test_ecp_refuses_a_series_that_has_not_converged():
    with pytest.raises(ValueError, match="dilute further"):
        ecp([1.0, 0.1, 0.01], [515.0, 511.0, 509.0])
    with pytest.raises(ValueError, match="same length"):
        ecp([1.0], [515.0])


# --- P1's confinement targets (SCIENCE §8): ECP of free and cored cubes, Tauc gap ---------
DILUTIONS = np.geomspace(1.0, 1e-3, 8)


def ecp_nm(perovskite, edge_nm, cores=()):
    """P1's measurement: the ECP of a dilution series of the modelled dispersion."""
    gap = exciton_gap_ev(perovskite, edge_nm, core_diameters_nm=cores)
    series = dilution_series(DILUTIONS, gap_ev=gap,
                             binding_ev=EXCITON_BINDING_ENERGY_EV[perovskite])
    return ecp(DILUTIONS, series.peak_nm, tolerance_nm=0.2).ecp_nm


@pytest.mark.parametrize("edge_nm", [9.5, 10.4])
def test_free_cspbbr3_cube_emits_at_508_nm(edge_nm):
    assert abs(ecp_nm("CsPbBr3", edge_nm) - 508.0) <= 3.0


@pytest.mark.parametrize("edge_nm, core_nm", [(9.5, 3.7), (10.4, 4.9)])
def test_a_core_moves_the_cspbbr3_ecp_2_to_8_nm_blue(edge_nm, core_nm):
    # P1: 508 → 504 nm for β-NaGdF4@ (3.7 nm in 9.5 nm) and α-NaYF4@ (4.9 nm in 10.4 nm).
    shift = ecp_nm("CsPbBr3", edge_nm) - ecp_nm("CsPbBr3", edge_nm, (core_nm,))
    print(f"CsPbBr3 {core_nm} nm core in {edge_nm} nm: ECP blue shift {shift:.2f} nm")
    assert 2.0 <= shift <= 8.0


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="CsPbCl3 moves by more than 2 nm with a core; P1 sees none: "
                   "centre-of-mass confinement of its "
                   "0.81 m_e exciton is too strong in a 2.8 nm thin shell")
@pytest.mark.parametrize("edge_nm, core_nm", [(9.5, 3.7), (10.4, 4.9)])
def test_cspbcl3_ecp_does_not_move_with_a_core(edge_nm, core_nm):
    free = ecp_nm("CsPbCl3", edge_nm)
    shift = free - ecp_nm("CsPbCl3", edge_nm, (core_nm,))
    print(f"CsPbCl3 {core_nm} nm core in {edge_nm} nm: ECP {free:.1f} nm, shift {shift:.2f} nm")
    assert abs(free - 403.0) <= 3.0  # P1: 403 nm, the constant's fixing target
    assert abs(shift) < 2.0


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="the Tauc gap of β-NaGdF4@CsPbBr3 (3.7 nm in 9.5 nm) moves more than "
                   "P1's 5 meV: one gap shift moves emission and absorption alike, and the "
                   "ECP target needs ≥ 10 meV")
def test_tauc_gap_of_the_heterostructure_5_mev_above_the_free_cube():
    energy = np.linspace(2.3, 2.8, 1001)
    free, cored = (tauc_gap(energy, absorption_spectrum(
        energy, gap_ev=exciton_gap_ev("CsPbBr3", 9.5, core_diameters_nm=cores))).gap_ev
        for cores in ((), (3.7,)))
    shift_mev = (cored - free) * 1e3
    print(f"Tauc gap shift {shift_mev:.1f} meV")
    assert 0.0 <= shift_mev <= 10.0
