"""Transient absorption: parameters, master-equation kernel, bleach, P1's targets E2/E3 (§8)."""

import dataclasses
import functools
import json
import math

import numpy as np
import pytest

from lnhet_widgets.core import transient as tr
from lnhet_widgets.core.fitting import fit_decay
from lnhet_widgets.core.transient import (
    P1_SAMPLES,
    BleachParams,
    BleachResult,
    FluenceSeries,
    bleach_kinetics,
    fluence_series,
)


@functools.cache
def tau(name, fluence):
    return bleach_kinetics(P1_SAMPLES[name], fluence_uj_cm2=fluence).tau_avg_ns


def kernel_args(params, fluence, m_traps):
    """P(n, 0), M and the rate arguments of the kernel for a sample class at 400 nm."""
    _, _, p0 = tr._initial_excitons(params, fluence, 400.0)
    return p0, m_traps, *tr._kernel_rates(params)


# --- parameters ---------------------------------------------------------------------------


def test_p1_sample_classes():
    pure, alpha, beta, inert = (P1_SAMPLES[k] for k in ("pure", "alpha", "beta", "inert"))
    assert pure == BleachParams()
    assert (pure.edge_nm, pure.core_diameter_nm, pure.synthesis_temperature_c) == (10.0, 0.0, 180.0)
    assert (alpha.edge_nm, alpha.core_diameter_nm) == (14.3, 7.2)
    assert (beta.edge_nm, beta.core_diameter_nm) == (16.7, 7.1)
    assert (inert.edge_nm, inert.core_diameter_nm, inert.yb_fraction) == (16.7, 7.1, 0.0)
    assert alpha.yb_fraction == beta.yb_fraction == 0.2  # LnNP40, as in core.transfer
    assert {p.synthesis_temperature_c for p in (alpha, beta, inert)} == {220.0}
    # Only the sample description differs between the classes: one set of model constants.
    sample_fields = {"edge_nm", "core_diameter_nm", "yb_fraction", "synthesis_temperature_c"}
    for params in P1_SAMPLES.values():
        for f in dataclasses.fields(BleachParams):
            if f.name not in sample_fields:
                assert getattr(params, f.name) == f.default
    with pytest.raises(TypeError):
        P1_SAMPLES["pure"] = BleachParams(edge_nm=9.0)


def test_geometry_traps_and_rates():
    beta = P1_SAMPLES["beta"]
    assert beta.perovskite_volume_nm3 == pytest.approx(16.7**3 - math.pi / 6 * 7.1**3)
    assert beta.interface_area_nm2 == pytest.approx(math.pi * 7.1**2)
    # σ ∝ V, 1e-13 cm² for a 10 nm cube at 400 nm (SCIENCE §7).
    assert P1_SAMPLES["pure"].cross_section_cm2() == pytest.approx(1e-13)
    assert beta.cross_section_cm2() == pytest.approx(1e-13 * beta.perovskite_volume_nm3 / 1e3)
    assert beta.cross_section_cm2(365.0) > beta.cross_section_cm2(400.0)
    # The hotter synthesis leaves fewer bulk traps; an undoped core has no transfer channel.
    hot = dataclasses.replace(P1_SAMPLES["pure"], synthesis_temperature_c=220.0)
    assert hot.traps_per_nc < P1_SAMPLES["pure"].traps_per_nc / 10
    assert P1_SAMPLES["inert"].ln_transfer_rate_ns == 0.0 < beta.ln_transfer_rate_ns
    assert P1_SAMPLES["inert"].traps_per_nc == beta.traps_per_nc
    # Band-edge states: 2 in a small cube, V/V_X in a large one.
    assert BleachParams(edge_nm=5.0).band_edge_degeneracy == 2.0
    assert beta.band_edge_degeneracy == pytest.approx(
        beta.perovskite_volume_nm3 / (4 * math.pi / 3 * 3.5**3))


