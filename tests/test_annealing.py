"""Annealing KMC: parameters, lattice, kernel, invariants and P2's targets A1/A2 (SCIENCE §5)."""

import dataclasses
import functools
import json
import math

import numpy as np
import pytest

from lnhet_widgets.core.annealing import (
    REGIONS,
    SPECIES,
    AnnealParams,
    AnnealResult,
    anneal,
    anneal_lattice,
    ensemble_optical,
)
from lnhet_widgets.core.annealing import _kernel as kernel
from lnhet_widgets.core.annealing.kinetics import _kinetics, _vacancy_escape
from lnhet_widgets.core.annealing.lattice import _initial_species, _regions
from lnhet_widgets.core.conditions import P2_POWER_W_CM2
from lnhet_widgets.core.optics import (
    IonSites,
    TransferParams,
    cation_lattice_sum_a6,
    cation_sites_nm,
)
from lnhet_widgets.core.optics.ion_geometry import _site_geometry

VACANCY, GD, Y, YB, TM = range(5)
CORE, SHELL, INTERFACE, SURFACE = range(4)
SMALL = {"core_diameter_nm": 3.0, "shell_thickness_nm": 0.8}
FREE = np.ones((4, 4))  # no region binds a vacancy


@functools.cache
def p2(complex_ion=None):
    """P2's particle annealed for 1000 steps from the defaults, seed 0."""
    return anneal(AnnealParams(complex=complex_ion), steps=1000, seed=0)


# --- parameters ---------------------------------------------------------------------------


def test_defaults_are_p2_particle():
    p = AnnealParams()
    assert (p.core, p.core_diameter_nm, p.shell, p.shell_thickness_nm) == (
        "beta-NaGdF4", 6.7, "beta-NaYF4", 1.0)
    assert (p.yb_fraction, p.tm_fraction, p.temperature_c) == (0.49, 0.01, 300.0)
    assert p.complex is None and p.attempt_frequency_hz == 1e13
    # Vacancies concentrated at the interface and the surface, few in the bulk.
    assert min(p.vacancy_interface, p.vacancy_surface) >= 10 * max(p.vacancy_core,
                                                                     p.vacancy_shell)
    # Migration energies ordered by the ionic radius: Yb < Tm < Y < Gd.
    assert p.migration_yb_ev < p.migration_tm_ev < p.migration_y_ev < p.migration_gd_ev


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("core_diameter_nm", 0.5,
         r"core_diameter_nm = 0.5 nm is outside the allowed range \[1, 30\] nm"),
        ("shell_thickness_nm", -1.0, r"shell_thickness_nm = -1.0 nm is outside .*\[0, 5\] nm"),
        ("temperature_c", 500, r"temperature_c = 500 °C is outside .*\[100, 400\] °C"),
        ("migration_yb_ev", 0.0, r"migration_yb_ev = 0.0 eV is outside .*\[0.1, 4\] eV"),
        ("attempt_frequency_hz", 1.0, r"attempt_frequency_hz = 1.0 Hz is outside"),
        ("vacancy_surface", 0.9, r"vacancy_surface = 0.9 is outside the allowed range \[0, 0.5\]"),
        ("complex_concentration_mm", -1, r"complex_concentration_mm = -1 mM is outside"),
        ("docking_rate_gd_mm_s", -0.1, r"docking_rate_gd_mm_s = -0.1 mM⁻¹ s⁻¹ is outside"),
        ("bond_energy_ev", 1.0, r"bond_energy_ev = 1.0 eV is outside .*\[0, 0.5\] eV"),
        ("surface_vacancy_binding_ev", 1.5,
         r"surface_vacancy_binding_ev = 1.5 eV is outside the allowed range \[0, 1\] eV"),
        ("yb_fraction", "much", r"yb_fraction must be a number"),
        ("tm_fraction", 0.6, r"yb_fraction \+ tm_fraction = 1.09 is outside .*\[0, 1\]"),
        ("complex", "Er", r"complex must be one of \(None, 'Y', 'Gd'\)"),
        ("core", "CsPbBr3", r"core must be one of"),
        ("shell", "alpha-NaYF4", r"cannot grow coherently on core = 'beta-NaGdF4'"),
    ],
)
def test_bad_parameters_name_field_unit_and_range(field, value, message):
    with pytest.raises(ValueError, match=message):
        AnnealParams(**{field: value})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": -1}, r"steps = -1 MC steps is outside the allowed range \[0, 1e\+06\]"),
        ({"steps": 10.5}, r"steps must be an integer"),
        ({"steps": 50}, r"snapshot step = 100 MC steps is outside .*\[0, 50\] MC steps"),
        ({"steps": 10, "snapshots": ()}, r"at least one step"),
        ({"steps": 10, "snapshots": 5}, r"snapshots must be a sequence of step numbers"),
        ({"steps": 10, "snapshots": (0, 2.5)}, r"snapshot step must be an integer"),
        ({"steps": 10, "snapshots": (0, 10), "seed": -3}, r"seed = -3 is outside"),
    ],
)
def test_bad_run_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        anneal(AnnealParams(**SMALL), **kwargs)


