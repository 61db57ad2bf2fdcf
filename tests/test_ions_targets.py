"""The papers' targets with the per-ion model (SCIENCE §11): E1 (P1's Yb³⁺ lifetimes with and
without the perovskite shell), A3 and A6 (P2's annealed core–shell particles), computed from
the average model's parameter set plus the per-ion model's two constants, under the papers'
conditions. The two constants are fixed by E1 (tests/calibrate_ions.py): the Yb→Yb migration
(``TransferParams.yb_migration_a6_s``) by the bare LnNP40's 43 µs, the coupling length ℓ
(``ions.perovskite.COUPLING_LENGTH_NM``) by LnNP40@CsPbBr3's 34 µs. Targets the model misses
are strict xfails that print the computed values (SCIENCE: "Honest misses")."""

import functools

import numpy as np
import pytest

from lnhet_widgets.core.annealing import P2_TRANSFER, AnnealParams, anneal
from lnhet_widgets.core.annealing.optics import TM_PULSE_S, fitted_450_lifetime_ms
from lnhet_widgets.core.conditions import P2_POWER_W_CM2
from lnhet_widgets.core.ions import IonLattice, ion_dynamics
from lnhet_widgets.core.optics import Pulse, TransferParams

# ----------------------------------------------------------------------------- E1 (P1)
#: P1's LnNP40 (β-NaGd0.79F4:Yb0.2,Tm0.01, 7.6 nm: TransferParams' defaults) and
#: LnNP40@CsPbBr3 (16.7 nm cube), as the average model's E1 test takes them.
LNNP40 = TransferParams()
LNNP40_CSPBBR3 = TransferParams(perovskite_edge_nm=16.7)


def yb_lifetime_us(params, lattice, **options):
    """The Yb³⁺ 980 nm lifetime as the average model's ``yb_lifetime_us`` measures it: the
    decay after a weak 1 µs pulse (1 W cm⁻²), one exponential fitted from 2 to 400 µs.
    ``options`` go to :func:`ion_dynamics` (tests/calibrate_ions.py varies ℓ)."""
    t = np.linspace(0.0, 400e-6, 401)
    decay = ion_dynamics(params, lattice, pulse=Pulse(980.0, 1.0, 1e-6), t_eval=t, **options)
    return float(decay.decay_fit(980.0, n_exp=1, after_s=2e-6).lifetimes[0])


def e1_lattice():
    """P1's LnNP40, seed 0: the ions both E1 particles share."""
    return IonLattice.from_params(LNNP40, seed=0)


@functools.cache
def e1_lifetimes_us():
    """(bare LnNP40, LnNP40@CsPbBr3) Yb³⁺ lifetimes, µs: the same ions without and with the
    shell."""
    lattice = e1_lattice()
    return yb_lifetime_us(LNNP40, lattice), yb_lifetime_us(LNNP40_CSPBBR3, lattice)


def test_the_per_ion_constants_are_e1s_calibration():
    """The defaults are tests/calibrate_ions.py's rounded roots (43.0 and 34.0 µs on these
    ions); a change of the rate constants or of the lattice that moves them fails here: then
    run that script again and set the defaults it prints."""
    tau_d, tau_da = e1_lifetimes_us()
    assert tau_d == pytest.approx(43, abs=0.5) and tau_da == pytest.approx(34, abs=0.5)


def test_e1_heterostructure_yb_lifetime_is_34_us():
    tau_da = e1_lifetimes_us()[1]
    print(f"E1: LnNP40@CsPbBr3 Yb³⁺ lifetime, per-ion model {tau_da:.1f} µs (P1 34 ± 4)")
    assert tau_da == pytest.approx(34, abs=4)


def test_e1_bare_core_yb_lifetime_is_43_us():
    tau_d = e1_lifetimes_us()[0]
    print(f"E1: bare LnNP40 Yb³⁺ lifetime, per-ion model {tau_d:.1f} µs (P1 43 ± 5)")
    assert tau_d == pytest.approx(43, abs=5)


def test_e1_transfer_efficiency_is_0_21():
    tau_d, tau_da = e1_lifetimes_us()
    eta = 1 - tau_da / tau_d
    print(f"E1: η = 1 − τ_DA/τ_D = 1 − {tau_da:.1f}/{tau_d:.1f} = {eta:.2f} (P1 0.21)")
    assert eta == pytest.approx(0.21, abs=0.05)


