"""How the per-ion model's two constants were fixed (SCIENCE §11: at most two new constants),
each by one of E1's lifetimes on the ions tests/test_ions_targets.py takes (P1's LnNP40,
β-NaGd0.79F4:Yb0.2,Tm0.01, 7.6 nm, seed 0), measured as that file measures them:

1. Yb→Yb migration strength (``TransferParams.yb_migration_a6_s``) by the bare LnNP40
   (P1: 43 µs). The bare core has no perovskite, so ℓ does not enter; the lifetime falls
   monotonically with migration (it carries the centre's excitation to the surface).
2. Coupling length ℓ (``ions.perovskite.COUPLING_LENGTH_NM``) by LnNP40@CsPbBr3 (P1: 34 µs),
   with the migration of step 1 as rounded. The lifetime rises as ℓ shrinks (the interface's
   coupling concentrated on fewer, outer ions that migration must feed).

Each is Brent's root of lifetime − target in log(constant), rounded to two significant
figures; the defaults are those rounded roots. Run (≈ 2 min):

    .venv/bin/python tests/calibrate_ions.py

Output of the run that set the defaults (2026-12-05; each line a lifetime at a trial value):

    migration (bare LnNP40, P1 43 µs):
        1e+10: 50.40 µs, 1e+11: 40.13, 5.253e+10: 41.38, 2.646e+10: 43.77, 3.299e+10: 42.84,
        3.179e+10: 42.99, 3.17e+10: 43.00, 3.173e+10: 43.00
    migration 3.2e+10 s⁻¹ Å⁶ (root 3.17e+10): bare LnNP40 42.96 µs
    coupling length (LnNP40@CsPbBr3, P1 34 µs):
        0.1: 35.02 µs, 3: 31.50, 0.2675: 33.11, 0.1689: 33.89, 0.1595: 34.00, 0.1597: 34.00
    coupling length 0.16 nm (root 0.1597): LnNP40@CsPbBr3 34.00 µs
"""

from __future__ import annotations

import dataclasses
import math

from scipy.optimize import brentq
from test_ions_targets import LNNP40, LNNP40_CSPBBR3, e1_lattice, yb_lifetime_us


def _two_figures(x: float) -> float:
    return float(f"{x:.2g}")


def calibrate(lifetime_us, target_us: float, lo: float, hi: float) -> float:
    """The constant in [lo, hi] whose lifetime is ``target_us``: Brent in log(constant)."""
    def miss(log_x):
        tau = lifetime_us(math.exp(log_x))
        print(f"    {math.exp(log_x):.4g}: {tau:.2f} µs", flush=True)
        return tau - target_us

    return math.exp(brentq(miss, math.log(lo), math.log(hi), xtol=2e-3))


def main():
    lattice = e1_lattice()
    print("migration (bare LnNP40, P1 43 µs):")
    root = calibrate(lambda m: yb_lifetime_us(
        dataclasses.replace(LNNP40, yb_migration_a6_s=m), lattice), 43.0, 1e10, 1e11)
    migration = _two_figures(root)
    bare = dataclasses.replace(LNNP40, yb_migration_a6_s=migration)
    print(f"migration {migration:.2g} s⁻¹ Å⁶ (root {root:.4g}): bare LnNP40 "
          f"{yb_lifetime_us(bare, lattice):.2f} µs")

    hetero = dataclasses.replace(LNNP40_CSPBBR3, yb_migration_a6_s=migration)
    print("coupling length (LnNP40@CsPbBr3, P1 34 µs):")
    root = calibrate(lambda ell: yb_lifetime_us(hetero, lattice, coupling_length_nm=ell),
                     34.0, 0.1, 3.0)
    ell = _two_figures(root)
    print(f"coupling length {ell:.2g} nm (root {root:.4g}): LnNP40@CsPbBr3 "
          f"{yb_lifetime_us(hetero, lattice, coupling_length_nm=ell):.2f} µs")


if __name__ == "__main__":
    main()
