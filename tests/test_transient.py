"""Transient absorption: parameters, master-equation kernel, bleach, P1's targets E2/E3 (§8)."""

import dataclasses
import functools
import json
import math

import numpy as np
import pytest

from lnhet_widgets.core.analysis import fit_decay
from lnhet_widgets.core.optics import (
    P1_SAMPLES,
    BleachParams,
    BleachResult,
    FluenceSeries,
    bleach_kinetics,
    fluence_series,
)
from lnhet_widgets.core.optics import bleach as tr
from lnhet_widgets.core.optics import perovskite_constants as pc


@functools.cache
def tau(name, fluence):
    return bleach_kinetics(P1_SAMPLES[name], fluence_uj_cm2=fluence).tau_avg_ns


def kernel_args(params, fluence, m_traps):
    """P(n, 0) and the rate arguments of the kernel for M traps of a sample class at 400 nm."""
    _, _, p0 = tr._initial_excitons(params, fluence, 400.0)
    return p0, *tr._kernel_rates(params, m_traps)


# --- parameters ---------------------------------------------------------------------------


def test_p1_sample_classes():
    pure, alpha, beta, pure_j, inert = (P1_SAMPLES[k] for k in
                                        ("pure", "alpha", "beta", "pure_fig1j", "inert"))
    assert pure == BleachParams()
    assert (pure.edge_nm, pure.core_diameter_nm, pure.synthesis_temperature_c) == (10.0, 0.0, 180.0)
    assert (alpha.edge_nm, alpha.core_diameter_nm, alpha.core_host) == (14.3, 7.2, "alpha-NaYF4")
    assert (beta.edge_nm, beta.core_diameter_nm, beta.core_host) == (16.7, 7.1, "beta-NaGdF4")
    # P1's Fig. 1j: the inert β-NaGdF4 core of 3.7 nm in a 9.5 nm cube (G3).
    assert (inert.edge_nm, inert.core_diameter_nm, inert.yb_fraction) == (9.5, 3.7, 0.0)
    assert inert.core_host == "beta-NaGdF4"
    assert alpha.yb_fraction == beta.yb_fraction == 0.3  # α/β-NaRE0.69F4:Yb0.3,Tm0.01 (§1)
    assert {p.synthesis_temperature_c for p in (alpha, beta, inert)} == {220.0}
    assert (pure_j.edge_nm, pure_j.core_diameter_nm, pure_j.synthesis_temperature_c) == (
        10.0, 0.0, 180.0)
    # Two batches: Fig. 1j's (its pure cubes and the inert heterostructure) and E2's differ in
    # their bulk trap density only.
    assert pure_j.bulk_trap_density_nm3 == inert.bulk_trap_density_nm3 == (
        tr.FIG1J_BULK_TRAP_DENSITY_NM3)
    assert pure.bulk_trap_density_nm3 == alpha.bulk_trap_density_nm3 == (
        beta.bulk_trap_density_nm3) == pc.BULK_TRAP_DENSITY_NM3
    assert dataclasses.replace(pure_j, bulk_trap_density_nm3=pc.BULK_TRAP_DENSITY_NM3) == pure
    # Only the sample description differs between the classes: one set of model constants.
    sample_fields = {"edge_nm", "core_diameter_nm", "core_host", "yb_fraction",
                     "synthesis_temperature_c", "bulk_trap_density_nm3"}
    for params in P1_SAMPLES.values():
        for f in dataclasses.fields(BleachParams):
            if f.name not in sample_fields:
                assert getattr(params, f.name) == f.default
    with pytest.raises(TypeError):
        P1_SAMPLES["pure"] = BleachParams(edge_nm=9.0)


def test_defaults_are_the_shared_perovskite_constants():
    # One quantity, one value: the constants transfer.py uses too.
    p = BleachParams()
    assert p.radiative_lifetime_ns == pc.EXCITON_RADIATIVE_LIFETIME_NS
    assert p.trap_capture_time_ns == pc.TRAP_CAPTURE_TIME_NS
    assert p.trap_lifetime_ns == pc.TRAP_LIFETIME_NS
    assert p.bulk_trap_density_nm3 == pc.BULK_TRAP_DENSITY_NM3
    assert p.trap_reference_temperature_c == pc.TRAP_REFERENCE_TEMPERATURE_C
    assert p.trap_annealing_energy_ev == pc.TRAP_ANNEALING_ENERGY_EV
    assert p.interface_trap_density_nm2 == pc.INTERFACE_TRAP_DENSITY_NM2
    assert p.auger_time_per_volume_ps_nm3 == pc.AUGER_TIME_PER_VOLUME_PS_NM3
    assert p.trap_auger_time_per_volume_ps_nm3 == pc.TRAP_AUGER_TIME_PER_VOLUME_PS_NM3
    assert p.auger_capture_probability == pc.AUGER_CAPTURE_PROBABILITY
    assert p.cross_section_per_volume_cm2_nm3 == pc.CROSS_SECTION_PER_VOLUME_CM2_NM3
    assert p.exciton_bohr_radius_nm == pc.EXCITON_BOHR_RADIUS_NM["CsPbBr3"]
    assert p.ln_transfer_rate_ns_nm2 == pc.LN_TRANSFER_RATE_NS_NM2


