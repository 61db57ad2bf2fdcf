"""Ground-state-bleach kinetics of CsPbBr3 nanocrystals and LnNP@CsPbBr3 (SCIENCE §8): the
master equation (numba kernel and exact reference), the kinetics and their τ_avg against the
fluence, and P1's sample classes the model is calibrated on.

SCIENCE §8 (targets E2, E3 of §7). A pump pulse puts a Poisson number of excitons into every
perovskite nanocrystal; the ground-state bleach (GSB) follows them as they recombine, are
trapped by defects or, in Yb-doped heterostructures, transfer to the lanthanide core. The
bleach is fitted with P1's multi-exponential model (:func:`~lnhet_widgets.core.analysis.fit_decay`,
three exponentials, equal weights) and reported as the intensity-weighted τ_avg = Σ A t²/Σ A t.

The model of one nanocrystal, whose geometry, excitation and traps are described in
:mod:`~lnhet_widgets.core.optics.bleach_params`:

* **Master equation** for the probability P(n, c) of n band-edge excitons in a neutral
  (c = 0) or charged (c = 1) nanocrystal after the pulse, with per-nanocrystal rates:

  - radiative recombination n k_rad, transfer to the lanthanide core n k_Ln,
    k_Ln = C_Ln x_Yb A (interface defect states that hand the energy on to Yb³⁺, P1
    Fig. 2h), and capture of a lone exciton by any of the M traps, n M k_t; the trapped pair
    recombines without bleaching the band edge, and the trap is free again for the next
    (with k_t ≈ 1/100 ns it is rarely wanted twice in the window): (n, c) → (n − 1, c);
  - three-carrier (Auger) events at k_A(n) = k_XX n(n − 1)/2 (statistical pair counting),
    biexciton lifetime τ_XX = 1/k_XX ∝ V. In a neutral nanocrystal each event, with
    probability q = 1 − (1 − p_c)^M, puts one carrier into a trap while a third takes up the
    energy (Auger capture by deep centres, the dominant capture route at high carrier
    density; P. T. Landsberg, *Recombination in Semiconductors*, CUP 1991): the nanocrystal
    is charged, (n, 0) → (n − 1, 1); otherwise it recombines a pair, (n, c) → (n − 1, c);
  - beside the trapped carrier every exciton decays by trap-assisted Auger recombination,
    n k_TA, τ_TA = 1/k_TA ∝ V: (n, 1) → (n − 1, 1); the trapped carrier is released (the
    nanocrystal neutralised) at k_e = 1/τ_trap: (n, 1) → (n, 0).

  At low fluence a nanocrystal rarely holds two excitons and the bleach decays with the
  single-exciton rate k_rad + M k_t + k_Ln. At high fluence the Auger cascade charges the
  nanocrystals that hold traps, and the exciton that survives it decays faster: the
  lifetimes of all samples fall with the fluence ("due to Auger recombination", P1), most in
  a clean sample with a long single-exciton lifetime.
* **Bleach** ∝ ⟨min(n, g)⟩ (state filling): the band-edge absorption is bleached in
  proportion to the excitons that occupy it, up to the number of band-edge states g. In the
  strong-confinement limit g = 2 (the spin-degenerate 1S electron and hole levels); in a
  nanocrystal much larger than the exciton, excitons fill the band edge until they touch,
  g = V/V_X with V_X = 4πa_B³/3 (phase-space filling; a_B = 3.5 nm, half the 7 nm Bohr
  diameter of CsPbBr3, Protesescu et al., Nano Lett. 15, 3692 (2015)). Hence
  g = max(2, V/V_X). A trapped carrier's own bleach is left out (TA measures the change
  from the state before the pulse, and it holds one carrier against g states).
* **Numerics.** Ordered by n, then c, both downwards, every transition goes forward: the
  generator is triangular, and each implicit stage is one forward substitution. A numba
  kernel integrates with TR-BDF2 (second order, L-stable, conserves probability to rounding),
  steps growing by 25 % at most and bounded by 0.3/λ of the fastest state that still holds
  probability (the Auger cascade starts in the sub-ps range), landing on every output time.
  :func:`_master_equation_reference` is the exact solution, by :func:`scipy.linalg.expm` of
  the dense generator; the tests hold the kernel to it. The default output grid is 0–30 ns
  every 40 ps: the slowest decay (≈ 5 ns) falls to 0.3 %, so the fit's free offset cannot
  trade against the longest lifetime. No noise is added.

Calibration: one parameter set for all of P1's sample classes (:data:`P1_SAMPLES`); the
constants live in :mod:`~lnhet_widgets.core.optics.perovskite_constants` (one value per quantity,
shared with :mod:`~lnhet_widgets.core.optics.rate_equations`), except the Fig. 1j batch's trap
density, a property of that sample (:data:`FIG1J_BULK_TRAP_DENSITY_NM3`). Every target is a test in
``tests/test_transient.py``.

* Literature: σ/V = 1e-16 cm² nm⁻³ (SCIENCE §7), a_B = 3.5 nm (Protesescu 2015),
  τ_XX/V = 0.1 ps nm⁻³ (SCIENCE §8: 100 ps for a 10 nm cube), p_c = 0.9, trap lifetime
  100 ns (≫ the window), the α interface's factor 2 (fixed by E4 in
  :mod:`~lnhet_widgets.core.optics.rate_equations`).
* Fitted together, with a Nelder–Mead search, to E2 (pure, α, β at 23.1 µJ cm⁻²) and E3
  (inert and Fig. 1j's pure at 6.1 µJ cm⁻², both falling with the fluence): k_rad =
  1/5.4 ns; k_t = 1/150 ns per trap; ρ_ref = 7.8e-4 nm⁻³ for E2's batch (0.78 traps in its
  pure cube, PLQY 97 %) and 0.08 nm⁻³ for Fig. 1j's (80 traps, PLQY 26 %) at 180 °C;
  E_a = 1.65 eV (31× fewer bulk traps at 220 °C); ρ_i = 0.028 nm⁻² (1.2 traps on the inert
  3.7 nm core, 4.4 on a 7.1 nm β core, 9.1 on the 7.2 nm α core); τ_TA/V = 5.3 ps nm⁻³
  (5.3 ns in a 10 nm cube: a trapped carrier overlaps the exciton far less than a
  delocalised one, whose trion lifetime would be ≈ 4 τ_XX); C_Ln = 3.8e-3 ns⁻¹ nm⁻² (k_Ln =
  0.18 ns⁻¹ for x_Yb = 0.3 on a 7.1 nm core).

Computed with these defaults (targets in brackets; the doctest below computes them all):
E2 at 23.1 µJ cm⁻², pure / α / β = 3.14 / 1.46 / 1.42 ns (2.9 / 1.5 / 1.3 ± 15 %; P1's
order holds, α above β by 3 % where P1 has 15 %); E3 at 6.1 µJ cm⁻², inert / Fig. 1j's pure =
4.14 / 1.22 ns (4.1 / 1.2 ± 15 %). From 6.1 over 12.2 to 23.1 µJ cm⁻² the inert sample falls
4.14 → 3.43 → 2.40 ns, Fig. 1j's pure 1.22 → 1.09 → 0.99 ns and E2's pure 4.64 → 4.03 →
3.14 ns; the ratio inert/pure falls 3.40 → 3.13 → 2.43.

Not reached: P1's "almost identical" at 23.1 µJ cm⁻² (ratio 0.8–1.25). The intensity-weighted
τ_avg of the inert sample is held up by its nanocrystals that absorbed one photon (at
⟨N⟩ = 3.9, 8 % of the excited ones), which decay as at low fluence (≈ 4.8 ns): even if every
other nanocrystal lost its exciton at once, τ_avg would stay above ≈ 1.8 ns, while Fig. 1j's
pure sample lies below its 1.2 ns. What was tried: (a) persistent photocharging — trapped
carriers that outlive the 100 µs between P1's pulses (10 kHz), so that the charged fraction
before a pulse grows with the fluence (a periodic steady state) — brings the ratio to
1.3–1.5, but the best compromise of a Nelder–Mead search then leaves E3's low-fluence values
outside their tolerance (inert 3.3 ns, pure 1.4–1.6 ns) and needs a second trap lifetime of
≈ 0.1 ms; (b) a delocalised trion instead of the trapped carrier (τ_TA = 4 τ_XX by statistical
scaling) quenches too fast: Fig. 1j's pure falls to 0.4 ns and E2's heterostructures below
0.8 ns at 23.1 µJ cm⁻².

Examples
--------
>>> result = bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=23.1)
>>> round(result.mean_excitons, 2), float(result.bleach[0]), round(result.tau_avg_ns, 2)
(4.65, 1.0, 3.14)
>>> {k: [round(bleach_kinetics(p, fluence_uj_cm2=f).tau_avg_ns, 2) for f in (6.1, 12.2, 23.1)]
...  for k, p in P1_SAMPLES.items()}     # doctest: +NORMALIZE_WHITESPACE
{'pure': [4.64, 4.03, 3.14], 'alpha': [1.8, 1.61, 1.46], 'beta': [1.84, 1.61, 1.42],
 'pure_fig1j': [1.22, 1.09, 0.99], 'inert': [4.14, 3.43, 2.4]}
"""

