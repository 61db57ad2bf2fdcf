"""Benchmark of the seeded-growth simulation (lnhet_widgets.core.growth).

Run with ``python benchmarks/bench_growth.py [grid]`` (default grid 30). Prints the machine, then

(a) the first call in this process (numba compile, or load from the cache) and one default
    simulation (P1's recipe, 1500 simulated cores) after it, best of 5; target ≤ 0.3 s;
(b) a grid × grid coating map (3–16 nm × 180–260 °C) with the default executor (one thread per
    core; the kernel releases the GIL), and the same map on one thread for the parallel
    speed-up; target for 30 × 30 on 2 cores ≤ 60 s;
(c) the two per-step functions of the kernel (growth law of every particle, shell nucleation
    rate of every bare core) against their pure-numpy references, at the sizes of a default
    run (~2000) and ten times more.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from _machine import best_of, print_machine

from lnhet_widgets.core.growth import GrowthParams, coating_map, simulate_growth
from lnhet_widgets.core.growth import _kernel as kernel


def main(grid: int = 30):
    print_machine()
    params = GrowthParams()

    start = time.perf_counter()
    simulate_growth(GrowthParams(simulated_cores=50), seed=0)
    first = time.perf_counter() - start
    wall, cpu, result = best_of(lambda: simulate_growth(params, seed=0), 5)
    print(f"\n(a) first call in this process (compile or cache load): {first:.2f} s")
    print(f"    default simulation ({params.simulated_cores} cores, {result.steps} steps): "
          f"{wall:.3f} s (CPU {cpu:.3f} s); coated {result.coated_fraction:.3f}")

    diameters = np.linspace(3.0, 16.0, grid)
    temperatures = np.linspace(180.0, 260.0, grid)
    start = time.perf_counter()
    parallel = coating_map(diameters, temperatures, params)
    parallel_s = time.perf_counter() - start
    print(f"\n(b) {grid} x {grid} coating map, default executor ({os.cpu_count()} threads): "
          f"{parallel_s:.1f} s ({parallel_s / grid**2 * 1e3:.0f} ms per cell); coated "
          f"fraction from {np.min(parallel.coated_fraction):.2f} to "
          f"{np.max(parallel.coated_fraction):.2f}")
    small = max(4, grid // 3)
    sub_d, sub_t = diameters[::grid // small][:small], temperatures[::grid // small][:small]
    with ThreadPoolExecutor(max_workers=1) as one:
        serial_s, _, serial = best_of(lambda: coating_map(sub_d, sub_t, params, executor=one), 1)
    threaded_s, _, threaded = best_of(lambda: coating_map(sub_d, sub_t, params), 1)
    print(f"    {small} x {small} sub-grid: one thread {serial_s:.1f} s, default executor "
          f"{threaded_s:.1f} s: {serial_s / threaded_s:.2f}x; identical maps: "
          f"{np.array_equal(serial.coated_fraction, threaded.coated_fraction)}")

    rng = np.random.default_rng(0)
    print("\n(c) the kernel's step functions against their pure-numpy references")
    for n in (2000, 20000):
        compare_step_functions(n, rng)


def compare_step_functions(n: int, rng: np.random.Generator) -> None:
    """Time the growth law and the shell-nucleation rates, numba against numpy, on n items."""
    p_vol = rng.uniform(1e-27, 1e-24, n)
    p_core = np.where(rng.random(n) < 0.3, rng.uniform(1e-26, 5e-25, n), 0.0)
    alive = rng.random(n) < 0.95
    args = (3e22, 6.8e-21, 2.1e-28, 0.05, 1e-5, 1e-9)
    out = (np.zeros(n), np.zeros(n), np.zeros(n))
    numba_s, _, _ = best_of(
        lambda: kernel.growth_coefficients(p_vol, p_core, alive, n, *args, *out), 50)
    numpy_s, _, ref = best_of(
        lambda: kernel.growth_coefficients_numpy(p_vol, p_core, alive, *args), 50)
    same = np.allclose(out[0], ref[0], rtol=1e-13)
    print(f"    growth law, {n:5d} particles: numba {numba_s * 1e6:6.0f} µs, numpy "
          f"{numpy_s * 1e6:6.0f} µs: {numpy_s / numba_s:4.1f}x; equal: {same}")
    radius = rng.uniform(1e-9, 8e-9, n)
    wetting = rng.uniform(-1.0, 1.0, n)
    host = np.where(rng.random(n) < 0.3, 0, -1)
    rate, factor = np.zeros(n), np.zeros(n)
    het = (radius, wetting, host, 1e-9, 35.0, 1e18)
    numba_s, _, _ = best_of(lambda: kernel.heterogeneous_rates(*het, rate, factor), 50)
    numpy_s, _, ref = best_of(lambda: kernel.heterogeneous_rates_numpy(*het), 50)
    same = np.allclose(rate, ref[0], rtol=1e-12)
    print(f"    shell nucleation, {n:5d} cores: numba {numba_s * 1e6:6.0f} µs, numpy "
          f"{numpy_s * 1e6:6.0f} µs: {numpy_s / numba_s:4.1f}x; equal: {same}")

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
