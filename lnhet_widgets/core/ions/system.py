"""The per-ion rate equations of SCIENCE §11, assembled from one
:class:`~lnhet_widgets.core.optics.TransferParams` (the parameter set of the average model)
and one :class:`~lnhet_widgets.core.ions.IonLattice`.

Every Yb³⁺ has the levels {²F7/2, ²F5/2}, every Tm³⁺ {³H6, ³F4, ³H5, ³H4, ³F3, ¹G4, ¹D2, ¹I6};
populations are fractions of each ion (its block sums to 1). Terms, as simetuc writes them:

* absorption at 980 nm by each Yb, σI/hν up and g·σI/hν down (g the degeneracy ratio);
* decay with the lifetimes and branching ratios of ``params``, the rest of each level's decay
  to the ground state;
* §6's quenching at each ion's own position, to its ground state: C_s·g(r) to the ligand
  continuum beyond the particle surface (plus half a cation spacing, as the average model
  takes it) and C_v Σ_v (R_v/d)⁶ over the vacancies within 3 nm (Tm ³F4 coupled by
  ``vacancy_quenching_3f4_factor``); a periodic box has neither;
* for every energy-transfer process and every ordered donor–acceptor pair within ``d_max_nm``,
  W_ij y_i,d y_j,a with W_ij = C / r_ij^s (C simetuc's ``strength``, s⁻¹ Å^s, r in Å, s its
  multipolarity), including the explicit Yb→Yb migration ``yb_migration_a6_s``;
* the pairs beyond ``d_max_nm`` in the mean field (:class:`TailTerms`): donor i transfers at
  T_i · ȳ_a, with ȳ_a the acceptors' mean population of the accepting level and
  T_i = C ρ_A ∫ r^-s dA dr over the acceptors' region beyond d_max (ρ_A their density), and
  each acceptor takes the same events back in equal shares. simetuc keeps every pair; without
  this tail a 2 nm cut-off leaves out enough of the r⁻⁶ sum to shift its example's ¹D2 by 7 %.

With a perovskite shell (``params.has_perovskite``) its exciton and interface defects follow
the ions as two pools with §7's channels, each distributed over the ions by their depth below
the interface (:mod:`~lnhet_widgets.core.ions.perovskite`), and the ligands quench only the
uncovered share (1 − contact) of the surface, as in the average model. 980 nm pumps Yb³⁺,
365 and 400 nm the perovskite.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from scipy import constants

from .._base.validate import check_range
from ..optics import (
    LINES,
    TransferParams,
    cation_site_density_nm3,
    continuum_factor_nm3,
    vacancy_rate_s,
)
from ..optics.transfer_params import EXCITATIONS_NM, TM_LEVELS, YB_LEVELS, EnergyTransfer
from .lattice import IonLattice
from .pairs import ion_pairs
from .perovskite import COUPLING_LENGTH_NM, POOLS, perovskite_pools

__all__ = ["LEVELS", "IonSystem", "TailTerms", "ion_system"]

#: Levels of each species, ground state first.
LEVELS = {"Yb": YB_LEVELS, "Tm": TM_LEVELS}

#: Vacancies farther than this from an ion are left out of its §6 sum, nm (the average
#: model's cut-off: one at 3 nm adds 1/700 of C_v).
VACANCY_CUTOFF_NM = 3.0

#: Bytes per pair term the solvers hold at their peak (terms, pattern build, Jacobian and its
#: factors): 1.2 GiB for the 4.4 M terms of the benchmark's 1e5 states (≈ 290), with a
#: margin; used to refuse a problem before it allocates.
_BYTES_PER_PAIR_TERM = 400


_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class TailTerms:
    """The pairs beyond d_max in the mean field, per process (rows of equal length): donor
    states ``d_from → d_to`` with coefficients ``t_s`` (s⁻¹), and the acceptor states
    ``a_from → a_to`` of that process's species.

    They act as linear terms whose rates follow the populations: donor i at
    T_i · mean(y[a_from]), every acceptor at Σ_i T_i y[d_from_i] / N_A (:meth:`rates`)."""

    d_from: tuple
    d_to: tuple
    t_s: tuple
    a_from: tuple
    a_to: tuple

    @property
    def lin_from(self) -> np.ndarray:
        return np.concatenate((_NONE, *self.d_from, *self.a_from)).astype(np.int64)

    @property
    def lin_to(self) -> np.ndarray:
        return np.concatenate((_NONE, *self.d_to, *self.a_to)).astype(np.int64)

    def rates(self, y) -> np.ndarray:
        """Rates of the tail's linear terms at the populations ``y`` (order of
        :attr:`lin_from`)."""
        donors = [t * y[a].mean() for t, a in zip(self.t_s, self.a_from, strict=True)]
        acceptors = [np.full(a.size, t @ y[d] / a.size)
                     for t, d, a in zip(self.t_s, self.d_from, self.a_from, strict=True)]
        return np.concatenate((np.zeros(0), *donors, *acceptors))

    def coupling(self, y, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The part of the tail's Jacobian that :meth:`rates` taken as they stand leaves out,
        as ``U @ V.T`` (both (n, 2 per process)): donor i's flux T_i ȳ_a y_i depends on every
        acceptor through the mean ȳ_a, and each acceptor's on every donor through Σ T_i y_i.
        Two rank-one terms per process, dense over the states: where migration is strong
        they are as large as the rates themselves, and Newton's method needs them."""
        us, vs = [], []
        for t, d_from, d_to, a_from, a_to in zip(self.t_s, self.d_from, self.d_to,
                                                 self.a_from, self.a_to, strict=True):
            u, v = np.zeros(n), np.zeros(n)
            np.add.at(u, d_to, t * y[d_from])
            np.add.at(u, d_from, -t * y[d_from])
            v[a_from] = 1.0 / a_from.size
            us.append(u)
            vs.append(v)
            u, v = np.zeros(n), np.zeros(n)
            np.add.at(u, a_to, y[a_from] / a_from.size)
            np.add.at(u, a_from, -y[a_from] / a_from.size)
            v[d_from] = t
            us.append(u)
            vs.append(v)
        return np.array(us).reshape(-1, n).T, np.array(vs).reshape(-1, n).T