def test_geometry_traps_and_rates():
    beta, alpha = P1_SAMPLES["beta"], P1_SAMPLES["alpha"]
    assert beta.perovskite_volume_nm3 == pytest.approx(16.7**3 - math.pi / 6 * 7.1**3)
    assert beta.interface_area_nm2 == pytest.approx(math.pi * 7.1**2)
    # σ ∝ V, 1e-13 cm² for a 10 nm cube at 400 nm (SCIENCE §7).
    assert P1_SAMPLES["pure"].cross_section_cm2() == pytest.approx(1e-13)
    assert beta.cross_section_cm2() == pytest.approx(1e-13 * beta.perovskite_volume_nm3 / 1e3)
    assert beta.cross_section_cm2(365.0) > beta.cross_section_cm2(400.0)
    # The hotter synthesis leaves fewer bulk traps; an undoped core has no transfer channel.
    hot = dataclasses.replace(P1_SAMPLES["pure"], synthesis_temperature_c=220.0)
    assert hot.traps_per_nc < P1_SAMPLES["pure"].traps_per_nc / 10
    assert hot.traps_per_nc == pytest.approx(
        pc.bulk_trap_density_nm3(220.0) * hot.perovskite_volume_nm3)
    assert P1_SAMPLES["inert"].ln_transfer_rate_ns == 0.0 < beta.ln_transfer_rate_ns
    # The α (fluorite) interface holds twice the traps of the β one (INTERFACE_DEFECT_SCALE).
    bulk = pc.bulk_trap_density_nm3(220.0)
    for params, scale in ((alpha, 2.0), (beta, 1.0)):
        interface = params.traps_per_nc - bulk * params.perovskite_volume_nm3
        assert interface == pytest.approx(scale * pc.INTERFACE_TRAP_DENSITY_NM2
                                          * params.interface_area_nm2)
    # Band-edge states: 2 in a small cube, V/V_X in a large one.
    assert BleachParams(edge_nm=5.0).band_edge_degeneracy == 2.0
    assert beta.band_edge_degeneracy == pytest.approx(
        beta.perovskite_volume_nm3 / (4 * math.pi / 3 * 3.5**3))
    assert beta.trap_auger_lifetime_ps == pytest.approx(
        pc.TRAP_AUGER_TIME_PER_VOLUME_PS_NM3 * beta.perovskite_volume_nm3)


def test_auger_lifetime_proportional_to_volume():
    small, large = BleachParams(edge_nm=8.0), BleachParams(edge_nm=12.0)
    assert large.auger_lifetime_ps / small.auger_lifetime_ps == pytest.approx((12 / 8) ** 3)
    # ... and the kernel's biexciton decays with it: a pure biexciton without traps, radiative
    # decay or transfer, fitted with one exponential.
    t = np.linspace(0.0, 3e-9, 601)
    fitted = []
    for params in (small, large):
        p0 = np.array([0.0, 0.0, 1.0])
        pn, _ = tr._integrate(p0, 0.0, 0.0, 1e12 / params.auger_lifetime_ps, 0.0, 0.0, t)
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
        ({"trap_auger_time_per_volume_ps_nm3": 0.0}, r"trap_auger_time_per_volume_ps_nm3 = "
                                                     r"0.0 ps/nm³"),
        ({"core_host": "NaLuF4"}, r"core_host must be one of"),
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


@pytest.mark.parametrize("name, fluence, m_traps", [("pure", 23.1, 1), ("beta", 23.1, 6),
                                                    ("inert", 6.1, 3), ("pure_fig1j", 23.1, 65)])
def test_probability_conserved_and_non_negative(name, fluence, m_traps):
    params = P1_SAMPLES[name]
    t = np.linspace(0.0, 30e-9, 751)
    pn, pc_ = tr._integrate(*kernel_args(params, fluence, m_traps), t)
    assert np.abs(pn.sum(axis=1) - 1.0).max() < 1e-9
    assert np.abs(pc_.sum(axis=1) - 1.0).max() < 1e-9
    assert pn.min() > -1e-12 and pc_.min() > -1e-12


@pytest.mark.parametrize("name, fluence, m_traps", [("pure", 6.1, 1), ("pure", 23.1, 0),
                                                    ("alpha", 23.1, 12), ("inert", 23.1, 3),
                                                    ("pure_fig1j", 6.1, 65)])
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
    params = P1_SAMPLES["pure"]    # 0.85 traps: classes of 0 and 1 traps
    _, _, p0 = tr._initial_excitons(params, 23.1, 400.0)
    t = np.linspace(0.0, 30.0, 751)
    ours = tr._ensemble(params, p0, t)
    exact = tr._ensemble(params, p0, t, integrate=tr._master_equation_reference)
    for a, b in zip(ours, exact, strict=True):
        assert np.abs(a - b).max() < 1e-4 * np.abs(b).max()


