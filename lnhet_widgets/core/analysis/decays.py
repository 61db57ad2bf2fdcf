"""Decay analysis beyond a single fit: model comparison, rise-and-decay fits, bootstrap errors.

Built on :func:`~lnhet_widgets.core.analysis.fit_decay` (SCIENCE §10, lesson 5):

* :func:`runs_test` — Wald–Wolfowitz runs of the residual signs. White residuals give z ≈ 0;
  a model that misses a component leaves long runs of one sign, and z falls far below −3.
* :func:`compare_decay_models` — fits 1 … 3 exponentials and picks the number the data
  support by an F-test between nested fits (rule under :class:`DecayModelComparison`).
* :func:`fit_rise_decay` — the curve of a level fed by a shorter-lived one (e.g. Tm ¹G4 or ¹D2
  after a 980 nm pulse, populated through Yb by energy-transfer upconversion):
  y = y0 + A·τd/(τd − τr)·(e^{−(t−t0)/τd} − e^{−(t−t0)/τr}) for t ≥ t0, y0 before.
* :func:`bootstrap_tau_avg` — the spread of τ_avg over resampled data, to set beside the
  covariance error.

Examples
--------
>>> from lnhet_widgets.core.analysis import multi_exponential
>>> t = np.linspace(0.0, 8e-3, 1600)
>>> rng = np.random.default_rng(1)
>>> counts = rng.poisson(60.0 + multi_exponential(t, [2000.0, 1000.0], [2e-4, 1.5e-3]))
>>> comparison = compare_decay_models(t, counts)
>>> comparison.best_n_exp, np.round(comparison.best.lifetimes * 1e3, 1)
(2, array([0.2, 1.5]))
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls
from scipy.stats import f as f_distribution

from .._base.results import ResultIO
from .._base.validate import check_range
from .fitting import (
    _MIN_POINTS_PER_PARAMETER,
    DecayFit,
    ReconvolutionFit,
    _checked_data,
    _checked_irf,
    _fit_statistics,
    _fit_window,
    _lifetime_bounds,
    _lightly_smoothed,
    _min_points,
    _n_parameters,
    _sigma,
    _start_grid,
    _weighted_fit,
    _window_indices,
    fit_decay,
)

__all__ = [
    "DecayModelComparison",
    "RiseDecayFit",
    "TauAvgBootstrap",
    "bootstrap_tau_avg",
    "compare_decay_models",
    "fit_rise_decay",
    "rise_decay",
    "runs_test",
]

_FIT_TYPES = {cls.__name__: cls for cls in (DecayFit, ReconvolutionFit)}
_RUNS_Z_LIMIT = 3.0


def runs_test(residuals) -> tuple[int, float, float]:
    """Wald–Wolfowitz runs test on the signs of residuals taken in time order.

    Parameters
    ----------
    residuals : array_like
        Residuals in the order of the fitted points; exact zeros are left out.

    Returns
    -------
    n_runs : int
        Number of runs (maximal blocks of one sign).
    expected : float
        Expected number for independent signs, 1 + 2 n₊n₋/n.
    z : float
        (n_runs − expected)/sd with var = 2n₊n₋(2n₊n₋ − n)/(n²(n − 1)); ≈ N(0, 1) for white
        residuals, strongly negative for long runs (a missing component), NaN when the variance
        is zero (all residuals of one sign, or fewer than three).

    Examples
    --------
    >>> n_runs, expected, z = runs_test([1.0, 2.0, -1.0, -0.5, 0.3])
    >>> n_runs, expected, round(z, 3)
    (3, 3.4, -0.436)
    """
    r = np.asarray(residuals, dtype=float)
    if r.ndim != 1 or not np.all(np.isfinite(r)):
        raise ValueError("residuals must be a 1-D array of finite numbers")
    signs = np.sign(r[r != 0.0])
    n_pos, n_neg = int(np.sum(signs > 0)), int(np.sum(signs < 0))
    n = n_pos + n_neg
    n_runs = int(1 + np.count_nonzero(signs[1:] != signs[:-1])) if n else 0
    expected = 1.0 + 2.0 * n_pos * n_neg / n if n else 0.0
    variance = 2.0 * n_pos * n_neg * (2.0 * n_pos * n_neg - n) / (n**2 * (n - 1)) if n > 1 else 0
    z = (n_runs - expected) / math.sqrt(variance) if variance > 0 else math.nan
    return n_runs, expected, z


@dataclass(frozen=True)
class DecayModelComparison(ResultIO):
    """Result of :func:`compare_decay_models`: fits with 1 … max_exp exponentials side by side.

    The arrays run parallel to ``fits`` (one entry per fitted model, fewest exponentials
    first); models the window is too short for are not fitted and are listed in ``skipped``.

    **Rule for best_n_exp**: the smallest n such that no fitted model with more exponentials
    lowers χ² significantly. For nested fits n < m (a fit with m exponentials holds the one with
    n as the case of zero amplitudes), F = [(χ²_n − χ²_m)/(ν_n − ν_m)] / (χ²_m/ν_m) follows
    an F(ν_n − ν_m, ν_m) distribution when the extra exponentials are not there (ν: degrees of
    freedom, χ² with each fit's own weights); m is significantly better when its p-value is
    below ``significance``. The ratio makes the test work for equal weights too, where χ² is
    in the data's units. The runs z is not part of the rule; it is reported (and flagged in
    :meth:`summary` when |z| > 3), because residuals that are not white with every n mean the
    decay is not a sum of exponentials, which more exponentials do not cure.

    Attributes
    ----------
    fits : tuple of DecayFit
        The fits (:class:`~lnhet_widgets.core.analysis.ReconvolutionFit` with an IRF).
    n_exp : ndarray of int
        Number of exponentials of each fit.
    reduced_chi2, runs_z : ndarray
        Reduced χ² and the runs-test z of the residual signs (:func:`runs_test`).
    tau_avg, tau_avg_err : ndarray
        Intensity-weighted average lifetime of each fit and its covariance error.
    p_values : ndarray, shape (k, k)
        ``p_values[i, j]`` (i < j): p-value of the F-test of fit j against fit i; NaN
        elsewhere.
    best_n_exp : int
        Number of exponentials chosen by the rule above.
    significance : float
        Threshold of the F-test.
    skipped : tuple of str
        Why models with more exponentials were not fitted (empty if none were skipped).
    """

    fits: tuple[DecayFit, ...]
    n_exp: np.ndarray
    reduced_chi2: np.ndarray
    runs_z: np.ndarray
    tau_avg: np.ndarray
    tau_avg_err: np.ndarray
    p_values: np.ndarray
    best_n_exp: int
    significance: float
    skipped: tuple[str, ...]

    @property
    def best(self) -> DecayFit:
        """The fit with ``best_n_exp`` exponentials."""
        return self.fits[int(np.flatnonzero(self.n_exp == self.best_n_exp)[0])]

    def summary(self) -> str:
        """A plain-text table of the fits and the choice (times in the unit of ``t``).

        Examples
        --------
        >>> t = np.linspace(0.0, 10.0, 400)
        >>> rng = np.random.default_rng(0)
        >>> y = rng.poisson(500.0 * np.exp(-t / 2.0) + 10.0)
        >>> print(compare_decay_models(t, y, max_exp=2).summary())
        n_exp  reduced χ²  runs z           τ_avg ± error  p (F-test vs n − 1)
            1       0.964    -0.6            2.001 ± 0.02
            2      0.9689    -0.6           2.001 ± 0.062  1
        best: 1 exponential (the smallest n that no larger model improves at p < 0.001)
        """
        lines = [f"{'n_exp':>5}  {'reduced χ²':>10}  {'runs z':>6}  {'τ_avg ± error':>22}  "
                 "p (F-test vs n − 1)"]
        for k, fit in enumerate(self.fits):
            tau = f"{fit.tau_avg:.4g} ± {fit.tau_avg_err:.2g}"
            p = "" if k == 0 else f"{self.p_values[k - 1, k]:.2g}"
            flag = "  (residuals not white)" if abs(self.runs_z[k]) > _RUNS_Z_LIMIT else ""
            lines.append(f"{fit.n_exp:>5}  {fit.reduced_chi2:>10.4g}  {self.runs_z[k]:>6.1f}  "
                         f"{tau:>22}  {p:<19}{flag}".rstrip())
        plural = "" if self.best_n_exp == 1 else "s"
        lines.append(f"best: {self.best_n_exp} exponential{plural} (the smallest n that no "
                     f"larger model improves at p < {self.significance:g})")
        lines.extend(f"skipped: {reason}" for reason in self.skipped)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Fields as plain Python objects; each fit as its own JSON payload."""
        out = super().to_dict()
        out["fits"] = [json.loads(fit.to_json()) for fit in self.fits]
        return out

    @classmethod
    def from_json(cls, text_or_path: str):
        """Rebuild a comparison from :meth:`to_json` output (JSON text or a file path)."""
        raw = super().from_json(text_or_path)
        fits = tuple(_FIT_TYPES[p["type"]].from_json(json.dumps(p)) for p in raw.fits)
        return dataclasses.replace(raw, fits=fits)