from __future__ import annotations

import math
import types

import numba
import numpy as np
from scipy import constants
from scipy.linalg import expm

from .._base.validate import check_range
from ..analysis import fit_decay
from .bleach_params import BleachParams
from .bleach_results import BleachResult, FluenceSeries

__all__ = [
    "FIG1J_BULK_TRAP_DENSITY_NM3",
    "P1_SAMPLES",
    "bleach_kinetics",
    "fluence_series",
]

_HC_J_M = constants.h * constants.c
# Highest ⟨N⟩ a kinetics call accepts: states and Auger steps grow with ⟨N⟩, and P1's
# fluences stay below ⟨N⟩ = 21.
_MAX_MEAN_EXCITONS = 100.0
# Probability left out of the Poisson tail of the initial exciton number.
_POISSON_TAIL = 1e-13
# Integration: states of exciton levels holding less than this probability are frozen (they
# neither decay nor feed lower levels, so the total stays exactly 1); a step is at most
# _SAFETY / λ of the fastest evolving state and grows by _GROWTH at most.
_FROZEN_LEVEL = 1e-13
# States per exciton number: a neutral and a charged nanocrystal.
_WIDTH = 2
_SAFETY = 0.3
_GROWTH = 1.25
_DEFAULT_T_NS = np.linspace(0.0, 30.0, 751)
_N_EXP = 3

