"""The rate equations of two-way energy transfer in LnNP@CsPbX3 (SCIENCE.md §6, §7): average
rate equations of Yb³⁺, Tm³⁺ and the perovskite, assembled for the numba kernels.

One particle class (a bare core, a core–shell–shell particle, a heterostructure or a free
perovskite nanocrystal) is described by :class:`~lnhet_widgets.core.optics.TransferParams`.
Its species and levels:

* Yb³⁺ {²F7/2, ²F5/2}: one pool, because excitation migrates fast over the Yb sublattice
  (its quenching rate is the mean over its ions, §6);
* Tm³⁺ {³H6, ³F4, ³H5, ³H4, ³F3, ¹G4, ¹D2, ¹I6}, split into ``tm_classes`` classes of equal
  size by their distance to the surface, each with its own quenching and LRET rates;
* the perovskite exciton {G, X} (one per nanocrystal) and its defect states {empty, filled}
  (``defects`` per nanocrystal, from interface and bulk defect densities).

Populations are fractions per ion (per nanocrystal, per defect); each species sums to 1.

Rates
-----
* Decay with simetuc's β-NaYF4:Yb,Tm lifetimes and branching ratios (the rest of each level's
  decay goes to the ground state); every decay is counted as emission of its line.
* Quenching (§6): continuum Förster transfer to ligand quenchers outside the core,
  C_s·g(r), on the uncovered share (1 − contact) of the surface; vacancy-related defects at a
  random vacancy fraction (mean field C_v x_v R_v⁶ L); to the ground state of the ion.
* Energy transfer between lanthanides in the mean-field limit of simetuc's microscopic
  strengths C (s⁻¹ Å⁶): the rate per donor is C · L · Π_DA / N_D, per acceptor C · L · Π_DA /
  N_A, with L the cation lattice sum of the host and Π_DA = Σ_regions n_sites c_D c_A the number
  of donor–acceptor site pairs. A process given with simetuc's ``strength_avg`` uses it as the
  coefficient of both sides instead (simetuc's average mode).
* Heterostructure channels (P1 Fig. 2h,i), all scaled by ``contact_factor``: LRET from Tm
  lines above the perovskite gap, k = A_line · V_LRET · α(λ)/α(400 nm) · g(r) (Förster to the
  continuum of perovskite acceptors outside the core); Yb ²F5/2 → empty interface defect,
  C_int·g(r); filled defect → Yb ²F5/2; exciton trapping by empty defects; defect loss;
  the exciton's transfer to Yb ²F5/2 through the interface, k_Ln = C_Ln x_Yb πd² (the rate of
  the bleach model, :mod:`~lnhet_widgets.core.optics.bleach`, so that both give one exciton
  lifetime).
* Excitation: 980 nm pumps Yb with σ_Yb and the 4/3 degeneracy ratio of stimulated emission;
  365 or 400 nm pumps the perovskite with σ ∝ volume · α(λ).

A physical mixture couples only through light: see
:func:`~lnhet_widgets.core.optics.mixture_spectrum`. The equations are solved in
:mod:`~lnhet_widgets.core.optics.transfer_solvers`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import constants

from .ion_geometry import IonSites, _geometry, _site_geometry
from .perovskite_constants import LN_TRANSFER_RATE_NS_NM2, interface_defect_scale
from .perovskite_shell import _relative_absorption, perovskite_peak_ev
from .photophysics import HC_EV_NM
from .quenching import cation_lattice_sum_a6
from .transfer_params import (
    DEFECT_LEVELS,
    EXCITON_LEVELS,
    LINES,
    TM_LEVELS,
    YB_LEVELS,
    TransferParams,
)

__all__ = ["RateSystem", "rate_system"]

_H_J_S = constants.h
_C_M_S = constants.c


@dataclass(frozen=True)
class RateSystem:
    """The rate equations of one particle class at one excitation wavelength, as the numba
    kernels take them (see :mod:`lnhet_widgets.core.optics._transfer_kernel`): the species blocks
    ``(name, levels, ions per particle)`` and their offsets in the population vector, the
    linear terms ``(from, to, rate s⁻¹)``, the pump terms per W cm⁻², the pair terms
    ``(donor from, donor to, acceptor from, acceptor to, w_donor, w_acceptor)`` and the
    emission lines ``(ion, upper, lower, nm, population indices, rate s⁻¹)``.
    """

    species: tuple  # (name, levels, count per particle)
    offsets: tuple
    lin: tuple  # from, to, rate
    pump: tuple  # from, to, rate per W cm⁻²
    pair: tuple  # df, dt, af, at, wd, wa
    line_rates: tuple  # (ion, upper, lower, nm, species index list, level index, rate)
    excitation_nm: float

    @property
    def size(self) -> int:
        return sum(len(levels) for _, levels, _ in self.species)

    def ground_state(self) -> np.ndarray:
        y = np.zeros(self.size)
        for offset in self.offsets:
            y[offset] = 1.0
        return y


@functools.lru_cache(maxsize=64)
def rate_system(p: TransferParams, excitation_nm: float,
                sites: IonSites | None = None) -> RateSystem:
    """Assemble the rate equations of ``p`` under ``excitation_nm`` (cached per parameter set),
    for its uniformly doped particle or for the explicit ions of ``sites``.

    Multiplying its terms by a :class:`~lnhet_widgets.core.optics.TransferResult`'s
    populations gives the flux of every process, which is what the energy-level diagram draws.

    Examples
    --------
    >>> system = rate_system(TransferParams(), 980.0)
    >>> system.species[0][:2], system.size
    (('Yb', ('2F7/2', '2F5/2')), 34)
    """
    geo = _geometry(p) if sites is None else _site_geometry(p, sites)
    species, offsets = [], []

    def add(name, levels, count):
        offsets.append(sum(len(lv) for _, lv, _ in species))
        species.append((name, levels, count))
        return offsets[-1]

    yb = add("Yb", YB_LEVELS, geo.n_yb) if geo.n_yb > 0 else None
    tm = [add(f"Tm{k}", TM_LEVELS, geo.n_tm * share) for k, share in enumerate(geo.tm_share)
          ] if geo.n_tm > 0 else []
    exciton = add("exciton", EXCITON_LEVELS, 1.0) if p.has_perovskite else None
    defect = add("defect", DEFECT_LEVELS, geo.defects) if geo.defects > 0 else None
    lin, pump, pair = [], [], []
    coupled = p.contact_factor if (p.has_perovskite and p.has_lanthanides) else 0.0
    ligand_share = 1.0 - (p.contact_factor if p.has_perovskite else 0.0)
    photon_j = _H_J_S * _C_M_S / (excitation_nm * 1e-9)

    if yb is not None:
        k_yb = 1 / p.yb_lifetime_s + geo.yb_vacancy_s + (
            p.surface_quenching_nm3_s * geo.yb_surface * ligand_share)
        lin.append((yb + 1, yb, k_yb))
        if excitation_nm == 980.0:
            rate = p.yb_cross_section_cm2 / photon_j
            pump.append((yb, yb + 1, rate))
            pump.append((yb + 1, yb, rate * p.yb_degeneracy_ratio))
    tau = dict(p.tm_lifetimes_s)
    branch = {}
    for upper, lower, ratio in p.tm_branching:
        branch.setdefault(upper, {})[lower] = ratio
    line_rates = []
    for k, base in enumerate(tm):
        surface = p.surface_quenching_nm3_s * geo.tm_surface[k] * ligand_share
        for i, level in enumerate(TM_LEVELS[1:], start=1):
            coupling = p.vacancy_quenching_3f4_factor if level == "3F4" else 1.0
            quench = coupling * geo.tm_vacancy_s[k] + surface
            k_total = 1 / tau[level]
            ratios = branch.get(level, {})
            to_ground = 1.0 - sum(ratios.values())
            for lower, ratio in ((TM_LEVELS[0], to_ground), *ratios.items()):
                if ratio > 0:
                    lin.append((base + i, base + TM_LEVELS.index(lower), k_total * ratio))
            lin.append((base + i, base, quench))
    for ion, upper, lower, nm in LINES:
        if ion == "Yb" and yb is not None:
            line_rates.append((ion, upper, lower, nm, (yb + 1,), 1 / p.yb_lifetime_s))
        elif ion == "Tm" and tm:
            ratios = branch.get(upper, {})
            ratio = ratios.get(lower, 1.0 - sum(ratios.values()) if lower == "3H6" else 0.0)
            line_rates.append((ion, upper, lower, nm,
                               tuple(b + TM_LEVELS.index(upper) for b in tm),
                               ratio / tau[upper]))

    # lanthanide energy transfer (mean field over the host's cation lattice)
    lattice = cation_lattice_sum_a6(p.host) if p.has_lanthanides else 0.0
    blocks = {"Yb": [(yb, geo.n_yb, 1.0)] if yb is not None else [],
              "Tm": [(b, geo.n_tm * s, s) for b, s in zip(tm, geo.tm_share, strict=True)]}
    for et in p.energy_transfer:
        n_pairs = geo.pairs.get((et.donor, et.acceptor), 0.0)
        for d_base, n_d, _ in blocks[et.donor]:
            for a_base, n_a, a_share in blocks[et.acceptor]:
                if n_pairs == 0 or n_d == 0 or n_a == 0:
                    continue
                levels_d = YB_LEVELS if et.donor == "Yb" else TM_LEVELS
                levels_a = YB_LEVELS if et.acceptor == "Yb" else TM_LEVELS
                # Π_DA is split over acceptor classes by their share, and over donor classes
                # in proportion to their number
                d_share = n_d / sum(n for _, n, _ in blocks[et.donor])
                if et.strength_avg_s is not None:
                    # simetuc's average mode, C·n_D·n_A: a donor meets each acceptor class
                    # in proportion to its share, and an acceptor each donor class
                    wd, wa = et.strength_avg_s * a_share, et.strength_avg_s * d_share
                elif et.multipolarity != 6:
                    raise ValueError(f"energy transfer {et.name}: the average model's lattice "
                                     f"sum is dipole–dipole (6), got multipolarity "
                                     f"{et.multipolarity}; give strength_avg_s, or solve it "
                                     "ion by ion (lnhet_widgets.core.ions)")
                else:
                    events = et.strength_a6_s * lattice * n_pairs * d_share * a_share
                    wd, wa = events / n_d, events / n_a
                pair.append((d_base + levels_d.index(et.donor_from),
                             d_base + levels_d.index(et.donor_to),
                             a_base + levels_a.index(et.acceptor_from),
                             a_base + levels_a.index(et.acceptor_to), wd, wa))

    if exciton is not None:
        lin.append((exciton + 1, exciton, 1e9 / p.exciton_lifetime_ns))
        line_rates.append(("CsPbX3", "X", "G", HC_EV_NM / perovskite_peak_ev(p),
                           (exciton + 1,), 1e9 / p.exciton_lifetime_ns))
        if excitation_nm in (365.0, 400.0):
            sigma = (p.perovskite_cross_section_cm2 * geo.perovskite_volume_nm3 / 1e3
                     * float(_relative_absorption(p, excitation_nm)[0]))
            pump.append((exciton, exciton + 1, sigma / photon_j))
        if defect is not None:
            k_trap = p.trapping_rate_per_defect_s
            pair.append((exciton + 1, exciton, defect, defect + 1, k_trap * geo.defects, k_trap))
            lin.append((defect + 1, defect, 1e9 / p.defect_lifetime_ns))
        if coupled > 0 and tm:
            uppers = [(u, lo, nm) for ion, u, lo, nm in LINES if ion == "Tm"]
            absorb = _relative_absorption(p, [nm for *_, nm in uppers])
            for (upper, lower, _), rel in zip(uppers, absorb, strict=True):
                ratios = branch.get(upper, {})
                ratio = ratios.get(lower, 1.0 - sum(ratios.values()) if lower == "3H6" else 0)
                a_line = ratio / tau[upper]
                for k, base in enumerate(tm):
                    wd = coupled * a_line * p.lret_volume_nm3 * rel * geo.tm_interface[k]
                    if wd > 0:
                        pair.append((base + TM_LEVELS.index(upper),
                                     base + TM_LEVELS.index(lower), exciton, exciton + 1,
                                     wd, wd * geo.n_tm * geo.tm_share[k]))
        if coupled > 0 and yb is not None and defect is not None:
            wd = (coupled * p.interface_transfer_nm3_s * interface_defect_scale(p.host)
                  * geo.yb_interface)
            pair.append((yb + 1, yb, defect, defect + 1, wd, wd * geo.n_yb / geo.defects))
            wd = coupled * p.defect_to_yb_rate_s
            pair.append((defect + 1, defect, yb, yb + 1, wd, wd * geo.defects / geo.n_yb))
        if coupled > 0 and yb is not None and geo.yb_interface > 0:
            # The exciton's own transfer to Yb³⁺ through the interface, k_Ln = C_Ln x_Yb πd²:
            # the rate of the bleach model (bleach.py, fixed by E2), so that both models give
            # the heterostructure's exciton one lifetime.
            k_ln = (coupled * LN_TRANSFER_RATE_NS_NM2 * 1e9 * p.yb_fraction
                    * np.pi * p.core_diameter_nm**2)
            pair.append((exciton + 1, exciton, yb, yb + 1, k_ln, k_ln / geo.n_yb))

    return RateSystem(tuple(species), tuple(offsets), _columns(lin, 2), _columns(pump, 2),
                   _columns(pair, 4), tuple(line_rates), float(excitation_nm))


def _columns(rows, n_index):
    """Rows of (index…, value…) → a tuple of column arrays, int64 for the indices."""
    width = n_index + (1 if n_index == 2 else 2)
    if not rows:
        return tuple(np.zeros(0, dtype=np.int64 if i < n_index else float)
                     for i in range(width))
    return tuple(np.array(col, dtype=np.int64 if i < n_index else float)
                 for i, col in enumerate(zip(*rows, strict=True)))
