"""Lattice misfit, tolerance factors, the shell criterion and f_eff (SCIENCE.md §2)."""

from __future__ import annotations

import dataclasses
import math
import time

import pytest

from lnhet_widgets.core.crystal import (
    EFFECTIVE_AREA_SHELL_CELLS,
    MAX_COHERENT_MISFIT,
    MIN_TOLERANCE_MARGIN,
    TOLERANCE_WINDOW,
    effective_misfit,
    get_material,
    list_materials,
    misfit,
    misfit_table,
    octahedral_factor,
    perovskite_stability,
    tolerance_factor,
)

HALIDES = ("Cl", "Br", "I")
SHELLS = ("CsPbCl3", "CsPbBr3", "CsPbI3")


# --- axis misfit -------------------------------------------------------------------------


@pytest.mark.parametrize(("shell", "percent"), [("CsPbBr3", 7.8), ("CsPbCl3", 2.9),
                                                 ("CsPbI3", 13.8)])
def test_p1_misfits_on_alpha_nayf4(shell, percent):
    f = misfit("alpha-NaYF4", shell)
    assert round(100 * f, 1) == percent
    a_core, a_shell = 5.52, get_material(shell).a_angstrom
    assert f == pytest.approx((a_shell - a_core) / a_core, rel=1e-12)


def test_thermal_expansion_raises_the_cspbbr3_misfit_at_220c():
    # CsPbBr3 expands at 3.5e-5 /K, NaYF4 at 1.5e-5 /K, both from 25 °C.
    expected = 5.95 * (1 + 3.5e-5 * 195) / (5.52 * (1 + 1.5e-5 * 195)) - 1
    f_hot = misfit("alpha-NaYF4", "CsPbBr3", temperature_c=220.0)
    assert f_hot == pytest.approx(expected, rel=1e-12)
    assert f_hot == pytest.approx(0.082090, abs=1e-6)
    assert f_hot > misfit("alpha-NaYF4", "CsPbBr3")


def test_misfit_takes_material_objects_and_swaps_sign():
    core, shell = get_material("alpha-NaYF4"), get_material("CsPbBr3")
    assert misfit(core, shell) == misfit("alpha-NaYF4", "CsPbBr3")
    f, g = misfit(core, shell), misfit(shell, core)
    assert (1 + f) * (1 + g) == pytest.approx(1.0)


def test_misfit_axes():
    # c with c, and the c of a hexagonal core against the a of a cubic shell.
    assert misfit("beta-NaGdF4", "beta-NaYF4", axis="c") == pytest.approx((3.53 - 3.60) / 3.60)
    assert misfit("beta-NaGdF4", "CsPbBr3", axis=("c", "a")) == pytest.approx(
        (5.95 - 3.60) / 3.60)
    # For a cubic phase c is a.
    assert misfit("alpha-NaYF4", "CsPbBr3", axis="c") == misfit("alpha-NaYF4", "CsPbBr3")


# --- tolerance and octahedral factors -----------------------------------------------------


@pytest.mark.parametrize(("radii", "expected"), [("cn6", (0.820, 0.815, 0.807)),
                                                  ("cn12", (0.870, 0.862, 0.851))])
def test_p1_tolerance_factors(radii, expected):
    got = tuple(round(tolerance_factor("Cs", "Pb", x, radii=radii), 3) for x in HALIDES)
    assert got == expected


def test_tolerance_factor_formula_with_radii_in_angstrom():
    t = tolerance_factor(1.74, 1.19, 1.96)
    assert t == pytest.approx((1.74 + 1.96) / (math.sqrt(2) * (1.19 + 1.96)))
    assert tolerance_factor("Cs", "Pb", "Br", radii="cn8") == pytest.approx(t)


def test_octahedral_factor():
    assert octahedral_factor("Pb", "I") == pytest.approx(1.19 / 2.20)
    assert octahedral_factor(1.19, 1.96) == pytest.approx(octahedral_factor("Pb", "Br"))


# --- shell criterion ---------------------------------------------------------------------