# ----------------------------------------------------------------------------- A3, A6 (P2)
# P2's particles as the average model's A3–A6 tests take them (tests/test_annealing.py): the
# snapshots of AnnealParams' anneals (1000 steps, ≈ 1 h at 300 °C), one particle per seed,
# measured by AnnealResult.optical_per_ion at its defaults: P2_TRANSFER's rate constants,
# 980 nm and 4 W cm⁻², the 450 nm decay after the 20 µs pulse fitted as P2 does (one
# exponential from the maximum after the pulse). Steady-state lines are means over seeds 0–3,
# as the average model's; the 450 nm decay is seed 0's (one particle's decay takes 10–15 s
# here; seeds 0 and 1 together give 0.169 and 0.460 ms, ratio 2.72, within 6 % of seed 0's).
#
# The per-ion model meets A3's gain and docked lifetime and A6, and misses the pristine
# lifetime and with it the ratio, as the average model does (its A3 tests): with the Yb→Yb
# migration E1 fixes (R₀ ≈ 2.1 nm) the Yb³⁺ of a particle share their excitation nearly as the
# average model's single pool, and the 450 nm decay follows the Yb³⁺ that feed it. Intensity
# and lifetime still scale differently: the gain ×207 goes with the lifetime ratio 2.44 as
# τ^6.0 (P2: τ^3.4; the average model: τ^5.5). With simetuc's example migration (4.2e7,
# 760× slower) the centre's ions carry the 450 nm emission instead and miss the other way:
# gain ×23, lifetimes 0.36 and 1.02 ms (ratio 2.8), A6 ×14.5 (and E1's bare core 116 µs).
P2_CASES = {"pristine": (AnnealParams(), 0), "Y": (AnnealParams(complex="Y"), -1),
            "core only": (AnnealParams(shell_thickness_nm=0.0), 0)}
STEADY_SEEDS = range(4)
DECAY_SEEDS = range(1)


@functools.cache
def p2_anneal(name, seed):
    """The anneal of one of P2's particles, and the index of the case's snapshot."""
    params, snapshot = P2_CASES[name]
    return anneal(params, steps=1000, snapshots=(0, 1000), seed=seed), snapshot


@functools.cache
def p2_optics(name, seed, *, decay):
    """The per-ion optics of one of P2's particles (the decay too if ``decay``)."""
    result, snapshot = p2_anneal(name, seed)
    return result.optical_per_ion(snapshot, decay=decay)


@functools.cache
def line_450(name):
    """Mean 450 nm line of the case over STEADY_SEEDS, photons s⁻¹ per particle."""
    return float(np.mean([p2_optics(name, seed, decay=False).lines[450.0]
                          for seed in STEADY_SEEDS]))


@functools.cache
def lifetime_450_ms(name):
    """Tm 450 nm lifetime of the case's mean decay over DECAY_SEEDS, ms."""
    every = [p2_optics(name, seed, decay=True) for seed in DECAY_SEEDS]
    return fitted_450_lifetime_ms(every[0].decay_time_ms,
                                  np.mean([o.tm_450_decay for o in every], axis=0))


def test_a3_a6_run_at_p2s_conditions():
    assert P2_POWER_W_CM2 == 4.0 and TM_PULSE_S == 20e-6
    pristine = p2_optics("pristine", 0, decay=False)
    assert pristine.power_w_cm2 == P2_POWER_W_CM2
    result, snapshot = p2_anneal("pristine", 0)
    explicit = result.optical_per_ion(snapshot, power_w_cm2=P2_POWER_W_CM2,
                                      transfer=P2_TRANSFER, decay=False)
    assert explicit.lines == pristine.lines
    lattice = pristine.steady.lattice
    assert lattice.radius_nm == pytest.approx(AnnealParams().diameter_nm / 2)
    assert len(p2_optics("Y", 0, decay=False).steady.lattice.vacancies_nm) < len(
        lattice.vacancies_nm)


def test_a3_y_docking_brightens_450_nm():
    gain = line_450("Y") / line_450("pristine")
    print(f"A3 per-ion: Y docking ×{gain:.3g} at 450 nm (P2 116×, target 50–300×)")
    assert 50 <= gain <= 300


@pytest.mark.parametrize(("name", "target_ms"), [
    pytest.param("pristine", 0.10, marks=pytest.mark.xfail(strict=True, reason=(
        "per-ion model: the pristine Tm 450 nm lifetime is 0.179 ms, not 0.10 ms ± 25 %: the "
        "Yb³⁺, sharing their excitation by migration, feed ¹D2 as long as they live, and the "
        "pristine particle's Yb³⁺ decay in 0.187 ms (980 nm, seed 0); 0.10 ms needs them "
        "quenched twice as fast, and the vacancies' quenching is fixed by the average model "
        "(whose pool gives 0.18 ms as well)"))),
    ("Y", 0.41)])
def test_a3_450_nm_lifetime(name, target_ms):
    lifetime = lifetime_450_ms(name)
    print(f"A3 per-ion: {name} Tm 450 nm lifetime {lifetime:.3f} ms (P2 {target_ms} ms ± 25 %)")
    assert lifetime == pytest.approx(target_ms, rel=0.25)


@pytest.mark.xfail(strict=True, reason=(
    "per-ion model: docking lengthens the 450 nm lifetime 2.44-fold (0.179 → 0.438 ms), not "
    "≥ 3 (P2 4.1): the docked lifetime is met, the pristine one is 1.8× too long (see "
    "test_a3_450_nm_lifetime[pristine])"))
def test_a3_docking_lengthens_the_lifetime_at_least_threefold():
    ratio = lifetime_450_ms("Y") / lifetime_450_ms("pristine")
    print(f"A3 per-ion: docked/pristine lifetime {ratio:.2f} (P2 4.1, target ≥ 3)")
    assert ratio >= 3


def test_a6_a_1_nm_shell_brightens_the_core_about_1800_fold():
    ratio = line_450("pristine") / line_450("core only")
    print(f"A6 per-ion: pristine core–shell / core only ×{ratio:.3g} at 450 nm (1800 within 3×)")
    assert 1800 / 3 <= ratio <= 1800 * 3
