"""numba kernel of the hot-injection simulation (SCIENCE §4); the model is in :mod:`.seeded`.

Everything here is SI (m, s, K, monomers per m³) and takes only arrays and scalars. One call
simulates one reaction in a volume that holds the simulated cores:

* a precursor pool releases monomer with time constant ``release_time_s`` (0: at once);
* homogeneous nuclei appear at J_hom·V per second (Poisson); when more than
  ``_PARCELS_PER_STEP`` are expected in a step they are carried by that many weighted
  parcels, each standing for the same number of identical nuclei;
* every bare core nucleates a shell with probability 1 − exp(−I dt), I = 4πR² A_het
  exp(−ΔG*_hom f(m, R/r*)/2 / kT);
* every particle (shell or free crystal) grows or dissolves as
  dr/dt = v_m k D (C − C_eq e^{2γv_m/(r kT)}) / (D + k r), r the radius of the sphere of its
  volume (perovskite plus embedded cores);
* a bare core meets growing heterostructures (shells already holding a core) with the
  Brownian (Smoluchowski) kernel β = 2kT/(3η) (R + r)(1/R + 1/r) and is engulfed with
  probability ``capture_efficiency`` times its own wetting factor;
* after ``time_s`` the flask cools exponentially towards the bath and the run ends at
  ``end_k``.

Time steps adapt: at most 2 % of the dissolved monomer changes per step, 5 % of the release
time while the precursor pool holds more than 0.1 % of the monomer, 2 % of the cooling time
constant during the quench, and ``dt_max_s`` otherwise; steps land on the trace times before
``trace_resolved_s`` (the injection, release and burst) and pass them afterwards.

The monomer ledger (pool + solution + crystals) is conserved to rounding: every crystal
volume change is paid from or returned to the solution in the same step, and a step whose
growth would overdraw the solution scales the positive growth down.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .nucleation import (
    BOLTZMANN_J_K,
    barrier_kt_nb,
    critical_radius_nb,
    fletcher_factor,
    fletcher_factor_nb,
)

_PARCELS_PER_STEP = 16
_MONOMER_STEP_FRACTION = 0.02
_MIN_DT_S = 1e-7
_KT_TO_NUCLEUS = 3.0

# Columns of the trace array.
TRACE_COLUMNS = ("time_s", "supersaturation", "monomer_m3", "temperature_k",
                 "homogeneous_nuclei", "heterogeneous_nuclei", "captures")


@numba.njit(cache=True, nogil=True)
def temperature_k(t, reaction_k, time_s, quench_tau_s, bath_k):
    """Flask temperature: constant until ``time_s``, then exponential cooling to the bath."""
    if t <= time_s:
        return reaction_k
    return bath_k + (reaction_k - bath_k) * math.exp(-(t - time_s) / quench_tau_s)


@numba.njit(cache=True, nogil=True)
def growth_coefficients(p_vol, p_core, alive, n_p, c_eq, kt, v_m, gamma, k_growth,
                        diffusivity, coef, c_surface, radius):
    """Linearise growth: dV/dt = coef (C − c_surface) for the first ``n_p`` particles.

    coef = 4π r² v_m k D / (D + k r) (m³ s⁻¹ per monomer m⁻³), c_surface = C_eq e^{2γv_m/(r kT)}
    (Gibbs–Thomson), r the radius of the sphere of the particle's volume (m).
    """
    gt = 2.0 * gamma * v_m / kt
    for j in range(n_p):
        if not alive[j]:
            coef[j] = 0.0
            c_surface[j] = 0.0
            continue
        r = (3.0 * (p_vol[j] + p_core[j]) / (4.0 * math.pi)) ** (1.0 / 3.0)
        radius[j] = r
        c_surface[j] = c_eq * math.exp(gt / r)
        coef[j] = 4.0 * math.pi * r * r * v_m * k_growth * diffusivity / (diffusivity
                                                                          + k_growth * r)


def growth_coefficients_numpy(p_vol, p_core, alive, c_eq, kt, v_m, gamma, k_growth,
                              diffusivity):
    """Pure-numpy reference of :func:`growth_coefficients` (tests and the benchmark's ratio)."""
    r = (3.0 * (p_vol + p_core) / (4.0 * np.pi)) ** (1.0 / 3.0)
    safe_r = np.where(alive, r, 1.0)
    c_surface = c_eq * np.exp(2.0 * gamma * v_m / (kt * safe_r))
    coef = 4.0 * np.pi * r * r * v_m * k_growth * diffusivity / (diffusivity + k_growth * r)
    return np.where(alive, coef, 0.0), np.where(alive, c_surface, 0.0), np.where(alive, r, 0.0)


@numba.njit(cache=True, nogil=True)
def heterogeneous_rates(core_radius_m, core_wetting, core_host, r_star, barrier_kt, prefactor,
                        rate, factor):
    """Shell nucleation rate (1/s) and Fletcher factor of every bare core; 0 for coated ones.

    rate = 4πR² A_het exp(−ΔG*_hom f(m, R/r*)/2 / kT), ``barrier_kt`` = ΔG*_hom/kT.
    """
    for i in range(core_radius_m.size):
        if core_host[i] >= 0:
            rate[i] = 0.0
            factor[i] = 0.0
            continue
        fac = fletcher_factor_nb(core_wetting[i], core_radius_m[i] / r_star)
        factor[i] = fac
        rate[i] = 4.0 * math.pi * core_radius_m[i] ** 2 * prefactor * math.exp(-barrier_kt * fac)


def heterogeneous_rates_numpy(core_radius_m, core_wetting, core_host, r_star, barrier_kt,
                              prefactor):
    """Pure-numpy reference of :func:`heterogeneous_rates`; returns (rate, factor)."""
    bare = core_host < 0
    factor = np.where(bare, fletcher_factor(core_wetting, core_radius_m / r_star), 0.0)
    rate = 4.0 * np.pi * core_radius_m**2 * prefactor * np.exp(-barrier_kt * factor)
    return np.where(bare, rate, 0.0), factor


@numba.njit(cache=True, nogil=True)
def _record(traces, next_trace, trace_times_s, until, t, s, c, temp, cum_hom, cum_het, cum_cap):
    """Write the state into every trace row whose time is ≤ ``until``; return the next row."""
    while next_trace < trace_times_s.size and trace_times_s[next_trace] <= until:
        traces[next_trace, 0] = t
        traces[next_trace, 1] = s
        traces[next_trace, 2] = c
        traces[next_trace, 3] = temp
        traces[next_trace, 4] = cum_hom
        traces[next_trace, 5] = cum_het
        traces[next_trace, 6] = cum_cap
        next_trace += 1
    return next_trace


@numba.njit(cache=True, nogil=True)
def _new_particle(p_vol, p_core, p_ncores, p_w, alive, n_p, vol, core_vol, n_cores, weight):
    p_vol[n_p] = vol
    p_core[n_p] = core_vol
    p_ncores[n_p] = n_cores
    p_w[n_p] = weight
    alive[n_p] = True
    return n_p + 1


@numba.njit(cache=True, nogil=True)
def run_growth(core_radius_m, core_wetting, core_engulf, trace_times_s,
               volume_m3, monomer_m3, release_time_s,
               v_m, gamma, c_eq_ref, dh_over_r, ref_k, ea_over_r,
               a_hom, a_het, k_growth_ref, diffusivity, capture_efficiency, viscosity_pa_s,
               reaction_k, time_s, quench_tau_s, bath_k, end_k, dt_max_s,
               shell_allowed, max_particles, trace_resolved_s, rng):
    """Simulate one reaction; see the module docstring. Returns the final state and traces."""
    nc = core_radius_m.size
    cap = max_particles + nc
    p_vol = np.zeros(cap)
    p_core = np.zeros(cap)
    p_ncores = np.zeros(cap, dtype=np.int64)
    p_w = np.zeros(cap)
    alive = np.zeros(cap, dtype=np.bool_)
    dvdt = np.zeros(cap)
    coef = np.zeros(cap)
    c_surface = np.zeros(cap)
    radius = np.zeros(cap)
    n_p = 0

    core_vol = 4.0 / 3.0 * math.pi * core_radius_m**3
    core_host = -np.ones(nc, dtype=np.int64)
    core_captured = np.zeros(nc, dtype=np.bool_)
    het_rate = np.zeros(nc)
    het_factor = np.zeros(nc)

    total = monomer_m3 * volume_m3
    if release_time_s > 0.0:
        pool = total
        n_solution = 0.0
    else:
        pool = 0.0
        n_solution = total

    n_trace = trace_times_s.size
    traces = np.zeros((n_trace, 7))
    next_trace = 0
    cum_hom = 0.0
    cum_het = 0.0
    cum_cap = 0.0
    dropped = 0.0
    steps = 0
    t = 0.0
    while True:
        temp = temperature_k(t, reaction_k, time_s, quench_tau_s, bath_k)
        if t >= time_s and temp <= end_k + 1e-9:
            break
        kt = BOLTZMANN_J_K * temp
        inv = 1.0 / temp - 1.0 / ref_k
        c_eq = c_eq_ref * math.exp(-dh_over_r * inv)
        kinetic = math.exp(-ea_over_r * inv)
        k_growth = k_growth_ref * kinetic
        c = n_solution / volume_m3
        s = c / c_eq

        next_trace = _record(traces, next_trace, trace_times_s, t, t, s, c, temp, cum_hom,
                             cum_het, cum_cap)

        growth_coefficients(p_vol, p_core, alive, n_p, c_eq, kt, v_m, gamma, k_growth,
                            diffusivity, coef, c_surface, radius)
        sum_coef = 0.0
        sum_coef_cs = 0.0
        for j in range(n_p):
            if alive[j]:
                sum_coef += p_w[j] * coef[j]
                sum_coef_cs += p_w[j] * coef[j] * c_surface[j]
        demand = (c * sum_coef - sum_coef_cs) / v_m

        hom_events = 0.0
        nucleus_vol = 0.0
        het_demand = 0.0
        if s > 1.0:
            ln_s = math.log(s)
            r_star = critical_radius_nb(gamma, v_m, kt, ln_s)
            barrier = barrier_kt_nb(gamma, v_m, kt, ln_s)
            # Nuclei enter one kT past the top of the barrier (the Zeldovich zone), where
            # growth, not fluctuation, decides their fate: ΔG(r*+δ) = ΔG* − kT.
            r_nucleus = r_star * (1.0 + math.sqrt(1.0 / (_KT_TO_NUCLEUS * barrier)))
            nucleus_vol = 4.0 / 3.0 * math.pi * r_nucleus**3
            hom_events = a_hom * kinetic * math.exp(-barrier) * volume_m3
            if shell_allowed:
                heterogeneous_rates(core_radius_m, core_wetting, core_host, r_star, barrier,
                                    a_het * kinetic, het_rate, het_factor)
                for i in range(nc):
                    het_demand += het_rate[i] * nucleus_vol * het_factor[i] / v_m
        else:
            for i in range(nc):
                het_rate[i] = 0.0
        demand += hom_events * nucleus_vol / v_m + het_demand
        if pool > 0.0:
            demand -= pool / release_time_s

        dt = dt_max_s
        if demand != 0.0 and n_solution > 0.0:
            dt = min(dt, _MONOMER_STEP_FRACTION * n_solution / abs(demand))
        if pool > 1e-3 * total:
            # The release is exact for any step; the limit resolves the rise of S it causes.
            dt = min(dt, 0.05 * release_time_s)
        if t < time_s:
            dt = min(dt, time_s - t)
        else:
            # Cooling: C_eq and the kinetics change by a few per cent per step at most.
            dt = min(dt, 0.02 * quench_tau_s)
        if next_trace < n_trace and trace_times_s[next_trace] < trace_resolved_s:
            dt = min(dt, max(trace_times_s[next_trace] - t, 0.0))
        dt = max(dt, _MIN_DT_S)

        # Precursor release, exact for a first-order pool.
        if pool > 0.0:
            released = pool * (1.0 - math.exp(-dt / release_time_s))
            if pool - released < 1e-12 * total:
                released = pool
            pool -= released
            n_solution += released

        # Growth and dissolution, paid from the solution in this step. The concentration that
        # drives them is taken at the end of the step (backward Euler, exact for the linear
        # law), so that a solution in contact with many crystals cannot overshoot C_eq.
        c_new = ((n_solution / volume_m3 + dt * sum_coef_cs / (v_m * volume_m3))
                 / (1.0 + dt * sum_coef / (v_m * volume_m3)))
        gain = 0.0
        loss = 0.0
        for j in range(n_p):
            if not alive[j]:
                continue
            dv = coef[j] * (c_new - c_surface[j]) * dt
            if dv < -p_vol[j]:
                dv = -p_vol[j]
            dvdt[j] = dv
            if dv > 0.0:
                gain += p_w[j] * dv / v_m
            else:
                loss -= p_w[j] * dv / v_m
        scale = 1.0
        if gain > n_solution + loss:
            scale = (n_solution + loss) / gain
        for j in range(n_p):
            if not alive[j]:
                continue
            dv = dvdt[j]
            if dv > 0.0:
                dv *= scale
            n_solution -= p_w[j] * dv / v_m
            p_vol[j] += dv
            if p_vol[j] <= 0.0:
                n_solution += p_w[j] * p_vol[j] / v_m
                p_vol[j] = 0.0
                alive[j] = False
                if p_ncores[j] > 0:
                    for i in range(nc):
                        if core_host[i] == j:
                            core_host[i] = -1
                            core_captured[i] = False
        if n_solution < 0.0:
            n_solution = 0.0

        # Homogeneous nucleation: Poisson events, or weighted parcels in a burst.
        if hom_events > 0.0:
            expected = hom_events * dt
            if expected < _PARCELS_PER_STEP:
                n_new = rng.poisson(expected)
                weight = 1.0
            else:
                n_new = _PARCELS_PER_STEP
                weight = expected / _PARCELS_PER_STEP
            for _ in range(n_new):
                cost = weight * nucleus_vol / v_m
                if cost > n_solution:
                    break
                if n_p >= cap:
                    dropped += weight
                    continue
                n_p = _new_particle(p_vol, p_core, p_ncores, p_w, alive, n_p, nucleus_vol,
                                    0.0, 0, weight)
                n_solution -= cost
                cum_hom += weight

        # Heterogeneous nucleation on bare cores.
        if shell_allowed and s > 1.0:
            for i in range(nc):
                # Below 1e-12 per step a core would not nucleate in 1e9 steps: no draw.
                if core_host[i] >= 0 or het_rate[i] * dt < 1e-12:
                    continue
                if rng.random() < 1.0 - math.exp(-het_rate[i] * dt):
                    vol = max(nucleus_vol * het_factor[i], v_m)
                    if vol / v_m > n_solution or n_p >= cap:
                        continue
                    n_p = _new_particle(p_vol, p_core, p_ncores, p_w, alive, n_p, vol,
                                        core_vol[i], 1, 1.0)
                    core_host[i] = n_p - 1
                    n_solution -= vol / v_m
                    cum_het += 1.0

        # Capture of bare cores by growing particles (Brownian collisions).
        if shell_allowed and capture_efficiency > 0.0:
            m0 = 0.0
            m1 = 0.0
            m_inv = 0.0
            for j in range(n_p):
                if alive[j] and p_ncores[j] > 0 and dvdt[j] > 0.0:
                    m0 += p_w[j]
                    m1 += p_w[j] * radius[j]
                    m_inv += p_w[j] / radius[j]
            if m0 > 0.0:
                # Each bare core is captured at rate K e_i (2 m0 + R_i m_inv + m1/R_i); the
                # captures of one step are a Poisson number drawn from the summed rate, each
                # given to a core in proportion to its own rate (competing Poisson processes).
                kernel = capture_efficiency * 2.0 * kt / (3.0 * viscosity_pa_s) / volume_m3
                total_rate = 0.0
                for i in range(nc):
                    if core_host[i] < 0 and core_engulf[i] > 0.0:
                        big_r = core_radius_m[i]
                        total_rate += core_engulf[i] * (2.0 * m0 + big_r * m_inv + m1 / big_r)
                total_rate *= kernel
                n_events = rng.poisson(total_rate * dt) if total_rate > 0.0 else 0
                for _ in range(n_events):
                    pick = rng.random() * total_rate / kernel
                    chosen = -1
                    for i in range(nc):
                        if core_host[i] < 0 and core_engulf[i] > 0.0:
                            big_r = core_radius_m[i]
                            pick -= core_engulf[i] * (2.0 * m0 + big_r * m_inv + m1 / big_r)
                            chosen = i
                            if pick <= 0.0:
                                break
                    if chosen < 0 or core_host[chosen] >= 0:
                        continue
                    big_r = core_radius_m[chosen]
                    pick = rng.random() * (2.0 * m0 + big_r * m_inv + m1 / big_r)
                    host = -1
                    for j in range(n_p):
                        if alive[j] and p_ncores[j] > 0 and dvdt[j] > 0.0:
                            rj = radius[j]
                            pick -= p_w[j] * (big_r + rj) * (1.0 / big_r + 1.0 / rj)
                            host = j
                            if pick <= 0.0:
                                break
                    if host < 0:
                        continue
                    p_core[host] += core_vol[chosen]
                    p_ncores[host] += 1
                    core_host[chosen] = host
                    core_captured[chosen] = True
                    cum_cap += 1.0

        t += dt
        steps += 1

    c = n_solution / volume_m3
    temp = temperature_k(t, reaction_k, time_s, quench_tau_s, bath_k)
    c_eq = c_eq_ref * math.exp(-dh_over_r * (1.0 / temp - 1.0 / ref_k))
    _record(traces, next_trace, trace_times_s, np.inf, t, c / c_eq, c, temp, cum_hom, cum_het,
            cum_cap)
    return (p_vol[:n_p].copy(), p_core[:n_p].copy(), p_ncores[:n_p].copy(), p_w[:n_p].copy(),
            alive[:n_p].copy(), core_host, core_captured, traces, n_solution, pool, dropped,
            steps, t)
