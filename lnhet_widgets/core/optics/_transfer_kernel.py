"""numba kernels of the rate equations: right-hand side, analytic Jacobian, steady state and an
L-stable Rosenbrock integrator (Rodas3).

A system is a flat population vector ``y`` (one block of level populations per species, each
block summing to 1) and two kinds of terms:

* linear terms ``k · y[i]`` moving population from level ``i`` to level ``j`` of the same
  species (decay, branching, pumping, quenching), given as ``lin_from, lin_to, lin_rate``;
  ``pump_*`` terms are linear terms scaled by the excitation switch (on during a pulse);
* pair terms between a donor and an acceptor species: the rate ``y[df] · y[af]`` moves the
  donor ``df → dt`` with coefficient ``w_donor`` (per donor, s⁻¹) and the acceptor ``af → at``
  with ``w_acceptor`` (per acceptor). The two coefficients differ by the ratio of the numbers of
  donors and acceptors per particle, so that every event moves one quantum on each side.

The pure-numpy :func:`rhs_numpy` is the reference for tests and for the benchmark.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def rhs(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at, pair_wd, pair_wa):
    """dy/dt of the rate equations (see the module docstring for the term layout)."""
    dy = np.zeros_like(y)
    for m in range(lin_from.size):
        flux = lin_rate[m] * y[lin_from[m]]
        dy[lin_from[m]] -= flux
        dy[lin_to[m]] += flux
    for m in range(pair_df.size):
        product = y[pair_df[m]] * y[pair_af[m]]
        dy[pair_df[m]] -= pair_wd[m] * product
        dy[pair_dt[m]] += pair_wd[m] * product
        dy[pair_af[m]] -= pair_wa[m] * product
        dy[pair_at[m]] += pair_wa[m] * product
    return dy


@numba.njit(cache=True)
def jacobian(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at, pair_wd,
             pair_wa):
    """Analytic Jacobian ∂(dy/dt)/∂y of :func:`rhs`."""
    n = y.size
    jac = np.zeros((n, n))
    for m in range(lin_from.size):
        jac[lin_from[m], lin_from[m]] -= lin_rate[m]
        jac[lin_to[m], lin_from[m]] += lin_rate[m]
    for m in range(pair_df.size):
        d = pair_df[m]
        a = pair_af[m]
        for col, factor in ((d, y[a]), (a, y[d])):
            jac[d, col] -= pair_wd[m] * factor
            jac[pair_dt[m], col] += pair_wd[m] * factor
            jac[a, col] -= pair_wa[m] * factor
            jac[pair_at[m], col] += pair_wa[m] * factor
    return jac


def rhs_numpy(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at, pair_wd,
              pair_wa):
    """Pure-numpy reference of :func:`rhs` (scatter-adds instead of a loop)."""
    dy = np.zeros_like(y)
    flux = lin_rate * y[lin_from]
    np.add.at(dy, lin_from, -flux)
    np.add.at(dy, lin_to, flux)
    product = y[pair_df] * y[pair_af]
    np.add.at(dy, pair_df, -pair_wd * product)
    np.add.at(dy, pair_dt, pair_wd * product)
    np.add.at(dy, pair_af, -pair_wa * product)
    np.add.at(dy, pair_at, pair_wa * product)
    return dy


@numba.njit(cache=True)
def _conserved_residual(y, f, jac, ground, block_end):
    """Replace each species' ground-state row by its normalisation Σ y − 1 = 0."""
    start = 0
    for s in range(ground.size):
        g = ground[s]
        total = 0.0
        for i in range(start, block_end[s]):
            total += y[i]
        f[g] = total - 1.0
        for i in range(y.size):
            jac[g, i] = 0.0
        for i in range(start, block_end[s]):
            jac[g, i] = 1.0
        start = block_end[s]


@numba.njit(cache=True)
def steady_state(y0, ground, block_end, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af,
                 pair_at, pair_wd, pair_wa, tol):
    """Steady state of the rate equations from the start ``y0``.

    Pseudo-transient continuation: implicit-Euler steps whose length grows tenfold from 1 ns
    carry the populations close to the attractor (safe at any power), then Newton's method on
    the conserved system (ground-state rows replaced by the normalisation) converges
    quadratically. Returns ``(y, newton_iterations, residual)``.
    """
    y = y0.copy()
    n = y.size
    eye = np.eye(n)
    dt = 1e-9
    while dt < 1e3:
        for _ in range(2):
            f = rhs(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at,
                    pair_wd, pair_wa)
            jac = jacobian(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at,
                           pair_wd, pair_wa)
            y = y + np.linalg.solve(eye - dt * jac, dt * f)
        dt *= 10.0
    residual = np.inf
    iterations = 0
    while iterations < 50:
        iterations += 1
        f = rhs(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at, pair_wd,
                pair_wa)
        jac = jacobian(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at,
                       pair_wd, pair_wa)
        _conserved_residual(y, f, jac, ground, block_end)
        step = np.linalg.solve(jac, -f)
        y = y + step
        residual = np.max(np.abs(step))
        if residual < tol:
            break
    return y, iterations, residual


# Rodas3 (Sandu et al., Atmos. Environ. 31, 3459 (1997), as in KPP's Rosenbrock family): four
# stages, third order, stiffly accurate and L-stable, with an embedded second-order solution;
# the stage form of Hairer & Wanner (W = I/(γh) − J, U_i the scaled stage increments).
_GAMMA = 0.5
_A = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [2.0, 0.0, 1.0]])
_C = np.array([[0.0, 0.0, 0.0], [4.0, 0.0, 0.0], [1.0, -1.0, 0.0], [1.0, -1.0, -8.0 / 3.0]])
_M = np.array([2.0, 0.0, 1.0, 1.0])
_E = np.array([0.0, 0.0, 0.0, 1.0])  # main − embedded