def test_params_round_trip_through_json():
    p = AnnealParams(complex="Gd", complex_concentration_mm=2.0, bond_energy_ev=0.01)
    assert AnnealParams.from_dict(json.loads(json.dumps(p.to_dict()))) == p


# --- lattice and initial state ------------------------------------------------------------


def test_lattice_is_the_first_cation_shell_of_beta_nagdf4():
    lattice = anneal_lattice(AnnealParams())
    pos, ptr, idx = lattice.positions_nm, lattice.nbr_ptr, lattice.nbr_idx
    assert np.linalg.norm(pos, axis=1).max() < 0.5 * AnnealParams().diameter_nm
    owner = np.repeat(np.arange(pos.shape[0]), np.diff(ptr))
    distances = np.linalg.norm(pos[idx] - pos[owner], axis=1)
    # c = 3.60 Å along the chains, 3.91 Å between 1a and 1f; the next shell (a = 6.02 Å) is out.
    assert set(np.round(distances, 3)) == {0.36, 0.391}
    assert lattice.coordination.max() == 8
    pairs = set(zip(owner.tolist(), idx.tolist(), strict=True))
    assert all((j, i) in pairs for i, j in pairs)
    assert not idx.flags.writeable


def test_regions_and_initial_state_are_exact():
    p = AnnealParams()
    lattice = anneal_lattice(p)
    radius = np.linalg.norm(lattice.positions_nm, axis=1)
    region = _regions(p, radius)
    in_core = radius < 3.35
    assert np.all(region[radius > 4.35 - 0.5] == SURFACE)
    assert np.all(region[np.abs(radius - 3.35) < 0.4] == INTERFACE)
    assert np.all(region[radius < 2.95] == CORE)
    species = _initial_species(p, region, in_core, np.random.default_rng(3))
    fractions = (p.vacancy_core, p.vacancy_shell, p.vacancy_interface, p.vacancy_surface)
    for code, fraction in enumerate(fractions):
        here = region == code
        assert np.sum(species[here] == VACANCY) == round(fraction * here.sum())
    core_ions = species[in_core & (species != VACANCY)]
    assert np.sum(core_ions == YB) == round(0.49 * core_ions.size)
    assert np.sum(core_ions == TM) == round(0.01 * core_ions.size)
    assert set(core_ions) == {GD, YB, TM}
    assert set(species[~in_core]) == {Y, VACANCY}


# --- kernel -------------------------------------------------------------------------------


def kernel_state(params, seed):
    """Lattice arrays, a fresh initial state and the kernel constants of ``params``."""
    lattice = anneal_lattice(params)
    radius = np.linalg.norm(lattice.positions_nm, axis=1)
    region = _regions(params, radius)
    rng = np.random.default_rng(seed)
    species = _initial_species(params, region, radius < 0.5 * params.core_diameter_nm, rng)
    vacancies = rng.permutation(np.flatnonzero(species == VACANCY)).astype(np.int64)
    z_max = int(lattice.coordination.max())
    table, _, dock = _kinetics(params, z_max)
    dock_species = SPECIES.index(params.complex) if params.complex else 0
    return (species, vacancies, vacancies.size, lattice.nbr_ptr, lattice.nbr_idx, region,
            table, _vacancy_escape(params), params.bond_energy_ev > 0, z_max, dock,
            dock_species)


