"""Model comparison, runs test, rise-and-decay fits and bootstrap errors (SCIENCE §10)."""

import functools
import json

import numpy as np
import pytest
from scipy.stats import exponnorm
from test_fitting import IRF, T_NS, TCSPC_CASES, T, poisson_decay, tcspc_counts

from lnhet_widgets.core.analysis import (
    DecayModelComparison,
    ReconvolutionFit,
    RiseDecayFit,
    TauAvgBootstrap,
    bootstrap_tau_avg,
    compare_decay_models,
    fit_decay,
    fit_rise_decay,
    multi_exponential,
    rise_decay,
    runs_test,
)
from lnhet_widgets.data import example_decays, load_example_decay

# --- runs test ---

def test_runs_test_by_hand():
    # + + − − +  → 3 runs; n₊ = 3, n₋ = 2: expected 1 + 12/5, variance 12·7/(25·4)
    n_runs, expected, z = runs_test([1.0, 2.0, -1.0, -0.5, 0.0, 0.3])  # the zero is left out
    assert (n_runs, expected) == (3, pytest.approx(3.4))
    assert z == pytest.approx((3 - 3.4) / np.sqrt(0.84))


def test_runs_test_of_white_noise_is_standard_normal():
    rng = np.random.default_rng(0)
    z = np.array([runs_test(rng.normal(size=500))[2] for _ in range(400)])
    assert abs(z.mean()) < 0.15 and 0.85 < z.std() < 1.15


def test_runs_test_sees_a_missing_component():
    counts = poisson_decay(2, seed=3)
    one = fit_decay(T, counts, n_exp=1, window=(0.0, T[-1]))
    two = fit_decay(T, counts, n_exp=2, window=(0.0, T[-1]))
    assert runs_test(one.residuals)[2] < -10.0
    assert abs(runs_test(two.residuals)[2]) < 3.0


def test_runs_test_edge_cases():
    assert np.isnan(runs_test(np.ones(10))[2])  # one sign only: no variance
    assert runs_test([])[:2] == (0, 0.0)
    with pytest.raises(ValueError, match="finite"):
        runs_test([1.0, np.nan])


# --- model comparison ---

