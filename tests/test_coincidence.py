"""Zur–McGill coincidence-lattice search (SCIENCE.md §2): plane lattices, Hermite normal forms,
the α-NaYF4 / β-NaGdF4 contrast against CsPbBr3, and checks against a brute-force search."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from lnhet_widgets.core.crystal import (
    CoincidenceMatch,
    coincidence_matches,
    misfit,
    parse_miller,
    plane_lattice,
    superlattice_matrices,
)
from lnhet_widgets.core.crystal import coincidence_matches as reexported

A_NAYF4, A_BR = 5.52, 5.95
A_GD, C_GD = 6.02, 3.60
CUBIC = ("100", "110", "111")
HEXAGONAL = ("0001", "10-10", "11-20")


def _angle_deg(u, v):
    cos = float(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return math.degrees(math.acos(min(1.0, max(-1.0, cos))))


def _cross(u, v):
    return u[0] * v[1] - u[1] * v[0]


def _analytic_basis(kind, a, c=None):
    """Plane lattices written down by hand (independent of plane_lattice)."""
    s3 = math.sqrt(3.0)
    return np.array({
        "sc100": [[a, 0], [0, a]],
        "sc110": [[a, 0], [0, a * math.sqrt(2)]],
        "sc111": [[a * math.sqrt(2), 0], [a * math.sqrt(2) / 2, a * math.sqrt(6) / 2]],
        "fcc100": [[a / math.sqrt(2), 0], [0, a / math.sqrt(2)]],
        "hex0001": [[a, 0], [a / 2, a * s3 / 2]],
        "hex10-10": [[c, 0], [0, a]],
        "hex11-20": [[c, 0], [0, a * s3]],
    }[kind], dtype=float)


def _brute_force(core_basis, shell_basis, max_area, max_strain, max_angle_deg):
    """Map core area -> RMS strains of every coincidence cell, by enumerating lattice vectors.

    Core cells are taken in their reduced form (|u| <= |v|, 0 <= u·v <= |u|²/2), shell cells in
    any basis of any handedness; no Hermite normal forms, no reduction code.
    """
    def vectors(basis, max_len):
        n = np.arange(-14, 15)
        vec = np.array(list(itertools.product(n, n))) @ basis
        length = np.linalg.norm(vec, axis=1)
        keep = (length > 1e-9) & (length <= max_len)
        return vec[keep], length[keep]

    min_len = min(np.linalg.norm(core_basis, axis=1))
    vc, lc = vectors(core_basis, max_area / (min_len * math.sin(math.pi / 3)) + 1e-6)
    vs, ls = vectors(shell_basis, (1 + max_strain) * lc.max() + 1e-6)
    sp, sq = np.array(list(itertools.product(range(len(vs)), repeat=2))).T
    shell_area = np.abs(vs[sp, 0] * vs[sq, 1] - vs[sp, 1] * vs[sq, 0])
    keep = (shell_area > 1e-9) & (shell_area <= max_area)
    sp, sq = sp[keep], sq[keep]
    shell_angle = np.degrees(np.arccos(np.clip(
        np.einsum("ij,ij->i", vs[sp], vs[sq]) / (ls[sp] * ls[sq]), -1, 1)))
    found: dict[float, set[float]] = {}
    for i, j in itertools.product(range(len(vc)), repeat=2):
        u, v = vc[i], vc[j]
        cross = _cross(u, v)
        dot = float(u @ v)
        if not (1e-9 < cross <= max_area and lc[i] <= lc[j] + 1e-9
                and -1e-9 <= dot <= lc[i] ** 2 / 2 + 1e-9):
            continue
        ok = (np.abs(ls[sp] / lc[i] - 1) <= max_strain) & (np.abs(ls[sq] / lc[j] - 1) <= max_strain)
        ok &= np.abs(shell_angle - _angle_deg(u, v)) <= max_angle_deg
        if ok.any():
            shell_cols = np.stack([vs[sp[ok]], vs[sq[ok]]], axis=-1)
            stretches = np.linalg.svd(shell_cols @ np.linalg.inv(np.array([u, v]).T),
                                      compute_uv=False)
            rms = np.sqrt(np.mean((stretches - 1) ** 2, axis=1))
            found.setdefault(round(cross, 3), set()).update(np.round(rms, 6).tolist())
    return found


# --- plane lattices and Miller indices ----------------------------------------------------


@pytest.mark.parametrize(("key", "plane", "area"), [
    ("CsPbBr3", "100", A_BR**2),
    ("CsPbBr3", "110", A_BR**2 * math.sqrt(2)),
    ("CsPbBr3", "111", A_BR**2 * math.sqrt(3)),
    ("alpha-NaYF4", "100", A_NAYF4**2 / 2),  # fcc: the centring halves the (100) cell
    ("alpha-NaYF4", "110", A_NAYF4**2 / math.sqrt(2)),
    ("alpha-NaYF4", "111", A_NAYF4**2 * math.sqrt(3) / 4),
    ("beta-NaGdF4", "0001", A_GD**2 * math.sqrt(3) / 2),
    ("beta-NaGdF4", "10-10", A_GD * C_GD),
    ("beta-NaGdF4", "11-20", A_GD * math.sqrt(3) * C_GD),
])
def test_plane_lattice_area_and_reduction(key, plane, area):
    basis = plane_lattice(key, plane)
    u, v = basis
    assert abs(np.linalg.det(basis)) == pytest.approx(area, rel=1e-12)
    assert u[1] == 0 and v[1] > 0
    assert np.linalg.norm(u) <= np.linalg.norm(v) + 1e-12
    assert 0 <= u @ v <= (u @ u) / 2 + 1e-12


def test_plane_lattice_expands_with_temperature():
    cold = plane_lattice("CsPbBr3", "100")
    hot = plane_lattice("CsPbBr3", "100", temperature_c=220.0)
    assert hot[0, 0] == pytest.approx(cold[0, 0] * (1 + 3.5e-5 * 195))


@pytest.mark.parametrize(("text", "hexagonal", "expected"), [
    ("10-10", True, (1, 0, 0)),
    ("(11-20)", True, (1, 1, 0)),
    ((0, 0, 0, 1), True, (0, 0, 1)),
    ("1 -1 0 0", True, (1, -1, 0)),
    ("111", False, (1, 1, 1)),
    ([1, 0, 0], False, (1, 0, 0)),
    ("1,-1,0", False, (1, -1, 0)),
])
def test_parse_miller(text, hexagonal, expected):
    assert parse_miller(text, hexagonal=hexagonal) == expected


@pytest.mark.parametrize(("plane", "hexagonal", "message"), [
    ((1, 0, 0, 0), True, "i = −"),
    ((1, 0, -1, 0), False, "hexagonal phases only"),
    ((0, 0, 0), False, "cannot all be zero"),
    ((1, 0), False, "3 or 4 integer"),
    ((1.5, 0, 0), False, "3 or 4 integer"),
    ("1x0", False, "not a list of Miller indices"),
    ((10, 0, 0), False, r"\[-9, 9\]"),
    (None, False, "3 or 4 integer"),
])
def test_parse_miller_rejects(plane, hexagonal, message):
    with pytest.raises(ValueError, match=f"core_plane.*{message}"):
        parse_miller(plane, hexagonal=hexagonal, field="core_plane")


# --- Hermite normal forms -------------------------------------------------------------------


def _sigma(n):
    return sum(d for d in range(1, n + 1) if n % d == 0)


def _same_lattice(m1, m2):
    coeff = m1 @ np.linalg.inv(m2)
    inverse = m2 @ np.linalg.inv(m1)
    return np.allclose(coeff, np.rint(coeff)) and np.allclose(inverse, np.rint(inverse))


@pytest.mark.parametrize("n", range(1, 31))
def test_number_of_superlattices_is_the_divisor_sum(n):
    hnfs = superlattice_matrices(n)
    assert len(hnfs) == _sigma(n)
    assert all(round(abs(np.linalg.det(h))) == n for h in hnfs)
    for h1, h2 in itertools.combinations(hnfs, 2):
        assert not _same_lattice(h1, h2)


def test_every_integer_matrix_is_one_of_the_hermite_forms():
    rng = np.random.default_rng(4)
    for _ in range(200):
        m = rng.integers(-6, 7, size=(2, 2))
        n = round(abs(np.linalg.det(m)))
        if n == 0 or n > 40:
            continue
        assert sum(_same_lattice(m, h) for h in superlattice_matrices(n)) == 1


def test_superlattice_matrices_rejects_bad_index():
    with pytest.raises(ValueError, match="positive integer"):
        superlattice_matrices(0)


# --- the lesson's contrast --------------------------------------------------------------------


def test_alpha_nayf4_100_has_the_one_cell_match_with_the_p1_misfit():
    matches = coincidence_matches("alpha-NaYF4", (1, 0, 0), "CsPbBr3", (1, 0, 0), max_strain=0.08)
    best = matches[0]
    assert (best.rank, best.core_multiplicity, best.shell_multiplicity) == (1, 2, 1)
    assert best.area_a2 == pytest.approx(A_NAYF4**2)  # the conventional fluorite face
    assert best.shell_area_a2 == pytest.approx(A_BR**2)
    f = misfit("alpha-NaYF4", "CsPbBr3")
    assert best.strain_u == pytest.approx(f) and best.strain_v == pytest.approx(f)
    assert best.rms_strain == pytest.approx(f) and best.angle_misfit_deg == pytest.approx(0.0)


def test_alpha_nayf4_100_with_a_5_percent_cap_needs_larger_cells():
    matches = coincidence_matches("alpha-NaYF4", (1, 0, 0), "CsPbBr3", (1, 0, 0))
    assert min(m.area_a2 for m in matches) > 2 * A_NAYF4**2
    best = matches[0]
    # √5 × √5 R26.6° of the fluorite (100) net against √2 × √2 R45° of the perovskite face.
    assert (best.core_multiplicity, best.shell_multiplicity) == (5, 2)
    expected = A_BR * math.sqrt(2) / (A_NAYF4 / math.sqrt(2) * math.sqrt(5)) - 1
    assert best.strain_u == pytest.approx(expected) and expected == pytest.approx(-0.0359, abs=1e-4)
    # 3 fluorite (a/√2) spacings against 2 perovskite spacings: 1.6 % at 137 Å².
    assert any(m.core_multiplicity == 9 and m.shell_multiplicity == 4
               and m.rms_strain == pytest.approx(2 * A_BR / (3 * A_NAYF4 / math.sqrt(2)) - 1)
               for m in matches)


def test_beta_nagdf4_has_no_small_cell_on_any_plane_pair():
    smallest = {}
    for core_plane, shell_plane in itertools.product(HEXAGONAL, CUBIC):
        matches = coincidence_matches("beta-NaGdF4", core_plane, "CsPbBr3", shell_plane,
                                      max_strain=0.08)
        assert all(m.area_a2 > 100.0 and m.shell_area_a2 > 100.0 for m in matches)
        if matches:
            smallest[(core_plane, shell_plane)] = matches[0]
    best = min(smallest.values(), key=lambda m: m.area_a2)
    assert best is smallest[("10-10", "100")]
    # 5 c ≈ 3 a along [0001] and a ≈ a across: three perovskite cells, 108 Å².
    assert (best.core_multiplicity, best.shell_multiplicity) == (5, 3)
    assert best.area_a2 == pytest.approx(5 * C_GD * A_GD)
    assert sorted([best.strain_u, best.strain_v]) == pytest.approx(
        sorted([A_BR / A_GD - 1, 3 * A_BR / (5 * C_GD) - 1]))


@pytest.mark.parametrize(("core", "core_kind", "c"), [("alpha-NaYF4", "fcc100", None),
                                                      ("beta-NaGdF4", "hex10-10", C_GD)])
def test_contrast_holds_in_a_brute_force_search(core, core_kind, c):
    a = A_NAYF4 if c is None else A_GD
    core_plane = "100" if c is None else "10-10"
    core_basis = _analytic_basis(core_kind, a, c)
    shell_basis = _analytic_basis("sc100", A_BR)
    brute = _brute_force(core_basis, shell_basis, 100.0, 0.08, 1.0)
    ours = coincidence_matches(core, core_plane, "CsPbBr3", "100", max_area_a2=100.0,
                               max_strain=0.08)
    for m in ours:
        assert round(m.rms_strain, 6) in brute[round(m.area_a2, 3)]
    # The best cell of every area is one of ours, or a supercell of one (same strain).
    for area, rms_values in brute.items():
        assert any(round(m.rms_strain, 6) == min(rms_values)
                   and abs(area / m.area_a2 - round(area / m.area_a2)) < 1e-4 for m in ours)
    if c is None:
        assert min(brute) == pytest.approx(A_NAYF4**2, abs=1e-3)
    else:
        assert brute == {}


# --- returned vectors are self-consistent -------------------------------------------------------


def _check_match(m: CoincidenceMatch):
    assert np.allclose(m.core_vectors_a, m.core_matrix @ m.core_basis_a)
    assert np.allclose(m.shell_vectors_a, m.shell_matrix @ m.shell_basis_a)
    assert round(abs(np.linalg.det(m.core_matrix))) == m.core_multiplicity
    assert round(abs(np.linalg.det(m.shell_matrix))) == m.shell_multiplicity
    assert abs(np.linalg.det(m.core_vectors_a)) == pytest.approx(m.area_a2)
    assert abs(np.linalg.det(m.shell_vectors_a)) == pytest.approx(m.shell_area_a2)
    (u_c, v_c), (u_s, v_s) = m.core_vectors_a, m.shell_vectors_a
    assert m.strain_u == pytest.approx(np.linalg.norm(u_s) / np.linalg.norm(u_c) - 1, abs=1e-12)
    assert m.strain_v == pytest.approx(np.linalg.norm(v_s) / np.linalg.norm(v_c) - 1, abs=1e-12)
    assert m.angle_misfit_deg == pytest.approx(_angle_deg(u_s, v_s) - _angle_deg(u_c, v_c),
                                               abs=1e-9)
    stretches = np.linalg.svd(m.shell_vectors_a.T @ np.linalg.inv(m.core_vectors_a.T),
                              compute_uv=False)
    assert m.rms_strain == pytest.approx(math.sqrt(np.mean((stretches - 1) ** 2)), abs=1e-12)
    aligned = m.aligned_shell_vectors_a
    assert np.linalg.norm(aligned, axis=1) == pytest.approx(np.linalg.norm(m.shell_vectors_a,
                                                                           axis=1))
    assert _cross(aligned[0], u_c) == pytest.approx(0.0, abs=1e-9) and aligned[0] @ u_c > 0
    assert _angle_deg(*aligned) == pytest.approx(_angle_deg(u_s, v_s), abs=1e-9)
    assert np.sign(_cross(u_c, aligned[1])) == np.sign(_cross(u_c, v_c))


@pytest.mark.parametrize(("core", "core_planes"), [("alpha-NaYF4", CUBIC),
                                                   ("beta-NaGdF4", HEXAGONAL)])
def test_strains_recomputed_from_the_vectors(core, core_planes):
    for core_plane, shell_plane in itertools.product(core_planes, CUBIC):
        matches = coincidence_matches(core, core_plane, "CsPbBr3", shell_plane,
                                      max_area_a2=300.0, max_strain=0.08, max_angle_deg=2.0)
        for m in matches:
            _check_match(m)
            assert m.max_abs_strain <= 0.08 and abs(m.angle_misfit_deg) <= 2.0
            assert m.area_a2 <= 300.0 and m.shell_area_a2 <= 300.0
        assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
        keys = [(m.area_a2, m.rms_strain) for m in matches]
        assert keys == sorted(keys)


def test_no_duplicates_or_plain_supercells():
    matches = coincidence_matches("alpha-NaYF4", "100", "CsPbBr3", "100", max_strain=0.08)
    signatures = [(m.core_multiplicity, m.shell_multiplicity, round(m.strain_u, 6),
                   round(m.strain_v, 6)) for m in matches]
    assert len(signatures) == len(set(signatures))
    # The 2 × 2 (and 3 × 3) supercells of the one-cell match carry the same strain: left out.
    f = misfit("alpha-NaYF4", "CsPbBr3")
    assert [m.area_a2 for m in matches if m.rms_strain == pytest.approx(f)] == [
        pytest.approx(A_NAYF4**2)]


@pytest.mark.parametrize(("core", "planes_a", "planes_b"), [
    ("alpha-NaYF4", ("100", "100"), ((0, 0, 1), (0, -1, 0))),
    ("alpha-NaYF4", ("110", "111"), ((1, 0, 1), (1, -1, 1))),
    ("beta-NaGdF4", ("10-10", "100"), ((0, 1, -1, 0), (0, 0, -1))),
    ("beta-NaGdF4", ((1, 0, 0), "110"), ((-1, 1, 0, 0), (0, 1, 1))),
    ("beta-NaGdF4", ("11-20", "111"), ((-2, 1, 1, 0), (-1, 1, 1))),
    ("beta-NaGdF4", ("0001", "100"), ((0, 0, -1), "010")),
])
def test_equivalent_plane_descriptions_give_the_same_matches(core, planes_a, planes_b):
    def summary(planes):
        return [(m.core_multiplicity, m.shell_multiplicity, round(m.area_a2, 9),
                 round(m.rms_strain, 12), sorted([round(m.strain_u, 12), round(m.strain_v, 12)]))
                for m in coincidence_matches(core, planes[0], "CsPbBr3", planes[1],
                                             max_strain=0.08)]
    assert summary(planes_a) == summary(planes_b)


def test_matches_follow_temperature():
    cold = coincidence_matches("alpha-NaYF4", "100", "CsPbBr3", "100", max_strain=0.09)[0]
    hot = coincidence_matches("alpha-NaYF4", "100", "CsPbBr3", "100", max_strain=0.09,
                              temperature_c=220.0)[0]
    assert hot.strain_u == pytest.approx(misfit("alpha-NaYF4", "CsPbBr3", temperature_c=220.0))
    assert hot.strain_u > cold.strain_u


def test_reexport_and_plain_dict():
    assert reexported is coincidence_matches
    m = coincidence_matches("alpha-NaYF4", "100", "CsPbBr3", "100", max_strain=0.08)[0]
    d = m.as_dict()
    assert d["core_plane"] == (1, 0, 0) and d["core_matrix"] == m.core_matrix.tolist()
    four = coincidence_matches("beta-NaGdF4", (1, 0, -1, 0), "CsPbBr3", "100")[0]
    assert four.core_plane == (1, 0, -1, 0)
    with pytest.raises(ValueError):
        m.core_vectors_a[0, 0] = 1.0


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"max_area_a2": 0.0}, "max_area_a2"),
    ({"max_area_a2": 5001.0}, "max_area_a2"),
    ({"max_strain": 0.0}, "max_strain"),
    ({"max_strain": 0.51}, "max_strain"),
    ({"max_angle_deg": 0.0}, "max_angle_deg"),
    ({"temperature_c": -274.0}, "temperature_c"),
    ({"temperature_c": 1001.0}, "temperature_c"),
])
def test_bad_limits(kwargs, field):
    with pytest.raises(ValueError, match=field):
        coincidence_matches("alpha-NaYF4", "100", "CsPbBr3", "100", **kwargs)


def test_bad_planes_and_materials():
    with pytest.raises(ValueError, match="core_plane"):
        coincidence_matches("beta-NaGdF4", (1, 1, 1, 0), "CsPbBr3", "100")
    with pytest.raises(ValueError, match="shell_plane"):
        coincidence_matches("beta-NaGdF4", "0001", "CsPbBr3", (1, 0, -1, 0))
    with pytest.raises(ValueError, match=r"unknown material 'CsSnBr3'.*CsPbBr3"):
        coincidence_matches("beta-NaGdF4", "0001", "CsSnBr3", "100")