def _chi2_and_dof(fit: DecayFit) -> tuple[float, int]:
    n_params = _n_parameters(fit.n_exp, isinstance(fit, ReconvolutionFit))
    dof = max(fit.t.size - n_params, 1)
    return fit.reduced_chi2 * dof, dof


def _f_test(smaller: DecayFit, larger: DecayFit) -> float:
    """p-value that the larger nested fit lowers χ² only by chance."""
    chi2_small, dof_small = _chi2_and_dof(smaller)
    chi2_large, dof_large = _chi2_and_dof(larger)
    extra = dof_small - dof_large
    if chi2_large <= 0.0:
        return 0.0 if chi2_small > 0.0 else 1.0
    statistic = (chi2_small - chi2_large) / extra / (chi2_large / dof_large)
    return float(f_distribution.sf(statistic, extra, dof_large)) if statistic > 0 else 1.0


def compare_decay_models(t, y, *, weights="auto", window=None, irf=None, max_exp: int = 3,
                         significance: float = 1e-3) -> DecayModelComparison:
    """Fit 1 … ``max_exp`` exponentials and choose how many the data support.

    Parameters
    ----------
    t, y, weights, window, irf
        As for :func:`~lnhet_widgets.core.analysis.fit_decay`; every model is fitted on the same
        window.
    max_exp : {1, 2, 3}
        Largest number of exponentials to try.
    significance : float
        F-test threshold in (0, 1) (see :class:`DecayModelComparison` for the rule).

    Returns
    -------
    DecayModelComparison

    Raises
    ------
    ValueError
        For a bad option, or when even one exponential cannot be fitted (the message of
        :func:`~lnhet_widgets.core.analysis.fit_decay`). Models with more exponentials than the
        window has points for (3 points per parameter) are skipped, not an error.

    Examples
    --------
    >>> t = np.linspace(0.0, 10.0, 400)
    >>> y = np.random.default_rng(0).poisson(500.0 * np.exp(-t / 2.0) + 10.0)
    >>> comparison = compare_decay_models(t, y)
    >>> comparison.best_n_exp, comparison.n_exp.tolist()
    (1, [1, 2, 3])
    """
    if max_exp not in (1, 2, 3):
        raise ValueError(f"max_exp must be 1, 2 or 3, got {max_exp!r}")
    significance = check_range("significance", significance, "", 0.0, 1.0,
                               low_inclusive=False, high_inclusive=False)
    t_checked, y_checked = _checked_data(t, y)
    if irf is not None:
        _checked_irf(t_checked, irf)
    start, stop = _fit_window(t_checked, y_checked, window, irf is not None)
    fits, skipped = [], []
    for n in range(1, max_exp + 1):
        needed = _min_points(n, irf is not None)
        if n > 1 and stop - start < needed:
            skipped.append(f"{n} exponentials: the window holds {stop - start} points, they "
                           f"need at least {needed}")
            continue
        fits.append(fit_decay(t, y, n_exp=n, weights=weights, window=window, irf=irf))
    k = len(fits)
    p_values = np.full((k, k), np.nan)
    for i, j in itertools.combinations(range(k), 2):
        p_values[i, j] = _f_test(fits[i], fits[j])
    best = next(i for i in range(k) if np.all(p_values[i, i + 1:] >= significance))
    return DecayModelComparison(
        fits=tuple(fits),
        n_exp=np.array([fit.n_exp for fit in fits]),
        reduced_chi2=np.array([fit.reduced_chi2 for fit in fits]),
        runs_z=np.array([runs_test(fit.residuals)[2] for fit in fits]),
        tau_avg=np.array([fit.tau_avg for fit in fits]),
        tau_avg_err=np.array([fit.tau_avg_err for fit in fits]),
        p_values=p_values,
        best_n_exp=fits[best].n_exp,
        significance=significance,
        skipped=tuple(skipped),
    )