@pytest.mark.parametrize("n_exp", [1, 2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_comparison_finds_the_number_of_exponentials(n_exp, seed):
    comparison = compare_decay_models(T, poisson_decay(n_exp, seed=50 + seed))
    assert comparison.best_n_exp == n_exp
    assert comparison.best.n_exp == n_exp
    assert abs(comparison.runs_z[n_exp - 1]) < 3.0
    if n_exp > 1:  # one exponential too few leaves long runs
        assert comparison.runs_z[n_exp - 2] < -3.0


def test_comparison_follows_its_documented_rule():
    comparison = compare_decay_models(T, poisson_decay(2, seed=7))
    p = comparison.p_values
    assert p.shape == (3, 3) and np.all(np.isnan(p[np.tril_indices(3)]))
    assert np.all(np.isfinite(p[np.triu_indices(3, 1)]))
    # smallest n that no larger model improves at p < significance
    chosen = next(i for i in range(3) if np.all(p[i, i + 1:] >= comparison.significance))
    assert comparison.best_n_exp == chosen + 1
    # with a threshold above every p-value the largest model wins whenever it lowers χ²
    loose = compare_decay_models(T, poisson_decay(2, seed=7), significance=0.999999)
    assert loose.best_n_exp >= comparison.best_n_exp


def test_comparison_arrays_summary_and_round_trip():
    comparison = compare_decay_models(T, poisson_decay(2, seed=8))
    assert comparison.n_exp.tolist() == [1, 2, 3]
    for k, fit in enumerate(comparison.fits):
        assert comparison.reduced_chi2[k] == fit.reduced_chi2
        assert comparison.tau_avg[k] == fit.tau_avg
        assert comparison.runs_z[k] == runs_test(fit.residuals)[2]
    text = comparison.summary()
    assert "best: 2 exponentials" in text and text.count("\n") == 4
    assert "(residuals not white)" in text.splitlines()[1]  # one exponential
    back = DecayModelComparison.from_json(comparison.to_json())
    assert back.best_n_exp == 2 and back.skipped == ()
    assert back.best.lifetimes.tolist() == comparison.best.lifetimes.tolist()
    np.testing.assert_array_equal(back.p_values, comparison.p_values)
    assert json.loads(comparison.to_json())["fields"]["fits"][0]["type"] == "DecayFit"
    assert comparison.to_csv().splitlines()[0] == "n_exp,reduced_chi2,runs_z,tau_avg,tau_avg_err"


def test_models_too_large_for_the_window_are_skipped():
    # 18 points: enough for 1 (9) and 2 (15) exponentials, not for 3 (21)
    comparison = compare_decay_models(T, poisson_decay(1, seed=0), window=(0.0, 17 * T[1]))
    assert comparison.n_exp.tolist() == [1, 2]
    assert comparison.skipped == ("3 exponentials: the window holds 18 points, they need at "
                                  "least 21",)
    assert "skipped: 3 exponentials" in comparison.summary()
    with pytest.raises(ValueError, match="the fit window holds 5 points"):
        compare_decay_models(T, poisson_decay(1, seed=0), window=(0.0, 4 * T[1]))


@pytest.mark.parametrize("kwargs, message", [
    ({"max_exp": 4}, "max_exp must be 1, 2 or 3"),
    ({"significance": 0.0}, "significance"),
    ({"irf": np.ones(5)}, "same grid"),
])
def test_comparison_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare_decay_models(T, poisson_decay(1, seed=0), **kwargs)


def test_comparison_with_an_instrument_response():
    for amplitudes, lifetimes in TCSPC_CASES.values():
        counts = tcspc_counts(amplitudes, lifetimes, seed=1)
        comparison = compare_decay_models(T_NS, counts, irf=IRF)
        assert all(isinstance(fit, ReconvolutionFit) for fit in comparison.fits)
        assert comparison.best_n_exp == len(lifetimes)
        back = DecayModelComparison.from_json(comparison.to_json())
        assert isinstance(back.best, ReconvolutionFit)


# --- rise and decay ---

RISE, DECAY, AMPLITUDE, BACKGROUND = 2e-4, 1.2e-3, 3000.0, 20.0
T_RISE = np.linspace(0.0, 10e-3, 4000)


def test_rise_decay_model_limits():
    t = np.linspace(0.0, 5.0, 50)
    limit = rise_decay(t, 2.0, 1.0, 1.0)
    np.testing.assert_allclose(limit, 2.0 * t * np.exp(-t))
    np.testing.assert_allclose(rise_decay(t, 2.0, 1.0 - 1e-7, 1.0), limit, rtol=1e-6)
    np.testing.assert_allclose(rise_decay(t, 2.0, 1.0 + 1e-7, 1.0), limit, rtol=1e-6)
    # explicit form away from the limit, and nothing before the onset
    explicit = 2.0 * 3.0 / (3.0 - 0.5) * (np.exp(-t / 3.0) - np.exp(-t / 0.5))
    np.testing.assert_allclose(rise_decay(t, 2.0, 0.5, 3.0), explicit, rtol=1e-12)
    assert rise_decay(-1.0, 2.0, 0.5, 3.0, y0=0.1, t0=0.0) == 0.1
    # the same curve with the times swapped, up to the prefactor τd/τr
    np.testing.assert_allclose(rise_decay(t, 2.0, 3.0, 0.5), explicit * 0.5 / 3.0, rtol=1e-12)
    with pytest.raises(ValueError, match="rise_time must be > 0"):
        rise_decay(t, 1.0, 0.0, 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rise_decay_fit_recovers_counts(seed):
    clean = rise_decay(T_RISE, AMPLITUDE, RISE, DECAY, y0=BACKGROUND)
    fit = fit_rise_decay(T_RISE, np.random.default_rng(seed).poisson(clean))
    assert fit.weights == "poisson"
    for value, error, truth in ((fit.rise_time, fit.rise_time_err, RISE),
                                (fit.decay_time, fit.decay_time_err, DECAY),
                                (fit.amplitude, fit.amplitude_err, AMPLITUDE),
                                (fit.y0, fit.y0_err, BACKGROUND),
                                (fit.t0, fit.t0_err, 0.0)):
        assert abs(value - truth) < 3 * error, (value, error, truth)
    assert fit.reduced_chi2 == pytest.approx(1.0, abs=0.15)
    peak = RISE * DECAY / (DECAY - RISE) * np.log(DECAY / RISE)
    assert fit.peak_time == pytest.approx(peak, rel=0.03)


def test_rise_decay_fit_finds_the_onset_after_a_background_and_a_pulse():
    # Background from −1 ms, a scattered-light spike at the pulse (t = 0), then the rise.
    t = np.linspace(-1e-3, 10e-3, 4400)
    clean = rise_decay(t, AMPLITUDE, RISE, DECAY, y0=BACKGROUND)
    spike = 5000.0 * np.exp(-np.clip(t, 0.0, None) / 5e-6) * (t >= 0)
    counts = np.random.default_rng(4).poisson(clean + spike)
    fit = fit_rise_decay(t, counts)
    assert 0.0 < fit.window_start < 1e-4  # after the spike, before the rise is far along
    assert abs(fit.t0) < 3 * fit.t0_err
    assert abs(fit.rise_time - RISE) < 3 * fit.rise_time_err
    assert abs(fit.decay_time - DECAY) < 3 * fit.decay_time_err


def test_rise_decay_fit_with_equal_times_and_normalised_data():
    # τr = τd: the limit form; equal weights on a curve normalised to 1 with Gaussian noise.
    tau = 1e-3
    clean = rise_decay(T_RISE, 1.0, tau, tau) / (1.0 / np.e)
    y = clean + np.random.default_rng(5).normal(0.0, 0.01, T_RISE.size)
    fit = fit_rise_decay(T_RISE, y)
    assert fit.weights == "none"
    assert abs(fit.decay_time - tau) < 3 * fit.decay_time_err
    assert abs(fit.rise_time - tau) < 3 * fit.rise_time_err
    assert np.isfinite(fit.rise_time_err) and fit.rise_time_err < 0.2 * tau
    assert fit.rise_time <= fit.decay_time
    assert fit.peak_time == pytest.approx(tau, rel=0.05)
    assert fit.reduced_chi2 == pytest.approx(1e-4, rel=0.15)


def test_rise_decay_fit_with_fixed_onset_round_trips():
    clean = rise_decay(T_RISE, AMPLITUDE, RISE, DECAY, y0=BACKGROUND)
    fit = fit_rise_decay(T_RISE, np.random.default_rng(6).poisson(clean), t0=0.0)
    assert fit.t0 == 0.0 and fit.t0_err == 0.0
    assert abs(fit.rise_time - RISE) < 3 * fit.rise_time_err
    np.testing.assert_allclose(fit(fit.t), fit.y_fit, rtol=1e-9)
    back = RiseDecayFit.from_json(fit.to_json())
    assert back.rise_time == fit.rise_time and back.peak_time == fit.peak_time


@pytest.mark.parametrize("kwargs, message", [
    ({"window": (0.0, 6e-6)}, "the fit window holds 3 points; a rise and decay needs at least 15"),
    ({"t0": 1.0}, "t0"),
    ({"weights": "chi"}, "weights must be"),
])
def test_rise_decay_bad_options(kwargs, message):
    clean = rise_decay(T_RISE, AMPLITUDE, RISE, DECAY, y0=BACKGROUND)
    with pytest.raises(ValueError, match=message):
        fit_rise_decay(T_RISE, clean, **kwargs)


# --- bootstrap ---

def test_bootstrap_agrees_with_the_covariance_for_counts():
    fit = fit_decay(T, poisson_decay(1, seed=9), n_exp=1)
    boot = bootstrap_tau_avg(fit, n_resamples=60, seed=0)
    assert isinstance(boot, TauAvgBootstrap) and boot.method == "parametric-poisson"
    assert boot.samples.size + boot.n_failed == 60
    assert boot.covariance_err == fit.tau_avg_err
    # the sd of 60 samples scatters by ≈ 9 %
    assert 0.7 < boot.tau_avg_err / boot.covariance_err < 1.4
    assert abs(np.mean(boot.samples) - fit.tau_avg) < 4 * boot.tau_avg_err / np.sqrt(60)


def test_residual_bootstrap_for_equal_weights_and_with_an_irf():
    t = np.linspace(0.0, 10.0, 800)
    y = multi_exponential(t, [1.0, 0.4], [0.4, 2.5], 0.02)
    y = y + np.random.default_rng(7).normal(0.0, 0.01, t.size)
    fit = fit_decay(t, y, n_exp=2)
    boot = bootstrap_tau_avg(fit, n_resamples=40, seed=1)
    assert boot.method == "residual"
    assert 0.6 < boot.tau_avg_err / boot.covariance_err < 1.6

    t_ns = np.arange(512) * 0.05
    width = 0.2 / 2.3548
    irf = np.exp(-0.5 * ((t_ns - 2.0) / width) ** 2)
    clean = 5.0 + 5e3 * 1.5 * exponnorm.pdf(t_ns, 1.5 / width, loc=2.0, scale=width)
    fit = fit_decay(t_ns, np.random.default_rng(8).poisson(clean), irf=irf)
    boot = bootstrap_tau_avg(fit, n_resamples=12, seed=2)
    assert np.isfinite(boot.tau_avg_err) and boot.samples.size == 12
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_tau_avg(fit, n_resamples=5)


# --- the bundled measurements (β-NaYF4:Yb,Tm, simetuc) ---

@functools.cache
def measured_comparison(name):
    return compare_decay_models(*load_example_decay(name))


@functools.cache
def measured_rise(name):
    return fit_rise_decay(*load_example_decay(name))


NIR_TM = [name for name in example_decays() if "Tm" in name.split("_exc")[0]
          and "NIR_980" in name]


@pytest.mark.parametrize("name", example_decays())
def test_comparison_on_every_bundled_measurement(name):
    comparison = measured_comparison(name)
    best = comparison.best
    assert comparison.best_n_exp in (1, 2, 3)
    assert np.isfinite(best.tau_avg) and 1e-6 < best.tau_avg < 1e-2
    assert np.isfinite(best.tau_avg_err) and 0 < best.tau_avg_err < best.tau_avg
    assert np.all(np.isfinite(comparison.runs_z))


def test_yb_lifetime_is_of_the_order_of_milliseconds():
    # Yb ²F5/2 in fluorides: ~1–2 ms radiative, lengthened by radiation trapping in a powder
    # with 25 % Yb; the measured curve is not a single exponential.
    comparison = measured_comparison("decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm.txt")
    assert 5e-4 < comparison.best.tau_avg < 5e-3
    assert comparison.best_n_exp > 1


def test_best_models_show_concentration_quenching_of_1g4():
    taus = [measured_comparison(f"decay_Tm_1G4_exc_Vis_473_0.0Yb_{c}Tm.txt").best.tau_avg
            for c in ("0.1", "0.3", "1.0", "2.0", "5.0")]
    assert np.all(np.diff(taus) < 0)


def test_nir_excited_tm_levels_are_three():
    assert len(NIR_TM) == 3 and all("_NIR_980_" in name for name in NIR_TM)


@pytest.mark.parametrize("name", NIR_TM)
def test_tm_levels_fed_through_yb_rise_and_decay(name):
    t, y = load_example_decay(name)
    fit = measured_rise(name)
    step = t[1] - t[0]
    assert 0 < fit.rise_time <= fit.decay_time
    assert fit.rise_time > 10 * step  # a rise of the population, not of the instrument
    assert 1e-4 < fit.decay_time < 1e-2
    for value, error in ((fit.rise_time, fit.rise_time_err), (fit.decay_time,
                                                                fit.decay_time_err)):
        assert np.isfinite(error) and 0 < error < 0.1 * value
    # the onset lies near the excitation at the start of the record (Yb decays from t = 0)
    assert abs(fit.t0 - t[0]) < 0.05 * (t[-1] - t[0])
    smooth_peak = t[np.argmax(np.convolve(y, np.ones(41) / 41, mode="same"))]
    assert fit.peak_time == pytest.approx(smooth_peak, rel=0.25)