#: Bulk trap density of the batch of P1's Fig. 1j (pure cubes and the inert heterostructure),
#: at the reference temperature, nm⁻³ (fixed by E3's 1.2 ns at 6.1 µJ cm⁻²).
FIG1J_BULK_TRAP_DENSITY_NM3 = 0.08


#: P1's sample classes of E2 and E3 with the default model constants (SCIENCE §1, §7):
#:
#: * ``"pure"`` — E2's pure CsPbBr3 cubes (10 nm, 180 °C; Fig. 2d);
#: * ``"alpha"`` — α-NaY0.69F4:Yb0.3,Tm0.01 7.2 nm in 14.3 nm cubes, ``"beta"`` —
#:   β-NaGd0.69F4:Yb0.3,Tm0.01 7.1 nm in 16.7 nm cubes (G4 sizes, 220 °C; Fig. 2d);
#: * ``"pure_fig1j"`` — the pure cubes of Fig. 1j (E3's reference), another batch: 10 nm,
#:   180 °C, but with the bulk trap density :data:`FIG1J_BULK_TRAP_DENSITY_NM3`;
#: * ``"inert"`` — Fig. 1j's undoped β-NaGdF4 3.7 nm core in a 9.5 nm cube (G3), grown at
#:   220 °C from the precursors of that batch (its bulk trap density).
#:
#: The two pure references cannot be one sample: both lifetimes fall with the fluence, and
#: Fig. 1j's is 1.2 ns at 6.1 µJ cm⁻² while E2's is 2.9 ns at 23.1. A batch differs in what
#: its synthesis leaves, its bulk trap density; nothing else.
P1_SAMPLES = types.MappingProxyType({
    "pure": BleachParams(),
    "alpha": BleachParams(edge_nm=14.3, core_diameter_nm=7.2, core_host="alpha-NaYF4",
                          yb_fraction=0.3, synthesis_temperature_c=220.0),
    "beta": BleachParams(edge_nm=16.7, core_diameter_nm=7.1, core_host="beta-NaGdF4",
                         yb_fraction=0.3, synthesis_temperature_c=220.0),
    "pure_fig1j": BleachParams(bulk_trap_density_nm3=FIG1J_BULK_TRAP_DENSITY_NM3),
    "inert": BleachParams(edge_nm=9.5, core_diameter_nm=3.7, core_host="beta-NaGdF4",
                          synthesis_temperature_c=220.0,
                          bulk_trap_density_nm3=FIG1J_BULK_TRAP_DENSITY_NM3),
})