def _rise_decay_shape(tp: np.ndarray, decay_time: float, delta: float) -> np.ndarray:
    """τd/(τd − τr)·(e^{−t/τd} − e^{−t/τr}) for t ≥ 0 with τr = τd·e^{−δ}, stable as δ → 0.

    With k = 1/τr − 1/τd = expm1(δ)/τd the bracket is e^{−t/τd}·(1 − e^{−kt}) and the prefactor
    1/(1 − e^{−δ}); both differences come from expm1, so nothing cancels near τr = τd, where
    the limit is (t/τd)·e^{−t/τd}. The form is analytic in δ through 0 (for δ < 0 it is the
    same curve with the two times swapped).
    """
    tp = np.maximum(tp, 0.0)
    decay = np.exp(-tp / decay_time)
    if abs(delta) < 1e-10:
        ratio = tp / decay_time * (1.0 + delta * (1.0 - 0.5 * tp / decay_time))
    else:
        k = math.expm1(delta) / decay_time
        ratio = np.expm1(-k * tp) / math.expm1(-delta)
    return decay * ratio


def rise_decay(t, amplitude, rise_time, decay_time, y0=0.0, t0=0.0) -> np.ndarray:
    """y0 + A·τd/(τd − τr)·(e^{−(t−t0)/τd} − e^{−(t−t0)/τr}) for t ≥ t0, y0 before t0.

    The population of a level with lifetime τd fed by one with lifetime τr after a short
    pulse at t0 (A: the amplitude of the decay if the feeding were instantaneous). The curve
    is symmetric in τr and τd up to the prefactor; for τr = τd it is A·(t/τd)·e^{−t/τd}.

    Examples
    --------
    >>> float(rise_decay(1.0, 1.0, 1.0, 1.0))  # the limit τr = τd: t/τ·e^{−t/τ}
    0.36787944117144233
    >>> round(float(rise_decay(1.0, 1.0, 1.0 - 1e-9, 1.0)), 9)
    0.367879441
    """
    for name, value in (("rise_time", rise_time), ("decay_time", decay_time)):
        if not float(value) > 0:
            raise ValueError(f"{name} must be > 0 (in the unit of t), got {value!r}")
    t = np.asarray(t, dtype=float)
    delta = math.log(float(decay_time) / float(rise_time))
    return y0 + amplitude * np.where(t >= t0, _rise_decay_shape(t - t0, float(decay_time),
                                                                 delta), 0.0)


