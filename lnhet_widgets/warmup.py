"""Compile every numba kernel once, so that the first lab a student opens does not wait.

Run as ``python -m lnhet_widgets.warmup`` (``binder/postBuild`` does, with
``NUMBA_CPU_NAME=generic`` and a fixed ``NUMBA_CACHE_DIR``); the compiled kernels land in the
numba cache and every later process loads them from there.
"""

from __future__ import annotations

import time

import numpy as np


def warm_up() -> dict[str, float]:
    """Call each numba-backed model on a tiny input; return seconds spent per model.

    Examples
    --------
    >>> sorted(warm_up())
    ['anneal', 'bleach_kinetics', 'debye_pattern', 'rate_equations', 'simulate_growth']
    """
    from .core.annealing import AnnealParams, anneal
    from .core.crystal import build_heterostructure, debye_pattern
    from .core.growth import GrowthParams, simulate_growth
    from .core.optics import (
        P1_SAMPLES,
        Pulse,
        TransferParams,
        bleach_kinetics,
        dynamics,
        steady_state,
    )

    timings = {}
    start = time.perf_counter()
    tiny = build_heterostructure("alpha-NaYF4", 1.5, "CsPbBr3", 3.0, strain=False)
    debye_pattern(tiny, np.linspace(10.0, 60.0, 51))
    timings["debye_pattern"] = time.perf_counter() - start
    start = time.perf_counter()
    simulate_growth(GrowthParams(simulated_cores=20, time_s=1.0), seed=0)
    timings["simulate_growth"] = time.perf_counter() - start
    start = time.perf_counter()
    small = TransferParams(core_diameter_nm=3.0)
    steady_state(small, excitation_nm=980, power_w_cm2=1.0)
    dynamics(small, pulse=Pulse(980, 1.0, 1e-6), t_eval=np.linspace(0, 1e-5, 3))
    timings["rate_equations"] = time.perf_counter() - start
    start = time.perf_counter()
    bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=1.0)
    timings["bleach_kinetics"] = time.perf_counter() - start
    start = time.perf_counter()
    anneal(AnnealParams(core_diameter_nm=2.0, shell_thickness_nm=0.5), steps=2,
           snapshots=(0, 2))
    timings["anneal"] = time.perf_counter() - start
    return timings


if __name__ == "__main__":
    for name, seconds in warm_up().items():
        print(f"compiled {name} in {seconds:.1f} s")
