"""What the decay fits share (:func:`~lnhet_widgets.core.analysis.fit_decay`,
:func:`~lnhet_widgets.core.analysis.fit_rise_decay`): checked data and fit windows, weights,
the lifetime grid of the starting-value searches, weighted least squares and its errors.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.optimize import least_squares

_GRID_LIFETIMES = 24
_GRID_POINTS = 2000
_MIN_POINTS_PER_PARAMETER = 3
# A fit with more exponentials than the data hold can wander along a flat valley (two equal
# lifetimes, or a component shorter than a channel that fits the first point) for hundreds of
# steps without changing τ_avg. The fits of the bundled measurements take at most 17 evaluations
# per parameter.
_MAX_EVALUATIONS_PER_PARAMETER = 30


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


def _lightly_smoothed(y: np.ndarray) -> np.ndarray:
    """``y`` averaged over 0.5 % of its points (at least 3): enough for the noise of single
    channels not to decide where a maximum or the steepest rise is."""
    return uniform_filter1d(y, max(3, y.size // 200), mode="nearest")


def _window_indices(t: np.ndarray, y: np.ndarray, window) -> tuple[int, int]:
    if window is None:
        # Start at the maximum of the lightly smoothed curve: a rising part (feeding by energy
        # transfer, or the instrument response) is not a decay.
        return int(np.argmax(_lightly_smoothed(y))), t.size
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


def _start_grid(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points and lifetimes of the grid searches for starting values: at most
    ``_GRID_POINTS`` of the window, and ``_GRID_LIFETIMES`` log-spaced lifetimes from a
    channel (or 1e-4 of the window) to twice the window."""
    rows = np.arange(x.size)
    if x.size > _GRID_POINTS:
        rows = np.unique(np.linspace(0, x.size - 1, _GRID_POINTS).astype(int))
    span = x[-1] - x[0]
    step = np.median(np.diff(x))
    return rows, np.geomspace(max(step, span * 1e-4), 2.0 * span, _GRID_LIFETIMES)


def _weighted_fit(y, sigma, weight_name, model_and_jacobian, start_vector, bounds, x_scale):
    """Least squares of (y − model)/σ, with the Pearson refits for Poisson data.

    Returns the parameters, the weighted residuals and their Jacobian at the solution, and σ.
    """
    state = {"sigma": sigma, "p": None, "value": None}

    def evaluate(p):
        if state["p"] is None or not np.array_equal(p, state["p"]):
            state["p"], state["value"] = p.copy(), model_and_jacobian(p)
        return state["value"]

    def residual(p):
        return (y - evaluate(p)[0]) / state["sigma"]

    def jacobian(p):
        return -evaluate(p)[1] / state["sigma"][:, None]

    # Weights from the data (Neyman) bias a Poisson fit low by about one count; refitting with
    # σ² from the model (Pearson) removes that bias in two passes.
    passes = 3 if weight_name == "poisson" else 1
    for _ in range(passes):
        solution = least_squares(residual, start_vector, jac=jacobian, bounds=bounds,
                                 x_scale=x_scale, method="trf",
                                 max_nfev=_MAX_EVALUATIONS_PER_PARAMETER * start_vector.size)
        start_vector = solution.x
        if weight_name == "poisson":
            state["sigma"] = np.sqrt(np.maximum(evaluate(solution.x)[0], 1.0))
    p = solution.x
    return p, residual(p), jacobian(p), state["sigma"]


def _fit_statistics(resid: np.ndarray, jac: np.ndarray, weight_name: str,
                    free=None) -> tuple[float, np.ndarray, np.ndarray]:
    """χ² per degree of freedom, covariance and standard errors of a weighted fit.

    Parameters not ``free`` get zero covariance and NaN errors. With equal weights σ is not
    known, so the covariance is scaled by the reduced χ² (the scatter estimates σ²).
    """
    n_params = jac.shape[1]
    reduced_chi2 = float(resid @ resid / max(resid.size - n_params, 1))
    if free is None:
        free = np.ones(n_params, dtype=bool)
    covariance = np.zeros((n_params, n_params))
    jac_free = jac[:, free]
    covariance[np.ix_(free, free)] = np.linalg.pinv(jac_free.T @ jac_free)
    if weight_name == "none":
        covariance = covariance * reduced_chi2
    errors = np.where(free, np.sqrt(np.clip(np.diag(covariance), 0.0, None)), np.nan)
    return reduced_chi2, covariance, errors