@dataclass(frozen=True)
class RiseDecayFit(ResultIO):
    """Result of :func:`fit_rise_decay`; times are in the unit of the input ``t``.

    Attributes
    ----------
    amplitude, amplitude_err : float
        A (the decay's amplitude had the feeding been instantaneous) and its standard error.
    rise_time, rise_time_err : float
        τr (≤ τd by convention: the shorter time, which sets the rise) and its standard error.
    decay_time, decay_time_err : float
        τd and its standard error.
    y0, y0_err : float
        Offset (background) and its standard error.
    t0, t0_err : float
        Onset (the excitation) and its standard error (0 if it was fixed).
    reduced_chi2 : float
        χ² per degree of freedom with the weights used.
    weights : str
        ``"poisson"`` or ``"none"``.
    window_start, window_end : float
        Fitted range of ``t`` (inclusive).
    t, y, y_fit, residuals : ndarray
        The fitted points, the model there and the weighted residuals (y − y_fit)/σ.
    """

    amplitude: float
    amplitude_err: float
    rise_time: float
    rise_time_err: float
    decay_time: float
    decay_time_err: float
    y0: float
    y0_err: float
    t0: float
    t0_err: float
    reduced_chi2: float
    weights: str
    window_start: float
    window_end: float
    t: np.ndarray
    y: np.ndarray
    y_fit: np.ndarray
    residuals: np.ndarray

    @property
    def peak_time(self) -> float:
        """Time of the maximum, t0 + ln(τd/τr)/(1/τr − 1/τd) (t0 + τd when τr = τd)."""
        delta = math.log(self.decay_time / self.rise_time)
        factor = delta / math.expm1(delta) if delta > 1e-12 else 1.0
        return self.t0 + self.decay_time * factor

    def __call__(self, t) -> np.ndarray:
        """Evaluate the fitted model at ``t``."""
        return rise_decay(t, self.amplitude, self.rise_time, self.decay_time, self.y0, self.t0)


