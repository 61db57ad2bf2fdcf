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
* **Misfit relaxation while a shell nucleates** (SCIENCE §4a). The misfit in w_el is what is
  left of the coherent f_eff of the pair after the interface has relaxed part of it during the
  time a shell nucleus spends on the core, a thermally activated share r(T); it makes
  temperature decide the core-size limit (:mod:`~lnhet_widgets.core.growth.wetting`).
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

The defaults of the model constants and how each was fixed by a target of SCIENCE §4 are in
:mod:`~lnhet_widgets.core.growth.params`.

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

import functools
import math

import numpy as np
from scipy import constants

from .._base.validate import check_range
from ..crystal import bulk, effective_misfit, get_material, perovskite_stability
from . import _kernel as kernel
from .nucleation import planar_fletcher_factor
from .params import GrowthParams
from .result import GrowthResult
from .wetting import core_wetting, relaxation_fraction, relaxed_misfit

__all__ = ["core_density_g_cm3", "simulate_growth"]

_AVOGADRO = constants.N_A
_GAS_CONSTANT = constants.R
_KELVIN = constants.zero_Celsius
_TRACE_POINTS = 400
# Steps land on the trace times during the first second (injection, release, burst); later
# a trace point takes the state at the end of the step that passes it.
_TRACE_RESOLVED_S = 1.0
# Longest time step. The monomer is integrated backward-Euler, so this bounds the accuracy of
# the slow ripening phase, not its stability; 0.25 s changes G1–G8 by < 0.02.
_DT_MAX_S = 0.25


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
