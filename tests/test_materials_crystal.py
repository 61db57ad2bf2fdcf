import dataclasses

import numpy as np
import pytest
from ase.data import atomic_numbers

from lnhet_widgets.core.crystal import (
    bulk,
    get_material,
    list_materials,
    load_cif,
    re_site_mask,
    register_material,
    shannon_radius,
    unit_cell,
)


def test_p1_lattice_constants_and_literature_alternatives():
    expected = {"CsPbCl3": 5.68, "CsPbBr3": 5.95, "CsPbI3": 6.28, "alpha-NaYF4": 5.52,
                "beta-NaGdF4": 6.02, "beta-NaYF4": 5.96}
    for key, a in expected.items():
        assert get_material(key).a_angstrom == a
    assert get_material("beta-NaGdF4").c_angstrom == 3.60
    assert get_material("CsPbBr3", lattice="literature").a_angstrom == 5.874
    assert get_material("beta-NaYF4", lattice="literature").c_angstrom == 3.5297


def test_estimates_are_marked_and_moduli_are_consistent():
    br = get_material("CsPbBr3")
    assert br.young_gpa == pytest.approx(15.8, rel=1e-9)
    assert br.shear_gpa == pytest.approx(5.9, abs=0.05)
    assert br.poisson == pytest.approx(0.33, abs=0.01)
    for key in ("alpha-NaYF4", "beta-NaGdF4"):
        assert {"bulk_gpa", "shear_gpa", "thermal_expansion_per_k"} <= set(
            get_material(key).estimates)


def test_unknown_material_lists_known_keys():
    with pytest.raises(ValueError, match="CsPbBr3"):
        get_material("CsPbF3")
    with pytest.raises(ValueError, match="lattice"):
        get_material("CsPbBr3", lattice="p2")


def test_register_material_and_validation():
    custom = dataclasses.replace(get_material("CsPbBr3"), key="CsPbBr3-custom", a_angstrom=5.9)
    register_material(custom, overwrite=True)
    assert "CsPbBr3-custom" in list_materials()
    with pytest.raises(ValueError, match="exists"):
        register_material(custom)
    with pytest.raises(ValueError, match="a_angstrom"):
        dataclasses.replace(custom, a_angstrom=-1.0)


def test_shannon_radius():
    assert shannon_radius("Cs", 12) == 1.88
    with pytest.raises(ValueError, match="known coordinations for Cs"):
        shannon_radius("Cs", 7)


def test_perovskite_cell_sites():
    atoms, labels = unit_cell("CsPbBr3")
    frac = atoms.get_scaled_positions()
    assert labels == ["Pb", "Cs", "X", "X", "X"]
    np.testing.assert_allclose(frac[1], [0.5, 0.5, 0.5])
    assert atoms.cell.cellpar()[0] == pytest.approx(5.95)


@pytest.mark.parametrize("reps", [(1, 1, 1), (3, 2, 5)])
def test_beta_phase_stoichiometry_is_exact(reps):
    atoms = bulk("beta-NaGdF4", supercell=reps, seed=4)
    n_cells = np.prod(reps)
    counts = np.bincount(atoms.numbers, minlength=100)
    assert counts[atomic_numbers["F"]] == 6 * n_cells
    # Z = 1.5: 1.5 RE and 1.5 Na per cell, up to the rounding of the 1f half-occupancy.
    assert counts[atomic_numbers["Gd"]] + counts[atomic_numbers["Na"]] == 3 * n_cells
    assert abs(counts[atomic_numbers["Gd"]] - 1.5 * n_cells) <= 0.5


def test_beta_2h_pairs_never_doubly_occupied():
    atoms = bulk("beta-NaGdF4", supercell=(4, 4, 4), seed=2)
    na = atoms[atoms.arrays["site"] == "NA2H"]
    assert len(na) == 64
    d = na.get_all_distances(mic=True)
    assert d[np.triu_indices(len(na), 1)].min() > 1.0


def test_dopants_exact_counts_and_seed():
    a = bulk("beta-NaGdF4", dopants={"Yb": 0.3, "Tm": 0.01}, supercell=(5, 5, 5), seed=7)
    n_re = int(re_site_mask(a).sum())
    symbols = np.array(a.get_chemical_symbols())
    assert (symbols == "Yb").sum() == round(0.3 * n_re)
    assert (symbols == "Tm").sum() == round(0.01 * n_re)
    b = bulk("beta-NaGdF4", dopants={"Yb": 0.3, "Tm": 0.01}, supercell=(5, 5, 5), seed=7)
    c = bulk("beta-NaGdF4", dopants={"Yb": 0.3, "Tm": 0.01}, supercell=(5, 5, 5), seed=8)
    assert (a.numbers == b.numbers).all()
    assert (a.numbers != c.numbers).any()


def test_fluorite_half_na_half_re():
    atoms = bulk("alpha-NaYF4", supercell=(3, 3, 3))
    assert atoms.get_chemical_formula() == "F216Na54Y54"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dopants": {"Yb": 1.5}}, "fraction of Yb"),
        ({"dopants": {"Pb": 0.1}}, "not an RE-site dopant"),
        ({"dopants": {"Yb": 0.6, "Tm": 0.6}}, "add up"),
        ({"supercell": (0, 1, 1)}, "supercell"),
    ],
)
def test_bulk_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bulk("beta-NaGdF4", **kwargs)


def test_perovskite_takes_no_dopants():
    with pytest.raises(ValueError, match="perovskites take none"):
        bulk("CsPbBr3", dopants={"Yb": 0.1})


def test_cif_round_trip_and_errors(tmp_path):
    path = tmp_path / "nayf4.cif"
    bulk("alpha-NaYF4").write(path)
    loaded = load_cif(path)
    assert loaded.get_chemical_formula() == "F8Na2Y2"
    with pytest.raises(ValueError, match="does not exist"):
        load_cif(tmp_path / "missing.cif")
    bad = tmp_path / "bad.cif"
    bad.write_text("data_x\n_cell_length_a oops\n")
    with pytest.raises(ValueError, match=r"bad\.cif"):
        load_cif(bad)