def _rise_window(t: np.ndarray, y: np.ndarray, window) -> tuple[int, int]:
    """From the excitation to the end: the start of the data, or, when the curve falls by more
    than 5 % of its height somewhere before its maximum (an excitation pulse or scattered light
    that the detector saw), the lowest point after that fall."""
    if window is not None:
        return _window_indices(t, y, window)
    smooth = _lightly_smoothed(y)
    rise = smooth[:int(np.argmax(smooth)) + 1]
    # how far the curve still falls after each point before it reaches its maximum
    fall = rise - np.minimum.accumulate(rise[::-1])[::-1]
    pulse = int(np.argmax(fall))
    if fall[pulse] <= 0.05 * (rise[-1] - rise.min()):
        return 0, t.size
    return pulse + int(np.argmin(rise[pulse:])), t.size


def _rise_grid_start(x, y, sigma):
    """Best (A, τd, δ, y0) over pairs τr ≤ τd of a log grid (A and y0 solved exactly)."""
    rows, grid = _start_grid(x)
    weight = 1.0 / sigma[rows]
    target = y[rows] * weight
    best = None
    for i, j in itertools.combinations_with_replacement(range(grid.size), 2):
        delta = math.log(grid[j] / grid[i])
        column = _rise_decay_shape(x[rows], grid[j], delta) * weight
        design = np.column_stack([column, weight, -weight])
        coef, norm = nnls(design, target, maxiter=60)
        if coef[0] > 0 and (best is None or norm < best[0]):
            best = (norm, coef[0], grid[j], delta, coef[1] - coef[2])
    if best is None:
        raise ValueError("no rise-and-decay curve with a positive amplitude describes the data "
                         "in the window; does it rise and decay?")
    return best[1:]


