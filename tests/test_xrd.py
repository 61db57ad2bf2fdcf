"""Powder XRD: structure-factor patterns, the Debye equation, its numba kernels, validation."""

from __future__ import annotations

import io

import ase.io
import numpy as np
import pytest
from ase import Atoms
from ase.cluster import Octahedron
from ase.spacegroup import crystal
from ase.utils.xrdebye import XrDebye
from ase.utils.xrdebye import waasmaier as ase_waasmaier

from lnhet_widgets.core.crystal import (
    Reflections,
    atomic_form_factor,
    bulk,
    debye_pattern,
    load_cif,
    powder_pattern,
    reflections,
)
from lnhet_widgets.core.crystal._debye_kernel import (
    pair_histogram,
    pair_histogram_reference,
    pair_index_matrix,
    pair_sinc_sums,
)
from lnhet_widgets.core.crystal._form_factors import WAASMAIER_KIRFEL

CU_KA = 1.5406


def bragg_two_theta(d_a, wavelength_a=CU_KA):
    return 2 * np.degrees(np.arcsin(wavelength_a / (2 * d_a)))


def cubic_d(a, hkl):
    return a / np.sqrt(np.sum(np.square(hkl)))


def hexagonal_d(a, c, hkl):
    h, k, l = hkl  # noqa: E741
    return 1 / np.sqrt(4 / 3 * (h * h + h * k + k * k) / a**2 + l * l / c**2)


def local_maximum_near(two_theta, y, centre, window=0.3):
    """2θ of the highest point within ±window of centre, refined by a parabola."""
    inside = np.flatnonzero(np.abs(two_theta - centre) <= window)
    i = inside[np.argmax(y[inside])]
    a, b, _ = np.polyfit(two_theta[i - 2 : i + 3], y[i - 2 : i + 3], 2)
    return -b / (2 * a)


def finite(atoms):
    atoms = atoms.copy()
    atoms.pbc = False
    return atoms


def line(refl, label):
    return refl.labels().index(label)


# ----------------------------------------------------------------- form factors


def test_form_factor_table_covers_the_project_elements_and_starts_at_z():
    for symbol, z in {"Cs": 55, "Pb": 82, "Cl": 17, "Br": 35, "I": 53, "F": 9, "Na": 11,
                      "Y": 39, "Gd": 64, "Yb": 70, "Tm": 69, "Er": 68, "Lu": 71}.items():
        assert atomic_form_factor(symbol, 0.0) == pytest.approx(z, abs=0.05)
    assert len(WAASMAIER_KIRFEL) == 98


def test_form_factors_agree_with_ases_copy_of_the_same_table():
    # ASE's short table has two typos: Cu's c (−3.774477 for −3.254477, so f0(0) = 28.5) and
    # O's a2 (2.5088111 for 2.508818).
    s = np.linspace(0, 2, 41)
    for symbol, abc in ase_waasmaier.items():
        if symbol in ("Cu", "O"):
            continue
        f_ase = abc[10] + sum(abc[2 * i] * np.exp(-abc[2 * i + 1] * s**2) for i in range(5))
        np.testing.assert_allclose(atomic_form_factor(symbol, s), f_ase, atol=1e-5)


# ----------------------------------------------------------- structure factors


def test_cspbbr3_peaks_sit_at_the_bragg_angles_of_p1_lattice():
    a = 5.95  # P1's lattice constant, the default of the database
    two_theta, y = powder_pattern("CsPbBr3", np.arange(10, 80, 0.01), wavelength_a=CU_KA)
    refl = reflections("CsPbBr3", wavelength_a=CU_KA, two_theta_max_deg=80)
    for hkl in [(1, 0, 0), (1, 1, 0), (2, 0, 0)]:
        expected = bragg_two_theta(cubic_d(a, hkl))
        assert local_maximum_near(two_theta, y, expected) == pytest.approx(expected, abs=0.05)
        i = line(refl, "({}{}{})".format(*hkl))
        assert refl.two_theta_deg[i] == pytest.approx(expected, abs=1e-6)
        assert refl.d_a[i] == pytest.approx(cubic_d(a, hkl), rel=1e-9)
    assert refl.multiplicity[:4].tolist() == [6, 12, 8, 6]


