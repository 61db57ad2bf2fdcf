"""Where each default of :class:`~lnhet_widgets.core.growth.GrowthParams` comes from.

Every field is a *recipe* value (P1's methods), an *estimate* (a physically reasonable order of
magnitude without a measurement for this system), *calibrated* (set once so that one parameter
set meets all of P1's observations) or a *convention* / *numerics* choice. Lesson 2 shows the
table; a test keeps it complete.
"""

from __future__ import annotations

import dataclasses

from .params import GrowthParams

__all__ = ["GROWTH_PARAM_SOURCES", "param_sources_markdown"]

#: field -> (unit where the field's metadata gives none, kind, source or justification)
GROWTH_PARAM_SOURCES = {
    "core": ("", "recipe", "LnNP40 of P1: β-NaGd0.79F4:Yb0.2,Tm0.01"),
    "dopants": ("RE-site fraction", "recipe", "P1's LnNP40 composition"),
    "core_diameter_nm": ("", "recipe", "LnNP40: 7.6 ± 0.8 nm (P1, TEM)"),
    "core_diameter_sd_nm": ("", "recipe", "LnNP40: 7.6 ± 0.8 nm (P1, TEM)"),
    "core_mass_g": ("", "recipe", "P1 methods: 0.15 g purified LnNPs"),
    "pbx2_mmol": ("", "recipe", "P1 methods: 0.5 mmol PbBr2 (0.1835 g)"),
    "cs_oleate_ml": ("", "recipe", "P1 methods: 1 mL Cs-oleate injected"),
    "halide": ("", "recipe", "CsPbBr3 shells in P1's main experiments"),
    "temperature_c": ("", "recipe", "P1: injection at 220 °C"),
    "time_s": ("", "recipe", "P1: 60 s, then water bath"),
    "ode_ml": ("mL", "recipe", "P1 methods: 15 mL ODE"),
    "oleic_acid_ml": ("mL", "recipe", "P1 methods: 1.5 mL OA"),
    "oleylamine_ml": ("mL", "recipe", "P1 methods: 1.5 mL OAm"),
    "cs2co3_g": ("g", "recipe", "P1: 0.4 g Cs2CO3 in the Cs-oleate stock"),
    "cs_stock_volume_ml": ("mL", "recipe", "P1: 1.25 mL OA + 15 mL ODE in the stock"),
    "quench_time_constant_s": ("s", "estimate", "cooling of a small flask in a water bath"),
    "bath_temperature_c": ("°C", "estimate", "room-temperature water bath"),
    "quench_depth_c": ("°C", "estimate",
                       "the run ends this far below the injection temperature; nothing "
                       "happens any more"),
    "surface_energy_j_m2": ("J/m²", "calibrated",
                            "γ_shell,liquid of oleate-capped CsPbBr3 at 220 °C"),
    "core_liquid_energy_j_m2": ("J/m²", "calibrated",
                                "γ_core,liquid, the least known; with γ_chem it puts the "
                                "wetting/non-wetting turn of β-NaGdF4 (with the misfit left "
                                "after relaxation at 220 °C, lesson 2b) near 8 nm (LnNP40 "
                                "partly, LnNP60 not coated)"),
    "interface_chemical_energy_j_m2": ("J/m²", "calibrated",
                                       "γ_chem, the core/shell interface without strain"),
    "solubility_mm": ("mM", "calibrated", "C_ref; sets the supersaturation"),
    "reference_temperature_c": ("°C", "convention", "temperature at which C_ref is given"),
    "dissolution_enthalpy_kj_mol": ("kJ/mol", "calibrated",
                                    "ΔH_s; makes 210 °C burst where 220 °C does not, and "
                                    "leaves few free crystals at 220 °C"),
    "kinetic_activation_kj_mol": ("kJ/mol", "estimate",
                                  "one Arrhenius factor for all kinetics: the quench freezes"),
    "homogeneous_prefactor_m3_s": ("m⁻³ s⁻¹", "estimate", "A_hom, CNT order of magnitude"),
    "heterogeneous_prefactor_m2_s": ("m⁻² s⁻¹", "estimate", "A_het, CNT order of magnitude"),
    "growth_rate_constant_m_s": ("m/s", "estimate", "surface reaction rate constant k"),
    "monomer_diffusivity_m2_s": ("m²/s", "estimate", "D of a small complex in hot ODE"),
    "release_time_s": ("s", "estimate", "mixing and conversion of the injected Cs-oleate"),
    "capture_efficiency": ("", "calibrated",
                           "engulfing per collision; more core mass gives more "
                           "multi-core structures"),
    "viscosity_mpa_s": ("mPa s", "estimate", "hot ODE/OA/OAm; enters Brownian collisions"),
    "dispersed_core_fraction": ("", "calibrated",
                                "share of the weighed cores acting as seeds; set by the "
                                "edges of the 7 nm-core heterostructures (see above)"),
    "relaxation_energy_kj_mol": ("kJ/mol", "calibrated",
                                 "E_r, barrier of the interface relaxation (misfit dislocation, "
                                 "coincidence-site reconstruction); fixed by 210 vs 220 °C"),
    "relaxation_attempts": ("", "calibrated",
                            "ν·t_n, attempts while a shell nucleates; fixed by 210 vs "
                            "220 °C"),
    "simulated_cores": ("", "numerics", "sample size; the statistics, not the chemistry"),
}


def _shown(value) -> str:
    if isinstance(value, tuple):
        return ", ".join(f"{el} {x:g}" for el, x in value) or "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def param_sources_markdown(params: GrowthParams | None = None) -> str:
    """A Markdown table of every field of ``params``: value, unit, kind and source.

    The values are read from ``params`` (default: the defaults), so the table shows what the
    simulation uses.

    Raises
    ------
    ValueError
        If a field of GrowthParams has no entry in :data:`GROWTH_PARAM_SOURCES`.

    Examples
    --------
    >>> table = param_sources_markdown()
    >>> table.splitlines()[0]
    '| field | default | unit | kind | source or justification |'
    >>> "| `core_mass_g` | 0.15 | g | recipe |" in table
    True
    """
    params = GrowthParams() if params is None else params
    missing = [f.name for f in dataclasses.fields(params) if f.name not in GROWTH_PARAM_SOURCES]
    if missing:
        raise ValueError(f"GROWTH_PARAM_SOURCES has no source for the fields {missing}")
    rows = ["| field | default | unit | kind | source or justification |",
            "|---|---|---|---|---|"]
    for field in dataclasses.fields(params):
        unit, kind, why = GROWTH_PARAM_SOURCES[field.name]
        unit = field.metadata.get("unit") or unit
        rows.append(f"| `{field.name}` | {_shown(getattr(params, field.name))} | {unit} "
                    f"| {kind} | {why} |")
    return "\n".join(rows)
