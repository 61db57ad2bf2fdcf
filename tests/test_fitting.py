"""Multi-exponential decay fits (P1 Eqs. 1–6) on synthetic data and on the bundled measurements."""

import numpy as np
import pytest

from lnhet_widgets.core.analysis import DecayFit, ReconvolutionFit, fit_decay, multi_exponential
from lnhet_widgets.data import example_decays, load_example_decay

T = np.linspace(0.0, 8e-3, 3200)  # 2.5 µs bins, like the bundled NIR decays
CASES = {  # n_exp: (amplitudes in counts, lifetimes in s, background in counts)
    1: ([3000.0], [4.3e-4], 80.0),
    2: ([2000.0, 1000.0], [2.0e-4, 1.5e-3], 80.0),
    3: ([1500.0, 1500.0, 800.0], [5e-5, 4e-4, 2e-3], 60.0),
}


def tau_avg(amplitudes, lifetimes):
    a, t = np.asarray(amplitudes), np.asarray(lifetimes)
    return float(np.sum(a * t**2) / np.sum(a * t))


def poisson_decay(n_exp, seed):
    amplitudes, lifetimes, background = CASES[n_exp]
    rng = np.random.default_rng(seed)
    return rng.poisson(multi_exponential(T, amplitudes, lifetimes, background))


@pytest.mark.parametrize("n_exp", [1, 2, 3])
def test_recovers_known_parameters_from_counts(n_exp):
    amplitudes, lifetimes, background = CASES[n_exp]
    fit = fit_decay(T, poisson_decay(n_exp, seed=n_exp), n_exp=n_exp)
    assert fit.weights == "poisson" and fit.x0 == 0.0
    assert np.all(np.abs(fit.lifetimes - lifetimes) < 4 * fit.lifetimes_err)
    assert np.all(np.abs(fit.amplitudes - amplitudes) < 4 * fit.amplitudes_err)
    assert abs(fit.y0 - background) < 4 * fit.y0_err
    assert abs(fit.tau_avg - tau_avg(amplitudes, lifetimes)) < 4 * fit.tau_avg_err
    assert fit.reduced_chi2 == pytest.approx(1.0, abs=0.15)


def test_uncertainties_are_honest():
    # Over repeated noisy curves the true τ_avg lies within 1σ about 68 % of the time.
    amplitudes, lifetimes, _ = CASES[2]
    truth = tau_avg(amplitudes, lifetimes)
    pulls = []
    for seed in range(40):
        fit = fit_decay(T, poisson_decay(2, seed=100 + seed), n_exp=2)
        pulls.append((fit.tau_avg - truth) / fit.tau_avg_err)
    inside = np.mean(np.abs(pulls) < 1.0)
    assert 0.5 <= inside <= 0.85
    assert abs(np.mean(pulls)) < 0.5


def test_equal_weights_scale_the_covariance_by_the_noise():
    rng = np.random.default_rng(7)
    t = np.linspace(0.0, 10.0, 800)
    y = multi_exponential(t, [1.0, 0.4], [0.4, 2.5], 0.02) + rng.normal(0.0, 0.01, t.size)
    fit = fit_decay(t, y, n_exp=2)
    assert fit.weights == "none"
    assert fit.reduced_chi2 == pytest.approx(1e-4, rel=0.2)  # the residual variance
    assert np.all(np.abs(fit.lifetimes - [0.4, 2.5]) < 4 * fit.lifetimes_err)


def test_tau_avg_is_p1s_intensity_weighted_average():
    t = np.linspace(0.0, 10.0, 500)
    fit = fit_decay(t, multi_exponential(t, [1.0, 0.5], [0.5, 3.0], 0.01), n_exp=2,
                    weights=None)
    assert fit.tau_avg == pytest.approx(tau_avg(fit.amplitudes, fit.lifetimes))
    assert fit.tau_avg == pytest.approx(4.75 / 2.0, rel=1e-6)
    np.testing.assert_allclose(fit(fit.t), fit.y_fit)


