"""Heterostructure: one design through every model — the mapping (each method gives exactly
what the model gives for the params written out by hand here), the cache, validation, saving,
and the research question "will a 9 nm core be coated at 220 °C?" against coating_map.

The params of the direct calls are spelled out field by field rather than taken from the
design's own mapping methods, so a wrong mapping fails here. Small particles and samples keep
the file fast; the optics share one geometry (P1's β-LnNP@CsPbBr3), whose confinement
eigenproblem is solved once.
"""

import dataclasses
import json
import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lnhet_widgets.core import heterostructure as module
from lnhet_widgets.core.annealing import AnnealParams, anneal, ensemble_optical
from lnhet_widgets.core.conditions import P1_UC_POWER_W_CM2, P2_POWER_W_CM2
from lnhet_widgets.core.crystal import (
    FLUORIDES,
    build_heterostructure,
    coreshell_strain,
    debye_pattern,
    eds_maps,
    effective_misfit,
    get_material,
    haadf_image,
    misfit,
    powder_pattern,
)
from lnhet_widgets.core.growth import (
    GrowthParams,
    coating_map,
    core_wetting,
    simulate_growth,
)
from lnhet_widgets.core.heterostructure import CACHE_SIZE, Heterostructure, XrdPattern
from lnhet_widgets.core.optics import (
    Pulse,
    Sample,
    TransferParams,
    dynamics,
    power_dependence,
    steady_state,
    yb_lifetime_us,
)

#: P1's β-LnNPs of the heterostructure comparisons, β-NaGd0.69F4:Yb0.3,Tm0.01 (SCIENCE §1).
LNNP = (("Yb", 0.3), ("Tm", 0.01))
#: P1's β-LnNP@CsPbBr3 as TransferParams, written out.
BETA_AT = TransferParams(host="beta-NaGdF4", core_diameter_nm=7.1, yb_fraction=0.3,
                         tm_fraction=0.01, perovskite="CsPbBr3", perovskite_edge_nm=16.7,
                         contact_factor=1.0)
#: A small particle (3 nm core in a 5 nm cube, ~3700 atoms) for atoms, XRD, STEM, anneal.
SMALL = Heterostructure(core_diameter_nm=3.0, core_diameter_sd_nm=0.3, shell_edge_nm=5.0)
FEW = {"simulated_cores": 200}


def assert_same(a, b):
    """Two results of one type with equal fields (arrays element by element, NaN = NaN)."""
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        elif isinstance(x, float) and math.isnan(x):
            assert math.isnan(y), f.name
        else:
            assert x == y, f.name


# --- the mapping: the same params as the labs and as a hand-written call ------------------


def test_default_design_is_transfer_labs_beta_sample():
    from lnhet_widgets.widgets.labs.transfer_samples import SAMPLES

    lab = dataclasses.replace(TransferParams(), **SAMPLES["β-LnNP@CsPbBr3"])
    assert Heterostructure().transfer_params() == lab == BETA_AT
    alpha = dataclasses.replace(TransferParams(), **SAMPLES["α-LnNP@CsPbBr3"])
    assert Heterostructure(core="alpha-NaYF4", core_diameter_nm=7.2,
                           shell_edge_nm=14.3).transfer_params() == alpha


def test_growth_and_anneal_labs_defaults_are_designs():
    # GrowthLab opens on LnNP40, β-NaGd0.79F4:Yb0.2,Tm0.01 (SCIENCE §1)
    lnnp40 = Heterostructure(core_diameter_nm=7.6, core_diameter_sd_nm=0.8,
                             dopants={"Yb": 0.2, "Tm": 0.01})
    assert lnnp40.growth_params() == GrowthParams()
    p2 = Heterostructure(core_diameter_nm=6.7, dopants={"Yb": 0.49, "Tm": 0.01})
    assert p2.anneal_params() == AnnealParams()
    assert p2.anneal_params(complex="Y", shell_thickness_nm=2.0) == AnnealParams(
        complex="Y", shell_thickness_nm=2.0)