def test_auger_lifetime_proportional_to_volume():
    small, large = BleachParams(edge_nm=8.0), BleachParams(edge_nm=12.0)
    assert large.auger_lifetime_ps / small.auger_lifetime_ps == pytest.approx((12 / 8) ** 3)
    # ... and the kernel's biexciton decays with it: a pure biexciton without traps, radiative
    # decay or transfer, fitted with one exponential.
    t = np.linspace(0.0, 3e-9, 601)
    fitted = []
    for params in (small, large):
        p0 = np.array([0.0, 0.0, 1.0])
        pn, _ = tr._integrate(p0, 0, 0.0, 0.0, 0.0, 1e12 / params.auger_lifetime_ps, 0.0, t)
        fitted.append(fit_decay(t * 1e12, pn[:, 2], n_exp=1, weights=None).lifetimes[0])
    assert fitted[0] == pytest.approx(small.auger_lifetime_ps, rel=2e-3)
    assert fitted[1] / fitted[0] == pytest.approx((12 / 8) ** 3, rel=2e-3)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"edge_nm": 2.0}, r"edge_nm = 2.0 nm is outside the allowed range \[3, 40\] nm"),
        ({"core_diameter_nm": 12.0}, r"core_diameter_nm = 12.0 nm must be smaller than "
                                     r"edge_nm = 10 nm"),
        ({"core_diameter_nm": 0.5}, r"core_diameter_nm = 0.5 nm is outside the allowed range "
                                    r"0 \(no core\) or \[1, 30\] nm"),
        ({"yb_fraction": 0.3}, r"yb_fraction = 0.3 needs a core"),
        ({"yb_fraction": 1.5, "core_diameter_nm": 5.0}, r"yb_fraction = 1.5 is outside"),
        ({"synthesis_temperature_c": 500.0}, r"synthesis_temperature_c = 500.0 °C"),
        ({"radiative_lifetime_ns": -1.0}, r"radiative_lifetime_ns = -1.0 ns .*\[0.1, 100\] ns"),
        ({"trap_capture_time_ns": 0.0}, r"trap_capture_time_ns = 0.0 ns"),
        ({"bulk_trap_density_nm3": -1e-3}, r"bulk_trap_density_nm3 = -0.001 nm⁻³"),
        ({"auger_capture_probability": 1.2}, r"auger_capture_probability = 1.2 is outside "
                                             r"the allowed range \[0, 1\]"),
        ({"auger_time_per_volume_ps_nm3": "fast"}, r"auger_time_per_volume_ps_nm3 must be a "
                                                   r"number in ps/nm³"),
    ],
)
def test_bad_parameters_name_field_unit_and_range(fields, message):
    with pytest.raises(ValueError, match=message):
        BleachParams(**fields)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fluence_uj_cm2": -1.0}, r"fluence_uj_cm2 = -1.0 µJ/cm² is outside the allowed "
                                   r"range \(0, 496.6\] µJ/cm²"),
        ({"fluence_uj_cm2": 0.0}, r"fluence_uj_cm2 = 0.0 µJ/cm²"),
        ({"fluence_uj_cm2": 600.0}, r"fluence_uj_cm2 = 600.0 µJ/cm²"),
        ({"fluence_uj_cm2": 5.0, "pump_nm": 600.0}, r"pump_nm = 600.0 nm is outside the "
                                                   r"allowed range \[300, 480\] nm"),
        ({"fluence_uj_cm2": 5.0, "t_ns": np.linspace(1.0, 10.0, 100)}, r"start at 0 ns"),
        ({"fluence_uj_cm2": 5.0, "t_ns": np.linspace(10.0, 0.0, 100)}, r"start at 0 ns"),
        ({"fluence_uj_cm2": 5.0, "t_ns": np.linspace(0.0, 10.0, 10)}, r"at least 21 delays"),
    ],
)
def test_bad_kinetics_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bleach_kinetics(BleachParams(), **kwargs)


def test_bad_params_object_and_empty_series():
    with pytest.raises(ValueError, match="params must be a BleachParams"):
        bleach_kinetics({"edge_nm": 10.0}, fluence_uj_cm2=5.0)
    with pytest.raises(ValueError, match="fluences_uj_cm2 must be a non-empty"):
        fluence_series(BleachParams(), [])


# --- the master equation ------------------------------------------------------------------


@pytest.mark.parametrize("name, fluence, m_traps", [("pure", 23.1, 3), ("beta", 23.1, 1),
                                                    ("inert", 6.1, 2)])