def test_rise_then_decay_is_fitted_from_the_maximum():
    rng = np.random.default_rng(3)
    rise, decay = 1e-4, 1e-3
    clean = 4000.0 * (np.exp(-T / decay) - np.exp(-T / rise)) + 50.0
    fit = fit_decay(T, rng.poisson(clean), n_exp=1)
    peak = rise * decay / (decay - rise) * np.log(decay / rise)
    assert fit.window_start == pytest.approx(peak, abs=2e-5)
    # From the maximum on, the rise term still contributes a little: within 3 %.
    assert fit.lifetimes[0] == pytest.approx(decay, rel=0.03)


def test_explicit_window():
    counts = poisson_decay(1, seed=11)
    fit = fit_decay(T, counts, n_exp=1, window=(1e-3, 6e-3))
    assert fit.window_start >= 1e-3 and fit.window_end <= 6e-3
    assert fit.x0 == fit.window_start and fit.x0_err == 0.0
    assert abs(fit.lifetimes[0] - 4.3e-4) < 4 * fit.lifetimes_err[0]


def test_asking_for_more_exponentials_than_the_data_hold_still_converges():
    counts = poisson_decay(1, seed=5)
    one = fit_decay(T, counts, n_exp=1)
    three = fit_decay(T, counts, n_exp=3)
    assert three.tau_avg == pytest.approx(one.tau_avg, rel=0.02)


@pytest.mark.parametrize("name", example_decays())
@pytest.mark.parametrize("n_exp", [1, 2, 3])
def test_converges_on_every_bundled_measurement(name, n_exp):
    t, y = load_example_decay(name)
    fit = fit_decay(t, y, n_exp=n_exp)
    assert np.isfinite(fit.tau_avg) and 1e-6 < fit.tau_avg < 1e-2
    assert np.isfinite(fit.tau_avg_err) and 0 < fit.tau_avg_err < fit.tau_avg
    assert fit.weights == ("poisson" if "NIR" in name else "none")
    assert np.all(fit.amplitudes >= 0)


@pytest.mark.parametrize("state", ["1D2", "1G4", "3H4"])
def test_measured_rise_then_decay_starts_at_the_maximum(state):
    t, y = load_example_decay(f"decay_Tm_{state}_exc_NIR_980_25.0Yb_0.3Tm.txt")
    fit = fit_decay(t, y, n_exp=2)
    assert fit.window_start > 5e-4  # the energy-transfer-fed rise lasts ~1 ms
    assert fit.y.max() == pytest.approx(y.max(), rel=0.1)


def test_concentration_quenching_of_1g4_shows_in_tau_avg():
    # Cross-relaxation shortens ¹G4 as the Tm content rises (0.1 → 5 %).
    taus = [fit_decay(*load_example_decay(f"decay_Tm_1G4_exc_Vis_473_0.0Yb_{c}Tm.txt"),
                      n_exp=2).tau_avg for c in ("0.1", "0.3", "1.0", "2.0", "5.0")]
    assert np.all(np.diff(taus) < 0)


