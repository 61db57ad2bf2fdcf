"""numba kernel of the annealing kinetic Monte Carlo (SCIENCE §5), used by
:mod:`~lnhet_widgets.core.annealing.simulation`.

The lattice is a graph of cation sites in CSR form (``nbr_ptr``, ``nbr_idx``); ``species``
holds one code per site (:data:`VACANCY` or an ion code) and ``vacancies`` the sites of the
vacancies in a fixed order. One MC step gives every vacancy, in that order, one turn:

1. Docking. On a site of region :data:`SURFACE`, with complexes present (``dock_species`` > 0),
   the vacancy is filled by the complex's ion with probability ``dock_probability``; the
   vacancy leaves the list (stable order) and the docking is counted.
2. Otherwise one hop attempt. A neighbour slot is drawn uniformly from ``z_max`` slots, the
   largest coordination of the lattice. A slot beyond the site's neighbours (the outside of
   the particle) or holding a vacancy is a null event, so each occupied neighbour is tried at
   the same rate wherever the vacancy sits: this is the rejection form of a vacancy whose
   total hop rate is the sum of Γ_s over its occupied neighbours. The ion of species s at
   neighbour j moves into the vacancy with probability ``acceptance[s, dn + z_max - 1]``.
   ``dn = n_i - 1 - n_j`` is the change in the ion's occupied neighbours (bonds) caused by
   the hop, counted only when ``count_bonds`` (the optional local-energy term); the table
   holds exp(−(E_s − ½ ε dn − E_ref)/kT) with E_ref low enough that every entry is ≤ 1.
   The probability is multiplied by ``escape[region of the vacancy, region of j]``, the
   Metropolis factor min(1, exp(−ΔE_v/kT)) of the vacancy's own energy in each region (its
   segregation to the surface), so a vacancy leaving a region where it is bound is slowed
   and every other hop keeps its rate.

Every turn draws three uniform numbers (slot, acceptance, docking) from the generator whether
it uses them or not, so the stream does not depend on the outcome; the pure-numpy reference
:func:`run_steps_numpy` draws the same numbers and reaches the same state, bit for bit.
"""

from __future__ import annotations

import numba
import numpy as np

VACANCY = 0
SURFACE = 3


@numba.njit(cache=True, nogil=True)
def _occupied_neighbours(species, nbr_ptr, nbr_idx, site):
    count = 0
    for k in range(nbr_ptr[site], nbr_ptr[site + 1]):
        if species[nbr_idx[k]] != VACANCY:
            count += 1
    return count


@numba.njit(cache=True, nogil=True)
def run_steps(species, vacancies, n_vacancies, nbr_ptr, nbr_idx, region, acceptance,
              escape, count_bonds, z_max, dock_probability, dock_species, n_steps, rng):
    """Advance ``n_steps`` MC steps in place; return (vacancies left, ions docked).

    ``species`` and the first ``n_vacancies`` entries of ``vacancies`` are updated; the
    generator's state advances by three draws per vacancy turn.
    """
    docked = 0
    for _ in range(n_steps):
        kept = 0
        for k in range(n_vacancies):
            site = vacancies[k]
            u_slot = rng.random()
            u_accept = rng.random()
            u_dock = rng.random()
            if dock_species > 0 and region[site] == SURFACE and u_dock < dock_probability:
                species[site] = dock_species
                docked += 1
                continue
            slot = int(u_slot * z_max)
            start = nbr_ptr[site]
            if slot < nbr_ptr[site + 1] - start:
                target = nbr_idx[start + slot]
                ion = species[target]
                if ion != VACANCY:
                    dn = 0
                    if count_bonds:
                        dn = (_occupied_neighbours(species, nbr_ptr, nbr_idx, site) - 1
                              - _occupied_neighbours(species, nbr_ptr, nbr_idx, target))
                    limit = (acceptance[ion, dn + z_max - 1]
                             * escape[region[site], region[target]])
                    if u_accept < limit:
                        species[site] = ion
                        species[target] = VACANCY
                        site = target
            # Compacting in place keeps the order of the survivors (kept ≤ k).
            vacancies[kept] = site
            kept += 1
        n_vacancies = kept
    return n_vacancies, docked