@dataclass(frozen=True, eq=False)
class IonSystem:
    """The per-ion rate equations of one lattice under one excitation, as the numba kernels
    take them (:mod:`~lnhet_widgets.core.ions._kernel`).

    The blocks are the ions of ``lattice`` in order, then the perovskite's ``pools`` (none
    without a perovskite): ``offsets[k]`` is the index of block k's ground state in the
    population vector and ``block_end[k]`` the end of its block; ``lin`` holds
    (from, to, rate s⁻¹) per linear term, ``pump`` (from, to, rate per W cm⁻²), ``pair``
    (df, dt, af, at, W_d, W_a s⁻¹) per pair term (W_d = W_a between two ions) with
    ``pair_process`` its index into ``processes`` (−1: a perovskite channel) and
    ``pair_ions`` into ``ion_pairs``; ``lines`` holds per emission line
    ``(label, nm, upper-state indices, rate s⁻¹)``; ``quenching_s`` each ion's §6 rate
    (Tm: that of the levels the vacancy term couples fully); ``tail`` the pairs beyond
    ``d_max_nm`` in the mean field; ``ion_pairs`` the ordered pairs of blocks (i, j) coupled
    by a pair term (ions within ``d_max_nm``, ions and pools), sorted by (i, j).
    """

    lattice: IonLattice
    excitation_nm: float
    d_max_nm: float | None
    offsets: np.ndarray
    block_end: np.ndarray
    lin: tuple
    pump: tuple
    pair: tuple
    pair_process: np.ndarray
    pair_ions: np.ndarray
    processes: tuple
    lines: tuple
    quenching_s: np.ndarray
    tail: TailTerms
    ion_pairs: tuple
    pools: tuple = ()
    coupling_length_nm: float | None = None

    @property
    def ion_offsets(self) -> np.ndarray:
        """The ground state of every ion (the blocks before the pools)."""
        return self.offsets[:self.lattice.size]

    def pool_offset(self, pool: str) -> int:
        """The ground state of a perovskite pool (``"exciton"``, ``"defect"``)."""
        if pool not in self.pools:
            raise ValueError(f"pool must be one of {self.pools} (the perovskite's pools of "
                             f"this system), got {pool!r}")
        return int(self.offsets[self.lattice.size + self.pools.index(pool)])

    @property
    def size(self) -> int:
        """Number of states."""
        return int(self.block_end[-1])

    def ground_state(self) -> np.ndarray:
        y = np.zeros(self.size)
        y[self.offsets] = 1.0
        return y


