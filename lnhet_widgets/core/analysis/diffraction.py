"""Bragg's law and Scherrer's formula for measured powder patterns: the spacing of a line from
its position and the crystallite size from its width (SCIENCE.md §10).

The steps a user takes with a diffractogram, each a plain function:

* :func:`bragg_d_spacing` — d = λ / (2 sin θ).
* :func:`~lnhet_widgets.core.analysis.find_xrd_peaks` — candidate maxima from
  :func:`scipy.signal.find_peaks`, each refined by a local least-squares fit of a pseudo-Voigt
  on a linear background (position, FWHM, height and their standard errors).
* :func:`~lnhet_widgets.core.analysis.index_cubic` and
  :func:`~lnhet_widgets.core.analysis.lattice_constant` — Miller indices of a cubic phase from
  the ratios of sin²θ, then a (cubic) or a and c (hexagonal) from indexed peaks, by weighted
  linear least squares on 1/d², which is linear in 1/a² and 1/c².
* :func:`scherrer_size` — crystallite size D = Kλ / (β cos θ), with the instrumental width
  removed in quadrature.

Examples
--------
>>> round(float(bragg_d_spacing(30.0)), 4)
2.9762
>>> round(scherrer_size(0.9, 30.0), 2)
9.14
"""

from __future__ import annotations

import numpy as np

from .._base.validate import check_range
from ..crystal.xrd import CU_KALPHA1_A, _check_two_theta, _check_wavelength

__all__ = ["bragg_d_spacing", "scherrer_size"]


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
