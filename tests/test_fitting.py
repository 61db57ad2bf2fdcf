"""Multi-exponential decay fits (P1 Eqs. 1–6) on synthetic data and on the bundled measurements."""

import numpy as np
import pytest

from lnhet_widgets.core.fitting import DecayFit, fit_decay, multi_exponential
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
