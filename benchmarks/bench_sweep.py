"""Benchmark of :func:`lnhet_widgets.core.sweeps.sweep` on one machine's executors.

Run with ``python benchmarks/bench_sweep.py [grid]`` (default grid 30; needs the
``distributed`` extra). Prints the machine, then

(a) a grid × grid growth sweep (core diameter 3–16 nm × temperature 180–260 °C, P1's recipe
    with the default 1500 simulated cores per cell, ~80 ms each) run serially (a plain loop of
    ``simulate_growth``), on 2 threads (``ThreadPoolExecutor``, the local default for growth:
    its kernel releases the GIL), on 2 local worker processes (``ProcessPoolExecutor``) and on
    a 2-worker ``dask.distributed.LocalCluster``; the speed-up over the loop (target ≥ 1.8× on
    2 cores) and whether the Datasets are identical (same seed, same numbers);
(b) the per-cell overhead of each executor: a 20 × 20 sweep of tiny cells (10 cores of
    12–13 nm at 245–250 °C, a few ms each) on each, as worker-ms per cell beyond the loop's
    time per cell (wall time × workers / cells − loop time / cells).

Each executor is warmed up first (numba loads its kernels from the cache once per worker), and
that first call is printed too. The whole run takes 3–4 minutes on 2 quiet cores.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
from _machine import print_machine

from lnhet_widgets.core.growth import GrowthParams, simulate_growth
from lnhet_widgets.core.sweeps import sweep

WORKERS = 2
# GrowthParams' default sample: cells of ~80 ms, long enough that a Dask task's few ms of
# overhead leave the speed-up near the number of workers (the lab's 300-core cells: ~45 ms).
CORES_PER_CELL = 1500
OUTPUTS = ("coated_fraction",)


def loop_s(params: GrowthParams, grid: dict) -> tuple[float, np.ndarray]:
    """Wall seconds of a plain loop over the grid's cells, and its coated fractions."""
    (d_name, diameters), (t_name, temperatures) = grid.items()
    values = np.empty((len(diameters), len(temperatures)))
    start = time.perf_counter()
    for i, d in enumerate(diameters):
        for j, t in enumerate(temperatures):
            cell = dataclasses.replace(params, **{d_name: float(d), t_name: float(t)})
            values[i, j] = simulate_growth(cell, seed=0).coated_fraction
    return time.perf_counter() - start, values


def sweep_s(params: GrowthParams, grid: dict, executor) -> tuple[float, object]:
    """Wall seconds of ``sweep`` on ``executor``, and its Dataset."""
    start = time.perf_counter()
    ds = sweep("growth", params, grid, outputs=OUTPUTS, executor=executor, progress=False)
    return time.perf_counter() - start, ds


def main(size: int = 30) -> None:
    from dask.distributed import Client, LocalCluster

    print_machine()
    params = GrowthParams(simulated_cores=CORES_PER_CELL)
    grid = {"core_diameter_nm": np.linspace(3.0, 16.0, size),
            "temperature_c": np.linspace(180.0, 260.0, size)}
    short = dataclasses.replace(params, simulated_cores=10)
    short_grid = {"core_diameter_nm": np.linspace(12.0, 13.0, 20),
                  "temperature_c": np.linspace(245.0, 250.0, 20)}
    warm_grid = {"core_diameter_nm": [4.0, 6.0, 8.0, 10.0], "temperature_c": [220.0]}
    cells, short_cells = size * size, 400

    simulate_growth(GrowthParams(simulated_cores=10), seed=0)  # load the kernels here
    serial_s, serial = loop_s(params, grid)
    short_loop_s, _ = loop_s(short, short_grid)
    per_cell_s = short_loop_s / short_cells
    print(f"\n(a) {size} x {size} growth sweep, {CORES_PER_CELL} cores per cell, seed 0")
    print(f"    {'serial loop of simulate_growth':42s} {serial_s:6.1f} s "
          f"({serial_s / cells * 1e3:.0f} ms per cell)")

    rows = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # the local default for growth
        rows.append(run_executor(f"{WORKERS} threads (ThreadPoolExecutor, the default)", pool,
                                 params, grid, short, short_grid, warm_grid))
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        rows.append(run_executor(f"{WORKERS} local processes (ProcessPoolExecutor)", pool,
                                 params, grid, short, short_grid, warm_grid))
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        rows.append(run_executor(f"{WORKERS}-worker dask LocalCluster", client,
                                 params, grid, short, short_grid, warm_grid))
    for name, warm_s, wall_s, ds, _ in rows:
        same = np.array_equal(ds["coated_fraction"].values[..., 0], serial, equal_nan=True)
        print(f"    {name:42s} {wall_s:6.1f} s: {serial_s / wall_s:.2f}x the loop "
              f"(first call {warm_s:.1f} s); same values as the loop: {same}")
    first = rows[0][3]
    print("    identical Datasets on every executor: "
          f"{all(first.identical(row[3]) for row in rows[1:])}")

    print(f"\n(b) per-cell overhead: {short_cells} tiny cells (10 cores, 12–13 nm, 245–250 °C), "
          f"loop {per_cell_s * 1e3:.2f} ms per cell")
    for name, _, _, _, short_wall_s in rows:
        overhead = short_wall_s * WORKERS / short_cells - per_cell_s
        print(f"    {name:42s} {short_wall_s:5.2f} s: {short_wall_s / short_cells * 1e3:5.2f} "
              f"ms per cell, overhead {overhead * 1e3:5.2f} worker-ms per cell")


def run_executor(name, executor, params, grid, short, short_grid, warm_grid):
    """Warm ``executor`` up, then time the sweep and the short-cell sweep on it."""
    warm_s, _ = sweep_s(params, warm_grid, executor)
    wall_s, ds = sweep_s(params, grid, executor)
    short_wall_s, _ = sweep_s(short, short_grid, executor)
    return name, warm_s, wall_s, ds, short_wall_s


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
