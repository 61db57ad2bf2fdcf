"""Rate equations of two-way energy transfer (SCIENCE §6, §7): invariants, numerics, calibration."""

import dataclasses

import numpy as np
import pytest

from lnhet_widgets.core.optics import (
    EnergyTransfer,
    IonSites,
    Pulse,
    TransferParams,
    cation_sites_nm,
    dynamics,
    mixture_spectrum,
    power_dependence,
    rate_system,
    steady_state,
    yb_lifetime_us,
)
from lnhet_widgets.core.optics import _transfer_kernel as kernel

BARE = TransferParams()
HETERO = TransferParams(perovskite_edge_nm=16.7)
CSS = TransferParams(active_shell_nm=2.0, inert_shell_nm=2.55)
LOW_POWERS = np.logspace(-2, 0, 5)


def _species_sums(result):
    out = []
    offset = 0
    for levels in result.species_levels:
        out.append(result.state[:, offset:offset + len(levels)].sum(axis=1))
        offset += len(levels)
    return np.array(out)


@pytest.mark.parametrize("params, excitation", [(BARE, 980), (HETERO, 980), (HETERO, 365),
                                                (HETERO, 400), (CSS, 980)])
@pytest.mark.parametrize("power", [1e-2, 1e2, 1e6])
def test_populations_are_conserved_and_bounded(params, excitation, power):
    result = steady_state(params, excitation_nm=excitation, power_w_cm2=power)
    assert np.allclose(_species_sums(result), 1.0, atol=1e-9)
    assert result.state.min() >= -1e-12 and result.state.max() <= 1 + 1e-12


def test_steady_state_is_a_fixed_point_of_the_rate_equations():
    system = rate_system(HETERO, 980.0)
    y = steady_state(HETERO, excitation_nm=980, power_w_cm2=300.0).state[0]
    lin_from = np.concatenate((system.lin[0], system.pump[0]))
    lin_to = np.concatenate((system.lin[1], system.pump[1]))
    rates = np.concatenate((system.lin[2], system.pump[2] * 300.0))
    dy = kernel.rhs(y, lin_from, lin_to, rates, *system.pair)
    # relative to the largest gross flux through any level
    assert np.max(np.abs(dy)) < 1e-9 * np.max(rates)


def test_numba_rhs_matches_numpy_reference_and_jacobian_matches_differences():
    system = rate_system(HETERO, 980.0)
    rng = np.random.default_rng(3)
    y = rng.random(system.size)
    args = (np.concatenate((system.lin[0], system.pump[0])),
            np.concatenate((system.lin[1], system.pump[1])),
            np.concatenate((system.lin[2], system.pump[2] * 50.0)), *system.pair)
    assert np.allclose(kernel.rhs(y, *args), kernel.rhs_numpy(y, *args), rtol=1e-12, atol=0)
    jac = kernel.jacobian(y, *args)
    step = 1e-6
    numeric = np.empty_like(jac)
    for j in range(y.size):
        e = np.zeros_like(y)
        e[j] = step
        numeric[:, j] = (kernel.rhs(y + e, *args) - kernel.rhs(y - e, *args)) / (2 * step)
    assert np.allclose(jac, numeric, rtol=1e-6, atol=1e-6 * np.abs(jac).max())


@pytest.mark.parametrize("nm, slope", [(800.0, 2), (475.0, 3), (646.0, 3), (450.0, 4)])
def test_low_power_slopes_and_saturation(nm, slope):
    sweep = power_dependence(BARE, LOW_POWERS)
    low = np.polyfit(np.log(LOW_POWERS), np.log(sweep.lines[nm]), 1)[0]
    assert low == pytest.approx(slope, rel=0.10)
    high_powers = np.array([1e5, 2e5])
    high = power_dependence(BARE, high_powers).lines[nm]
    assert np.log(high[1] / high[0]) / np.log(2) < 1.5


def test_dynamics_conserves_and_relaxes_to_the_steady_state():
    t = np.linspace(0, 0.2, 41)
    result = dynamics(BARE, pulse=Pulse(980, 100.0, 1.0), t_eval=t)
    assert np.allclose(_species_sums(result), 1.0, atol=1e-9)
    cw = steady_state(BARE, excitation_nm=980, power_w_cm2=100.0)
    assert result.lines[475.0][-1] == pytest.approx(cw.lines[475.0], rel=1e-3)


