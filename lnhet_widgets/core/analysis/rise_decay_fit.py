"""Rise-and-decay fits: the curve of a level fed by a shorter-lived one (e.g. Tm ¹G4 or ¹D2
after a 980 nm pulse, populated through Yb by energy-transfer upconversion).

y = y0 + A·τd/(τd − τr)·(e^{−(t−t0)/τd} − e^{−(t−t0)/τr}) for t ≥ t0, y0 before; fitted with
the weights and errors of :func:`~lnhet_widgets.core.analysis.fit_decay` (SCIENCE §10).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from .._base.results import ResultIO
from .._base.validate import check_range
from ._fit_common import (
    _MIN_POINTS_PER_PARAMETER,
    _checked_data,
    _fit_statistics,
    _lifetime_bounds,
    _lightly_smoothed,
    _sigma,
    _start_grid,
    _weighted_fit,
    _window_indices,
)

__all__ = ["RiseDecayFit", "fit_rise_decay", "rise_decay"]


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