@pytest.mark.parametrize("bond_energy_ev, complex_ion", [(0.0, None), (0.0, "Y"), (0.02, "Gd")])
def test_numba_kernel_equals_numpy_reference(bond_energy_ev, complex_ion):
    # Dense vacancies make many turns interact, so the reference's sequential replay is used.
    params = AnnealParams(**SMALL, vacancy_interface=0.3, vacancy_surface=0.3,
                          vacancy_core=0.1, vacancy_shell=0.1, bond_energy_ev=bond_energy_ev,
                          complex=complex_ion, complex_concentration_mm=0.5,
                          docking_rate_gd_mm_s=0.1)
    ours = kernel_state(params, seed=5)
    reference = kernel_state(params, seed=5)
    rng_a, rng_b = np.random.default_rng(11), np.random.default_rng(11)
    n_a, docked_a = kernel.run_steps(*ours, 60, rng_a)
    n_b, docked_b = kernel.run_steps_numpy(*reference, 60, rng_b)
    assert (n_a, docked_a) == (n_b, docked_b)
    assert np.array_equal(ours[0], reference[0])
    assert np.array_equal(ours[1][:n_a], reference[1][:n_b])
    assert rng_a.random() == rng_b.random()
    moved = np.sum(ours[0] != kernel_state(params, seed=5)[0])
    assert moved > 100
    if complex_ion:
        assert 0 < docked_a < ours[2]


def test_kernel_docks_only_surface_vacancies():
    # Three sites in a row, vacancies at both ends; only the first is a surface site.
    ptr, idx = np.array([0, 1, 3, 4]), np.array([1, 0, 2, 1])
    species = np.array([0, GD, 0], dtype=np.int8)
    region = np.array([SURFACE, SHELL, SHELL], dtype=np.int8)
    vacancies = np.array([0, 2])
    no_hops = np.zeros((5, 3))
    n, docked = kernel.run_steps(species, vacancies, 2, ptr, idx, region, no_hops, FREE,
                                 False, 2, 1.0, Y, 5, np.random.default_rng(0))
    assert (n, docked) == (1, 1)
    assert species.tolist() == [Y, GD, 0] and vacancies[0] == 2


def test_empty_slots_are_null_events():
    # A vacancy with one neighbour among z_max = 4 slots hops in a quarter of its turns:
    # every occupied neighbour is tried at the same rate wherever the vacancy sits.
    ptr, idx = np.array([0, 1, 2]), np.array([1, 0])
    species = np.array([0, YB], dtype=np.int8)
    vacancies = np.array([0])
    region = np.array([CORE, CORE], dtype=np.int8)
    always = np.ones((5, 7))
    rng = np.random.default_rng(1)
    hops, turns = 0, 8000
    for _ in range(turns):
        before = vacancies[0]
        kernel.run_steps(species, vacancies, 1, ptr, idx, region, always, FREE, False, 4, 0.0,
                         0, 1, rng)
        hops += vacancies[0] != before
    assert hops / turns == pytest.approx(0.25, abs=3 * math.sqrt(0.25 * 0.75 / turns))


def test_acceptance_time_and_docking_follow_arrhenius():
    p = AnnealParams(complex="Y")
    kt = 8.617333262e-5 * 573.15
    table, dt, dock = _kinetics(p, 8)
    mid = 7
    assert table[YB, mid] == 1.0
    assert table[GD, mid] == pytest.approx(math.exp(-0.05 / kt))
    assert table[Y, mid] == pytest.approx(math.exp(-0.025 / kt))
    assert np.all(table[VACANCY] == 0)
    assert dt == pytest.approx(1.0 / (8 * 1e13 * math.exp(-1.65 / kt)))
    assert dock == pytest.approx(1.0 - math.exp(-0.1 * 10.0 * dt))
    # 1000 steps at 300 °C are about P2's hour of annealing; colder is slower.
    assert 3000 < 1000 * dt < 5000
    assert _kinetics(dataclasses.replace(p, temperature_c=250.0), 8)[1] > 10 * dt
    assert _kinetics(AnnealParams(), 8)[2] == 0.0