@pytest.mark.parametrize("temperature_c", [25.0, 220.0])
@pytest.mark.parametrize("radii", ["cn6", "cn12"])
def test_shells_of_cl_and_br_but_not_i_on_alpha_nayf4(radii, temperature_c):
    forms = [perovskite_stability(s, radii=radii, core="alpha-NaYF4",
                                  temperature_c=temperature_c).forms_shell for s in SHELLS]
    assert forms == [True, True, False]


def test_cn6_tolerance_margin_alone_excludes_cspbi3():
    results = [perovskite_stability(x) for x in HALIDES]
    assert [r.forms_shell for r in results] == [True, True, False]
    margins = [r.margin for r in results]
    assert margins[2] < MIN_TOLERANCE_MARGIN < margins[1] < margins[0]
    assert results[1].tolerance_window == TOLERANCE_WINDOW == (0.80, 1.11)
    assert results[2].misfit is None and "lower limit" in results[2].reason


def test_criterion_is_physics_not_a_lookup():
    # A CsPbBr3-like perovskite whose lattice is 16 % larger than α-NaYF4 loses its shell on
    # the misfit alone; one close in size keeps it. Neither is a database entry.
    br = get_material("CsPbBr3")
    expanded = dataclasses.replace(br, key="CsPbBr3-expanded", a_angstrom=6.4, c_angstrom=6.4)
    matched = dataclasses.replace(br, key="CsPbBr3-matched", a_angstrom=5.6, c_angstrom=5.6)
    big = perovskite_stability(expanded, radii="cn12", core="alpha-NaYF4")
    assert not big.forms_shell and big.misfit > MAX_COHERENT_MISFIT and "misfit" in big.reason
    assert perovskite_stability(matched, radii="cn12", core="alpha-NaYF4").forms_shell


