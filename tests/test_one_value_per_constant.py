"""One quantity, one value (SCIENCE.md, "Rules for every target").

A physical constant is defined once and used by every model that needs it. These tests read
the source of ``lnhet_widgets.core`` and collect every numeric constant it defines: module
constants (``NAME = 1.0``) and the numeric defaults of dataclass fields (``x: float = 1.0``
or ``x: float = param(1.0, ...)``). They fail when

* a fundamental constant differs from CODATA as scipy gives it;
* one name is given two different values in two places;
* one physical quantity, known here under several names, has two different values.
"""

from __future__ import annotations

import ast
import math
import pathlib
from collections import defaultdict

import pytest
import scipy.constants as sc

import lnhet_widgets.core

CORE = pathlib.Path(lnhet_widgets.core.__file__).parent

#: Fundamental constants under the names the core gives them (leading underscores dropped).
CODATA = {
    "KELVIN": sc.zero_Celsius,
    "BOLTZMANN_J_K": sc.k,
    "BOLTZMANN_EV_K": sc.k / sc.e,
    "AVOGADRO": sc.N_A,
    "GAS_CONSTANT": sc.R,
    "H_J_S": sc.h,
    "C_M_S": sc.c,
    "HBAR_J_S": sc.hbar,
    "ELECTRON_MASS_KG": sc.m_e,
    "EV": sc.e,
    "HC_EV_NM": sc.h * sc.c / sc.e * 1e9,
    "HC_J_M": sc.h * sc.c,
}

#: Physical quantities that models name differently: each entry maps every spelling to the
#: conversion of its value into the quantity's unit; a module constant or a dataclass field
#: of any of these names must give the same value.
QUANTITIES = {
    "exciton radiative lifetime (ns)": {
        "exciton_lifetime_ns": float, "radiative_lifetime_ns": float,
        "EXCITON_RADIATIVE_LIFETIME_NS": float},
    "trap capture rate of one empty trap (s⁻¹)": {
        "trapping_rate_per_defect_s": float, "trap_capture_time_ns": lambda ns: 1e9 / ns,
        "TRAP_CAPTURE_TIME_NS": lambda ns: 1e9 / ns},
    "lifetime of a filled trap (ns)": {
        "defect_lifetime_ns": float, "trap_lifetime_ns": float, "TRAP_LIFETIME_NS": float},
    "interface trap density on a β core (nm⁻²)": {
        "interface_defects_nm2": float, "interface_trap_density_nm2": float,
        "INTERFACE_TRAP_DENSITY_NM2": float},
    "perovskite cross-section of a 10 nm cube at 400 nm (cm²)": {
        "perovskite_cross_section_cm2": float,
        "cross_section_per_volume_cm2_nm3": lambda per_nm3: per_nm3 * 1e3},
    "exciton binding energy of CsPbBr3 (eV)": {
        "BINDING_ENERGY_EV": float, "binding_energy_ev": float},
    "Yb³⁺ ²F5/2 radiative lifetime (s)": {"yb_lifetime_s": float, "YB_LIFETIME_S": float},
    "Yb³⁺ 980 nm absorption cross-section (cm²)": {
        "yb_cross_section_cm2": float, "YB_CROSS_SECTION_CM2": float},
}


def _number(node: ast.AST) -> float | None:
    """The value of a numeric constant expression (``-1e-3``, ``1 / 4.3``), else None."""
    try:
        tree = ast.Expression(body=node)
        for child in ast.walk(tree):
            if not isinstance(child, (ast.Expression, ast.Constant, ast.UnaryOp, ast.BinOp,
                                      ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult,
                                      ast.Div, ast.Pow)):
                return None
        # Only numbers and arithmetic reach eval: the walk above refused everything else.
        value = eval(compile(tree, "<constant>", "eval"), {"__builtins__": {}})
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _default(node: ast.AST) -> float | None:
    # ``param(default, label=...)`` carries its default first.
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "param" and node.args:
        return _number(node.args[0])
    return _number(node)


def _definitions():
    """(name, value, place) of every numeric constant and numeric dataclass-field default."""
    found = []
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(CORE.parent.parent).as_posix()
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id.lstrip("_").isupper():
                name = node.targets[0].id
                value = _number(node.value)
                if value is not None:
                    found.append((name, value, f"{where}:{node.lineno}"))
                elif isinstance(node.value, ast.Dict):
                    # a table of one quantity per material: each entry is a constant
                    for key, item in zip(node.value.keys, node.value.values, strict=True):
                        value = _number(item)
                        if isinstance(key, ast.Constant) and value is not None:
                            found.append((f"{name}[{key.value}]", value,
                                          f"{where}:{node.lineno}"))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                    and node.value is not None:
                value = _number(node.value)
                if value is not None and node.target.id.lstrip("_").isupper():
                    found.append((node.target.id, value, f"{where}:{node.lineno}"))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) \
                            and item.value is not None:
                        value = _default(item.value)
                        if value is not None:
                            found.append((item.target.id, value,
                                          f"{where}:{item.lineno} ({node.name})"))
    return found


DEFINITIONS = _definitions()


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def test_the_source_scan_finds_the_constants_it_guards():
    names = {name for name, _, _ in DEFINITIONS}
    # a scan that found nothing would pass every test below
    assert len(DEFINITIONS) > 100
    assert {"EXCITON_RADIATIVE_LIFETIME_NS", "BULK_GAP_EV[CsPbBr3]", "yb_lifetime_s",
            "surface_quenching_nm3_s", "relaxation_energy_kj_mol"} <= names


@pytest.mark.parametrize("name", sorted(CODATA))
def test_fundamental_constants_are_codata(name):
    wrong = [f"{place}: {value!r}" for defined, value, place in DEFINITIONS
             if defined.lstrip("_") == name and not _same(value, CODATA[name])]
    assert not wrong, f"{name} must be {CODATA[name]!r} (scipy.constants): {wrong}"


def test_a_module_constant_has_one_value_wherever_it_is_defined():
    values = defaultdict(set)
    places = defaultdict(list)
    for name, value, place in DEFINITIONS:
        if name.lstrip("_").split("[")[0].isupper():
            key = name.lstrip("_")
            values[key].add(value)
            places[key].append(f"{place} = {value!r}")
    clashes = {key: places[key] for key, vals in values.items()
               if any(not _same(a, b) for a in vals for b in vals)}
    assert not clashes, f"one name, several values: {clashes}"


@pytest.mark.parametrize("quantity", sorted(QUANTITIES))
def test_a_physical_quantity_has_one_value_under_all_its_names(quantity):
    spellings = QUANTITIES[quantity]
    seen = [(spellings[name](value), f"{place} {name} = {value!r}")
            for name, value, place in DEFINITIONS if name in spellings]
    assert all(_same(v, seen[0][0]) for v, _ in seen), (
        f"{quantity} has several values: {[text for _, text in seen]}")