def test_probability_conserved_and_non_negative(name, fluence, m_traps):
    params = P1_SAMPLES[name]
    t = np.linspace(0.0, 30e-9, 751)
    pn, pm = tr._integrate(*kernel_args(params, fluence, m_traps), t)
    assert np.abs(pn.sum(axis=1) - 1.0).max() < 1e-9
    assert np.abs(pm.sum(axis=1) - 1.0).max() < 1e-9
    assert pn.min() > -1e-12 and pm.min() > -1e-12


@pytest.mark.parametrize("name, fluence, m_traps", [("pure", 6.1, 3), ("pure", 23.1, 3),
                                                    ("alpha", 23.1, 1), ("beta", 23.1, 0)])
def test_kernel_matches_exact_reference(name, fluence, m_traps):
    params = P1_SAMPLES[name]
    t = np.linspace(0.0, 30e-9, 751)
    args = kernel_args(params, fluence, m_traps)
    pn, pm = tr._integrate(*args, t)
    ref_n, ref_m = tr._master_equation_reference(*args, t)
    assert np.abs(pn - ref_n).max() < 5e-5
    assert np.abs(pm - ref_m).max() < 5e-5
    occupation = np.minimum(np.arange(pn.shape[1]), params.band_edge_degeneracy)
    bleach, ref = pn @ occupation, ref_n @ occupation
    assert np.abs(bleach - ref).max() < 1e-4 * ref.max()


def test_ensemble_kernel_matches_reference_over_trap_classes():
    params = P1_SAMPLES["beta"]    # 0.67 traps: classes of 0 and 1 traps
    _, _, p0 = tr._initial_excitons(params, 23.1, 400.0)
    t = np.linspace(0.0, 30.0, 751)
    ours = tr._ensemble(params, p0, t)
    exact = tr._ensemble(params, p0, t, integrate=tr._master_equation_reference)
    for a, b in zip(ours, exact, strict=True):
        assert np.abs(a - b).max() < 1e-4 * np.abs(b).max()


def test_reference_needs_even_steps():
    with pytest.raises(ValueError, match="evenly spaced"):
        tr._master_equation_reference(np.array([0.0, 1.0]), 1, 1e9, 1e9, 1e7, 1e10, 0.5,
                                      np.array([0.0, 1e-9, 3e-9]))


def test_trap_classes_mix_floor_and_ceiling():
    assert tr._trap_classes(3.0) == ((3, 1.0),)
    assert tr._trap_classes(3.0 - 1e-12) == ((3, 1.0),)
    (low, w_low), (high, w_high) = tr._trap_classes(0.674)
    assert (low, high) == (0, 1) and w_low * low + w_high * high == pytest.approx(0.674)


# --- the bleach ---------------------------------------------------------------------------


def test_bleach_normalised_non_negative_and_decaying():
    result = bleach_kinetics(P1_SAMPLES["beta"], fluence_uj_cm2=23.1)
    assert result.bleach[0] == 1.0 == result.bleach.max()
    assert result.bleach.min() >= 0.0
    assert np.all(np.diff(result.bleach) <= 1e-12)
    assert result.t_ns[0] == 0.0 and result.t_ns[-1] == 30.0


def test_mean_excitons_is_poisson_mean_of_sigma_j():
    result = bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=10.0)
    # 1 µJ cm⁻² at 400 nm = 2.01e12 photons cm⁻² (SCIENCE §8).
    assert result.mean_excitons == pytest.approx(1e-13 * 2.01e12 * 10.0, rel=2e-3)
    assert result.excitons[0] == pytest.approx(result.mean_excitons, rel=1e-9)
    assert result.filled_traps[0] == 0.0
    # At 365 nm: fewer photons per µJ, a larger cross-section.
    uv = bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=10.0, pump_nm=365.0)
    ratio = 365.0 / 400.0 * P1_SAMPLES["pure"].cross_section_cm2(365.0) / 1e-13
    assert uv.mean_excitons / result.mean_excitons == pytest.approx(ratio, rel=1e-12)