@numba.njit(cache=True)
def _lu_factor(a):
    """LU with partial pivoting of ``a`` in place; returns the row permutation."""
    n = a.shape[0]
    piv = np.arange(n)
    for k in range(n):
        p = k + np.argmax(np.abs(a[k:, k]))
        if p != k:
            for j in range(n):
                a[k, j], a[p, j] = a[p, j], a[k, j]
            piv[k], piv[p] = piv[p], piv[k]
        if a[k, k] == 0.0:
            continue
        for i in range(k + 1, n):
            a[i, k] /= a[k, k]
            if a[i, k] != 0.0:
                for j in range(k + 1, n):
                    a[i, j] -= a[i, k] * a[k, j]
    return piv


@numba.njit(cache=True)
def _lu_solve(lu, piv, b):
    """Solve with the factors of :func:`_lu_factor`."""
    n = b.size
    x = b[piv].copy()
    for i in range(n):
        for j in range(i):
            x[i] -= lu[i, j] * x[j]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            x[i] -= lu[i, j] * x[j]
        x[i] /= lu[i, i]
    return x


@numba.njit(cache=True)
def integrate(y0, t_eval, pulse_end, lin_from, lin_to, lin_rate, pump_from, pump_to, pump_rate,
              pair_df, pair_dt, pair_af, pair_at, pair_wd, pair_wa, rtol, atol):
    """Populations at the times ``t_eval`` (s, ascending, ≥ 0) after switching the pump on at
    t = 0 and off at ``pulse_end``.

    Rodas3, a linearly implicit (Rosenbrock) method: one LU factorisation of I/(γh) − J per
    step serves all four stages, so the stiff rate equations (ns to ms lifetimes) need no
    Newton iterations; the step is controlled by the embedded second-order solution. Output
    times are interpolated (cubic Hermite from the populations and their derivatives at both
    ends of a step, third order like the method), so they do not shorten the steps; only the
    pulse end, a discontinuity, ends a step exactly. Interpolation is linear in conserved
    quantities, so every species still sums to 1. Returns ``(populations, steps)``.
    """
    n = y0.size
    out = np.empty((t_eval.size, n))
    y = y0.copy()
    t = 0.0
    h = 1e-12
    steps = 0
    n_lin = lin_from.size
    all_from = np.concatenate((lin_from, pump_from))
    all_to = np.concatenate((lin_to, pump_to))
    rates = np.concatenate((lin_rate, pump_rate))
    dark = rates.copy()
    dark[n_lin:] = 0.0
    end = t_eval[-1] if t_eval.size else 0.0
    k = 0
    while k < t_eval.size and t_eval[k] <= 0.0:
        out[k] = y
        k += 1
    stages = np.empty((4, n))
    on = pulse_end > 0.0
    current = rates if on else dark
    f0 = rhs(y, all_from, all_to, current, pair_df, pair_dt, pair_af, pair_at, pair_wd, pair_wa)
    while k < t_eval.size:
        stop = min(pulse_end, end) if on else end
        h = min(h, stop - t)
        jac = jacobian(y, all_from, all_to, current, pair_df, pair_dt, pair_af, pair_at,
                       pair_wd, pair_wa)
        w = -jac
        for i in range(n):
            w[i, i] += 1.0 / (_GAMMA * h)
        piv = _lu_factor(w)
        for i in range(4):
            if i == 0 or i == 1:  # a_1j = a_2j = 0: both stages see f(y)
                stage_f = f0.copy()
            else:
                arg = y.copy()
                for j in range(i):
                    arg += _A[i, j] * stages[j]
                stage_f = rhs(arg, all_from, all_to, current, pair_df, pair_dt, pair_af,
                              pair_at, pair_wd, pair_wa)
            for j in range(i):
                stage_f += (_C[i, j] / h) * stages[j]
            stages[i] = _lu_solve(w, piv, stage_f)
        y_new = y.copy()
        error = np.zeros(n)
        for i in range(4):
            y_new += _M[i] * stages[i]
            error += _E[i] * stages[i]
        scale = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
        err = np.sqrt(np.mean((error / scale) ** 2))
        if err <= 1.0:
            t_new = stop if stop - t - h <= 1e-15 * max(1.0, stop) else t + h
            f1 = rhs(y_new, all_from, all_to, current, pair_df, pair_dt, pair_af, pair_at,
                     pair_wd, pair_wa)
            span = t_new - t
            while k < t_eval.size and t_eval[k] <= t_new:
                s = (t_eval[k] - t) / span
                h00 = (1.0 + 2.0 * s) * (1.0 - s) ** 2
                h10 = s * (1.0 - s) ** 2
                h01 = s * s * (3.0 - 2.0 * s)
                h11 = s * s * (s - 1.0)
                out[k] = h00 * y + h10 * span * f0 + h01 * y_new + h11 * span * f1
                k += 1
            t, y, f0 = t_new, y_new, f1
            steps += 1
            if on and t >= pulse_end:
                # the pump switches off: the derivative jumps, so f is evaluated again
                on = False
                current = dark
                f0 = rhs(y, all_from, all_to, current, pair_df, pair_dt, pair_af, pair_at,
                         pair_wd, pair_wa)
        h = h * min(5.0, max(0.2, 0.9 * max(err, 1e-10) ** (-1.0 / 3.0)))
    return out, steps