def test_cspbbr3_relative_intensities_match_the_cubic_reference_pattern():
    # Checked against the calculated pattern of cubic Pm-3m CsPbBr3 (e.g. PDF 54-0752):
    # (110) and (200) are the two strongest lines, (220) comes next, (100) and (211) are
    # medium, (111) and (210) weak.
    refl = reflections("CsPbBr3", two_theta_max_deg=60)
    by_label = dict(zip(refl.labels(), refl.intensity, strict=True))
    strongest = [refl.labels()[i] for i in np.argsort(refl.intensity)[::-1][:3]]
    assert set(strongest[:2]) == {"(110)", "(200)"}
    assert strongest[2] == "(220)"
    assert min(by_label["(110)"], by_label["(200)"]) > 80
    assert 20 < by_label["(100)"] < 60
    assert 25 < by_label["(211)"] < 60
    assert by_label["(111)"] < 30 and by_label["(210)"] < 30


def test_beta_nagdf4_strong_hexagonal_lines_at_the_right_angles():
    a, c = 6.02, 3.60
    two_theta, y = powder_pattern("beta-NaGdF4", np.arange(10, 80, 0.01))
    refl = reflections("beta-NaGdF4", two_theta_max_deg=80)
    top5 = {refl.labels()[i] for i in np.argsort(refl.intensity)[::-1][:5]}
    for hkl in [(1, 1, 0), (1, 0, 1), (2, 0, 1)]:
        label = "({}{}{})".format(*hkl)
        expected = bragg_two_theta(hexagonal_d(a, c, hkl))
        assert refl.two_theta_deg[line(refl, label)] == pytest.approx(expected, abs=1e-6)
        assert refl.intensity[line(refl, label)] > 50
        assert label in top5
        assert local_maximum_near(two_theta, y, expected, 0.15) == pytest.approx(expected,
                                                                                 abs=0.05)


def test_random_supercell_from_bulk_gives_the_average_structure_pattern():
    average = reflections("alpha-NaYF4", two_theta_max_deg=70)
    supercell = reflections(bulk("alpha-NaYF4", supercell=(3, 3, 3), seed=4),
                            two_theta_max_deg=70)
    # Same lines (indexed on the supercell: parent (111) is (333)/(511)), no disorder lines.
    np.testing.assert_allclose(supercell.d_a, average.d_a, rtol=1e-9)
    np.testing.assert_allclose(supercell.intensity, average.intensity, rtol=1e-9)
    # Taken literally, the same supercell shows the scattering of its random Na/Y disorder.
    literal = bulk("alpha-NaYF4", supercell=(3, 3, 3), seed=4)
    del literal.arrays["site"]
    assert len(reflections(literal, two_theta_max_deg=70)) > 3 * len(average)


def test_doped_beta_supercell_matches_the_doped_average_cell():
    dopants = {"Yb": 0.3, "Tm": 0.01}
    average = reflections("beta-NaGdF4", dopants=dopants, two_theta_max_deg=60)
    supercell = reflections(bulk("beta-NaGdF4", dopants=dopants, supercell=(4, 4, 4), seed=2),
                            two_theta_max_deg=60)
    strong = supercell.intensity > 1.0
    # Only the random choice of one 2h position per cell remains: Na, 0.6 Å apart.
    np.testing.assert_allclose(supercell.d_a[strong], average.d_a, rtol=1e-9)
    np.testing.assert_allclose(supercell.intensity[strong], average.intensity, atol=1.0)


def test_partial_occupancies_from_a_cif_match_the_database_key():
    atoms = crystal(
        ["Gd", "Gd", "Na", "Na", "F", "F"],
        basis=[(0, 0, 0), (2 / 3, 1 / 3, 0.5), (2 / 3, 1 / 3, 0.5), (1 / 3, 2 / 3, 0.58),
               (0.64, 0.06, 0), (0.72, 0.77, 0.5)],
        occupancies=[1, 0.5, 0.5, 0.5, 1, 1],
        spacegroup=174, cellpar=[6.02, 6.02, 3.60, 90, 90, 120], onduplicates="keep",
    )
    buffer = io.BytesIO()
    ase.io.write(buffer, atoms, format="cif")
    from_cif = reflections(load_cif(buffer.getvalue()))
    from_key = reflections("beta-NaGdF4")
    assert from_cif.labels() == from_key.labels()
    np.testing.assert_allclose(from_cif.intensity, from_key.intensity, atol=1e-9)