def test_shell_halide_and_amounts_reach_growth():
    hs = Heterostructure(shell="CsPbCl3", temperature_c=210, core_mass_g=0.3, pbx2_mmol=0.4,
                         cs_oleate_ml=2.0, time_s=30)
    p = hs.growth_params(simulated_cores=100)
    assert (p.halide, p.shell, p.temperature_c, p.core_mass_g, p.pbx2_mmol, p.cs_oleate_ml,
            p.time_s, p.simulated_cores) == ("Cl", "CsPbCl3", 210.0, 0.3, 0.4, 2.0, 30.0, 100)
    assert hs.transfer_params().perovskite == "CsPbCl3"


def test_grow_is_simulate_growth_of_the_design():
    direct = simulate_growth(GrowthParams(core="beta-NaGdF4", dopants=LNNP, core_diameter_nm=7.1,
                                          core_diameter_sd_nm=0.4, halide="Br",
                                          temperature_c=220.0, simulated_cores=200), seed=3)
    assert_same(Heterostructure().grow(3, **FEW), direct)
    assert Heterostructure().coated_fraction(3, **FEW) == direct.coated_fraction


def test_wetting_is_core_wetting_and_falls_with_size():
    m, w = Heterostructure(core_diameter_nm=9.0).wetting()
    m_direct, w_direct = core_wetting(9.0, GrowthParams(dopants=LNNP, core_diameter_nm=9.0,
                                                        core_diameter_sd_nm=0.4))
    assert (m, w) == (float(m_direct), float(w_direct))
    assert Heterostructure(core_diameter_nm=4.0).wetting()[0] > m


def test_nine_nm_core_at_220_c_is_answered_as_coating_map_does():
    # The question: will a 9 nm β-NaGdF4 core be coated at 220 °C? (P1: LnNP60, 9.2 nm, not)
    hs = Heterostructure(core_diameter_nm=9.0)
    answer = hs.coated_fraction(simulated_cores=300)
    grid = coating_map([4.0, 9.0], [210.0, 220.0],
                       GrowthParams(dopants=LNNP, core_diameter_nm=7.1, core_diameter_sd_nm=0.4,
                                    simulated_cores=300), seed=0)
    assert answer == grid.coated_fraction[1, 1]
    assert_same(hs.coating_map([4.0, 9.0], [210.0, 220.0], simulated_cores=300), grid)
    assert answer <= 0.15  # G2: LnNP60 mostly bare
    assert hs.with_(core_diameter_nm=4.0).coated_fraction(simulated_cores=300) >= 0.9


def test_as_grown_takes_the_mean_edge_of_the_heterostructures():
    hs = Heterostructure(core_diameter_nm=3.7, core_diameter_sd_nm=0.3, shell_edge_nm=30.0)
    grown = hs.as_grown(**FEW)
    assert grown.shell_edge_nm == float(hs.grow(**FEW).edge_lengths_nm.mean())
    assert grown == hs.with_(shell_edge_nm=grown.shell_edge_nm)
    assert 8.0 < grown.shell_edge_nm < 12.0  # G3: 9.5 ± 1.5 nm
    with pytest.raises(ValueError, match="coats none of the 14 nm cores"):
        Heterostructure(core_diameter_nm=14.0, core_diameter_sd_nm=0.3).as_grown(**FEW)


def test_sample_is_sample_from_growth():
    hs = Heterostructure(core_diameter_nm=8.0)
    direct = Sample.from_growth(hs.grow(**FEW), lanthanide=BETA_AT)
    assert hs.sample(**FEW) == direct
    assert [label for label, *_ in direct.classes][:2] == ["heterostructure", "bare core"]


def test_anneal_is_anneal_of_the_lanthanide_particle():
    direct = anneal(AnnealParams(core="beta-NaGdF4", core_diameter_nm=3.0, shell="beta-NaYF4",
                                 shell_thickness_nm=1.0, yb_fraction=0.3, tm_fraction=0.01,
                                 complex="Y"), steps=120, snapshots=(0, 100, 120), seed=1)
    assert_same(SMALL.anneal(steps=120, complex="Y", seed=1), direct)
    explicit = SMALL.anneal(steps=50, snapshots=(0, 50), temperature_c=280.0)
    assert explicit.params.temperature_c == 280.0
    assert SMALL.temperature_c == 220.0  # the injection temperature is another quantity


