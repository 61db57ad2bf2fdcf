"""numba kernels of the rate equations: right-hand side, analytic Jacobian, steady state and an
L-stable Rosenbrock integrator.

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


@numba.njit(cache=True)
def integrate(y0, t_eval, pulse_end, lin_from, lin_to, lin_rate, pump_from, pump_to, pump_rate,
              pair_df, pair_dt, pair_af, pair_at, pair_wd, pair_wa, rtol, atol):
    """Populations at the times ``t_eval`` (s, ascending, ≥ 0) after switching the pump on at
    t = 0 and off at ``pulse_end``.

    ROS2 (Verwer et al., SIAM J. Sci. Comput. 20, 1456 (1999)): a two-stage, second-order,
    L-stable Rosenbrock method, linearly implicit, so the stiff rate equations (ns to ms
    lifetimes) need one LU per step; the step is controlled by the difference to the embedded
    first-order (linearly implicit Euler) solution. Steps end exactly at the pulse end and at
    every output time. Returns ``(populations, steps)``.
    """
    gamma = 1.0 + 1.0 / np.sqrt(2.0)
    n = y0.size
    out = np.empty((t_eval.size, n))
    eye = np.eye(n)
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
    for k in range(t_eval.size):
        target = t_eval[k]
        while t < target:
            on = t < pulse_end
            current = rates if on else dark
            stop = min(target, pulse_end) if on else target
            # an output time or the pulse end shortens this step only, not the next ones
            h_free = h
            h = min(h, stop - t)
            truncated = h < h_free
            f0 = rhs(y, all_from, all_to, current, pair_df, pair_dt, pair_af, pair_at, pair_wd,
                     pair_wa)
            jac = jacobian(y, all_from, all_to, current, pair_df, pair_dt, pair_af, pair_at,
                           pair_wd, pair_wa)
            matrix = eye - gamma * h * jac
            k1 = np.linalg.solve(matrix, f0)
            f1 = rhs(y + h * k1, all_from, all_to, current, pair_df, pair_dt, pair_af, pair_at,
                     pair_wd, pair_wa)
            k2 = np.linalg.solve(matrix, f1 - 2.0 * k1)
            y_new = y + 1.5 * h * k1 + 0.5 * h * k2
            scale = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
            err = np.sqrt(np.mean((0.5 * h * (k1 + k2) / scale) ** 2))
            if err <= 1.0:
                t = stop if stop - t - h <= 1e-15 * max(1.0, stop) else t + h
                y = y_new
                steps += 1
            factor = 0.9 / np.sqrt(max(err, 1e-10))
            h = h * min(5.0, max(0.2, factor))
            if truncated and err <= 1.0:
                h = max(h, h_free)
        out[k] = y
    return out, steps