def test_bond_term_keeps_detailed_balance_and_probabilities_below_one():
    p = AnnealParams(bond_energy_ev=0.04)
    kt = 8.617333262e-5 * 573.15
    table, dt, _ = _kinetics(p, 8)
    assert table.max() == pytest.approx(1.0) and table[YB, -1] == pytest.approx(1.0)
    for gained in range(1, 8):
        ratio = table[GD, 7 + gained] / table[GD, 7 - gained]
        assert ratio == pytest.approx(math.exp(0.04 * gained / kt))
    # The reference barrier drops by ε (z_max − 1)/2, and so does the time per step.
    assert dt == pytest.approx(_kinetics(AnnealParams(), 8)[1] * math.exp(-0.14 / kt))


# --- invariants ---------------------------------------------------------------------------


@pytest.mark.parametrize("complex_ion", [None, "Y", "Gd"])
def test_ledger_is_exact(complex_ion):
    r = anneal(AnnealParams(**SMALL, complex=complex_ion), steps=200,
               snapshots=(0, 1, 10, 50, 200), seed=2)
    assert r.ledger_error == 0
    counts = np.stack([np.bincount(f, minlength=5) for f in r.species])
    assert np.array_equal(counts, r.species_counts)
    # Vacancies only disappear, and only by docking; no ion but the complex's is added.
    assert np.array_equal(r.vacancy_count, r.vacancy_count[0] - r.docked_ions)
    assert np.all(np.diff(r.vacancy_count) <= 0)
    others = [s for s in (GD, Y, YB, TM) if SPECIES[s] != complex_ion]
    assert np.all(counts[:, others] == counts[0, others])
    if complex_ion is None:
        assert np.all(r.docked_ions == 0)
    else:
        assert r.docked_ions[-1] > 0
    assert np.array_equal(r.vacancies_per_region.sum(axis=1), r.vacancy_count)


def test_same_seed_same_result_other_seed_other_result():
    p = AnnealParams(**SMALL, complex="Y", complex_concentration_mm=1.0)
    # Extra snapshots split the run into more kernel calls without changing the trajectory.
    a = anneal(p, steps=100, snapshots=(0, 30, 100), seed=7)
    b = anneal(p, steps=100, snapshots=(100, 0), seed=7)
    c = anneal(p, steps=100, snapshots=(0, 100), seed=8)
    assert np.array_equal(a.species[[0, 2]], b.species)
    assert np.array_equal(a.docked_ions[[0, 2]], b.docked_ions)
    assert b.to_json() == anneal(p, steps=100, snapshots=(0, 100), seed=7).to_json()
    assert not np.array_equal(b.species, c.species)


def test_without_vacancies_nothing_moves():
    p = AnnealParams(vacancy_interface=0.0, vacancy_surface=0.0, vacancy_core=0.0,
                     vacancy_shell=0.0, complex="Y")
    r = anneal(p, steps=100, snapshots=(0, 50, 100))
    assert np.all(r.species == r.species[0]) and np.all(r.docked_ions == 0)
    assert np.all(r.yb_fraction_in_shell == 0.0) and r.vacancy_count.tolist() == [0, 0, 0]


