"""The per-ion energy-transfer model (lnhet_widgets.core.ions, SCIENCE §11): its invariants,
agreement with simetuc 1.8.2 on a bundled lattice, and bad input."""

import dataclasses
import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from lnhet_widgets.core.ions import (
    IonLattice,
    ion_dynamics,
    ion_system,
    read_simetuc_lattice,
    solve_ions,
)
from lnhet_widgets.core.ions import _kernel as kernel
from lnhet_widgets.core.ions import system as system_module
from lnhet_widgets.core.ions.pairs import ion_pairs
from lnhet_widgets.core.ions.pattern import (
    block_pattern,
    jacobian_pattern,
    reduced_term_positions,
)
from lnhet_widgets.core.ions.perovskite import COUPLING_LENGTH_NM
from lnhet_widgets.core.optics import (
    IonSites,
    Pulse,
    TransferParams,
    cation_sites_nm,
    read_simetuc_config,
    steady_state,
)
from lnhet_widgets.core.optics.rate_equations import rate_system
from lnhet_widgets.core.optics.transfer_params import EnergyTransfer

DATA = Path(__file__).parent / "data" / "simetuc_ions"
LATTICE_FILE = DATA / "latticeData" / "bNaYF4" / "data_8uc_25.0S_2.0A.hdf5"
REFERENCE = json.loads((DATA / "simetuc_reference.json").read_text())