def fit_rise_decay(t, y, *, weights="auto", window=None, t0=None) -> RiseDecayFit:
    """Fit y0 + A·τd/(τd − τr)·(e^{−(t−t0)/τd} − e^{−(t−t0)/τr}) (t ≥ t0) to a rise and decay.

    The population of a level fed by a shorter-lived one after a short excitation pulse, e.g.
    Tm ¹G4 after 980 nm excitation, fed through Yb ²F5/2 by energy-transfer upconversion.
    Least squares on (A ≥ 0, ln τd, ln(τd/τr) ≥ 0, y0, t0) with the weights of
    :func:`~lnhet_widgets.core.analysis.fit_decay` (Pearson refits for counts); the Jacobian is
    by central differences, the errors from the covariance. Starting values come from a grid
    of (τr, τd) pairs with A and y0 solved exactly for each; the onset is freed only after a
    first fit with it at the window start. τr = τd is allowed (the limit (t/τd)·e^{−t/τd}); τr
    is then at its bound and its error is the symmetric estimate.

    A level fed through several steps (¹G4 and ¹D2 after 980 nm: two or three energy transfers
    with similar times) starts more slowly than any single-exponential rise; the fit then
    puts t0 after the excitation and τr at τd, the most delayed shape the model has, and
    its reduced χ² stays well above 1.

    Parameters
    ----------
    t, y : array_like
        Times (strictly increasing, any unit; the results are in the same unit) and intensities.
    weights : {"auto", "poisson", None}
        As for :func:`~lnhet_widgets.core.analysis.fit_decay`.
    window : (start, end), optional
        Range of ``t`` to fit, inclusive. Default: from the excitation to the end — the start of
        the data, or, if the lightly smoothed curve falls by more than 5 % of its height before
        its maximum (the excitation pulse seen by the detector), the lowest point after it.
    t0 : float, optional
        Onset in the unit of ``t``; fitted when None, between one window length before the
        window and the curve's maximum (the data may begin after the excitation, or with a
        flat stretch of background before it).

    Returns
    -------
    RiseDecayFit

    Raises
    ------
    ValueError
        For malformed data, a bad option, fewer than 3 points per parameter in the window, or
        data without a rise and decay.

    Examples
    --------
    >>> t = np.linspace(0.0, 10e-3, 2000)
    >>> y = rise_decay(t, 3000.0, 2e-4, 1.2e-3, y0=5.0)
    >>> fit = fit_rise_decay(t, y, weights=None)
    >>> round(fit.rise_time * 1e3, 4), round(fit.decay_time * 1e3, 4), round(fit.t0, 9)
    (0.2, 1.2, 0.0)
    """
    t, y = _checked_data(t, y)
    start, stop = _rise_window(t, y, window)
    x, yw = t[start:stop], y[start:stop]
    fit_t0 = t0 is None
    n_params = 4 + int(fit_t0)
    if x.size < _MIN_POINTS_PER_PARAMETER * n_params:
        raise ValueError(f"the fit window holds {x.size} points; a rise and decay needs at "
                         f"least {_MIN_POINTS_PER_PARAMETER * n_params}")
    span = float(x[-1] - x[0])
    if fit_t0:
        onset = float(x[0])
        peak = float(x[int(np.argmax(_lightly_smoothed(yw)))])
    else:
        onset = check_range("t0", t0, "(unit of t)", x[0] - span, x[-1])
    sigma, weight_name = _sigma(yw, weights)
    amplitude, decay_time, delta, y0 = _rise_grid_start(x - onset, yw, sigma)
    tau_min, tau_max = _lifetime_bounds(x)
    scale = max(float(np.max(np.abs(yw))), 1e-300)
    start_vector = np.array([amplitude, math.log(np.clip(decay_time, tau_min, tau_max)),
                             min(delta, math.log(tau_max / tau_min)), y0])
    lower = np.array([0.0, math.log(tau_min), 0.0, -np.inf, onset - span])
    upper = np.array([np.inf, math.log(tau_max), math.log(tau_max / tau_min), np.inf,
                      max(peak, onset + 1e-9 * span) if fit_t0 else np.inf])
    x_scale = np.array([scale, 1.0, 1.0, scale, float(np.median(np.diff(x)))])
    steps = np.array([1e-6 * scale, 1e-6, 1e-6, 1e-6 * scale, 1e-6 * span])

    def solve(start_vector, sigma):
        size = start_vector.size

        def model(p):
            origin = p[4] if size == 5 else onset
            shape = _rise_decay_shape(x - origin, math.exp(p[1]), p[2])
            return p[3] + p[0] * np.where(x >= origin, shape, 0.0)

        def model_and_jacobian(p):
            jac = np.empty((x.size, size))
            for i in range(size):
                up, down = p.copy(), p.copy()
                up[i] += steps[i]
                down[i] -= steps[i]
                jac[:, i] = (model(up) - model(down)) / (2.0 * steps[i])
            return model(p), jac

        return _weighted_fit(yw, sigma, weight_name, model_and_jacobian, start_vector,
                             (lower[:size], upper[:size]), x_scale[:size])

    # The onset is freed only from the converged fit at the window start: freed at once, the
    # first (data-weighted) pass chases the few-count points before a delayed rise and can
    # stop in a worse minimum than the fixed-onset fit.
    p, resid, jac, sigma = solve(start_vector, sigma)
    if fit_t0:
        p, resid, jac, sigma = solve(np.append(p, onset), sigma)
    reduced_chi2, covariance, errors = _fit_statistics(resid, jac, weight_name)
    decay_time = math.exp(p[1])
    rise_time = decay_time * math.exp(-p[2])
    # ln τr = ln τd − δ
    ln_rise_var = covariance[1, 1] + covariance[2, 2] - 2.0 * covariance[1, 2]
    return RiseDecayFit(
        amplitude=float(p[0]),
        amplitude_err=float(errors[0]),
        rise_time=rise_time,
        rise_time_err=rise_time * math.sqrt(max(ln_rise_var, 0.0)),
        decay_time=decay_time,
        decay_time_err=decay_time * float(errors[1]),
        y0=float(p[3]),
        y0_err=float(errors[3]),
        t0=float(p[4]) if fit_t0 else onset,
        t0_err=float(errors[4]) if fit_t0 else 0.0,
        reduced_chi2=reduced_chi2,
        weights=weight_name,
        window_start=float(x[0]),
        window_end=float(x[-1]),
        t=x,
        y=yw,
        y_fit=yw - resid * sigma,
        residuals=resid,
    )