def test_stability_result_fields():
    r = perovskite_stability("CsPbBr3", core="alpha-NaYF4", temperature_c=220.0)
    assert r.shell == "CsPbBr3" and r.core == "alpha-NaYF4" and r.radii == "cn6"
    assert r.tolerance_factor == pytest.approx(tolerance_factor("Cs", "Pb", "Br"))
    assert r.octahedral_factor == pytest.approx(1.19 / 1.96)
    assert r.margin == pytest.approx(r.tolerance_factor - 0.80)
    assert r.misfit == pytest.approx(misfit("alpha-NaYF4", "CsPbBr3", temperature_c=220.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.forms_shell = False


# --- effective misfit --------------------------------------------------------------------


@pytest.mark.parametrize("temperature_c", [25.0, 220.0])
def test_effective_misfit_of_cube_on_cube_pairs_is_the_axis_misfit(temperature_c):
    for shell in ("CsPbCl3", "CsPbBr3"):
        assert effective_misfit("alpha-NaYF4", shell, temperature_c=temperature_c) == (
            pytest.approx(misfit("alpha-NaYF4", shell, temperature_c=temperature_c), rel=1e-9))


@pytest.mark.parametrize("temperature_c", [25.0, 220.0])
def test_beta_cores_have_a_larger_one_cell_misfit_than_alpha(temperature_c):
    alpha = effective_misfit("alpha-NaYF4", "CsPbBr3", temperature_c=temperature_c)
    for core in ("beta-NaGdF4", "beta-NaYF4"):
        assert effective_misfit(core, "CsPbBr3", temperature_c=temperature_c) > alpha + 0.02


def test_effective_misfit_default_limit_and_larger_cells():
    a = get_material("CsPbBr3").a_angstrom
    default = effective_misfit("beta-NaGdF4", "CsPbBr3")
    assert default == effective_misfit("beta-NaGdF4", "CsPbBr3",
                                       max_area_a2=EFFECTIVE_AREA_SHELL_CELLS * a**2)
    assert default == pytest.approx(0.1196, abs=5e-4)
    # With room for three perovskite cells the 5c ≈ 3a cell of (10-10) ∥ (100) takes over.
    assert effective_misfit("beta-NaGdF4", "CsPbBr3", max_area_a2=120.0) < 0.011


def test_effective_misfit_plane_subset_and_spelling():
    only_100 = effective_misfit("alpha-NaYF4", "CsPbI3", planes=[((1, 0, 0), "100")])
    assert only_100 == pytest.approx(misfit("alpha-NaYF4", "CsPbI3"))
    # All planes: a strained (111) ∥ (110) cell beats cube-on-cube for CsPbI3.
    assert effective_misfit("alpha-NaYF4", "CsPbI3") < only_100 - 0.02
    hexagonal = effective_misfit("beta-NaGdF4", "CsPbBr3", planes=[("10-10", (1, 0, 0))])
    assert hexagonal == effective_misfit("beta-NaGdF4", "CsPbBr3", planes=[((1, 0, 0), "001")])


def test_effective_misfit_is_cached_and_fast():
    effective_misfit("beta-NaYF4", "CsPbCl3", temperature_c=217.3)
    start = time.perf_counter()
    for _ in range(1000):
        effective_misfit("beta-NaYF4", "CsPbCl3", temperature_c=217.3)
    assert (time.perf_counter() - start) / 1000 < 1e-4
    start = time.perf_counter()
    effective_misfit("beta-NaYF4", "CsPbCl3", temperature_c=231.7)
    assert time.perf_counter() - start < 0.1


def test_effective_misfit_without_any_match_raises():
    with pytest.raises(ValueError, match="no coincidence cell"):
        effective_misfit("beta-NaGdF4", "CsPbBr3", max_area_a2=20.0)


def test_misfit_table_rows():
    rows = misfit_table("alpha-NaYF4", temperatures_c=(25.0, 220.0))
    assert [(r["shell"], r["temperature_c"]) for r in rows] == [
        (s, t) for s in SHELLS for t in (25.0, 220.0)]
    assert [r["forms_shell"] for r in rows] == [True, True, True, True, False, False]
    assert rows[3]["misfit"] == pytest.approx(0.082090, abs=1e-6)


# --- validation --------------------------------------------------------------------------


def test_unknown_material_lists_known_keys():
    with pytest.raises(ValueError, match="unknown material 'NaLuF4'") as err:
        misfit("NaLuF4", "CsPbBr3")
    assert all(key in str(err.value) for key in list_materials())


@pytest.mark.parametrize("temperature_c", [-300.0, 1000.5, float("nan"), "hot"])
def test_temperature_out_of_range(temperature_c):
    with pytest.raises(ValueError, match="temperature_c"):
        misfit("alpha-NaYF4", "CsPbBr3", temperature_c=temperature_c)
    with pytest.raises(ValueError, match="temperature_c"):
        effective_misfit("alpha-NaYF4", "CsPbBr3", temperature_c=temperature_c)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"max_area_a2": 0.0}, "max_area_a2"),
    ({"max_area_a2": 5000.1}, "max_area_a2"),
    ({"max_strain": 0.0}, "max_strain"),
    ({"max_strain": 0.6}, "max_strain"),
    ({"max_angle_deg": -1.0}, "max_angle_deg"),
    ({"planes": [((1, 0, 0),)]}, "planes"),
    ({"planes": [((1, 0, -1, 0), (1, 0, 0))]}, "core_plane"),
    ({"planes": [((1, 0, 0), (1, 2))]}, "shell_plane"),
])
def test_effective_misfit_rejects_bad_limits(kwargs, field):
    with pytest.raises(ValueError, match=field):
        effective_misfit("alpha-NaYF4", "CsPbBr3", **kwargs)


def test_bad_axis_radii_and_ions():
    with pytest.raises(ValueError, match="axis"):
        misfit("alpha-NaYF4", "CsPbBr3", axis="b")
    with pytest.raises(ValueError, match="radii"):
        tolerance_factor("Cs", "Pb", "Br", radii="cn9")
    with pytest.raises(ValueError, match="no Shannon radius for Rb with coordination 6"):
        tolerance_factor("Rb", "Pb", "Br")
    with pytest.raises(ValueError, match=r"x = -1\.0 Å"):
        tolerance_factor("Cs", "Pb", -1.0)
    with pytest.raises(ValueError, match="perovskite key"):
        perovskite_stability("alpha-NaYF4")