def test_anneal_snapshots_do_not_change_the_run():
    # AnnealingLab records many more snapshots than P2's; the final state is the same.
    few = SMALL.anneal(steps=60, snapshots=(0, 60), seed=4)
    many = SMALL.anneal(steps=60, snapshots=range(0, 61, 10), seed=4)
    np.testing.assert_array_equal(few.species[-1], many.species[-1])


def test_alpha_core_anneals_in_its_own_structure():
    hs = Heterostructure(core="alpha-NaYF4", core_diameter_nm=3.0, shell_edge_nm=5.0)
    r = hs.anneal(steps=20, snapshots=(0, 20))
    assert r.params.shell == "alpha-NaYF4"
    assert r.ledger_error == 0


def test_anneal_optics_is_ensemble_optical():
    direct = ensemble_optical(AnnealParams(core_diameter_nm=3.0, yb_fraction=0.3,
                                           tm_fraction=0.01, complex="Y"),
                              steps=50, seeds=(0, 1), power_w_cm2=P2_POWER_W_CM2)
    assert_same(SMALL.anneal_optics(steps=50, complex="Y", seeds=(0, 1)), direct)


def test_spectrum_decay_sweep_and_lifetime_are_the_transfer_models():
    hs = Heterostructure()
    assert_same(hs.spectrum(), steady_state(BETA_AT, excitation_nm=980.0,
                                            power_w_cm2=P1_UC_POWER_W_CM2))
    assert_same(hs.spectrum(365, 1.0), steady_state(BETA_AT, excitation_nm=365.0,
                                                    power_w_cm2=1.0))
    t = np.linspace(0.0, 1e-3, 601)
    assert_same(hs.decay(), dynamics(BETA_AT, pulse=Pulse(980.0, P1_UC_POWER_W_CM2, 10e-6),
                                            t_eval=t))
    powers = [0.1, 1.0, 10.0]
    assert_same(hs.power_dependence(powers), power_dependence(BETA_AT, powers))
    assert hs.yb_lifetime_us() == yb_lifetime_us(BETA_AT)
    ligand = dataclasses.replace(BETA_AT, surface_quenching_nm3_s=700.0)
    assert hs.yb_lifetime_us(surface_quenching_nm3_s=700.0) == yb_lifetime_us(ligand)


def test_misfit_and_strain_are_the_mismatch_and_strain_models():
    hs = Heterostructure()
    assert hs.misfit() == effective_misfit("beta-NaGdF4", "CsPbBr3", temperature_c=220.0)
    assert hs.misfit(temperature_c=25.0, effective=False) == misfit("beta-NaGdF4", "CsPbBr3")
    b = 16.7 * (3 / (4 * np.pi)) ** (1 / 3)
    core, shell = get_material("beta-NaGdF4"), get_material("CsPbBr3")
    direct = coreshell_strain(3.55, b, effective_misfit("beta-NaGdF4", "CsPbBr3"),
                              core_bulk_gpa=core.bulk_gpa, shell_bulk_gpa=shell.bulk_gpa,
                              shell_shear_gpa=shell.shear_gpa)
    assert_same(hs.strain(), direct)
    # the builder strains the atoms with the same misfit
    assert SMALL.atoms().info["misfit"] == SMALL.strain().misfit


def test_atoms_are_build_heterostructure_and_a_fresh_copy():
    direct = build_heterostructure("beta-NaGdF4", 3.0, "CsPbBr3", 5.0,
                                   dopants={"Yb": 0.3, "Tm": 0.01}, seed=2)
    atoms = SMALL.atoms(seed=2)
    np.testing.assert_array_equal(atoms.positions, direct.positions)
    np.testing.assert_array_equal(atoms.numbers, direct.numbers)
    np.testing.assert_array_equal(atoms.arrays["region"], direct.arrays["region"])
    again = SMALL.atoms(seed=2)
    assert again is not atoms
    atoms.positions += 100.0  # a copy: the cache and the next caller do not see it
    np.testing.assert_array_equal(SMALL.atoms(seed=2).positions, direct.positions)
    unstrained = SMALL.atoms(seed=2, strain=False)
    np.testing.assert_array_equal(unstrained.numbers, direct.numbers)
    assert not np.allclose(unstrained.positions, direct.positions)