def test_reference_needs_even_steps():
    with pytest.raises(ValueError, match="evenly spaced"):
        tr._master_equation_reference(np.array([0.0, 1.0]), 1e9, 1e9, 1e10, 0.5, 1e7,
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
    assert result.charged_fraction[0] == 0.0
    # At 365 nm: fewer photons per µJ, a larger cross-section.
    uv = bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=10.0, pump_nm=365.0)
    ratio = 365.0 / 400.0 * P1_SAMPLES["pure"].cross_section_cm2(365.0) / 1e-13
    assert uv.mean_excitons / result.mean_excitons == pytest.approx(ratio, rel=1e-12)


@pytest.mark.parametrize("name", ["pure", "beta", "inert", "pure_fig1j"])
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


def test_auger_capture_charges_nanocrystals_with_fluence():
    inert = P1_SAMPLES["inert"]
    # Right after the Auger cascade (0.5 ns), before the trapped carriers are released.
    t = np.linspace(0.0, 30.0, 751)
    low, high = (bleach_kinetics(inert, fluence_uj_cm2=f).charged_fraction[12]
                 for f in (2.0, 23.1))
    assert t[12] == pytest.approx(0.48)
    assert high > 3 * low > 0.0
    no_capture = dataclasses.replace(inert, auger_capture_probability=0.0)
    assert bleach_kinetics(no_capture, fluence_uj_cm2=23.1).charged_fraction.max() == 0.0
    # A trap-free nanocrystal cannot be charged.
    clean = dataclasses.replace(inert, bulk_trap_density_nm3=0.0, interface_trap_density_nm2=0.0)
    assert bleach_kinetics(clean, fluence_uj_cm2=23.1).charged_fraction.max() == 0.0


def test_no_noise_and_json_round_trip(tmp_path):
    a = bleach_kinetics(P1_SAMPLES["alpha"], fluence_uj_cm2=12.2)
    b = bleach_kinetics(P1_SAMPLES["alpha"], fluence_uj_cm2=12.2)
    assert np.array_equal(a.bleach, b.bleach) and a.tau_avg_ns == b.tau_avg_ns
    back = BleachResult.from_json(a.to_json(tmp_path / "ta.json"))
    assert back.params == a.params
    assert np.array_equal(back.bleach, a.bleach) and back.tau_avg_ns == a.tau_avg_ns
    assert a.to_csv().splitlines()[0] == "t_ns,bleach,excitons,charged_fraction"
    assert BleachParams.from_dict(json.loads(json.dumps(a.params.to_dict()))) == a.params


def test_fluence_series():
    series = fluence_series(P1_SAMPLES["pure"], [6.1, 12.2, 23.1])
    assert isinstance(series, FluenceSeries)
    assert series.tau_avg_ns == pytest.approx([tau("pure", f) for f in (6.1, 12.2, 23.1)])
    assert np.all(np.diff(series.tau_avg_ns) < 0)
    assert np.all(np.diff(series.mean_excitons) > 0)
    assert FluenceSeries.from_json(series.to_json()).params == series.params


# --- P1's targets (SCIENCE §7, E2 and E3) -------------------------------------------------

P1_FLUENCES = (6.1, 12.2, 23.1)


@pytest.mark.parametrize("name, target", [("pure", 2.9), ("alpha", 1.5), ("beta", 1.3)])
def test_e2_gsb_lifetimes_at_23_uj(name, target):
    assert tau(name, 23.1) == pytest.approx(target, rel=0.15)


def test_e2_order():
    print("E2 at 23.1 µJ/cm²: " + ", ".join(f"{k} {tau(k, 23.1):.3f} ns"
                                            for k in ("pure", "alpha", "beta")))
    assert tau("pure", 23.1) > tau("alpha", 23.1) > tau("beta", 23.1)


@pytest.mark.parametrize("name, target", [("inert", 4.1), ("pure_fig1j", 1.2)])
def test_e3_low_fluence(name, target):
    assert tau(name, 6.1) == pytest.approx(target, rel=0.15)


@pytest.mark.parametrize("name", ["inert", "pure_fig1j", "pure"])
def test_lifetimes_decrease_with_fluence(name):
    # P1: "At higher fluences, the lifetimes of both decrease due to Auger recombination."
    lifetimes = [tau(name, f) for f in P1_FLUENCES]
    assert np.all(np.diff(lifetimes) < 0), lifetimes


def test_e3_ratio_falls_with_fluence():
    ratios = [tau("inert", f) / tau("pure_fig1j", f) for f in P1_FLUENCES]
    print("inert/pure at 6.1, 12.2, 23.1 µJ/cm²:", [round(r, 3) for r in ratios])
    assert np.all(np.diff(ratios) < 0)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="inert/pure at 23.1 µJ/cm² stays above 0.8–1.25: the "
                   "intensity-weighted τ_avg of the inert sample stays with its nanocrystals "
                   "that hold one exciton, which decay as at low fluence; "
                   "see the docstring of lnhet_widgets.core.optics.bleach")
def test_e3_nearly_equal_at_23_uj():
    ratio = tau("inert", 23.1) / tau("pure_fig1j", 23.1)
    print(f"inert/pure at 23.1 µJ/cm² = {ratio:.3f}")
    assert 0.8 <= ratio <= 1.25
