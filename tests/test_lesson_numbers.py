"""Numbers a lesson's text states as the model's result agree with what the model computes now.

A lesson may type a model number where reading flows better than a printed table (a solution,
the Background). Each such number is listed here as (notebook, cell id, the text as typed,
how to compute it, tolerance): the test fails when the text is no longer in the cell (edit this
list with the lesson) or when the model has moved away from the typed value (edit the lesson).
A text may hold several numbers; the computation returns one value per number, in order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import numpy as np
import pytest
from scipy import constants

from lnhet_widgets.core.crystal import SHANNON_RADII_A

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"
# A number, not a digit of a formula or name (CsPbBr3, P2, a_s^2).
NUMBER = re.compile(r"(?<![\w.^])[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?(?![\w])")
YB_DECAY = "decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm.txt"
TM_3H4_DECAY = "decay_Tm_3H4_exc_NIR_980_25.0Yb_0.3Tm.txt"


@dataclass(frozen=True)
class Typed:
    notebook: str
    cell: str
    text: str
    compute: Callable[[], tuple[float, ...]]
    tolerance: float

    def typed(self) -> list[float]:
        return [float(n.replace("−", "-")) for n in NUMBER.findall(self.text)]


# --- the model's numbers, computed once per session -------------------------------------------


def _misfits_percent():
    from lnhet_widgets.core.crystal import misfit
    return tuple(100 * misfit("alpha-NaYF4", k) for k in ("CsPbCl3", "CsPbBr3", "CsPbI3"))


def _tolerance_factors():
    from lnhet_widgets.core.crystal import get_material, tolerance_factor
    return tuple(tolerance_factor("Cs", "Pb", get_material(k).halide, radii="cn6")
                 for k in ("CsPbCl3", "CsPbBr3", "CsPbI3"))


def _margins():
    from lnhet_widgets.core.crystal import TOLERANCE_WINDOW
    return tuple(t - TOLERANCE_WINDOW[0] for t in _tolerance_factors())


def _f_eff_percent(temperature_c: float = 25.0):
    from lnhet_widgets.core.crystal import effective_misfit
    return (100 * effective_misfit("beta-NaGdF4", "CsPbBr3", temperature_c=temperature_c),)


def _absorbance_1mg():
    from lnhet_widgets.core.optics import dispersion_absorbance
    from lnhet_widgets.widgets.labs.transfer_samples import FREE_PEROVSKITE
    return 1.0, 1.0, dispersion_absorbance(FREE_PEROVSKITE, concentration_mg_ml=1.0)


def _excitons_ratio():
    from lnhet_widgets.core.optics import P1_SAMPLES, bleach_kinetics
    shell, cube = (bleach_kinetics(P1_SAMPLES[k], fluence_uj_cm2=23.1).mean_excitons
                   for k in ("beta", "pure"))
    return (shell / cube,)


def _area_limit_a2():
    from lnhet_widgets.core.crystal import EFFECTIVE_AREA_SHELL_CELLS, get_material
    return (EFFECTIVE_AREA_SHELL_CELLS, EFFECTIVE_AREA_SHELL_CELLS
            * get_material("CsPbBr3").a_angstrom ** 2)


def _long_period_cell():
    from lnhet_widgets.core.crystal import coincidence_matches
    best = coincidence_matches("beta-NaGdF4", "(10-10)", "CsPbBr3", "(100)",
                               max_area_a2=150, max_strain=0.05)[0]
    return (best.area_a2,)


def _densities():
    from lnhet_widgets.core.growth import core_density_g_cm3
    return core_density_g_cm3("alpha-NaYF4", ()), core_density_g_cm3("beta-NaGdF4", ())


def _kt_ev():
    from lnhet_widgets.core.annealing import AnnealParams
    return constants.k * (AnnealParams().temperature_c + constants.zero_Celsius) / constants.e


def _jump_rate():
    from lnhet_widgets.core.annealing import AnnealParams
    p = AnnealParams()
    return p.attempt_frequency_hz * math.exp(-p.migration_yb_ev / _kt_ev())


def _step_s():
    from lnhet_widgets.core.annealing import AnnealParams, time_per_step_s
    return time_per_step_s(AnnealParams())


def _migration_ev():
    from lnhet_widgets.core.annealing import AnnealParams
    p = AnnealParams()
    return p.migration_yb_ev, p.migration_tm_ev, p.migration_y_ev, p.migration_gd_ev


def _binding():
    from lnhet_widgets.core.annealing import AnnealParams
    binding = AnnealParams().surface_vacancy_binding_ev
    return binding, math.exp(binding / _kt_ev())


def _docking():
    from lnhet_widgets.core.annealing import AnnealParams
    p = AnnealParams()
    return p.docking_rate_gd_mm_s, p.docking_rate_y_mm_s


@cache
def _decay_models():
    from lnhet_widgets.core.analysis import compare_decay_models
    from lnhet_widgets.data import load_example_decay
    return compare_decay_models(*load_example_decay(YB_DECAY))


@cache
def _rise():
    from lnhet_widgets.core.analysis import fit_rise_decay
    from lnhet_widgets.data import load_example_decay
    return fit_rise_decay(*load_example_decay(TM_3H4_DECAY))


def _practice_table(kind: str):
    """A practice file of lesson 05 (the lab's "Load practice data") as a table."""
    from lnhet_widgets.core.heterostructure.practice import practice_data
    from lnhet_widgets.io import read_table
    data = practice_data(kind)
    return read_table(data.content, name=data.name, min_columns=1)


def _practice_spectra():
    from lnhet_widgets.core.analysis import ecp, tauc_gap
    absorbance, series = _practice_table("absorbance"), _practice_table("dilution")
    converged = ecp(series.x, series.y)
    return tauc_gap(absorbance.x, absorbance.y).gap_ev, converged.ecp_nm, converged.red_shift_nm


@cache
def _practice_xrd():
    from lnhet_widgets.core.analysis import find_xrd_peaks, lattice_constant
    measured = _practice_table("xrd")
    peaks = find_xrd_peaks(measured.x, measured.y)
    shifts, indices = {}, {}
    for hkl in ((1, 0, 0), (1, 1, 0), (1, 1, 1), (2, 0, 0), (2, 1, 0), (2, 1, 1), (2, 2, 0)):
        bulk = 2 * np.degrees(np.arcsin(1.5406 * np.sqrt(sum(np.square(hkl))) / (2 * 5.95)))
        nearest = int(np.argmin(np.abs(peaks.two_theta_deg - bulk)))
        if abs(peaks.two_theta_deg[nearest] - bulk) < 0.6:
            shifts[hkl], indices[hkl] = peaks.two_theta_deg[nearest] - bulk, nearest
    fit = lattice_constant(peaks.two_theta_deg[list(indices.values())], list(indices))
    return shifts, fit.a_a


def _practice_sizes():
    from lnhet_widgets.core.analysis import size_statistics
    table = _practice_table("sizes")
    stats = size_statistics(table.x)
    return stats.mean_nm, stats.sd_nm, float(table.x.size)


def _yb_model_ms(quenching: float, etu: float = 1.0) -> float:
    from lnhet_widgets.core.analysis import fit_decay
    from lnhet_widgets.core.optics import dynamics
    from lnhet_widgets.widgets.labs.analysis_compare import SIM_PULSE, model_particle, scale_rate
    params = scale_rate(scale_rate(model_particle(YB_DECAY), "quenching", quenching), "etu", etu)
    t = np.linspace(0.0, 10e-3, 400)
    y = dynamics(params, pulse=SIM_PULSE, t_eval=t).lines[980.0]
    return fit_decay(t, y, n_exp=1).tau_avg * 1e3


def _yb_radiative_ms():
    from lnhet_widgets.widgets.labs.analysis_compare import model_particle
    return (model_particle(YB_DECAY).yb_lifetime_s * 1e3,)


def _measured_yb_ms():
    return (_decay_models().fits[1].tau_avg * 1e3,)


L1, L2, L3, L4, L5 = ("01_lattice_mismatch", "02_seeded_growth", "03_annealing",
                      "04_two_way_energy_transfer", "05_analysing_measurements")
L2B, L4B = "02b_injection_temperature", "04b_perovskite_to_lanthanide"
TYPED = [
    # Lesson 01: misfits, tolerance factors, the margin, f_eff and its area limit.
    Typed(L1, "f26ccc9c", "**+2.9 %, +7.8 % and +13.8 %**", _misfits_percent, 0.05),
    Typed(L1, "f26ccc9c", "t = 0.820, 0.815 and 0.807", _tolerance_factors, 5e-4),
    Typed(L1, "f26ccc9c", "CsPbCl3 (margin 0.020) and CsPbBr3 (0.015) pass; CsPbI3 (0.007)",
          _margins, 5e-4),
    Typed(L1, "f26ccc9c", "t at least 0.01 above the lower limit 0.8",
          lambda: (__import__("lnhet_widgets.core.crystal", fromlist=["x"]).MIN_TOLERANCE_MARGIN,
                   0.8), 1e-9),
    Typed(L1, "f26ccc9c", "hold at most 10 % of axis misfit",
          lambda: (100 * __import__("lnhet_widgets.core.crystal",
                                    fromlist=["x"]).MAX_COHERENT_MISFIT,), 1e-9),
    Typed(L1, "f26ccc9c", "1.5 perovskite faces (1.5 $a_s^2$ ≈ 53 Å²",
          lambda: (_area_limit_a2()[0], _area_limit_a2()[0], _area_limit_a2()[1]), 0.5),
    Typed(L1, "f26ccc9c", "$f_\\mathrm{eff}$ of β-NaGdF4/CsPbBr3 is ≈ 12 %",
          _f_eff_percent, 0.5),
    Typed(L1, "b0f817b1", "need\n≥ 108 Å²", _long_period_cell, 1.0),
    Typed(L1, "b0f817b1", "f_eff ≈ 12 % for β-NaGdF4", _f_eff_percent, 0.5),
    Typed(L1, "b0f817b1", "(≈ 53 Å²", lambda: (_area_limit_a2()[1],), 0.5),
    Typed(L1, "9de87580", "only 0.007 above its lower edge", lambda: (_margins()[2],), 5e-4),
    Typed(L1, "9de87580", "costs ~3× the", lambda: ((_misfits_percent()[2]
                                                    / _misfits_percent()[1]) ** 2,), 0.5),
    # Lesson 02: task 1's mass balance, f_eff, CsPbI3's tolerance factor.
    Typed(L2, "f8640d89", "(3.7 against 5.6 g/cm³)", _densities, 0.05),
    Typed(L2, "f8640d89", "give\n1.5 times *more* cores",
          lambda: (_densities()[1] / _densities()[0],), 0.05),
    Typed(L2, "f8640d89", "a 4.9 nm core has 2.3 times the volume of a 3.7 nm one",
          lambda: (4.9, (4.9 / 3.7) ** 3, 3.7), 0.05),
    Typed(L2B, "937992ff", "$f_\\mathrm{eff} \\approx 12$ %", _f_eff_percent, 0.5),
    Typed(L2, "540ee6db", "tolerance factor (0.807)", lambda: (_tolerance_factors()[2],), 5e-4),
    Typed(L2, "e5c7a9b4", "t(CsPbI3) = 0.807", lambda: (_tolerance_factors()[2],), 5e-4),
    Typed(L2, "e5c7a9b4", "Its misfit of +13.8 % alone: above 10 %",
          lambda: (_misfits_percent()[2], 100 * __import__(
              "lnhet_widgets.core.crystal", fromlist=["x"]).MAX_COHERENT_MISFIT), 0.05),
    Typed(L2, "48d422a6", "about two thirds of\nβ-NaGdF4's effective 12 %",
          lambda: (_f_eff_percent(220.0)[0],), 0.5),
    # Lesson 04: the mixture's absorbance and the excitons per crystal.
    Typed(L4, "645afc55", "holding 1 mg/mL of CsPbBr3 in a 1 cm cell already absorbs ≈ 10",
          _absorbance_1mg, 1.0),
    Typed(L4B, "f5853ffc", "≈ 4.5× more excitons", _excitons_ratio, 0.1),
    # Lesson 03: the clock and the calibrated constants.
    Typed(L3, "6bf637a9", "$k_BT$ = 0.049 eV", lambda: (_kt_ev(),), 5e-4),
    Typed(L3, "6bf637a9", "≈ 0.03 s⁻¹, about one jump per 30 s",
          lambda: (_jump_rate(), 1 / _jump_rate()), 3.0),
    Typed(L3, "6bf637a9", "with up to 8 neighbours a vacancy moves every ≈ 4 s",
          lambda: (8, _step_s()), 0.1),
    Typed(L3, "6bf637a9", "Yb 1.650, Tm 1.657, Y 1.675, Gd 1.700 eV", _migration_ev, 5e-4),
    Typed(L3, "6bf637a9", "step lasts ≈ 4 s at 300 °C, so the 1 h anneal of P2 takes ≈ 900 steps",
          lambda: (_step_s(), 300, 1, 3600 / _step_s()), 25.0),
    Typed(L3, "6bf637a9", "bound there by 0.21 eV: it steps inward about 70 times",
          _binding, 5.0),
    Typed(L3, "b3d1ff01", "Yb 1.650, Tm 1.657, Y 1.675, Gd 1.700 eV", _migration_ev, 5e-4),
    Typed(L3, "b3d1ff01", "(≈ 900 steps per hour)", lambda: (3600 / _step_s(),), 25.0),
    Typed(L3, "b3d1ff01", "≈ 4 s at 300 °C", lambda: (_step_s(), 300), 0.1),
    Typed(L3, "b3d1ff01", "| 0.21 eV |", lambda: (_binding()[0],), 1e-9),
    Typed(L3, "b3d1ff01", "Gd docks about 300 times more slowly",
          lambda: (_docking()[1] / _docking()[0],), 40.0),
    Typed(L3, "bbde5f33", "k = 3e-4 against 0.1 mM⁻¹", _docking, 1e-9),
    Typed(L3, "bbde5f33", "Gd³⁺ ion is 3 % larger than the Y³⁺",
          lambda: (100 * (SHANNON_RADII_A[("Gd", 8)] / SHANNON_RADII_A[("Y", 8)] - 1),), 0.5),
    # Lesson 05: fits of the bundled decays and of the practice data.
    Typed(L5, "69ff9ef0", "runs z ≈ −15) and χ²ᵣ ≈ 1.5",
          lambda: (_decay_models().runs_z[0], _decay_models().fits[0].reduced_chi2), 0.6),
    Typed(L5, "69ff9ef0", "Two\nbring χ²ᵣ to 1.00",
          lambda: (_decay_models().fits[1].reduced_chi2,), 0.005),
    Typed(L5, "69ff9ef0", "(F-test p ≈ 1e-5)", lambda: (_decay_models().p_values[1][2],), 5e-6),
    Typed(L5, "69ff9ef0", "2.29 ms with two\ncomponents, 2.36 ms with three",
          lambda: (_decay_models().fits[1].tau_avg * 1e3, _decay_models().fits[2].tau_avg * 1e3),
          0.005),
    Typed(L5, "bb7ed742", "rises over ≈ 0.76 ms and decays with ≈ 2.14 ms (χ²ᵣ 1.08)",
          lambda: (_rise().rise_time * 1e3, _rise().decay_time * 1e3, _rise().reduced_chi2),
          0.005),
    Typed(L5, "fce8a487", "the gap comes out ≈ 2.35 eV", lambda: (_practice_spectra()[0],), 0.005),
    Typed(L5, "fce8a487", "converges at ≈ 520 nm, ~5 nm blue",
          lambda: _practice_spectra()[1:], 0.5),
    Typed(L5, "327e005a", "about\n0.19° at (100) and 0.39° at (220)",
          lambda: (_practice_xrd()[0][(1, 0, 0)], 100, _practice_xrd()[0][(2, 2, 0)], 220), 0.01),
    Typed(L5, "327e005a", "constant is ≈ 5.90 Å instead of 5.95 Å",
          lambda: (_practice_xrd()[1], 5.95), 0.005),
    Typed(L5, "f608c3ae", "≈ 17.1 ± 0.7 nm over ~1500 particles", _practice_sizes, 100.0),
    Typed(L5, "c8c8a3b4", "but only to about 1 ms", lambda: (_yb_model_ms(0.001),), 0.1),
    Typed(L5, "c8c8a3b4", "2.5 ms in\nsimetuc's parameter set", _yb_radiative_ms, 1e-9),
    Typed(L5, "c8c8a3b4", "transfer (×0.1) and comes close to the measured 2.3 ms",
          lambda: (0.1, *_measured_yb_ms()), 0.05),
]


@cache
def _sources(notebook: str) -> dict[str, str]:
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    return {cell.get("id"): cell.source for cell in nb.cells}


@pytest.mark.parametrize("entry", TYPED, ids=lambda e: f"{e.notebook[:2]}-{e.cell}-{e.text[:24]}")
def test_typed_model_number_is_what_the_model_computes(entry):
    assert entry.text in _sources(entry.notebook)[entry.cell], (
        f"{entry.notebook} cell {entry.cell} no longer says {entry.text!r}: update TYPED")
    typed, computed = entry.typed(), [float(v) for v in entry.compute()]
    assert len(typed) == len(computed), f"{entry.text!r}: {len(typed)} numbers, {computed}"
    wrong = [(t, c) for t, c in zip(typed, computed, strict=True)
             if abs(t - c) > entry.tolerance]
    assert not wrong, (f"{entry.notebook} cell {entry.cell}: typed {entry.text!r}, the model "
                       f"gives {computed} (± {entry.tolerance})")


def test_a_changed_model_number_fails():
    entry = TYPED[1]
    drifted = Typed(entry.notebook, entry.cell, entry.text, lambda: (0.820, 0.815, 0.795), 5e-4)
    with pytest.raises(AssertionError, match="the model gives"):
        test_typed_model_number_is_what_the_model_computes(drifted)