def test_observables_of_the_pristine_particle():
    r = p2()
    assert r.snapshot_steps.tolist() == [0, 100, 500, 1000]
    assert r.snapshot_time_s[-1] == pytest.approx(1000 * r.time_per_step_s)
    assert r.yb_fraction_in_shell[0] == 0.0
    assert r.interface_width_nm[0] < 0.2
    # The radial profiles are shares of the sites of each bin: they add up to one.
    assert np.allclose(r.radial_profiles[:, :, 1:].sum(axis=1), 1.0)
    assert r.radial_profiles[0, YB, 2] == pytest.approx(0.49, abs=0.15)
    assert np.all(r.radial_profiles[0, YB][r.profile_radius_nm > 3.5] == 0)
    assert r.species.dtype == np.int8 and r.species.shape == (4, r.positions_nm.shape[0])
    assert len(REGIONS) == r.vacancies_per_region.shape[1]
    # Vacancies start at the interface and the surface.
    start = r.vacancies_per_region[0]
    assert start[INTERFACE] + start[SURFACE] > 0.9 * start.sum()


def test_result_round_trips_through_json(tmp_path):
    r = anneal(AnnealParams(**SMALL, complex="Gd"), steps=20, snapshots=(0, 20))
    path = tmp_path / "anneal.json"
    r.to_json(path)
    back = AnnealResult.from_json(str(path))
    assert back.params == r.params
    for f in dataclasses.fields(AnnealResult):
        mine, theirs = getattr(r, f.name), getattr(back, f.name)
        if isinstance(mine, np.ndarray):
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs, equal_nan=True)
        else:
            assert mine == theirs
    rows = r.to_csv().splitlines()
    assert rows[0].startswith("step,time_s,yb_fraction_in_shell") and len(rows) == 3


# --- P2's targets -------------------------------------------------------------------------


def test_a1_docking_keeps_yb_in_the_core_and_removes_the_vacancies():
    plain, docked = p2(), p2("Y")
    assert docked.yb_fraction_in_shell[-1] <= 0.05
    assert plain.yb_fraction_in_shell[-1] > 2 * docked.yb_fraction_in_shell[-1]
    assert plain.interface_width_nm[-1] > 2 * docked.interface_width_nm[-1]
    step_100 = list(docked.snapshot_steps).index(100)
    assert docked.vacancy_count[step_100] <= 0.10 * docked.vacancy_count[0]
    assert np.all(plain.vacancy_count == plain.vacancy_count[0])


@pytest.mark.xfail(strict=True, reason="A1: without complexes too little Yb reaches the 1 nm "
                   "shell in 1000 steps: the vacancies' binding to the surface, "
                   "fixed by 'no increase' (A3), keeps few of them inside to mix (see the "
                   "calibration in lnhet_widgets.core.annealing.params)")
def test_a1_yb_in_the_shell_without_complexes():
    share = p2().yb_fraction_in_shell[-1]
    print(f"A1: Yb in the shell after 1000 steps without complexes {share:.3f} (P2: ≥ 0.25)")
    assert share >= 0.25


def test_a2_yb_coordination_rises_with_docking_and_falls_without():
    plain, docked = p2(), p2("Y")
    assert plain.yb_coordination[0] == docked.yb_coordination[0]  # the same pristine particle
    assert plain.yb_coordination[-1] < plain.yb_coordination[0]
    assert docked.yb_coordination[-1] > docked.yb_coordination[0]


def test_surface_binding_keeps_the_vacancies_at_the_surface():
    # Bound to the surface, the surface's vacancies stay there, and part of those inside
    # (interface and bulk) settle there too: annealing without complexes does not flood the
    # core. Unbound, the surface's vacancies spread inward.
    bound = p2()
    free = anneal(AnnealParams(surface_vacancy_binding_ev=0.0), steps=1000, seed=0)
    inside = [r.vacancies_per_region[:, :SURFACE].sum(axis=1) for r in (bound, free)]
    assert 0 < inside[0][-1] <= inside[0][0]
    assert inside[1][-1] > 4 * inside[1][0]


def test_vacancy_escape_is_metropolis_on_the_vacancy_energy():
    p = AnnealParams(surface_vacancy_binding_ev=0.2, temperature_c=300.0)
    kt = 8.617333262e-5 * 573.15
    escape = _vacancy_escape(p)
    assert escape[SURFACE, CORE] == pytest.approx(math.exp(-0.2 / kt))
    assert escape[CORE, SURFACE] == 1.0 and escape[SURFACE, SURFACE] == 1.0
    assert np.all(np.delete(np.delete(escape, SURFACE, 0), SURFACE, 1) == 1.0)
    # detailed balance: the ratio of the two directions is the Boltzmann factor
    assert escape[INTERFACE, SURFACE] / escape[SURFACE, INTERFACE] == pytest.approx(
        math.exp(0.2 / kt))
    assert np.all(_vacancy_escape(AnnealParams(surface_vacancy_binding_ev=0.0)) == 1.0)