@dataclass(frozen=True)
class TauAvgBootstrap(ResultIO):
    """Result of :func:`bootstrap_tau_avg`.

    Attributes
    ----------
    tau_avg : float
        τ_avg of the original fit.
    tau_avg_err : float
        Standard deviation of τ_avg over the resampled fits.
    covariance_err : float
        The original fit's covariance error, for comparison.
    samples : ndarray
        τ_avg of every resampled fit that converged.
    n_failed : int
        Resamples whose fit raised (left out of ``samples``).
    method : str
        ``"parametric-poisson"`` or ``"residual"``.
    """

    tau_avg: float
    tau_avg_err: float
    covariance_err: float
    samples: np.ndarray
    n_failed: int
    method: str


def bootstrap_tau_avg(fit: DecayFit, *, n_resamples: int = 200, seed=0) -> TauAvgBootstrap:
    """Spread of τ_avg over resampled data, refitted like ``fit`` (same n, window, weights, IRF).

    Counts (``weights == "poisson"``) are redrawn from a Poisson distribution around the fitted
    model (parametric bootstrap: resampled residuals would give non-integer, even negative,
    counts in a sparse tail). Otherwise the residuals y − y_fit are resampled with
    replacement and added to the model (residual bootstrap; it assumes the noise is the same
    everywhere, as the equal-weight fit does). Each refit starts from its own grid search, so
    a few hundred resamples take seconds.

    Parameters
    ----------
    fit : DecayFit
        A result of :func:`~lnhet_widgets.core.analysis.fit_decay` (with or without IRF).
    n_resamples : int
        Number of resampled data sets, 10 … 10 000.
    seed : int or numpy Generator
        Random seed.

    Returns
    -------
    TauAvgBootstrap

    Examples
    --------
    >>> t = np.linspace(0.0, 5e-3, 500)
    >>> counts = np.random.default_rng(0).poisson(20.0 + 3000.0 * np.exp(-t / 4.3e-4))
    >>> boot = bootstrap_tau_avg(fit_decay(t, counts), n_resamples=20, seed=1)
    >>> bool(0.6 < boot.tau_avg_err / boot.covariance_err < 1.5)
    True
    """
    n_resamples = int(check_range("n_resamples", n_resamples, "", 10, 10_000))
    rng = np.random.default_rng(seed)
    window = (fit.window_start, fit.window_end)
    irf, t_all = None, fit.t
    if isinstance(fit, ReconvolutionFit):
        irf = fit.irf
        t_all = fit.irf_start + fit.irf_step * np.arange(irf.size)
    model_all = fit(t_all)
    inside = (t_all >= window[0]) & (t_all <= window[1])
    parametric = fit.weights == "poisson"
    residuals = fit.y - fit.y_fit
    samples, n_failed = [], 0
    for _ in range(n_resamples):
        y_new = model_all.copy()
        if parametric:
            y_new[inside] = rng.poisson(np.maximum(fit.y_fit, 0.0))
        else:
            y_new[inside] = fit.y_fit + rng.choice(residuals, residuals.size)
        try:
            refit = fit_decay(t_all, y_new, n_exp=fit.n_exp,
                              weights="poisson" if parametric else None, window=window, irf=irf)
        except ValueError:
            n_failed += 1
            continue
        samples.append(refit.tau_avg)
    samples = np.array(samples)
    return TauAvgBootstrap(
        tau_avg=fit.tau_avg,
        tau_avg_err=float(np.std(samples, ddof=1)) if samples.size > 1 else math.nan,
        covariance_err=fit.tau_avg_err,
        samples=samples,
        n_failed=n_failed,
        method="parametric-poisson" if parametric else "residual",
    )
