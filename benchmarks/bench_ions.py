"""Benchmark of the per-ion model (lnhet_widgets.core.ions, SCIENCE §11).

Run with ``python benchmarks/bench_ions.py [--simetuc VENV] [--skip-large] [--keep DIR]``.
Prints the machine, then

(a) simetuc's own problem: its β-NaYF4:Yb,Tm example (tests/data/simetuc/config_file_Yb_Tm.cfg,
    Yb 5 %, Tm 0.5 %) at N_uc = 30 under its NIR_980 excitation taken CW (1e7 W cm⁻², the
    file's power; its t_pulse removed), about 6,000 states. With ``--simetuc VENV`` (the venv
    of ../shared/tools/simetuc-venv.sh) simetuc generates the lattice and solves the steady
    state in a child process (time and peak RSS), then the per-ion model solves the very same
    lattice file; both populations are printed with their ratio, and the speed-up. Without it
    the lattice is drawn here the way simetuc draws it and only the per-ion model runs (said
    so in the output);
(b) the numba assembly of the Jacobian (values on the pattern, conserved rows) and of the
    right-hand side against the scipy/numpy references of the same step, on (a)'s system;
(c) about 1e5 states: a 30 nm β-NaGdF4:Yb0.2,Tm0.02 particle (≈ 37k Yb, 3.7k Tm), steady state
    at 4 W cm⁻² (P2's conditions), in a child process: wall time and peak RSS. (A 20 nm
    particle holds 1e5 states only at ≈ 80 % Yb, whose 25 M pair terms within 2 nm the
    memory check refuses on a 2 GB budget.)

The per-ion model keeps pairs within d_max_nm = 2 nm (the default); simetuc 1.8.2 keeps every
pair (its d_max is parsed but unused), so the populations differ by the r⁻⁶ tail beyond 2 nm.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
from _machine import best_of, print_machine

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tests" / "data" / "simetuc" / "config_file_Yb_Tm.cfg"
N_UC = 30
D_MAX_NM = 2.0

_SIMETUC_CHILD = textwrap.dedent("""
    import json, sys, time, warnings
    warnings.simplefilter("ignore")
    from simetuc import lattice, settings, simulations
    config, path = sys.argv[1], sys.argv[2]
    cte = settings.load(config)
    cte["no_console"] = True
    cte["no_plot"] = True
    start = time.perf_counter()
    lattice.generate(cte, full_path=path)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    sol = simulations.Simulations(cte, full_path=path).simulate_steady_state()
    solved = time.perf_counter() - start
    print(json.dumps({"lattice_s": generated, "steady_state_s": solved,
                      "states": int(cte.states["energy_states"]),
                      "labels": list(sol.state_labels),
                      "populations": [float(v) for v in sol.steady_state_populations]}))
""")

_LARGE_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from lnhet_widgets.core.ions import IonLattice, solve_ions
    from lnhet_widgets.core.optics import TransferParams
    params = TransferParams(core_diameter_nm=30.0, yb_fraction=0.2, tm_fraction=0.02)
    start = time.perf_counter()
    lattice = IonLattice.from_params(params, seed=0)
    built = time.perf_counter() - start
    start = time.perf_counter()
    result = solve_ions(params, lattice, power_w_cm2=4.0)
    solved = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps({"yb": lattice.count("Yb"), "tm": lattice.count("Tm"),
                      "states": result.system.size, "pair_terms": int(result.system.pair[0].size),
                      "lattice_s": built, "solve_s": solved, "peak_gib": peak,
                      "factorisations": result.factorisations,
                      "yb_es": float(result.mean_per_ion["Yb_ES"])}))
""")


def cw_config(directory: Path) -> Path:
    """simetuc's example at N_uc = 30 with its active NIR_980 excitation taken CW."""
    text = CONFIG.read_text()
    for old, new in (("    N_uc: 15\n", f"    N_uc: {N_UC}\n"),
                     ("        power_dens: 1e7\n        t_pulse: 1e-8\n",
                      "        power_dens: 1e7\n")):
        if old not in text:
            raise RuntimeError(f"{CONFIG} changed: {old!r} not found")
        text = text.replace(old, new, 1)
    path = directory / "config_cw_30uc.cfg"
    path.write_text(text)
    return path