# --------------------------------------------------------------------- from lattice to light
def test_ion_sites_hold_the_snapshot_ions():
    result = p2("Y")
    for k in (0, -1):
        sites = result.ion_sites(k)
        counts = result.species_counts[k]
        assert len(sites.yb_nm) == counts[SPECIES.index("Yb")]
        assert len(sites.tm_nm) == counts[SPECIES.index("Tm")]
        assert len(sites.vacancies_nm) == counts[SPECIES.index("vacancy")]
        assert sites.radius_nm == pytest.approx(result.params.diameter_nm / 2)


def test_vacancy_quenching_is_the_explicit_sum_with_the_mean_field_as_its_mean():
    # SCIENCE §6: k_v(i) = C_v Σ_v (R_v/|r_i − r_v|)⁶. For vacancies at random at fraction x
    # its mean over the ions is the uniform particle's mean field C_v x R_v⁶ L.
    params = TransferParams()
    sites = cation_sites_nm(params.host, 12.0)
    rng = np.random.default_rng(4)
    explicit, mean_field = [], []
    for _ in range(4):  # the sum is ruled by the nearest vacancies: average a few samples
        vacant = rng.random(len(sites)) < 0.05
        inner = np.flatnonzero(~vacant & (np.linalg.norm(sites, axis=1) < 3.0))
        ions = IonSites(sites_nm=sites, yb_nm=sites[inner], tm_nm=np.zeros((0, 3)),
                        vacancies_nm=sites[vacant], radius_nm=6.0)
        explicit.append(_site_geometry(params, ions).yb_vacancy_s)
        mean_field.append(params.vacancy_quenching_s * vacant.mean()
                          * (params.vacancy_radius_nm * 10) ** 6
                          * cation_lattice_sum_a6(params.host))
    assert np.mean(explicit) == pytest.approx(np.mean(mean_field), rel=0.1)
    # one vacancy: its own r⁻⁶, whatever lies farther than the cut-off
    one = IonSites(sites_nm=sites, yb_nm=sites[inner[:1]], tm_nm=np.zeros((0, 3)),
                   vacancies_nm=np.array([sites[inner[0]] + [0.0, 0.0, 0.36], [0, 0, 5.9]]),
                   radius_nm=6.0)
    assert _site_geometry(params, one).yb_vacancy_s == pytest.approx(
        params.vacancy_quenching_s * (params.vacancy_radius_nm / 0.36) ** 6)


def test_optics_of_a_snapshot():
    result = p2("Y")
    optics = result.optical(-1)
    assert optics.snapshot_step == result.steps
    wl = np.linspace(400.0, 900.0, 2001)
    spectrum = optics.spectrum(wl)
    # the spectrum holds the lines' photons: Tm 450–800 nm lie wholly inside the window
    inside = sum(v for nm, v in optics.lines.items() if 430 <= nm <= 820)
    assert np.trapezoid(spectrum, wl) == pytest.approx(inside, rel=0.02)
    peak = optics.decay_time_ms[np.argmax(optics.tm_450_decay)]
    assert 0.0 < peak < 1.0 and optics.tm_450_decay[-1] < 0.05 * optics.tm_450_decay.max()
    with pytest.raises(ValueError, match="transfer must be a TransferParams"):
        result.optical(0, transfer="simetuc")