def read_config(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # 3P0, coop and zero-strength dropped
        return read_simetuc_config(DATA / name, for_ions=True)


@pytest.fixture(scope="module")
def particle():
    """A 5 nm β-NaGdF4:Yb,Tm core with vacancies, a surface and 14 Tm ions."""
    params = TransferParams(core_diameter_nm=5.0, vacancy_fraction=0.02)
    return params, IonLattice.from_params(params, seed=1)


@pytest.fixture(scope="module")
def simetuc_lattice():
    return read_simetuc_lattice(LATTICE_FILE, config=DATA / "config_cw.cfg")


# ----------------------------------------------------------------------------- invariants
@pytest.mark.parametrize(("power", "excitation_nm", "perovskite_edge_nm"), [
    (0.0, 980.0, 0.0), (4.0, 980.0, 0.0), (1e3, 980.0, 0.0), (1e6, 980.0, 0.0),
    (4.0, 980.0, 10.0), (1e3, 980.0, 10.0), (1.0, 365.0, 10.0), (1e3, 365.0, 10.0)])
def test_each_ions_populations_sum_to_one_and_stay_in_range(particle, power, excitation_nm,
                                                            perovskite_edge_nm):
    params, lattice = particle
    params = dataclasses.replace(params, perovskite_edge_nm=perovskite_edge_nm)
    result = solve_ions(params, lattice, excitation_nm=excitation_nm, power_w_cm2=power)
    blocks = [result.populations(species)[0] for species in ("Yb", "Tm")]
    if perovskite_edge_nm:
        blocks += [result.pool_populations(pool) for pool in ("exciton", "defect")]
    for ions in blocks:
        np.testing.assert_allclose(ions.sum(axis=1), 1.0, rtol=0, atol=1e-9)
        assert ions.min() >= -1e-12 and ions.max() <= 1 + 1e-12
    if power == 0:
        assert result.mean_per_ion["Yb_ES"] == 0


def _ordered_box(cells=3, edge_nm=0.6):
    """Yb on the corners and Tm on the body centres of a periodic simple-cubic box (CsCl
    order): every Yb has the same surroundings, every Tm too, and there are as many of each."""
    grid = np.array(list(itertools.product(range(cells), repeat=3)), dtype=float) * edge_nm
    positions = np.concatenate((grid, grid + edge_nm / 2))
    species = np.array(["Yb"] * len(grid) + ["Tm"] * len(grid))
    return IonLattice(positions, species, np.full(len(species), "box"),
                      site_percent={"Yb": 50.0, "Tm": 50.0},
                      cell_nm=np.eye(3) * cells * edge_nm)


def test_uniform_surroundings_reproduce_the_average_model_level_by_level():
    """With every ion in the same surroundings (periodic, no surface, no vacancies) each ion
    of the per-ion model is an ion of the average model whose pair coefficients are the
    lattice sums C Σ_j r_ij^-s over its partners (simetuc's average mode, strength_avg_s)."""
    box = _ordered_box()
    # one Tm class: simetuc's average mode (the model's radial classes are for a surface)
    params = TransferParams(surface_quenching_nm3_s=0.0, vacancy_fraction=0.0, tm_classes=1)
    i, j, r_nm = ion_pairs(box)
    first = {"Yb": 0, "Tm": box.count("Yb")}
    sums = {}
    for donor, acceptor in itertools.product(("Yb", "Tm"), repeat=2):
        sel = (i == first[donor]) & (box.species[j] == acceptor)
        sums[donor, acceptor] = {s: np.sum((10 * r_nm[sel]) ** -float(s)) for s in (6, 8, 10)}
    # one process of each multipolarity is dipole–quadrupole or quadrupole–quadrupole here, so
    # that the per-ion side really evaluates C/r^s for every s
    processes = tuple(
        dataclasses.replace(et, multipolarity=s, strength_a6_s=et.strength_a6_s * 3.5 ** (s - 6))
        for et, s in zip(params.energy_transfer, itertools.cycle((6, 8, 10))))
    averaged = tuple(dataclasses.replace(
        et, strength_avg_s=et.strength_a6_s * sums[et.donor, et.acceptor][et.multipolarity])
        for et in processes)
    per_ion = solve_ions(dataclasses.replace(params, energy_transfer=processes), box,
                         power_w_cm2=1e3, d_max_nm=None)
    average = steady_state(dataclasses.replace(params, energy_transfer=averaged),
                           excitation_nm=980, power_w_cm2=1e3)
    _assert_every_ion_is_the_average_models(per_ion, average)


def _assert_every_ion_is_the_average_models(per_ion, average):
    """Every Yb alike and every Tm alike, each level equal to the average model's (1e-6)."""
    for species in ("Yb", "Tm"):
        ions = per_ion.populations(species)[0]
        np.testing.assert_allclose(ions, np.broadcast_to(ions[0], ions.shape), rtol=1e-9,
                                   atol=1e-15)
        expected = average.populations[species]
        assert expected[1:].max() > 1e-7  # the comparison is not trivial
        np.testing.assert_allclose(ions[0], expected, rtol=1e-6, atol=1e-14)


def _symmetric_heterostructure():
    """8 Yb and 8 Tm on the corners of two concentric cubes in a 2 nm core under a perovskite
    shell: the cubes' symmetry gives every Yb the same surroundings (partners and depth below
    the interface), and every Tm too, and as many of each (simetuc's average mode, which the
    average model's strength_avg_s is, moves one quantum per event only then). The doping of
    ``params`` is set so that its uniformly doped particle holds 8 Yb and 8 Tm too."""
    corners = np.array(list(itertools.product((-1.0, 1.0), repeat=3)))
    n_sites = len(cation_sites_nm("beta-NaGdF4", 2.0))
    params = TransferParams(core_diameter_nm=2.0, yb_fraction=8 / n_sites,
                            tm_fraction=8 / n_sites, perovskite_edge_nm=9.5, tm_classes=1,
                            vacancy_fraction=0.0)
    lattice = IonLattice(np.concatenate((0.3 * corners, 0.55 * corners)),
                         np.array(["Yb"] * 8 + ["Tm"] * 8), np.full(16, "core"),
                         site_percent={"Yb": 800 / n_sites, "Tm": 800 / n_sites},
                         radius_nm=1.0)
    return params, lattice


@pytest.mark.parametrize(("excitation_nm", "power", "coupling_length_nm"), [
    (980.0, 1e3, None), (980.0, 1e3, 0.5), (365.0, 10.0, 0.5)])
def test_uniform_weights_reduce_the_perovskite_channels_to_the_average_model(
        excitation_nm, power, coupling_length_nm):
    """§7's channels per ion: with every ion at the same depth (or equal shares, None) each
    ion sees the average model's channels, and the exciton and the defects come out as the
    average model's, level by level."""
    params, lattice = _symmetric_heterostructure()
    i, j, r_nm = ion_pairs(lattice)
    sums = {}
    for donor, acceptor in itertools.product(("Yb", "Tm"), repeat=2):
        first = np.nonzero(lattice.species == donor)[0][0]
        sel = (i == first) & (lattice.species[j] == acceptor)
        sums[donor, acceptor] = np.sum((10 * r_nm[sel]) ** -6.0)
    averaged = tuple(dataclasses.replace(
        et, strength_avg_s=et.strength_a6_s * sums[et.donor, et.acceptor])
        for et in params.energy_transfer)
    per_ion = solve_ions(params, lattice, excitation_nm=excitation_nm, power_w_cm2=power,
                         d_max_nm=None, coupling_length_nm=coupling_length_nm)
    average = steady_state(dataclasses.replace(params, energy_transfer=averaged),
                           excitation_nm=excitation_nm, power_w_cm2=power)
    _assert_every_ion_is_the_average_models(per_ion, average)
    for pool in ("exciton", "defect"):
        expected = average.populations[pool]
        assert expected[1] > 1e-12
        np.testing.assert_allclose(per_ion.pool_populations(pool)[0], expected, rtol=1e-6,
                                   atol=1e-18)
    band = [nm for nm, label in per_ion.line_labels.items() if label == "CsPbX3 band"]
    assert per_ion.lines[band[0]] == pytest.approx(average.lines[band[0]], rel=1e-6)


def test_the_perovskite_channels_favour_the_ions_at_the_interface():
    """The channels keep the average model's total and give it to the outer ions; at 365 nm
    the exciton excites Yb³⁺ (its 980 nm emission), and none without contact."""
    params = TransferParams(core_diameter_nm=5.0, perovskite_edge_nm=10.0)
    lattice = IonLattice.from_params(params, seed=2)
    system = ion_system(params, lattice)
    df, _, af, _, wd, _ = system.pair
    yb = system.ion_offsets[lattice.species == "Yb"]
    to_defects = (system.pair_process == -1) & np.isin(df, yb + 1) & (
        af == system.pool_offset("defect"))
    avg = rate_system(params, 980.0)
    yb_avg, defect_avg = avg.offsets[0], avg.offsets[[n for n, _, _ in avg.species].index(
        "defect")]
    k_avg = avg.pair[4][(avg.pair[0] == yb_avg + 1) & (avg.pair[2] == defect_avg)]
    assert wd[to_defects].sum() == pytest.approx(yb.size * k_avg[0], rel=1e-12)
    owner = np.searchsorted(system.ion_offsets, df[to_defects], side="right") - 1
    depth = lattice.surface_distance_nm[owner]
    # each Yb's share falls as exp(−depth/ℓ)
    ell = system.coupling_length_nm
    assert ell == COUPLING_LENGTH_NM
    np.testing.assert_allclose(wd[to_defects] * np.exp(depth / ell),
                               wd[to_defects][0] * np.exp(depth[0] / ell), rtol=1e-9)
    assert depth.max() - depth.min() > 2.0
    result = solve_ions(params, lattice, excitation_nm=365.0, power_w_cm2=1.0)
    assert result.lines[980.0] > 0
    with pytest.raises(ValueError, match="the perovskite's band, which no ion emits"):
        result.emission_per_ion(max(result.line_labels, key=lambda nm: 500 < nm < 530))
    apart = solve_ions(dataclasses.replace(params, contact_factor=0.0), lattice,
                       excitation_nm=365.0, power_w_cm2=1.0)
    assert apart.lines[980.0] == 0.0 and apart.pool_populations("exciton")[0, 1] > 0


@pytest.mark.parametrize("periodic", [False, True])
def test_pair_sums_equal_a_brute_force_double_loop(particle, periodic):
    params, lattice = particle
    if periodic:
        lattice = read_simetuc_lattice(LATTICE_FILE, config=DATA / "config_cw.cfg")
    d_max = 1.2
    system = ion_system(params, lattice, d_max_nm=d_max)
    df, _, _, _, w, wa = system.pair
    assert np.array_equal(w, wa)  # between two ions one rate for both partners
    owner = np.searchsorted(system.offsets, df, side="right") - 1
    computed = np.zeros((len(system.processes), lattice.size))
    np.add.at(computed, (system.pair_process, owner), w)
    cell = lattice.cell_nm
    brute = np.zeros_like(computed)
    checked = min(lattice.size, 60)  # donors looped over (the loop is slow in Python)
    for a in range(checked):
        for b in range(lattice.size):
            if a == b:
                continue
            d = lattice.positions_nm[b] - lattice.positions_nm[a]
            if cell is not None:  # nearest image over the 27 neighbouring boxes
                d = min((d - np.round(d @ np.linalg.inv(cell)) @ cell + shift @ cell
                         for shift in itertools.product((-1, 0, 1), repeat=3)),
                        key=np.linalg.norm)
            r = np.linalg.norm(d)
            if r >= d_max:
                continue
            for k, et in enumerate(system.processes):
                if (lattice.species[a], lattice.species[b]) == (et.donor, et.acceptor):
                    brute[k, a] += et.strength_a6_s / (10 * r) ** et.multipolarity
    np.testing.assert_allclose(computed[:, :checked], brute[:, :checked], rtol=1e-12, atol=0)
    assert brute.max() > 0


@pytest.mark.parametrize("perovskite_edge_nm", [0.0, 10.0])
def test_kernels_equal_their_numpy_references(particle, perovskite_edge_nm):
    # with a perovskite shell the pools' terms carry different rates on both sides
    params, lattice = particle
    params = dataclasses.replace(params, perovskite_edge_nm=perovskite_edge_nm)
    system = ion_system(params, lattice, d_max_nm=1.5)
    rng = np.random.default_rng(0)
    y = rng.random(system.size)
    lin_from = np.concatenate((system.lin[0], system.pump[0]))
    lin_to = np.concatenate((system.lin[1], system.pump[1]))
    rates = np.concatenate((system.lin[2], system.pump[2] * 50.0))
    args = (lin_from, lin_to, rates, *system.pair)
    np.testing.assert_allclose(kernel.rhs(y, *args), kernel.rhs_numpy(y, *args),
                               rtol=1e-12, atol=1e-9)
    df, dt, af, at, wd, wa = system.pair
    pattern = jacobian_pattern(system.size, lin_from, lin_to, df, dt, af, at)
    data = kernel.jacobian_values(y, pattern.nnz, lin_from, rates, pattern.lin_pos, df, af, wd,
                                  wa, pattern.pair_pos)
    from scipy import sparse

    ours = sparse.csr_matrix((data, pattern.indices, pattern.indptr),
                             shape=(system.size,) * 2)
    reference = kernel.jacobian_numpy(y, system.size, *args)
    assert abs(ours - reference).max() <= 1e-12 * abs(reference).max()
    # the Jacobian of the reduced system (ground states eliminated), on its block pattern
    blocks = block_pattern(*system.ion_pairs, system.block_end - system.offsets)
    positions = reduced_term_positions(blocks, lin_from, lin_to, system.pair,
                                       *system.ion_pairs, system.pair_ions)
    values = kernel.reduced_values(y, blocks.nnz, lin_from, rates, *positions[:2], df, af, wd,
                                   wa, *positions[2:])
    reduced = sparse.csr_matrix((values, blocks.indices, blocks.indptr), shape=(blocks.n,) * 2)
    expected = kernel.reduced_jacobian_numpy(reference, system.offsets, system.block_end)
    assert abs(reduced - expected).max() <= 1e-12 * abs(expected).max()
    assert np.all(np.diff(blocks.indices[blocks.indptr[0]:blocks.indptr[1]]) > 0)
    # the Jacobian is the derivative of the right-hand side
    dy = rng.normal(size=system.size) * 1e-7
    change = kernel.rhs(y + dy, *args) - kernel.rhs(y - dy, *args)
    np.testing.assert_allclose(change, 2 * ours @ dy, rtol=1e-5, atol=1e-9)


def test_krylov_steps_of_large_systems_give_the_direct_solution(monkeypatch):
    from lnhet_widgets.core.ions import solvers

    params = TransferParams(core_diameter_nm=7.0)
    lattice = IonLattice.from_params(params, seed=2)
    direct = solve_ions(params, lattice, power_w_cm2=300.0)
    monkeypatch.setattr(solvers, "_DIRECT_MAX_UNKNOWNS", 0)
    krylov = solve_ions(params, lattice, power_w_cm2=300.0)
    assert lattice.count("Tm") > 3
    np.testing.assert_allclose(krylov.state, direct.state, rtol=1e-8, atol=1e-16)


@pytest.mark.parametrize("factor", [1, 10, 1000])
def test_strong_migration_on_a_dense_sublattice_converges(monkeypatch, factor):
    """Newton's steps carry the mean-field tail's coupling through its means: with the
    calibrated migration (760× simetuc's example) and ten times it over 49 % Yb it is as large
    as the rates (without it Newton did not converge), and the direct and Krylov steps agree,
    up to a thousand times it (the Krylov steps failed beyond ten times until each population
    was kept positive by itself)."""
    from lnhet_widgets.core.ions import solvers

    params = TransferParams(core_diameter_nm=8.7, yb_fraction=0.49,
                            yb_migration_a6_s=factor * TransferParams().yb_migration_a6_s)
    lattice = IonLattice.from_params(params, seed=0)
    direct = solve_ions(params, lattice, power_w_cm2=4.0)
    assert direct.factorisations <= 5
    monkeypatch.setattr(solvers, "_DIRECT_MAX_UNKNOWNS", 0)
    krylov = solve_ions(params, lattice, power_w_cm2=4.0)
    np.testing.assert_allclose(krylov.state, direct.state, rtol=1e-7, atol=1e-16)
    # fast migration: every Yb³⁺ nearly equally excited
    yb_es = direct.populations("Yb")[0][:, 1]
    assert yb_es.std() < 0.1 * yb_es.mean()


# ----------------------------------------------------------------------------- simetuc
def test_periodic_distances_are_simetucs(simetuc_lattice):
    import h5py

    with h5py.File(LATTICE_FILE) as f:
        dist_a = np.asarray(f["dist_array"])
    i, j, r_nm = ion_pairs(simetuc_lattice)
    assert len(i) == simetuc_lattice.size * (simetuc_lattice.size - 1)
    np.testing.assert_allclose(10 * r_nm, dist_a[i, j], rtol=1e-12)


def test_steady_state_agrees_with_simetuc_per_level(simetuc_lattice):
    reference = REFERENCE["steady_state"]
    params = read_config("config_cw.cfg")
    assert (simetuc_lattice.count("Yb"), simetuc_lattice.count("Tm")) == (
        reference["ions"]["sensitizers"], reference["ions"]["activators"])
    result = solve_ions(params, simetuc_lattice, power_w_cm2=1e4, d_max_nm=None)
    ours = result.mean_populations
    compared = 0
    for label, theirs in zip(reference["labels"], reference["steady_state_populations"],
                             strict=True):
        if theirs > 1e-8:
            print(f"{label}: simetuc {theirs:.6e}, per-ion {ours[label]:.6e}")
            assert ours[label] == pytest.approx(theirs, rel=0.02), label
            compared += 1
    assert compared == 10  # every level but the unpopulated 3P0 (not in the model)


def test_a_cut_off_with_the_mean_field_tail_stays_near_all_pairs(simetuc_lattice):
    """simetuc keeps every pair; at 1 nm most of the r⁻⁶ sum of this 25 % Yb box lies
    beyond the cut-off (without the tail ¹I6 comes out 0.38× and ¹G4 1.5× simetuc's)."""
    reference = REFERENCE["steady_state"]
    result = solve_ions(read_config("config_cw.cfg"), simetuc_lattice, power_w_cm2=1e4,
                        d_max_nm=1.0)
    for label, theirs in zip(reference["labels"], reference["steady_state_populations"],
                             strict=True):
        if theirs > 1e-8:
            ratio = result.mean_populations[label] / theirs
            print(f"{label}: per-ion within 1 nm with the tail / simetuc {ratio:.4f}")
            assert result.mean_populations[label] == pytest.approx(theirs, rel=0.07), label


def _tau_avg(t, y):
    return np.trapezoid(t * y, t) / np.trapezoid(y, t)


def test_decay_agrees_with_simetuc(simetuc_lattice):
    reference = REFERENCE["dynamics"]
    params = read_config("config_pulse.cfg")
    t_after = np.array(reference["time_s"])
    pulse = Pulse(980.0, 1e7, reference["t_pulse_s"])
    result = ion_dynamics(params, simetuc_lattice, pulse=pulse, t_eval=pulse.duration_s + t_after,
                          d_max_nm=None)
    ours = result.mean_per_ion
    compared = 0
    for label, curve in zip(reference["labels"], reference["mean_per_ion"], strict=True):
        curve = np.asarray(curve)
        if label.endswith(("_GS", "_3H6")) or curve.max() <= 0:
            continue
        theirs_tau, our_tau = _tau_avg(t_after, curve), _tau_avg(t_after, ours[label])
        print(f"{label}: τ_avg simetuc {theirs_tau * 1e6:.2f} µs, per-ion {our_tau * 1e6:.2f} µs")
        assert our_tau == pytest.approx(theirs_tau, rel=0.02), label
        compared += 1
    assert compared == 8


def test_a_decay_is_fitted_as_a_measurement_would_be():
    box = _ordered_box()
    yb_only = IonLattice(box.positions_nm[box.species == "Yb"], np.array(["Yb"] * 27),
                         np.full(27, "box"), site_percent={"Yb": 50.0}, cell_nm=box.cell_nm)
    t = np.linspace(0.0, 10e-3, 401)
    result = ion_dynamics(TransferParams(), yb_only, pulse=Pulse(980.0, 4.0, 20e-6), t_eval=t)
    # identical ions with nothing but their decay and migration between them: one exponential
    # of the Yb³⁺ lifetime
    fit = result.decay_fit(980.0, n_exp=1)
    assert fit.lifetimes[0] == pytest.approx(2500.0, rel=1e-3)
    with pytest.raises(ValueError, match="line_nm must be one of"):
        result.decay_fit(450.0)


def test_migration_spreads_the_surface_quenching_over_the_particle(particle):
    """With the calibrated Yb→Yb migration the Yb³⁺ share their excitation: the surface
    shell's ions emit within 20 % of the centre's (still less: the quenching is theirs), and,
    the most numerous, most of the light. With simetuc's example migration (760× slower) the
    centre's ions emit over four times as much as the surface's."""
    params, lattice = particle
    steady = solve_ions(params, lattice, power_w_cm2=4.0)
    _, per_ion, share = steady.radial_profile(980.0, bins=4)
    assert 0.8 * per_ion[0] < per_ion[-1] < per_ion[0] and share.sum() == pytest.approx(1.0)
    assert share.argmax() == 3
    slow = solve_ions(dataclasses.replace(params, yb_migration_a6_s=4.199e7), lattice,
                      power_w_cm2=4.0)
    _, per_ion_slow, _ = slow.radial_profile(980.0, bins=4)
    assert per_ion_slow[0] > 4 * per_ion_slow[-1]
    emission = steady.emission_per_ion(980.0)
    assert emission.sum() == pytest.approx(steady.lines[980.0])
    assert np.all(emission[lattice.species == "Tm"] == 0)
    # the spectrum holds every line's photons
    wl = np.linspace(300.0, 1600.0, 13001)
    assert np.trapezoid(steady.spectrum(wl), wl) == pytest.approx(sum(steady.lines.values()),
                                                                 rel=1e-3)


# ----------------------------------------------------------------------------- reading
def test_config_for_ions_keeps_migration_and_multipolarity():
    params = read_config("config_cw.cfg")
    assert params.yb_migration_a6_s == 4.199e7
    text = (DATA / "config_cw.cfg").read_text().replace(
        "multipolarity: 6\n        strength: 1.142e+10", "multipolarity: 8\n        strength: 1e12")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        etu3 = {et.name: et for et in read_simetuc_config(text, for_ions=True).energy_transfer}
        with pytest.raises(ValueError, match="multipolarity: the model's lattice sum"):
            read_simetuc_config(text)
    assert (etu3["ETU3"].multipolarity, etu3["ETU3"].strength_a6_s) == (8, 1e12)
    without_em = text.replace("Yb(ES) + Yb(GS) -> Yb(GS) + Yb(ES)",
                              "Yb(ES) + Tm(3H6) -> Yb(GS) + Tm(3F4)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert read_simetuc_config(without_em, for_ions=True).yb_migration_a6_s == 0


def test_the_average_model_refuses_a_multipolarity_it_cannot_sum():
    quadrupole = EnergyTransfer("ETU1", "Yb", "2F5/2", "2F7/2", "Tm", "3H6", "3H5", 1e9,
                                multipolarity=8)
    with pytest.raises(ValueError, match="lattice sum is dipole–dipole"):
        steady_state(TransferParams(energy_transfer=(quadrupole,)), power_w_cm2=1.0)
    with pytest.raises(ValueError, match="multipolarity must be 6, 8 or 10"):
        EnergyTransfer("X", "Yb", "2F5/2", "2F7/2", "Tm", "3H6", "3H5", 1e9, multipolarity=7)


def test_lattice_from_params_is_seeded_and_doped_as_asked():
    params = TransferParams(core_diameter_nm=6.0, active_shell_nm=1.0, inert_shell_nm=1.0)
    a, b = (IonLattice.from_params(params, seed=5) for _ in range(2))
    c = IonLattice.from_params(params, seed=6)
    assert np.array_equal(a.positions_nm, b.positions_nm)
    assert not np.array_equal(a.positions_nm, c.positions_nm)
    r = a.radial_nm
    assert r[a.region == "core"].max() < 3.0 <= r[a.region == "active_shell"].min()
    assert r.max() < 4.0 and a.radius_nm == 5.0
    core = a.region == "core"
    n_core_sites = (np.linalg.norm(cation_sites_nm(params.host, 10.0), axis=1) < 3.0).sum()
    assert np.count_nonzero(a.species[core] == "Yb") / n_core_sites == pytest.approx(0.2,
                                                                                     abs=0.04)
    assert set(a.species[~core]) == {"Yb"}
    assert len(a.vacancies_nm) > 0


def test_lattice_from_an_annealing_snapshot_keeps_its_vacancies():
    sites = cation_sites_nm("beta-NaGdF4", 4.0)
    snapshot = IonSites(sites_nm=sites, yb_nm=sites[:80], tm_nm=sites[80:84],
                        vacancies_nm=sites[84:90], radius_nm=2.0)
    lattice = IonLattice.from_sites(snapshot)
    assert (lattice.count("Yb"), lattice.count("Tm"), len(lattice.vacancies_nm)) == (80, 4, 6)
    params = TransferParams()
    quench = ion_system(params, lattice).quenching_s
    near = np.linalg.norm(lattice.positions_nm[:, None] - sites[None, 84:90], axis=2).min(1)
    assert quench[near < 0.5].mean() > quench[near > 1.5].mean()


# ----------------------------------------------------------------------------- bad input
def test_a_lattice_file_without_the_datasets_is_named(tmp_path):
    import h5py

    path = tmp_path / "data_8uc_25.0S_2.0A.hdf5"
    with h5py.File(path, "w") as f:
        f["positions"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"missing \['doped_lattice', 'ion_type'\]"):
        read_simetuc_lattice(path)
    text = tmp_path / "data_1.0r_1.0S_1.0A.hdf5"
    text.write_text("not hdf5")
    with pytest.raises(ValueError, match="not a readable HDF5"):
        read_simetuc_lattice(text)
    with h5py.File(path, "w") as f:
        f["doped_lattice"] = np.zeros((2, 3))
        f["ion_type"] = [0, 2]
    with pytest.raises(ValueError, match=r"ion_type must be 0 \(sensitizer\) or 1"):
        read_simetuc_lattice(path)


def test_a_periodic_lattice_needs_its_configuration():
    with pytest.raises(ValueError, match="needs the configuration that made it"):
        read_simetuc_lattice(LATTICE_FILE)


def test_ions_outside_the_particle_are_refused():
    with pytest.raises(ValueError, match=r"positions_nm: ion 1 lies 2.5 nm .*\(radius_nm = 2 nm\)"):
        IonLattice(np.array([[0.0, 0, 0], [2.5, 0, 0]]), np.array(["Yb", "Tm"]),
                   np.array(["core", "core"]), site_percent={"Yb": 20, "Tm": 1}, radius_nm=2.0)
    with pytest.raises(ValueError, match=r"either radius_nm .* or cell_nm"):
        IonLattice(np.zeros((1, 3)), np.array(["Yb"]), np.array(["core"]),
                   site_percent={"Yb": 20})
    with pytest.raises(ValueError, match="site_percent lacks the concentration of Tm"):
        IonLattice(np.zeros((1, 3)), np.array(["Tm"]), np.array(["core"]),
                   site_percent={"Yb": 20}, radius_nm=1.0)


@pytest.mark.parametrize(("power", "message"), [
    (-1.0, r"power_w_cm2 = -1.0 W/cm² is outside the allowed range \[0, 1e\+09\] W/cm²"),
    (2e9, r"power_w_cm2 = 2000000000.0 W/cm² is outside"),
    (float("nan"), r"power_w_cm2 = nan W/cm² is outside"),
    ("high", r"power_w_cm2 must be a number in W/cm²"),
])
def test_bad_powers_are_refused(particle, power, message):
    params, lattice = particle
    with pytest.raises(ValueError, match=message):
        solve_ions(params, lattice, power_w_cm2=power)


def test_what_the_per_ion_model_does_not_solve_is_refused(particle):
    params, lattice = particle
    with pytest.raises(ValueError, match=r"excitation_nm = 400 nm pumps the perovskite, and "
                                         r"the particle has none"):
        solve_ions(params, lattice, excitation_nm=400, power_w_cm2=1.0)
    with pytest.raises(ValueError, match=r"excitation_nm must be one of \(365.0, 400.0, 980.0\)"):
        solve_ions(params, lattice, excitation_nm=532, power_w_cm2=1.0)
    hetero = dataclasses.replace(params, perovskite_edge_nm=12.0)
    with pytest.raises(ValueError, match=r"radius_nm = 2 nm is not the radius of params' "
                                         r"particle \(2.5 nm"):
        solve_ions(hetero, IonLattice.from_params(TransferParams(core_diameter_nm=4.0)),
                   power_w_cm2=1.0)
    with pytest.raises(ValueError, match="a perovskite shell needs a particle"):
        solve_ions(hetero, _ordered_box(), power_w_cm2=1.0)
    with pytest.raises(ValueError, match=r"coupling_length_nm = 0 nm is outside"):
        ion_system(hetero, lattice, coupling_length_nm=0)
    with pytest.raises(ValueError, match=r"d_max_nm = 0.1 nm is outside"):
        solve_ions(params, lattice, power_w_cm2=1.0, d_max_nm=0.1)
    with pytest.raises(ValueError, match="t_eval must be ascending"):
        ion_dynamics(params, lattice, pulse=Pulse(), t_eval=[1e-3, 0.0])


def test_a_problem_too_large_for_the_memory_is_refused_before_allocating(particle, monkeypatch):
    params, lattice = particle
    monkeypatch.setattr(system_module, "_available_memory", lambda: 10 * 2**20)
    with pytest.raises(ValueError, match=r"needs ≈\d+\.\d GiB, more than the 0\.0 GiB available"):
        solve_ions(params, lattice, power_w_cm2=1.0, d_max_nm=None)


def test_a_first_power_too_high_for_newton_drops_a_decade_at_a_time(monkeypatch):
    """The continuation starts at 1 kW cm⁻²; where Newton's method cannot converge from the
    ground state there, it starts lower and still reaches the same steady state."""
    from lnhet_widgets.core.ions import solvers

    params = TransferParams(core_diameter_nm=4.0)
    lattice = IonLattice.from_params(params, seed=1)
    usual = solve_ions(params, lattice, power_w_cm2=1e6)
    tried = []
    newton = solvers._Equations.newton

    def fails_above_10_w_cm2_from_the_ground_state(self, y, power_w_cm2, **options):
        tried.append(power_w_cm2)
        if power_w_cm2 > 10.0 and not y[self.reduced.excited].any():
            return None
        return newton(self, y, power_w_cm2, **options)

    monkeypatch.setattr(solvers._Equations, "newton", fails_above_10_w_cm2_from_the_ground_state)
    lowered = solve_ions(params, lattice, power_w_cm2=1e6)
    assert tried[:3] == pytest.approx([1e3, 1e2, 1e1])
    np.testing.assert_allclose(lowered.state, usual.state, rtol=1e-7, atol=1e-16)
