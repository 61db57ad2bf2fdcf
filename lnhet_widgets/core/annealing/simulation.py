"""The anneal of one particle: :func:`anneal` runs the kinetic Monte Carlo from the seeded
initial state and records snapshots and what P2 measures on them (:class:`AnnealResult`).

A kinetic Monte Carlo of P2's post-annealing in solution (NaGdF4:Yb/Tm(49/1 %) core ≈ 6.7 nm,
NaYF4 shell, 300 °C, with or without Ln³⁺–oleate complexes), SCIENCE §5. The model: the
sites, the regions and the initial state in :mod:`~lnhet_widgets.core.annealing.lattice`; the
move, the clock and docking in :mod:`~lnhet_widgets.core.annealing.kinetics` (the kernel in
:mod:`~lnhet_widgets.core.annealing._kernel`); the parameters and the calibration of their
defaults in :mod:`~lnhet_widgets.core.annealing.params`.

Outputs per snapshot: the species on every site, radial profiles (share of the sites of each
0.25 nm shell held by each species), the share of the Yb ions found in the shell, the vacancy
count and vacancies per region, the interface width (10–90 % width of an erfc fitted to the
radial Yb share of the ions), and the Yb coordination number, the mean number of occupied
cation sites in the first shell of a Yb ion (the EXAFS Yb–Ln coordination).
:meth:`AnnealResult.optical` turns a snapshot into light: its ions and vacancies set the
quenching (§6) and transfer partners of every ion in the rate equations (§7), which give the
450/475/800 nm lines and the Tm 450 nm and Yb lifetimes.

Examples
--------
>>> plain = anneal(AnnealParams(core_diameter_nm=4.0), steps=200, snapshots=(0, 200))
>>> docked = anneal(AnnealParams(core_diameter_nm=4.0, complex="Y"), steps=200,
...                 snapshots=(0, 200))
>>> bool(plain.yb_fraction_in_shell[-1] > docked.yb_fraction_in_shell[-1])
True
>>> int(plain.vacancy_count[-1] - plain.vacancy_count[0]), docked.ledger_error
(0, 0)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.special import erfc

from .._base.results import ResultIO, write_csv
from .._base.validate import check_range
from ..conditions import P2_POWER_W_CM2
from ..optics import IonSites, TransferParams
from . import _kernel as kernel
from .kinetics import _kinetics, _vacancy_escape
from .lattice import _initial_species, _regions, anneal_lattice
from .optics import AnnealOptics, IonOptics, _particle_ion_optics, _particle_optics
from .params import _CODE, REGIONS, SPECIES, AnnealParams

__all__ = ["PROGRESS_STEPS", "AnnealResult", "anneal"]

_PROFILE_BIN_NM = 0.25
#: Largest number of MC steps between two calls of :func:`anneal`'s ``progress``.
PROGRESS_STEPS = 10
# 10–90 % rise of an erfc profile in units of its σ: 2 Φ⁻¹(0.9).
_WIDTH_PER_SIGMA = 2.5631031311


@dataclass(frozen=True)
class AnnealResult(ResultIO):
    """Outcome of :func:`anneal`; index k of every per-snapshot array is ``snapshot_steps[k]``.

    Attributes
    ----------
    params : AnnealParams
    seed : int
    steps : int
        MC steps simulated.
    snapshot_steps : ndarray of int64 (m,)
        Steps of the snapshots, ascending.
    positions_nm : ndarray (n, 3)
        Cation sites relative to the centre, nm.
    region : ndarray of int8 (n,)
        Region code of every site (:data:`REGIONS`).
    species : ndarray of int8 (m, n)
        Species code on every site (:data:`SPECIES`; 0 is a vacancy) at every snapshot.
    profile_radius_nm : ndarray (b,)
        Centres of the 0.25 nm radial bins.
    radial_profiles : ndarray (m, 5, b)
        Share of the sites of each bin held by each species (vacancies included); NaN for a
        bin without sites.
    yb_fraction_in_shell : ndarray (m,)
        Share of the Yb ions on shell sites (r ≥ core radius).
    vacancy_count : ndarray of int64 (m,)
    vacancies_per_region : ndarray of int64 (m, 4)
        Vacancies in each region of :data:`REGIONS`.
    interface_width_nm : ndarray (m,)
        10–90 % width of an erfc fitted to the radial Yb share of the ions (NaN if the fit
        fails, e.g. without Yb).
    yb_coordination : ndarray (m,)
        Mean number of occupied first-shell cation sites around a Yb ion.
    species_counts : ndarray of int64 (m, 5)
        Sites held by each species: the ledger.
    docked_ions : ndarray of int64 (m,)
        Ions added by docking up to each snapshot, counted by the kernel.
    time_per_step_s : float
        Real annealing time of one MC step, s.
    dock_probability : float
        Probability per step that a vacancy on a surface site is docked.
    """

    params: AnnealParams
    seed: int
    steps: int
    snapshot_steps: np.ndarray
    positions_nm: np.ndarray
    region: np.ndarray
    species: np.ndarray
    profile_radius_nm: np.ndarray
    radial_profiles: np.ndarray
    yb_fraction_in_shell: np.ndarray
    vacancy_count: np.ndarray
    vacancies_per_region: np.ndarray
    interface_width_nm: np.ndarray
    yb_coordination: np.ndarray
    species_counts: np.ndarray
    docked_ions: np.ndarray
    time_per_step_s: float
    dock_probability: float

    @property
    def snapshot_time_s(self) -> np.ndarray:
        """Real annealing time of every snapshot, s."""
        return self.snapshot_steps * self.time_per_step_s

    def _snapshot_index(self, snapshot) -> int:
        """``snapshot`` as an index into ``snapshot_steps``; ValueError outside them."""
        m = self.snapshot_steps.size
        if isinstance(snapshot, bool) or not isinstance(snapshot, int | np.integer) or not (
                -m <= snapshot < m):
            raise ValueError(f"snapshot = {snapshot!r} must index snapshot_steps,"
                             f" a whole number in [{-m}, {m - 1}]")
        return int(snapshot)

    def ion_sites(self, snapshot: int = -1) -> IonSites:
        """The Yb, Tm and vacancy positions of one snapshot (an index into
        ``snapshot_steps``), for the rate equations of :mod:`~lnhet_widgets.core.optics`."""
        species = self.species[self._snapshot_index(snapshot)]
        return IonSites(sites_nm=self.positions_nm,
                        yb_nm=self.positions_nm[species == _CODE["Yb"]],
                        tm_nm=self.positions_nm[species == _CODE["Tm"]],
                        vacancies_nm=self.positions_nm[species == kernel.VACANCY],
                        radius_nm=self.params.diameter_nm / 2)

    def optical(self, snapshot: int = -1, *, power_w_cm2: float = P2_POWER_W_CM2,
                transfer: TransferParams | None = None) -> AnnealOptics:
        """What the particle of one snapshot emits under 980 nm (SCIENCE §5 → §6 → §7).

        The snapshot's ions and vacancies set each ion's quenching — the ligand surface at
        the particle's outer radius, the vacancies around it — and its transfer partners
        (:class:`~lnhet_widgets.core.optics.IonSites`); the rate equations give the
        steady-state lines at ``power_w_cm2`` and the lifetime of the 450 nm (¹D2) emission as
        P2 measures it: the decay after a short (20 µs) 980 nm pulse at that power, fitted
        with :func:`~lnhet_widgets.core.analysis.fit_decay` from the maximum the emission
        reaches after the pulse (the rise, while Yb³⁺ keeps feeding Tm³⁺); plus the Yb³⁺
        lifetime.

        Parameters
        ----------
        snapshot : int
            Index into ``snapshot_steps`` (default the last).
        power_w_cm2 : float
            980 nm power density, W cm⁻² (default P2's 4 W cm⁻²,
            :data:`~lnhet_widgets.core.conditions.P2_POWER_W_CM2`).
        transfer : TransferParams, optional
            Rate constants (default :data:`~lnhet_widgets.core.annealing.P2_TRANSFER`:
            simetuc's set with §6's quenching and the surface quenching of P2's particles);
            its host becomes the core's, its composition and size come from the snapshot.

        Returns
        -------
        AnnealOptics
        """
        return _particle_optics(self.ion_sites(snapshot), host=self.params.core,
                                snapshot_step=int(self.snapshot_steps[snapshot]),
                                power_w_cm2=power_w_cm2, transfer=transfer)

    def optical_per_ion(self, snapshot: int = -1, *, power_w_cm2: float = P2_POWER_W_CM2,
                        transfer: TransferParams | None = None,
                        decay: bool = True) -> IonOptics:
        """What the particle of one snapshot emits under 980 nm, ion by ion (SCIENCE §11).

        :meth:`optical` measured with the per-ion model (:mod:`~lnhet_widgets.core.ions`):
        every Yb³⁺ and Tm³⁺ of the snapshot on its own site
        (:meth:`IonLattice.from_sites <lnhet_widgets.core.ions.IonLattice.from_sites>`), with
        the same rate constants and conditions. The lines are the steady state of
        :func:`~lnhet_widgets.core.ions.solve_ions` at ``power_w_cm2``; the 450 nm (¹D2)
        lifetime is fitted as :meth:`optical` fits it
        (:func:`~lnhet_widgets.core.annealing.optics.fitted_450_lifetime_ms`) to the decay
        of :func:`~lnhet_widgets.core.ions.ion_dynamics` after the same 20 µs pulse
        (:data:`~lnhet_widgets.core.annealing.optics.TM_PULSE_S`) over the same 3 ms; the
        Yb³⁺ lifetime is fitted from 2 to 400 µs after that pulse (the window of the average
        model's weak pulse; at this power the Yb³⁺ respond linearly, so the pulse does not
        change it).

        The decay is the slow part: about 15 s for one of P2's particles (1000 ions), against
        0.3 s for the lines; ``decay=False`` leaves it out.

        Parameters
        ----------
        snapshot : int
            Index into ``snapshot_steps`` (default the last).
        power_w_cm2 : float
            980 nm power density, W cm⁻², in [0, 1e9] (default P2's 4 W cm⁻²).
        transfer : TransferParams, optional
            Rate constants, as for :meth:`optical` (default
            :data:`~lnhet_widgets.core.annealing.P2_TRANSFER`).
        decay : bool
            Also compute the pulse, the 450 nm decay and the lifetimes (default True); without
            them ``decay_time_ms`` and ``tm_450_decay`` are empty and the lifetimes NaN.

        Returns
        -------
        IonOptics
            The fields of :class:`~lnhet_widgets.core.annealing.AnnealOptics`, plus the
            per-ion solutions ``steady`` (its ``lattice`` holds the ions) and ``pulse``.

        Raises
        ------
        ValueError
            For a ``snapshot`` that is not an index into ``snapshot_steps``, a
            ``power_w_cm2`` outside [0, 1e9] W/cm² or a ``transfer`` that is not a
            TransferParams.

        Examples
        --------
        >>> r = anneal(AnnealParams(core_diameter_nm=3.0, shell_thickness_nm=0.5), steps=20,
        ...            snapshots=(0, 20))
        >>> o = r.optical_per_ion(0)
        >>> o.steady.lattice.count("Tm") == len(r.ion_sites(0).tm_nm), o.snapshot_step
        (True, 0)
        >>> bool(o.lines[450.0] > 0), bool(0 < o.tm_450_lifetime_ms < 3)
        (True, True)
        >>> r.optical_per_ion(2)
        Traceback (most recent call last):
        ...
        ValueError: snapshot = 2 must index snapshot_steps, a whole number in [-2, 1]
        >>> r.optical_per_ion(power_w_cm2=-1)
        Traceback (most recent call last):
        ...
        ValueError: power_w_cm2 = -1 W/cm² is outside the allowed range [0, 1e+09] W/cm²
        """
        index = self._snapshot_index(snapshot)
        return _particle_ion_optics(self.ion_sites(index), host=self.params.core,
                                    snapshot_step=int(self.snapshot_steps[index]),
                                    power_w_cm2=power_w_cm2, transfer=transfer, decay=decay)

    @property
    def ledger_error(self) -> int:
        """Largest deviation of a species count from the ledger; 0 when the ledger is exact.

        The ledger: every species keeps its count of the first snapshot, except that each
        docked ion adds one to the complex's ion and removes one vacancy.
        """
        expected = np.repeat(self.species_counts[:1], self.snapshot_steps.size, axis=0)
        added = self.docked_ions - self.docked_ions[0]
        expected[:, kernel.VACANCY] -= added
        if self.params.complex is not None:
            expected[:, _CODE[self.params.complex]] += added
        return int(np.abs(self.species_counts - expected).max())

    def to_csv(self, path=None) -> str:
        """One row per snapshot: step, time and the scalar observables; returns the text."""
        columns = {
            "step": self.snapshot_steps,
            "time_s": self.snapshot_time_s,
            "yb_fraction_in_shell": self.yb_fraction_in_shell,
            "interface_width_nm": self.interface_width_nm,
            "yb_coordination": self.yb_coordination,
            "vacancy_count": self.vacancy_count,
            **{f"vacancies_{name}": self.vacancies_per_region[:, k]
               for k, name in enumerate(REGIONS)},
            "docked_ions": self.docked_ions,
        }
        return write_csv(columns, path)


def _check_integer(name: str, value, unit: str, low: int, high: int) -> int:
    number = check_range(name, value, unit, low, high)
    if number != int(number):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(number)


def _check_snapshots(snapshots, steps: int) -> np.ndarray:
    try:
        values = list(snapshots)
    except TypeError:
        raise ValueError(f"snapshots must be a sequence of step numbers, got {snapshots!r}"
                         ) from None
    if not values:
        raise ValueError("snapshots must hold at least one step number")
    return np.unique([_check_integer("snapshot step", s, "MC steps", 0, steps)
                      for s in values]).astype(np.int64)


def _erfc_profile(r, level, r0, sigma):
    return 0.5 * level * erfc((r - r0) / (math.sqrt(2.0) * sigma))


def _interface_width(radius: np.ndarray, yb_share: np.ndarray, ions: np.ndarray,
                     params: AnnealParams) -> float:
    """10–90 % width (nm) of an erfc fitted to the Yb share of the ions in radial bins."""
    use = ions > 0
    outer = 0.5 * params.diameter_nm
    start = (max(params.yb_fraction, 1e-3), 0.5 * params.core_diameter_nm, 0.2)
    try:
        with warnings.catch_warnings():
            # A sharp step leaves σ at its bound and the covariance undefined; σ is still right.
            warnings.simplefilter("ignore", OptimizeWarning)
            (_, _, sigma), _ = curve_fit(_erfc_profile, radius[use], yb_share[use], p0=start,
                                         sigma=1.0 / np.sqrt(ions[use]),
                                         bounds=([0.0, 0.0, 1e-3], [1.0, outer, outer]))
    except (RuntimeError, ValueError):
        return math.nan
    return _WIDTH_PER_SIGMA * float(sigma)


def anneal(params: AnnealParams | None = None, *, steps: int,
           snapshots=(0, 100, 500, 1000), seed: int = 0, progress=None) -> AnnealResult:
    """Anneal a core–shell particle by vacancy hops and docking; the model is in the module
    docstrings of :mod:`~lnhet_widgets.core.annealing.lattice` and
    :mod:`~lnhet_widgets.core.annealing.kinetics`.

    Parameters
    ----------
    params : AnnealParams, optional
        Particle, defects and kinetics (default: P2's particle, without complexes).
    steps : int
        MC steps to simulate; one step is one attempted hop per vacancy and lasts
        ``AnnealResult.time_per_step_s`` of real time.
    snapshots : sequence of int
        Steps at which the state is recorded, each in [0, ``steps``] (P2 shows 0, 100, 500
        and 1000).
    seed : int
        Seed of the initial state and of every move; the same seed gives the same result,
        bit for bit.
    progress : callable, optional
        Called as ``progress(steps_done, steps)`` at least every :data:`PROGRESS_STEPS` steps
        (a lab's progress bar). Returning ``False`` stops the anneal there: the result then
        holds the snapshots reached plus the state where it stopped, and ``steps`` is the
        last step simulated. The chunks do
        not change the random stream, so a run with a callback equals one without.

    Returns
    -------
    AnnealResult

    Examples
    --------
    >>> r = anneal(AnnealParams(complex="Y"), steps=100, snapshots=(0, 100))
    >>> r.snapshot_time_s.round(0).tolist(), bool(r.vacancy_count[1] < 0.1 * r.vacancy_count[0])
    ([0.0, 403.0], True)
    """
    p = AnnealParams() if params is None else params
    steps = _check_integer("steps", steps, "MC steps", 0, 1_000_000)
    seed = _check_integer("seed", seed, "", 0, 2**32 - 1)
    snaps = _check_snapshots(snapshots, steps)
    lattice = anneal_lattice(p)
    radius = np.linalg.norm(lattice.positions_nm, axis=1)
    in_core = radius < 0.5 * p.core_diameter_nm
    region = _regions(p, radius)
    rng = np.random.default_rng(seed)
    species = _initial_species(p, region, in_core, rng)
    vacancies = rng.permutation(np.flatnonzero(species == kernel.VACANCY)).astype(np.int64)
    n_vacancies = vacancies.size

    z_max = int(lattice.coordination.max())
    table, time_per_step, dock = _kinetics(p, z_max)
    escape = _vacancy_escape(p)
    dock_species = _CODE[p.complex] if p.complex is not None else 0

    frames = np.empty((snaps.size, radius.size), dtype=np.int8)
    docked = np.zeros(snaps.size, dtype=np.int64)
    done, taken, added = 0, 0, 0
    # the stops: every snapshot, and the progress reports between them
    stops = np.union1d(snaps, np.arange(0, steps, PROGRESS_STEPS) if progress else [])
    for stop in stops.astype(np.int64):
        n_vacancies, new = kernel.run_steps(
            species, vacancies, n_vacancies, lattice.nbr_ptr, lattice.nbr_idx, region, table,
            escape, p.bond_energy_ev > 0, z_max, dock, dock_species, int(stop) - done, rng)
        added += new
        done = int(stop)
        if taken < snaps.size and snaps[taken] == done:
            frames[taken], docked[taken] = species, added
            taken += 1
        if progress is not None and progress(done, steps) is False:
            break
    if taken < snaps.size:
        # stopped early: keep the snapshots reached and the state where it stopped
        if taken == 0 or snaps[taken - 1] != done:
            snaps[taken], frames[taken], docked[taken] = done, species, added
            taken += 1
        steps, snaps, frames, docked = done, snaps[:taken], frames[:taken], docked[:taken]
    return _observe(p, seed, steps, snaps, lattice, radius, in_core, region, frames, docked,
                    time_per_step, dock)


def _observe(p, seed, steps, snaps, lattice, radius, in_core, region, frames, docked,
             time_per_step, dock) -> AnnealResult:
    """Profiles and observables of every snapshot, gathered into the result."""
    edges = np.arange(0.0, 0.5 * p.diameter_nm + _PROFILE_BIN_NM, _PROFILE_BIN_NM)
    centres = 0.5 * (edges[1:] + edges[:-1])
    bins = np.clip(np.digitize(radius, edges) - 1, 0, centres.size - 1)
    sites_per_bin = np.bincount(bins, minlength=centres.size)
    n_species, yb = len(SPECIES), _CODE["Yb"]

    counts = np.stack([np.bincount(f, minlength=n_species) for f in frames]).astype(np.int64)
    profiles = np.empty((snaps.size, n_species, centres.size))
    yb_in_shell = np.full(snaps.size, math.nan)
    per_region = np.empty((snaps.size, len(REGIONS)), dtype=np.int64)
    width = np.empty(snaps.size)
    coordination = np.full(snaps.size, math.nan)
    for k, frame in enumerate(frames):
        hist = np.zeros((n_species, centres.size))
        np.add.at(hist, (frame, bins), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            profiles[k] = hist / sites_per_bin
            ions = sites_per_bin - hist[kernel.VACANCY]
            yb_share = hist[yb] / ions
        is_yb = frame == yb
        if is_yb.any():
            yb_in_shell[k] = np.sum(is_yb & ~in_core) / np.sum(is_yb)
            coordination[k] = lattice.occupied_neighbours(frame)[is_yb].mean()
        per_region[k] = np.bincount(region[frame == kernel.VACANCY], minlength=len(REGIONS))
        width[k] = _interface_width(centres, yb_share, ions, p) if is_yb.any() else math.nan

    return AnnealResult(
        params=p, seed=seed, steps=steps, snapshot_steps=snaps,
        positions_nm=np.array(lattice.positions_nm), region=region, species=frames,
        profile_radius_nm=centres, radial_profiles=profiles, yb_fraction_in_shell=yb_in_shell,
        vacancy_count=counts[:, kernel.VACANCY].copy(), vacancies_per_region=per_region,
        interface_width_nm=width, yb_coordination=coordination, species_counts=counts,
        docked_ions=docked, time_per_step_s=time_per_step, dock_probability=dock)
