"""Lattice constants from a powder pattern: cubic indexing by the ratios of sin²θ, and a
(cubic) or a and c (hexagonal) refined from indexed peak positions by linear least squares.

Examples
--------
>>> fit = lattice_constant([21.1, 30.01, 36.99], [(1, 1, 0), (2, 0, 0), (2, 1, 1)])
>>> round(fit.a_a, 2)
5.95
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .._base.validate import check_range
from ..crystal.xrd import CU_KALPHA1_A, _check_two_theta, _check_wavelength

__all__ = ["LatticeFit", "index_cubic", "lattice_constant"]

_SYSTEMS = ("cubic", "hexagonal")


def _two_theta_of_d(d_a: np.ndarray, wavelength_a: float) -> np.ndarray:
    return 2.0 * np.degrees(np.arcsin(np.clip(wavelength_a / (2.0 * d_a), -1.0, 1.0)))


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