@pytest.mark.parametrize("name", ["pure", "beta", "inert"])
def test_single_exciton_limit(name):
    # At ⟨N⟩ → 0 every excited nanocrystal holds one exciton: it decays with
    # k = k_rad + M k_t + k_Ln in a nanocrystal with M traps, and the classes ⌊M̄⌋, ⌈M̄⌉
    # mix to the intensity-weighted Σ w τ² / Σ w τ.
    params = P1_SAMPLES[name]
    result = bleach_kinetics(params, fluence_uj_cm2=1e-3)
    assert result.mean_excitons < 1e-3
    classes = tr._trap_classes(params.traps_per_nc)
    lifetimes = [1.0 / (1.0 / params.radiative_lifetime_ns + m / params.trap_capture_time_ns
                        + params.ln_transfer_rate_ns) for m, _ in classes]
    weights = [w for _, w in classes]
    expected = np.dot(weights, np.square(lifetimes)) / np.dot(weights, lifetimes)
    assert result.tau_avg_ns == pytest.approx(expected, rel=5e-3)
    if len(classes) == 1:
        assert result.tau_avg_ns == pytest.approx(params.single_exciton_lifetime_ns, rel=5e-3)


def test_traps_fill_with_fluence_through_auger_capture():
    pure = P1_SAMPLES["pure"]
    low = bleach_kinetics(pure, fluence_uj_cm2=2.0).filled_traps[-1]
    high = bleach_kinetics(pure, fluence_uj_cm2=23.1).filled_traps[-1]
    assert high > 2 * low
    no_capture = dataclasses.replace(pure, auger_capture_probability=0.0)
    assert bleach_kinetics(no_capture, fluence_uj_cm2=23.1).filled_traps[-1] < 0.6 * high


def test_no_noise_and_json_round_trip(tmp_path):
    a = bleach_kinetics(P1_SAMPLES["alpha"], fluence_uj_cm2=12.2)
    b = bleach_kinetics(P1_SAMPLES["alpha"], fluence_uj_cm2=12.2)
    assert np.array_equal(a.bleach, b.bleach) and a.tau_avg_ns == b.tau_avg_ns
    back = BleachResult.from_json(a.to_json(tmp_path / "ta.json"))
    assert back.params == a.params
    assert np.array_equal(back.bleach, a.bleach) and back.tau_avg_ns == a.tau_avg_ns
    assert a.to_csv().splitlines()[0] == "t_ns,bleach,excitons,filled_traps"
    assert BleachParams.from_dict(json.loads(json.dumps(a.params.to_dict()))) == a.params


def test_fluence_series():
    series = fluence_series(P1_SAMPLES["pure"], [6.1, 12.2, 23.1])
    assert isinstance(series, FluenceSeries)
    assert series.tau_avg_ns == pytest.approx([tau("pure", f) for f in (6.1, 12.2, 23.1)])
    assert np.all(np.diff(series.tau_avg_ns) > 0)
    assert np.all(np.diff(series.mean_excitons) > 0)
    assert FluenceSeries.from_json(series.to_json()).params == series.params


# --- P1's targets (SCIENCE §7, E2 and E3) -------------------------------------------------


@pytest.mark.parametrize("name, target", [("pure", 2.9), ("alpha", 1.5), ("beta", 1.3)])
def test_e2_gsb_lifetimes_at_23_uj(name, target):
    assert tau(name, 23.1) == pytest.approx(target, rel=0.15)


def test_e2_order():
    assert tau("pure", 23.1) > tau("alpha", 23.1) > tau("beta", 23.1)


@pytest.mark.parametrize("name, target", [("inert", 4.1), ("pure", 1.2)])
def test_e3_low_fluence(name, target):
    assert tau(name, 6.1) == pytest.approx(target, rel=0.20)


def test_e3_trends():
    # Pure: traps fill, τ_avg rises; inert heterostructure: Auger shows, τ_avg falls.
    assert tau("pure", 6.1) < tau("pure", 12.2) < tau("pure", 23.1)
    assert tau("inert", 6.1) > tau("inert", 12.2) > tau("inert", 23.1)


def test_e3_nearly_equal_at_23_uj():
    assert tau("inert", 23.1) / tau("pure", 23.1) == pytest.approx(1.0, rel=0.25)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="at 12.2 µJ/cm² inert/pure = 1.38 (target within 25 %): "
                   "the pure cube's ⟨N⟩ only doubles from 6.1 to 12.2 µJ/cm² and Poisson "
                   "statistics spread its trap filling; see the transient module docstring")
def test_e3_nearly_equal_at_12_uj():
    assert tau("inert", 12.2) / tau("pure", 12.2) == pytest.approx(1.0, rel=0.25)