def test_xrd_debye_and_bulk_are_the_xrd_models():
    tt = np.arange(20.0, 35.0, 0.1)
    atoms = build_heterostructure("beta-NaGdF4", 3.0, "CsPbBr3", 5.0,
                                  dopants={"Yb": 0.3, "Tm": 0.01})
    debye = SMALL.xrd(tt)
    assert debye.labels == ("heterostructure",) and debye.method == "debye"
    np.testing.assert_array_equal(debye["heterostructure"], debye_pattern(atoms, tt))
    np.testing.assert_array_equal(debye.two_theta_deg, tt)
    bulk = SMALL.xrd(tt, method="bulk", fwhm_deg=0.3)
    assert bulk.labels == ("beta-NaGdF4", "CsPbBr3")
    _, core = powder_pattern("beta-NaGdF4", tt, dopants={"Yb": 0.3, "Tm": 0.01}, fwhm_deg=0.3)
    _, shell = powder_pattern("CsPbBr3", tt, fwhm_deg=0.3)
    np.testing.assert_array_equal(bulk["beta-NaGdF4"], core)
    np.testing.assert_array_equal(bulk["CsPbBr3"], shell)
    with pytest.raises(ValueError, match="method must be one of"):
        SMALL.xrd(tt, method="rietveld")


def test_xrd_pattern_saves_as_json_and_csv(tmp_path):
    pattern = SMALL.xrd(np.arange(20.0, 32.0, 0.5), method="bulk")
    back = XrdPattern.from_json(pattern.to_json(tmp_path / "p.json"))
    assert_same(back, pattern)
    header, first = pattern.to_csv().splitlines()[:2]
    assert header == "two_theta_deg,beta-NaGdF4,CsPbBr3"
    assert first.startswith("20,")
    with pytest.raises(KeyError):
        pattern["CsPbI3"]


def test_haadf_and_eds_are_the_stem_models():
    atoms = build_heterostructure("beta-NaGdF4", 3.0, "CsPbBr3", 5.0,
                                  dopants={"Yb": 0.3, "Tm": 0.01})
    assert_same(SMALL.haadf(pixel_nm=0.1), haadf_image(atoms, pixel_nm=0.1))
    maps = SMALL.eds()
    assert sorted(maps) == sorted(set(atoms.get_chemical_symbols()))
    for element, image in eds_maps(atoms, ["Gd", "Pb"]).items():
        np.testing.assert_array_equal(maps[element], image)
    with pytest.raises(TypeError):
        maps["Gd"] = None  # read-only


# --- the cache ----------------------------------------------------------------------------


def test_repeat_calls_return_the_identical_object():
    hs = Heterostructure(core_diameter_nm=5.0)
    first = hs.grow(**FEW)
    assert hs.grow(**FEW) is first
    assert hs.grow(0, **FEW) is first and hs.grow(seed=0, **FEW) is first  # defaults bound
    # an equal design (dopants as a dict) is the same parameter set
    same = Heterostructure(core_diameter_nm=5, dopants={"Yb": 0.3, "Tm": 0.01})
    assert same == hs and same.grow(**FEW) is first
    # arrays are keyed by content, sequences alike
    tt = np.arange(20.0, 25.0, 0.5)
    assert SMALL.xrd(tt, method="bulk") is SMALL.xrd(tt.copy(), method="bulk")
    assert SMALL.anneal(steps=10, snapshots=[0, 10]) is SMALL.anneal(steps=10,
                                                                     snapshots=(0, 10))


def test_changed_argument_or_design_computes_anew():
    hs = Heterostructure(core_diameter_nm=5.0)
    base = hs.grow(**FEW)
    other_seed = hs.grow(1, **FEW)
    assert other_seed is not base
    assert not np.array_equal(other_seed.core_diameters_nm, base.core_diameters_nm)
    hotter = hs.with_(temperature_c=230.0).grow(**FEW)
    assert hotter is not base and hotter.params.temperature_c == 230.0
    assert hs.grow(simulated_cores=150) is not base
    before = Heterostructure.cache_info()
    hs.grow(**FEW)
    hs.grow(2, **FEW)
    after = Heterostructure.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 1)


