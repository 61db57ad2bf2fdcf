"""Multi-exponential decay fits with P1's intensity-weighted average lifetime (SCIENCE §10).

The model is P1's Eqs. (1)–(6),

    y(x) = y0 + Σ_i A_i exp(−(x − x0)/t_i),   i = 1 … n (n ≤ 3)
    τ_avg = Σ A_i t_i² / Σ A_i t_i            (intensity-weighted average lifetime)

How :func:`fit_decay` fits it, and why:

* **x0 is the start of the fit window, not a free parameter.** A shift of x0 only rescales every
  A_i by exp(Δx0/t_i), so x0 and the amplitudes cannot be determined together; fixing it (as
  Origin's ExpDec fits do) keeps the covariance regular. ``x0_err`` is 0 for that reason.
* **Rise-then-decay curves** (a level fed by energy transfer rises before it decays): by default
  the window starts at the maximum of the lightly smoothed curve, so only the decay is fitted.
  Give ``window`` to choose another range.
* **Starting values** come from a grid search by variable projection: for every combination of
  n lifetimes from a log-spaced grid spanning the window, the amplitudes and the offset are
  linear and solved exactly; the best combination with positive amplitudes starts the
  nonlinear fit. No user guess is needed, and the fit does not fall into the local minimum of
  two equal lifetimes.
* **Weights.** ``"poisson"``: counting data; the first pass weights by σ² = max(y, 1), two
  more by σ² = max(model, 1) (Pearson χ², which removes the low bias of data weights); the
  covariance is used as is, so the uncertainties are those of the counting statistics.
  ``None``: equal weights; the covariance is scaled by the reduced χ² (the noise level is
  estimated from the residuals). ``"auto"`` picks Poisson for non-negative integer data and
  equal weights otherwise (e.g. curves normalised to 1).
* The nonlinear fit is :func:`scipy.optimize.least_squares` on (A_i ≥ 0, ln t_i, y0), with
  t_i between a quarter of the sampling step and 100 window lengths (what the data can tell);
  uncertainties of t_i and τ_avg follow from the covariance by linear propagation. A
  component whose amplitude ends at zero (more exponentials asked for than the data hold)
  does not change τ_avg; its lifetime is undetermined, and its errors are NaN.

Examples
--------
>>> t = np.linspace(0.0, 5e-3, 2000)
>>> rng = np.random.default_rng(0)
>>> counts = rng.poisson(20.0 + 3000.0 * np.exp(-t / 4.3e-4))
>>> fit = fit_decay(t, counts, n_exp=1)
>>> bool(abs(fit.lifetimes[0] - 4.3e-4) < 3 * fit.lifetimes_err[0])
True
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.optimize import least_squares, nnls

from ._results import ResultIO

__all__ = ["DecayFit", "fit_decay", "multi_exponential"]

_GRID_LIFETIMES = 24
_GRID_POINTS = 2000
_MIN_POINTS_PER_PARAMETER = 3


def multi_exponential(x, amplitudes, lifetimes, y0=0.0, x0=0.0):
    """y0 + Σ A_i exp(−(x − x0)/t_i), P1's Eq. (1).

    Examples
    --------
    >>> float(multi_exponential(1.0, [2.0], [1.0], y0=0.5))
    1.2357588823428847
    """
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, float(y0))
    for a, tau in zip(np.atleast_1d(amplitudes), np.atleast_1d(lifetimes), strict=True):
        out = out + a * np.exp(-(x - x0) / tau)
    return out


@dataclass(frozen=True)
class DecayFit(ResultIO):
    """Result of :func:`fit_decay`; times are in the unit of the input ``t``.

    Attributes
    ----------
    n_exp : int
        Number of exponentials.
    amplitudes, amplitudes_err : ndarray
        A_i and their standard errors, sorted by lifetime (shortest first).
    lifetimes, lifetimes_err : ndarray
        t_i and their standard errors.
    y0, y0_err : float
        Offset (background) and its standard error.
    x0, x0_err : float
        Time origin of the exponentials: the window start (fixed, hence ``x0_err`` = 0).
    tau_avg, tau_avg_err : float
        Intensity-weighted average lifetime Σ A t² / Σ A t and its standard error.
    reduced_chi2 : float
        χ² per degree of freedom with the weights used.
    weights : str
        ``"poisson"`` or ``"none"``.
    window_start, window_end : float
        Fitted range of ``t`` (inclusive).
    t, y, y_fit, residuals : ndarray
        The fitted points, the model there and the weighted residuals (y − y_fit)/σ.
    """

    n_exp: int
    amplitudes: np.ndarray
    amplitudes_err: np.ndarray
    lifetimes: np.ndarray
    lifetimes_err: np.ndarray
    y0: float
    y0_err: float
    x0: float
    x0_err: float
    tau_avg: float
    tau_avg_err: float
    reduced_chi2: float
    weights: str
    window_start: float
    window_end: float
    t: np.ndarray
    y: np.ndarray
    y_fit: np.ndarray
    residuals: np.ndarray

    def __call__(self, t) -> np.ndarray:
        """Evaluate the fitted model at ``t``."""
        return multi_exponential(t, self.amplitudes, self.lifetimes, self.y0, self.x0)


def _checked_data(t, y) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    if t.ndim != 1 or y.shape != t.shape:
        raise ValueError(f"t and y must be 1-D arrays of the same length, got shapes {t.shape} "
                         f"and {y.shape}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        bad = int(np.flatnonzero(~(np.isfinite(t) & np.isfinite(y)))[0])
        raise ValueError(f"t and y must be finite; point {bad} is t = {t[bad]}, y = {y[bad]}")
    if np.any(np.diff(t) <= 0):
        bad = int(np.flatnonzero(np.diff(t) <= 0)[0])
        raise ValueError(f"t must increase strictly; t[{bad + 1}] = {t[bad + 1]} follows "
                         f"t[{bad}] = {t[bad]}")
    return t, y


def _window_indices(t: np.ndarray, y: np.ndarray, window) -> tuple[int, int]:
    if window is None:
        # Start at the maximum of the lightly smoothed curve: a rising part (feeding by energy
        # transfer, or the instrument response) is not a decay.
        width = max(3, t.size // 200)
        start = int(np.argmax(uniform_filter1d(y, width, mode="nearest")))
        return start, t.size
    try:
        low, high = (float(w) for w in window)
    except (TypeError, ValueError):
        raise ValueError(f"window must be (start, end) in the unit of t, got {window!r}") from None
    if not low < high:
        raise ValueError(f"window = ({low:g}, {high:g}) must have start < end")
    start, stop = np.searchsorted(t, low, "left"), np.searchsorted(t, high, "right")
    if start >= t.size or stop <= 0:
        raise ValueError(f"window = ({low:g}, {high:g}) holds no data; t runs from {t[0]:g} "
                         f"to {t[-1]:g}")
    return int(start), int(stop)


def _sigma(y: np.ndarray, weights) -> tuple[np.ndarray, str]:
    if weights == "auto":
        counts = np.all(y >= 0) and np.allclose(y, np.round(y), atol=1e-9) and y.max() > 10
        weights = "poisson" if counts else None
    if weights == "poisson":
        if np.any(y < 0):
            raise ValueError("weights='poisson' needs counts ≥ 0; the data have negative values "
                             "(use weights=None for normalised or background-subtracted data)")
        return np.sqrt(np.maximum(y, 1.0)), "poisson"
    if weights is None:
        return np.ones_like(y), "none"
    raise ValueError(f"weights must be 'poisson', None or 'auto', got {weights!r}")


def _lifetime_bounds(x: np.ndarray) -> tuple[float, float]:
    """Shortest and longest lifetime a window can tell: a quarter step to 100 windows."""
    step = float(np.min(np.diff(x)))
    return 0.25 * step, 100.0 * float(x[-1] - x[0])


def _grid_start(x: np.ndarray, y: np.ndarray, sigma: np.ndarray, n_exp: int):
    """Best (amplitudes, lifetimes, y0) over a log grid of lifetimes, by variable projection.

    Amplitudes are non-negative (NNLS) and the offset takes either sign. Combinations with
    every amplitude positive are preferred; a curve that is simpler than ``n_exp``
    exponentials (a single exponential asked for three) falls back to the best combination
    with some amplitudes at zero, and the nonlinear fit starts from there.
    """
    if x.size > _GRID_POINTS:
        pick = np.unique(np.linspace(0, x.size - 1, _GRID_POINTS).astype(int))
        x, y, sigma = x[pick], y[pick], sigma[pick]
    span = x[-1] - x[0]
    step = np.median(np.diff(x))
    grid = np.geomspace(max(step, span * 1e-4), 2.0 * span, _GRID_LIFETIMES)
    basis = np.exp(-x[:, None] / grid[None, :]) / sigma[:, None]
    offset = np.column_stack([1.0 / sigma, -1.0 / sigma])
    target = y / sigma
    best = {True: None, False: None}
    for combo in itertools.combinations(range(grid.size), n_exp):
        design = np.column_stack([basis[:, list(combo)], offset])
        # scipy ≥ 1.12 stops at 3·n iterations by default and raises on nearly collinear
        # exponentials of the grid; the active-set method converges well within 20·n
        coef, residual_norm = nnls(design, target, maxiter=20 * design.shape[1])
        amplitudes = coef[:n_exp]
        if not np.any(amplitudes > 0):
            continue
        key = bool(np.all(amplitudes > 0))
        if best[key] is None or residual_norm < best[key][0]:
            best[key] = (residual_norm, amplitudes, grid[list(combo)], coef[-2] - coef[-1])
    chosen = best[True] or best[False]
    if chosen is None:
        raise ValueError("no sum of decaying exponentials with positive amplitudes describes the "
                         "data in the window; is it a decay? (choose a window that starts at "
                         "the maximum)")
    amplitudes = np.where(chosen[1] > 0, chosen[1], 1e-6 * chosen[1].max())
    return amplitudes, chosen[2], chosen[3]


def fit_decay(t, y, *, n_exp: int = 1, weights="auto", window=None) -> DecayFit:
    """Fit y0 + Σ A_i exp(−(t − x0)/t_i) and report τ_avg = Σ A t² / Σ A t (P1 Eqs. 1–6).

    Parameters
    ----------
    t, y : array_like
        Times (strictly increasing, any unit; the results are in the same unit) and intensities.
    n_exp : {1, 2, 3}
        Number of exponentials.
    weights : {"auto", "poisson", None}
        ``"poisson"`` for photon counts (σ² from the model), None for equal weights, ``"auto"``
        for Poisson if the data are non-negative integers and equal weights otherwise.
    window : (start, end), optional
        Range of ``t`` to fit, inclusive. Default: from the maximum of the curve to the end.

    Returns
    -------
    DecayFit

    Raises
    ------
    ValueError
        For malformed data, a bad option, too few points in the window, or data that no sum of
        decaying exponentials describes.

    Examples
    --------
    >>> t = np.linspace(0.0, 10.0, 500)
    >>> y = 1.0 * np.exp(-t / 0.5) + 0.5 * np.exp(-t / 3.0) + 0.01
    >>> fit = fit_decay(t, y, n_exp=2, weights=None)
    >>> np.round(fit.lifetimes, 3), round(fit.tau_avg, 3)
    (array([0.5, 3. ]), 2.375)
    """
    if n_exp not in (1, 2, 3):
        raise ValueError(f"n_exp must be 1, 2 or 3, got {n_exp!r}")
    t, y = _checked_data(t, y)
    start, stop = _window_indices(t, y, window)
    x, yw = t[start:stop], y[start:stop]
    n_params = 2 * n_exp + 1
    if x.size < _MIN_POINTS_PER_PARAMETER * n_params:
        raise ValueError(f"the fit window holds {x.size} points; {n_exp} exponentials need at "
                         f"least {_MIN_POINTS_PER_PARAMETER * n_params}")
    sigma, weight_name = _sigma(yw, weights)
    x0 = float(x[0])
    xr = x - x0

    amplitudes, lifetimes, y0 = _grid_start(xr, yw, sigma, n_exp)
    start_vector = np.concatenate([amplitudes, np.log(lifetimes), [y0]])
    scale = max(float(np.max(np.abs(yw))), 1e-300)

    def model(p):
        out = np.full(xr.shape, p[-1])
        for a, u in zip(p[:n_exp], p[n_exp:2 * n_exp], strict=True):
            out += a * np.exp(-xr * np.exp(-u))
        return out

    def residual(p):
        return (yw - model(p)) / sigma

    def jacobian(p):
        jac = np.empty((xr.size, n_params))
        for i in range(n_exp):
            tau = math.exp(p[n_exp + i])
            e = np.exp(-xr / tau)
            jac[:, i] = -e / sigma
            jac[:, n_exp + i] = -p[i] * e * xr / tau / sigma
        jac[:, -1] = -1.0 / sigma
        return jac

    tau_min, tau_max = _lifetime_bounds(xr)
    lower = np.concatenate([np.zeros(n_exp), np.full(n_exp, math.log(tau_min)), [-np.inf]])
    upper = np.concatenate([np.full(n_exp, np.inf), np.full(n_exp, math.log(tau_max)), [np.inf]])
    start_vector[n_exp:2 * n_exp] = np.clip(start_vector[n_exp:2 * n_exp], lower[n_exp:2 * n_exp],
                                            upper[n_exp:2 * n_exp])
    x_scale = np.concatenate([np.full(n_exp, scale), np.ones(n_exp), [scale]])
    # Weights from the data (Neyman) bias a Poisson fit low by about one count; refitting with
    # σ² from the model (Pearson) removes that bias in two passes.
    passes = 3 if weight_name == "poisson" else 1
    for _ in range(passes):
        solution = least_squares(residual, start_vector, jac=jacobian, bounds=(lower, upper),
                                 x_scale=x_scale, method="trf")
        start_vector = solution.x
        if weight_name == "poisson":
            sigma = np.sqrt(np.maximum(model(solution.x), 1.0))
    if weight_name == "poisson":
        solution.fun = residual(solution.x)
        solution.jac = jacobian(solution.x)
    p = solution.x
    resid = solution.fun
    dof = max(x.size - n_params, 1)
    reduced_chi2 = float(resid @ resid / dof)
    # A component whose amplitude ended on its bound (zero) carries no information: its
    # amplitude and lifetime are held fixed in the covariance and get NaN errors.
    amps = p[:n_exp]
    active = amps > 1e-9 * max(float(amps.max()), 1e-300)
    free = np.concatenate([active, active, [True]])
    covariance = np.zeros((n_params, n_params))
    jac_free = solution.jac[:, free]
    covariance[np.ix_(free, free)] = np.linalg.pinv(jac_free.T @ jac_free)
    if weight_name == "none":
        covariance = covariance * reduced_chi2
    errors = np.where(free, np.sqrt(np.clip(np.diag(covariance), 0.0, None)), np.nan)

    u = p[n_exp:2 * n_exp]
    taus = np.exp(u)
    order = np.argsort(taus)
    tau_avg, gradient = _tau_avg_and_gradient(amps, taus)
    tau_avg_err = float(np.sqrt(max(gradient @ covariance[:2 * n_exp, :2 * n_exp] @ gradient,
                                    0.0)))
    y_fit = yw - resid * sigma
    return DecayFit(
        n_exp=n_exp,
        amplitudes=amps[order],
        amplitudes_err=errors[:n_exp][order],
        lifetimes=taus[order],
        lifetimes_err=(taus * errors[n_exp:2 * n_exp])[order],
        y0=float(p[-1]),
        y0_err=float(errors[-1]),
        x0=x0,
        x0_err=0.0,
        tau_avg=tau_avg,
        tau_avg_err=tau_avg_err,
        reduced_chi2=reduced_chi2,
        weights=weight_name,
        window_start=x0,
        window_end=float(x[-1]),
        t=x,
        y=yw,
        y_fit=y_fit,
        residuals=resid,
    )


def _tau_avg_and_gradient(amps: np.ndarray, taus: np.ndarray) -> tuple[float, np.ndarray]:
    """τ_avg = Σ A t² / Σ A t and its gradient with respect to (A_i, ln t_i)."""
    s1 = float(np.sum(amps * taus))
    s2 = float(np.sum(amps * taus**2))
    if s1 <= 0:
        return math.nan, np.zeros(2 * amps.size)
    tau_avg = s2 / s1
    d_amp = (taus**2 * s1 - taus * s2) / s1**2
    d_tau = (2 * amps * taus * s1 - amps * s2) / s1**2
    return tau_avg, np.concatenate([d_amp, d_tau * taus])