def test_progress_reports_and_stops_without_changing_the_stream():
    whole = anneal(AnnealParams(**SMALL), steps=60, snapshots=(0, 30, 60), seed=3)
    seen = []
    reported = anneal(AnnealParams(**SMALL), steps=60, snapshots=(0, 30, 60), seed=3,
                      progress=lambda done, total: seen.append((done, total)))
    assert np.array_equal(whole.species, reported.species)
    assert seen[-1] == (60, 60) and np.diff([done for done, _ in seen]).max() <= 10
    stopped = anneal(AnnealParams(**SMALL), steps=60, snapshots=(0, 30, 60), seed=3,
                     progress=lambda done, total: done < 40)
    assert stopped.snapshot_steps.tolist() == [0, 30, 40] and stopped.steps == 40
    assert np.array_equal(stopped.species[:2], whole.species[:2]) and stopped.ledger_error == 0


# A3–A6 compare particle ensembles: the 21 Tm ions of one particle sit among a few vacancies
# each, so one particle's 450 nm line scatters by a factor of ten between seeds; P2 measures
# dispersions of many particles, which the arithmetic mean over seeds stands for.
ENSEMBLE_SEEDS = range(4)


@functools.cache
def ensemble_optics(name):
    """Mean 450 nm line (photons s⁻¹ per particle), Tm 450 nm lifetime (ms) and the power
    (W cm⁻²) of one case, at the default conditions of :func:`ensemble_optical`."""
    base = AnnealParams()
    runs = {"pristine": (base, 0), "without": (base, -1),
            "Y": (dataclasses.replace(base, complex="Y"), -1),
            "Gd": (dataclasses.replace(base, complex="Gd"), -1),
            "core only": (dataclasses.replace(base, shell_thickness_nm=0.0), 0),
            "Y, 2 nm shell": (dataclasses.replace(base, shell_thickness_nm=2.0, complex="Y"),
                              -1)}
    params, snapshot = runs[name]
    optics = ensemble_optical(params, steps=1000, seeds=ENSEMBLE_SEEDS, snapshot=snapshot)
    return optics.lines[450.0], optics.tm_450_lifetime_ms, optics.power_w_cm2


def test_a3_to_a6_run_at_p2s_conditions():
    assert P2_POWER_W_CM2 == 4.0
    assert ensemble_optics("pristine")[2] == P2_POWER_W_CM2


def test_a3_y_docking_brightens_450_nm_and_lengthens_its_lifetime():
    pristine, docked = ensemble_optics("pristine"), ensemble_optics("Y")
    print(f"A3: ×{docked[0] / pristine[0]:.3g}, Tm 450 nm lifetime {docked[1]:.3f} ms")
    assert 50 <= docked[0] / pristine[0] <= 300  # P2: 116×
    assert docked[1] == pytest.approx(0.41, rel=0.25)


def test_a3_pristine_450_nm_lifetime_within_a_factor_2():
    # SCIENCE §5: the average rate equations give the pristine lifetime within a factor 2;
    # ± 25 % is the per-ion model's target (§11).
    lifetime = ensemble_optics("pristine")[1]
    print(f"A3: pristine Tm 450 nm lifetime {lifetime:.3f} ms (P2 0.10 ms)")
    assert 0.10 / 2 <= lifetime <= 0.10 * 2


def test_a3_no_increase_without_complexes():
    ratio = ensemble_optics("without")[0] / ensemble_optics("pristine")[0]
    print(f"A3: without complexes ×{ratio:.3g} of pristine")
    assert 0.2 <= ratio <= 1.5  # P2: "no increase"


def test_a4_after_docking_a_1_nm_shell_is_nearly_as_good_as_2_nm():
    thin, thick = ensemble_optics("Y"), ensemble_optics("Y, 2 nm shell")
    assert thin[0] >= 0.7 * thick[0]
    assert thin[1] == pytest.approx(thick[1], rel=0.1)
    assert thick[1] == pytest.approx(0.42, rel=0.25)


def test_a5_gd_complexes_enhance_less_than_y():
    pristine, gd, y = (ensemble_optics(n)[0] for n in ("pristine", "Gd", "Y"))
    assert pristine < gd < y


def test_a6_a_1_nm_shell_brightens_the_core_about_1800_fold():
    ratio = ensemble_optics("pristine")[0] / ensemble_optics("core only")[0]
    assert 1800 / 3 <= ratio <= 1800 * 3