def test_dopants_change_the_re_scattering_of_the_average_cell():
    plain = reflections("beta-NaGdF4")
    doped = reflections("beta-NaGdF4", dopants={"Yb": 0.3, "Tm": 0.01})
    assert doped.labels() == plain.labels()
    np.testing.assert_allclose(doped.d_a, plain.d_a)
    assert not np.allclose(doped.intensity, plain.intensity, atol=0.1)


def test_reflections_round_trip_through_json_and_csv(tmp_path):
    refl = reflections("CsPbCl3", two_theta_max_deg=50)
    back = Reflections.from_json(refl.to_json())
    assert back.labels() == refl.labels()
    np.testing.assert_allclose(back.intensity, refl.intensity)
    text = refl.to_csv(tmp_path / "lines.csv")
    assert (tmp_path / "lines.csv").read_text() == text
    assert text.splitlines()[1].startswith("1,0,0,5.680000,")


def test_pattern_without_lines_in_range_is_zero():
    two_theta, y = powder_pattern("CsPbBr3", np.linspace(1, 5, 50))
    assert two_theta.shape == y.shape == (50,)
    assert not y.any()


# ----------------------------------------------------------------- numba kernels


@pytest.mark.parametrize("n_atoms, n_species, seed", [(2, 1, 0), (57, 3, 1), (400, 5, 2)])
def test_numba_histogram_equals_numpy_reference(n_atoms, n_species, seed):
    rng = np.random.default_rng(seed)
    positions = rng.uniform(0, 12, (n_atoms, 3))
    species = rng.integers(0, n_species, n_atoms)
    index = pair_index_matrix(n_species)
    n_bins = int(12 * np.sqrt(3) / 0.01) + 2
    counts, offsets = pair_histogram(positions, species, index, 100.0, n_bins)
    ref_counts, ref_offsets = pair_histogram_reference(positions, species, index, 100.0, n_bins,
                                                       rows_per_chunk=37)
    assert counts.dtype == ref_counts.dtype == np.int64
    np.testing.assert_array_equal(counts, ref_counts)
    np.testing.assert_allclose(offsets, ref_offsets, atol=1e-9)
    assert counts.sum() == n_atoms * (n_atoms - 1) // 2


def test_numba_histogram_equals_reference_on_a_lattice_with_distances_on_bin_edges():
    atoms = bulk("CsPbBr3", supercell=(3, 3, 3))  # a = 5.95 Å: many distances k δ exactly
    species = np.unique(atoms.get_chemical_symbols(), return_inverse=True)[1]
    index = pair_index_matrix(3)
    args = (atoms.positions, species, index, 100.0, 3200)
    np.testing.assert_array_equal(pair_histogram(*args)[0], pair_histogram_reference(*args)[0])


def test_debye_pattern_equals_the_exact_pair_sum():
    rng = np.random.default_rng(7)
    symbols = rng.choice(["Cs", "Pb", "Br", "F"], 60)
    atoms = Atoms(symbols, positions=rng.uniform(0, 9, (60, 3)))
    two_theta = np.linspace(5, 120, 60)
    theta = np.radians(two_theta) / 2
    q = 4 * np.pi * np.sin(theta) / CU_KA
    f = np.array([atomic_form_factor(s, q / (4 * np.pi)) for s in symbols])  # (N, n_q)
    r = np.linalg.norm(atoms.positions[:, None] - atoms.positions[None], axis=-1)
    qr = q[None, None, :] * r[:, :, None]
    sinc = np.where(qr > 0, np.sin(qr) / np.where(qr > 0, qr, 1), 1.0)
    exact = np.einsum("iq,jq,ijq->q", f, f, sinc)
    ours = debye_pattern(atoms, two_theta, damping_a2=0, angular_factor=None)
    np.testing.assert_allclose(ours, exact, rtol=0, atol=1e-4 * exact.max())


def test_pair_sinc_sums_of_one_pair():
    counts, offsets = pair_histogram(np.array([[0, 0, 0], [1.234567, 2.0, -0.5]]),
                                     np.array([0, 0]), pair_index_matrix(1), 100.0, 300)
    q = np.linspace(0.5, 8, 40)
    r = np.sqrt(1.234567**2 + 4 + 0.25)
    sums = pair_sinc_sums(q, 0.01, counts, offsets)[:, 0]
    np.testing.assert_allclose(sums, np.sin(q * r) / (q * r), atol=(8 * 0.01) ** 2 / 24)


