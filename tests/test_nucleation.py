"""Classical nucleation theory and Fletcher's factor (SCIENCE §4)."""

import numpy as np
import pytest

from lnhet_widgets.core.growth import (
    BOLTZMANN_J_K,
    critical_radius_nm,
    fletcher_factor,
    fletcher_factor_nb,
    homogeneous_barrier_kt,
    homogeneous_rate_m3_s,
    planar_fletcher_factor,
)

M_GRID = np.linspace(-1.0, 1.0, 41)
CSPBBR3 = {"surface_energy_j_m2": 0.1, "molecular_volume_nm3": 0.2106}


def fletcher_textbook(m, x):
    """Fletcher's f(m, x)/2 exactly as printed (no rearrangement), for moderate x."""
    g = np.sqrt(1 + x**2 - 2 * m * x)
    phi = (x - m) / g
    f = 1 + ((1 - m * x) / g) ** 3 + x**3 * (2 - 3 * phi + phi**3) + 3 * m * x**2 * (phi - 1)
    return f / 2


def test_planar_limit_for_large_x():
    np.testing.assert_allclose(fletcher_factor(M_GRID, 1e6), planar_fletcher_factor(M_GRID),
                               atol=2e-6)
    np.testing.assert_allclose(planar_fletcher_factor(M_GRID),
                               (2 + M_GRID) * (1 - M_GRID) ** 2 / 4)


def test_point_seed_does_not_help():
    np.testing.assert_allclose(fletcher_factor(M_GRID, 0.0), 1.0)
    np.testing.assert_allclose(fletcher_factor(M_GRID, 1e-6), 1.0, atol=1e-5)


@pytest.mark.parametrize("x", [1.0, 1.5, 3.0, 10.0, 1e4])
def test_complete_wetting_has_no_barrier_once_the_seed_exceeds_r_star(x):
    assert fletcher_factor(1.0, x) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("x", [0.1, 0.5, 0.9])
def test_complete_wetting_of_a_seed_smaller_than_r_star(x):
    # The cluster grows around the seed to r*: (1 − x)²(1 + 2x) of the homogeneous barrier.
    assert fletcher_factor(1.0, x) == pytest.approx((1 - x) ** 2 * (1 + 2 * x), rel=1e-9)


@pytest.mark.parametrize("x", [0.3, 1.0, 2.0, 5.0, 50.0])
def test_monotonic_decreasing_in_m(x):
    values = fletcher_factor(M_GRID, x)
    assert np.all(np.diff(values) <= 1e-12)
    assert values[0] == pytest.approx(1.0)


def test_larger_seed_helps_at_partial_wetting():
    x = np.array([0.5, 1, 2, 5, 20, 100])
    assert np.all(np.diff(fletcher_factor(0.5, x)) < 0)


@pytest.mark.parametrize("x", [0.2, 0.7, 2.0, 8.0, 30.0])
def test_matches_textbook_form_where_it_is_accurate(x):
    m = np.linspace(-0.95, 0.95, 39)
    np.testing.assert_allclose(fletcher_factor(m, x), fletcher_textbook(m, x), atol=1e-10)


def test_numba_version_equals_numpy_version():
    for m in (-0.7, 0.0, 0.4, 0.99):
        for x in (0.05, 1.0, 7.3, 1e3):
            assert fletcher_factor_nb(m, x) == pytest.approx(fletcher_factor(m, x), abs=1e-14)


def test_broadcasting_and_range():
    out = fletcher_factor(M_GRID[:, None], np.array([0.1, 1.0, 10.0])[None, :])
    assert out.shape == (41, 3)
    assert np.all((out >= 0) & (out <= 1))
    assert isinstance(fletcher_factor(0.2, 3.0), float)


@pytest.mark.parametrize("m, x", [(1.2, 1.0), (-1.5, 1.0), (0.0, -1.0), (np.nan, 1.0)])
def test_bad_arguments(m, x):
    with pytest.raises(ValueError, match=r"allowed range|≥ 0"):
        fletcher_factor(m, x)


def test_critical_radius_and_barrier_are_consistent():
    s, t = 50.0, 220.0
    kt = BOLTZMANN_J_K * (t + 273.15)
    r_star_m = critical_radius_nm(s, t, **CSPBBR3) * 1e-9
    assert r_star_m == pytest.approx(2 * 0.1 * 0.2106e-27 / (kt * np.log(s)))
    # ΔG* = (4/3)π r*² γ for a sphere.
    barrier_j = 4 / 3 * np.pi * r_star_m**2 * 0.1
    assert homogeneous_barrier_kt(s, t, **CSPBBR3) == pytest.approx(barrier_j / kt, rel=1e-12)


def test_rate_rises_steeply_with_supersaturation_and_temperature_matters():
    s = np.array([20.0, 50.0, 200.0])
    rate = homogeneous_rate_m3_s(s, 220.0, prefactor_m3_s=1e34, **CSPBBR3)
    assert np.all(np.diff(np.log(rate)) > 5)
    hot = homogeneous_barrier_kt(50.0, 260.0, **CSPBBR3)
    assert hot < homogeneous_barrier_kt(50.0, 220.0, **CSPBBR3)


@pytest.mark.parametrize("s", [1.0, 0.5, np.nan])
def test_no_barrier_without_supersaturation(s):
    with pytest.raises(ValueError, match="supersaturation"):
        critical_radius_nm(s, 220.0, **CSPBBR3)


def test_bad_constants_name_field_and_unit():
    with pytest.raises(ValueError, match=r"surface_energy_j_m2 = -0.1 J/m²"):
        homogeneous_barrier_kt(10.0, 220.0, surface_energy_j_m2=-0.1, molecular_volume_nm3=0.2)
    with pytest.raises(ValueError, match="prefactor_m3_s"):
        homogeneous_rate_m3_s(10.0, 220.0, prefactor_m3_s=0.0, **CSPBBR3)