def _turn_numpy(species, site, u, nbr_ptr, nbr_idx, region, acceptance, escape, count_bonds,
                z_max, dock_probability, dock_species):
    """One vacancy's turn, scalar; returns its new site, or −1 when it was docked."""
    if dock_species > 0 and region[site] == SURFACE and u[2] < dock_probability:
        species[site] = dock_species
        return -1
    slot = int(u[0] * z_max)
    start = nbr_ptr[site]
    if slot >= nbr_ptr[site + 1] - start:
        return site
    target = nbr_idx[start + slot]
    ion = species[target]
    if ion == VACANCY:
        return site
    dn = 0
    if count_bonds:
        around_site = species[nbr_idx[start:nbr_ptr[site + 1]]]
        around_target = species[nbr_idx[nbr_ptr[target]:nbr_ptr[target + 1]]]
        dn = int(np.sum(around_site != VACANCY)) - 1 - int(np.sum(around_target != VACANCY))
    if u[1] < acceptance[ion, dn + z_max - 1] * escape[region[site], region[target]]:
        species[site] = ion
        species[target] = VACANCY
        return target
    return site


def run_steps_numpy(species, vacancies, n_vacancies, nbr_ptr, nbr_idx, region, acceptance,
                    escape, count_bonds, z_max, dock_probability, dock_species, n_steps, rng):
    """Pure-numpy reference of :func:`run_steps` (tests and the benchmark's ratio).

    Each step is vectorised over the vacancies whose turns cannot interact: a turn reads
    its site, its target and (with the bond term) both neighbourhoods, and writes its site
    and target; turns whose write sets miss every other turn's read set, and whose read sets
    miss every other turn's writes, commute with all others and are applied at once. The rest
    (rare at low vacancy fractions) are replayed one by one in list order, which is the
    sequential order of the kernel for them.
    """
    vac = vacancies[:n_vacancies].copy()
    degree = np.diff(nbr_ptr)
    n_sites = species.size
    docked = 0
    for _ in range(n_steps):
        n = vac.size
        u = rng.random((n, 3))
        dock = (dock_species > 0) & (region[vac] == SURFACE) & (u[:, 2] < dock_probability)
        slot = (u[:, 0] * z_max).astype(np.int64)
        hop = ~dock & (slot < degree[vac])
        target = np.full(n, -1, dtype=np.int64)
        target[hop] = nbr_idx[nbr_ptr[vac[hop]] + slot[hop]]

        turn = np.arange(n)
        reads = [np.column_stack([turn, vac]), np.column_stack([turn[hop], target[hop]])]
        if count_bonds:
            for sites, who in ((vac[hop], turn[hop]), (target[hop], turn[hop])):
                deg = degree[sites]
                starts = np.repeat(nbr_ptr[sites] - np.cumsum(deg) + deg, deg)
                reads.append(np.column_stack(
                    [np.repeat(who, deg), nbr_idx[starts + np.arange(deg.sum())]]))
        pairs = np.unique(np.concatenate(reads), axis=0)
        who, where = pairs[:, 0], pairs[:, 1]
        writes = np.bincount(np.concatenate([vac, target[hop]]), minlength=n_sites)
        read_by = np.bincount(where, minlength=n_sites)
        own = (where == vac[who]) | (where == target[who])
        clash = (writes[where] - own > 0) | (own & (read_by[where] > 1))
        conflict = np.bincount(who[clash], minlength=n) > 0

        free = ~conflict
        species[vac[free & dock]] = dock_species
        moving = free & hop
        ions = species[target[moving]]
        dn = np.zeros(ions.size, dtype=np.int64)
        if count_bonds:
            occupied_sum = np.concatenate([[0], np.cumsum(species[nbr_idx] != VACANCY)])
            bonds = occupied_sum[nbr_ptr[1:]] - occupied_sum[nbr_ptr[:-1]]
            dn = bonds[vac[moving]] - 1 - bonds[target[moving]]
        table = (acceptance[ions, dn + z_max - 1]
                 * escape[region[vac[moving]], region[target[moving]]])
        go = (ions != VACANCY) & (u[moving, 1] < table)
        sites, targets = vac[moving][go], target[moving][go]
        species[sites] = ions[go]
        species[targets] = VACANCY
        vac[np.flatnonzero(moving)[go]] = targets
        vac[free & dock] = -1

        for k in np.flatnonzero(conflict):
            vac[k] = _turn_numpy(species, vac[k], u[k], nbr_ptr, nbr_idx, region, acceptance,
                                 escape, count_bonds, z_max, dock_probability, dock_species)
        docked += int(np.sum(vac < 0))
        vac = vac[vac >= 0]
    vacancies[: vac.size] = vac
    return vac.size, docked