def ion_system(params: TransferParams, lattice: IonLattice, *, excitation_nm: float = 980.0,
               d_max_nm: float | None = 2.0,
               coupling_length_nm: float | None = COUPLING_LENGTH_NM) -> IonSystem:
    """Assemble the per-ion rate equations.

    Parameters
    ----------
    params : TransferParams
        Rate constants (the average model's parameter set). Its composition and geometry
        fields are those of ``lattice`` instead.
    lattice : IonLattice
    excitation_nm : {980, 365, 400}
        980 nm pumps Yb³⁺; 365 and 400 nm the perovskite shell (``params`` must have one).
    d_max_nm : float or None
        Pairs farther apart than this are left out, nm; None keeps every pair (simetuc's
        choice). At 2 nm the dipole–dipole rates left out are ≈ 0.3 % of an ion's total in
        β-NaYF4 (the lattice sum beyond R, 4πρ/3R³, against the whole sum).
    coupling_length_nm : float or None
        Depth over which an ion's share of the perovskite channels falls by e, nm
        (:data:`~lnhet_widgets.core.ions.perovskite.COUPLING_LENGTH_NM`); None shares them
        equally, as the average model does.

    Examples
    --------
    >>> lattice = IonLattice.from_params(TransferParams(core_diameter_nm=4.0), seed=0)
    >>> system = ion_system(TransferParams(), lattice)
    >>> system.size == 2 * lattice.count("Yb") + 8 * lattice.count("Tm")
    True
    """
    if not isinstance(params, TransferParams):
        raise ValueError(f"params must be a TransferParams, got {type(params).__name__}")
    if not isinstance(lattice, IonLattice):
        raise ValueError(f"lattice must be an IonLattice, got {type(lattice).__name__}")
    try:
        excitation_nm = float(excitation_nm)
    except (TypeError, ValueError):
        excitation_nm = None
    if excitation_nm not in EXCITATIONS_NM:
        raise ValueError(f"excitation_nm must be one of {EXCITATIONS_NM} nm, got "
                         f"{excitation_nm!r}")
    if excitation_nm != 980.0 and not params.has_perovskite:
        raise ValueError(f"excitation_nm = {excitation_nm:g} nm pumps the perovskite, and the "
                         "particle has none (perovskite_edge_nm = 0): use 980 nm")
    if params.has_perovskite:
        _check_perovskite_particle(params, lattice)
    if coupling_length_nm is not None:
        coupling_length_nm = check_range("coupling_length_nm", coupling_length_nm, "nm",
                                         0.01, 1e3)
    if d_max_nm is not None:
        d_max_nm = check_range("d_max_nm", d_max_nm, "nm", 0.3, 50.0)
    if lattice.cell_nm is not None and len(lattice.vacancies_nm):
        raise ValueError("a periodic box carries no vacancies (§6's sum is taken in a particle)")

    sizes = np.array([len(LEVELS[s]) for s in lattice.species], dtype=np.int64)
    block_end = np.cumsum(sizes)
    offsets = block_end - sizes
    is_yb, is_tm = lattice.species == "Yb", lattice.species == "Tm"
    surface, vacancy = _quenching(params, lattice)
    if params.has_perovskite:  # the shell covers this share of the ligand surface
        surface = surface * (1.0 - params.contact_factor)

    rows = []  # (from, to, rate) arrays

    def add(frm, to, rate):
        rate = np.broadcast_to(np.asarray(rate, dtype=float), frm.shape)
        keep = rate > 0
        rows.append((frm[keep], to[keep], rate[keep]))

    yb, tm = offsets[is_yb], offsets[is_tm]
    add(yb + 1, yb, 1 / params.yb_lifetime_s + surface[is_yb] + vacancy[is_yb])
    tau = dict(params.tm_lifetimes_s)
    branch: dict = {}
    for upper, lower, ratio in params.tm_branching:
        branch.setdefault(upper, {})[lower] = ratio
    for i, level in enumerate(TM_LEVELS[1:], start=1):
        ratios = branch.get(level, {})
        for lower, ratio in ((TM_LEVELS[0], 1.0 - sum(ratios.values())), *ratios.items()):
            add(tm + i, tm + TM_LEVELS.index(lower), ratio / tau[level])
        coupling = params.vacancy_quenching_3f4_factor if level == "3F4" else 1.0
        add(tm + i, tm, surface[is_tm] + coupling * vacancy[is_tm])
    lin = tuple(np.concatenate(col) for col in zip(*rows, strict=True))
    lin = (lin[0].astype(np.int64), lin[1].astype(np.int64), lin[2])

    photon_j = constants.h * constants.c / (excitation_nm * 1e-9)
    rate = params.yb_cross_section_cm2 / photon_j if excitation_nm == 980.0 else 0.0
    pump = (np.concatenate((yb, yb + 1)).astype(np.int64),
            np.concatenate((yb + 1, yb)).astype(np.int64),
            np.concatenate((np.full(yb.size, rate),
                            np.full(yb.size, rate * params.yb_degeneracy_ratio))))

    processes = tuple(params.energy_transfer)
    if params.yb_migration_a6_s > 0:
        processes += (EnergyTransfer("Yb migration", "Yb", "2F5/2", "2F7/2", "Yb", "2F7/2",
                                     "2F5/2", params.yb_migration_a6_s),)
    _check_memory(lattice, processes, d_max_nm)
    pair, pair_process, pair_ions, pairs = _pair_terms(lattice, offsets, processes, d_max_nm)

    lines = []
    for ion, upper, lower, nm in LINES:
        upper_states = offsets[lattice.species == ion] + LEVELS[ion].index(upper)
        if ion == "Yb":
            a_line = 1 / params.yb_lifetime_s
        else:
            ratios = branch.get(upper, {})
            ratio = ratios.get(lower, 1.0 - sum(ratios.values()) if lower == "3H6" else 0.0)
            a_line = ratio / tau[upper]
        if upper_states.size and a_line > 0:
            lines.append((f"{ion} {upper}→{lower}", float(nm), upper_states, float(a_line)))
    tail = _tail_terms(lattice, offsets, processes, d_max_nm)
    pools = ()
    if params.has_perovskite:
        shell = perovskite_pools(params, lattice, LEVELS, offsets, excitation_nm=excitation_nm,
                                 coupling_length_nm=coupling_length_nm)
        pools = POOLS[:shell.offsets.size]
        offsets = np.concatenate((offsets, shell.offsets))
        block_end = np.concatenate((block_end, shell.offsets + 2))
        lin = tuple(np.concatenate(c) for c in zip(lin, shell.lin, strict=True))
        pump = tuple(np.concatenate(c) for c in zip(pump, shell.pump, strict=True))
        pair_process = np.concatenate((pair_process,
                                       np.full(shell.pair[0].size, -1, dtype=np.int32)))
        pair, pair_ions, pairs = _with_pool_pairs(pair, pair_ions, pairs, shell, lattice.size)
        lines += list(shell.lines)
    return IonSystem(lattice, excitation_nm, d_max_nm, offsets, block_end, lin, pump,
                     pair, pair_process, pair_ions, processes, tuple(lines), surface + vacancy,
                     tail, pairs, pools, coupling_length_nm if pools else None)


