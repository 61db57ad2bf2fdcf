"""Numbers read off a particle and its emission the way P1 reports them: per mass, by band.

P1 compares samples per mass of powder and names the perovskite's band by its peak; these
helpers give the model's version for a :class:`TransferParams` and its
:class:`TransferResult`.
"""

from __future__ import annotations

import numpy as np

from ..growth import core_density_g_cm3
from .transfer_params import TransferParams
from .transfer_solvers import TransferResult

__all__ = ["particle_mass_g", "perovskite_band_nm"]


def particle_mass_g(params: TransferParams) -> float:
    """Mass of one particle: the doped core plus the perovskite cube around it, g.

    A bare core (``perovskite_edge_nm`` not larger than the core) weighs its core alone.

    Examples
    --------
    >>> core = particle_mass_g(TransferParams(perovskite_edge_nm=0.0))
    >>> coated = particle_mass_g(TransferParams(perovskite_edge_nm=16.7))
    >>> bool(coated > 10 * core)
    True
    """
    core_cm3 = np.pi / 6 * params.core_diameter_nm**3 * 1e-21
    shell_cm3 = max(params.perovskite_edge_nm**3 * 1e-21 - core_cm3, 0.0)
    dopants = (("Yb", params.yb_fraction), ("Tm", params.tm_fraction))
    return float(core_cm3 * core_density_g_cm3(params.host, dopants)
                 + shell_cm3 * core_density_g_cm3(params.perovskite))


def perovskite_band_nm(result: TransferResult) -> float:
    """Peak wavelength of the perovskite's emission band in ``result``, nm.

    Raises
    ------
    ValueError
        If the particle has no perovskite band (a bare core).

    Examples
    --------
    >>> from lnhet_widgets.core.optics import steady_state
    >>> r = steady_state(TransferParams(perovskite_edge_nm=16.7), excitation_nm=365,
    ...                  power_w_cm2=1.0)
    >>> 480 < perovskite_band_nm(r) < 530
    True
    """
    for nm, label in zip(result.line_nm, result.line_labels, strict=True):
        if label.startswith("CsPbX3"):
            return float(nm)
    raise ValueError("result has no perovskite band (line_labels hold no 'CsPbX3' line): "
                     "the particle has no perovskite")
