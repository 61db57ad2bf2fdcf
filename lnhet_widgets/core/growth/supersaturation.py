"""The supersaturation of P1's flask if all injected monomer were in solution (LaMer's bound).

The growth kernel computes the same solubility at every step; these functions give the numbers
a lesson tabulates for a recipe, from its :class:`~lnhet_widgets.core.growth.GrowthParams`.
"""

from __future__ import annotations

import numpy as np
from scipy import constants

from ..crystal import get_material
from .params import GrowthParams

__all__ = ["initial_supersaturation", "monomer_mm", "shell_molecular_volume_nm3",
           "solubility_mm"]


def solubility_mm(params: GrowthParams, temperature_c=None):
    """Solubility C_eq(T) = C_ref exp(−ΔH_s/R (1/T − 1/T_ref)) of the shell's monomer, mM.

    Parameters
    ----------
    params : GrowthParams
        Gives C_ref (``solubility_mm``), T_ref and ΔH_s.
    temperature_c : float or array_like, optional
        Temperature, °C; default the recipe's injection temperature.

    Examples
    --------
    >>> p = GrowthParams()
    >>> float(solubility_mm(p, p.reference_temperature_c)) == p.solubility_mm
    True
    >>> bool(solubility_mm(p, 210.0) < solubility_mm(p, 220.0))  # hotter dissolves more
    True
    """
    t = params.temperature_c if temperature_c is None else np.asarray(temperature_c, float)
    kelvin = constants.zero_Celsius
    inverse = 1 / (t + kelvin) - 1 / (params.reference_temperature_c + kelvin)
    return params.solubility_mm * np.exp(
        -params.dissolution_enthalpy_kj_mol * 1e3 / constants.R * inverse)


def monomer_mm(params: GrowthParams) -> float:
    """Concentration of monomer if every injected limiting reagent made one, mM.

    Examples
    --------
    >>> p = GrowthParams()
    >>> monomer_mm(p) == p.monomer_mmol / p.reaction_volume_ml * 1e3
    True
    """
    return params.monomer_mmol / params.reaction_volume_ml * 1e3


def initial_supersaturation(params: GrowthParams, temperature_c=None):
    """S₀ = C₀/C_eq(T): LaMer's upper bound on the supersaturation (all monomer in solution).

    Examples
    --------
    >>> p = GrowthParams()
    >>> bool(initial_supersaturation(p, 210.0) > initial_supersaturation(p, 220.0))
    True
    """
    return monomer_mm(params) / solubility_mm(params, temperature_c)


def shell_molecular_volume_nm3(params: GrowthParams, temperature_c=None) -> float:
    """Volume of one formula unit of the shell perovskite (its cubic cell), nm³.

    Examples
    --------
    >>> round(shell_molecular_volume_nm3(GrowthParams()), 3)  # CsPbBr3 at 220 °C
    0.215
    """
    t = params.temperature_c if temperature_c is None else float(temperature_c)
    return (get_material(params.shell).lattice_at(t)[0] / 10) ** 3
