"""Bragg spacings, peak fits, lattice constants and Scherrer sizes on patterns with known
answers."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lnhet_widgets.core.analysis import (
    LatticeFit,
    XrdPeaks,
    bragg_d_spacing,
    find_xrd_peaks,
    index_cubic,
    lattice_constant,
    scherrer_size,
)
from lnhet_widgets.core.crystal import (
    bulk,
    debye_pattern,
    get_material,
    powder_pattern,
    reflections,
)

CU_KA = 1.5406
GRID = np.arange(10.0, 80.0, 0.02)
LN2 = np.log(2.0)


def gaussian(x, centre, fwhm, height=1.0):
    return height * np.exp(-4 * LN2 * ((x - centre) / fwhm) ** 2)


def lorentzian(x, centre, fwhm, height=1.0):
    return height / (1 + (2 * (x - centre) / fwhm) ** 2)


def two_theta(d_a, wavelength_a=CU_KA):
    return 2 * np.degrees(np.arcsin(wavelength_a / (2 * d_a)))


def index_peaks(peaks, refl, tolerance_deg=0.1, isolation_deg=0.5):
    """Match each peak to the one reflection within tolerance that has no neighbour within
    isolation (blended lines cannot be indexed from one position)."""
    kept, hkl = [], []
    for i, centre in enumerate(peaks.two_theta_deg):
        distance = np.abs(refl.two_theta_deg - centre)
        nearest = int(np.argmin(distance))
        others = np.delete(distance, nearest)
        if distance[nearest] < tolerance_deg and (others.size == 0 or others.min() > isolation_deg):
            kept.append(i)
            hkl.append(refl.hkl[nearest])
    return np.array(kept), np.array(hkl)


def fit_material(key, lattice="p1", *, noise_seed=None):
    material = get_material(key, lattice=lattice)
    system = "cubic" if material.is_cubic else "hexagonal"
    tt, y = powder_pattern(key, GRID, lattice=lattice)
    if noise_seed is not None:  # counting statistics: 50 counts per unit on a flat background
        y = np.random.default_rng(noise_seed).poisson(50 * y + 200).astype(float)
    peaks = find_xrd_peaks(tt, y)
    kept, hkl = index_peaks(peaks, reflections(key, lattice=lattice))
    fit = lattice_constant(peaks.two_theta_deg[kept], hkl, system=system,
                           two_theta_err_deg=peaks.two_theta_err_deg[kept])
    return material, peaks, hkl, fit


# ---------------------------------------------------------------------------------- Bragg


def test_bragg_d_spacing_is_the_inverse_of_the_reflections_angles():
    refl = reflections("CsPbBr3")
    assert bragg_d_spacing(refl.two_theta_deg) == pytest.approx(refl.d_a, rel=1e-12)
    assert isinstance(bragg_d_spacing(30.0), float)
    assert bragg_d_spacing([[20.0, 30.0]]).shape == (1, 2)
    # d scales with λ: Mo Kα at the same angle gives a proportionally shorter spacing.
    assert bragg_d_spacing(30.0, wavelength_a=0.7107) == pytest.approx(
        bragg_d_spacing(30.0) * 0.7107 / CU_KA)


@pytest.mark.parametrize("bad", [0.0, 180.0, -5.0, np.nan, [20.0, 200.0]])
def test_bragg_rejects_angles_outside_the_open_range(bad):
    with pytest.raises(ValueError, match=r"two_theta_deg.*°.*\(0, 180\)"):
        bragg_d_spacing(bad)


def test_bragg_rejects_a_bad_wavelength():
    with pytest.raises(ValueError, match="wavelength_a"):
        bragg_d_spacing(30.0, wavelength_a=0.0)


@given(st.floats(min_value=1.0, max_value=20.0))
@settings(max_examples=50, deadline=None)
def test_bragg_round_trip(d_a):
    assert bragg_d_spacing(two_theta(d_a)) == pytest.approx(d_a, rel=1e-10)


# ------------------------------------------------------------------------------ peak search


def test_peaks_of_the_cspbbr3_pattern_are_indexed_in_order():
    material, peaks, hkl, _ = fit_material("CsPbBr3")
    labels = ["".join(str(i) for i in row) for row in hkl[:6]]
    assert labels == ["100", "110", "111", "200", "210", "211"]
    assert peaks.fwhm_deg == pytest.approx(0.15, rel=1e-3)  # powder_pattern's line width
    assert peaks.lorentzian_fraction == pytest.approx(0.5, abs=1e-2)  # and its mixing
    assert peaks.d_spacing_a[0] == pytest.approx(material.a_angstrom, abs=1e-4)


@pytest.mark.parametrize("lattice", ["p1", "literature"])
def test_cubic_lattice_constant_of_cspbbr3(lattice):
    material, _, hkl, fit = fit_material("CsPbBr3", lattice)
    assert len(hkl) >= 10
    assert fit.a_a == pytest.approx(material.a_angstrom, abs=0.005)
    assert fit.c_a == fit.a_a
    assert np.abs(fit.residual_deg).max() < 0.01


def test_hexagonal_lattice_constants_of_beta_nagdf4():
    material, _, hkl, fit = fit_material("beta-NaGdF4")
    assert len(hkl) >= 8 and (hkl[:, 2] != 0).any()
    assert fit.a_a == pytest.approx(material.a_angstrom, abs=0.005)
    assert fit.c_a == pytest.approx(material.c_angstrom, abs=0.005)
    assert fit.system == "hexagonal"


@pytest.mark.parametrize("key", ["CsPbBr3", "beta-NaGdF4"])
@pytest.mark.parametrize("seed", [1, 2])
def test_lattice_constants_survive_counting_noise(key, seed):
    material, _, hkl, fit = fit_material(key, noise_seed=seed)
    assert len(hkl) >= 8
    assert fit.a_a == pytest.approx(material.a_angstrom, abs=0.005)
    assert fit.c_a == pytest.approx(material.c_angstrom, abs=0.005)
    # The stated error is honest: the truth lies within 4 of them.
    assert abs(fit.a_a - material.a_angstrom) < 4 * fit.a_err_a
    assert 0 < fit.a_err_a < 0.005


def test_position_errors_match_the_scatter_over_noise_realisations():
    x = np.arange(25.0, 35.0, 0.02)
    pulls = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        y = gaussian(x, 30.0, 0.4, 100.0) + 10.0 + rng.normal(0.0, 2.0, x.size)
        peaks = find_xrd_peaks(x, y, min_prominence=0.3, profile="gaussian")
        assert len(peaks) == 1
        pulls.append((peaks.two_theta_deg[0] - 30.0) / peaks.two_theta_err_deg[0])
    assert 0.6 < np.std(pulls) < 1.5
    assert abs(np.mean(pulls)) < 0.6


def test_gaussian_and_lorentzian_shapes_are_recognised():
    x = np.arange(20.0, 40.0, 0.01)
    y = gaussian(x, 25.0, 0.3, 50.0) + lorentzian(x, 33.0, 0.5, 80.0) + 5.0 + 0.1 * x
    peaks = find_xrd_peaks(x, y)
    assert peaks.two_theta_deg == pytest.approx([25.0, 33.0], abs=1e-3)
    assert peaks.fwhm_deg == pytest.approx([0.3, 0.5], rel=0.02)
    assert peaks.lorentzian_fraction[0] < 0.05 and peaks.lorentzian_fraction[1] > 0.9
    assert peaks.height == pytest.approx([50.0, 80.0], rel=0.03)
    # The fitted shapes reproduce the pattern above its linear background.
    assert peaks.profile(x) == pytest.approx(y - 5.0 - 0.1 * x, abs=1.5)


def test_neighbouring_peaks_limits():
    x = np.arange(20.0, 40.0, 0.01)
    fwhm = 0.3
    apart = gaussian(x, 29.55, fwhm) + gaussian(x, 30.45, fwhm)  # 3 FWHM apart
    peaks = find_xrd_peaks(x, apart)
    assert peaks.two_theta_deg == pytest.approx([29.55, 30.45], abs=0.1 * fwhm)
    blended = gaussian(x, 29.9, fwhm) + gaussian(x, 30.1, fwhm)  # 2/3 FWHM: one peak
    peaks = find_xrd_peaks(x, blended)
    assert len(peaks) == 1 and peaks.fwhm_deg[0] > 1.3 * fwhm


def test_window_and_empty_pattern():
    x = np.arange(20.0, 40.0, 0.02)
    y = gaussian(x, 30.0, 0.5)
    assert find_xrd_peaks(x, y, window_deg=3.0).two_theta_deg == pytest.approx([30.0])
    assert len(find_xrd_peaks(x, np.ones_like(x))) == 0
    reverse = find_xrd_peaks(x[::-1], y[::-1])  # order of the input does not matter
    assert reverse.two_theta_deg == pytest.approx([30.0])


def test_too_few_points_for_an_error_give_nan_errors_not_a_warning():
    x = np.arange(20.0, 24.5, 0.5)  # 9 points, the peak near the start: a 6-point window
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        peaks = find_xrd_peaks(x, gaussian(x, 20.6, 0.4))
    assert peaks.two_theta_deg == pytest.approx([20.6], abs=1e-3)
    assert np.isnan(peaks.two_theta_err_deg[0]) and np.isnan(peaks.d_spacing_err_a[0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"intensity": np.ones(5)}, "same length"),
        ({"min_prominence": 0.0}, "min_prominence"),
        ({"window_deg": -1.0}, "window_deg"),
        ({"profile": "voigt"}, "profile"),
        ({"intensity": np.r_[np.ones(99), np.nan]}, r"intensity\[99\]"),
    ],
)
def test_find_peaks_rejects_bad_input(kwargs, match):
    args = {"two_theta_deg": np.linspace(20, 40, 100), "intensity": np.ones(100)} | kwargs
    with pytest.raises(ValueError, match=match):
        find_xrd_peaks(args.pop("two_theta_deg"), args.pop("intensity"), **args)


def test_results_round_trip_through_json():
    _, peaks, _, fit = fit_material("beta-NaGdF4")
    again = XrdPeaks.from_json(peaks.to_json())
    assert again.two_theta_deg == pytest.approx(peaks.two_theta_deg, rel=0, abs=0)
    fit_again = LatticeFit.from_json(fit.to_json())
    assert fit_again.a_a == fit.a_a and (fit_again.hkl == fit.hkl).all()
    assert "two_theta_deg" in peaks.to_csv().splitlines()[0]


# ------------------------------------------------------------------------ lattice constants


@given(st.floats(min_value=3.0, max_value=12.0),
       st.lists(st.tuples(*[st.integers(0, 4)] * 3).filter(any), min_size=2, max_size=8,
                unique=True))
@settings(max_examples=50, deadline=None)
def test_exact_cubic_positions_give_the_exact_cell(a, hkl):
    d = a / np.sqrt(np.sum(np.square(hkl), axis=1))
    angles = two_theta(d, 0.7107)  # Mo Kα, so that every reflection is below 180°
    fit = lattice_constant(angles, hkl, wavelength_a=0.7107)
    assert fit.a_a == pytest.approx(a, rel=1e-9)
    assert fit.residual_deg == pytest.approx(0.0, abs=1e-8)


def test_hexagonal_four_index_input_equals_three_index():
    a, c = 5.96, 3.53
    hkl = np.array([(1, 0, 0), (1, 1, 0), (1, 0, 1), (2, 0, 1), (0, 0, 2)])
    h, k, l = hkl.T  # noqa: E741
    d = 1 / np.sqrt(4 / 3 * (h * h + h * k + k * k) / a**2 + l * l / c**2)
    three = lattice_constant(two_theta(d), hkl, system="hexagonal")
    four = lattice_constant(two_theta(d), np.column_stack([h, k, -(h + k), l]),
                            system="hexagonal")
    assert (three.a_a, three.c_a) == pytest.approx((a, c), rel=1e-10)
    assert (four.a_a, four.c_a) == pytest.approx((three.a_a, three.c_a), rel=1e-12)


def test_lattice_errors_follow_the_position_errors():
    """With known Gaussian position errors, the stated σ(a) equals the scatter of a."""
    a, sigma_deg = 5.874, 0.01
    hkl = np.array([(1, 0, 0), (1, 1, 0), (2, 0, 0), (2, 1, 1), (2, 2, 0), (3, 1, 0)])
    exact = two_theta(a / np.sqrt((hkl**2).sum(axis=1)))
    rng = np.random.default_rng(3)
    fits = [lattice_constant(exact + rng.normal(0, sigma_deg, exact.size), hkl,
                             two_theta_err_deg=np.full(exact.size, sigma_deg))
            for _ in range(300)]
    values = np.array([f.a_a for f in fits])
    assert np.mean(values) == pytest.approx(a, abs=3 * values.std() / np.sqrt(values.size))
    # The Birge scaling only ever enlarges the error, so the median error is the plain one.
    assert np.median([f.a_err_a for f in fits]) == pytest.approx(values.std(), rel=0.2)
    assert np.median([f.reduced_chi2 for f in fits]) == pytest.approx(1.0, abs=0.3)
    unweighted = lattice_constant(exact + rng.normal(0, sigma_deg, exact.size), hkl)
    assert np.isnan(unweighted.reduced_chi2) and unweighted.a_err_a > 0


@pytest.mark.parametrize(
    ("angles", "hkl", "kwargs", "match"),
    [
        ([30.0], [(2, 0, 0)], {}, "at least 2 indexed peaks"),
        ([20.0, 30.0], [(1, 0, 0), (1, 1, 0)], {"system": "hexagonal"}, "at least 3"),
        ([20.0, 30.0], [(1, 0), (1, 1)], {}, r"shape \(n, 3\)"),
        ([20.0, 30.0], [(1, 0, 0, 0), (1, 1, 0, 0)], {}, r"shape \(n, 3\)"),
        ([20.0, 30.0], [(1, 0, 0)], {}, "one index per peak"),
        ([20.0, 30.0], [(1, 0, 0), (0, 0, 0)], {}, r"hkl\[1\] is \(0, 0, 0\)"),
        ([20.0, 30.0], [(1, 0, 0), (1.5, 0, 0)], {}, "integers"),
        ([20.0, 30.0, 40.0], [(1, 0, 0), (1, 1, 0), (2, 0, 0)], {"system": "hexagonal"},
         "l ≠ 0"),
        ([20.0, 30.0, 40.0], [(1, 0, 1, 0), (1, 1, -2, 0), (2, 0, -2, 1)],
         {"system": "hexagonal"}, r"hkl\[0\].*−\(h \+ k\)"),
        ([20.0, 30.0], [(1, 0, 0), (1, 1, 0)], {"system": "tetragonal"}, "system"),
        ([20.0, 190.0], [(1, 0, 0), (1, 1, 0)], {}, "two_theta_deg"),
        ([20.0, 30.0], [(1, 0, 0), (1, 1, 0)], {"two_theta_err_deg": [0.01, 0.0]},
         r"two_theta_err_deg\[1\]"),
    ],
)
def test_lattice_constant_rejects_bad_input(angles, hkl, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lattice_constant(angles, hkl, **kwargs)


# --------------------------------------------------------------------------------- Scherrer


def test_scherrer_inverts_gaussian_broadening_exactly():
    size_nm, k, instrument = 8.0, 0.9, 0.08
    centres = np.array([21.1, 30.0, 43.0, 53.3])
    sample = np.degrees(k * CU_KA / (10 * size_nm * np.cos(np.radians(centres / 2))))
    measured = np.sqrt(sample**2 + instrument**2)  # Gaussian widths add in quadrature
    x = np.arange(15.0, 60.0, 0.01)
    y = sum(gaussian(x, c, w, 100.0) for c, w in zip(centres, measured, strict=True))
    peaks = find_xrd_peaks(x, y)
    sizes = scherrer_size(peaks.fwhm_deg, peaks.two_theta_deg, instrument_fwhm_deg=instrument)
    assert sizes == pytest.approx(size_nm, rel=5e-3)
    assert scherrer_size(measured[1], centres[1], k=1.8, instrument_fwhm_deg=instrument) == \
        pytest.approx(2 * size_nm)


def test_scherrer_size_of_a_debye_pattern_matches_the_cube_edge():
    """A CsPbBr3 cube of 10 unit cells (edge 5.95 nm): its (200) line, fitted and put through
    Scherrer with K = 0.9, gives the edge (the (h00) line of a cube has K = 0.886)."""
    cube = bulk("CsPbBr3", supercell=(10, 10, 10))
    cube.pbc = False
    edge_nm = 10 * get_material("CsPbBr3").a_angstrom / 10
    tt = np.arange(10.0, 50.0, 0.05)
    peaks = find_xrd_peaks(tt, debye_pattern(cube, tt))
    i200 = int(np.argmin(np.abs(peaks.two_theta_deg - 30.01)))
    size = scherrer_size(peaks.fwhm_deg[i200], peaks.two_theta_deg[i200])
    assert size == pytest.approx(edge_nm, rel=0.10)
    i110 = int(np.argmin(np.abs(peaks.two_theta_deg - 21.1)))
    assert scherrer_size(peaks.fwhm_deg[i110], peaks.two_theta_deg[i110]) == pytest.approx(
        edge_nm, rel=0.25)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((0.1, 30.0), {"instrument_fwhm_deg": 0.1}, r"fwhm_deg = 0.1 ° .*\(0.1, 180\)"),
        ((0.0, 30.0), {}, "fwhm_deg"),
        ((0.5, 0.0), {}, "two_theta_deg"),
        ((0.5, 30.0), {"k": 0.0}, r"k = 0.0"),
        ((0.5, 30.0), {"instrument_fwhm_deg": -0.1}, "instrument_fwhm_deg"),
        (([0.5, 0.6], [30.0, 31.0, 32.0]), {}, "broadcastable"),
    ],
)
def test_scherrer_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        scherrer_size(*args, **kwargs)



SIMPLE_CUBIC = [(1, 0, 0), (1, 1, 0), (1, 1, 1), (2, 0, 0), (2, 1, 0), (2, 1, 1), (2, 2, 0)]
FCC = [(1, 1, 1), (2, 0, 0), (2, 2, 0), (3, 1, 1), (2, 2, 2)]
BCC = [(1, 1, 0), (2, 0, 0), (2, 1, 1), (2, 2, 0)]


@pytest.mark.parametrize("lattice_a, hkl, expected", [
    (5.87, SIMPLE_CUBIC, SIMPLE_CUBIC),  # cubic CsPbBr3
    (5.46, FCC, FCC),
    # bcc's N = 2, 4, 6, 8 is also a simple-cubic cell half the volume with N = 1, 2, 3, 4:
    # the smaller cell is the one index_cubic reports
    (3.30, BCC, SIMPLE_CUBIC[:4]),
])
def test_index_cubic_recovers_the_indices_of_a_cubic_cell(lattice_a, hkl, expected):
    angles = [two_theta(lattice_a / np.linalg.norm(indices)) for indices in hkl]
    assert index_cubic(angles[::-1]) == expected


@pytest.mark.parametrize("angles, match", [
    ([28.3], "at least two peaks"),
    ([20.0, 20.9, 31.7, 33.1], "no cubic cell"),  # hexagonal NaGdF4-like positions
])
def test_index_cubic_rejects_what_no_cubic_cell_explains(angles, match):
    with pytest.raises(ValueError, match=match):
        index_cubic(angles)