def test_dynamics_agrees_with_a_tight_scipy_solution():
    from scipy.integrate import solve_ivp

    pulse, t = Pulse(980, 1e3, 10e-6), np.linspace(0, 1e-3, 201)
    ours = dynamics(BARE, pulse=pulse, t_eval=t)
    system = rate_system(BARE, 980.0)
    lin_from, lin_to, lin_rate = system.lin
    pump_from, pump_to, pump_rate = system.pump

    def rhs(time_s, y):
        on = pump_rate * pulse.power_w_cm2 * (time_s < pulse.duration_s)
        return kernel.rhs_numpy(y, np.concatenate((lin_from, pump_from)),
                                np.concatenate((lin_to, pump_to)),
                                np.concatenate((lin_rate, on)), *system.pair)

    def tight(y0, span, times):
        return solve_ivp(rhs, span, y0, method="LSODA", t_eval=times, rtol=1e-10,
                         atol=1e-18).y.T

    during = t <= pulse.duration_s
    first = tight(system.ground_state(), (0, pulse.duration_s), t[during])
    rest = tight(first[-1], (pulse.duration_s, t[-1]), t[~during])
    reference = np.vstack((first, rest))
    for index in (system.offsets[0] + 1, system.offsets[1] + 5):  # Yb 2F5/2, Tm 1G4
        peak = reference[:, index].max()
        assert np.abs(ours.state[:, index] - reference[:, index]).max() < 1e-3 * peak


def test_dynamics_after_a_pulse_decays_with_the_yb_rate():
    t = np.linspace(0, 1e-3, 201)
    decay = dynamics(BARE, pulse=Pulse(980, 1.0, 1e-6), t_eval=t).lines[980.0]
    assert np.all(np.diff(decay[2:]) < 0)
    assert yb_lifetime_us(BARE) == pytest.approx(
        -1e6 / np.polyfit(t[20:120], np.log(decay[20:120]), 1)[0], rel=0.02)


def test_spectrum_integrates_to_the_line_intensities():
    result = steady_state(HETERO, excitation_nm=980, power_w_cm2=100.0)
    wl = np.linspace(250, 1700, 29001)
    total = np.trapezoid(result.spectrum(wl), wl)
    assert total == pytest.approx(sum(result.lines.values()), rel=1e-3)


# ------------------------------------------------------------------ calibration: §6 and E1
@pytest.mark.parametrize("diameter_nm", [7.6, 9.2])
def test_core_only_yb_lifetime_is_43_us(diameter_nm):
    # P1: β-NaGd0.79F4:Yb0.2,Tm0.01 cores of 7.6–9.2 nm, 43 ± 5 µs
    assert yb_lifetime_us(dataclasses.replace(BARE, core_diameter_nm=diameter_nm)) == (
        pytest.approx(43, abs=5))


def test_core_shell_shell_yb_lifetime_is_553_us():
    assert yb_lifetime_us(CSS) == pytest.approx(553, abs=80)


def test_heterostructure_yb_lifetime_and_transfer_efficiency_e1():
    tau_d, tau_da = yb_lifetime_us(BARE), yb_lifetime_us(HETERO)
    assert tau_da == pytest.approx(34, abs=4)
    assert 1 - tau_da / tau_d == pytest.approx(0.21, abs=0.05)


def _steady_yb_decay_rate_s(params):
    # In a steady state every absorbed quantum leaves Yb ²F5/2 by a net decay channel, so
    # absorbed photons / excited Yb is the effective decay rate the rate constants imply.
    result = steady_state(params, excitation_nm=980, power_w_cm2=0.01)
    n_yb = result.species_counts[list(result.species).index("Yb")]
    return float(result.absorbed_photons_s[0] / (n_yb * result.populations["Yb"][1]))


def test_transfer_efficiency_from_decays_agrees_with_the_rates():
    from_decays = 1 - yb_lifetime_us(HETERO) / yb_lifetime_us(BARE)
    from_rates = 1 - _steady_yb_decay_rate_s(BARE) / _steady_yb_decay_rate_s(HETERO)
    assert from_decays == pytest.approx(from_rates, abs=0.01)


def test_physical_mixture_leaves_the_yb_lifetime_unchanged():
    separate = dataclasses.replace(HETERO, contact_factor=0.0)
    assert yb_lifetime_us(separate) == pytest.approx(yb_lifetime_us(BARE), rel=0.05)