# ---------------------------------------------------------------- Debye vs ASE


def test_debye_pattern_agrees_with_ase_xrdebye_on_a_3nm_cspbbr3_cube():
    # ASE's XrDebye with method=None: f = Z, intensity × exp(−damping s²/2), s = 2 sin θ/λ,
    # no angular factor; the same as form_factors="z", angular_factor=None here.
    cube = finite(bulk("CsPbBr3", supercell=(5, 5, 5)))  # 625 atoms, 3.0 nm
    two_theta = np.arange(10, 80, 1.0)
    ase_y = XrDebye(cube, wavelength=CU_KA, damping=0.04, method=None).calc_pattern(two_theta)
    ours = debye_pattern(cube, two_theta, damping_a2=0.04, form_factors="z", angular_factor=None)
    np.testing.assert_allclose(ours / ours.max(), ase_y / ase_y.max(), rtol=0, atol=1e-3)
    np.testing.assert_allclose(ours, ase_y, rtol=2e-3)


def test_debye_pattern_matches_ase_iwasa_once_ase_evaluates_f0_at_sin_theta_over_lambda():
    cluster = Octahedron("Au", 5)  # Au is in ASE's own Waasmaier–Kirfel table
    two_theta = np.arange(20, 90, 2.0)
    ours = debye_pattern(cluster, two_theta, damping_a2=0.04, angular_factor="ase-iwasa")
    xrd = XrDebye(cluster, wavelength=CU_KA, damping=0.04, method="Iwasa")
    as_shipped = xrd.calc_pattern(two_theta)
    # ASE passes s = 2 sin θ/λ to a fit made for sin θ/λ; halve it and the two agree.
    original = XrDebye.get_waasmaier
    xrd.get_waasmaier = lambda symbol, s: original(xrd, symbol, s / 2)
    corrected = xrd.calc_pattern(two_theta)
    np.testing.assert_allclose(ours, corrected, rtol=2e-3)
    assert np.max(np.abs(as_shipped / ours - 1)) > 0.05


# --------------------------------------------------------- size and Bragg limit


def _peak_position_and_fwhm(two_theta, y, centre):
    inside = np.flatnonzero(np.abs(two_theta - centre) < 3)
    i = inside[np.argmax(y[inside])]
    half = y[i] / 2
    left = i - np.argmax(y[i::-1] < half)
    right = i + np.argmax(y[i:] < half)
    x_left = np.interp(half, [y[left], y[left + 1]], two_theta[left : left + 2])
    x_right = np.interp(half, [y[right], y[right - 1]], [two_theta[right], two_theta[right - 1]])
    return local_maximum_near(two_theta, y, two_theta[i], 0.05), x_right - x_left


def test_debye_peaks_narrow_with_size_and_approach_the_bragg_angle():
    bragg = bragg_two_theta(cubic_d(5.95, (2, 0, 0)))
    two_theta = np.arange(24, 36, 0.005)
    results = {}
    for cells in (4, 8, 14):  # cubes of 2.4, 4.8 and 8.3 nm
        y = debye_pattern(finite(bulk("CsPbBr3", supercell=(cells,) * 3)), two_theta)
        results[cells] = _peak_position_and_fwhm(two_theta, y, bragg)
    positions = {n: p for n, (p, _) in results.items()}
    widths = {n: w for n, (_, w) in results.items()}
    assert widths[4] > widths[8] > widths[14]
    assert abs(positions[14] - bragg) < 0.02
    assert abs(positions[14] - bragg) < abs(positions[4] - bragg)
    # Scherrer: FWHM = K λ / (L cos θ), K ≈ 0.9 for a cube on (200).
    for cells in (8, 14):
        k = np.radians(widths[cells]) * cells * 5.95 * np.cos(np.radians(bragg / 2)) / CU_KA
        assert 0.8 < k < 1.0