# ------------------------------------------------------------------------------- the kernel
@numba.njit(cache=True)
def _state_rates(n_max, k_exciton, k_charged, k_xx, p_charge, k_neutral):
    """Out-rate λ and the three transition rates of every state s = 2n + c, s⁻¹.

    c = 0: a neutral nanocrystal, c = 1: a charged one (a carrier held in a trap). Targets:
    down (n − 1, c), trap (n − 1, 1) from c = 0, empty (n, 0) from c = 1.
    """
    size = (n_max + 1) * _WIDTH
    down = np.zeros(size)
    trap = np.zeros(size)
    empty = np.zeros(size)
    for n in range(n_max + 1):
        auger = k_xx * n * (n - 1) / 2.0
        neutral = n * _WIDTH
        down[neutral] = n * k_exciton + auger * (1.0 - p_charge)
        trap[neutral] = auger * p_charge
        down[neutral + 1] = n * (k_exciton + k_charged) + auger
        empty[neutral + 1] = k_neutral
    return down + trap + empty, down, trap, empty


@numba.njit(cache=True)
def _solve(out, rhs, a, n_top, width, lam, down, trap, empty, inflow):
    """Solve (I − aG) y = rhs for the levels n ≤ n_top by forward substitution.

    The order (n down, then m down) puts every source of a state before it.
    """
    inflow[: (n_top + 1) * width] = 0.0
    for n in range(n_top, -1, -1):
        for m in range(width - 1, -1, -1):
            s = n * width + m
            y = (rhs[s] + a * inflow[s]) / (1.0 + a * lam[s])
            out[s] = y
            if n >= 1:
                inflow[s - width] += down[s] * y
                if m < width - 1:
                    inflow[s - width + 1] += trap[s] * y
            if m >= 1:
                inflow[s - 1] += empty[s] * y


@numba.njit(cache=True)
def _apply(out, y, n_top, width, lam, down, trap, empty):
    """out = G y on the levels n ≤ n_top."""
    out[: (n_top + 1) * width] = 0.0
    for n in range(n_top, -1, -1):
        for m in range(width):
            s = n * width + m
            v = y[s]
            out[s] -= lam[s] * v
            if n >= 1:
                out[s - width] += down[s] * v
                if m < width - 1:
                    out[s - width + 1] += trap[s] * v
            if m >= 1:
                out[s - 1] += empty[s] * v


