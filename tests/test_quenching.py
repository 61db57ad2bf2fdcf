"""Quenching from where each ion sits (SCIENCE §6)."""

import numpy as np
import pytest
from scipy import integrate

from lnhet_widgets.core.optics import (
    cation_lattice_sum_a6,
    cation_site_density_nm3,
    cation_sites_nm,
    continuum_factor_nm3,
    radial_classes,
    surface_rate_s,
    vacancy_rate_s,
)


@pytest.mark.parametrize("r_nm", [0.0, 1.5, 3.0])
def test_continuum_factor_is_the_integral_of_r6_over_the_outside(r_nm):
    # ∫ d³x / |x − r|⁶ over |x| > R, done numerically in spherical coordinates about the centre
    radius = 4.0

    def shell(rho):
        # angular integral of 1/|x − r|⁶ at |x| = rho, in closed form over cos θ
        a, b = rho**2 + r_nm**2, 2 * rho * r_nm
        if b == 0:
            return 4 * np.pi * rho**2 / a**3
        return 2 * np.pi * rho**2 * ((a - b) ** -2 - (a + b) ** -2) / (2 * b)

    value, _ = integrate.quad(shell, radius, np.inf)
    assert continuum_factor_nm3(r_nm, radius) == pytest.approx(value, rel=1e-8)


def test_surface_rate_grows_towards_the_surface_and_rejects_outside_ions():
    rates = surface_rate_s([[0, 0, 0], [0, 0, 2.0], [0, 0, 3.5]], radius_nm=4.0,
                           strength_nm3_s=100.0)
    assert np.all(np.diff(rates) > 0)
    with pytest.raises(ValueError, match="inside radius_nm"):
        surface_rate_s([[0, 0, 5.0]], radius_nm=4.0, strength_nm3_s=1.0)


def test_vacancy_rate_sums_r6_within_the_cutoff():
    rate = vacancy_rate_s([[0, 0, 0]], [[0, 0, 1.0], [0, 2.0, 0], [10.0, 0, 0]], strength_s=1.0,
                          radius_nm=1.0, cutoff_nm=3.0)
    assert rate[0] == pytest.approx(1 + 2.0**-6)


def test_lattice_sums_and_densities_of_the_hosts():
    # β-NaGdF4: 1.5 RE per hexagonal cell of 6.02² sin 60° × 3.60 Å³
    assert cation_site_density_nm3("beta-NaGdF4") == pytest.approx(
        1.5 / (0.602**2 * np.sin(np.pi / 3) * 0.360), rel=0.01)
    assert 1e-3 < cation_lattice_sum_a6("alpha-NaYF4") < cation_lattice_sum_a6("beta-NaYF4")


def test_sites_fill_the_sphere_at_the_host_density():
    sites = cation_sites_nm("beta-NaGdF4", 8.0)
    volume = 4 / 3 * np.pi * 4.0**3
    assert len(sites) / volume == pytest.approx(cation_site_density_nm3("beta-NaGdF4"), rel=0.05)
    assert np.linalg.norm(sites, axis=1).max() < 4.0


def test_radial_classes_keep_the_mean():
    rates = np.random.default_rng(0).exponential(size=1001)
    means, shares = radial_classes(rates, 4)
    assert shares.sum() == pytest.approx(1.0)
    assert np.sum(means * shares) == pytest.approx(rates.mean())
    with pytest.raises(ValueError):
        radial_classes([], 3)
