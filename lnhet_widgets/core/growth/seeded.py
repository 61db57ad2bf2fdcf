"""Seeded growth by hot injection: a stochastic ensemble simulation of one reaction (SCIENCE §4).

:func:`simulate_growth` follows P1's recipe (LnNP cores in ODE/OA/OAm with PbX2 at 220 °C,
Cs-oleate injected, 60 s, water bath) for a sample of cores drawn from the core size
distribution, in the liquid volume that holds them at the flask's core concentration. What is
modelled, and the choices behind it:

* **Monomer.** The injected Cs-oleate, PbX2 and the halide make CsPbX3 monomer up to the
  limiting reagent (Cs for P1's recipe: 0.151 mmol). It is released from a precursor pool
  with time constant ``release_time_s`` (mixing and conversion of the injected Cs-oleate).
  Solubility C_eq(T) = C_ref exp(−ΔH_s/R (1/T − 1/T_ref)), with ``solubility_mm`` at
  ``reference_temperature_c``.
* **Homogeneous nucleation** of free crystals by classical nucleation theory
  (:mod:`~lnhet_widgets.core.growth.nucleation`), Poisson events in the simulated volume.
* **Heterogeneous nucleation** on every bare core with Fletcher's factor f(m, R/r*)/2. The
  wetting m = (γ_core,liquid − γ_chem − w_el(R, T)) / γ_shell,liquid (Young's relation,
  clipped to [−1, 1]) carries the areal strain energy w_el = E_el/(4πR²) of the shell
  (:func:`~lnhet_widgets.core.crystal.coreshell_strain`, thick-shell limit b → ∞). w_el grows
  linearly with R: wetting turns into non-wetting at a core size, which is the core-size limit.
* **Misfit relaxation while a shell nucleates** (SCIENCE §4a). The misfit in w_el is not the
  coherent f_eff of the pair (:func:`~lnhet_widgets.core.crystal.effective_misfit`, 12.1 % for
  β-NaGdF4/CsPbBr3 at 220 °C, above the 10 % coherence cap
  :data:`~lnhet_widgets.core.crystal.MAX_COHERENT_MISFIT`) but what is left of it after the
  interface has relaxed part of it, by nucleating misfit dislocations or reconstructing into
  coincidence sites, during the time t_n a shell nucleus spends on the core. That is a
  thermally activated process with ν t_n attempts over a barrier E_r:

      r(T) = 1 − exp(−ν t_n exp(−E_r / RT)),   f_rel(T) = min(f_eff (1 − r(T)), cap)

  (:func:`relaxation_fraction`, :func:`relaxed_misfit`). Misfit beyond the cap cannot be held
  coherently at all (the strained layer is past its critical thickness at one monolayer), so
  it relaxes without a barrier: the min(). With the defaults the cap binds only below
  ≈ 198 °C. Because w_el ∝ f², the core-size limit scales as 1/(1 − r)²; this is what makes
  temperature decide, as P1 says ("a high reaction temperature is crucial to help to overcome
  the lattice mismatch"). Classical nucleation alone predicts the opposite: a colder reaction
  has a higher supersaturation, which helps heterogeneous nucleation too.
* **Growth** of shells and free crystals, mixed diffusion/reaction control with the
  Gibbs–Thomson term; the monomer ledger is exact (``mass_balance_error`` ≤ 1e-9).
* **Capture.** A bare core that meets a growing crystal (Brownian collision kernel) is engulfed
  with probability ``capture_efficiency`` times its wetting factor 1 − f(m, ∞)/2, so more cores
  per precursor give more multi-core heterostructures.
* **Perovskite stability.** A cubic shell forms only if the perovskite passes lesson 1's
  tolerance-factor test (:func:`~lnhet_widgets.core.crystal.perovskite_stability` without the
  core: t − 0.80 ≥ 0.01, μ ≥ √2 − 1). CsPbI3 fails it: its monomer still nucleates free
  crystals (P1's nanowire superstructures), no shells.
* **Kinetics** (A_hom, A_het and the surface reaction rate) share one Arrhenius factor,
  activation energy ``kinetic_activation_kj_mol``, so that the water-bath quench freezes the
  reaction rather than nucleating the leftover monomer at room temperature.

Calibration: one set of defaults (the :class:`GrowthParams` field defaults) for every target of
SCIENCE §4, each a test in ``tests/test_growth.py``:

* ``dispersed_core_fraction = 0.03``. P1's amounts and P1's sizes do not balance: 1 mL of the
  Cs-oleate makes at most 0.019 cm³ of CsPbBr3, less than the 0.027 cm³ of 0.15 g of
  NaGdF4 cores, yet a 7.1 nm core in a 16.7 nm cube carries 24 times its volume in
  perovskite. Only a few per cent of the weighed core mass can act as dispersed seeds (the
  rest: oleate ligands, aggregates, cores lost in the transfer). The fraction is fixed by G4's
  edge lengths and used unchanged for every other condition; the *ratios* of edges between
  phases and sizes (G3, G4) then follow from mass balance and the core densities alone.
* Misfit relaxation: E_r = 60 kJ/mol (0.62 eV) and ν t_n = 8.5e5, fixed by P1's one pair of
  data points on temperature: 7.1 ± 0.4 nm β-LnNPs coated at 220 °C and mostly not at 210 °C
  (G5), with the 1.9-fold upconversion enhancement at 210 °C that follows from it (E6, through
  the ensemble of coated cores, bare cores and free perovskite). They give r = 0.31 at 220 °C
  and 0.24 at 210 °C (f_rel 8.3 % and 9.2 %): 1 − r changes 1.10-fold in 10 K, the core-size
  limit 1.2-fold (≈ 8.0 nm at 220 °C, ≈ 6.6 nm at 210 °C for 7 nm-class cores). G5 at
  220 °C (with G1) pins the number of successful attempts ν t_n exp(−E_r/RT) at 220 °C to
  within a few per cent; E_r then sets how much 10 K change: the coated fraction at 210 °C is
  0.33 at 40, 0.21 at 47.5, 0.14 at 50 and 0.06 at 60 kJ/mol. G5 asks for ≤ 0.25; E6's
  1.9-fold needs about 0.06 coated in the ensemble model (bare cores and free perovskite
  emit the rest; E6 ≈ 1.95 at 60 kJ/mol, 4.8 at 47.5). What they mean: 0.6 eV is the scale of
  ion migration in the soft halide lattice (halide-vacancy hops in CsPbBr3 cost a few tenths
  of an eV), the rearrangement an interface dislocation or a coincidence-site reconstruction
  needs; with an attempt frequency ν ≈ 1e13 s⁻¹, ν t_n = 8.5e5 is a nucleus that keeps its
  interface open to rearrangement for ≈ 0.1 µs before its growth locks it. These are two
  fitted constants on one pair of data points, not measured values: the model's *prediction*
  is the tilt of the coated/bare boundary with temperature (≈ 5.7, 6.6, 8.0 and > 10 nm at
  200, 210, 220 and 230 °C for 7 nm-class cores), which an experiment can test.
* Interface energies γ_shell,liquid = 0.05 J/m² (an effective CNT value for a ligand-capped
  perovskite; it also sets r* ≈ 1 nm and the Gibbs–Thomson ripening), γ_core,liquid =
  0.47 J/m² and γ_chem = 0.15 J/m²: with the relaxed misfit f_rel = 8.3 % for β-NaGdF4/CsPbBr3
  at 220 °C the wetting m crosses from wetting to non-wetting between 7.6 and 8.5 nm (the 8 nm
  limit; G1, G2). γ_core,liquid is re-fixed by G1 for the relaxed misfit (0.78 J/m² with the
  coherent one). The areal strain energy at the 8 nm limit is then 1.86 eV nm⁻² (coherent
  f_eff: 3.9 eV nm⁻²), still 2–3 times Gong and Kelley's 0.6–0.85 eV nm⁻² for CdSe/CdS: less
  relaxation would need a broader size limit than G1 allows. α-NaYF4 (f_eff 8.2 %, relaxed
  5.6 % at 220 °C) stays wetting to much larger cores: the model predicts a larger limit for
  the cubic core, which P1 did not test.
* Solubility 0.1 mM at 220 °C with ΔH_s = 200 kJ/mol: the injected 7.9 mM of monomer is
  released over ``release_time_s = 1`` s (mixing and conversion of the Cs-oleate), so that
  shells nucleated on wetting cores hold S below the homogeneous threshold at 220 °C (G7: no
  free crystals from 3.7 nm cores) while cores too large to be wetted leave the monomer to
  homogeneous nucleation (G2: ~8 nm free cubes, the size of a core-free synthesis).
  A_hom = 1e34 m⁻³ s⁻¹, A_het = 1e18 m⁻² s⁻¹, growth rate constant 1e-5 m/s,
  D = 1e-9 m²/s, kinetic activation 60 kJ/mol.
* Capture efficiency 1.2e-6: mean 1.1 cores per structure for LnNP40 (P1: "some
  heterostructures have multiple LnNP cores"), rising with core mass (G8). Re-fixed from 2e-6
  with the relaxation: partly wetted cores just above the limit are engulfed more readily, and
  the old value let 8.5–9.5 nm cores into G1's bin through capture alone.

What the model does not contain: the high-temperature side is not calibrated. Above ≈ 230 °C
the supersaturation stays lower, fewer shells nucleate and ripening is faster, so small cores
end under perovskite islands too small to enclose them; P1 did not grow above 220 °C.

Examples
--------
>>> result = simulate_growth(GrowthParams(core_diameter_nm=3.7, core_diameter_sd_nm=0.3,
...                                       simulated_cores=300), seed=1)
>>> result.coated_fraction > 0.9
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from scipy import constants

from .._base.params import ParamsDict, param
from .._base.results import ResultIO
from .._base.validate import check_range
from ..crystal import (
    MAX_COHERENT_MISFIT,
    build_heterostructure,
    coreshell_strain,
    effective_misfit,
    get_material,
    list_materials,
    perovskite_stability,
)
from ..crystal.bulk import _check_dopants, bulk
from . import _kernel as kernel
from .nucleation import planar_fletcher_factor

__all__ = [
    "CoatingMap",
    "GrowthParams",
    "GrowthResult",
    "RepresentativeGeometry",
    "RepresentativeStructures",
    "check_map_grid",
    "coating_map",
    "core_density_g_cm3",
    "core_wetting",
    "relaxation_fraction",
    "relaxed_misfit",
    "simulate_growth",
]

_AVOGADRO = constants.N_A
_GAS_CONSTANT = constants.R
_KELVIN = constants.zero_Celsius
_CS2CO3_G_MOL = 325.82
FLUORIDES = tuple(list_materials(kind="fluoride"))
HALIDES = ("Cl", "Br", "I")
# Thick-shell limit of the Lamé solution: a nucleus sits on a core that ends up deep inside
# its shell, so the elastic energy per interface area uses b ≫ a.
_THICK_SHELL_RATIO = 1000.0
_TRACE_POINTS = 400
# Steps land on the trace times during the first second (injection, release, burst); later
# a trace point takes the state at the end of the step that passes it.
_TRACE_RESOLVED_S = 1.0
# Longest time step. The monomer is integrated backward-Euler, so this bounds the accuracy of
# the slow ripening phase, not its stability; 0.25 s changes G1–G8 by < 0.02.
_DT_MAX_S = 0.25


@dataclass(frozen=True)
class GrowthParams(ParamsDict):
    """Recipe and model constants of one hot-injection reaction; defaults are P1's recipe.

    Recipe (P1 methods): 0.15 g β-NaGd0.79F4:Yb0.2,Tm0.01 cores (LnNP40, 7.6 ± 0.8 nm),
    0.5 mmol PbBr2 in 15 mL ODE + 1.5 mL OA + 1.5 mL OAm, 1 mL Cs-oleate (0.4 g Cs2CO3 in
    1.25 mL OA + 15 mL ODE) injected at 220 °C, 60 s, then a water bath. P1's other samples
    are other cores: the α/β-LnNPs of G4/G5 are α-NaY0.69F4:Yb0.3,Tm0.01 and
    β-NaGd0.69F4:Yb0.3,Tm0.01 (``dopants=(("Yb", 0.3), ("Tm", 0.01))``), the inert cores of G3
    undoped α-NaYF4 and β-NaGdF4 (``dopants=()``). The model constants and their justification
    are in the module docstring of :mod:`lnhet_widgets.core.growth`; among them the two of the
    misfit relaxation (SCIENCE §4a), ``relaxation_energy_kj_mol`` (E_r, the barrier to nucleate
    a misfit dislocation or a coincidence-site reconstruction at the interface, kJ/mol) and
    ``relaxation_attempts`` (ν t_n, attempts during the nucleation of a shell, dimensionless),
    both fixed by G5 and E6 at 210 °C vs 220 °C.

    Every field is validated at construction; a bad value raises ``ValueError`` naming the
    field, its unit and the allowed range.

    Examples
    --------
    >>> p = GrowthParams(temperature_c=210.0)
    >>> p.shell, p.reaction_volume_ml
    ('CsPbBr3', 19.0)
    >>> GrowthParams(core_diameter_nm=0.1)
    Traceback (most recent call last):
    ...
    ValueError: core_diameter_nm = 0.1 nm is outside the allowed range [1, 30] nm
    >>> GrowthParams(relaxation_energy_kj_mol=-5.0)
    Traceback (most recent call last):
    ...
    ValueError: relaxation_energy_kj_mol = -5.0 kJ/mol is outside the allowed range [0, 500] kJ/mol
    """

    core: str = param("beta-NaGdF4", label="Core phase", choices=FLUORIDES)
    dopants: tuple = (("Yb", 0.20), ("Tm", 0.01))
    core_diameter_nm: float = param(7.6, label="Core diameter", unit="nm", min=1.0, max=30.0,
                                    step=0.1, description="mean core diameter")
    core_diameter_sd_nm: float = param(0.8, label="Core size spread", unit="nm", min=0.0,
                                       max=5.0, step=0.05,
                                       description="standard deviation of the core diameter")
    core_mass_g: float = param(0.15, label="Core mass", unit="g", min=0.005, max=1.0,
                               step=0.005, description="weighed mass of purified cores")
    pbx2_mmol: float = param(0.5, label="PbX₂", unit="mmol", min=0.05, max=2.0, step=0.05)
    cs_oleate_ml: float = param(1.0, label="Cs-oleate", unit="mL", min=0.1, max=5.0,
                                step=0.1, description="volume of Cs-oleate stock injected")
    halide: str = param("Br", label="Halide X", choices=HALIDES)
    temperature_c: float = param(220.0, label="Injection T", unit="°C", min=120.0,
                                 max=300.0, step=1.0)
    time_s: float = param(60.0, label="Reaction time", unit="s", min=1.0, max=600.0, step=1.0,
                          description="time from injection to the water bath")
    ode_ml: float = 15.0
    oleic_acid_ml: float = 1.5
    oleylamine_ml: float = 1.5
    cs2co3_g: float = 0.4
    cs_stock_volume_ml: float = 16.25
    quench_time_constant_s: float = 3.0
    bath_temperature_c: float = 25.0
    quench_depth_c: float = 40.0
    # Model constants (calibrated; see the module docstring).
    surface_energy_j_m2: float = 0.05
    core_liquid_energy_j_m2: float = 0.47
    interface_chemical_energy_j_m2: float = 0.15
    solubility_mm: float = 0.1
    reference_temperature_c: float = 220.0
    dissolution_enthalpy_kj_mol: float = 200.0
    kinetic_activation_kj_mol: float = 60.0
    homogeneous_prefactor_m3_s: float = 1e34
    heterogeneous_prefactor_m2_s: float = 1e18
    growth_rate_constant_m_s: float = 1e-5
    monomer_diffusivity_m2_s: float = 1e-9
    release_time_s: float = 1.0
    capture_efficiency: float = 1.2e-6
    viscosity_mpa_s: float = 0.5
    dispersed_core_fraction: float = 0.03
    # Misfit relaxation during shell nucleation (SCIENCE §4a), fixed by G5 and E6 (210 vs 220 °C).
    relaxation_energy_kj_mol: float = 60.0
    relaxation_attempts: float = 8.5e5
    simulated_cores: int = 1500

    def __post_init__(self):
        if self.core not in FLUORIDES:
            raise ValueError(f"core must be one of {FLUORIDES}, got {self.core!r}")
        if self.halide not in HALIDES:
            raise ValueError(f"halide must be one of {HALIDES}, got {self.halide!r}")
        dopants = self.dopants.items() if isinstance(self.dopants, dict) else self.dopants
        try:
            pairs = tuple((str(el), float(x)) for el, x in dopants)
        except (TypeError, ValueError):
            raise ValueError("dopants must be pairs of (element, RE-site fraction), e.g. "
                             "(('Yb', 0.3), ('Tm', 0.01))") from None
        _check_dopants(dict(pairs), get_material(self.core).host_re)
        object.__setattr__(self, "dopants", pairs)
        for name, unit, low, high in _RANGES:
            check_range(name, getattr(self, name), unit, low, high)
        if self.temperature_c - self.quench_depth_c <= self.bath_temperature_c:
            raise ValueError(
                f"quench_depth_c = {self.quench_depth_c:g} °C must be smaller than "
                f"temperature_c − bath_temperature_c = "
                f"{self.temperature_c - self.bath_temperature_c:g} °C")
        if int(self.simulated_cores) != self.simulated_cores:
            raise ValueError(f"simulated_cores must be an integer, got {self.simulated_cores!r}")
        object.__setattr__(self, "simulated_cores", int(self.simulated_cores))

    @property
    def shell(self) -> str:
        """Perovskite key of the shell, e.g. ``"CsPbBr3"``."""
        return f"CsPb{self.halide}3"

    @property
    def reaction_volume_ml(self) -> float:
        """Liquid volume after injection, mL."""
        return self.ode_ml + self.oleic_acid_ml + self.oleylamine_ml + self.cs_oleate_ml

    @property
    def cs_mmol(self) -> float:
        """Cs injected, mmol (two Cs per Cs2CO3)."""
        return 2e3 * self.cs2co3_g / _CS2CO3_G_MOL * self.cs_oleate_ml / self.cs_stock_volume_ml

    @property
    def monomer_mmol(self) -> float:
        """CsPbX3 the reagents can make: min(Cs, Pb, X/3), mmol."""
        return min(self.cs_mmol, self.pbx2_mmol, 2.0 * self.pbx2_mmol / 3.0)

    @classmethod
    def from_dict(cls, values: dict) -> GrowthParams:
        """Rebuild from :meth:`to_dict` output (the ``dopants`` lists become tuples)."""
        values = dict(values)
        if "dopants" in values:
            values["dopants"] = tuple(tuple(p) for p in values["dopants"])
        return cls(**values)


_RANGES = (
    ("core_diameter_nm", "nm", 1.0, 30.0),
    ("core_diameter_sd_nm", "nm", 0.0, 5.0),
    ("core_mass_g", "g", 0.005, 1.0),
    ("pbx2_mmol", "mmol", 0.05, 2.0),
    ("cs_oleate_ml", "mL", 0.1, 5.0),
    ("temperature_c", "°C", 120.0, 300.0),
    ("time_s", "s", 1.0, 600.0),
    ("ode_ml", "mL", 1.0, 100.0),
    ("oleic_acid_ml", "mL", 0.0, 20.0),
    ("oleylamine_ml", "mL", 0.0, 20.0),
    ("cs2co3_g", "g", 0.01, 2.0),
    ("cs_stock_volume_ml", "mL", 1.0, 100.0),
    ("quench_time_constant_s", "s", 0.1, 60.0),
    ("bath_temperature_c", "°C", 0.0, 100.0),
    ("quench_depth_c", "°C", 1.0, 200.0),
    ("surface_energy_j_m2", "J/m²", 0.01, 1.0),
    ("core_liquid_energy_j_m2", "J/m²", 0.0, 3.0),
    ("interface_chemical_energy_j_m2", "J/m²", 0.0, 3.0),
    ("solubility_mm", "mM", 1e-6, 10.0),
    ("reference_temperature_c", "°C", 100.0, 350.0),
    ("dissolution_enthalpy_kj_mol", "kJ/mol", 0.0, 500.0),
    ("kinetic_activation_kj_mol", "kJ/mol", 0.0, 300.0),
    ("homogeneous_prefactor_m3_s", "m⁻³ s⁻¹", 1.0, 1e45),
    ("heterogeneous_prefactor_m2_s", "m⁻² s⁻¹", 0.0, 1e35),
    ("growth_rate_constant_m_s", "m/s", 1e-12, 1.0),
    ("monomer_diffusivity_m2_s", "m²/s", 1e-13, 1e-6),
    ("release_time_s", "s", 0.0, 60.0),
    ("capture_efficiency", "", 0.0, 1.0),
    ("viscosity_mpa_s", "mPa s", 0.01, 100.0),
    ("dispersed_core_fraction", "", 1e-4, 1.0),
    ("relaxation_energy_kj_mol", "kJ/mol", 0.0, 500.0),
    ("relaxation_attempts", "", 0.0, 1e15),
    ("simulated_cores", "", 10, 20000),
)


@functools.lru_cache(maxsize=64)
def core_density_g_cm3(core: str, dopants: tuple = ()) -> float:
    """Density of a (doped) core phase from its crystal structure, g/cm³.

    Examples
    --------
    >>> round(core_density_g_cm3("alpha-NaYF4"), 2)
    3.71
    """
    atoms = bulk(core, dopants=dict(dopants), supercell=(6, 6, 6) if
                 get_material(core).structure == "fluorite" else (8, 8, 12))
    return float(atoms.get_masses().sum() / _AVOGADRO / (atoms.get_volume() * 1e-24))


def core_wetting(core_diameter_nm, params: GrowthParams, *, temperature_c=None):
    """Young's wetting m = cos θ of the shell on a core, with the strain penalty (SCIENCE §4).

    m = (γ_core,liquid − γ_chem − w_el(R, T)) / γ_shell,liquid, clipped to [−1, 1], where w_el
    is the strain energy per interface area for the misfit left after relaxation at T
    (:func:`relaxed_misfit`).

    Parameters
    ----------
    core_diameter_nm : float or array_like
        Core diameters, nm.
    params : GrowthParams
        Phases and interface energies.
    temperature_c : float, optional
        Temperature of the misfit; default ``params.temperature_c``.

    Returns
    -------
    (m, w_el_j_m2) : tuple of ndarray
        Wetting and areal strain energy (J/m²).

    Examples
    --------
    >>> m, w = core_wetting([4.0, 12.0], GrowthParams())
    >>> bool(m[0] > m[1]) and bool(w[1] > w[0])
    True
    """
    temp = params.temperature_c if temperature_c is None else temperature_c
    f_rel = relaxed_misfit(params, temperature_c=temp)
    w_per_nm = _strain_energy_per_radius(params.core, params.shell) * f_rel**2
    radius_nm = 0.5 * np.asarray(core_diameter_nm, dtype=float)
    w_el = w_per_nm * radius_nm
    m = (params.core_liquid_energy_j_m2 - params.interface_chemical_energy_j_m2 - w_el)
    return np.clip(m / params.surface_energy_j_m2, -1.0, 1.0), w_el


def relaxation_fraction(temperature_c, params: GrowthParams | None = None):
    """Share r(T) of the misfit that the interface relaxes while a shell nucleates (SCIENCE §4a).

    r(T) = 1 − exp(−ν t_n exp(−E_r / RT)), with E_r = ``params.relaxation_energy_kj_mol`` and
    ν t_n = ``params.relaxation_attempts``: the probability that at least one of the ν t_n
    attempts over the barrier E_r succeeded, read as the relaxed share of the misfit. It rises
    monotonically from 0 (cold, or no attempts) to 1 (hot).

    Parameters
    ----------
    temperature_c : float or array_like
        Temperature, °C, above −273.15.
    params : GrowthParams, optional
        Source of E_r and ν t_n (default: the package defaults).

    Returns
    -------
    float or ndarray
        r(T), in [0, 1], the shape of ``temperature_c``.

    Examples
    --------
    >>> [round(float(relaxation_fraction(t)), 2) for t in (210.0, 220.0)]
    [0.24, 0.31]
    """
    p = GrowthParams() if params is None else params
    t_k = np.asarray(temperature_c, dtype=float) + _KELVIN
    if not np.all(np.isfinite(t_k)) or np.any(t_k <= 0.0):
        raise ValueError(f"temperature_c must be finite and above −273.15 °C, got "
                         f"{temperature_c!r}")
    successes = p.relaxation_attempts * np.exp(-p.relaxation_energy_kj_mol * 1e3
                                               / (_GAS_CONSTANT * t_k))
    r = -np.expm1(-successes)
    return float(r) if r.ndim == 0 else r


def relaxed_misfit(params: GrowthParams, *, temperature_c=None) -> float:
    """Misfit left in the shell's strain penalty: f_eff (1 − r(T)), at most the coherence cap.

    f_eff is the effective misfit of the core/shell pair at T
    (:func:`~lnhet_widgets.core.crystal.effective_misfit`) and r(T) is
    :func:`relaxation_fraction`. Misfit beyond
    :data:`~lnhet_widgets.core.crystal.MAX_COHERENT_MISFIT` (10 %) cannot stay coherent and
    relaxes without a barrier, so the result never exceeds the cap.

    Parameters
    ----------
    params : GrowthParams
        Core, shell and relaxation constants.
    temperature_c : float, optional
        Temperature, °C; default ``params.temperature_c``.

    Returns
    -------
    float
        Relaxed misfit (signed like f_eff).

    Examples
    --------
    >>> p = GrowthParams()
    >>> round(relaxed_misfit(p), 4), round(relaxed_misfit(p, temperature_c=210.0), 4)
    (0.0829, 0.0915)
    >>> relaxed_misfit(GrowthParams(relaxation_attempts=0.0))  # no relaxation: held at the cap
    0.1
    """
    temp = params.temperature_c if temperature_c is None else temperature_c
    f_eff = effective_misfit(params.core, params.shell, temperature_c=round(float(temp), 2))
    relaxed = abs(f_eff) * (1.0 - relaxation_fraction(temp, params))
    return math.copysign(min(relaxed, MAX_COHERENT_MISFIT), f_eff)


@functools.lru_cache(maxsize=64)
def _strain_energy_per_radius(core: str, shell: str) -> float:
    """w_el per nm of core radius and per unit misfit² (J/m² per nm), thick-shell limit.

    Linear elasticity: P ∝ f and E_el ∝ f², so one solution at f = 1 % scales to any misfit.
    """
    m_core, m_shell = get_material(core), get_material(shell)
    strain = coreshell_strain(1.0, _THICK_SHELL_RATIO, 0.01, core_bulk_gpa=m_core.bulk_gpa,
                              shell_bulk_gpa=m_shell.bulk_gpa, shell_shear_gpa=m_shell.shear_gpa,
                              n_points=3)
    return strain.energy_density_ev_nm2 * constants.e / 1e-18 / 0.01**2


@dataclass(frozen=True)
class RepresentativeGeometry:
    """The typical particles of a result, as numbers (cheap; no atoms).

    Attributes
    ----------
    edge_nm : float
        Median heterostructure edge (NaN without heterostructures).
    n_cores : int
        Cores in that heterostructure.
    core_diameter_nm : float
        Mean diameter of its cores.
    free_edge_nm : float
        Count-weighted median edge of the free crystals (NaN without free crystals).
    """

    edge_nm: float
    n_cores: int
    core_diameter_nm: float
    free_edge_nm: float


@dataclass(frozen=True)
class RepresentativeStructures:
    """Atomistic models for the 3D view: a typical heterostructure and a free nanocrystal.

    ``n_cores_shown`` can be smaller than ``geometry.n_cores`` when the edge was capped and the
    smaller cube holds fewer cores.
    """

    heterostructure: Atoms | None
    free_nanocrystal: Atoms | None
    geometry: RepresentativeGeometry
    n_cores_shown: int


@dataclass(frozen=True)
class GrowthResult(ResultIO):
    """Outcome of :func:`simulate_growth`.

    Attributes
    ----------
    params : GrowthParams
    seed : int
    core_diameters_nm : ndarray
        Diameters of the simulated cores.
    core_structure : ndarray of int
        Index into ``edge_lengths_nm`` of the heterostructure holding each core, −1 if bare.
    core_captured : ndarray of bool
        Cores that joined a heterostructure by capture rather than by nucleating a shell.
    core_partly_overgrown : ndarray of bool
        Cores carrying a perovskite island too small to enclose them (at least one perovskite
        cell on every side); they count as not coated.
    core_wetting : ndarray
        Young's wetting m of each core at the reaction temperature.
    edge_lengths_nm : ndarray
        Cube edge of each heterostructure (perovskite and embedded cores).
    cores_per_structure : ndarray of int
        Number of cores in each heterostructure.
    free_edge_lengths_nm : ndarray
        Cube edge of each free-nanocrystal class; ``free_counts`` crystals share it.
    free_counts : ndarray
        Number of free crystals each entry of ``free_edge_lengths_nm`` stands for.
    trace_time_s, trace_supersaturation, trace_monomer_mm, trace_temperature_c : ndarray
        Time traces.
    trace_homogeneous_nuclei, trace_heterogeneous_nuclei, trace_captures : ndarray
        Cumulative events per simulated core.
    monomer_initial, monomer_in_solution, monomer_in_precursor, monomer_in_shells,
    monomer_in_free : float
        Mass ledger, in monomers of the simulated volume (shells include partial islands).
    effective_misfit : float
        Coherent f_eff of the core/shell pair at the reaction temperature.
    relaxation_fraction : float
        Share r(T) of the misfit relaxed while a shell nucleates (:func:`relaxation_fraction`).
    relaxed_misfit : float
        Misfit in the strain penalty of the wetting (:func:`relaxed_misfit`).
    perovskite_stable : bool
        Whether the cubic perovskite passes the tolerance-factor test (shells allowed).
    stability_reason : str
    cores_in_reaction : float
        Dispersed cores in the whole flask.
    steps : int
        Time steps taken.
    """

    params: GrowthParams
    seed: int
    core_diameters_nm: np.ndarray
    core_structure: np.ndarray
    core_captured: np.ndarray
    core_partly_overgrown: np.ndarray
    core_wetting: np.ndarray
    edge_lengths_nm: np.ndarray
    cores_per_structure: np.ndarray
    free_edge_lengths_nm: np.ndarray
    free_counts: np.ndarray
    trace_time_s: np.ndarray
    trace_supersaturation: np.ndarray
    trace_monomer_mm: np.ndarray
    trace_temperature_c: np.ndarray
    trace_homogeneous_nuclei: np.ndarray
    trace_heterogeneous_nuclei: np.ndarray
    trace_captures: np.ndarray
    monomer_initial: float
    monomer_in_solution: float
    monomer_in_precursor: float
    monomer_in_shells: float
    monomer_in_free: float
    effective_misfit: float
    relaxation_fraction: float
    relaxed_misfit: float
    perovskite_stable: bool
    stability_reason: str
    cores_in_reaction: float
    steps: int

    @property
    def core_coated(self) -> np.ndarray:
        """Boolean per core: inside a heterostructure."""
        return self.core_structure >= 0

    @property
    def coated_fraction(self) -> float:
        """Fraction of cores inside a heterostructure."""
        return float(np.mean(self.core_coated))

    def coated_fraction_by_size(self, edges_nm) -> np.ndarray:
        """Coated fraction of the cores in each diameter bin (NaN for an empty bin).

        Parameters
        ----------
        edges_nm : array_like
            Increasing bin edges of the core diameter, nm.

        Examples
        --------
        >>> r = simulate_growth(GrowthParams(simulated_cores=200), seed=0)
        >>> r.coated_fraction_by_size([0.0, 100.0]).shape
        (1,)
        """
        edges = np.asarray(edges_nm, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("edges_nm must be an increasing sequence of at least two diameters "
                             "in nm")
        which = np.digitize(self.core_diameters_nm, edges) - 1
        out = np.full(edges.size - 1, np.nan)
        for k in range(edges.size - 1):
            inside = which == k
            if inside.any():
                out[k] = self.core_coated[inside].mean()
        return out

    @property
    def free_nanocrystals(self) -> float:
        """Number of free crystals in the simulated volume (parcels counted by weight)."""
        return float(self.free_counts.sum())

    @property
    def free_volume_fraction(self) -> float:
        """Fraction of the perovskite volume in free crystals."""
        total = self.monomer_in_free + self.monomer_in_shells
        return self.monomer_in_free / total if total > 0 else 0.0

    @property
    def mass_balance_error(self) -> float:
        """|monomer now − monomer at start| / monomer at start (should be ~1e-15)."""
        now = (self.monomer_in_solution + self.monomer_in_precursor + self.monomer_in_shells
               + self.monomer_in_free)
        return float(abs(now - self.monomer_initial) / self.monomer_initial)

    @property
    def mean_cores_per_structure(self) -> float:
        """Mean number of cores in a heterostructure (NaN without heterostructures)."""
        return float(self.cores_per_structure.mean()) if self.cores_per_structure.size else math.nan

    def summary(self) -> dict:
        """The headline numbers as a dict (for a table or a print).

        Examples
        --------
        >>> r = simulate_growth(GrowthParams(simulated_cores=200), seed=0)
        >>> sorted(r.summary())[:3]
        ['coated_fraction', 'edge_mean_nm', 'edge_sd_nm']
        """
        edges = self.edge_lengths_nm
        free_w = self.free_counts
        free_mean = (float(np.average(self.free_edge_lengths_nm, weights=free_w))
                     if free_w.sum() > 0 else math.nan)
        return {
            "coated_fraction": self.coated_fraction,
            "edge_mean_nm": float(edges.mean()) if edges.size else math.nan,
            "edge_sd_nm": float(edges.std()) if edges.size else math.nan,
            "mean_cores_per_structure": self.mean_cores_per_structure,
            "free_nanocrystals_per_core": self.free_nanocrystals / self.core_diameters_nm.size,
            "free_edge_mean_nm": free_mean,
            "free_volume_fraction": self.free_volume_fraction,
            "effective_misfit": self.effective_misfit,
            "relaxation_fraction": self.relaxation_fraction,
            "relaxed_misfit": self.relaxed_misfit,
            "perovskite_stable": self.perovskite_stable,
            "mass_balance_error": self.mass_balance_error,
        }

    def representative_geometry(self) -> RepresentativeGeometry:
        """Median heterostructure (edge, cores, their mean diameter) and median free crystal.

        Examples
        --------
        >>> r = simulate_growth(GrowthParams(core_diameter_nm=3.7, core_diameter_sd_nm=0.3,
        ...                                  simulated_cores=200), seed=0)
        >>> g = r.representative_geometry()
        >>> g.n_cores >= 1 and g.edge_nm > g.core_diameter_nm
        True
        """
        edge, n_cores, diameter = math.nan, 0, math.nan
        if self.edge_lengths_nm.size:
            pick = int(np.argsort(self.edge_lengths_nm)[self.edge_lengths_nm.size // 2])
            edge = float(self.edge_lengths_nm[pick])
            n_cores = int(self.cores_per_structure[pick])
            diameter = float(self.core_diameters_nm[self.core_structure == pick].mean())
        free_edge = math.nan
        if self.free_counts.sum() > 0:
            order = np.argsort(self.free_edge_lengths_nm)
            cumulative = np.cumsum(self.free_counts[order])
            median = order[np.searchsorted(cumulative, 0.5 * cumulative[-1])]
            free_edge = float(self.free_edge_lengths_nm[median])
        return RepresentativeGeometry(edge_nm=edge, n_cores=n_cores, core_diameter_nm=diameter,
                                      free_edge_nm=free_edge)

    def representative_structure(self, *, seed: int = 0, max_edge_nm: float = 24.0,
                                 strain: bool = True, heterostructure: bool = True,
                                 free_nanocrystal: bool = True) -> RepresentativeStructures:
        """Atomistic models of a typical heterostructure and a typical free nanocrystal.

        The particles are those of :meth:`representative_geometry`. Edges are capped at
        ``max_edge_nm`` so that the 3D view stays responsive (a 24 nm cube holds ~ 350,000
        atoms); when a capped cube cannot hold all the cores of the real particle, it shows as
        many as fit (at most 12). Either model can be skipped.

        Examples
        --------
        >>> r = simulate_growth(GrowthParams(core_diameter_nm=3.7, core_diameter_sd_nm=0.3,
        ...                                  simulated_cores=200), seed=0)
        >>> rep = r.representative_structure(free_nanocrystal=False)
        >>> rep.n_cores_shown >= 1 and len(rep.heterostructure) > 1000
        True
        """
        cap = check_range("max_edge_nm", max_edge_nm, "nm", 2.0, 40.0)
        p = self.params
        g = self.representative_geometry()
        hetero, shown = None, 0
        if heterostructure and g.n_cores:
            shown_edge = min(g.edge_nm, cap)
            shown_diameter = min(g.core_diameter_nm, 0.95 * shown_edge)
            for shown in range(min(g.n_cores, 12), 0, -1):
                try:
                    hetero = build_heterostructure(p.core, shown_diameter, p.shell, shown_edge,
                                                   dopants=dict(p.dopants), n_cores=shown,
                                                   strain=strain, seed=seed)
                    break
                except ValueError:
                    if shown == 1:
                        raise
        free = None
        if free_nanocrystal and not math.isnan(g.free_edge_nm):
            a = get_material(p.shell).a_angstrom / 10.0
            n = max(1, round(min(g.free_edge_nm, cap) / a))
            free = bulk(p.shell, supercell=(n, n, n))
            free.pbc = False
            free.center()
        return RepresentativeStructures(heterostructure=hetero, free_nanocrystal=free,
                                        geometry=g, n_cores_shown=shown)

    def to_csv(self, path=None) -> str:
        """Per-core table: diameter, structure index, captured, wetting; returns the text."""
        lines = ["core_diameter_nm,core_structure,core_captured,core_wetting,edge_length_nm"]
        for d, s, c, m in zip(self.core_diameters_nm, self.core_structure, self.core_captured,
                              self.core_wetting, strict=True):
            edge = f"{self.edge_lengths_nm[s]:.6g}" if s >= 0 else ""
            lines.append(f"{d:.6g},{s},{int(c)},{m:.6g},{edge}")
        text = "\n".join(lines) + "\n"
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text


def _draw_diameters(params: GrowthParams, rng: np.random.Generator) -> np.ndarray:
    """Normal core diameters, redrawn below 0.5 nm (a truncated normal)."""
    n = params.simulated_cores
    d = rng.normal(params.core_diameter_nm, params.core_diameter_sd_nm, n)
    bad = d < 0.5
    while bad.any():
        d[bad] = rng.normal(params.core_diameter_nm, params.core_diameter_sd_nm, bad.sum())
        bad = d < 0.5
    return d


def _trace_times(params: GrowthParams) -> np.ndarray:
    quench = params.quench_time_constant_s * math.log(
        (params.temperature_c - params.bath_temperature_c)
        / (params.temperature_c - params.quench_depth_c - params.bath_temperature_c))
    end = params.time_s + quench
    early = np.geomspace(1e-4, min(1.0, params.time_s), _TRACE_POINTS // 2)
    late = np.linspace(min(1.0, params.time_s), end, _TRACE_POINTS // 2 + 1)[1:]
    return np.concatenate([[0.0], early, late])


def simulate_growth(params: GrowthParams | None = None, seed: int = 0) -> GrowthResult:
    """Simulate one hot-injection reaction with seeds; see the module docstring for the model.

    Parameters
    ----------
    params : GrowthParams, optional
        Recipe and model constants (default: P1's recipe with LnNP40 cores).
    seed : int
        Seed of the core sizes and of every stochastic event; the same seed gives the same
        result, bit for bit.

    Returns
    -------
    GrowthResult

    Examples
    --------
    >>> r = simulate_growth(GrowthParams(simulated_cores=300), seed=0)
    >>> r.mass_balance_error < 1e-9
    True
    """
    p = GrowthParams() if params is None else params
    seed = int(check_range("seed", seed, "", 0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    diameters = _draw_diameters(p, rng)
    radius_m = 0.5e-9 * diameters

    shell = get_material(p.shell)
    stability = perovskite_stability(p.shell)
    f_eff = effective_misfit(p.core, p.shell, temperature_c=round(p.temperature_c, 2))
    wetting, _ = core_wetting(diameters, p)
    engulf = 1.0 - planar_fletcher_factor(wetting)

    # Flask: dispersed cores from the weighed mass, monomer from the limiting reagent.
    density = core_density_g_cm3(p.core, p.dopants)
    mean_core_volume_cm3 = np.pi / 6.0 * np.mean(diameters**3) * 1e-21
    cores_in_flask = p.dispersed_core_fraction * p.core_mass_g / (density * mean_core_volume_cm3)
    flask_m3 = p.reaction_volume_ml * 1e-6
    volume_m3 = flask_m3 * p.simulated_cores / cores_in_flask
    monomer_m3 = p.monomer_mmol * 1e-3 * _AVOGADRO / flask_m3
    v_m = (shell.lattice_at(p.temperature_c)[0] * 1e-10) ** 3
    ref_k = p.reference_temperature_c + _KELVIN

    (vol, core_vol, n_cores, weight, alive, host, captured, traces, n_solution, pool, _dropped,
     steps, _t_end) = kernel.run_growth(
        radius_m, wetting, engulf, _trace_times(p),
        volume_m3, monomer_m3, p.release_time_s,
        v_m, p.surface_energy_j_m2, p.solubility_mm * 1e-3 * _AVOGADRO * 1e3,
        p.dissolution_enthalpy_kj_mol * 1e3 / _GAS_CONSTANT, ref_k,
        p.kinetic_activation_kj_mol * 1e3 / _GAS_CONSTANT,
        p.homogeneous_prefactor_m3_s, p.heterogeneous_prefactor_m2_s,
        p.growth_rate_constant_m_s, p.monomer_diffusivity_m2_s, p.capture_efficiency,
        p.viscosity_mpa_s * 1e-3, p.temperature_c + _KELVIN, p.time_s,
        p.quench_time_constant_s, p.bath_temperature_c + _KELVIN,
        p.temperature_c - p.quench_depth_c + _KELVIN, _DT_MAX_S, stability.forms_shell, 40000,
        _TRACE_RESOLVED_S, rng)

    edge = np.cbrt((vol + core_vol) * 1e27)
    # A core counts as coated when its crystal encloses it with at least one perovskite cell
    # on every side (what TEM calls a core–shell particle); a smaller perovskite island on a
    # core is a partly overgrown core, reported as such, not as a heterostructure.
    host_index = np.maximum(host, 0)
    largest_core = np.zeros(vol.size)
    np.maximum.at(largest_core, host_index[host >= 0], diameters[host >= 0])
    a_shell_nm = shell.lattice_at(p.temperature_c)[0] / 10.0
    encloses = edge >= largest_core + 2.0 * a_shell_nm
    hetero = alive & (n_cores > 0) & encloses
    island = alive & (n_cores > 0) & ~encloses
    free = alive & (n_cores == 0)
    # One spare slot at the end keeps the look-ups valid when no crystal formed at all.
    index = np.append(np.full(vol.size, -1), -1)
    index[:-1][hetero] = np.arange(hetero.sum())
    core_structure = np.where(host >= 0, index[host_index], -1)
    core_island = (host >= 0) & np.append(island, False)[host_index]
    per_core = p.simulated_cores
    return GrowthResult(
        params=p,
        seed=seed,
        core_diameters_nm=diameters,
        core_structure=core_structure,
        core_captured=captured & (core_structure >= 0),
        core_partly_overgrown=core_island,
        core_wetting=wetting,
        edge_lengths_nm=edge[hetero],
        cores_per_structure=n_cores[hetero],
        free_edge_lengths_nm=edge[free],
        free_counts=weight[free],
        trace_time_s=traces[:, 0],
        trace_supersaturation=traces[:, 1],
        trace_monomer_mm=traces[:, 2] / _AVOGADRO,
        trace_temperature_c=traces[:, 3] - _KELVIN,
        trace_homogeneous_nuclei=traces[:, 4] / per_core,
        trace_heterogeneous_nuclei=traces[:, 5] / per_core,
        trace_captures=traces[:, 6] / per_core,
        monomer_initial=monomer_m3 * volume_m3,
        monomer_in_solution=float(n_solution),
        monomer_in_precursor=float(pool),
        monomer_in_shells=float(np.sum(vol[hetero | island]) / v_m),
        monomer_in_free=float(np.sum(vol[free] * weight[free]) / v_m),
        effective_misfit=float(f_eff),
        relaxation_fraction=relaxation_fraction(p.temperature_c, p),
        relaxed_misfit=relaxed_misfit(p),
        perovskite_stable=bool(stability.forms_shell),
        stability_reason=stability.reason,
        cores_in_reaction=float(cores_in_flask),
        steps=int(steps),
    )


@dataclass(frozen=True)
class CoatingMap(ResultIO):
    """Coated fraction over a grid of core diameter × temperature (see :func:`coating_map`).

    ``completed[i, j]`` is False for a cell that was cancelled by a stop or failed; its value
    is NaN and a failure's message is in ``errors``.
    """

    core_diameters_nm: np.ndarray
    temperatures_c: np.ndarray
    coated_fraction: np.ndarray
    completed: np.ndarray
    errors: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every cell was computed (not stopped, none failed)."""
        return bool(self.completed.all())


def _map_cell(params: GrowthParams, diameter: float, temperature: float, seed: int) -> float:
    cell = dataclasses.replace(params, core_diameter_nm=float(diameter),
                               temperature_c=float(temperature))
    return simulate_growth(cell, seed=seed).coated_fraction


def check_map_grid(core_diameters_nm, temperatures_c, params: GrowthParams):
    """The axes of a coating map as float arrays, each value valid for ``params``.

    Raises the :class:`GrowthParams` error (field, unit, range) for the first bad value, so a
    caller can check a grid before it hands the map to another thread.

    Examples
    --------
    >>> check_map_grid([4, 8], 220, GrowthParams())
    (array([4., 8.]), array([220.]))
    """
    diameters = np.asarray(core_diameters_nm, dtype=float).ravel()
    temps = np.asarray(temperatures_c, dtype=float).ravel()
    for d in diameters:
        dataclasses.replace(params, core_diameter_nm=float(d))
    for t in temps:
        dataclasses.replace(params, temperature_c=float(t))
    return diameters, temps


def coating_map(core_diameters_nm, temperatures_c, params: GrowthParams | None = None, *,
                executor: Executor | None = None, seed: int = 0,
                progress: Callable[[int, int], None] | None = None,
                stop: threading.Event | None = None) -> CoatingMap:
    """Coated fraction over core diameter × temperature, the cells run in parallel.

    Each cell is :func:`simulate_growth` with ``params`` at that mean diameter and injection
    temperature (the spread ``core_diameter_sd_nm`` is kept). The numba kernel releases the
    GIL, so the default executor is a thread pool with one worker per CPU; any object with a
    ``submit`` method returning futures that have ``result``, ``cancel`` and
    ``add_done_callback`` works — e.g. ``dask.distributed.Client(...).get_executor()``.

    Parameters
    ----------
    core_diameters_nm, temperatures_c : array_like
        Grid axes (nm, °C); every value must be valid for :class:`GrowthParams`.
    params : GrowthParams, optional
        Everything else (default: P1's recipe).
    executor : concurrent.futures.Executor, optional
        Where the cells run; default a ``ThreadPoolExecutor`` owned by this call.
    seed : int
        Seed of every cell.
    progress : callable, optional
        Called as ``progress(done, total)`` after each finished cell (from a worker thread).
    stop : threading.Event, optional
        When set, cells not yet started are cancelled; they are NaN in the map. A cell that
        raises is NaN too, with its message in ``CoatingMap.errors``; the others are kept.

    Returns
    -------
    CoatingMap
        ``coated_fraction[i, j]`` for ``core_diameters_nm[i]`` and ``temperatures_c[j]``.

    Examples
    --------
    >>> m = coating_map([4.0, 12.0], [220.0], GrowthParams(core_diameter_sd_nm=0.3,
    ...                                                     simulated_cores=100))
    >>> bool(m.coated_fraction[0, 0] > m.coated_fraction[1, 0])
    True
    """
    p = GrowthParams() if params is None else params
    diameters, temps = check_map_grid(core_diameters_nm, temperatures_c, p)
    own = executor is None
    pool = ThreadPoolExecutor() if own else executor
    total = diameters.size * temps.size
    done = [0]
    lock = threading.Lock()

    def finished(future):
        if future.cancelled():
            return
        with lock:
            done[0] += 1
            count = done[0]
        if progress is not None:
            progress(count, total)

    values = np.full((diameters.size, temps.size), np.nan)
    completed = np.zeros(values.shape, dtype=bool)
    errors: list[str] = []
    try:
        futures = {}
        for i, d in enumerate(diameters):
            for j, t in enumerate(temps):
                future = pool.submit(_map_cell, p, d, t, seed)
                future.add_done_callback(finished)
                futures[(i, j)] = future
        for (i, j), future in futures.items():
            if stop is not None and stop.is_set():
                for other in futures.values():
                    other.cancel()
            if future.cancelled():
                continue
            try:
                values[i, j] = future.result()
            except CancelledError:
                continue
            except Exception as error:  # one failed cell must not lose the map
                errors.append(f"{diameters[i]:g} nm, {temps[j]:g} °C: {error}")
                continue
            completed[i, j] = True
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    return CoatingMap(core_diameters_nm=diameters, temperatures_c=temps,
                      coated_fraction=values, completed=completed, errors=tuple(errors))
