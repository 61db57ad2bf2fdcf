"""Benchmark of the annealing kinetic Monte Carlo (lnhet_widgets.core.annealing).

Run with ``python benchmarks/bench_anneal.py``. Prints the machine, then

(a) the first call in this process (numba compile, or load from the cache);
(b) vacancy-hop attempts per second of the numba kernel on one core, for a 10 nm particle
    (8 nm core, 1 nm shell, default vacancies; no docking, so the vacancy count stays fixed),
    5000 steps, best of 3, with and without the local-energy (bond) term; target ≥ 1e7 /s;
(c) the pure-numpy reference of the same move on the same particle and the ratio, and
    whether both reach the same state from the same seed;
(d) ``anneal`` of P2's particle (defaults) for 1000 steps with snapshots at 0/100/500/1000,
    without and with Y complexes, best of 5, and the kernel's share of it.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from _machine import best_of, print_machine

from lnhet_widgets.core.annealing import (
    SPECIES,
    AnnealParams,
    anneal,
    anneal_lattice,
)
from lnhet_widgets.core.annealing import _kernel as kernel
from lnhet_widgets.core.annealing.kinetics import _kinetics, _vacancy_escape
from lnhet_widgets.core.annealing.lattice import _initial_species, _regions

TEN_NM = AnnealParams(core_diameter_nm=8.0, shell_thickness_nm=1.0)


def kernel_arguments(params: AnnealParams, seed: int = 0) -> tuple:
    """A fresh initial state of ``params`` and the kernel's other arguments, before n_steps."""
    lattice = anneal_lattice(params)
    radius = np.linalg.norm(lattice.positions_nm, axis=1)
    region = _regions(params, radius)
    rng = np.random.default_rng(seed)
    species = _initial_species(params, region, radius < 0.5 * params.core_diameter_nm, rng)
    vacancies = rng.permutation(np.flatnonzero(species == kernel.VACANCY)).astype(np.int64)
    z_max = int(lattice.coordination.max())
    table, _, dock = _kinetics(params, z_max)
    dock_species = SPECIES.index(params.complex) if params.complex else 0
    return (species, vacancies, vacancies.size, lattice.nbr_ptr, lattice.nbr_idx, region,
            table, _vacancy_escape(params), params.bond_energy_ev > 0, z_max, dock,
            dock_species)


def attempts_per_second(run, params: AnnealParams, steps: int, repeats: int):
    """Best wall and CPU time of ``steps`` steps from a fresh state, and attempts per second."""
    def once():
        args = kernel_arguments(params)
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        run(*args, steps, np.random.default_rng(1))
        return time.perf_counter() - start_wall, time.process_time() - start_cpu, args
    results = [once() for _ in range(repeats)]
    wall, cpu, args = min(results, key=lambda r: r[0])
    return wall, cpu, args[2] * steps / wall, args


def main():
    print_machine()

    start = time.perf_counter()
    anneal(AnnealParams(core_diameter_nm=3.0, bond_energy_ev=0.01, complex="Y"), steps=2,
           snapshots=(0, 2))
    print(f"\n(a) first call in this process (compile or cache load): "
          f"{time.perf_counter() - start:.2f} s")

    lattice = anneal_lattice(TEN_NM)
    n_vac = kernel_arguments(TEN_NM)[2]
    print(f"\n(b) numba kernel, 10 nm particle: {lattice.positions_nm.shape[0]} sites, {n_vac} "
          f"vacancies, 5000 steps, best of 3")
    for label, params in (("no local term", TEN_NM),
                          ("bond term   ", dataclasses.replace(TEN_NM, bond_energy_ev=0.02))):
        wall, cpu, rate, _ = attempts_per_second(kernel.run_steps, params, 5000, 3)
        print(f"    {label}: {wall:.3f} s (CPU {cpu:.3f} s): {rate:.3g} attempts/s")

    print("\n(c) pure-numpy reference, same particle, 20 steps, best of 2")
    for label, params in (("no local term", TEN_NM),
                          ("bond term   ", dataclasses.replace(TEN_NM, bond_energy_ev=0.02))):
        _, _, fast, ours = attempts_per_second(kernel.run_steps, params, 20, 3)
        _, _, slow, theirs = attempts_per_second(kernel.run_steps_numpy, params, 20, 2)
        same = np.array_equal(ours[0], theirs[0])
        print(f"    {label}: numpy {slow:.3g} attempts/s, numba {fast:.3g}: "
              f"{fast / slow:.0f}x; same state: {same}")

    print("\n(d) anneal(), P2's particle, 1000 steps, snapshots 0/100/500/1000, best of 5")
    p2 = AnnealParams()
    n_sites, n_vac = anneal_lattice(p2).positions_nm.shape[0], kernel_arguments(p2)[2]
    for complex_ion in (None, "Y"):
        params = dataclasses.replace(p2, complex=complex_ion)
        wall, cpu, result = best_of(lambda p=params: anneal(p, steps=1000), 5)
        kernel_s, _, _, _ = attempts_per_second(kernel.run_steps, params, 1000, 5)
        print(f"    complex {complex_ion!s:4s}: {wall:.3f} s (CPU {cpu:.3f} s), of which the "
              f"kernel {kernel_s * 1e3:.1f} ms; {n_sites} sites, {n_vac} vacancies at the start, "
              f"{result.vacancy_count[-1]} at the end; 1000 steps = "
              f"{1000 * result.time_per_step_s / 60:.0f} min at 300 °C")


if __name__ == "__main__":
    main()
