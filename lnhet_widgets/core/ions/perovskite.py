"""§7's perovskite channels ion by ion (SCIENCE §11): the CsPbX3 shell of a heterostructure as
two pools beside the ions — its exciton {G, X} and its interface defects {empty, filled},
populations as fractions of the pool's members as in the average model — coupled to every
Yb³⁺ and Tm³⁺ of the particle.

The channels and their rates are the average model's
(:func:`~lnhet_widgets.core.optics.rate_equations.rate_system` of the same ``TransferParams``:
LRET from the Tm lines above the gap, Yb ²F5/2 → empty defect, filled defect → Yb, the
exciton's transfer to Yb, trapping, the pools' own decay and the 365/400 nm pump, all scaled
by the contact factor). What the per-ion model adds is *which* ions take part: each channel's
mean rate per ion of the average model is distributed over the ions of its species with
weights of mean 1,

    w_i = exp(−d_i / ℓ) / ⟨exp(−d / ℓ)⟩,    d_i = R − |r_i|  (depth below the interface),

ℓ the coupling length (:data:`COUPLING_LENGTH_NM`). An ion that gives to a pool does so at
w_i times the average model's rate per ion; a pool gives to the ions at its own rate, shared
among them in proportion to w_i. Each event moves one quantum on both sides (the pool's
coefficient is the ion's divided by the pool's members). With uniform weights (ℓ = None, or
every ion at the same depth) every ion sees the average model's channels; ℓ → ∞ tends to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..optics import TransferParams
from ..optics.rate_equations import rate_system
from .lattice import IonLattice

__all__ = ["COUPLING_LENGTH_NM", "POOLS", "PerovskitePools", "perovskite_pools"]

#: The pools of the perovskite shell, in the order of their blocks after the ions.
POOLS = ("exciton", "defect")

#: Coupling length ℓ of the perovskite channels, nm: the depth below the interface over which
#: an ion's share of them (transfer to the interface defects and to the exciton, LRET, the
#: exciton's and the defects' transfer back) falls by e. The per-ion model's second new
#: constant (the first: the Yb→Yb migration, ``TransferParams.yb_migration_a6_s``, fixed by
#: E1's bare core): the total coupling stays the average model's (C_int fixed by E1, V_LRET
#: by E6, C_Ln by E2); ℓ only says how it is shared over the ions. Fixed with that migration
#: by E1's heterostructure (P1: LnNP40@CsPbBr3, Yb³⁺ 34 ± 4 µs; tests/calibrate_ions.py,
#: root 0.160 nm): 34.0 µs on the seed-0 LnNP40 (35.9 µs on seed 1). Less than one cation
#: layer (site spacing 0.36–0.42 nm): the outermost Yb³⁺ take the interface's coupling and
#: migration feeds them. E1 fixes ℓ only loosely: with migration this fast the Yb³⁺ share
#: their excitation, and ℓ = 0.1, 0.5, 0.9 nm and equal shares (ℓ → ∞) give 35.0, 32.3, 31.8
#: and 31.5 µs, all within P1's ± 4 µs.
COUPLING_LENGTH_NM = 0.16


@dataclass(frozen=True, eq=False)
class PerovskitePools:
    """The pools' states and terms, indexed into the per-ion population vector.

    ``offsets``/``counts``: each pool's first state and its members (1 exciton, the defects
    of the shell); ``lin``/``pump``: (from, to, rate) of the pools' own decay and pump
    (per W cm⁻²); ``pair``: (df, dt, af, at, W_d, W_a) of every channel, with ``pair_blocks``
    the (donor, acceptor) block of each term (ions by their index, the pools after them);
    ``lines``: the perovskite band as ``(label, nm, upper states, rate s⁻¹)``."""

    offsets: np.ndarray
    counts: np.ndarray
    lin: tuple
    pump: tuple
    pair: tuple
    pair_blocks: tuple
    lines: tuple

    @property
    def size(self) -> int:
        """States of the pools (two per pool)."""
        return 2 * self.offsets.size


def interface_weights(lattice: IonLattice, coupling_length_nm: float | None) -> np.ndarray:
    """Weight of each ion in the perovskite channels, mean 1 over the ions of each species:
    exp(−depth/ℓ) normalised, or 1 for every ion when ``coupling_length_nm`` is None.

    Examples
    --------
    >>> lattice = IonLattice(np.array([[0.0, 0, 0], [1.5, 0, 0]]), np.array(["Yb", "Yb"]),
    ...                      np.array(["core", "core"]), site_percent={"Yb": 20},
    ...                      radius_nm=2.0)
    >>> np.round(interface_weights(lattice, 0.5), 4).tolist()
    [0.0949, 1.9051]
    """
    weights = np.ones(lattice.size)
    if coupling_length_nm is None:
        return weights
    depth = lattice.surface_distance_nm
    for species in np.unique(lattice.species):
        ions = lattice.species == species
        # relative to the shallowest ion of the species: no underflow deep inside
        f = np.exp(-(depth[ions] - depth[ions].min()) / coupling_length_nm)
        weights[ions] = f / f.mean()
    return weights


def perovskite_pools(params: TransferParams, lattice: IonLattice, levels: dict,
                     ion_offsets: np.ndarray, *, excitation_nm: float,
                     coupling_length_nm: float | None) -> PerovskitePools:
    """The pools of ``params``' perovskite shell after the ions' states (which end at
    ``ion_offsets[-1] + levels of the last ion``), coupled to the ions of ``lattice``."""
    avg = _Average(rate_system(params, float(excitation_nm)),
                   int(ion_offsets[-1] + len(levels[lattice.species[-1]])), lattice.size)
    weights = interface_weights(lattice, coupling_length_nm)
    cols = [[], [], [], [], [], []]
    blocks = [[], []]

    def add(terms, donor_blocks, acceptor_blocks):
        for col, value in zip(cols, terms, strict=True):
            col.append(np.atleast_1d(value))
        blocks[0].append(np.atleast_1d(donor_blocks))
        blocks[1].append(np.atleast_1d(acceptor_blocks))

    channels = {}
    for df, dt, af, at, wd, wa in zip(*avg.system.pair, strict=True):
        donor, acceptor = avg.name_of(df), avg.name_of(af)
        if wd <= 0 or (donor not in avg.pools and acceptor not in avg.pools):
            continue  # between lanthanides: the ions' own pair terms
        if donor in avg.pools and acceptor in avg.pools:  # trapping: exciton and defects alike
            add((avg.state(df), avg.state(dt), avg.state(af), avg.state(at), wd, wa),
                avg.block[donor], avg.block[acceptor])
            continue
        key, rate = avg.channel(df, dt, af, at, wd)
        channels[key] = channels.get(key, 0.0) + rate

    for (direction, species, ion_levels, pool_levels, pool), rate in channels.items():
        ions = np.nonzero(lattice.species == species)[0]
        if ions.size == 0:
            continue
        ion_from, ion_to = ion_offsets[ions] + ion_levels[0], ion_offsets[ions] + ion_levels[1]
        pool_from, pool_to = (np.full(ions.size, level) for level in pool_levels)
        members, pool_blocks = avg.counts[pool], np.full(ions.size, avg.block[pool])
        if direction == "ion→pool":  # each ion at its share of the mean rate per ion
            w_ion = rate * weights[ions]
            add((ion_from, ion_to, pool_from, pool_to, w_ion, w_ion / members), ions,
                pool_blocks)
        else:  # the pool at its own rate, shared over the ions
            w_pool = rate * weights[ions] / ions.size
            add((pool_from, pool_to, ion_from, ion_to, w_pool, w_pool * members), pool_blocks,
                ions)

    pair = tuple(np.concatenate([np.zeros(0), *c]).astype(np.int64 if k < 4 else float)
                 for k, c in enumerate(cols))
    pair_blocks = tuple(np.concatenate([np.zeros(0, np.int64), *b]).astype(np.int64)
                        for b in blocks)
    lines = tuple(("CsPbX3 band", float(nm), np.array([avg.state(i) for i in idx]),
                   float(rate))
                  for ion, _, _, nm, idx, rate in avg.system.line_rates if ion == "CsPbX3")
    return PerovskitePools(np.array([avg.pools[p] for p in avg.pools], dtype=np.int64),
                           np.array([avg.counts[p] for p in avg.pools]),
                           avg.own_terms(avg.system.lin), avg.own_terms(avg.system.pump),
                           pair, pair_blocks, lines)


class _Average:
    """The average model's rate system of the particle, read for the per-ion one: which
    species each of its states belongs to, and where its pools go in the per-ion vector (from
    the state ``first_state``, as the blocks from ``first_block``)."""

    def __init__(self, system, first_state: int, first_block: int):
        self.system = system
        self.names = [name for name, _, _ in system.species]
        self.counts = {name: count for name, _, count in system.species}
        self.offsets = dict(zip(self.names, system.offsets, strict=True))
        self.block_of = np.repeat(np.arange(len(self.names)),
                                  [len(levels) for _, levels, _ in system.species])
        present = [name for name in POOLS if name in self.counts]
        self.pools = {name: first_state + 2 * k for k, name in enumerate(present)}
        self.block = {name: first_block + k for k, name in enumerate(present)}
        self.ions_of = {s: sum(c for n, c in self.counts.items() if self.species(n) == s)
                        for s in ("Yb", "Tm")}

    @staticmethod
    def species(name: str) -> str:
        """The ion of a block of the average model (its Tm comes in radial classes)."""
        return "Tm" if name.startswith("Tm") else name

    def name_of(self, index) -> str:
        return self.names[self.block_of[index]]

    def state(self, index) -> int:
        """The per-ion state of one of the average model's pool states."""
        name = self.name_of(index)
        return self.pools[name] + int(index) - self.offsets[name]

    def own_terms(self, terms):
        """The pools' own linear terms (from, to, rate) of ``terms``."""
        frm, to, rate = terms
        keep = np.array([self.name_of(i) in self.pools for i in frm], dtype=bool)
        return (np.array([self.state(i) for i in frm[keep]], dtype=np.int64),
                np.array([self.state(i) for i in to[keep]], dtype=np.int64), rate[keep])

    def channel(self, df, dt, af, at, wd):
        """One ion–pool term of the average model as ``((direction, species, ion levels, pool
        states, pool), rate)``: ion → pool at its rate per ion (a Tm class's weighted by its
        share of the Tm, so that the classes sum to the mean), pool → ion at the pool's rate
        per member (summed over the classes it reaches)."""
        if self.name_of(df) in self.pools:
            direction, (i_from, i_to), (p_from, p_to) = "pool→ion", (af, at), (df, dt)
        else:
            direction, (i_from, i_to), (p_from, p_to) = "ion→pool", (df, dt), (af, at)
        block = self.name_of(i_from)
        species, base = self.species(block), self.offsets[block]
        share = self.counts[block] / self.ions_of[species] if direction == "ion→pool" else 1.0
        key = (direction, species, (int(i_from) - base, int(i_to) - base),
               (self.state(p_from), self.state(p_to)), self.name_of(p_from))
        return key, wd * share