def test_json_round_trip():
    fit = fit_decay(T, poisson_decay(2, seed=1), n_exp=2)
    back = DecayFit.from_json(fit.to_json())
    np.testing.assert_array_equal(back.lifetimes, fit.lifetimes)
    assert back.tau_avg == fit.tau_avg and back.weights == fit.weights


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_exp": 4}, "n_exp must be 1, 2 or 3"),
        ({"weights": "chi"}, "weights must be"),
        ({"window": (5e-3, 1e-3)}, "start < end"),
        ({"window": (1.0, 2.0)}, "holds no data"),
        ({"window": "all"}, "window must be"),
        ({"window": (0.0, 1e-5)}, "the fit window holds 4 points"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit_decay(T, poisson_decay(1, seed=0), **kwargs)


def test_bad_data_name_the_point():
    y = poisson_decay(1, seed=0).astype(float)
    with pytest.raises(ValueError, match="same length"):
        fit_decay(T, y[:-1])
    y_nan = y.copy()
    y_nan[17] = np.nan
    with pytest.raises(ValueError, match="point 17"):
        fit_decay(T, y_nan)
    t_bad = T.copy()
    t_bad[30] = t_bad[29]
    with pytest.raises(ValueError, match=r"t\[30\]"):
        fit_decay(t_bad, y)
    with pytest.raises(ValueError, match="counts ≥ 0"):
        fit_decay(T, y - 200.0, weights="poisson")


def test_a_rising_curve_is_not_a_decay():
    with pytest.raises(ValueError, match="is it a decay"):
        fit_decay(T, 1.0 + T / T[-1], n_exp=1, window=(0.0, T[-1]), weights=None)


# --- Reconvolution with a measured instrument response (TCSPC) ---

T_NS = np.arange(1024) * 0.025  # 25 ps channels, 25.6 ns record
IRF_WIDTH = 0.2 / (2.0 * np.sqrt(2.0 * np.log(2.0)))  # Gaussian of 0.2 ns FWHM
IRF_CENTRE = 2.0
IRF = np.exp(-0.5 * ((T_NS - IRF_CENTRE) / IRF_WIDTH) ** 2)
TRUE_SHIFT = 0.013  # the sample's light arrives half a channel after the measured IRF
TCSPC_CASES = {"1.5 ns": ([1e4], [1.5]), "0.4 + 3 ns": ([8e3, 2e3], [0.4, 3.0])}


def tcspc_counts(amplitudes, lifetimes, seed, background=5.0):
    """Poisson counts of Σ A exp(−t/τ) convolved with the Gaussian IRF, in closed form (the
    exponentially modified Gaussian), not by the convolution under test."""
    from scipy.stats import exponnorm

    clean = background + sum(
        a * tau * exponnorm.pdf(T_NS, tau / IRF_WIDTH, loc=IRF_CENTRE + TRUE_SHIFT,
                                scale=IRF_WIDTH)
        for a, tau in zip(amplitudes, lifetimes, strict=True))
    return np.random.default_rng(seed).poisson(clean)


@pytest.mark.parametrize("case", TCSPC_CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_reconvolution_recovers_lifetimes_tau_avg_and_shift(case, seed):
    amplitudes, lifetimes = TCSPC_CASES[case]
    fit = fit_decay(T_NS, tcspc_counts(amplitudes, lifetimes, seed), n_exp=len(lifetimes),
                    irf=IRF)
    assert fit.weights == "poisson"
    assert fit.window_start == T_NS[0]  # the rising edge is fitted
    assert np.all(np.abs(fit.lifetimes - lifetimes) < 3 * fit.lifetimes_err)
    assert np.all(np.abs(fit.amplitudes - amplitudes) < 3 * fit.amplitudes_err)
    assert abs(fit.tau_avg - tau_avg(amplitudes, lifetimes)) < 3 * fit.tau_avg_err
    assert abs(fit.irf_shift - TRUE_SHIFT) < 3 * fit.irf_shift_err
    assert fit.irf_shift_err < 0.025  # sub-channel
    assert fit.x0 == pytest.approx(IRF_CENTRE + fit.irf_shift, abs=1e-9)
    assert fit.reduced_chi2 == pytest.approx(1.0, abs=0.15)


def test_without_the_irf_a_short_component_is_fitted_worse():
    # 0.4 + 3 ns behind a 0.2 ns IRF: from the maximum on, the IRF still shapes the curve.
    amplitudes, lifetimes = TCSPC_CASES["0.4 + 3 ns"]
    truth = tau_avg(amplitudes, lifetimes)
    for seed in (2, 3):
        counts = tcspc_counts(amplitudes, lifetimes, seed)
        tail = fit_decay(T_NS, counts, n_exp=2)
        same_window = fit_decay(T_NS, counts, n_exp=2, irf=IRF,
                                window=(tail.window_start, T_NS[-1]))
        assert same_window.reduced_chi2 < tail.reduced_chi2
        # one more parameter, χ² lower by far more than chance (> 10 for 1 degree of freedom)
        dof = tail.t.size - 5
        assert tail.reduced_chi2 * dof - same_window.reduced_chi2 * (dof - 1) > 10.0
        # and the tail fit's τ_avg misses the truth by many of its own standard errors
        assert abs(tail.tau_avg - truth) > 5 * tail.tau_avg_err
        assert abs(same_window.tau_avg - truth) < 3 * same_window.tau_avg_err


def test_a_long_lifetime_needs_no_reconvolution():
    # τ = 1.5 ns ≫ the IRF: a tail fit from the maximum already finds it.
    counts = tcspc_counts([1e4], [1.5], seed=4)
    tail = fit_decay(T_NS, counts, n_exp=1)
    assert abs(tail.lifetimes[0] - 1.5) < 3 * tail.lifetimes_err[0]


def test_reconvolution_is_fourth_order_accurate_without_noise():
    from scipy.stats import exponnorm

    errors = []
    for step in (0.02, 0.01):
        t = np.arange(int(25.0 / step)) * step
        irf = np.exp(-0.5 * ((t - IRF_CENTRE) / IRF_WIDTH) ** 2)
        clean = 5.0 + 1e3 * 0.4 * exponnorm.pdf(t, 0.4 / IRF_WIDTH, loc=IRF_CENTRE,
                                                 scale=IRF_WIDTH)
        fit = fit_decay(t, clean, irf=irf, weights=None)
        errors.append(abs(fit.lifetimes[0] - 0.4))
        assert fit.lifetimes[0] == pytest.approx(0.4, rel=2e-4)
        assert fit.amplitudes[0] == pytest.approx(1e3, rel=1e-3)
    assert errors[1] < errors[0] / 8  # halving the channel: ≥ 8× (4th order gives 16×)


def test_reconvolution_fit_evaluates_round_trips_and_exports():
    counts = tcspc_counts([8e3, 2e3], [0.4, 3.0], seed=5)
    fit = fit_decay(T_NS, counts, n_exp=2, irf=IRF, window=(1.0, 20.0))
    assert isinstance(fit, ReconvolutionFit) and isinstance(fit, DecayFit)
    np.testing.assert_allclose(fit(fit.t), fit.y_fit, rtol=1e-9, atol=1e-9)
    assert fit(np.array([0.0]))[0] == pytest.approx(fit.y0, abs=1e-6)  # before the pulse
    back = ReconvolutionFit.from_json(fit.to_json())
    assert back.irf_shift == fit.irf_shift and back.irf_shift_err == fit.irf_shift_err
    np.testing.assert_array_equal(back.irf, fit.irf)
    np.testing.assert_allclose(back(fit.t), fit.y_fit, rtol=1e-9, atol=1e-9)
    header, first = fit.to_csv().splitlines()[:2]
    assert header == "t,y,y_fit,residuals,irf"
    assert float(first.split(",")[0]) == pytest.approx(fit.window_start)


@pytest.mark.parametrize(
    "t, irf, message",
    [
        (T_NS, IRF[:-1], "same grid"),
        (T_NS, np.zeros_like(IRF), "positive sum"),
        (T_NS, np.where(T_NS > 3.0, np.nan, IRF), "irf must be finite"),
        (T_NS ** 1.01, IRF, "uniform grid"),
    ],
)
def test_bad_irf(t, irf, message):
    with pytest.raises(ValueError, match=message):
        fit_decay(t, tcspc_counts([1e4], [1.5], seed=0), irf=irf)
