"""HAADF-STEM images and EDS maps of atomistic structures (SCIENCE §9, P1 Fig. 1c).

Incoherent Z-contrast imaging: every atom is projected along the beam with weight Z^n
(n ≈ 1.7 for HAADF), the projected map is convolved with a Gaussian probe, and a line
profile is read across it. EDS maps are the same projection per element with unit weight.
This neglects channelling and thickness effects: enough to see a bright core in a lighter
perovskite shell, which is what P1's line profiles show.

Examples
--------
>>> from ase.build import bulk as ase_bulk
>>> img = haadf_image(ase_bulk("Cu", cubic=True).repeat(5), pixel_nm=0.05)
>>> img.image.shape == (img.y_nm.size, img.x_nm.size)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from scipy.ndimage import gaussian_filter

from .._base.results import ResultIO
from .._base.validate import check_range
from ..analysis.images import LineProfile, line_profile

__all__ = ["HaadfImage", "LineProfile", "eds_maps", "haadf_image"]

_AXES = {"x": (1, 2, 0), "y": (2, 0, 1), "z": (0, 1, 2)}
_FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))


@dataclass(frozen=True)
class HaadfImage(ResultIO):
    """A simulated projection: ``image[iy, ix]`` at pixel centres ``x_nm[ix]``, ``y_nm[iy]``."""

    image: np.ndarray
    x_nm: np.ndarray
    y_nm: np.ndarray
    axis: str
    probe_fwhm_nm: float

    def line_profile(self, start_nm: Sequence[float], end_nm: Sequence[float], *,
                     n_points: int = 200, width_nm: float = 0.0) -> LineProfile:
        """Sample the image from ``start_nm`` to ``end_nm`` ((x, y) in nm), averaged over a width
        (:func:`~lnhet_widgets.core.analysis.line_profile`, which also reads measured
        images).

        Examples
        --------
        >>> from ase.build import bulk as ase_bulk
        >>> img = haadf_image(ase_bulk("Cu", cubic=True).repeat(4))
        >>> img.line_profile((-0.5, 0.0), (0.5, 0.0), n_points=11).intensity.shape
        (11,)
        """
        return line_profile(self, start_nm, end_nm, samples=n_points, width_nm=width_nm)


def _project(atoms: Atoms, weights: np.ndarray, axis: str, pixel_nm: float, margin_nm: float):
    if axis not in _AXES:
        raise ValueError(f"axis must be one of {sorted(_AXES)}, got {axis!r}")
    if len(atoms) == 0:
        raise ValueError("atoms holds no atoms to image")
    i, j, _ = _AXES[axis]
    xy = atoms.positions[:, [i, j]] / 10.0
    low = xy.min(axis=0) - margin_nm
    high = xy.max(axis=0) + margin_nm
    shape = np.maximum(np.ceil((high - low) / pixel_nm).astype(int), 1)
    edges_x = low[0] + pixel_nm * np.arange(shape[0] + 1)
    edges_y = low[1] + pixel_nm * np.arange(shape[1] + 1)
    counts, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=(edges_x, edges_y), weights=weights)
    centres_x = (edges_x[:-1] + edges_x[1:]) / 2
    centres_y = (edges_y[:-1] + edges_y[1:]) / 2
    return counts.T, centres_x, centres_y


def haadf_image(atoms: Atoms, *, axis: str = "z", pixel_nm: float = 0.05,
                probe_fwhm_nm: float = 0.12, z_exponent: float = 1.7,
                margin_nm: float = 0.5) -> HaadfImage:
    """Simulate a HAADF-STEM image: Z^n-weighted projection blurred by the probe.

    Parameters
    ----------
    atoms : ase.Atoms
        Structure in Å (e.g. from :func:`~lnhet_widgets.core.crystal.build_heterostructure`).
    axis : {"x", "y", "z"}
        Beam direction.
    pixel_nm : float
        Pixel size, in [0.005, 2] nm.
    probe_fwhm_nm : float
        Full width at half maximum of the Gaussian probe, in [0, 5] nm.
    z_exponent : float
        Exponent n of the Z^n contrast, in [1, 2].
    margin_nm : float
        Empty border around the structure.

    Returns
    -------
    HaadfImage

    Examples
    --------
    >>> from ase.build import bulk as ase_bulk
    >>> img = haadf_image(ase_bulk("Cu", cubic=True).repeat(3), pixel_nm=0.1)
    >>> float(img.image.max()) > 0
    True
    """
    pixel = check_range("pixel_nm", pixel_nm, "nm", 0.005, 2.0)
    fwhm = check_range("probe_fwhm_nm", probe_fwhm_nm, "nm", 0.0, 5.0)
    exponent = check_range("z_exponent", z_exponent, "", 1.0, 2.0)
    check_range("margin_nm", margin_nm, "nm", 0.0, 100.0)
    weights = atoms.numbers.astype(float) ** exponent
    counts, x, y = _project(atoms, weights, axis, pixel, margin_nm)
    image = gaussian_filter(counts, fwhm * _FWHM_TO_SIGMA / pixel) if fwhm > 0 else counts
    return HaadfImage(image=image, x_nm=x, y_nm=y, axis=axis, probe_fwhm_nm=fwhm)


def eds_maps(atoms: Atoms, elements: Sequence[str], *, axis: str = "z", pixel_nm: float = 0.2,
             probe_fwhm_nm: float = 0.5, margin_nm: float = 0.5) -> dict[str, np.ndarray]:
    """Projected, probe-blurred atom counts per element, one map per entry of ``elements``.

    Examples
    --------
    >>> from ase.build import bulk as ase_bulk
    >>> maps = eds_maps(ase_bulk("NaCl", "rocksalt", 5.64).repeat(3), ["Na", "Cl"])
    >>> sorted(maps)
    ['Cl', 'Na']
    """
    pixel = check_range("pixel_nm", pixel_nm, "nm", 0.005, 2.0)
    fwhm = check_range("probe_fwhm_nm", probe_fwhm_nm, "nm", 0.0, 5.0)
    symbols = np.array(atoms.get_chemical_symbols())
    maps = {}
    for element in elements:
        counts, _, _ = _project(atoms, (symbols == element).astype(float), axis, pixel, margin_nm)
        maps[element] = gaussian_filter(counts, fwhm * _FWHM_TO_SIGMA / pixel) if fwhm else counts
    return maps