def simetuc_like_box(n_uc: int, s_percent: float, a_percent: float, seed: int):
    """The lattice simetuc draws for its β-NaYF4 example: sites (0, 0, 0) (occupancy 1) and
    (2/3, 1/3, 1/2) (occupancy 1/2) of the hexagonal cell a = 5.9738, c = 3.5297 Å, each doped
    with probability S + A, as S with probability S / (S + A); periodic box of n_uc³ cells."""
    from lnhet_widgets.core.ions import IonLattice

    rng = np.random.default_rng(seed)
    a, c = 0.59738, 0.35297
    cell = np.array([[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c]])
    grid = np.array(np.meshgrid(*[np.arange(n_uc)] * 3, indexing="ij")).reshape(3, -1).T
    half_filled = grid + np.array([2 / 3, 1 / 3, 1 / 2])
    frac = np.concatenate((grid, half_filled[rng.random(len(grid)) < 0.5]))
    doped = rng.random(len(frac)) < (s_percent + a_percent) / 100
    sensitizer = rng.random(doped.sum()) < s_percent / (s_percent + a_percent)
    positions = frac[doped] @ cell
    species = np.where(sensitizer, "Yb", "Tm")
    return IonLattice(positions, species, np.full(len(species), "box"),
                      site_percent={"Yb": s_percent, "Tm": a_percent}, cell_nm=cell * n_uc)