def _check_perovskite_particle(params: TransferParams, lattice: IonLattice) -> None:
    """The shell's channels are those of ``params``' particle: the ions must be its ions."""
    if lattice.radius_nm is None:
        raise ValueError("a perovskite shell needs a particle: the lattice is a periodic box "
                         "(cell_nm), which has no interface")
    outer = params.outer_diameter_nm / 2
    if abs(lattice.radius_nm - outer) > 1e-6 * outer:
        raise ValueError(f"the lattice's radius_nm = {lattice.radius_nm:g} nm is not the radius "
                         f"of params' particle ({outer:g} nm, outer_diameter_nm / 2), whose "
                         "perovskite shell is coupled: build the lattice from the same params")


def _with_pool_pairs(pair, pair_ions, pairs, shell, n_ions):
    """The ion pairs' terms followed by the pools' channels, and the ordered block pairs of
    both (sorted by (i, j), each pair in both orders) that index them."""
    i, j = pairs
    bi, bj = shell.pair_blocks
    # the pools' blocks come after every ion's, so their pairs are new
    n_blocks = n_ions + shell.offsets.size
    new = np.unique(np.concatenate((bi * n_blocks + bj, bj * n_blocks + bi)))
    keys = np.concatenate((i * n_blocks + j, new))
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    pair_ions = np.concatenate((rank[pair_ions], np.searchsorted(keys, bi * n_blocks + bj)))
    pair = tuple(np.concatenate(c) for c in zip(pair, shell.pair, strict=True))
    return pair, pair_ions, (keys // n_blocks, keys % n_blocks)


def _quenching(params: TransferParams, lattice: IonLattice):
    """§6 at each ion: (surface part, vacancy part), s⁻¹."""
    surface = np.zeros(lattice.size)
    vacancy = np.zeros(lattice.size)
    if lattice.radius_nm is None:
        return surface, vacancy
    gap = 0.5 * cation_site_density_nm3(lattice.host) ** (-1 / 3)
    surface = params.surface_quenching_nm3_s * continuum_factor_nm3(lattice.radial_nm,
                                                                    lattice.radius_nm + gap)
    if len(lattice.vacancies_nm) and params.vacancy_quenching_s > 0:
        vacancy = vacancy_rate_s(lattice.positions_nm, lattice.vacancies_nm,
                                 strength_s=params.vacancy_quenching_s,
                                 radius_nm=params.vacancy_radius_nm,
                                 cutoff_nm=VACANCY_CUTOFF_NM)
    return surface, vacancy


def _pair_terms(lattice, offsets, processes, d_max_nm):
    i, j, r_nm = ion_pairs(lattice, d_max_nm)
    donors = lattice.species[i]
    acceptors = lattice.species[j]
    cols = [[], [], [], [], []]
    which, ions = [], []
    for k, et in enumerate(processes):
        if et.strength_a6_s == 0:
            continue
        sel = (donors == et.donor) & (acceptors == et.acceptor)
        d, a = offsets[i[sel]], offsets[j[sel]]
        levels_d, levels_a = LEVELS[et.donor], LEVELS[et.acceptor]
        cols[0].append(d + levels_d.index(et.donor_from))
        cols[1].append(d + levels_d.index(et.donor_to))
        cols[2].append(a + levels_a.index(et.acceptor_from))
        cols[3].append(a + levels_a.index(et.acceptor_to))
        cols[4].append(et.strength_a6_s / (10.0 * r_nm[sel]) ** et.multipolarity)
        which.append(np.full(int(sel.sum()), k, dtype=np.int32))
        ions.append(np.nonzero(sel)[0])
    if not which:
        empty = np.zeros(0, dtype=np.int64)
        return ((empty, empty, empty, empty, np.zeros(0), np.zeros(0)),
                np.zeros(0, dtype=np.int32), empty, (i, j))
    indices = [np.concatenate(c).astype(np.int64) for c in cols[:4]]
    w = np.concatenate(cols[4])
    pair = (*indices, w, w)  # one rate for both partners of a pair of ions
    return pair, np.concatenate(which), np.concatenate(ions), (i, j)


def _tail_terms(lattice, offsets, processes, d_max_nm) -> TailTerms:
    rows = [[], [], [], [], []]
    if d_max_nm is not None:
        for et in processes:
            donors = np.nonzero(lattice.species == et.donor)[0]
            acceptors = np.nonzero(lattice.species == et.acceptor)[0]
            if et.strength_a6_s == 0 or donors.size == 0 or acceptors.size == 0:
                continue
            levels_d, levels_a = LEVELS[et.donor], LEVELS[et.acceptor]
            rows[0].append(offsets[donors] + levels_d.index(et.donor_from))
            rows[1].append(offsets[donors] + levels_d.index(et.donor_to))
            rows[2].append(et.strength_a6_s * _tail_integral(lattice, donors, acceptors,
                                                             d_max_nm, et.multipolarity))
            rows[3].append(offsets[acceptors] + levels_a.index(et.acceptor_from))
            rows[4].append(offsets[acceptors] + levels_a.index(et.acceptor_to))
    return TailTerms(*(tuple(r) for r in rows))


def _tail_integral(lattice, donors, acceptors, d_max_nm, s) -> np.ndarray:
    """ρ_A ∫_{r > d_max} r^-s dA(r) dr (Å^-s) for each donor: in a periodic box out to the
    sphere of the box's volume (the minimum-image convention counts each partner once, within
    the box's Wigner–Seitz cell, as simetuc does); in a particle over the sphere holding the
    acceptors (the area of each shell of radius r around the donor that lies inside it)."""
    d_a = 10.0 * d_max_nm
    if lattice.cell_nm is not None:
        volume = abs(np.linalg.det(lattice.cell_nm)) * 1e3
        edge = max((3 * volume / (4 * np.pi)) ** (1 / 3), d_a)
        return np.full(donors.size, acceptors.size / volume * 4 * np.pi / (s - 3)
                       * (d_a ** (3 - s) - edge ** (3 - s)))
    # acceptors fill the sphere out to their outermost ion plus half a cation spacing
    radius = 10.0 * (np.linalg.norm(lattice.positions_nm[acceptors], axis=1).max()
                     + 0.5 * cation_site_density_nm3(lattice.host) ** (-1 / 3))
    density = acceptors.size / (4 / 3 * np.pi * radius**3)
    a = np.maximum(10.0 * np.linalg.norm(lattice.positions_nm[donors], axis=1), 1e-9)
    r = np.geomspace(d_a, d_a + 2 * radius, 256)
    cos_edge = np.clip((a[:, None] ** 2 + r**2 - radius**2) / (2 * a[:, None] * r), -1, 1)
    inside = 2 * np.pi * r**2 * (1 - cos_edge)  # area of the shell inside the sphere
    return density * np.trapezoid(inside * r ** -float(s), r, axis=1)


def _check_memory(lattice: IonLattice, processes, d_max_nm: float | None) -> None:
    """Refuse, before any allocation, a problem whose pair terms would not fit in memory."""
    n = lattice.size
    if d_max_nm is None:
        partners = n - 1
    else:
        if lattice.cell_nm is not None:
            volume = abs(np.linalg.det(lattice.cell_nm))
        else:
            volume = 4 / 3 * np.pi * lattice.radius_nm**3
        partners = min(n - 1, n / volume * 4 / 3 * np.pi * d_max_nm**3)
    # one term per process and ordered donor–acceptor pair within reach
    terms = sum(lattice.count(et.donor) * partners * lattice.count(et.acceptor) / n
                for et in processes if et.strength_a6_s > 0)
    estimate = terms * _BYTES_PER_PAIR_TERM
    available = _available_memory()
    if available is not None and estimate > available:
        raise ValueError(f"the per-ion problem ({n} ions, ≈{partners:.0f} partners each within "
                         f"d_max_nm = {d_max_nm}, ≈{terms:.3g} pair terms) needs "
                         f"≈{estimate / 2**30:.1f} GiB, more than the "
                         f"{available / 2**30:.1f} GiB available: lower d_max_nm or the "
                         "particle size")


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