def test_debye_intensities_of_a_large_crystal_match_the_structure_factor_pattern():
    crystal_8nm = finite(bulk("CsPbBr3", supercell=(14, 14, 14)))
    step = 0.01
    two_theta = np.arange(12, 46, step)
    y = debye_pattern(crystal_8nm, two_theta)
    refl = reflections("CsPbBr3", two_theta_max_deg=46)

    def area(label):
        window = np.abs(two_theta - refl.two_theta_deg[line(refl, label)]) < 0.9
        return y[window].sum() * step

    for label in ("(100)", "(110)", "(211)", "(220)"):
        debye_ratio = area(label) / area("(200)")
        bragg_ratio = refl.intensity[line(refl, label)] / refl.intensity[line(refl, "(200)")]
        assert debye_ratio == pytest.approx(bragg_ratio, rel=0.15)


# ------------------------------------------------------------------- validation


@pytest.mark.parametrize("wavelength", [0.1, 0.0, 5.01, float("nan"), "Cu"])
def test_bad_wavelength_names_field_unit_and_range(wavelength):
    for call in (lambda: powder_pattern("CsPbBr3", [20.0], wavelength_a=wavelength),
                 lambda: reflections("CsPbBr3", wavelength_a=wavelength),
                 lambda: debye_pattern(bulk("CsPbBr3"), [20.0], wavelength_a=wavelength)):
        with pytest.raises(ValueError, match="wavelength_a") as err:
            call()
        assert "Å" in str(err.value)
        if not isinstance(wavelength, str):
            assert "(0.1, 5]" in str(err.value)


@pytest.mark.parametrize("angles", [[0.0, 20.0], [20.0, 180.0], [-5.0], [10.0, np.nan], [], "x"])
def test_bad_two_theta_names_field(angles):
    with pytest.raises(ValueError, match="two_theta_deg"):
        powder_pattern("CsPbBr3", angles)
    with pytest.raises(ValueError, match="two_theta_deg"):
        debye_pattern(bulk("CsPbBr3"), angles)


def test_out_of_range_angle_message_states_unit_and_range():
    with pytest.raises(ValueError, match=r"two_theta_deg = 190.0 ° .*\(0, 180\) °"):
        powder_pattern("CsPbBr3", [20.0, 190.0])
    with pytest.raises(ValueError, match="two_theta_max_deg"):
        reflections("CsPbBr3", two_theta_max_deg=180)


def test_empty_or_unsuitable_structures_are_refused():
    with pytest.raises(ValueError, match=r"len\(atoms\) = 0 atoms .*\[1, 1e\+06\]"):
        debye_pattern(Atoms(), [20.0])
    with pytest.raises(ValueError, match="len\\(atoms\\)"):
        powder_pattern(Atoms(cell=[5, 5, 5], pbc=True), [20.0])
    with pytest.raises(ValueError, match="periodic"):
        powder_pattern(finite(bulk("CsPbBr3")), [20.0])
    with pytest.raises(ValueError, match="key_or_atoms"):
        powder_pattern(42, [20.0])
    with pytest.raises(ValueError, match="no X-ray form factor for element 'X'"):
        debye_pattern(Atoms("XCs", positions=[(0, 0, 0), (0, 0, 3)]), [20.0])
    with pytest.raises(ValueError, match="unknown material"):
        reflections("CsSnBr3")
    with pytest.raises(ValueError, match="dopants"):
        reflections("CsPbBr3", dopants={"Yb": 0.1})
    with pytest.raises(ValueError, match="too large"):
        reflections(bulk("CsPbBr3", supercell=(12, 12, 12)))


@pytest.mark.parametrize("kwargs, field", [
    ({"fwhm_deg": 0.0}, "fwhm_deg"),
    ({"damping_a2": -1.0}, "damping_a2"),
    ({"lorentzian_fraction": 1.5}, "lorentzian_fraction"),
])
def test_bad_profile_parameters_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        powder_pattern("CsPbBr3", [20.0], **kwargs)


@pytest.mark.parametrize("kwargs, field", [
    ({"bin_width_a": 0.0}, "bin_width_a"),
    ({"bin_width_a": 0.5}, "bin_width_a"),
    ({"form_factors": "cromer"}, "form_factors"),
    ({"angular_factor": "lorentz"}, "angular_factor"),
])
def test_bad_debye_parameters_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        debye_pattern(finite(bulk("CsPbBr3")), [20.0], **kwargs)
