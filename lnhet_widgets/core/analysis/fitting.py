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
  Give ``window`` to choose another range, or fit the rise too with
  :func:`~lnhet_widgets.core.analysis.fit_rise_decay`.
* **Starting values** come from a grid search by variable projection: for every combination of
  n lifetimes from a log-spaced grid spanning the window, the amplitudes and the offset are
  linear and solved exactly; the best combination with positive amplitudes starts the
  nonlinear fit. No user guess is needed, and the fit does not fall into the local minimum of
  two equal lifetimes. (Each combination is solved on the QR-compressed design, so the
  search costs the same for 100 or 10 000 points.)
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

**Reconvolution with a measured instrument response** (``irf=``, e.g. TCSPC, where the laser
pulse and the detector are not much shorter than the lifetimes): the model becomes

    y(t) = y0 + Σ_i A_i [IRF(· − s) ⊛ exp(−·/t_i)](t),

with the IRF normalised to unit sum, so A_i keeps its meaning (the amplitude the exponential
would have after an instantaneous excitation), and τ_avg is computed as before.

* The IRF is shifted by a fitted s (sub-channel, by cubic convolution between its samples;
  colour and timing drift put the measured IRF a few channels off; |s| ≤ a quarter of the
  record). s is reported as ``irf_shift ± irf_shift_err``; ``x0`` is the centroid of the
  shifted IRF (the time origin of the exponentials' tails) with ``x0_err`` = ``irf_shift_err``.
* How the convolution is computed (linear, fourth order in the channel width):
  :mod:`~lnhet_widgets.core.analysis.reconvolution`.
* The default window is the whole record: the rising edge is what fixes s, and the points
  before the pulse fix y0. A window that leaves out the rising edge leaves s undetermined.

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
from scipy.optimize import nnls

from .._base.results import ResultIO, write_csv
from ._fit_common import (
    _MIN_POINTS_PER_PARAMETER,
    _checked_data,
    _fit_statistics,
    _lifetime_bounds,
    _sigma,
    _start_grid,
    _weighted_fit,
    _window_indices,
)
from .reconvolution import (
    _checked_irf,
    _convolved,
    _irf_start_shift,
    _reconvolution_model,
    _shifted_irf,
)

__all__ = ["DecayFit", "ReconvolutionFit", "fit_decay", "multi_exponential"]


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


@dataclass(frozen=True)
class ReconvolutionFit(DecayFit):
    """Result of :func:`fit_decay` with a measured instrument response (``irf=``).

    Adds to :class:`DecayFit` (whose ``x0`` is here the centroid of the shifted IRF):

    Attributes
    ----------
    irf_shift, irf_shift_err : float
        Fitted shift of the IRF (positive: later than measured) and its standard error.
    irf : ndarray
        The IRF as given, normalised to unit sum, on the uniform grid of the whole record.
    irf_start, irf_step : float
        First time and step of that grid.
    """

    irf_shift: float
    irf_shift_err: float
    irf: np.ndarray
    irf_start: float
    irf_step: float

    def __call__(self, t) -> np.ndarray:
        """Evaluate the reconvolved model at ``t`` (interpolated between grid channels)."""
        t = np.asarray(t, dtype=float)
        size = max(self.irf.size, math.ceil((float(np.max(t)) - self.irf_start)
                                            / self.irf_step) + 2)
        grid = self.irf_start + self.irf_step * np.arange(size)
        padded = np.zeros(size)
        padded[:self.irf.size] = self.irf
        shifted, _ = _shifted_irf(padded, self.irf_shift / self.irf_step)
        columns = _convolved(shifted, self.irf_step, self.lifetimes)
        return np.interp(t, grid, self.y0 + columns @ self.amplitudes, left=self.y0)

    def to_csv(self, path=None) -> str:
        """Write the fitted points (t, y, y_fit, residuals) and the shifted IRF there as CSV."""
        shifted, _ = _shifted_irf(self.irf, self.irf_shift / self.irf_step)
        irf_here = np.interp(self.t, self.irf_start + self.irf_step * np.arange(self.irf.size),
                             shifted)
        return write_csv({"t": self.t, "y": self.y, "y_fit": self.y_fit,
                          "residuals": self.residuals, "irf": irf_here}, path)


def _fit_window(t: np.ndarray, y: np.ndarray, window, irf: bool) -> tuple[int, int]:
    """Index range that :func:`fit_decay` fits: with an IRF the whole record by default."""
    if irf and window is None:
        return 0, t.size
    return _window_indices(t, y, window)


def _n_parameters(n_exp: int, irf: bool) -> int:
    """Free parameters of a fit: A_i, ln t_i, y0 and, with an IRF, its shift."""
    return 2 * n_exp + 1 + int(irf)


def _min_points(n_exp: int, irf: bool) -> int:
    return _MIN_POINTS_PER_PARAMETER * _n_parameters(n_exp, irf)


def _grid_start(x: np.ndarray, y: np.ndarray, sigma: np.ndarray, n_exp: int, basis=None):
    """Best (amplitudes, lifetimes, y0) over a log grid of lifetimes, by variable projection.

    ``basis(rows, lifetimes)`` gives the unweighted model columns of unit amplitude at the
    window points ``rows`` (default: exp(−x/t)). Amplitudes are non-negative (NNLS) and the
    offset takes either sign. Combinations with every amplitude positive are preferred; a
    curve that is simpler than ``n_exp`` exponentials (a single exponential asked for three)
    falls back to the best combination with some amplitudes at zero, and the nonlinear fit
    starts from there.
    """
    rows, grid = _start_grid(x)
    if basis is None:
        columns = np.exp(-x[rows, None] / grid[None, :])
    else:
        columns = basis(rows, grid)
    weight = 1.0 / sigma[rows]
    # ‖D_S c − b‖² = ‖R_S c − Qᵀb‖² + const for D = QR, so every combination S is solved on
    # the small triangular factor instead of on all the points.
    q, r = np.linalg.qr(np.column_stack([columns * weight[:, None], weight]))
    target = q.T @ (y[rows] * weight)
    offset = np.column_stack([r[:, -1], -r[:, -1]])
    best = {True: None, False: None}
    for combo in itertools.combinations(range(grid.size), n_exp):
        design = np.column_stack([r[:, list(combo)], offset])
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


def _free_parameters(amplitudes: np.ndarray, n_params: int) -> np.ndarray:
    """Which of (A_i, ln t_i, the rest) the covariance treats as free.

    A component whose amplitude ended on its bound (zero) carries no information: its
    amplitude and lifetime are held fixed.
    """
    active = amplitudes > 1e-9 * max(float(amplitudes.max()), 1e-300)
    return np.concatenate([active, active, np.ones(n_params - 2 * amplitudes.size, dtype=bool)])


def fit_decay(t, y, *, n_exp: int = 1, weights="auto", window=None, irf=None) -> DecayFit:
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
        Range of ``t`` to fit, inclusive. Default: from the maximum of the curve to the end
        (with ``irf``: the whole record, rising edge included).
    irf : array_like, optional
        Measured instrument response on the same time grid as ``y`` (which must then be
        uniform), background subtracted; any scale. The exponentials are convolved with it
        and its shift is fitted (see the module notes).

    Returns
    -------
    DecayFit
        A :class:`ReconvolutionFit` when ``irf`` is given.

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

    With an instrument response (a Gaussian of 0.2 ns FWHM) the lifetime is recovered from the
    rising edge on, where a plain fit from the maximum would miss the early decay:

    >>> from scipy.stats import exponnorm  # a Gaussian convolved with an exponential
    >>> t = np.arange(1000) * 0.02  # ns
    >>> width = 0.2 / 2.3548
    >>> irf = np.exp(-0.5 * ((t - 2.0) / width) ** 2)
    >>> y = 5.0 + 1000.0 * 1.5 * exponnorm.pdf(t, 1.5 / width, loc=2.0, scale=width)
    >>> fit = fit_decay(t, y, irf=irf, weights=None)
    >>> round(float(fit.lifetimes[0]), 4), round(float(fit.amplitudes[0]), 1), round(fit.x0, 4)
    (1.5, 1000.0, 2.0)
    """
    if n_exp not in (1, 2, 3):
        raise ValueError(f"n_exp must be 1, 2 or 3, got {n_exp!r}")
    t, y = _checked_data(t, y)
    if irf is not None:
        irf, step = _checked_irf(t, irf)
    start, stop = _fit_window(t, y, window, irf is not None)
    x, yw = t[start:stop], y[start:stop]
    n_params = _n_parameters(n_exp, irf is not None)
    if x.size < _min_points(n_exp, irf is not None):
        raise ValueError(f"the fit window holds {x.size} points; {n_exp} exponentials need at "
                         f"least {_min_points(n_exp, irf is not None)}")
    sigma, weight_name = _sigma(yw, weights)
    x0 = float(x[0])
    xr = x - x0
    scale = max(float(np.max(np.abs(yw))), 1e-300)
    tau_min, tau_max = _lifetime_bounds(xr)
    lower = np.concatenate([np.zeros(n_exp), np.full(n_exp, math.log(tau_min)), [-np.inf]])
    upper = np.concatenate([np.full(n_exp, np.inf), np.full(n_exp, math.log(tau_max)), [np.inf]])
    x_scale = np.concatenate([np.full(n_exp, scale), np.ones(n_exp), [scale]])

    if irf is None:
        amplitudes, lifetimes, y0 = _grid_start(xr, yw, sigma, n_exp)
        start_vector = np.concatenate([amplitudes, np.log(lifetimes), [y0]])

        def model_and_jacobian(p):
            jac = np.empty((xr.size, n_params))
            for i in range(n_exp):
                tau = math.exp(p[n_exp + i])
                e = np.exp(-xr / tau)
                jac[:, i] = e
                jac[:, n_exp + i] = p[i] * e * xr / tau
            jac[:, -1] = 1.0
            return p[-1] + jac[:, :n_exp] @ p[:n_exp], jac
    else:
        shift0 = _irf_start_shift(y, irf) * step
        irf0, _ = _shifted_irf(irf, shift0 / step)
        amplitudes, lifetimes, y0 = _grid_start(
            xr, yw, sigma, n_exp,
            basis=lambda rows, grid: _convolved(irf0, step, grid)[start:stop][rows])
        start_vector = np.concatenate([amplitudes, np.log(lifetimes), [y0, shift0]])
        reach = 0.25 * float(t[-1] - t[0])
        lower, upper = np.append(lower, -reach), np.append(upper, reach)
        x_scale = np.append(x_scale, step)
        model_and_jacobian = _reconvolution_model(irf, step, start, stop, n_exp)

    start_vector[n_exp:2 * n_exp] = np.clip(start_vector[n_exp:2 * n_exp], lower[n_exp:2 * n_exp],
                                            upper[n_exp:2 * n_exp])
    p, resid, jac, sigma = _weighted_fit(yw, sigma, weight_name, model_and_jacobian,
                                         start_vector, (lower, upper), x_scale)
    amps = p[:n_exp]
    reduced_chi2, covariance, errors = _fit_statistics(resid, jac, weight_name,
                                                       _free_parameters(amps, n_params))

    u = p[n_exp:2 * n_exp]
    taus = np.exp(u)
    order = np.argsort(taus)
    tau_avg, gradient = _tau_avg_and_gradient(amps, taus)
    tau_avg_err = float(np.sqrt(max(gradient @ covariance[:2 * n_exp, :2 * n_exp] @ gradient,
                                    0.0)))
    fields = dict(
        n_exp=n_exp,
        amplitudes=amps[order],
        amplitudes_err=errors[:n_exp][order],
        lifetimes=taus[order],
        lifetimes_err=(taus * errors[n_exp:2 * n_exp])[order],
        y0=float(p[2 * n_exp]),
        y0_err=float(errors[2 * n_exp]),
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
        y_fit=yw - resid * sigma,
        residuals=resid,
    )
    if irf is None:
        return DecayFit(**fields)
    shift, shift_err = float(p[-1]), float(errors[-1])
    fields.update(x0=float(t @ irf) + shift, x0_err=shift_err)
    return ReconvolutionFit(**fields, irf_shift=shift, irf_shift_err=shift_err, irf=irf,
                            irf_start=float(t[0]), irf_step=step)


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