def test_heterostructure_turns_blue_upconversion_green():
    bare = steady_state(BARE, excitation_nm=980, power_w_cm2=100.0).lines
    hetero = steady_state(HETERO, excitation_nm=980, power_w_cm2=100.0).lines
    green = [v for k, v in hetero.items() if 500 < k < 530]
    assert bare[475.0] > bare[646.0]  # blue Tm emission dominates the visible of bare cores
    assert green and green[0] > hetero[475.0]  # green perovskite emission dominates


def test_365_nm_excitation_gives_yb_emission_only_in_contact():
    hetero = steady_state(HETERO, excitation_nm=365, power_w_cm2=1.0).lines
    separate = steady_state(dataclasses.replace(HETERO, contact_factor=0.0), excitation_nm=365,
                            power_w_cm2=1.0).lines
    assert hetero[980.0] > 0 and separate[980.0] == pytest.approx(0.0, abs=1e-12)


def test_mixture_reabsorbs_the_blue_lines():
    ln = steady_state(BARE, excitation_nm=980, power_w_cm2=100.0)
    pv_params = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5)
    pv = steady_state(pv_params, excitation_nm=980, power_w_cm2=100.0)
    wl = np.linspace(400, 700, 3001)
    mixed = mixture_spectrum(ln, pv, wl, perovskite_absorbance_400nm=2.0,
                             perovskite_params=pv_params)
    blue, red = np.argmin(abs(wl - 475)), np.argmin(abs(wl - 646))
    alone = ln.spectrum(wl)
    assert mixed[blue] / alone[blue] < 0.5
    assert mixed[red] / alone[red] == pytest.approx(1.0, rel=1e-3)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kwargs, field", [
    ({"yb_fraction": -0.1}, "yb_fraction"),
    ({"core_diameter_nm": 40}, "core_diameter_nm"),
    ({"perovskite_edge_nm": 5.0}, "perovskite_edge_nm"),
    ({"host": "CsPbBr3"}, "host"),
    ({"tm_branching": (("3H4", "1G4", 0.5),)}, "lower level"),
    ({"core_diameter_nm": 0.0}, "needs a core"),
    ({"vacancy_quenching_3f4_factor": 2.0},
     r"vacancy_quenching_3f4_factor = 2.0 is outside the allowed range \[0, 1\]"),
])
def test_bad_params_raise_value_errors_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        TransferParams(**kwargs)


def test_bad_calls_raise_value_errors():
    with pytest.raises(ValueError, match="excitation_nm"):
        steady_state(BARE, excitation_nm=532)
    with pytest.raises(ValueError, match="power_w_cm2"):
        steady_state(BARE, power_w_cm2=-1)
    with pytest.raises(ValueError, match="t_eval"):
        dynamics(BARE, pulse=Pulse(), t_eval=[1.0, 0.5])
    with pytest.raises(ValueError, match="level"):
        EnergyTransfer("X", "Yb", "2F5/2", "1G4", "Tm", "3H6", "3H5", 1.0)


# ------------------------------------------------------------- explicit ion sites (annealing)
def _random_sites(seed, *, vacancy_fraction=BARE.vacancy_fraction, params=BARE):
    lattice = cation_sites_nm(params.host, params.core_diameter_nm)
    order = np.random.default_rng(seed).permutation(len(lattice))
    n_yb, n_tm = round(params.yb_fraction * len(lattice)), round(params.tm_fraction * len(lattice))
    n_v = round(vacancy_fraction * len(lattice))
    return IonSites(sites_nm=lattice, yb_nm=lattice[order[:n_yb]],
                    tm_nm=lattice[order[n_yb:n_yb + n_tm]],
                    vacancies_nm=lattice[order[n_yb + n_tm:n_yb + n_tm + n_v]],
                    radius_nm=params.core_diameter_nm / 2)


def test_random_sites_reproduce_the_uniform_particle_on_average():
    uniform = steady_state(BARE, excitation_nm=980, power_w_cm2=1e3)
    ratios = np.array([[steady_state(BARE, excitation_nm=980, power_w_cm2=1e3,
                                     sites=_random_sites(seed)).lines[nm] / uniform.lines[nm]
                        for nm in (980.0, 800.0, 475.0)] for seed in range(6)])
    assert ratios[:, 0] == pytest.approx(1.0, abs=0.1)  # Yb: hundreds of ions, little noise
    # Each Tm ion sees its own vacancies (SCIENCE §6's explicit sum): most see none nearby, so
    # a line averaged over these rates is brighter than the line at their mean rate.
    assert np.all(ratios[:, 1:].mean(axis=0) >= 0.9)
    assert yb_lifetime_us(BARE, sites=_random_sites(0)) == pytest.approx(
        yb_lifetime_us(BARE), rel=0.03)