@numba.njit(cache=True)
def _integrate(p0, k_exciton, k_charged, k_xx, p_charge, k_neutral, t_out_s):
    """TR-BDF2 integration of the master equation from P(n, 0) = p0(n), all neutral.

    Returns the marginals P(n, t) of shape (len(t_out_s), len(p0)) and P(c, t) of shape
    (len(t_out_s), 2) at the output times (t_out_s[0] = 0).
    """
    n_max = p0.size - 1
    width = _WIDTH
    lam, down, trap, empty = _state_rates(n_max, k_exciton, k_charged, k_xx, p_charge,
                                          k_neutral)
    size = lam.size
    y = np.zeros(size)
    for n in range(n_max + 1):
        y[n * width] = p0[n]
    gy = np.empty(size)
    rhs = np.empty(size)
    stage = np.empty(size)
    inflow = np.empty(size)
    gamma = 2.0 - math.sqrt(2.0)
    c1 = 1.0 / (gamma * (2.0 - gamma))
    c2 = (1.0 - gamma) ** 2 / (gamma * (2.0 - gamma))
    pn = np.zeros((t_out_s.size, n_max + 1))
    pc = np.zeros((t_out_s.size, width))
    n_top = n_max
    t = t_out_s[0]
    h = math.inf
    for k in range(t_out_s.size):
        target = t_out_s[k]
        while t < target:
            while n_top > 0 and np.sum(y[n_top * width:(n_top + 1) * width]) < _FROZEN_LEVEL:
                n_top -= 1
            top = (n_top + 1) * width
            fastest = np.max(lam[:top])
            h = min(h * _GROWTH, _SAFETY / fastest if fastest > 0 else math.inf)
            last = t + h >= target * (1.0 - 1e-12)
            h_step = target - t if last else h
            a = 0.5 * gamma * h_step
            _apply(gy, y, n_top, width, lam, down, trap, empty)
            rhs[:top] = y[:top] + a * gy[:top]
            _solve(stage, rhs, a, n_top, width, lam, down, trap, empty, inflow)
            rhs[:top] = c1 * stage[:top] - c2 * y[:top]
            _solve(y, rhs, a, n_top, width, lam, down, trap, empty, inflow)
            t = target if last else t + h_step
        for n in range(n_max + 1):
            for c in range(width):
                v = y[n * width + c]
                pn[k, n] += v
                pc[k, c] += v
    return pn, pc


def _master_equation_reference(p0, k_exciton, k_charged, k_xx, p_charge, k_neutral, t_out_s):
    """Exact solution: the dense generator, written out anew, and :func:`scipy.linalg.expm`.

    Same arguments and returns as :func:`_integrate` (the tests and the benchmark hold the
    kernel to it); the output times must be evenly spaced.
    """
    n_max = p0.size - 1
    size = (n_max + 1) * _WIDTH
    generator = np.zeros((size, size))
    for n in range(n_max + 1):
        auger = k_xx * n * (n - 1) / 2.0
        neutral, charged = n * _WIDTH, n * _WIDTH + 1
        flows = [(charged, neutral, k_neutral)]
        if n >= 1:
            flows += [(neutral, neutral - _WIDTH, n * k_exciton + auger * (1.0 - p_charge)),
                      (neutral, charged - _WIDTH, auger * p_charge),
                      (charged, charged - _WIDTH, n * (k_exciton + k_charged) + auger)]
        for source, target, rate in flows:
            generator[target, source] += rate
            generator[source, source] -= rate
    steps = np.diff(t_out_s)
    if steps.size and not np.allclose(steps, steps[0], rtol=1e-9, atol=0.0):
        raise ValueError("the reference needs evenly spaced output times")
    propagator = expm(generator * steps[0]) if steps.size else np.eye(size)
    y = np.zeros(size)
    y[::_WIDTH] = p0
    pn = np.empty((t_out_s.size, n_max + 1))
    pc = np.empty((t_out_s.size, _WIDTH))
    for k in range(t_out_s.size):
        grid = y.reshape(n_max + 1, _WIDTH)
        pn[k], pc[k] = grid.sum(axis=1), grid.sum(axis=0)
        y = propagator @ y
    return pn, pc


