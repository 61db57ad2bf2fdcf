"""Spectra of the rate equations' results: emission lines as a spectrum, and samples in a
cuvette — a physical mixture seen through its perovskite dispersion (inner filter, photon
recycling) and the absorbance of a dispersion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._base.validate import check_range
from ..growth import core_density_g_cm3
from .ion_geometry import _geometry
from .perovskite_shell import _relative_absorption, perovskite_peak_ev
from .photophysics import HC_EV_NM
from .transfer_params import TransferParams

if TYPE_CHECKING:
    from .transfer_solvers import TransferResult

__all__ = ["dispersion_absorbance", "line_spectrum", "mixture_spectrum"]


def line_spectrum(labels, line_nm, intensities, wavelength_nm) -> np.ndarray:
    """Emission lines as a spectrum (photons s⁻¹ nm⁻¹) on ``wavelength_nm``: Gaussian lines of
    8 nm (Tm), 25 nm (Yb; labels starting "Yb") and 0.08 eV (the perovskite band; labels
    starting "CsPbX3") full width, each of area ``intensities``.

    Examples
    --------
    >>> wl = np.linspace(400, 500, 201)
    >>> s = line_spectrum(["Tm 1D2→3F4"], [450.0], [1.0], wl)
    >>> round(float(np.trapezoid(s, wl)), 3), float(wl[np.argmax(s)])
    (1.0, 450.0)
    """
    wl = np.asarray(wavelength_nm, dtype=float)
    total = np.zeros_like(wl)
    for label, nm, value in zip(labels, line_nm, intensities, strict=True):
        if label.startswith("CsPbX3"):
            density = _band_density(wl, HC_EV_NM / nm)
        else:
            sigma = (25.0 if label.startswith("Yb") else 8.0) / 2.3548
            density = np.exp(-0.5 * ((wl - nm) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
        total += value * density
    return total


def mixture_spectrum(lanthanide: TransferResult, perovskite: TransferResult, wavelength_nm, *,
                     perovskite_absorbance_400nm: float, perovskite_params: TransferParams,
                     perovskite_qy: float | None = None):
    """Spectrum of a physical mixture: the lanthanide emission seen through the perovskite
    dispersion (inner filter), plus the perovskite band — its own emission and its re-emission
    of the absorbed lanthanide light — after self-absorption and photon recycling.

    Light emitted uniformly in a layer of absorbance A(λ) leaves with the mean transmission
    T(λ) = (1 − 10^(−A)) / (A ln 10). The absorbed lanthanide photons become perovskite
    excitons, which emit with the quantum yield φ (by default from the rates:
    k_rad / (k_rad + trapping)). The band overlaps the perovskite's own absorption edge, so
    only a share e = ∫ band·T of its photons escapes; the rest is re-absorbed and re-emitted
    with φ again, which sums to an escaping yield φe / (1 − φ(1 − e)) and red-shifts the band
    (the concentration shift of SCIENCE §8).

    Returns the spectrum (photons s⁻¹ nm⁻¹, summed over one particle of each kind).

    Examples
    --------
    >>> import numpy as np
    >>> from lnhet_widgets.core.optics import TransferParams, steady_state
    >>> pv = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5)
    >>> ln = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=1e3)
    >>> wl = np.linspace(340, 720, 761)
    >>> clear = mixture_spectrum(ln, steady_state(pv, excitation_nm=980, power_w_cm2=1e3), wl,
    ...                          perovskite_absorbance_400nm=0.0, perovskite_params=pv)
    >>> bool(np.allclose(clear, ln.spectrum(wl)))
    True
    """
    wl = np.asarray(wavelength_nm, dtype=float)
    check_range("perovskite_absorbance_400nm", perovskite_absorbance_400nm, "", 0.0, 100.0)
    if perovskite_qy is None:
        geo = _geometry(perovskite_params)
        k_rad = 1e9 / perovskite_params.exciton_lifetime_ns
        perovskite_qy = k_rad / (k_rad + perovskite_params.trapping_rate_per_defect_s
                                 * geo.defects)
    check_range("perovskite_qy", perovskite_qy, "", 0.0, 1.0)

    def transmission(nm):
        absorbance = np.maximum(perovskite_absorbance_400nm
                                * _relative_absorption(perovskite_params, nm), 1e-12)
        return -np.expm1(-absorbance * np.log(10)) / (absorbance * np.log(10))

    # Photon budgets are integrals over every line and the whole band, whatever range the
    # caller asks to see.
    grid = _MIXTURE_GRID_NM
    grid_t = transmission(grid)
    absorbed = np.trapezoid(lanthanide.spectrum(grid) * (1 - grid_t), grid)
    emitted = np.trapezoid(perovskite.spectrum(grid), grid)
    band = _band_shape(perovskite_params, grid)
    escape = np.trapezoid(band * grid_t, grid)
    band_photons = (emitted + perovskite_qy * absorbed) / (1 - perovskite_qy * (1 - escape))
    seen = transmission(wl)
    return (lanthanide.spectrum(wl) * seen
            + band_photons * np.interp(wl, grid, band, left=0.0, right=0.0) * seen)


def dispersion_absorbance(params: TransferParams, *, concentration_mg_ml: float,
                          path_cm: float = 1.0, wavelength_nm: float = 400.0) -> float:
    """Decadic absorbance of a dispersion of the particle's perovskite: A = σ(λ) n L / ln 10,
    with σ the model's absorption cross-section of one nanocrystal and n the number of
    nanocrystals per cm³ that ``concentration_mg_ml`` of perovskite makes.

    Parameters
    ----------
    params : TransferParams
        The perovskite particle (e.g. a free nanocrystal).
    concentration_mg_ml : float
        Perovskite mass per volume of dispersion, mg/mL.
    path_cm : float
        Optical path, cm.
    wavelength_nm : float
        Wavelength of the absorbance, nm.

    Examples
    --------
    >>> free = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5)
    >>> round(dispersion_absorbance(free, concentration_mg_ml=1.0), 1)
    9.5
    """
    if not params.has_perovskite:
        raise ValueError("dispersion_absorbance needs a particle with a perovskite "
                         "(perovskite_edge_nm > 0)")
    check_range("concentration_mg_ml", concentration_mg_ml, "mg/mL", 0.0, 1e3)
    check_range("path_cm", path_cm, "cm", 0.0, 100.0)
    check_range("wavelength_nm", wavelength_nm, "nm", 250.0, 2000.0)
    volume_cm3 = _geometry(params).perovskite_volume_nm3 * 1e-21
    sigma_cm2 = (params.perovskite_cross_section_cm2 * volume_cm3 / 1e-18
                 * float(_relative_absorption(params, wavelength_nm)[0]))
    per_cm3 = concentration_mg_ml * 1e-3 / (core_density_g_cm3(params.perovskite) * volume_cm3)
    return float(sigma_cm2 * per_cm3 * path_cm / np.log(10))


#: Wavelengths over which the mixture's photon budgets are integrated (all lines, whole band).
_MIXTURE_GRID_NM = np.linspace(300.0, 1600.0, 5201)


def _band_shape(p: TransferParams, wl: np.ndarray) -> np.ndarray:
    """The perovskite band on ``wl`` normalised to unit area on ``wl`` (nm⁻¹)."""
    density = _band_density(wl, perovskite_peak_ev(p))
    return density / np.trapezoid(density, wl)


def _band_density(wl: np.ndarray, peak_ev: float) -> np.ndarray:
    """The perovskite band peaking at ``peak_ev``: a Gaussian of 0.08 eV FWHM in energy,
    expressed per nm (nm⁻¹, unit area over all wavelengths)."""
    sigma_ev = 0.08 / 2.3548
    energy = HC_EV_NM / np.maximum(wl, 1e-9)
    return (np.exp(-0.5 * ((energy - peak_ev) / sigma_ev) ** 2)
            / (sigma_ev * np.sqrt(2 * np.pi)) * energy / wl)
