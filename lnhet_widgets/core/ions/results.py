"""What the per-ion solvers return: populations of every ion, their means as simetuc reports
them, the emission lines and spectrum, the emission of each ion and its radial profile, and
line decays fitted as a measurement would be (:func:`~lnhet_widgets.core.analysis.fit_decay`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..optics import line_spectrum
from .lattice import SPECIES, IonLattice
from .system import LEVELS, IonSystem

__all__ = ["IonResult"]

#: simetuc's labels of the sensitizer's states.
_SIMETUC_YB = ("GS", "ES")


@dataclass(frozen=True, eq=False)
class IonResult:
    """Populations of every ion at one or more powers (a steady state) or times (a decay).

    Attributes
    ----------
    system : IonSystem
        The equations solved (its ``lattice`` holds the ions).
    power_w_cm2 : ndarray
        Power density of each point (the pump during a pulse, 0 after it), W cm⁻².
    time_s : ndarray
        Time of each point after the start of the pulse, s (empty for a steady state).
    state : ndarray (points, states)
        Population of every level of every ion (fractions of that ion).
    factorisations : int
        SuperLU factorisations over the continuation in power: complete factors, or the
        incomplete ones that precondition the Krylov steps of large systems (0 for a decay).
    pulse_s : float
        Duration of the excitation pulse of a decay, s (0 for a steady state).

    Examples
    --------
    >>> from lnhet_widgets.core.optics import TransferParams
    >>> from lnhet_widgets.core.ions import IonLattice, solve_ions
    >>> lattice = IonLattice.from_params(TransferParams(core_diameter_nm=3.0), seed=1)
    >>> r = solve_ions(TransferParams(), lattice, excitation_nm=980, power_w_cm2=100.0)
    >>> sorted(r.mean_populations)[:3]
    ['Tm_1D2', 'Tm_1G4', 'Tm_1I6']
    >>> bool(abs(r.mean_per_ion["Yb_GS"] + r.mean_per_ion["Yb_ES"] - 1) < 1e-9)
    True
    """

    system: IonSystem
    power_w_cm2: np.ndarray
    time_s: np.ndarray
    state: np.ndarray
    factorisations: int = 0
    pulse_s: float = 0.0

    @property
    def lattice(self) -> IonLattice:
        return self.system.lattice

    def _squeeze(self, values):
        return values[0] if self.state.shape[0] == 1 else values

    def populations(self, species: str) -> np.ndarray:
        """Populations of the ions of ``species``, shape (points, ions, levels)."""
        if species not in SPECIES:
            raise ValueError(f"species must be one of {SPECIES}, got {species!r}")
        offsets = self.system.ion_offsets[self.lattice.species == species]
        index = offsets[:, None] + np.arange(len(LEVELS[species]))[None, :]
        return self.state[:, index]

    def pool_populations(self, pool: str) -> np.ndarray:
        """Populations of a perovskite pool (``"exciton"``: {G, X} per nanocrystal,
        ``"defect"``: {empty, filled} per interface or bulk defect), shape (points, 2)."""
        start = self.system.pool_offset(pool)
        return self.state[:, start:start + 2]

    @property
    def mean_per_ion(self) -> dict:
        """Mean population of each level per ion of its species, keyed as simetuc labels its
        states (``"Yb_GS"``, ``"Yb_ES"``, ``"Tm_3H6"``, …); an array over the points of a
        series."""
        out = {}
        for species in SPECIES:
            if not self.lattice.count(species):
                continue
            mean = self.populations(species).mean(axis=1)
            labels = _SIMETUC_YB if species == "Yb" else LEVELS[species]
            for k, label in enumerate(labels):
                out[f"{species}_{label}"] = self._squeeze(mean[:, k])
        return out

    @property
    def mean_populations(self) -> dict:
        """Populations as simetuc reports its steady state (``steady_state_populations``):
        the mean population per ion of the species, clipped at 0, times the species'
        concentration in % of the cation sites — each level's population per 100 sites."""
        percent = self.lattice.site_percent
        return {key: np.clip(value, 0.0, None) * percent[key.split("_")[0]]
                for key, value in self.mean_per_ion.items()}

    @property
    def lines(self) -> dict:
        """Emission per line: wavelength (nm) → photons s⁻¹ from all the ions."""
        return {nm: self._squeeze(rate * self.state[:, upper].sum(axis=1))
                for _, nm, upper, rate in self.system.lines}

    @property
    def line_labels(self) -> dict:
        """Wavelength (nm) → transition (``"Tm 1D2→3F4"``)."""
        return {nm: label for label, nm, _, _ in self.system.lines}

    def spectrum(self, wavelength_nm, *, point: int = 0) -> np.ndarray:
        """Emission spectrum (photons s⁻¹ nm⁻¹ from all the ions) on ``wavelength_nm``, with the
        line shapes of the average model (:func:`~lnhet_widgets.core.optics.line_spectrum`).

        Examples
        --------
        >>> from lnhet_widgets.core.optics import TransferParams
        >>> from lnhet_widgets.core.ions import IonLattice, solve_ions
        >>> lattice = IonLattice.from_params(TransferParams(core_diameter_nm=3.0), seed=1)
        >>> r = solve_ions(TransferParams(), lattice, power_w_cm2=100.0)
        >>> wl = np.linspace(400, 900, 501)
        >>> float(wl[np.argmax(r.spectrum(wl))])
        800.0
        """
        labels = [label for label, *_ in self.system.lines]
        nms = [nm for _, nm, _, _ in self.system.lines]
        values = [float(np.atleast_1d(self.lines[nm])[point]) for nm in nms]
        return line_spectrum(labels, nms, values, wavelength_nm)

    def emission_per_ion(self, line_nm: float, *, point: int = 0) -> np.ndarray:
        """Photons s⁻¹ each ion emits in the line ``line_nm`` (0 for the other species),
        shape (ions,): where the light comes from."""
        if float(line_nm) in self.line_labels and self.line_species(line_nm) not in SPECIES:
            raise ValueError(f"line_nm = {line_nm!r} nm is the perovskite's band, which no ion "
                             "emits: choose a Yb³⁺ or Tm³⁺ line")
        for _, nm, upper, rate in self.system.lines:
            if nm == float(line_nm):
                out = np.zeros(self.lattice.size)
                out[self.lattice.species == self.line_species(nm)] = (
                    rate * self.state[point, upper])
                return out
        raise ValueError(f"line_nm must be one of {sorted(self.line_labels)} nm, got "
                         f"{line_nm!r}")

    def line_species(self, line_nm: float) -> str:
        """What emits the line ``line_nm`` (``"Yb"``, ``"Tm"`` or the perovskite,
        ``"CsPbX3"``)."""
        return self.line_labels[float(line_nm)].split()[0]

    def radial_profile(self, line_nm: float, *, bins: int = 10, point: int = 0):
        """Emission of the line per ion in radial shells of the particle: ``(shell centres nm,
        mean photons s⁻¹ per emitting ion, share of the line's total)``.

        Examples
        --------
        >>> from lnhet_widgets.core.optics import TransferParams
        >>> from lnhet_widgets.core.ions import IonLattice, solve_ions
        >>> lattice = IonLattice.from_params(TransferParams(core_diameter_nm=3.0), seed=0)
        >>> r = solve_ions(TransferParams(), lattice, excitation_nm=980, power_w_cm2=10.0)
        >>> centres, per_ion, share = r.radial_profile(980.0, bins=3)

        Yb³⁺ migration shares the excitation: the surface shell's ions, quenched there, emit
        only a little less than the centre's, and most of the light (they are the most):

        >>> bool(abs(share.sum() - 1) < 1e-12), round(float(per_ion[-1] / per_ion[0]), 2)
        (True, 0.87)
        >>> int(share.argmax())
        2
        """
        emission = self.emission_per_ion(line_nm, point=point)
        emitters = self.lattice.species == self.line_species(line_nm)
        r = self.lattice.radial_nm[emitters]
        edges = np.linspace(0.0, self.lattice.radius_nm, int(bins) + 1)
        which = np.clip(np.digitize(r, edges) - 1, 0, int(bins) - 1)
        counts = np.bincount(which, minlength=bins)
        total = np.bincount(which, weights=emission[emitters], minlength=bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            per_ion = np.where(counts > 0, total / np.maximum(counts, 1), np.nan)
        return (edges[:-1] + edges[1:]) / 2, per_ion, total / total.sum()

    def decay_fit(self, line_nm: float, *, n_exp: int = 2, after_s: float | None = None):
        """The decay of the line ``line_nm`` after the pulse, fitted as P2 does with
        :func:`~lnhet_widgets.core.analysis.fit_decay` (times in µs, from ``after_s`` — by
        default the end of the pulse — to the end of the record).

        Returns
        -------
        DecayFit
            ``.lifetimes`` and ``.tau_avg`` in µs.
        """
        from ..analysis import fit_decay

        if self.time_s.size < 4:
            raise ValueError("decay_fit needs a decay (ion_dynamics), not a steady state")
        if float(line_nm) not in self.line_labels:
            raise ValueError(f"line_nm must be one of {sorted(self.line_labels)} nm, got "
                             f"{line_nm!r}")
        signal = self.lines[float(line_nm)]
        start = self.pulse_s if after_s is None else float(after_s)
        t_us = self.time_s * 1e6
        keep = self.time_s >= start
        return fit_decay(t_us[keep], signal[keep] / signal[keep].max(), n_exp=n_exp,
                         weights=None)
