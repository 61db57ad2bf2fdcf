"""Analysis of measured powder patterns: Bragg d-spacings, peak fits, lattice constants and
Scherrer sizes (SCIENCE.md §10).

The steps a user takes with a diffractogram, each a plain function:

* :func:`bragg_d_spacing` — d = λ / (2 sin θ).
* :func:`find_xrd_peaks` — candidate maxima from :func:`scipy.signal.find_peaks`, each refined
  by a local least-squares fit of a pseudo-Voigt on a linear background (position, FWHM,
  height and their standard errors).
* :func:`lattice_constant` — a (cubic) or a and c (hexagonal) from indexed peaks, by weighted
  linear least squares on 1/d², which is linear in 1/a² and 1/c².
* :func:`scherrer_size` — crystallite size D = Kλ / (β cos θ), with the instrumental width
  removed in quadrature.

Examples
--------
>>> round(float(bragg_d_spacing(30.0)), 4)
2.9762
>>> fit = lattice_constant([21.1, 30.01, 36.99], [(1, 1, 0), (2, 0, 0), (2, 1, 1)])
>>> round(fit.a_a, 2)
5.95
>>> round(scherrer_size(0.9, 30.0), 2)
9.14
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.signal import find_peaks, peak_widths

from .._base.results import ResultIO
from .._base.validate import check_range
from ..crystal.xrd import CU_KALPHA1_A, _check_two_theta, _check_wavelength, _pseudo_voigt

__all__ = [
    "LatticeFit",
    "XrdPeaks",
    "bragg_d_spacing",
    "find_xrd_peaks",
    "index_cubic",
    "lattice_constant",
    "scherrer_size",
]

_SYSTEMS = ("cubic", "hexagonal")
_PROFILES = ("pseudo-voigt", "gaussian")
# Half-width of an automatic fit window in units of the estimated FWHM: wide enough to pin
# the background on both sides, narrow enough to keep neighbours out.
_WINDOW_FWHM = 2.5
# Fewest samples on each side of a peak in a fit window, however narrow the peak.
_MIN_SIDE_POINTS = 4


# ------------------------------------------------------------------------------ Bragg's law


def bragg_d_spacing(two_theta_deg, *, wavelength_a: float = CU_KALPHA1_A):
    """Interplanar spacing from Bragg's law, d = λ / (2 sin θ).

    Parameters
    ----------
    two_theta_deg : float or array_like
        Diffraction angles 2θ in degrees, each in (0, 180).
    wavelength_a : float
        X-ray wavelength in Å, in (0.1, 5]. Default Cu Kα1 (1.5406 Å).

    Returns
    -------
    float or ndarray
        d in Å, a float for a scalar input, else an array of the input's shape.

    Examples
    --------
    >>> round(float(bragg_d_spacing(14.877)), 3)
    5.95
    >>> bragg_d_spacing([21.1, 30.01]).round(3).tolist()
    [4.207, 2.975]
    """
    wavelength_a = _check_wavelength(wavelength_a)
    shape = np.shape(two_theta_deg)
    angles = _check_two_theta(np.ravel(two_theta_deg))
    d = wavelength_a / (2.0 * np.sin(np.radians(angles) / 2.0))
    return float(d[0]) if shape == () else d.reshape(shape)


def _two_theta_of_d(d_a: np.ndarray, wavelength_a: float) -> np.ndarray:
    return 2.0 * np.degrees(np.arcsin(np.clip(wavelength_a / (2.0 * d_a), -1.0, 1.0)))


# ------------------------------------------------------------------------------ peak search


@dataclass(frozen=True, eq=False)
class XrdPeaks(ResultIO):
    """Peaks of a powder pattern, each from a local pseudo-Voigt fit, sorted by 2θ.

    Attributes
    ----------
    two_theta_deg, two_theta_err_deg : (n,) ndarray
        Fitted peak positions 2θ and their standard errors, degrees.
    fwhm_deg, fwhm_err_deg : (n,) ndarray
        Full widths at half maximum in degrees 2θ and their standard errors.
    height : (n,) ndarray
        Peak heights above the local background, in the units of the intensity.
    lorentzian_fraction : (n,) ndarray
        Pseudo-Voigt mixing η (0 Gaussian, 1 Lorentzian); 0 for ``profile="gaussian"``.
    d_spacing_a, d_spacing_err_a : (n,) ndarray
        Bragg spacings of the positions and their standard errors, Å.
    wavelength_a : float
        The wavelength the spacings were computed with, Å.

    A peak whose fit did not converge keeps its search estimates and NaN errors.
    """

    two_theta_deg: np.ndarray
    two_theta_err_deg: np.ndarray
    fwhm_deg: np.ndarray
    fwhm_err_deg: np.ndarray
    height: np.ndarray
    lorentzian_fraction: np.ndarray
    d_spacing_a: np.ndarray
    d_spacing_err_a: np.ndarray
    wavelength_a: float

    def __len__(self) -> int:
        return len(self.two_theta_deg)

    def profile(self, two_theta_deg) -> np.ndarray:
        """Sum of the fitted peak shapes (without background) on a 2θ grid, for plotting.

        Examples
        --------
        >>> tt = np.linspace(20.0, 40.0, 2001)
        >>> peaks = find_xrd_peaks(tt, 100.0 * np.exp(-4 * np.log(2) * ((tt - 30) / 0.2) ** 2))
        >>> round(float(peaks.profile([30.0])[0]), 1)
        100.0
        """
        grid = np.asarray(two_theta_deg, dtype=float)
        out = np.zeros_like(grid)
        for centre, fwhm, height, eta in zip(self.two_theta_deg, self.fwhm_deg, self.height,
                                             self.lorentzian_fraction, strict=True):
            out += height * _pseudo_voigt(grid - centre, fwhm, eta)
        return out


def _check_pattern(two_theta_deg, intensity) -> tuple[np.ndarray, np.ndarray]:
    angles = _check_two_theta(two_theta_deg)
    try:
        y = np.array(intensity, dtype=float, ndmin=1)
    except (TypeError, ValueError):
        raise ValueError(f"intensity must be numbers, got {intensity!r}") from None
    if y.shape != angles.shape:
        raise ValueError(
            f"two_theta_deg and intensity must have the same length, got {angles.size} "
            f"and {y.size}"
        )
    if angles.size < 2 * _MIN_SIDE_POINTS + 1:
        raise ValueError(
            f"a pattern needs at least {2 * _MIN_SIDE_POINTS + 1} points, got {angles.size}"
        )
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ValueError(f"intensity[{bad[0]}] = {y[bad[0]]} is not a finite number")
    order = np.argsort(angles, kind="stable")
    angles, y = angles[order], y[order]
    if np.any(np.diff(angles) == 0):
        raise ValueError("two_theta_deg holds the same angle twice; give each angle once")
    return angles, y


def _model(profile: str, x0: float):
    """Peak on a linear background; the background is centred on x0 for conditioning."""
    if profile == "gaussian":
        def gaussian(x, centre, fwhm, height, b0, b1):
            return height * _pseudo_voigt(x - centre, fwhm, 0.0) + b0 + b1 * (x - x0)
        return gaussian

    def pseudo_voigt(x, centre, fwhm, height, eta, b0, b1):
        return height * _pseudo_voigt(x - centre, fwhm, eta) + b0 + b1 * (x - x0)
    return pseudo_voigt


def _fit_window(x, y, lo, hi, centre0, fwhm0, height0, profile):
    """Fit one peak on x[lo:hi]; returns (centre, fwhm, height, eta) and their errors."""
    xs, ys = x[lo:hi], y[lo:hi]
    scale = float(np.ptp(ys)) or 1.0  # fit in units of the window's range: well conditioned
    ys = ys / scale
    span = float(xs[-1] - xs[0])
    step = float(np.min(np.diff(xs)))
    b0 = float(min(ys[0], ys[-1]))
    b1 = float((ys[-1] - ys[0]) / span)
    h0 = max(height0 / scale, 1e-12)
    p0 = [centre0, fwhm0, h0, b0, b1]
    low = [xs[0], step / 4, 0.0, -np.inf, -np.inf]
    high = [xs[-1], 4 * span, np.inf, np.inf, np.inf]
    if profile == "pseudo-voigt":
        p0.insert(3, 0.5)
        low.insert(3, 0.0)
        high.insert(3, 1.0)
    p0 = np.clip(p0, np.nextafter(low, np.inf), np.nextafter(high, -np.inf))
    try:
        with warnings.catch_warnings():
            # As many points as parameters leave the covariance undefined: NaN errors below.
            warnings.simplefilter("ignore", OptimizeWarning)
            popt, pcov = curve_fit(_model(profile, centre0), xs, ys, p0=p0, bounds=(low, high))
    except (RuntimeError, ValueError):
        return (centre0, fwhm0, height0, 0.5 if profile == "pseudo-voigt" else 0.0), (np.nan,) * 3
    variances = np.diag(pcov)
    errors = np.where(np.isfinite(variances), np.sqrt(np.clip(variances, 0.0, None)), np.nan)
    eta = popt[3] if profile == "pseudo-voigt" else 0.0
    return (popt[0], popt[1], popt[2] * scale, eta), (errors[0], errors[1], errors[2] * scale)


def find_xrd_peaks(
    two_theta_deg,
    intensity,
    *,
    min_prominence: float = 0.05,
    window_deg: float | None = None,
    wavelength_a: float = CU_KALPHA1_A,
    profile: str = "pseudo-voigt",
) -> XrdPeaks:
    """Find and fit the peaks of a powder pattern.

    Candidates are the local maxima whose prominence is at least ``min_prominence`` times the
    intensity range (max − min) of the pattern (:func:`scipy.signal.find_peaks`), with the
    FWHM estimated by :func:`scipy.signal.peak_widths`. Each candidate is then refined by a
    least-squares fit (:func:`scipy.optimize.curve_fit`) of

        y = H · [η L(x) + (1 − η) G(x)] + b0 + b1 (x − x0)

    (unit-height Lorentzian L and Gaussian G of the same FWHM) over its own window. Standard
    errors come from the covariance scaled by the residual variance, i.e. the noise level is
    estimated from the fit itself.

    Parameters
    ----------
    two_theta_deg : array_like
        Angles 2θ in degrees, each in (0, 180), any order, each angle once.
    intensity : array_like
        Counts or intensity at each angle (any unit), finite.
    min_prominence : float
        Smallest prominence of a peak relative to the pattern's intensity range, in (0, 1].
    window_deg : float, optional
        Full width of every fit window in degrees 2θ, centred on the candidate, in (0, 60].
        By default each window spans ±2.5 estimated FWHM (at least 4 samples each side),
        cut at the lowest point between the peak and each neighbouring candidate.
    wavelength_a : float
        X-ray wavelength in Å for the d-spacings, in (0.1, 5]. Default Cu Kα1.
    profile : {"pseudo-voigt", "gaussian"}
        Peak shape; a Gaussian has one parameter fewer and suits coarse sampling.

    Returns
    -------
    XrdPeaks
        One entry per candidate, sorted by 2θ (possibly empty).

    Notes
    -----
    Limitations, stated so that a user can judge a result:

    * Each peak is fitted alone. A neighbour closer than about 3 FWHM leaves its tail in the
      window, where the linear background absorbs only part of it; positions then shift by a
      fraction of the FWHM toward the neighbour, and peaks closer than about one FWHM are not
      separated at all (one candidate, one broadened peak). Fit such doublets with a
      multi-peak model, or index them as one line.
    * Cu Kα2 is not modelled: a Kα1/Kα2 doublet appears as one asymmetric, broadened peak
      (its position biased to higher 2θ). Strip Kα2 first, or measure with a monochromator.
    * The profile is symmetric, so asymmetry from axial divergence at low angles biases the
      position slightly.

    Examples
    --------
    >>> from lnhet_widgets.core.crystal import powder_pattern
    >>> tt, y = powder_pattern("CsPbBr3", np.arange(10.0, 45.0, 0.02))
    >>> peaks = find_xrd_peaks(tt, y)
    >>> peaks.two_theta_deg.round(2).tolist()
    [14.88, 21.1, 25.92, 30.01, 33.65, 36.98, 42.96]
    >>> peaks.d_spacing_a.round(3).tolist()[:2]
    [5.95, 4.207]
    """
    x, y = _check_pattern(two_theta_deg, intensity)
    min_prominence = check_range("min_prominence", min_prominence, "", 0.0, 1.0,
                                 low_inclusive=False)
    if window_deg is not None:
        window_deg = check_range("window_deg", window_deg, "°", 0.0, 60.0, low_inclusive=False)
    wavelength_a = _check_wavelength(wavelength_a)
    if profile not in _PROFILES:
        raise ValueError(f"profile must be one of {_PROFILES}, got {profile!r}")

    span = float(np.ptp(y))
    candidates, props = find_peaks(y, prominence=min_prominence * span if span else np.inf)
    index = np.arange(x.size, dtype=float)
    widths = peak_widths(y, candidates, rel_height=0.5, prominence_data=(
        props["prominences"], props["left_bases"], props["right_bases"]))
    fwhm0 = np.interp(widths[3], index, x) - np.interp(widths[2], index, x)
    # Valleys between neighbouring candidates bound the automatic windows.
    valleys = [int(a + np.argmin(y[a:b + 1])) for a, b in itertools.pairwise(candidates)]
    left_limits = [0, *valleys]
    right_limits = [*valleys, x.size - 1]

    rows = []
    for i, peak in enumerate(candidates):
        centre0 = float(x[peak])
        if window_deg is not None:
            lo = int(np.searchsorted(x, centre0 - window_deg / 2, side="left"))
            hi = int(np.searchsorted(x, centre0 + window_deg / 2, side="right"))
        else:
            half = _WINDOW_FWHM * fwhm0[i]
            lo = max(int(np.searchsorted(x, centre0 - half, side="left")), left_limits[i])
            hi = min(int(np.searchsorted(x, centre0 + half, side="right")), right_limits[i] + 1)
        lo = max(min(lo, peak - _MIN_SIDE_POINTS), 0)
        hi = min(max(hi, peak + _MIN_SIDE_POINTS + 1), x.size)
        values, errors = _fit_window(x, y, lo, hi, centre0, float(fwhm0[i]),
                                     float(props["prominences"][i]), profile)
        rows.append((*values, *errors))

    table = np.array(rows, dtype=float).reshape(-1, 7)
    table = table[np.argsort(table[:, 0], kind="stable")]
    centre, fwhm, height, eta, centre_err, fwhm_err = table[:, :6].T.copy()
    theta = np.radians(centre) / 2.0
    d = wavelength_a / (2.0 * np.sin(theta))
    # δd = d · cot θ · δθ, with δθ half the error of 2θ (in radians).
    d_err = d / np.tan(theta) * np.radians(centre_err) / 2.0
    return XrdPeaks(two_theta_deg=centre, two_theta_err_deg=centre_err, fwhm_deg=fwhm,
                    fwhm_err_deg=fwhm_err, height=height, lorentzian_fraction=eta,
                    d_spacing_a=d, d_spacing_err_a=d_err, wavelength_a=wavelength_a)


# ------------------------------------------------------------------------ lattice constants


@dataclass(frozen=True, eq=False)
class LatticeFit(ResultIO):
    """Lattice constants refined from indexed peak positions.

    Attributes
    ----------
    system : str
        ``"cubic"`` or ``"hexagonal"``.
    a_a, a_err_a : float
        Lattice constant a and its standard error, Å.
    c_a, c_err_a : float
        Lattice constant c and its standard error, Å (equal to a for a cubic cell, as in
        :class:`~lnhet_widgets.core.crystal.Material`).
    hkl : (n, 3) int ndarray
        Miller indices of the peaks (four-index hexagonal input is stored as hkl).
    two_theta_deg, two_theta_calc_deg, residual_deg : (n,) ndarray
        Observed 2θ, 2θ of the fitted cell and observed − calculated, degrees.
    d_spacing_a, d_calc_a : (n,) ndarray
        Observed and calculated spacings, Å.
    rms_residual_deg : float
        Root-mean-square of ``residual_deg``.
    reduced_chi2 : float
        χ² / (n − p) with the given 2θ errors; NaN when no errors were given.
    wavelength_a : float
        The wavelength used, Å.
    """

    system: str
    a_a: float
    a_err_a: float
    c_a: float
    c_err_a: float
    hkl: np.ndarray
    two_theta_deg: np.ndarray
    two_theta_calc_deg: np.ndarray
    residual_deg: np.ndarray
    d_spacing_a: np.ndarray
    d_calc_a: np.ndarray
    rms_residual_deg: float
    reduced_chi2: float
    wavelength_a: float


def _check_hkl(hkl, n_peaks: int, system: str) -> np.ndarray:
    try:
        indices = np.array(hkl, dtype=float, ndmin=2)
    except (TypeError, ValueError):
        raise ValueError(f"hkl must be integer Miller indices, got {hkl!r}") from None
    widths = (3, 4) if system == "hexagonal" else (3,)
    if indices.ndim != 2 or indices.shape[1] not in widths:
        shapes = " or ".join(f"(n, {w})" for w in widths)
        raise ValueError(f"hkl must have shape {shapes} for a {system} cell, "
                         f"got {indices.shape}")
    if len(indices) != n_peaks:
        raise ValueError(f"hkl must give one index per peak: {len(indices)} indices for "
                         f"{n_peaks} angles")
    if not np.all(np.isfinite(indices)) or np.any(indices != np.round(indices)):
        raise ValueError("hkl must hold integers")
    indices = indices.astype(int)
    if indices.shape[1] == 4:
        bad = np.flatnonzero(indices[:, 2] != -(indices[:, 0] + indices[:, 1]))
        if bad.size:
            raise ValueError(f"hkl[{bad[0]}] = {tuple(indices[bad[0]])} is not a valid "
                             "four-index (hkil) reflection: i must equal −(h + k)")
        indices = indices[:, [0, 1, 3]]
    zero = np.flatnonzero(~indices.any(axis=1))
    if zero.size:
        raise ValueError(f"hkl[{zero[0]}] is (0, 0, 0), which is not a reflection")
    return indices


def _design(hkl: np.ndarray, system: str) -> np.ndarray:
    """Rows of 1/d² = design · (1/a², 1/c²) (one column for a cubic cell)."""
    h, k, l = hkl.T.astype(float)  # noqa: E741
    if system == "cubic":
        return (h * h + k * k + l * l)[:, None]
    return np.column_stack([4.0 / 3.0 * (h * h + h * k + k * k), l * l])


def lattice_constant(
    two_theta_deg,
    hkl,
    *,
    wavelength_a: float = CU_KALPHA1_A,
    system: str = "cubic",
    two_theta_err_deg=None,
) -> LatticeFit:
    """Refine lattice constants from indexed peak positions.

    With Q = 1/d² = (2 sin θ / λ)², the cell enters linearly:

    * cubic: Q = (h² + k² + l²) · (1/a²)
    * hexagonal: Q = 4/3 (h² + hk + k²) · (1/a²) + l² · (1/c²)

    so (1/a², 1/c²) follow from weighted linear least squares, and a, c and their errors
    from the parameter covariance by linear propagation (δa = a³ δ(1/a²) / 2).

    Weights: with ``two_theta_err_deg`` each Q is weighted by 1/σ_Q², σ_Q = (2 sin 2θ/λ²) σ_2θ
    (σ_2θ in radians), and the covariance is scaled by the reduced χ² when that exceeds 1
    (the Birge ratio: systematic errors such as a zero shift or sample displacement are
    usually larger than the fitted position errors). Without errors all peaks weigh the same
    and the covariance is scaled by the residual variance.

    Parameters
    ----------
    two_theta_deg : array_like
        Peak positions 2θ in degrees, each in (0, 180).
    hkl : array_like of int, shape (n, 3) or, hexagonal only, (n, 4)
        Miller indices of each peak, e.g. from matching peaks to
        :func:`~lnhet_widgets.core.crystal.reflections` of the expected phase.
    wavelength_a : float
        X-ray wavelength in Å, in (0.1, 5]. Default Cu Kα1 (1.5406 Å).
    system : {"cubic", "hexagonal"}
        Crystal system of the cell.
    two_theta_err_deg : array_like, optional
        Standard errors of the positions in degrees (e.g. ``XrdPeaks.two_theta_err_deg``),
        each > 0.

    Returns
    -------
    LatticeFit

    Raises
    ------
    ValueError
        For fewer peaks than parameters + 1 (cubic 2, hexagonal 3, so that an error can be
        given), hkl of the wrong shape or (0, 0, 0), or hexagonal indices that cannot fix
        both a and c (all l = 0, or all h = k = 0).

    Examples
    --------
    >>> fit = lattice_constant([16.99, 24.71, 30.14, 42.80], [(1, 0, 0), (0, 0, 1),
    ...                        (1, 0, 1), (2, 0, 1)], system="hexagonal")
    >>> round(fit.a_a, 2), round(fit.c_a, 2)
    (6.02, 3.6)
    """
    if system not in _SYSTEMS:
        raise ValueError(f"system must be one of {_SYSTEMS}, got {system!r}")
    wavelength_a = _check_wavelength(wavelength_a)
    angles = _check_two_theta(two_theta_deg)
    indices = _check_hkl(hkl, angles.size, system)
    design = _design(indices, system)
    n_params = design.shape[1]
    if angles.size < n_params + 1:
        raise ValueError(
            f"a {system} cell needs at least {n_params + 1} indexed peaks (to give an error), "
            f"got {angles.size}"
        )
    if np.linalg.matrix_rank(design) < n_params:
        raise ValueError("the hexagonal hkl must include a peak with l ≠ 0 and one with "
                         "(h, k) ≠ (0, 0) to fix both a and c")

    theta = np.radians(angles) / 2.0
    q = (2.0 * np.sin(theta) / wavelength_a) ** 2
    if two_theta_err_deg is None:
        sigma = np.ones_like(q)
    else:
        err = np.ravel(np.array(two_theta_err_deg, dtype=float))
        if err.size != angles.size:
            raise ValueError("two_theta_err_deg must give one error per peak")
        bad = np.flatnonzero(~(err > 0) | ~np.isfinite(err))
        if bad.size:
            check_range(f"two_theta_err_deg[{bad[0]}]", float(err[bad[0]]), "°", 0.0, math.inf,
                        low_inclusive=False, high_inclusive=False)
        sigma = 2.0 * np.sin(2.0 * theta) / wavelength_a**2 * np.radians(err)

    weighted = design / sigma[:, None]
    params, *_ = np.linalg.lstsq(weighted, q / sigma, rcond=None)
    if np.any(params <= 0):
        raise ValueError("the peaks and hkl give no positive 1/a² (or 1/c²); check the "
                         "indexing")
    chi2 = float(np.sum(((q - design @ params) / sigma) ** 2))
    dof = angles.size - n_params
    cov = np.linalg.inv(weighted.T @ weighted)
    if two_theta_err_deg is None:
        cov *= chi2 / dof
        reduced_chi2 = math.nan
    else:
        reduced_chi2 = chi2 / dof
        cov *= max(1.0, reduced_chi2)
    lengths = params ** -0.5
    errors = 0.5 * lengths**3 * np.sqrt(np.diag(cov))
    d_calc = (design @ params) ** -0.5
    tt_calc = _two_theta_of_d(d_calc, wavelength_a)
    residual = angles - tt_calc
    a, a_err = float(lengths[0]), float(errors[0])
    c, c_err = (float(lengths[1]), float(errors[1])) if system == "hexagonal" else (a, a_err)
    return LatticeFit(system=system, a_a=a, a_err_a=a_err, c_a=c, c_err_a=c_err, hkl=indices,
                      two_theta_deg=angles, two_theta_calc_deg=tt_calc, residual_deg=residual,
                      d_spacing_a=1.0 / np.sqrt(q), d_calc_a=d_calc,
                      rms_residual_deg=float(np.sqrt(np.mean(residual**2))),
                      reduced_chi2=reduced_chi2, wavelength_a=wavelength_a)


# --------------------------------------------------------------------------------- Scherrer


def scherrer_size(
    fwhm_deg,
    two_theta_deg,
    *,
    wavelength_a: float = CU_KALPHA1_A,
    k: float = 0.9,
    instrument_fwhm_deg: float = 0.0,
):
    """Crystallite size from peak broadening, D = K λ / (β cos θ) (Scherrer, 1918).

    β is the sample's FWHM in radians, β = √(FWHM² − FWHM_instrument²): subtraction in
    quadrature is exact for Gaussian profiles and a common compromise for pseudo-Voigts
    (for Lorentzians the widths add linearly; this underestimates the size there). K ≈ 0.9
    is the customary shape factor for FWHM of near-spherical crystallites; for a cube of edge
    L and an (h00) line K = 0.886 (the FWHM of sinc²), so D estimates the edge. Strain
    broadening is not separated (use a Williamson–Hall plot over several peaks for that).

    Parameters
    ----------
    fwhm_deg : float or array_like
        Measured full width at half maximum in degrees 2θ, in (instrument_fwhm_deg, 180).
    two_theta_deg : float or array_like
        Peak position 2θ in degrees, in (0, 180); broadcast against ``fwhm_deg``.
    wavelength_a : float
        X-ray wavelength in Å, in (0.1, 5]. Default Cu Kα1 (1.5406 Å).
    k : float
        Scherrer constant, in (0, 2].
    instrument_fwhm_deg : float
        Instrumental FWHM in degrees 2θ (from a line-width standard such as LaB6), in [0, 10].

    Returns
    -------
    float or ndarray
        Crystallite size in nm (a float when both inputs are scalars).

    Examples
    --------
    >>> round(scherrer_size(0.5, 30.0, instrument_fwhm_deg=0.1), 2)
    16.79
    >>> scherrer_size([0.5, 1.0], [20.0, 40.0]).round(2).tolist()
    [16.13, 8.45]
    """
    wavelength_a = _check_wavelength(wavelength_a)
    k = check_range("k", k, "", 0.0, 2.0, low_inclusive=False)
    instrument = check_range("instrument_fwhm_deg", instrument_fwhm_deg, "°", 0.0, 10.0)
    try:
        fwhm, angles = np.broadcast_arrays(np.array(fwhm_deg, dtype=float),
                                           np.array(two_theta_deg, dtype=float))
    except (TypeError, ValueError):
        raise ValueError("fwhm_deg and two_theta_deg must have broadcastable shapes") from None
    shape = fwhm.shape
    angles = _check_two_theta(angles.ravel())
    fwhm = fwhm.ravel()
    bad = np.flatnonzero(~((fwhm > instrument) & (fwhm < 180.0)))
    if bad.size:
        check_range("fwhm_deg", float(fwhm[bad[0]]), "°", instrument, 180.0, low_inclusive=False,
                    high_inclusive=False)
    beta = np.radians(np.sqrt(fwhm**2 - instrument**2))
    size_nm = k * wavelength_a / (beta * np.cos(np.radians(angles) / 2.0)) / 10.0
    return float(size_nm[0]) if shape == () else size_nm.reshape(shape)


# Sums h² + k² + l² that a cubic lattice can have, each with one (h, k, l), h ≥ k ≥ l ≥ 0.
_CUBIC_HKL: dict[int, tuple[int, int, int]] = {}
for _h, _k, _l in itertools.product(range(8), repeat=3):
    if _h >= _k >= _l and (_h or _k or _l):
        _n = _h * _h + _k * _k + _l * _l
        # the triple with the smallest largest index ((2,2,1) rather than (3,0,0) for 9)
        if _n not in _CUBIC_HKL or _h < _CUBIC_HKL[_n][0]:
            _CUBIC_HKL[_n] = (_h, _k, _l)
_CUBIC_N = np.array(sorted(_CUBIC_HKL))
# Largest distance of an observed h² + k² + l² from an allowed one that still counts as a match.
_INDEX_TOLERANCE = 0.12


def index_cubic(two_theta_deg, *, wavelength_a: float = CU_KALPHA1_A) -> list[tuple[int, int, int]]:
    """Index the peaks of a cubic phase by the ratios of sin²θ (N = h² + k² + l²).

    sin²θ = (λ² / 4a²) · N, so the ratios sin²θᵢ / sin²θ₁ are ratios of allowed N. The first
    peak is given the smallest N (1, 2, 3, …) for which every peak lands within 0.12 of an
    allowed N (7, 15, 23 … are not sums of three squares); a smaller N means a smaller cell,
    the simplest indexing (4N fits too, with a cell twice as large).

    Raises
    ------
    ValueError
        For fewer than two peaks or positions that no cubic cell with N ≤ 147 explains.

    Examples
    --------
    >>> index_cubic([28.28, 32.77, 47.03, 55.79])  # a fluorite (fcc): 111, 200, 220, 311
    [(1, 1, 1), (2, 0, 0), (2, 2, 0), (3, 1, 1)]
    """
    angles = np.sort(np.asarray(two_theta_deg, dtype=float).ravel())
    if angles.size < 2:
        raise ValueError("auto-indexing needs at least two peaks")
    s = np.sin(np.radians(angles) / 2.0) ** 2 / wavelength_a**2
    for n_first in _CUBIC_N[_CUBIC_N <= 24]:
        n_obs = s / s[0] * n_first
        nearest = _CUBIC_N[np.abs(_CUBIC_N[None, :] - n_obs[:, None]).argmin(axis=1)]
        if np.all(np.abs(n_obs - nearest) <= _INDEX_TOLERANCE):
            return [_CUBIC_HKL[int(n)] for n in nearest]
    raise ValueError("no cubic cell explains these peak positions (check for a second phase "
                     "or a hexagonal structure, and index by hand)")
