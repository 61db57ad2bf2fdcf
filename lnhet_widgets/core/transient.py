"""Transient absorption of CsPbBr3 nanocrystals and LnNP@CsPbBr3: ground-state-bleach kinetics.

SCIENCE §8 (targets E2, E3 of §7). A pump pulse puts a Poisson number of excitons into every
perovskite nanocrystal; the ground-state bleach (GSB) follows them as they recombine, are
trapped by defects or, in Yb-doped heterostructures, transfer to the lanthanide core. The
bleach is fitted with P1's multi-exponential model (:func:`~lnhet_widgets.core.fitting.fit_decay`,
three exponentials, equal weights) and reported as the intensity-weighted τ_avg = Σ A t²/Σ A t.

The model, for one nanocrystal of a sample class (all nanocrystals of a class are alike: one
cube edge L, one core of diameter d at its centre):

* **Geometry.** Perovskite volume V = L³ − πd³/6; interface area A = πd² (the core sphere).
* **Excitation.** n ~ Poisson(⟨N⟩), ⟨N⟩ = σ j with the photon fluence j = F λ/(hc)
  (1 µJ cm⁻² at 400 nm = 2.01e12 cm⁻²) and σ ∝ V: 1e-16 cm² nm⁻³, i.e. 1e-13 cm² for a 10 nm
  cube at 400 nm (SCIENCE §7). At other pump wavelengths σ scales with the Elliott absorption
  of CsPbBr3 (:func:`~lnhet_widgets.core.photophysics.absorption_spectrum`, gap 2.43 eV: the
  bulk 2.41 eV plus the confinement of 10–17 nm cubes; ±30 meV changes α(λ)/α(400) by ≤ 1 %).
* **Traps.** A nanocrystal holds M̄ = ρ_b(T) V + ρ_i A traps: bulk defects frozen in during
  the synthesis, ρ_b(T) = ρ_ref exp[(E_a/k_B)(1/T − 1/T_ref)] (defects anneal out, with an
  effective activation energy E_a, while the crystal grows, so a hotter synthesis leaves
  fewer — P1's reading of E3), and defects of the core–shell interface. Every nanocrystal of
  a class holds the class mean: ⌊M̄⌋ or ⌈M̄⌉ traps, mixed so that the mean is M̄ (the
  narrowest distribution with that mean, like the one edge per class). A Poisson number of
  traps was tried and rejected: its trap-free nanocrystals (e^−M̄ of them) decay radiatively
  and dominate the intensity-weighted τ_avg; with the default constants the pure sample
  gives 2.3 ns at 6.1 µJ cm⁻² instead of E3's 1.2 ns.
* **Master equation** for the probability P(n, m) of n band-edge excitons and m filled traps
  (m ≤ M) after the pulse, with per-nanocrystal rates:

  - radiative recombination n k_rad and transfer to the lanthanide core n k_Ln,
    k_Ln = C_Ln x_Yb A (interface defect states that hand the energy on to Yb³⁺, P1 Fig. 2h;
    not saturable, because Yb³⁺ empties them at once): (n, m) → (n − 1, m);
  - trapping n (M − m) k_t: (n, m) → (n − 1, m + 1); the trapped carrier binds its partner
    into a trap-bound pair that no longer bleaches the band edge;
  - trap emptying m k_e, the non-radiative recombination of that pair: (n, m) → (n, m − 1);
  - three-carrier (Auger) events at k_A(n) = k_XX n(n − 1)/2 (statistical pair counting),
    biexciton lifetime τ_XX = 1/k_XX ∝ V. Each event either recombines a pair across the gap,
    (n, m) → (n − 1, m), or — with probability q = 1 − (1 − p_c)^(M − m), p_c per empty
    trap — puts a carrier into a trap while a third carrier takes up the energy (Auger
    capture by deep centres, the dominant capture route at high carrier density; P. T.
    Landsberg, *Recombination in Semiconductors*, CUP 1991), (n, m) → (n − 1, m + 1).

  This is how "a few traps per nanocrystal fill at high ⟨N⟩": capture of a lone exciton
  (k_t ~ ns⁻¹) cannot compete with Auger recombination (τ_XX ~ 0.1 ns), but multi-exciton
  capture can, so the traps fill in proportion to the number of three-carrier events,
  ⟨N⟩ − 1 + e^−⟨N⟩, and the exciton that survives them decays radiatively. The pure sample's
  τ_avg rises with the fluence; the heterostructures, grown hotter with few traps, are
  nearly radiative already at 6.1 µJ cm⁻².
* **Bleach** ∝ ⟨min(n, g)⟩ (state filling): the band-edge absorption is bleached in
  proportion to the excitons that occupy it, up to the number of band-edge states g. In the
  strong-confinement limit g = 2 (the spin-degenerate 1S electron and hole levels); in a
  nanocrystal much larger than the exciton, excitons fill the band edge until they touch,
  g = V/V_X with V_X = 4πa_B³/3 (phase-space filling; a_B = 3.5 nm, the 7 nm Bohr diameter
  of CsPbBr3, Protesescu et al., Nano Lett. 15, 3692 (2015)). Hence g = max(2, V/V_X): 5.6 for
  the pure 10 nm cube, 25 for the 16.7 nm heterostructures, whose Auger decay therefore shows
  in the bleach and shortens τ_avg as the fluence grows (E3's "Auger at high fluence").
* **Numerics.** Ordered by n, then m, both downwards, every transition goes forward: the
  generator is triangular, and each implicit stage is one forward substitution. A numba
  kernel integrates with TR-BDF2 (second order, L-stable, conserves probability to rounding),
  steps growing by 25 % at most and bounded by 0.3/λ of the fastest state that still holds
  probability (the Auger cascade starts in the sub-ps range), landing on every output time.
  :func:`_master_equation_reference` is the exact solution, by :func:`scipy.linalg.expm` of
  the dense generator; the tests hold the kernel to it. The default output grid is 0–30 ns
  every 40 ps: the slowest decay (≈ 4 ns) falls to 0.1 %, so the fit's free offset cannot
  trade against the longest lifetime (on 0–10 ns it shortens τ_avg by up to 18 %); a 20 ps
  grid changes τ_avg by < 0.5 %. No noise is added.

Calibration: one parameter set, the :class:`BleachParams` field defaults, for the four P1
classes (:data:`P1_SAMPLES`); every target is a test in ``tests/test_transient.py``.

* Literature: σ/V = 1e-16 cm² nm⁻³ (SCIENCE §7), a_B = 3.5 nm (Protesescu 2015),
  τ_XX/V = 0.1 ps nm⁻³ (∝ volume, SCIENCE §8: 100 ps for the pure 10 nm cube; 270 and 450 ps
  for the larger α and β heterostructures), trap lifetime 100 ns (≫ the window).
* Fitted together to E2 and E3: k_rad = 1/4.3 ns; 3 traps in the pure cube (ρ_ref =
  3e-3 nm⁻³ at 180 °C) with k_t = 1/1.7 ns, which makes its single-exciton lifetime 0.5 ns
  (PLQY 12 %, a defect-rich sample; a longer one flattens the fluence dependence E3 needs);
  E_a = 1.5 eV and ρ_i = 5e-4 nm⁻², which leave 0.67 traps in the heterostructures grown at
  220 °C; p_c = 0.9; C_Ln = 7.5e-3 ns⁻¹ nm⁻² (k_Ln = 0.24 ns⁻¹ for x_Yb = 0.2).

Computed with these defaults (targets in brackets): E2 at 23.1 µJ cm⁻², pure / α / β =
3.17 / 1.53 / 1.29 ns (2.9 / 1.5 / 1.3 ± 15 %); E3 at 6.1 µJ cm⁻², inert / pure = 3.51 /
1.20 ns (4.1 / 1.2 ± 20 %); inert/pure at 23.1 µJ cm⁻² 0.91 (within 25 %). Not reached: at
12.2 µJ cm⁻² the ratio is 1.38, not within 25 %. The pure cube's ⟨N⟩ only doubles (1.2 →
2.5) from 6.1 to 12.2 µJ cm⁻², and Poisson statistics spread its trap filling over that
range: a search over all the fitted constants (single-exciton lifetime ≥ 0.5 ns, τ_XX/V ≤
0.1 ps nm⁻³) found no set below ≈ 1.3 that keeps the other targets, and even a 70 ps
single-exciton lifetime gives ≈ 1.27.

Examples
--------
>>> result = bleach_kinetics(P1_SAMPLES["pure"], fluence_uj_cm2=23.1)
>>> round(result.mean_excitons, 2), float(result.bleach[0]), round(result.tau_avg_ns, 1)
(4.65, 1.0, 3.2)
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass

import numba
import numpy as np
from scipy.linalg import expm
from scipy.stats import poisson

from ._params import ParamsDict, param
from ._results import ResultIO
from ._validate import check_range
from .fitting import fit_decay
from .photophysics import HC_EV_NM, absorption_spectrum

__all__ = [
    "P1_SAMPLES",
    "BleachParams",
    "BleachResult",
    "FluenceSeries",
    "bleach_kinetics",
    "fluence_series",
]

_BOLTZMANN_EV_K = 8.617333262e-5
_KELVIN = 273.15
_HC_J_M = 6.62607015e-34 * 2.99792458e8
# Elliott edge used only for the ratio α(λ)/α(400 nm); see the module docstring.
_CSPBBR3_GAP_EV = 2.43
_PUMP_RANGE_NM = (300.0, 480.0)
# Highest ⟨N⟩ a kinetics call accepts: states and Auger steps grow with ⟨N⟩, and P1's
# fluences stay below ⟨N⟩ = 21.
_MAX_MEAN_EXCITONS = 100.0
# Probability left out of the Poisson tail of the initial exciton number.
_POISSON_TAIL = 1e-13
# Integration: states of exciton levels holding less than this probability are frozen (they
# neither decay nor feed lower levels, so the total stays exactly 1); a step is at most
# _SAFETY / λ of the fastest evolving state and grows by _GROWTH at most.
_FROZEN_LEVEL = 1e-13
_SAFETY = 0.3
_GROWTH = 1.25
_DEFAULT_T_NS = np.linspace(0.0, 30.0, 751)
_N_EXP = 3


@dataclass(frozen=True)
class BleachParams(ParamsDict):
    """One sample class (geometry, doping, synthesis) and the model constants of the GSB.

    The defaults are P1's pure CsPbBr3 cubes (10 nm, 180 °C) with the calibrated model
    constants; :data:`P1_SAMPLES` holds the four classes of E2/E3. The model is in the
    module docstring of :mod:`lnhet_widgets.core.transient`.

    Every field is validated at construction; a bad value raises ``ValueError`` naming the
    field, its unit and the allowed range.

    Examples
    --------
    >>> p = BleachParams(edge_nm=16.7, core_diameter_nm=7.1, synthesis_temperature_c=220.0)
    >>> round(p.perovskite_volume_nm3), round(p.interface_area_nm2, 1)
    (4470, 158.4)
    >>> BleachParams(edge_nm=8.0, core_diameter_nm=9.0)
    Traceback (most recent call last):
    ...
    ValueError: core_diameter_nm = 9.0 nm must be smaller than edge_nm = 8 nm
    """

    # Sample class. P1's pure cubes: 10 nm, the upper end of the 9–10 nm of a 180 °C hot
    # injection; within that range it fits E3 best (a larger cube absorbs more, ⟨N⟩ ∝ V).
    edge_nm: float = param(10.0, label="Cube edge", unit="nm", min=3.0, max=40.0, step=0.1)
    core_diameter_nm: float = param(0.0, label="Core diameter", unit="nm", min=0.0, max=30.0,
                                    step=0.1, description="0: a pure perovskite nanocrystal")
    yb_fraction: float = param(0.0, label="Yb in the core", min=0.0, max=1.0, step=0.01,
                               description="RE-site fraction; 0: an inert (undoped) core")
    synthesis_temperature_c: float = param(180.0, label="Synthesis T", unit="°C", min=100.0,
                                           max=300.0, step=1.0)
    # 4.3 ns balances the trap-saturated long components of E3's inert sample (4.1 ns) and of
    # the pure sample at 23.1 µJ cm⁻² (2.9 ns); CsPbBr3 nanocrystals' PL lasts a few ns.
    radiative_lifetime_ns: float = param(4.3, label="Radiative lifetime", unit="ns",
                                         min=0.1, max=100.0, step=0.1)
    # Capture of a lone exciton by one empty trap; with the pure cube's 3 traps its single
    # exciton lives 1/(k_rad + 3 k_t) = 0.5 ns, below E3's 1.2 ns at ⟨N⟩ = 1.2.
    trap_capture_time_ns: float = param(1.7, label="Trap capture time", unit="ns",
                                        min=0.01, max=1e4, step=0.1,
                                        description="1/k_t of one empty trap")
    # Trap-bound pairs outlive the window, so filled traps stay filled, as the fluence
    # dependence of E3 requires; any value ≫ 30 ns gives the same bleach.
    trap_lifetime_ns: float = param(100.0, label="Trap lifetime", unit="ns", min=0.1,
                                    max=1e6, description="emptying of a filled trap")
    # Bulk defects of the reference (pure) synthesis: 3 traps in the 10 nm cube at 180 °C.
    bulk_trap_density_nm3: float = param(3e-3, label="Bulk trap density", unit="nm⁻³",
                                         min=0.0, max=0.1, step=1e-4,
                                         description="at trap_reference_temperature_c")
    trap_reference_temperature_c: float = param(180.0, label="Reference T", unit="°C",
                                                min=100.0, max=300.0)
    # Effective activation energy of defect annealing during growth: 1.5 eV cuts the density
    # 23-fold from 180 to 220 °C, which E3's low-fluence contrast (1.2 vs 4.1 ns) needs.
    trap_annealing_energy_ev: float = param(1.5, label="Defect annealing energy", unit="eV",
                                            min=0.0, max=5.0, step=0.05)
    # Defects of the core–shell contact, the same for both core phases (the model has no
    # phase-specific interface quality): 0.08 traps on a 7.1 nm core.
    interface_trap_density_nm2: float = param(5e-4, label="Interface trap density",
                                              unit="nm⁻²", min=0.0, max=1.0, step=1e-4)
    auger_time_per_volume_ps_nm3: float = param(0.1, label="τ_XX / V", unit="ps/nm³",
                                                min=1e-4, max=10.0,
                                                description="biexciton Auger lifetime per "
                                                            "perovskite volume")
    # Probability that one empty trap takes the carrier of a three-carrier event.
    auger_capture_probability: float = param(0.9, label="Auger capture", min=0.0, max=1.0,
                                             step=0.01,
                                             description="per empty trap and Auger event")
    # Exciton → interface defect → Yb³⁺, per unit Yb fraction and nm² of interface: E2's
    # heterostructures (x_Yb = 0.2, A ≈ 160 nm²: k_Ln ≈ 0.24 ns⁻¹).
    ln_transfer_rate_ns_nm2: float = param(7.5e-3, label="Ln transfer C_Ln", unit="ns⁻¹ nm⁻²",
                                           min=0.0, max=10.0,
                                           description="k_Ln = C_Ln · yb_fraction · area")
    cross_section_per_volume_cm2_nm3: float = param(1e-16, label="σ / V at 400 nm",
                                                    unit="cm²/nm³", min=0.0, max=1e-14)
    exciton_bohr_radius_nm: float = param(3.5, label="Exciton Bohr radius", unit="nm",
                                          min=0.5, max=20.0, step=0.1)

    def __post_init__(self):
        for name, unit, low, high in _RANGES:
            object.__setattr__(self, name, check_range(name, getattr(self, name), unit, low,
                                                       high))
        if 0.0 < self.core_diameter_nm < 1.0:
            raise ValueError(f"core_diameter_nm = {self.core_diameter_nm!r} nm is outside the "
                             "allowed range 0 (no core) or [1, 30] nm")
        if self.core_diameter_nm >= self.edge_nm:
            raise ValueError(f"core_diameter_nm = {self.core_diameter_nm!r} nm must be smaller "
                             f"than edge_nm = {self.edge_nm:g} nm")
        if self.yb_fraction > 0 and self.core_diameter_nm == 0:
            raise ValueError(f"yb_fraction = {self.yb_fraction!r} needs a core "
                             "(core_diameter_nm > 0); a pure nanocrystal has yb_fraction 0")

    @property
    def perovskite_volume_nm3(self) -> float:
        """V = L³ − πd³/6, nm³."""
        return self.edge_nm**3 - math.pi / 6.0 * self.core_diameter_nm**3

    @property
    def interface_area_nm2(self) -> float:
        """Core–shell interface area πd², nm²."""
        return math.pi * self.core_diameter_nm**2

    @property
    def traps_per_nc(self) -> float:
        """Mean number of traps per nanocrystal, M̄ = ρ_b(T) V + ρ_i A."""
        inverse_t = 1.0 / (self.synthesis_temperature_c + _KELVIN)
        inverse_ref = 1.0 / (self.trap_reference_temperature_c + _KELVIN)
        bulk = self.bulk_trap_density_nm3 * math.exp(
            self.trap_annealing_energy_ev / _BOLTZMANN_EV_K * (inverse_t - inverse_ref))
        return bulk * self.perovskite_volume_nm3 + (self.interface_trap_density_nm2
                                                    * self.interface_area_nm2)

    @property
    def auger_lifetime_ps(self) -> float:
        """Biexciton Auger lifetime τ_XX ∝ V, ps."""
        return self.auger_time_per_volume_ps_nm3 * self.perovskite_volume_nm3

    @property
    def band_edge_degeneracy(self) -> float:
        """g = max(2, V/V_X): excitons the band edge holds before the bleach saturates."""
        exciton_volume = 4.0 * math.pi / 3.0 * self.exciton_bohr_radius_nm**3
        return max(2.0, self.perovskite_volume_nm3 / exciton_volume)

    @property
    def ln_transfer_rate_ns(self) -> float:
        """k_Ln = C_Ln x_Yb A, per exciton, ns⁻¹."""
        return self.ln_transfer_rate_ns_nm2 * self.yb_fraction * self.interface_area_nm2

    @property
    def single_exciton_lifetime_ns(self) -> float:
        """1/(k_rad + M̄ k_t + k_Ln): a single exciton with every trap empty, ns."""
        rate = (1.0 / self.radiative_lifetime_ns + self.traps_per_nc / self.trap_capture_time_ns
                + self.ln_transfer_rate_ns)
        return 1.0 / rate

    def cross_section_cm2(self, pump_nm: float = 400.0) -> float:
        """Absorption cross-section of one nanocrystal at ``pump_nm``, cm².

        Examples
        --------
        >>> round(BleachParams(edge_nm=10.0).cross_section_cm2() / 1e-13, 3)
        1.0
        """
        pump = check_range("pump_nm", pump_nm, "nm", *_PUMP_RANGE_NM)
        energies = HC_EV_NM / np.array([pump, 400.0])
        alpha = absorption_spectrum(energies, gap_ev=_CSPBBR3_GAP_EV)
        return (self.cross_section_per_volume_cm2_nm3 * self.perovskite_volume_nm3
                * float(alpha[0] / alpha[1]))



_RANGES = (
    ("edge_nm", "nm", 3.0, 40.0),
    ("core_diameter_nm", "nm", 0.0, 30.0),
    ("yb_fraction", "", 0.0, 1.0),
    ("synthesis_temperature_c", "°C", 100.0, 300.0),
    ("radiative_lifetime_ns", "ns", 0.1, 100.0),
    ("trap_capture_time_ns", "ns", 0.01, 1e4),
    ("trap_lifetime_ns", "ns", 0.1, 1e6),
    ("bulk_trap_density_nm3", "nm⁻³", 0.0, 0.1),
    ("trap_reference_temperature_c", "°C", 100.0, 300.0),
    ("trap_annealing_energy_ev", "eV", 0.0, 5.0),
    ("interface_trap_density_nm2", "nm⁻²", 0.0, 1.0),
    ("auger_time_per_volume_ps_nm3", "ps/nm³", 1e-4, 10.0),
    ("auger_capture_probability", "", 0.0, 1.0),
    ("ln_transfer_rate_ns_nm2", "ns⁻¹ nm⁻²", 0.0, 10.0),
    ("cross_section_per_volume_cm2_nm3", "cm²/nm³", 0.0, 1e-14),
    ("exciton_bohr_radius_nm", "nm", 0.5, 20.0),
)

#: P1's four sample classes of E2/E3 with the default model constants: pure CsPbBr3 cubes
#: (10 nm, 180 °C); α-NaYF4:Yb,Tm 7.2 nm in 14.3 nm cubes and β-NaGdF4:Yb,Tm 7.1 nm in
#: 16.7 nm cubes (G4 sizes, 220 °C, Yb 0.2 as P1's LnNP40 in SCIENCE §6 and in
#: :class:`~lnhet_widgets.core.transfer.TransferParams`, assumed for the α core too); the
#: inert β-NaGdF4 core taken like the doped one, 7.1 nm in 16.7 nm, without Yb.
P1_SAMPLES = types.MappingProxyType({
    "pure": BleachParams(),
    "alpha": BleachParams(edge_nm=14.3, core_diameter_nm=7.2, yb_fraction=0.2,
                          synthesis_temperature_c=220.0),
    "beta": BleachParams(edge_nm=16.7, core_diameter_nm=7.1, yb_fraction=0.2,
                         synthesis_temperature_c=220.0),
    "inert": BleachParams(edge_nm=16.7, core_diameter_nm=7.1, yb_fraction=0.0,
                          synthesis_temperature_c=220.0),
})


# ------------------------------------------------------------------------------- the kernel
@numba.njit(cache=True)
def _state_rates(n_max, m_traps, k_exciton, k_trap, k_empty, k_xx, p_capture):
    """Out-rate λ and the three transition rates of every state s = n (M + 1) + m, s⁻¹.

    Targets: down (n − 1, m), trap (n − 1, m + 1), empty (n, m − 1).
    """
    width = m_traps + 1
    size = (n_max + 1) * width
    down = np.zeros(size)
    trap = np.zeros(size)
    empty = np.zeros(size)
    for n in range(n_max + 1):
        auger = k_xx * n * (n - 1) / 2.0
        for m in range(width):
            s = n * width + m
            free = m_traps - m
            captured = 1.0 - (1.0 - p_capture) ** free
            down[s] = n * k_exciton + auger * (1.0 - captured)
            trap[s] = n * free * k_trap + auger * captured
            empty[s] = m * k_empty
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
def _integrate(p0, m_traps, k_exciton, k_trap, k_empty, k_xx, p_capture, t_out_s):
    """TR-BDF2 integration of the master equation from P(n, 0) = p0(n), no filled traps.

    Returns the marginals P(n, t) of shape (len(t_out_s), len(p0)) and P(m, t) of shape
    (len(t_out_s), m_traps + 1) at the output times (t_out_s[0] = 0).
    """
    n_max = p0.size - 1
    width = m_traps + 1
    lam, down, trap, empty = _state_rates(n_max, m_traps, k_exciton, k_trap, k_empty, k_xx,
                                          p_capture)
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
    pm = np.zeros((t_out_s.size, width))
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
            for m in range(width):
                v = y[n * width + m]
                pn[k, n] += v
                pm[k, m] += v
    return pn, pm


def _master_equation_reference(p0, m_traps, k_exciton, k_trap, k_empty, k_xx, p_capture,
                               t_out_s):
    """Exact solution: the dense generator, written out anew, and :func:`scipy.linalg.expm`.

    Same arguments and returns as :func:`_integrate` (the tests and the benchmark hold the
    kernel to it); the output times must be evenly spaced.
    """
    n_max = p0.size - 1
    width = m_traps + 1
    size = (n_max + 1) * width
    generator = np.zeros((size, size))
    for n in range(n_max + 1):
        auger = k_xx * n * (n - 1) / 2.0
        for m in range(width):
            s = n * width + m
            captured = 1.0 - (1.0 - p_capture) ** (m_traps - m)
            flows = []
            if n >= 1:
                flows.append((s - width, n * k_exciton + auger * (1.0 - captured)))
                if m < m_traps:
                    flows.append((s - width + 1, n * (m_traps - m) * k_trap + auger * captured))
            if m >= 1:
                flows.append((s - 1, m * k_empty))
            for target, rate in flows:
                generator[target, s] += rate
                generator[s, s] -= rate
    steps = np.diff(t_out_s)
    if steps.size and not np.allclose(steps, steps[0], rtol=1e-9, atol=0.0):
        raise ValueError("the reference needs evenly spaced output times")
    propagator = expm(generator * steps[0]) if steps.size else np.eye(size)
    y = np.zeros(size)
    y[::width] = p0
    pn = np.empty((t_out_s.size, n_max + 1))
    pm = np.empty((t_out_s.size, width))
    for k in range(t_out_s.size):
        grid = y.reshape(n_max + 1, width)
        pn[k], pm[k] = grid.sum(axis=1), grid.sum(axis=0)
        y = propagator @ y
    return pn, pm


# ------------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class BleachResult(ResultIO):
    """Ground-state-bleach kinetics of one sample class at one fluence (:func:`bleach_kinetics`).

    Attributes
    ----------
    params : BleachParams
    fluence_uj_cm2, pump_nm : float
        Pump fluence (µJ cm⁻²) and wavelength (nm).
    mean_excitons : float
        ⟨N⟩ = σ j, excitons per nanocrystal right after the pulse.
    traps_per_nc : float
        Mean traps per nanocrystal M̄.
    t_ns, bleach : ndarray
        Delay (ns) and the GSB ∝ ⟨min(n, g)⟩, normalised to 1 at its maximum (t = 0).
    excitons, filled_traps : ndarray
        Mean band-edge excitons and mean filled traps per nanocrystal at ``t_ns``.
    tau_avg_ns, tau_avg_err_ns : float
        Intensity-weighted τ_avg = Σ A t²/Σ A t of the three-exponential fit, and its error.
    fit_amplitudes, fit_lifetimes_ns : ndarray
        The fit's A_i and t_i (shortest first); ``fit_offset`` its y0.
    fit_offset : float
    """

    params: BleachParams
    fluence_uj_cm2: float
    pump_nm: float
    mean_excitons: float
    traps_per_nc: float
    t_ns: np.ndarray
    bleach: np.ndarray
    excitons: np.ndarray
    filled_traps: np.ndarray
    tau_avg_ns: float
    tau_avg_err_ns: float
    fit_amplitudes: np.ndarray
    fit_lifetimes_ns: np.ndarray
    fit_offset: float


@dataclass(frozen=True)
class FluenceSeries(ResultIO):
    """τ_avg of one sample class against the pump fluence (:func:`fluence_series`).

    Attributes
    ----------
    params : BleachParams
    fluence_uj_cm2, mean_excitons, tau_avg_ns, tau_avg_err_ns : ndarray
    """

    params: BleachParams
    fluence_uj_cm2: np.ndarray
    mean_excitons: np.ndarray
    tau_avg_ns: np.ndarray
    tau_avg_err_ns: np.ndarray


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
    # Rounding must not turn an integer M̄ (3 traps from 3e-3 nm⁻³ × 1000 nm³) into a
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
    >>> bool(pure.tau_avg_ns < beta.tau_avg_ns)
    True
    """
    if not isinstance(params, BleachParams):
        raise ValueError(f"params must be a BleachParams, got {type(params).__name__}")
    t = _checked_times(t_ns)
    fluence, mean_n, p0 = _initial_excitons(params, fluence_uj_cm2, pump_nm)
    signal, excitons, filled = _ensemble(params, p0, t)
    bleach = np.clip(signal / signal.max(), 0.0, None)
    fit = fit_decay(t, bleach, n_exp=_N_EXP, weights=None)
    return BleachResult(
        params=params, fluence_uj_cm2=fluence, pump_nm=float(pump_nm), mean_excitons=mean_n,
        traps_per_nc=params.traps_per_nc, t_ns=t.copy(), bleach=bleach, excitons=excitons,
        filled_traps=filled, tau_avg_ns=float(fit.tau_avg), tau_avg_err_ns=float(fit.tau_avg_err),
        fit_amplitudes=fit.amplitudes, fit_lifetimes_ns=fit.lifetimes, fit_offset=float(fit.y0))


