"""Kinetics of the annealing Monte Carlo: the acceptance of a hop, the real time of one step,
the docking probability and the vacancy's binding to the surface (SCIENCE §5).

* **Move** (:mod:`~lnhet_widgets.core.annealing._kernel`). One MC step gives every vacancy, in an
  order drawn once, one attempted hop: a neighbour slot is drawn among z_max (the largest
  coordination), an empty or missing slot is a null event, and the ion of species s in it
  moves into the vacancy with probability exp(−(E_s + ½ΔE − E_ref)/kT). ΔE is the optional
  local energy, a bond count: −ε per occupied pair of neighbouring cation sites
  (``bond_energy_ev``; 0 switches it off), which makes under-coordinated (surface) sites
  cheaper for vacancies. E_ref = min E_s − ½ε(z_max − 1) is the lowest barrier any hop can
  have, so every probability is ≤ 1 and the hops keep detailed balance. Without the local
  term this is exp(−(E_s − E_min)/kT), relative to the fastest species (SCIENCE §5). A
  vacancy is bound to the surface band by ``surface_vacancy_binding_ev``: a hop that takes
  it out of the band is accepted with exp(−E_b/kT) on top (Metropolis on the vacancy's own
  energy; hops into or within the band, and all others, keep their probability).
* **Time.** Each slot is attempted at the rate ν₀ exp(−E_ref/kT), so one step lasts
  Δt = 1/(z_max ν₀ exp(−E_ref/kT)): 4.0 s with the defaults at 300 °C, so P2's 1 h anneal
  is ≈ 890 steps and P2's snapshots at 0/100/500/1000 steps are 0, 7, 34 and 67 min.
* **Docking.** With complexes, a vacancy whose turn finds it on a surface-band site is filled
  by the complex's ion (Y or Gd) with probability p = 1 − exp(−k c Δt): complexes reach a
  surface vacancy at the rate k·c (the complex's ``docking_rate_y_mm_s`` or
  ``docking_rate_gd_mm_s`` × ``complex_concentration_mm``), so p saturates at high
  concentration (Y: 0.98 at the default 10 mM, 0.33 at 1 mM). The vacancy is
  gone; the ledger counts the added ion. Ions are conserved otherwise, and vacancies vanish
  only by docking.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import constants

from .lattice import _SURFACE, anneal_lattice
from .params import REGIONS, AnnealParams

__all__ = ["time_per_step_s"]

_BOLTZMANN_EV_K = constants.k / constants.e
_KELVIN = constants.zero_Celsius


def time_per_step_s(params: AnnealParams) -> float:
    """Real annealing time of one MC step of the particle of ``params``, s (the module
    docstring's Δt; the same as ``AnnealResult.time_per_step_s`` of its anneal).

    Examples
    --------
    >>> round(time_per_step_s(AnnealParams()), 2)
    4.03
    """
    z_max = int(anneal_lattice(params).coordination.max())
    return _kinetics(params, z_max)[1]


def _kinetics(params: AnnealParams, z_max: int) -> tuple[np.ndarray, float, float]:
    """Acceptance table of the kernel, real time per MC step (s), docking probability."""
    kt = _BOLTZMANN_EV_K * (params.temperature_c + _KELVIN)
    energies = params.migration_ev
    half_bond = 0.5 * params.bond_energy_ev
    bonds_gained = np.arange(-(z_max - 1), z_max)
    e_ref = np.nanmin(energies) - half_bond * (z_max - 1)
    table = np.zeros((energies.size, bonds_gained.size))
    table[1:] = np.exp(-(energies[1:, None] - half_bond * bonds_gained[None, :] - e_ref) / kt)
    time_per_step = 1.0 / (z_max * params.attempt_frequency_hz * math.exp(-e_ref / kt))
    dock = 0.0
    if params.complex is not None:
        dock = -math.expm1(-params.docking_rate_mm_s * params.complex_concentration_mm
                           * time_per_step)
    return table, time_per_step, dock


def _vacancy_escape(params: AnnealParams) -> np.ndarray:
    """Metropolis factors of a vacancy's own energy for a hop from a site of one region
    (first index, :data:`REGIONS`) to one of another: min(1, exp(−ΔE_v/kT)), with E_v lower
    by ``surface_vacancy_binding_ev`` on surface-band sites."""
    kt = _BOLTZMANN_EV_K * (params.temperature_c + _KELVIN)
    energy = np.zeros(len(REGIONS))
    energy[_SURFACE] = -params.surface_vacancy_binding_ev
    rise = energy[None, :] - energy[:, None]
    return np.exp(-np.maximum(rise, 0.0) / kt)