def test_sites_conserve_and_vacancies_quench():
    sites = _random_sites(1, vacancy_fraction=0.1)
    clean = IonSites(sites_nm=sites.sites_nm, yb_nm=sites.yb_nm, tm_nm=sites.tm_nm,
                     vacancies_nm=np.zeros((0, 3)), radius_nm=sites.radius_nm)
    defective = steady_state(BARE, excitation_nm=980, power_w_cm2=1e3, sites=sites)
    healed = steady_state(BARE, excitation_nm=980, power_w_cm2=1e3, sites=clean)
    assert np.allclose(_species_sums(defective), 1.0, atol=1e-9)
    assert healed.lines[450.0] > 2 * defective.lines[450.0]
    assert yb_lifetime_us(BARE, sites=clean) > yb_lifetime_us(BARE, sites=sites)


def test_bad_sites_are_rejected():
    lattice = cation_sites_nm("beta-NaGdF4", 4.0)
    with pytest.raises(ValueError, match="outside radius_nm"):
        IonSites(sites_nm=lattice, yb_nm=[[0, 0, 3.0]], tm_nm=lattice[:1],
                 vacancies_nm=np.zeros((0, 3)), radius_nm=2.0)
    with pytest.raises(ValueError, match="sites must be an IonSites"):
        steady_state(BARE, sites="snapshot")
    with pytest.raises(ValueError, match="perovskite_edge_nm = 0"):
        steady_state(HETERO, sites=_random_sites(0))


def test_a_shell_too_thin_to_absorb_at_400_nm_is_refused_by_name():
    # Confinement in a 5.5 nm cube around a 3 nm core lifts the gap above 3.10 eV.
    thin = TransferParams(core_diameter_nm=3.0, perovskite_edge_nm=5.5)
    with pytest.raises(ValueError, match=r"perovskite_edge_nm = 5.5 nm .* choose a thicker"):
        steady_state(thin, excitation_nm=980, power_w_cm2=10.0)


def test_perovskite_defaults_are_the_shared_constants():
    # one value per constant: the perovskite and its interface come from perovskite_constants
    from lnhet_widgets.core.optics import perovskite_constants as pc

    p = TransferParams()
    assert p.exciton_lifetime_ns == pc.EXCITON_RADIATIVE_LIFETIME_NS
    assert p.trapping_rate_per_defect_s == pytest.approx(1e9 / pc.TRAP_CAPTURE_TIME_NS)
    assert p.defect_lifetime_ns == pc.TRAP_LIFETIME_NS
    assert p.interface_defects_nm2 == pc.INTERFACE_TRAP_DENSITY_NM2
    assert p.bulk_defects_nm3 == pytest.approx(pc.bulk_trap_density_nm3(220.0))
    assert p.perovskite_cross_section_cm2 == pytest.approx(
        pc.CROSS_SECTION_PER_VOLUME_CM2_NM3 * 1e3)


@pytest.mark.parametrize("average_mode", [False, True], ids=["lattice-sum", "strength_avg"])
def test_tm_classes_in_equal_surroundings_give_the_one_class_result(average_mode):
    # Without quenching the Tm classes are alike, so splitting Tm into four changes nothing;
    # simetuc's average mode (strength_avg) once counted a Yb donor once per acceptor class.
    base = TransferParams()
    processes = tuple(dataclasses.replace(et, strength_avg_s=1e4 if average_mode else None)
                      for et in base.energy_transfer)
    results = [steady_state(dataclasses.replace(base, tm_classes=classes,
                                                energy_transfer=processes,
                                                surface_quenching_nm3_s=0.0,
                                                vacancy_quenching_s=0.0), power_w_cm2=10.0)
               for classes in (1, 4)]
    for ion in ("Yb", "Tm"):
        np.testing.assert_allclose(results[1].populations[ion], results[0].populations[ion],
                                   rtol=1e-9, atol=1e-14)
