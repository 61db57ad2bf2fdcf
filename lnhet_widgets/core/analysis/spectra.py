"""The Tauc gap and the emission convergence point (SCIENCE §8, §10), from what a spectrometer
gives (energies or wavelengths and intensities), each returning a small result dataclass with
the number P1 reports and what it was read from.

Examples
--------
>>> e = np.linspace(2.3, 2.7, 401)
>>> absorbance = np.sqrt(np.clip(e - 2.42, 0, None)) / e     # an ideal direct-gap edge
>>> round(tauc_gap(e, absorbance).gap_ev, 4)
2.42
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO

__all__ = ["EcpResult", "TaucFit", "ecp", "tauc_gap"]


@dataclass(frozen=True)
class TaucFit(ResultIO):
    """Direct-gap Tauc fit: (αhν)² = slope · (hν − gap) over ``window_ev``.

    Attributes
    ----------
    gap_ev, gap_err_ev : float
        Band gap (the line's zero) and its standard error, eV.
    slope, intercept : float
        The fitted line in (αhν)² units.
    window_start_ev, window_end_ev : float
        Energies of the fitted points.
    energy_ev, tauc : ndarray
        hν and (αhν)² over the whole input, for plotting.
    """

    gap_ev: float
    gap_err_ev: float
    slope: float
    intercept: float
    window_start_ev: float
    window_end_ev: float
    energy_ev: np.ndarray
    tauc: np.ndarray


def _edge_window(energy: np.ndarray, tauc: np.ndarray) -> tuple[float, float]:
    """The straight part of the edge: around the steepest rise of (αhν)², below the exciton.

    The curve is smoothed first (Savitzky–Golay over ~3 % of the points), so that noise in a
    measured spectrum neither fakes an exciton maximum nor a steepest point. The search stops
    at the first maximum that stands out by 5 % of the curve's range (the exciton peak) when
    there is one; the window is the contiguous run of points around the steepest point whose
    slope is at least half the steepest slope.
    """
    # imported here: scipy.signal and .stats take 0.3 s, a third of the core's import
    from scipy.signal import find_peaks, savgol_filter
    points = max(5, (energy.size // 30) | 1)
    smooth = savgol_filter(tauc, points, 2) if energy.size > points else tauc
    slope = np.gradient(smooth, energy)
    span = float(np.ptp(smooth)) or 1.0
    maxima, _ = find_peaks(smooth, prominence=0.05 * span)
    end = int(maxima[0]) + 1 if maxima.size else energy.size
    steepest = int(np.argmax(slope[:end]))
    steep = slope >= 0.5 * slope[steepest]
    low = steepest
    while low > 0 and steep[low - 1]:
        low -= 1
    high = steepest
    while high < end - 1 and steep[high + 1]:
        high += 1
    return float(energy[low]), float(energy[high])


def tauc_gap(energy_ev, absorbance, *, window=None) -> TaucFit:
    """Band gap from a Tauc plot for a direct allowed transition, (αhν)² against hν.

    Parameters
    ----------
    energy_ev : array_like
        Photon energies hν, eV (any order).
    absorbance : array_like
        Absorbance or absorption coefficient α (any unit; the gap does not depend on it).
    window : (low, high), optional
        Energies (eV) of the straight part to fit. Default: the run of points around the
        steepest rise of (αhν)² (below the exciton peak, if there is one) whose slope is at
        least half the steepest.

    Returns
    -------
    TaucFit

    Examples
    --------
    >>> e = np.linspace(2.3, 2.7, 401)
    >>> fit = tauc_gap(e, np.sqrt(np.clip(e - 2.42, 0, None)) / e, window=(2.45, 2.6))
    >>> round(fit.gap_ev, 6)
    2.42
    """
    energy = np.asarray(energy_ev, dtype=float)
    alpha = np.asarray(absorbance, dtype=float)
    if energy.ndim != 1 or alpha.shape != energy.shape or energy.size < 5:
        raise ValueError("energy_ev and absorbance must be 1-D arrays of the same length (≥ 5)")
    if not (np.all(np.isfinite(energy)) and np.all(np.isfinite(alpha))):
        raise ValueError("energy_ev and absorbance must be finite")
    order = np.argsort(energy)
    energy, alpha = energy[order], alpha[order]
    tauc = (np.clip(alpha, 0.0, None) * energy) ** 2
    low, high = _edge_window(energy, tauc) if window is None else map(float, window)
    if not low < high:
        raise ValueError(f"window = ({low:g}, {high:g}) eV must have low < high")
    inside = (energy >= low) & (energy <= high)
    # A line with an error estimate needs more points than parameters plus two.
    if inside.sum() < 4:
        raise ValueError(f"the Tauc window ({low:g}, {high:g}) eV holds {inside.sum()} points; "
                         "the fit needs at least 4")
    (slope, intercept), covariance = np.polyfit(energy[inside], tauc[inside], 1, cov=True)
    if slope <= 0:
        raise ValueError(f"(αhν)² does not rise across ({low:g}, {high:g}) eV; no absorption "
                         "edge there")
    gap = -intercept / slope
    # Error of the zero −b/a from the covariance of (a, b).
    gradient = np.array([intercept / slope**2, -1.0 / slope])
    gap_err = float(np.sqrt(max(gradient @ covariance @ gradient, 0.0)))
    return TaucFit(gap_ev=float(gap), gap_err_ev=gap_err, slope=float(slope),
                   intercept=float(intercept), window_start_ev=float(energy[inside][0]),
                   window_end_ev=float(energy[inside][-1]), energy_ev=energy, tauc=tauc)


@dataclass(frozen=True)
class EcpResult(ResultIO):
    """Emission convergence point of a dilution series (see :func:`ecp`).

    Attributes
    ----------
    ecp_nm : float
        The converged peak: the mean peak of the converged dilutions.
    converged : ndarray of bool
        Per dilution (sorted by concentration): within ``tolerance_nm`` of the next dilution.
    concentrations, peak_nm : ndarray
        The series, sorted by concentration (lowest first).
    red_shift_nm : float
        Peak of the most concentrated sample minus the ECP.
    """

    ecp_nm: float
    converged: np.ndarray
    concentrations: np.ndarray
    peak_nm: np.ndarray
    red_shift_nm: float


def ecp(concentrations, peak_nm, *, tolerance_nm: float = 0.5) -> EcpResult:
    """Emission convergence point: where further dilution no longer moves the PL peak.

    Reabsorption moves the observed peak to the red in concentrated samples; the ECP is the
    peak of the dilute limit, read from the dilutions whose peaks agree with the next more
    dilute one within ``tolerance_nm`` (P1 reports CsPbBr3 at 508 nm, 504 nm with cores).

    Parameters
    ----------
    concentrations : array_like
        Concentrations (any unit, > 0).
    peak_nm : array_like
        Observed PL peak wavelength of each, nm.
    tolerance_nm : float
        Largest peak change between successive dilutions that counts as converged, nm.

    Raises
    ------
    ValueError
        If the two most dilute samples still differ by more than ``tolerance_nm``: the series
        has not reached the ECP (dilute further).

    Examples
    --------
    >>> ecp([1.0, 0.3, 0.1, 0.03, 0.01], [515.2, 511.0, 508.6, 508.2, 508.1]).ecp_nm
    508.3
    """
    c = np.asarray(concentrations, dtype=float).ravel()
    peaks = np.asarray(peak_nm, dtype=float).ravel()
    if c.shape != peaks.shape or c.size < 2:
        raise ValueError("concentrations and peak_nm need the same length, at least 2")
    if np.any(~(c > 0)) or not np.all(np.isfinite(peaks)):
        raise ValueError("concentrations must be > 0 and peak_nm finite")
    if not tolerance_nm > 0:
        raise ValueError(f"tolerance_nm must be > 0 nm, got {tolerance_nm!r}")
    order = np.argsort(c)
    c, peaks = c[order], peaks[order]
    step = np.abs(np.diff(peaks))
    if step[0] > tolerance_nm:
        raise ValueError(f"the peak still moves by {step[0]:.2f} nm between the two most dilute "
                         f"samples (tolerance {tolerance_nm:g} nm): dilute further to reach the "
                         "ECP")
    # Converged: the dilute run of samples whose successive peaks agree within the tolerance.
    run = 1 + int(np.argmax(step > tolerance_nm)) if np.any(step > tolerance_nm) else c.size
    converged = np.zeros(c.size, dtype=bool)
    converged[:run] = True
    value = float(np.round(peaks[converged].mean(), 6))
    return EcpResult(ecp_nm=value, converged=converged, concentrations=c, peak_nm=peaks,
                     red_shift_nm=float(peaks[-1] - value))
