"""Benchmark of the Debye-equation XRD (lnhet_widgets.core.crystal.debye_pattern).

Run with ``python benchmarks/bench_xrd.py``. Prints the machine, then

(a) debye_pattern on P1's 17 nm β-NaGdF4:Yb,Tm@CsPbBr3 heterostructure (~1e5 atoms),
(b) debye_pattern against ASE's XrDebye on a 3.6 nm CsPbBr3 cube (1080 atoms),
(c) the numba pair histogram against its pure-numpy reference on the same cube.

All times are wall-clock seconds after a warm-up call (numba compilation excluded), best of a
few repeats; the CPU seconds of the process are shown beside them, and the load average at the
start, because a busy machine stretches wall time.
"""

from __future__ import annotations

import time

import numba
import numpy as np
from _machine import best_of, print_machine
from ase.utils.xrdebye import XrDebye

from lnhet_widgets.core.crystal import build_heterostructure, bulk, debye_pattern
from lnhet_widgets.core.crystal._debye_kernel import (
    pair_histogram,
    pair_histogram_reference,
    pair_index_matrix,
)

CU_KA = 1.5406


def finite(atoms):
    atoms.pbc = False
    return atoms


def main():
    warm = finite(bulk("CsPbBr3", supercell=(2, 2, 2)))
    debye_pattern(warm, np.linspace(10, 80, 11))  # compiles (or loads) the kernels
    print_machine()
    print(f"numba layer   {numba.threading_layer()}")

    two_theta = np.arange(10.0, 80.0, 0.02)
    start = time.perf_counter()
    hetero = build_heterostructure("beta-NaGdF4", 8.0, "CsPbBr3", 17.0,
                                   dopants={"Yb": 0.3, "Tm": 0.01})
    built = time.perf_counter() - start
    wall, cpu, _ = best_of(lambda: debye_pattern(hetero, two_theta), 1)
    print(f"\n(a) 17 nm heterostructure: {len(hetero)} atoms "
          f"({hetero.get_chemical_formula()}), built in {built:.2f} s")
    print(f"    debye_pattern, {len(two_theta)} angles: {wall:.1f} s (CPU {cpu:.1f} s)")

    cube = finite(bulk("CsPbBr3", supercell=(6, 6, 6)))
    coarse = np.arange(10.0, 80.0, 0.5)
    ours_s, ours_cpu, ours = best_of(lambda: debye_pattern(cube, coarse, damping_a2=0.04,
                                                 form_factors="z", angular_factor=None), 3)
    ase_s, _, ase_y = best_of(lambda: XrDebye(cube, wavelength=CU_KA, damping=0.04, method=None)
                           .calc_pattern(coarse), 1)
    deviation = np.max(np.abs(ours / ours.max() - ase_y / ase_y.max()))
    print(f"\n(b) {len(cube)}-atom CsPbBr3 cube, {len(coarse)} angles")
    print(f"    debye_pattern {ours_s:.3f} s (CPU {ours_cpu:.3f} s), ASE XrDebye {ase_s:.2f} s: "
          f"{ase_s / ours_s:.0f}x faster; max deviation of normalised curves {deviation:.1e}")

    species = np.unique(cube.get_chemical_symbols(), return_inverse=True)[1]
    n_bins = int(np.linalg.norm(np.ptp(cube.positions, axis=0)) / 0.01) + 2
    args = (cube.positions, species, pair_index_matrix(3), 100.0, n_bins)
    numba_s, numba_cpu, (counts, _) = best_of(lambda: pair_histogram(*args), 10)
    numpy_s, _, (ref_counts, _) = best_of(lambda: pair_histogram_reference(*args), 5)
    print(f"\n(c) pair histogram, same cube ({len(cube) * (len(cube) - 1) // 2} pairs)")
    print(f"    numba {numba_s * 1e3:.2f} ms (CPU {numba_cpu * 1e3:.2f} ms), "
          f"numpy reference {numpy_s * 1e3:.1f} ms: "
          f"{numpy_s / numba_s:.0f}x faster; counts equal: {np.array_equal(counts, ref_counts)}")


if __name__ == "__main__":
    main()