def run_simetuc(venv: Path, config: Path, lattice_path: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([str(venv / "bin" / "python"), "-c", _SIMETUC_CHILD, str(config),
                          str(lattice_path)], capture_output=True, text=True, check=True)
    numbers = json.loads(out.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    numbers["peak_gib"] = max(peak, before) / 2**20
    return numbers


def section_a(args):
    from lnhet_widgets.core.ions import read_simetuc_lattice, solve_ions
    from lnhet_widgets.core.optics import read_simetuc_config

    print(f"\n(a) simetuc's example at N_uc = {N_UC} (CW 980 nm, 1e7 W/cm²)")
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep:  # the configuration and simetuc's lattice stay there
            tmp = args.keep
            Path(tmp).mkdir(parents=True, exist_ok=True)
        config = cw_config(Path(tmp))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # 3P0, coop, zero strengths dropped
            params = read_simetuc_config(config, for_ions=True)
        simetuc = None
        if args.simetuc:
            lattice_path = Path(tmp) / "latticeData" / "bNaYF4" / "data_30uc_5.0S_0.5A.hdf5"
            simetuc = run_simetuc(Path(args.simetuc), config, lattice_path)
            lattice = read_simetuc_lattice(lattice_path, config=config)
            print(f"  simetuc 1.8.2: {simetuc['states']} states; lattice generated in "
                  f"{simetuc['lattice_s']:.1f} s, steady state {simetuc['steady_state_s']:.1f} s,"
                  f" peak RSS {simetuc['peak_gib']:.2f} GiB")
        else:
            lattice = simetuc_like_box(N_UC, 5.0, 0.5, seed=0)
            print("  simetuc not run (no --simetuc VENV): the lattice is drawn here the way "
                  "simetuc draws it; per-ion model only")
        solve_ions(params, lattice, power_w_cm2=1.0, d_max_nm=D_MAX_NM)  # numba cache/compile
        wall, cpu, result = best_of(
            lambda: solve_ions(params, lattice, power_w_cm2=1e7, d_max_nm=D_MAX_NM), 2)
        system = result.system
        print(f"  per-ion model: {lattice.count('Yb')} Yb, {lattice.count('Tm')} Tm, "
              f"{system.size} states (simetuc counts 9 Tm levels: "
              f"{2 * lattice.count('Yb') + 9 * lattice.count('Tm')}), "
              f"{system.pair[0].size:,} pair terms within {D_MAX_NM} nm; steady state "
              f"{wall:.2f} s wall ({cpu:.2f} s CPU), {result.factorisations} LU "
              "factorisations over the continuation in power")
        ours = result.mean_populations
        if simetuc is not None:
            print(f"  speed-up (simetuc steady state / per-ion steady state): "
                  f"{simetuc['steady_state_s'] / wall:.0f}×")
            print(f"  {'level':8s} {'simetuc':>12s} {'per-ion':>12s} {'ratio':>9s}")
            for label, theirs in zip(simetuc["labels"], simetuc["populations"], strict=True):
                mine = ours.get(label)
                if mine is None:
                    print(f"  {label:8s} {theirs:12.4e} {'(no level)':>12s}")
                    continue
                ratio = f"{mine / theirs:9.5f}" if theirs > 0 else "      —"
                print(f"  {label:8s} {theirs:12.4e} {mine:12.4e} {ratio}")
        else:
            for label, value in ours.items():
                print(f"  {label:8s} {value:12.4e}")
    return params, lattice, system


def section_b(system):
    from scipy import sparse

    from lnhet_widgets.core.ions import _kernel as kernel
    from lnhet_widgets.core.ions.pattern import block_pattern, reduced_term_positions

    print("\n(b) assembly of one Newton step on (a)'s system (right-hand side and reduced "
          "Jacobian): numba vs the scipy/numpy reference")
    lin_from = np.concatenate((system.lin[0], system.pump[0]))
    lin_to = np.concatenate((system.lin[1], system.pump[1]))
    rates = np.concatenate((system.lin[2], system.pump[2] * 1e7))
    df, dt, af, at, wd, wa = system.pair
    start = time.perf_counter()
    blocks = block_pattern(*system.ion_pairs, system.block_end - system.offsets)
    lin_pos, lin_width, pair_pos, pair_width = reduced_term_positions(
        blocks, lin_from, lin_to, system.pair, *system.ion_pairs, system.pair_ions)
    print(f"  reduced Jacobian's block pattern and term positions (built once): "
          f"{blocks.nnz:,} non-zeros in {time.perf_counter() - start:.2f} s")
    y = np.random.default_rng(0).random(system.size) * 0.1

    def numba_step():
        f = kernel.rhs(y, lin_from, lin_to, rates, df, dt, af, at, wd, wa)
        data = kernel.reduced_values(y, blocks.nnz, lin_from, rates, lin_pos, lin_width, df,
                                     af, wd, wa, pair_pos, pair_width)
        return f, sparse.csr_matrix((data, blocks.indices, blocks.indptr),
                                    shape=(blocks.n, blocks.n))

    def reference_step():
        f = kernel.rhs_numpy(y, lin_from, lin_to, rates, df, dt, af, at, wd, wa)
        jac = kernel.jacobian_numpy(y, system.size, lin_from, lin_to, rates, df, dt, af, at, wd,
                                    wa)
        return f, kernel.reduced_jacobian_numpy(jac, system.offsets, system.block_end)

    numba_step()
    fast, _, ours = best_of(numba_step, 5)
    slow, _, reference = best_of(reference_step, 2)
    error = max(abs(ours[1] - reference[1]).max() / abs(reference[1]).max(),
                np.abs(ours[0] - reference[0]).max() / np.abs(reference[0]).max())
    print(f"  numba {fast * 1e3:.1f} ms, scipy/numpy {slow * 1e3:.1f} ms: {slow / fast:.1f}× "
          f"(largest difference {error:.1e} of the largest entry)")


def section_c():
    print("\n(c) about 1e5 states: 30 nm β-NaGdF4:Yb0.2,Tm0.02, steady state at 4 W/cm² "
          "(child process)")
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", _LARGE_CHILD], capture_output=True, text=True,
                         env=env)
    if out.returncode != 0:
        print("  failed:", out.stderr.strip().splitlines()[-1])
        return
    n = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {n['yb']} Yb, {n['tm']} Tm: {n['states']:,} states, {n['pair_terms']:,} pair "
          f"terms; lattice {n['lattice_s']:.1f} s, steady state {n['solve_s']:.1f} s "
          f"({n['factorisations']} LU factorisations), peak RSS {n['peak_gib']:.2f} GiB "
          f"(targets: ≤ 10 s, ≤ 2 GB); mean Yb ²F5/2 {n['yb_es']:.3e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simetuc", metavar="VENV",
                        help="simetuc venv (../shared/tools/simetuc-venv.sh) to run side by side")
    parser.add_argument("--skip-large", action="store_true", help="skip (c), the 1e5 states")
    parser.add_argument("--keep", metavar="DIR",
                        help="write (a)'s configuration and simetuc's lattice file to DIR")
    args = parser.parse_args()
    print_machine()
    _, _, system = section_a(args)
    section_b(system)
    if not args.skip_large:
        section_c()


if __name__ == "__main__":
    main()
