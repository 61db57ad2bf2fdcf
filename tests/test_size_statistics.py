"""Size-distribution statistics: P1-style mean ± sd, histogram, normal and lognormal fits."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from lnhet_widgets.core.analysis import SizeStatistics, size_statistics


def test_recovers_a_normal_sample_within_its_statistical_tolerance():
    rng = np.random.default_rng(0)
    sizes = rng.normal(5.1, 0.4, 120)
    s = size_statistics(sizes)
    assert s.n == 120
    assert s.mean_nm == pytest.approx(5.1, abs=3 * 0.4 / math.sqrt(120))
    # The sample sd scatters by about sd / sqrt(2 (n − 1)).
    assert s.sd_nm == pytest.approx(0.4, abs=3 * 0.4 / math.sqrt(2 * 119))
    assert s.sd_nm == pytest.approx(np.std(sizes, ddof=1))
    assert s.sem_nm == pytest.approx(s.sd_nm / math.sqrt(120))
    assert s.normal_mu_nm == pytest.approx(s.mean_nm)
    assert s.normal_sigma_nm == pytest.approx(np.std(sizes, ddof=0))
    assert (s.median_nm, s.min_nm, s.max_nm) == (np.median(sizes), sizes.min(), sizes.max())
    assert s.histogram_counts.sum() == 120
    assert s.bin_edges_nm[0] == sizes.min() and s.bin_edges_nm[-1] == sizes.max()
    assert s.report() == "5.1 ± 0.4 nm (n = 120)"


def test_standard_error_covers_the_true_mean_as_often_as_it_should():
    results = [size_statistics(np.random.default_rng(seed).normal(5.1, 0.4, 120))
               for seed in range(300)]
    covered = np.mean([abs(s.mean_nm - 5.1) < 1.96 * s.sem_nm for s in results])
    assert 0.91 < covered < 0.99
    assert np.mean([s.sd_nm for s in results]) == pytest.approx(0.4, rel=0.01)


def test_normal_wins_the_aic_for_normal_samples_on_average():
    delta = [size_statistics(np.random.default_rng(seed).normal(5.1, 0.4, 120))
             for seed in range(40)]
    differences = np.array([s.lognormal_aic - s.normal_aic for s in delta])
    assert differences.mean() > 0
    assert np.mean([s.best_fit == "normal" for s in delta]) > 0.6


def test_lognormal_wins_for_a_skewed_sample_and_its_parameters_come_back():
    rng = np.random.default_rng(7)
    sizes = rng.lognormal(np.log(9.5), 0.3, 200)
    s = size_statistics(sizes)
    assert s.best_fit == "lognormal"
    assert s.lognormal_aic < s.normal_aic - 5
    assert s.lognormal_geometric_mean_nm == pytest.approx(9.5, rel=3 * 0.3 / math.sqrt(200))
    assert s.lognormal_geometric_sd == pytest.approx(math.exp(0.3), rel=0.05)
    assert s.lognormal_geometric_mean_nm == pytest.approx(math.exp(np.mean(np.log(sizes))))
    wins = [size_statistics(np.random.default_rng(seed).lognormal(np.log(9.5), 0.3, 120))
            .best_fit == "lognormal" for seed in range(20)]
    assert np.mean(wins) >= 0.9


def test_log_likelihoods_and_aic_are_those_of_the_fitted_densities():
    sizes = np.array([4.2, 4.8, 5.0, 5.1, 5.3, 5.9, 6.4])
    s = size_statistics(sizes)
    mu, sigma = sizes.mean(), sizes.std()
    normal_ll = np.sum(-0.5 * ((sizes - mu) / sigma) ** 2 - np.log(sigma * math.sqrt(2 * math.pi)))
    assert s.normal_log_likelihood == pytest.approx(normal_ll)
    assert s.normal_aic == pytest.approx(4 - 2 * normal_ll)
    logs = np.log(sizes)
    m, v = logs.mean(), logs.std()
    lognormal_ll = np.sum(-0.5 * ((logs - m) / v) ** 2 - np.log(v * sizes * math.sqrt(2 * math.pi)))
    assert s.lognormal_log_likelihood == pytest.approx(lognormal_ll)
    # The closed forms are scipy's maximum-likelihood fits.
    shape, _, scale = stats.lognorm.fit(sizes, floc=0.0)
    assert (s.lognormal_geometric_sd, s.lognormal_geometric_mean_nm) == pytest.approx(
        (np.exp(shape), scale), rel=1e-6)
    assert (s.normal_mu_nm, s.normal_sigma_nm) == pytest.approx(stats.norm.fit(sizes))


def test_pdf_is_scaled_to_the_histogram():
    rng = np.random.default_rng(1)
    s = size_statistics(rng.normal(10.0, 1.0, 500), bins=np.linspace(6.0, 14.0, 33))
    width = 0.25
    centres = s.bin_edges_nm[:-1] + width / 2
    for kind in ("normal", "lognormal"):
        curve = s.pdf(kind, centres)
        # Sum over bins ≈ n (all the probability lies inside the histogram's range).
        assert curve.sum() == pytest.approx(500, rel=0.01)
        # And the curve follows the counts within Poisson noise.
        chi2 = np.sum((s.histogram_counts - curve) ** 2 / np.maximum(curve, 1.0))
        assert chi2 < 2 * len(centres)
    with pytest.raises(ValueError, match="kind"):
        s.pdf("gamma", 10.0)


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([4.6, 5.1, 5.6], "5.1 ± 0.5 nm (n = 3)"),
        ([8.0, 9.5, 11.0], "9.5 ± 1.5 nm (n = 3)"),  # a leading 1 keeps two digits
        ([16.0, 16.7, 17.4], "16.7 ± 0.7 nm (n = 3)"),
        ([5.04, 5.1, 5.16], "5.10 ± 0.06 nm (n = 3)"),
        ([4.05, 5.0, 5.95], "5.0 ± 1.0 nm (n = 3)"),  # 0.95 rounds up to 1.0
        ([20.0, 50.0, 80.0], "50 ± 30 nm (n = 3)"),
        ([5.0, 5.0, 5.0], "5.0 ± 0.0 nm (n = 3)"),
    ],
)
def test_report_rounds_as_p1_writes(sizes, expected):
    assert size_statistics(sizes).report() == expected


def test_identical_sizes_are_allowed_but_have_no_likelihood():
    s = size_statistics([5.0, 5.0, 5.0])
    assert s.sd_nm == 0 and math.isnan(s.normal_aic) and s.best_fit == "normal"
    with pytest.raises(ValueError, match="no spread"):
        s.pdf("normal", 5.0)


@pytest.mark.parametrize(
    ("sizes", "kwargs", "match"),
    [
        ([5.0, 5.1], {}, "at least 3"),
        ([5.0, 5.1, -1.0, 5.2], {}, r"sizes_nm\[2\] = -1.0 nm .*\(0, inf\) nm"),
        ([5.0, 0.0, 5.2], {}, r"sizes_nm\[1\]"),
        ([5.0, 5.1, np.nan], {}, r"sizes_nm\[2\]"),
        ([5.0, np.inf, 5.1], {}, r"sizes_nm\[1\]"),
        ([[5.0, 5.1], [5.2, 5.3]], {}, "1-D"),
        (["a", "b", "c"], {}, "numbers in nm"),
        ([5.0, 5.1, 5.2], {"bins": 0}, "bins"),
        ([5.0, 5.1, 5.2], {"bins": [5.0, 5.1, 5.5]}, "evenly spaced"),
        ([5.0, 5.1, 5.2], {"bins": [5.2, 5.0]}, "increasing"),
        ([5.0, 5.1, 5.2], {"bins": "nonsense"}, "bins"),
    ],
)
def test_bad_input(sizes, kwargs, match):
    with pytest.raises(ValueError, match=match):
        size_statistics(sizes, **kwargs)


def test_round_trip_through_json():
    s = size_statistics(np.random.default_rng(0).normal(7.6, 0.8, 50))
    again = SizeStatistics.from_json(s.to_json())
    assert again.report() == s.report() and again.best_fit == s.best_fit
    assert (again.histogram_counts == s.histogram_counts).all()
    assert again.histogram_counts.dtype == s.histogram_counts.dtype


@given(st.lists(st.floats(min_value=0.5, max_value=200.0), min_size=3, max_size=60),
       st.floats(min_value=0.1, max_value=10.0))
@settings(max_examples=60, deadline=None)
def test_invariants(sizes, factor):
    s = size_statistics(sizes)
    assert s.min_nm <= s.median_nm <= s.max_nm
    assert s.min_nm <= s.mean_nm * (1 + 1e-12) and s.mean_nm <= s.max_nm * (1 + 1e-12)
    assert s.histogram_counts.sum() == len(sizes)
    assert s.lognormal_geometric_sd >= 1.0
    assert s.lognormal_geometric_mean_nm <= s.mean_nm * (1 + 1e-9)  # AM–GM
    # Changing the unit scale scales the sizes and leaves the shapes' verdict alone.
    scaled = size_statistics(np.asarray(sizes) * factor)
    assert scaled.mean_nm == pytest.approx(factor * s.mean_nm, rel=1e-9)
    assert scaled.sd_nm == pytest.approx(factor * s.sd_nm, rel=1e-6, abs=1e-12)
    if s.sd_nm > 1e-6 * s.mean_nm:
        assert scaled.normal_aic - scaled.lognormal_aic == pytest.approx(
            s.normal_aic - s.lognormal_aic, abs=1e-6 * max(1.0, abs(s.normal_aic)))
