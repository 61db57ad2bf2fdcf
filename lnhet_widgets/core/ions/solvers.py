"""Solvers of the per-ion rate equations (SCIENCE §11): the CW steady state by Newton's method
with a sparse Jacobian and continuation in power (:func:`solve_ions`), and the populations
during and after a pulse by a stiff integrator that factorises the same sparse Jacobian
(:func:`ion_dynamics`).

The Jacobian's pattern is built once per system (:mod:`~lnhet_widgets.core.ions.pattern`);
its values are assembled by the numba kernels (:mod:`~lnhet_widgets.core.ions._kernel`) and
factorised by SuperLU (:func:`scipy.sparse.linalg.splu`) in a nested-dissection order
(:mod:`~lnhet_widgets.core.ions.ordering`).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.integrate import BDF, solve_ivp
from scipy.sparse.linalg import LinearOperator, gmres, spilu
from threadpoolctl import threadpool_limits

from .._base.validate import check_range
from ..optics import Pulse, TransferParams
from . import _kernel as kernel
from .lattice import IonLattice
from .ordering import FillReducingOrder
from .pattern import (
    BlockPattern,
    JacobianPattern,
    block_pattern,
    jacobian_pattern,
    reduced_term_positions,
)
from .perovskite import COUPLING_LENGTH_NM
from .results import IonResult
from .system import IonSystem, ion_system

__all__ = ["ion_dynamics", "solve_ions"]

#: First power of the continuation, W cm⁻² (lower targets are solved directly). At 10 W cm⁻²
#: the Yb³⁺ pump, σI/hν ≈ 0.5 s⁻¹, is a thousandth of its decay and the equations are nearly
#: linear; Newton's method still converged from the ground state at 1 kW cm⁻² on every
#: simetuc lattice tried, which saves the continuation's first two decades (2-4 of some 22
#: factorisations on simetuc's example). Where it does not converge, the first power drops a
#: decade at a time, down to :data:`_LOWEST_START_W_CM2`.
_START_POWER_W_CM2 = 1e3
_LOWEST_START_W_CM2 = 1e-2
#: A power step that fails is split in two, at most this many times.
_MAX_SPLITS = 12
#: Largest reduced system solved with SuperLU's complete factors; larger ones take GMRES,
#: preconditioned with the incomplete factors (drop tolerance, fill factor) of the Jacobian's
#: strong couplings only: entries below _PRECONDITIONER_EPS·√(|a_ii a_jj|) (the r⁻⁶ pairs
#: near d_max) are left out of the factors, which then cost a tenth (0.3 s instead of 6 s
#: for 1e5 states) for a few more iterations.
_DIRECT_MAX_UNKNOWNS = 8_000
_PRECONDITIONER_EPS = 1e-2
_ILU_DROP_TOL = 1e-3
_ILU_FILL = 2.0
#: GMRES's relative residual in a Newton step: loose while the steps are large (an inexact
#: Newton method; forcing term 1e-2 × the last relative change, at most _KRYLOV_RTOL_MAX),
#: down to _KRYLOV_RTOL near the solution, which keeps the convergence fast down to the 1e-9
#: criterion.
_KRYLOV_RTOL = 1e-11
_KRYLOV_RTOL_MAX = 1e-4
_KRYLOV_RESTARTS = 8
#: Longest continuation step, decades of power (one that converges doubles the next).
_MAX_STEP_DECADES = 2.0
#: Most factorisations one Newton solve may take before the power step is halved: a converging
#: step takes up to eight on simetuc's example, and one that will not converge would
#: otherwise refactorise for every one of its iterations.
_MAX_FACTORISATIONS = 10


class _Equations:
    """One system with its patterns: right-hand side and Jacobians at a given pump power."""

    def __init__(self, system: IonSystem):
        self.system = system
        lin_from, lin_to, _ = system.lin
        pump_from, pump_to, _ = system.pump
        self.lin_from = np.concatenate((lin_from, pump_from, system.tail.lin_from))
        self.lin_to = np.concatenate((lin_to, pump_to, system.tail.lin_to))
        self._pattern: JacobianPattern | None = None
        self._reduced: BlockPattern | None = None
        self.term_positions: tuple | None = None  # with the reduced pattern
        self.preconditioner = None  # incomplete factors of the large systems' Krylov steps
        self._order: FillReducingOrder | None = None
        self.factorisations = 0

    @property
    def pattern(self) -> JacobianPattern:
        """The full Jacobian's pattern (the integrator's), built on first use."""
        if self._pattern is None:
            df, dt, af, at, _, _ = self.system.pair
            self._pattern = jacobian_pattern(self.system.size, self.lin_from, self.lin_to, df,
                                             dt, af, at)
        return self._pattern

    @property
    def reduced(self) -> BlockPattern:
        """The reduced Jacobian's pattern (the steady state's), built on first use."""
        if self._reduced is None:
            i, j = self.system.ion_pairs
            self._reduced = block_pattern(i, j, self.system.block_end - self.system.offsets)
            self.term_positions = reduced_term_positions(
                self._reduced, self.lin_from, self.lin_to, self.system.pair, i, j,
                self.system.pair_ions)
        return self._reduced

    def rates(self, y, power_w_cm2: float) -> np.ndarray:
        """Rates of the linear terms at ``y``: decay, pump and the mean-field tail. With the
        tail's rates taken as they stand, the sparse Jacobian leaves out its coupling through
        the means (two dense rank-one terms per process): Newton's method adds them to each
        step (:meth:`tail_coupling`, Woodbury's formula or the Krylov operator), since with
        strong migration over a dense Yb sublattice they are as large as the rates; BDF's
        iterations absorb them."""
        return np.concatenate((self.system.lin[2], self.system.pump[2] * power_w_cm2,
                               self.system.tail.rates(y)))

    def rhs(self, y, rates):
        return kernel.rhs(y, self.lin_from, self.lin_to, rates, *self.system.pair)

    def jacobian_data(self, y, rates):
        df, _, af, _, wd, wa = self.system.pair
        return kernel.jacobian_values(y, self.pattern.nnz, self.lin_from, rates,
                                      self.pattern.lin_pos, df, af, wd, wa,
                                      self.pattern.pair_pos)

    def matrix(self, data) -> sparse.csr_matrix:
        p = self.pattern
        return sparse.csr_matrix((data, p.indices, p.indptr), shape=(p.n, p.n))

    def expand(self, x) -> np.ndarray:
        """All populations from the excited ones (each ground state 1 − Σ excited)."""
        r = self.reduced
        y = np.empty(self.system.size)
        y[r.excited] = x
        y[self.system.offsets] = 1.0 - np.bincount(r.state_ion[r.excited], weights=x,
                                                   minlength=self.system.offsets.size)
        return y

    def reduced_matrix(self, y, rates) -> sparse.csr_matrix:
        """The reduced Jacobian at ``y`` (unknowns: the excited states)."""
        r = self.reduced
        lin_pos, lin_width, pair_pos, pair_width = self.term_positions
        df, _, af, _, wd, wa = self.system.pair
        data = kernel.reduced_values(y, r.nnz, self.lin_from, rates, lin_pos, lin_width, df,
                                     af, wd, wa, pair_pos, pair_width)
        return sparse.csr_matrix((data, r.indices, r.indptr), shape=(r.n, r.n))

    def factorised(self, matrix, *, incomplete=False):
        """SuperLU's factors of the reduced ``matrix`` (complete, in the pattern's nested
        dissection order, or incomplete as a preconditioner), or None if it is singular."""
        try:
            if incomplete:
                # a symmetric fill-reducing order, kept without pivoting: every diagonal
                # entry is a level's total loss rate, never zero
                return spilu(sparse.csc_matrix(_strong_part(matrix)), drop_tol=_ILU_DROP_TOL,
                             fill_factor=_ILU_FILL, permc_spec="MMD_AT_PLUS_A",
                             diag_pivot_thresh=0.0, options={"SymmetricMode": True})
            if self._order is None:
                self._order = FillReducingOrder(self.reduced.indptr, self.reduced.indices)
            return self._order.factorise(matrix)
        except RuntimeError:
            return None

    def tail_coupling(self, y):
        """The tail's coupling through its means (:meth:`TailTerms.coupling
        <lnhet_widgets.core.ions.system.TailTerms.coupling>`) in the reduced system: ``(U, V)``
        with the reduced Jacobian's missing part U @ V.T (unknowns: the excited states, each
        ground state 1 − Σ of its ion's excited ones)."""
        u, v = self.system.tail.coupling(y, self.system.size)
        r = self.reduced
        ground = self.system.offsets[r.state_ion[r.excited]]
        return u[r.excited], v[r.excited] - v[ground]

    def krylov_step(self, matrix, rhs, coupling, rtol):
        """GMRES to the relative residual ``rtol`` on the reduced system with the tail's
        coupling (U, V), preconditioned by the incomplete factors of an earlier matrix
        (renewed once when they no longer do): the step, or None."""
        u, v = coupling
        operator = LinearOperator(matrix.shape, lambda x: matrix @ x + u @ (v.T @ x))
        for renew in (self.preconditioner is None, True):
            if renew:
                self.preconditioner = self.factorised(matrix, incomplete=True)
                self.factorisations += 1
                if self.preconditioner is None:
                    return None
            step, info = gmres(operator, rhs, rtol=rtol, atol=0.0, restart=50,
                               maxiter=_KRYLOV_RESTARTS,
                               M=LinearOperator(matrix.shape, self.preconditioner.solve))
            if info == 0:
                return step
        return None

    def newton(self, y, power_w_cm2, *, max_iterations=60):
        """Newton's method on the excited-state populations from ``y``: (y, factorisations of
        this call) or None.

        Up to :data:`_DIRECT_MAX_UNKNOWNS` unknowns each step is solved with SuperLU's
        factors of the Jacobian at one point (:class:`_Chord`), reused while the steps shrink
        fast (a chord iteration) and renewed when they stop doing so. Above, where the
        factors of a 3-D ion graph fill in faster than the problem grows, each step is solved
        by GMRES preconditioned with incomplete factors that are kept over the iterations and
        the power steps and renewed only when GMRES stalls. A call that needs more than
        :data:`_MAX_FACTORISATIONS` factorisations gives up, so that the continuation tries a
        shorter power step instead."""
        excited = self.reduced.excited
        direct = excited.size <= _DIRECT_MAX_UNKNOWNS
        chord, start, last = None, self.factorisations, np.inf
        for _ in range(max_iterations):
            if self.factorisations - start >= _MAX_FACTORISATIONS and chord is None:
                return None
            rates = self.rates(y, power_w_cm2)
            rhs = -self.rhs(y, rates)[excited]
            if direct:
                if chord is None:
                    factors = self.factorised(self.reduced_matrix(y, rates))
                    self.factorisations += 1
                    if factors is None:  # a singular Jacobian: this start is too far
                        return None
                    chord = _Chord(factors, *self.tail_coupling(y))
                step = chord.solve(rhs)
            else:
                rtol = min(_KRYLOV_RTOL_MAX, max(_KRYLOV_RTOL, 1e-2 * last))
                step = self.krylov_step(self.reduced_matrix(y, rates), rhs,
                                        self.tail_coupling(y), rtol)
                if step is None:
                    return None
            if not np.all(np.isfinite(step)):
                return None
            x_new, damped = self.positive_update(y, step)
            change_y = self.expand(x_new) - y
            y = y + change_y
            change = float(np.max(np.abs(change_y) / (np.abs(y) + 1e-12)))
            if not damped and (change < 1e-9 or np.max(np.abs(change_y)) < 1e-15):
                return y, self.factorisations - start
            if damped or change > 0.3 * last:
                chord = None  # contraction too slow for the old factors: renew them
            last = change
        return None

    def positive_update(self, y, step):
        """The excited populations after the Newton ``step`` from ``y``, kept positive, and
        whether the step had to be changed to keep them so.

        A population the step lowers falls by the factor exp(step / x), the Newton step in
        ln x (the same step to first order near the solution, and never below zero), and an
        ion whose excited states would then hold more than its whole population moves only
        part of the way, to a tenth of its ground state. Each population is limited by
        itself: a uniform shortening of the whole step, which one ion's overshoot imposed on
        every other, made the high-power steps crawl (seven factorisations a step on simetuc's
        example instead of three to six)."""
        r = self.reduced
        x = y[r.excited]
        falls = x + step < 0
        ratio = np.clip(step / np.maximum(x, 1e-300), -700.0, 0.0)
        x_new = np.where(step < 0, x * np.exp(ratio), x + step)
        ions = r.state_ion[r.excited]
        n_ions = self.system.offsets.size
        ground = y[self.system.offsets]
        gain = np.bincount(ions, weights=x_new - x, minlength=n_ions)
        over = gain > ground
        if over.any():
            share = np.where(over, 0.9 * ground / np.where(over, gain, 1.0), 1.0)[ions]
            x_new = x + share * (x_new - x)
        return x_new, bool(falls.any() or over.any())


def _strong_part(matrix) -> sparse.csr_matrix:
    """``matrix`` without its weak couplings: the diagonal and every entry a_ij with
    |a_ij| ≥ _PRECONDITIONER_EPS·√(|a_ii a_jj|)."""
    coo = sparse.coo_matrix(matrix)
    diagonal = np.abs(matrix.diagonal())
    keep = (coo.row == coo.col) | (np.abs(coo.data) >= _PRECONDITIONER_EPS * np.sqrt(
        diagonal[coo.row] * diagonal[coo.col]))
    return sparse.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])),
                             shape=matrix.shape)


class _OrderedBDF(BDF):
    """scipy's BDF method factorising its matrices (I − cJ) in ``order`` (a
    :class:`FillReducingOrder` of the Jacobian's pattern) instead of SuperLU's default column
    order, which fills the factors of the 3-D ion graph several times more."""

    def __init__(self, fun, t0, y0, t_bound, *, order: FillReducingOrder, **options):
        super().__init__(fun, t0, y0, t_bound, **options)

        def factorise(matrix):
            self.nlu += 1
            return order.factorise(matrix)

        self.lu = factorise
        self.solve_lu = lambda factors, rhs: factors.solve(rhs)


def _blas_in_one_thread():
    """A context in which BLAS runs in one thread: OpenBLAS's threads, woken by numpy's small
    dense products between two factorisations, keep spinning and slow SuperLU's own BLAS
    calls, which are sequential (on two cores a factorisation took 0.05–0.10 s instead of a
    steady 0.05 s)."""
    return threadpool_limits(limits=1, user_api="blas")


def _continuation(equations: _Equations, y, power: float) -> np.ndarray:
    """The steady state at ``power`` (W cm⁻², > 0) from the ground state ``y``, continued in
    power from :data:`_START_POWER_W_CM2`."""
    log_p = np.log10(min(power, _START_POWER_W_CM2))
    log_target = np.log10(power)
    while (solved := equations.newton(y, 10**log_p)) is None:
        if log_p <= np.log10(_LOWEST_START_W_CM2):
            raise RuntimeError(f"the per-ion steady state did not converge at "
                               f"{10**log_p:.3g} W/cm²")
        log_p -= 1.0  # nearer the linear regime
    y = solved[0]
    step, splits = 1.0, 0
    while log_p < log_target:
        trial = min(log_target, log_p + step)
        solved = equations.newton(y, 10**trial)
        if solved is None:
            splits += 1
            if splits > _MAX_SPLITS:
                raise RuntimeError(f"the per-ion steady state did not converge between "
                                   f"{10**log_p:.3g} and {10**trial:.3g} W/cm²")
            step /= 2
            continue
        y = solved[0]
        log_p = trial
        step = min(_MAX_STEP_DECADES, step * 2)
    return y


class _Chord:
    """The reduced Jacobian A + U Vᵀ at one point, kept for the chord steps that follow: the
    factors of A, with A⁻¹U and the small matrix I + Vᵀ A⁻¹ U of the tail's coupling
    (Sherman–Morrison–Woodbury), so each step costs one solve with A. (Renewing U at every
    step, as a partial update of the Jacobian, took one solve per column of U, about 18,
    and converged no faster.)"""

    def __init__(self, factors, u, v):
        self.factors = factors
        self.v = v
        self.a_u = factors.solve(u) if u.shape[1] else None
        self.small = None if self.a_u is None else np.eye(u.shape[1]) + v.T @ self.a_u

    def solve(self, rhs) -> np.ndarray:
        """x with (A + U Vᵀ) x = rhs."""
        x = self.factors.solve(rhs)
        if self.a_u is None:
            return x
        return x - self.a_u @ np.linalg.solve(self.small, self.v.T @ x)


def solve_ions(params: TransferParams, lattice: IonLattice, *, excitation_nm: float = 980.0,
               power_w_cm2: float, d_max_nm: float | None = 2.0,
               coupling_length_nm: float | None = COUPLING_LENGTH_NM) -> IonResult:
    """CW steady state of the per-ion rate equations (SCIENCE §11).

    Newton's method on the excited-state populations (each ion's ground state is 1 − Σ of its
    excited states, so its populations sum to 1 by construction) with the sparse Jacobian,
    continued in power from 1 kW cm⁻² (lower powers are solved directly; a decade lower where
    Newton's method does not converge from the ground state there): a step that converges
    doubles the next (up to two decades), one that fails is halved in log power.

    Parameters
    ----------
    params : TransferParams
        Rate constants, shared with the average model.
    lattice : IonLattice
        The ions (from :meth:`IonLattice.from_params`, :meth:`IonLattice.from_sites` or
        :func:`read_simetuc_lattice`).
    excitation_nm : {980, 365, 400}
        980 nm pumps Yb³⁺, 365 and 400 nm the perovskite shell of a heterostructure.
    power_w_cm2 : float
        Power density, W cm⁻², in [0, 1e9].
    d_max_nm : float or None
        Range of the pair terms, nm (None: every pair, as simetuc).
    coupling_length_nm : float or None
        How the perovskite's channels are shared over the ions (:func:`ion_system`).

    Returns
    -------
    IonResult

    Examples
    --------
    >>> lattice = IonLattice.from_params(TransferParams(core_diameter_nm=3.0), seed=0)
    >>> r = solve_ions(TransferParams(), lattice, power_w_cm2=10.0)
    >>> ions = r.populations("Yb")[0]
    >>> bool(np.allclose(ions.sum(axis=1), 1, atol=1e-12)), bool(ions[:, 1].max() < 0.01)
    (True, True)
    >>> solve_ions(TransferParams(), lattice, power_w_cm2=-1)
    Traceback (most recent call last):
    ...
    ValueError: power_w_cm2 = -1 W/cm² is outside the allowed range [0, 1e+09] W/cm²
    """
    power = check_range("power_w_cm2", power_w_cm2, "W/cm²", 0.0, 1e9)
    system = ion_system(params, lattice, excitation_nm=excitation_nm, d_max_nm=d_max_nm,
                        coupling_length_nm=coupling_length_nm)
    equations = _Equations(system)
    y = system.ground_state()
    if power > 0:
        with _blas_in_one_thread():
            y = _continuation(equations, y, power)
    return IonResult(system, np.array([power]), np.zeros(0), y[None, :],
                     equations.factorisations)


def ion_dynamics(params: TransferParams, lattice: IonLattice, *, pulse: Pulse, t_eval,
                 rtol: float = 1e-6, atol: float = 1e-20,
                 d_max_nm: float | None = 2.0,
                 coupling_length_nm: float | None = COUPLING_LENGTH_NM) -> IonResult:
    """Populations of every ion during and after a rectangular pulse, from the ground state.

    The stiff equations are integrated by scipy's BDF method with the analytic sparse Jacobian
    of the numba kernels: it factorises (I − hγJ) with SuperLU, in the pattern's nested
    dissection order, and reuses the factors over many steps, refactorising only when the
    step or the Jacobian changes enough.

    Parameters
    ----------
    params : TransferParams
    lattice : IonLattice
    pulse : Pulse
        Wavelength (980 nm; 365 or 400 nm for a heterostructure), power and duration of the
        pulse, which starts at t = 0.
    t_eval : array_like
        Output times after the start of the pulse, s, ascending and ≥ 0.
    rtol, atol : float
        Tolerances of the integrator (relative in [1e-10, 1e-2]; absolute in population
        fractions, in [1e-30, 1e-6]).
    d_max_nm : float or None
        Range of the pair terms, nm.
    coupling_length_nm : float or None
        How the perovskite's channels are shared over the ions (:func:`ion_system`).

    Examples
    --------
    >>> lattice = IonLattice.from_params(TransferParams(core_diameter_nm=3.0), seed=0)
    >>> t = np.linspace(0, 2e-3, 41)
    >>> r = ion_dynamics(TransferParams(), lattice, pulse=Pulse(980, 10.0, 20e-6), t_eval=t)
    >>> r.lines[980.0].shape, bool(np.argmax(r.lines[980.0]) <= 2)
    ((41,), True)
    """
    if not isinstance(pulse, Pulse):
        raise ValueError("pulse must be a Pulse(excitation_nm, power_w_cm2, duration_s)")
    t = np.asarray(t_eval, dtype=float).ravel()
    if t.size == 0 or t[0] < 0 or np.any(np.diff(t) <= 0):
        raise ValueError("t_eval must be ascending times in s, starting at or after 0")
    rtol = check_range("rtol", rtol, "", 1e-10, 1e-2)
    atol = check_range("atol", atol, "", 1e-30, 1e-6)
    system = ion_system(params, lattice, excitation_nm=pulse.excitation_nm, d_max_nm=d_max_nm,
                        coupling_length_nm=coupling_length_nm)
    equations = _Equations(system)
    order = FillReducingOrder(equations.pattern.indptr, equations.pattern.indices)
    states = np.empty((t.size, system.size))
    y = system.ground_state()
    phases = ((0.0, pulse.duration_s, pulse.power_w_cm2),
              (pulse.duration_s, max(t[-1], pulse.duration_s), 0.0))
    for start, end, power in phases:
        inside = (t >= start) & ((t < end) if power > 0 else (t <= end))
        if start == end:
            continue
        wanted = t[inside]
        if wanted.size == 0 or wanted[-1] < end:
            wanted = np.append(wanted, end)  # the state at the phase's end starts the next
        with _blas_in_one_thread():
            solution = solve_ivp(
                lambda _, y, p=power: equations.rhs(y, equations.rates(y, p)), (start, end),
                y, method=_OrderedBDF, t_eval=wanted,
                jac=lambda _, y, p=power: equations.matrix(
                    equations.jacobian_data(y, equations.rates(y, p))),
                rtol=rtol, atol=atol, order=order)
        if not solution.success:
            raise RuntimeError(f"the per-ion dynamics failed: {solution.message}")
        states[inside] = solution.y[:, :int(inside.sum())].T
        y = solution.y[:, -1]
    power_at = np.where(t < pulse.duration_s, pulse.power_w_cm2, 0.0)
    return IonResult(system, power_at, t, states, 0, pulse.duration_s)