def _initial_excitons(params: BleachParams, fluence_uj_cm2, pump_nm):
    """The checked fluence, ⟨N⟩ = σ j and P(n, 0), Poisson up to a tail of 1e-13."""
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


def _kernel_rates(params: BleachParams) -> tuple[float, ...]:
    """(k_rad + k_Ln, k_t, k_e, k_XX) in s⁻¹ and p_c: the rate arguments of :func:`_integrate`."""
    return ((1.0 / params.radiative_lifetime_ns + params.ln_transfer_rate_ns) * 1e9,
            1e9 / params.trap_capture_time_ns, 1e9 / params.trap_lifetime_ns,
            1e12 / params.auger_lifetime_ps, params.auger_capture_probability)


def _ensemble(params: BleachParams, p0: np.ndarray, t_ns: np.ndarray, integrate=_integrate):
    """Bleach ⟨min(n, g)⟩ (not normalised), mean excitons and mean filled traps at ``t_ns``,
    averaged over the trap classes; ``integrate`` is the kernel or the exact reference."""
    rates = _kernel_rates(params)
    levels = np.arange(p0.size)
    occupation = np.minimum(levels, params.band_edge_degeneracy)
    signal = np.zeros(t_ns.size)
    excitons = np.zeros(t_ns.size)
    filled = np.zeros(t_ns.size)
    for m_traps, weight in _trap_classes(params.traps_per_nc):
        pn, pm = integrate(p0, m_traps, *rates, t_ns * 1e-9)
        signal += weight * (pn @ occupation)
        excitons += weight * (pn @ levels)
        filled += weight * (pm @ np.arange(m_traps + 1))
    return signal, excitons, filled


def fluence_series(params: BleachParams, fluences_uj_cm2, *, pump_nm: float = 400.0,
                   t_ns=None) -> FluenceSeries:
    """τ_avg of the GSB at each pump fluence (a P1-style fluence dependence, E3).

    Examples
    --------
    >>> series = fluence_series(P1_SAMPLES["pure"], [6.1, 23.1])
    >>> bool(series.tau_avg_ns[1] > 2 * series.tau_avg_ns[0])
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