def test_cache_is_bounded_and_drops_the_least_recently_used():
    hs = Heterostructure()
    first = hs.strain(temperature_c=0.0, n_points=3)
    kept = hs.strain(temperature_c=1.0, n_points=3)
    for k in range(CACHE_SIZE + 5):
        hs.strain(temperature_c=2.0 + k, n_points=3)
        assert hs.strain(temperature_c=1.0, n_points=3) is kept  # used: stays
    info = Heterostructure.cache_info()
    assert info.currsize == info.maxsize == CACHE_SIZE
    recomputed = hs.strain(temperature_c=0.0, n_points=3)
    assert recomputed is not first
    assert_same(recomputed, first)
    Heterostructure.cache_clear()
    assert Heterostructure.cache_info() == (0, 0, CACHE_SIZE, 0)


def test_cached_arrays_are_read_only():
    r = SMALL.grow(**FEW)
    with pytest.raises(ValueError, match="read-only"):
        r.core_diameters_nm[0] = 1.0
    assert not Heterostructure().spectrum().intensities.flags.writeable


def test_threads_share_one_result():
    hs = Heterostructure(core_diameter_nm=6.0)
    start = threading.Barrier(4)

    def grow(_):
        start.wait()
        return hs.grow(seed=5, simulated_cores=300)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(grow, range(4)))
    assert all(r is results[0] for r in results)
    assert hs.grow(seed=5, simulated_cores=300) is results[0]


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("fields, message", [
    ({"core_diameter_nm": 0.1},
     "core_diameter_nm = 0.1 nm is outside the allowed range [1, 30] nm"),
    ({"temperature_c": 500}, "temperature_c = 500 °C is outside the allowed range [120, 300]"),
    ({"core_mass_g": 2.0}, "core_mass_g = 2.0 g is outside the allowed range [0.005, 1] g"),
    ({"shell_edge_nm": 50.0}, "shell_edge_nm = 50.0 nm is outside the allowed range (1, 40] nm"),
    ({"shell_edge_nm": 6.0}, "shell_edge_nm = 6 nm must exceed core_diameter_nm = 7.1 nm"),
    ({"shell": "CsSnBr3"}, "shell must be one of"),
    ({"shell": "beta-NaYF4"}, "shell must be one of"),
    ({"core": "CsPbBr3"}, "core must be one of"),
    ({"dopants": {"Yb": 0.2, "Tm": 0.3}},
     "dopants['Tm'] = 0.3 is outside the allowed range [0, 0.2]"),
    ({"dopants": {"Xx": 0.1}}, "'Xx' is not an RE-site dopant"),
    ({"dopants": {"Yb": 0.9, "Tm": 0.2}}, "add up to 1.100 > 1"),
    ({"dopants": "Yb"}, "dopants must map elements to RE-site fractions"),
])
def test_bad_design_names_field_unit_and_range(fields, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Heterostructure(**fields)


def test_with_validates_like_a_new_design():
    with pytest.raises(ValueError, match="core_diameter_nm = 40"):
        Heterostructure().with_(core_diameter_nm=40.0)
    assert Heterostructure().with_(core_diameter_nm=8).core_diameter_nm == 8.0


@pytest.mark.parametrize("call, message", [
    (lambda hs: hs.grow(temperature_c=210.0),
     r"temperature_c of GrowthParams is set by the design's temperature_c; change it with "
     r"design.with_\(temperature_c=...\)"),
    (lambda hs: hs.grow(halide="Cl"), "set by the design's shell"),
    (lambda hs: hs.grow(flask_size_ml=50), "'flask_size_ml' is not a field of GrowthParams"),
    (lambda hs: hs.spectrum(perovskite_edge_nm=10.0), "set by the design's shell_edge_nm"),
    (lambda hs: hs.spectrum(yb_fraction=0.5), "set by the design's dopants"),
    (lambda hs: hs.anneal(steps=10, core_diameter_nm=5.0), "set by the design's core_diameter"),
    (lambda hs: hs.anneal(steps=-1), "steps = -1 MC steps is outside the allowed range"),
    (lambda hs: hs.decay(t_end_s=0.0), "t_end_s = 0.0 s is outside the allowed range"),
])
def test_bad_overrides_and_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call(Heterostructure())


def test_unmodelled_optical_dopant_is_refused_by_the_optics_only():
    erbium = SMALL.with_(dopants={"Yb": 0.2, "Er": 0.02})
    for call in (erbium.spectrum, erbium.transfer_params, erbium.anneal_params):
        with pytest.raises(ValueError, match=r"Yb³⁺ and Tm³⁺ only.*\['Er'\]"):
            call()
    assert erbium.growth_params().dopants == (("Yb", 0.2), ("Er", 0.02))
    assert "Er" in erbium.atoms().get_chemical_symbols()
    # optically inert substitutes are left to the host
    lutetium = SMALL.with_(dopants={"Yb": 0.3, "Tm": 0.01, "Lu": 0.3})
    assert lutetium.transfer_params() == SMALL.transfer_params()


# --- saving and showing a design ----------------------------------------------------------


def test_to_dict_from_dict_and_json_round_trip(tmp_path):
    hs = Heterostructure(core="alpha-NaYF4", core_diameter_nm=4.9, dopants={"Yb": 0.25},
                         shell="CsPbCl3", shell_edge_nm=10.4, temperature_c=210.0,
                         core_mass_g=0.3)
    values = hs.to_dict()
    assert values["dopants"] == {"Yb": 0.25}
    assert json.loads(json.dumps(values)) == values
    assert Heterostructure.from_dict(values) == hs
    assert Heterostructure.from_json(hs.to_json()) == hs
    path = tmp_path / "design.json"
    hs.to_json(path)
    assert Heterostructure.from_json(str(path)) == hs
    with pytest.raises(ValueError, match=r"\['colour'\] are not fields of Heterostructure"):
        Heterostructure.from_dict({**values, "colour": "green"})
    with pytest.raises(ValueError, match="not a Heterostructure"):
        Heterostructure.from_json(json.dumps({"type": "GrowthResult", "fields": {}}))


@settings(max_examples=40, deadline=None)
@given(diameter=st.floats(1.0, 30.0), spread=st.floats(0.0, 5.0), yb=st.floats(0.0, 0.8),
       tm=st.floats(0.0, 0.2), extra=st.floats(0.01, 10.0), temperature=st.floats(120.0, 300.0),
       shell=st.sampled_from(module.SHELLS), core=st.sampled_from(FLUORIDES))
def test_every_valid_design_round_trips_and_maps(diameter, spread, yb, tm, extra, temperature,
                                                 shell, core):
    edge = min(40.0, diameter + extra)
    if edge <= diameter:
        return
    hs = Heterostructure(core=core, core_diameter_nm=diameter, core_diameter_sd_nm=spread,
                         dopants={"Yb": yb, "Tm": tm}, shell=shell, shell_edge_nm=edge,
                         temperature_c=temperature)
    assert Heterostructure.from_json(hs.to_json()) == hs
    assert eval(repr(hs), {"Heterostructure": Heterostructure}) == hs
    assert hs.growth_params().core_diameter_nm == diameter
    assert hs.transfer_params().perovskite_edge_nm == edge
    assert hs.anneal_params().yb_fraction == yb


def test_repr_reads_like_a_design_and_str_like_a_formula():
    hs = Heterostructure(core_mass_g=0.3)
    assert repr(hs) == (
        "Heterostructure(core='beta-NaGdF4', core_diameter_nm=7.1, core_diameter_sd_nm=0.4, "
        "dopants={'Yb': 0.3, 'Tm': 0.01}, shell='CsPbBr3', shell_edge_nm=16.7, "
        "temperature_c=220.0, core_mass_g=0.3)")
    assert str(hs) == ("beta-NaGdF4:Yb0.3,Tm0.01 (7.1 ± 0.4 nm) @ CsPbBr3 (16.7 nm cube), "
                       "220 °C")
