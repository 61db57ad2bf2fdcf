"""Benchmark of the rate equations of two-way energy transfer (lnhet_widgets.core.optics).

Run with ``python benchmarks/bench_transfer.py``. Prints the machine, then

(a) the first call in this process (numba compile or cache load) and one steady state of a
    bare LnNP40 core and of LnNP40@CsPbBr3 at 980 nm after it, best of 20; target ≤ 1 ms for
    the solve (the particle geometry is cached per parameter set, as in the lab);
(b) a 50-point power sweep (1e-2 … 1e6 W cm⁻²);
(c) a decay: a 10 µs, 1 kW cm⁻² 980 nm pulse, 2 ms of emission at 400 output times;
(d) the same decay solved side by side by scipy's ``solve_ivp`` (BDF and LSODA) with a Python
    right-hand side (the numpy reference of the kernel's) at the same relative tolerance
    (rtol 1e-4; atol 1e-12 for scipy, 1e-16 for ours, which is stricter); each one's largest
    error in the 475 nm line against LSODA at rtol 1e-10; the ratio is scipy's time over ours.
"""

from __future__ import annotations

import time

import numpy as np
from _machine import best_of, print_machine
from scipy.integrate import solve_ivp

from lnhet_widgets.core.optics import (
    Pulse,
    TransferParams,
    dynamics,
    power_dependence,
    rate_system,
    steady_state,
)
from lnhet_widgets.core.optics import _transfer_kernel as kernel
from lnhet_widgets.core.optics.transfer_solvers import _result


def _scipy_decay(params, pulse, t, method, rtol):
    system = rate_system(params, pulse.excitation_nm)
    lin = system.lin
    with_pump = (np.concatenate((lin[0], system.pump[0])), np.concatenate((lin[1], system.pump[1])),
                 np.concatenate((lin[2], system.pump[2] * pulse.power_w_cm2)))

    def rhs(time_s, y):
        terms = with_pump if time_s < pulse.duration_s else lin
        return kernel.rhs_numpy(y, *terms, *system.pair)

    first = solve_ivp(rhs, (0, pulse.duration_s), system.ground_state(), method=method,
                      rtol=rtol, atol=1e-12)
    rest = solve_ivp(rhs, (pulse.duration_s, t[-1]), first.y[:, -1], method=method,
                     t_eval=t[t >= pulse.duration_s], rtol=rtol, atol=1e-12)
    return rest, first.nfev + rest.nfev


def main():
    print_machine()
    bare, hetero = TransferParams(), TransferParams(perovskite_edge_nm=16.7)

    start = time.perf_counter()
    steady_state(bare, excitation_nm=980, power_w_cm2=10.0)
    dynamics(bare, pulse=Pulse(980, 10.0, 1e-6), t_eval=np.linspace(0, 1e-4, 5))
    first = time.perf_counter() - start
    print(f"\n(a) first calls in this process (compile or cache load, geometry): {first:.2f} s")
    steady_state(hetero, excitation_nm=980, power_w_cm2=10.0)
    for name, params in (("bare LnNP40", bare), ("LnNP40@CsPbBr3", hetero)):
        wall, cpu, result = best_of(
            lambda p=params: steady_state(p, excitation_nm=980, power_w_cm2=100.0), 20)
        print(f"    steady state, {name} ({result.state.shape[1]} populations): "
              f"{wall * 1e3:.2f} ms (CPU {cpu * 1e3:.2f} ms); target ≤ 1 ms")

    powers = np.logspace(-2, 6, 50)
    wall, cpu, _ = best_of(lambda: power_dependence(hetero, powers), 3)
    print(f"\n(b) 50-point power sweep, LnNP40@CsPbBr3: {wall * 1e3:.1f} ms "
          f"({wall / 50 * 1e3:.2f} ms per power)")

    pulse, t = Pulse(980, 1e3, 10e-6), np.linspace(0, 2e-3, 400)
    wall, cpu, ours = best_of(lambda: dynamics(bare, pulse=pulse, t_eval=t), 5)
    print(f"\n(c) decay after a 10 µs pulse, bare LnNP40, 400 times over 2 ms: "
          f"{wall * 1e3:.2f} ms (CPU {cpu * 1e3:.2f} ms)")

    print("\n(d) the same decay, ours and scipy solve_ivp with a Python right-hand side:")
    keep = t >= pulse.duration_s
    system = rate_system(bare, 980.0)
    exact = _result(system, _scipy_decay(bare, pulse, t, "LSODA", 1e-10)[0].y.T,
                    pulse.power_w_cm2, t[keep]).lines[475.0]

    def error(line):
        return np.max(np.abs(line - exact)) / np.max(exact)

    print(f"    ours (Rodas3, rtol 1e-4): {wall * 1e3:6.1f} ms; max error of the 475 nm line "
          f"{error(ours.lines[475.0][keep]):.1e} of its peak (against LSODA at rtol 1e-10)")
    for method in ("BDF", "LSODA"):
        wall_s, _, (sol, nfev) = best_of(lambda m=method: _scipy_decay(bare, pulse, t, m, 1e-4),
                                         3)
        theirs = _result(system, sol.y.T, pulse.power_w_cm2, sol.t).lines[475.0]
        print(f"    {method:6s} (rtol 1e-4): {wall_s * 1e3:8.1f} ms, {nfev} RHS calls; "
              f"ratio scipy/ours {wall_s / wall:5.1f}×; max error {error(theirs):.1e}")

if __name__ == "__main__":
    main()