def _checked_times(t_ns) -> np.ndarray:
    if t_ns is None:
        return _DEFAULT_T_NS
    t = np.asarray(t_ns, dtype=float)
    minimum = 3 * (2 * _N_EXP + 1)
    if t.ndim != 1 or t.size < minimum:
        raise ValueError(f"t_ns must be a 1-D array of at least {minimum} delays in ns, got "
                         f"shape {t.shape}")
    if not np.all(np.isfinite(t)) or t[0] != 0.0 or np.any(np.diff(t) <= 0):
        raise ValueError("t_ns must start at 0 ns and increase strictly")
    check_range("t_ns[-1]", t[-1], "ns", 0.0, 1e4, low_inclusive=False)
    return t


def _trap_classes(mean_traps: float) -> tuple[tuple[int, float], ...]:
    """(M, weight): ⌊M̄⌋ and ⌈M̄⌉ mixed so that the mean is M̄."""
    # Rounding must not turn an integer M̄ (80 traps from 0.08 nm⁻³ × 1000 nm³) into a
    # second class of weight 1e-16 that costs a whole integration.
    low = math.floor(mean_traps + 1e-9)
    frac = max(mean_traps - low, 0.0)
    if frac < 1e-9:
        return ((low, 1.0),)
    return tuple((m, w) for m, w in ((low, 1.0 - frac), (low + 1, frac)) if w > 0)


def bleach_kinetics(params: BleachParams, *, fluence_uj_cm2: float, pump_nm: float = 400.0,
                    t_ns=None) -> BleachResult:
    """GSB kinetics of a sample class after one pump pulse, and its τ_avg (SCIENCE §8).

    Parameters
    ----------
    params : BleachParams
        Sample class and model constants (e.g. ``P1_SAMPLES["beta"]``).
    fluence_uj_cm2 : float
        Pump fluence per pulse, µJ cm⁻², > 0 and at most the fluence that puts 100 excitons
        into one nanocrystal of this class.
    pump_nm : float
        Pump wavelength, nm, in [300, 480].
    t_ns : array_like, optional
        Delays, ns: starting at 0, strictly increasing, evenly spaced or not, at least 21.
        Default 0–30 ns every 40 ps.

    Returns
    -------
    BleachResult

    Raises
    ------
    ValueError
        For a fluence, pump wavelength or time grid outside the allowed range.

    Examples
    --------
    >>> pure = bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=6.1)
    >>> beta = bleach_kinetics(P1_SAMPLES["beta"], fluence_uj_cm2=6.1)
    >>> round(pure.mean_excitons, 2), round(beta.mean_excitons, 2)
    (1.23, 5.49)
    >>> bool(beta.tau_avg_ns < pure.tau_avg_ns)    # Yb transfer, interface traps, Auger
    True
    """
    if not isinstance(params, BleachParams):
        raise ValueError(f"params must be a BleachParams, got {type(params).__name__}")
    t = _checked_times(t_ns)
    fluence, mean_n, p0 = _initial_excitons(params, fluence_uj_cm2, pump_nm)
    signal, excitons, charged = _ensemble(params, p0, t)
    bleach = np.clip(signal / signal.max(), 0.0, None)
    fit = fit_decay(t, bleach, n_exp=_N_EXP, weights=None)
    return BleachResult(
        params=params, fluence_uj_cm2=fluence, pump_nm=float(pump_nm), mean_excitons=mean_n,
        traps_per_nc=params.traps_per_nc, t_ns=t.copy(), bleach=bleach, excitons=excitons,
        charged_fraction=charged, tau_avg_ns=float(fit.tau_avg),
        tau_avg_err_ns=float(fit.tau_avg_err),
        fit_amplitudes=fit.amplitudes, fit_lifetimes_ns=fit.lifetimes, fit_offset=float(fit.y0))


