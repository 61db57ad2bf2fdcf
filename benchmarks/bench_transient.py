"""Benchmark of the transient-absorption model (lnhet_widgets.core.optics.bleach).

Run with ``python benchmarks/bench_transient.py``. Prints the machine, then

(a) the first call in this process (numba compile or cache load);
(b) one ``bleach_kinetics`` call per P1 sample class at 23.1 µJ cm⁻² (0–30 ns, 751 delays),
    best of 5, split into the master equation (the numba kernel over the trap classes; target
    well under 50 ms) and the three-exponential fit (``fit_decay``, whose grid search of 2024
    lifetime triples dominates);
(c) the master equation by the numba kernel against the exact reference (dense generator,
    ``scipy.linalg.expm``): time of each, the ratio (reference over kernel) and the largest
    difference of the bleach relative to its maximum.
"""

from __future__ import annotations

import time

import numpy as np
from _machine import best_of, print_machine

from lnhet_widgets.core.analysis import fit_decay
from lnhet_widgets.core.optics import bleach as tr

FLUENCE_UJ_CM2 = 23.1


def main():
    print_machine()
    t = tr._DEFAULT_T_NS

    start = time.perf_counter()
    tr.bleach_kinetics(tr.P1_SAMPLES["pure"], fluence_uj_cm2=1.0)
    print(f"\n(a) first call in this process (compile or cache load): "
          f"{time.perf_counter() - start:.2f} s")

    print(f"\n(b) bleach_kinetics at {FLUENCE_UJ_CM2} µJ/cm², {t.size} delays, best of 5")
    for name, params in tr.P1_SAMPLES.items():
        _, mean_n, p0 = tr._initial_excitons(params, FLUENCE_UJ_CM2, 400.0)
        total, _, result = best_of(
            lambda p=params: tr.bleach_kinetics(p, fluence_uj_cm2=FLUENCE_UJ_CM2), 5)
        kinetics, _, (signal, _, _) = best_of(lambda p=params, q=p0: tr._ensemble(p, q, t), 5)
        fit, _, _ = best_of(lambda s=signal: fit_decay(t, s / s.max(), n_exp=3, weights=None), 5)
        print(f"    {name:6s} <N> = {mean_n:5.2f}, {p0.size:3d} levels: call {total * 1e3:6.1f} ms"
              f" = master equation {kinetics * 1e3:5.2f} ms + fit {fit * 1e3:6.1f} ms; "
              f"tau_avg {result.tau_avg_ns:.2f} ns")

    print("\n(c) master equation: numba kernel against the expm reference (same grid)")
    for name, params in tr.P1_SAMPLES.items():
        _, _, p0 = tr._initial_excitons(params, FLUENCE_UJ_CM2, 400.0)
        numba_s, _, ours = best_of(lambda p=params, q=p0: tr._ensemble(p, q, t), 5)
        ref_s, _, exact = best_of(lambda p=params, q=p0: tr._ensemble(
            p, q, t, integrate=tr._master_equation_reference), 2)
        error = np.abs(ours[0] - exact[0]).max() / exact[0].max()
        print(f"    {name:6s}: numba {numba_s * 1e3:6.2f} ms, reference {ref_s * 1e3:7.1f} ms: "
              f"{ref_s / numba_s:6.1f}x; largest bleach difference {error:.1e}")


if __name__ == "__main__":
    main()
