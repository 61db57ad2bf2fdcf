"""Solutions of the rate equations: steady states, power sweeps, the decay after a pulse and
the Yb³⁺ lifetime of one particle class, each as a :class:`TransferResult`.

Examples
--------
>>> result = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=10.0)
>>> bool(abs(result.populations["Yb"].sum() - 1) < 1e-9)
True
>>> round(yb_lifetime_us(TransferParams()))
39
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .._base.validate import check_range
from . import _transfer_kernel as kernel
from .ion_geometry import IonSites
from .rate_equations import RateSystem, rate_system
from .spectra import line_spectrum
from .transfer_params import Pulse, TransferParams, _check_excitation

__all__ = [
    "TransferResult",
    "dynamics",
    "power_dependence",
    "steady_state",
    "yb_lifetime_us",
]


@dataclass(frozen=True)
class TransferResult(ResultIO):
    """Populations and emission of one particle class, at one or more powers or times.

    ``state`` holds the flat population vector per point (rows: powers of a sweep or times of
    a decay); ``intensities`` the photons emitted per second and particle in each line of
    ``line_nm`` (the perovskite band at its emission peak is one of them).

    Examples
    --------
    >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=10.0)
    >>> sorted(r.populations)[:2], r.populations["Tm"].shape
    (['Tm', 'Yb'], (8,))
    """

    excitation_nm: float
    power_w_cm2: np.ndarray
    time_s: np.ndarray
    state: np.ndarray
    species: tuple
    species_levels: tuple
    species_counts: np.ndarray
    line_nm: np.ndarray
    line_labels: tuple
    intensities: np.ndarray
    absorbed_photons_s: np.ndarray

    def _blocks(self):
        offset = 0
        for name, levels, count in zip(self.species, self.species_levels, self.species_counts,
                                       strict=True):
            yield name, offset, len(levels), count
            offset += len(levels)

    @property
    def populations(self) -> dict:
        """Level populations (fractions) per ion: ``"Yb"``, ``"Tm"`` (mean over its radial
        classes, weighted by their numbers), ``"exciton"``, ``"defect"``; the last axis runs
        over the levels, a leading axis over the powers or times of a sweep or decay."""
        out, tm_sum, tm_count = {}, None, 0.0
        for name, offset, size, count in self._blocks():
            block = self.state[:, offset:offset + size]
            if name.startswith("Tm"):
                tm_sum = block * count if tm_sum is None else tm_sum + block * count
                tm_count += count
            else:
                out[name] = block
        if tm_sum is not None:
            out["Tm"] = tm_sum / tm_count
        single = self.state.shape[0] == 1
        return {k: (v[0] if single else v) for k, v in out.items()}

    @property
    def lines(self) -> dict:
        """Emission per line: wavelength (nm) → photons s⁻¹ per particle (an array over the
        powers or times of a sweep or decay)."""
        single = self.intensities.shape[0] == 1
        return {float(nm): (self.intensities[0, i] if single else self.intensities[:, i])
                for i, nm in enumerate(self.line_nm)}

    def quantum_yield(self, low_nm: float = 0.0, high_nm: float = np.inf):
        """Photons emitted in the lines between ``low_nm`` and ``high_nm`` per absorbed photon
        (the PLQE of that window; an array over the points of a sweep).

        Examples
        --------
        >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=1e3)
        >>> bool(0 < r.quantum_yield(340, 720) < r.quantum_yield(900, 1100) < 1)
        True
        """
        window = (self.line_nm >= low_nm) & (self.line_nm <= high_nm)
        emitted = self.intensities[:, window].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(self.absorbed_photons_s > 0, emitted / self.absorbed_photons_s, 0.0)
        return out[0] if out.size == 1 else out

    def spectrum(self, wavelength_nm, *, point: int = 0) -> np.ndarray:
        """Emission spectrum (photons s⁻¹ nm⁻¹ per particle) on ``wavelength_nm``: Gaussian
        lines of 8 nm (Tm), 25 nm (Yb) and 0.08 eV (the perovskite band) full width.

        Examples
        --------
        >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=100.0)
        >>> wl = np.linspace(400, 900, 1001)
        >>> float(wl[np.argmax(r.spectrum(wl))])
        800.0
        """
        return line_spectrum(self.line_labels, self.line_nm, self.intensities[point],
                             wavelength_nm)


def _checked_sites(sites) -> IonSites | None:
    if sites is not None and not isinstance(sites, IonSites):
        raise ValueError(f"sites must be an IonSites, got {type(sites).__name__}")
    return sites


def _result(system: RateSystem, state: np.ndarray, power, time_s, *,
            pumping_w_cm2=None) -> TransferResult:
    state = np.atleast_2d(state)
    pumping = np.broadcast_to(power if pumping_w_cm2 is None else pumping_w_cm2,
                              state.shape[:1])
    absorbed = np.zeros(state.shape[0])
    for start, end, rate in zip(*system.pump, strict=True):
        # a downward pump term is stimulated emission: it gives a photon back
        sign = 1.0 if end > start else -1.0
        absorbed += sign * rate * pumping * _count_of(system, start) * state[:, start]
    intensities = np.zeros((state.shape[0], len(system.line_rates)))
    for j, (_, _, _, _, indices, rate) in enumerate(system.line_rates):
        for index in indices:
            count = _count_of(system, index)
            intensities[:, j] += count * rate * state[:, index]
    labels = tuple(f"{ion} {upper}→{lower}" for ion, upper, lower, *_ in system.line_rates)
    labels = tuple("CsPbX3 band" if lab.startswith("CsPbX3") else lab for lab in labels)
    return TransferResult(
        excitation_nm=system.excitation_nm,
        power_w_cm2=np.atleast_1d(np.asarray(power, dtype=float)),
        time_s=np.asarray(time_s, dtype=float),
        state=state,
        species=tuple(name for name, _, _ in system.species),
        species_levels=tuple(tuple(levels) for _, levels, _ in system.species),
        species_counts=np.array([count for *_, count in system.species], dtype=float),
        line_nm=np.array([row[3] for row in system.line_rates], dtype=float),
        line_labels=labels,
        intensities=intensities,
        absorbed_photons_s=absorbed,
    )


def _count_of(system: RateSystem, index: int) -> float:
    for offset, (_, levels, count) in zip(system.offsets, system.species, strict=True):
        if offset <= index < offset + len(levels):
            return count
    raise IndexError(index)


def _solve(system: RateSystem, power_w_cm2: float, start: np.ndarray) -> np.ndarray:
    lin_from, lin_to, lin_rate = system.lin
    pump_from, pump_to, pump_rate = system.pump
    ground = np.array(system.offsets, dtype=np.int64)
    block_end = np.array([o + len(lv) for o, (_, lv, _) in
                          zip(system.offsets, system.species, strict=True)], dtype=np.int64)
    y, _, residual = kernel.steady_state(
        start, ground, block_end, np.concatenate((lin_from, pump_from)),
        np.concatenate((lin_to, pump_to)), np.concatenate((lin_rate, pump_rate * power_w_cm2)),
        *system.pair, 1e-12)
    if not np.isfinite(residual) or residual > 1e-8:
        raise RuntimeError(f"steady state did not converge (last Newton step {residual:.2e})")
    return y


def steady_state(params: TransferParams, *, excitation_nm: float = 980.0,
                 power_w_cm2: float = 10.0, sites: IonSites | None = None) -> TransferResult:
    """Steady-state populations and emission under continuous-wave excitation.

    Parameters
    ----------
    params : TransferParams
        The particle class.
    excitation_nm : {980, 365, 400}
        980 nm pumps Yb³⁺, 365 and 400 nm the perovskite.
    power_w_cm2 : float
        Power density, W cm⁻², in [0, 1e9].
    sites : IonSites, optional
        Explicit ion positions and vacancies instead of the uniform doping of ``params``.

    Returns
    -------
    TransferResult

    Examples
    --------
    >>> r = steady_state(TransferParams(), excitation_nm=980, power_w_cm2=1.0)
    >>> bool(0 < r.populations["Yb"][1] < 0.01)
    True
    """
    system = rate_system(params, _check_excitation(excitation_nm), _checked_sites(sites))
    power = check_range("power_w_cm2", power_w_cm2, "W/cm²", 0.0, 1e9)
    return _result(system, _solve(system, power, system.ground_state()), power, np.zeros(0))


def power_dependence(params: TransferParams, powers_w_cm2, *,
                     excitation_nm: float = 980.0) -> TransferResult:
    """Steady states over a power sweep (each solve starts from the previous one).

    Examples
    --------
    >>> sweep = power_dependence(TransferParams(), np.logspace(-1, 1, 5))
    >>> sweep.lines[800.0].shape
    (5,)
    """
    system = rate_system(params, _check_excitation(excitation_nm))
    powers = np.asarray(powers_w_cm2, dtype=float).ravel()
    if powers.size == 0:
        raise ValueError("powers_w_cm2 must hold at least one power")
    for value in powers:
        check_range("powers_w_cm2", value, "W/cm²", 0.0, 1e9)
    states = np.empty((powers.size, system.size))
    start = system.ground_state()
    for i in np.argsort(powers):
        states[i] = start = _solve(system, powers[i], start)
    return _result(system, states, powers, np.zeros(0))


#: Absolute tolerance of the decay integration (population fractions). A weak pulse excites
#: ~1e-8 of the ions; 1e-16 keeps its decay smooth and monotonic over eight decades.
_DYNAMICS_ATOL = 1e-16


def dynamics(params: TransferParams, *, pulse: Pulse, t_eval, rtol: float = 1e-4,
             sites: IonSites | None = None) -> TransferResult:
    """Populations and emission after a rectangular pulse (from the ground state at t = 0).

    The stiff rate equations are integrated by an L-stable Rosenbrock method (Rodas3) with
    the analytic Jacobian (:func:`lnhet_widgets.core.optics._transfer_kernel.integrate`).

    Parameters
    ----------
    params : TransferParams
    pulse : Pulse
        Wavelength, power and duration of the pulse.
    t_eval : array_like
        Output times, s, ascending and ≥ 0.
    rtol : float
        Relative tolerance of each step, in [1e-9, 1e-2]; populations below 1e-16 are
        controlled absolutely.
    sites : IonSites, optional
        Explicit ion positions and vacancies instead of the uniform doping of ``params``.

    Examples
    --------
    >>> t = np.linspace(0, 2e-3, 201)
    >>> r = dynamics(TransferParams(), pulse=Pulse(980, 10.0, 10e-6), t_eval=t)
    >>> r.lines[980.0].shape
    (201,)
    """
    if not isinstance(pulse, Pulse):
        raise ValueError("pulse must be a Pulse(excitation_nm, power_w_cm2, duration_s)")
    system = rate_system(params, pulse.excitation_nm, _checked_sites(sites))
    t = np.asarray(t_eval, dtype=float).ravel()
    if t.size == 0 or t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError("t_eval must be ascending times in s, starting at or after 0")
    lin_from, lin_to, lin_rate = system.lin
    pump_from, pump_to, pump_rate = system.pump
    states, _ = kernel.integrate(system.ground_state(), t, pulse.duration_s, lin_from, lin_to,
                                 lin_rate, pump_from, pump_to, pump_rate * pulse.power_w_cm2,
                                 *system.pair, check_range("rtol", rtol, "", 1e-9, 1e-2),
                                 _DYNAMICS_ATOL)
    return _result(system, states, pulse.power_w_cm2, t,
                   pumping_w_cm2=np.where(t < pulse.duration_s, pulse.power_w_cm2, 0.0))


def yb_lifetime_us(params: TransferParams, *, sites: IonSites | None = None) -> float:
    """Lifetime of the Yb³⁺ 980 nm emission after a weak 980 nm pulse, µs.

    The decay is computed with :func:`dynamics` and fitted with one exponential from 2 µs
    after the pulse, as a lifetime measurement would be.

    Examples
    --------
    >>> round(yb_lifetime_us(TransferParams(core_diameter_nm=9.2)))
    47
    """
    from ..analysis import fit_decay

    if (sites is None and (not params.has_lanthanides or params.yb_fraction == 0)) or (
            sites is not None and len(sites.yb_nm) == 0):
        raise ValueError("the particle has no Yb³⁺")
    t = np.linspace(0.0, 2e-3, 801)
    decay = dynamics(params, pulse=Pulse(980.0, 1.0, 1e-6), t_eval=t,
                     sites=sites).lines[980.0]
    fit = fit_decay(t * 1e6, decay / decay.max(), n_exp=1, weights=None, window=(2.0, 400.0))
    return float(fit.lifetimes[0])