def _initial_excitons(params: BleachParams, fluence_uj_cm2, pump_nm):
    """The checked fluence, ⟨N⟩ = σ j and P(n, 0), Poisson up to a tail of 1e-13."""
    # imported here: scipy.signal and .stats take 0.3 s, a third of the core's import
    from scipy.stats import poisson
    sigma_cm2 = params.cross_section_cm2(pump_nm)
    photons_per_uj = 1e-6 * float(pump_nm) * 1e-9 / _HC_J_M
    max_fluence = _MAX_MEAN_EXCITONS / (sigma_cm2 * photons_per_uj)
    fluence = check_range("fluence_uj_cm2", fluence_uj_cm2, "µJ/cm²", 0.0,
                          float(f"{max_fluence:.4g}"), low_inclusive=False)
    mean_n = sigma_cm2 * photons_per_uj * fluence
    n_max = max(int(poisson.isf(_POISSON_TAIL, mean_n)) + 1, 2)
    p0 = poisson.pmf(np.arange(n_max + 1), mean_n)
    p0[-1] += 1.0 - p0.sum()
    return fluence, mean_n, p0


def _kernel_rates(params: BleachParams, m_traps: int) -> tuple[float, ...]:
    """The rate arguments of :func:`_integrate` for a nanocrystal with ``m_traps`` traps:
    k_rad + k_Ln + M k_t, k_X*, k_XX, k_e in s⁻¹ and the charging probability per Auger event
    1 − (1 − p_c)^M."""
    k_exciton = (1.0 / params.radiative_lifetime_ns + params.ln_transfer_rate_ns
                 + m_traps / params.trap_capture_time_ns) * 1e9
    p_charge = 1.0 - (1.0 - params.auger_capture_probability) ** m_traps
    return (k_exciton, 1e12 / params.trap_auger_lifetime_ps, 1e12 / params.auger_lifetime_ps,
            p_charge, 1e9 / params.trap_lifetime_ns)


def _ensemble(params: BleachParams, p0: np.ndarray, t_ns: np.ndarray, integrate=_integrate):
    """Bleach ⟨min(n, g)⟩ (not normalised), mean excitons and the charged fraction at
    ``t_ns``, averaged over the trap classes; ``integrate`` is the kernel or the exact
    reference."""
    levels = np.arange(p0.size)
    occupation = np.minimum(levels, params.band_edge_degeneracy)
    signal = np.zeros(t_ns.size)
    excitons = np.zeros(t_ns.size)
    charged = np.zeros(t_ns.size)
    for m_traps, weight in _trap_classes(params.traps_per_nc):
        pn, pc = integrate(p0, *_kernel_rates(params, m_traps), t_ns * 1e-9)
        signal += weight * (pn @ occupation)
        excitons += weight * (pn @ levels)
        charged += weight * pc[:, 1]
    return signal, excitons, charged


def fluence_series(params: BleachParams, fluences_uj_cm2, *, pump_nm: float = 400.0,
                   t_ns=None) -> FluenceSeries:
    """τ_avg of the GSB at each pump fluence (a P1-style fluence dependence, E3).

    Examples
    --------
    >>> series = fluence_series(P1_SAMPLES["inert"], [6.1, 23.1])
    >>> bool(series.tau_avg_ns[1] < series.tau_avg_ns[0])     # P1: falls with the fluence
    True
    """
    fluences = np.atleast_1d(np.asarray(fluences_uj_cm2, dtype=float))
    if fluences.ndim != 1 or fluences.size == 0:
        raise ValueError("fluences_uj_cm2 must be a non-empty 1-D sequence of fluences in "
                         "µJ/cm²")
    results = [bleach_kinetics(params, fluence_uj_cm2=f, pump_nm=pump_nm, t_ns=t_ns)
               for f in fluences]
    return FluenceSeries(
        params=params, fluence_uj_cm2=fluences,
        mean_excitons=np.array([r.mean_excitons for r in results]),
        tau_avg_ns=np.array([r.tau_avg_ns for r in results]),
        tau_avg_err_ns=np.array([r.tau_avg_err_ns for r in results]))
