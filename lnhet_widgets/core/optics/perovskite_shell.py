"""The perovskite of one particle class: its confined band gap, emission peak and absorption
relative to 400 nm (SCIENCE §8), which scale its pump, its Förster coupling and its band.
"""

from __future__ import annotations

import functools

import numpy as np

from .perovskite_constants import EXCITON_BINDING_ENERGY_EV, STOKES_SHIFT_EV
from .photophysics import HC_EV_NM, absorption_spectrum, exciton_gap_ev
from .transfer_params import TransferParams


def perovskite_gap_ev(p: TransferParams) -> float:
    """Band gap of the particle's perovskite: bulk gap plus confinement in the real shell
    geometry (§8, :func:`~lnhet_widgets.core.optics.exciton_gap_ev`), eV.

    Examples
    --------
    >>> round(perovskite_gap_ev(TransferParams(core_diameter_nm=0, perovskite_edge_nm=9.5)), 2)
    2.48
    """
    if not p.has_perovskite:
        raise ValueError("the particle has no perovskite (perovskite_edge_nm = 0)")
    return _gap_of_geometry(p.perovskite, p.perovskite_edge_nm, p.outer_diameter_nm)


@functools.lru_cache(maxsize=64)
def _gap_of_geometry(perovskite: str, edge_nm: float, core_diameter_nm: float) -> float:
    # cached by geometry alone: the eigen-solution takes ~0.4 s and no rate constant changes it
    cores = (core_diameter_nm,) if core_diameter_nm else ()
    return exciton_gap_ev(perovskite, edge_nm, core_diameters_nm=cores)


# Absorption at 400 nm below this (the continuum is ~1.1 in these units) means the shell does
# not absorb there at all.
_MIN_ALPHA_400 = 1e-3


def _relative_absorption(p: TransferParams, wavelength_nm) -> np.ndarray:
    """Perovskite absorption at ``wavelength_nm`` relative to 400 nm (Elliott edge, §8)."""
    gap = perovskite_gap_ev(p)
    energies = HC_EV_NM / np.append(np.atleast_1d(wavelength_nm), 400.0)
    alpha = absorption_spectrum(energies, gap_ev=gap,
                                binding_ev=EXCITON_BINDING_ENERGY_EV[p.perovskite])
    # The Förster and pump rates are scaled to the absorption at 400 nm (3.10 eV); a shell
    # so thin that confinement lifts its gap above that has nothing to scale to.
    if not alpha[-1] > _MIN_ALPHA_400:
        raise ValueError(
            f"perovskite_edge_nm = {p.perovskite_edge_nm:g} nm around a "
            f"{p.core_diameter_nm:g} nm core confines the {p.perovskite} exciton to a gap of "
            f"{gap:.2f} eV, above 400 nm (3.10 eV), where the model's absorption is "
            "referenced; choose a thicker shell"
        )
    return alpha[:-1] / alpha[-1]


def perovskite_peak_ev(p: TransferParams) -> float:
    """Emission peak of the particle's perovskite: gap − exciton binding − Stokes shift, eV."""
    return perovskite_gap_ev(p) - EXCITON_BINDING_ENERGY_EV[p.perovskite] - STOKES_SHIFT_EV
