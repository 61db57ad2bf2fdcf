"""Coincidence-lattice (Zur–McGill) matching of two crystal planes (SCIENCE.md §2).

Two crystals that differ in structure can still share an interface if supercells of their
in-plane lattices nearly coincide. The search follows Zur & McGill (J. Appl. Phys. 55, 378,
1984), as pymatgen's ``ZSLGenerator`` implements it:

1. Build the 2-D lattice of translations lying in the plane (hkl) of each crystal from its
   *primitive* 3-D lattice (so that the face centring of fluorite α-NaREF4 counts: its (100)
   plane lattice is a square of side a/√2, not a) and Gauss-reduce it.
2. Enumerate every superlattice of index n of each plane lattice by the Hermite normal
   forms ``[[a, b], [0, d]]`` with ``a d = n`` and ``0 <= b < d`` (σ(n) of them), up to the
   maximum area, and Gauss-reduce each.
3. Pair core and shell superlattices whose reduced vectors agree in length (strain) and in
   the angle between them, within the tolerances; keep the shell basis with the smallest RMS
   strain for each pair.
4. Rank by area, then RMS strain, and drop symmetry-equivalent copies and plain supercells.

Conventions
-----------
Strains are *misfits of the shell supercell relative to the core supercell*, the convention
of :func:`lnhet_widgets.core.crystal.misfit`: ``strain_u = |u_shell| / |u_core| − 1``. For a
cube-on-cube 1×1 match the strain equals the axis misfit f (+7.8 % for CsPbBr3 on
α-NaYF4). The elastic strain a coherent shell actually carries is the opposite,
``|u_core| / |u_shell| − 1`` (compressive when f > 0).

``rms_strain`` is the root mean square of the two principal strains of the in-plane
deformation that carries the core supercell onto the shell supercell (the singular values of
``F = S C⁻¹`` minus one), so that it includes the shear from an angle misfit and does not
depend on which basis of the supercells is reported.

A mirror-image correspondence is allowed: the shell can always present the mirror image of
its plane lattice by showing its opposite face, (−h −k −l), to the core.

Examples
--------
>>> matches = coincidence_matches("alpha-NaYF4", (1, 0, 0), "CsPbBr3", (1, 0, 0),
...                               max_area_a2=50.0, max_strain=0.08)
>>> m = matches[0]
>>> round(m.area_a2, 2), round(m.strain_u, 4), m.core_multiplicity, m.shell_multiplicity
(30.47, 0.0779, 2, 1)
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np
from ase.geometry import cellpar_to_cell
from ase.spacegroup import Spacegroup

from .._base.validate import check_range
from .materials import get_material

__all__ = [
    "DEFAULT_MAX_ANGLE_DEG",
    "CoincidenceMatch",
    "coincidence_matches",
    "parse_miller",
    "plane_lattice",
    "superlattice_matrices",
]

#: Default tolerance on the angle between the two supercell vectors, in degrees. One degree
#: of angle misfit is a shear of 0.017, comparable with the length tolerances in use.
DEFAULT_MAX_ANGLE_DEG = 1.0

# Rows: primitive vectors in fractional coordinates of the conventional cell, per centring.
_PRIMITIVE_OF_CENTRING = {
    "P": np.eye(3),
    "F": np.array([[0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]]),
    "I": np.array([[-0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.5, 0.5, -0.5]]),
}

_MAX_MILLER = 9

# Shell bases tried against each reduced core basis: every pair of the short vectors
# ±u, ±v, ±(u+v), ±(u−v) of a reduced basis (u, v) that is itself a basis. A small strain maps
# the core's reduced basis onto one of these, even where the shell's own reduction picks a
# different one (near-square and near-hexagonal lattices).
_SHORT = np.array([[1, 0], [0, 1], [1, 1], [1, -1], [-1, 0], [0, -1], [-1, -1], [-1, 1]])
_CANDIDATES = np.array(
    [
        (p, q)
        for p in _SHORT
        for q in _SHORT
        if abs(p[0] * q[1] - p[1] * q[0]) == 1 and (p[0] > 0 or (p[0] == 0 and p[1] > 0))
    ]
)


@dataclass(frozen=True, eq=False)
class CoincidenceMatch:
    """One coincidence cell of a core plane and a shell plane.

    Vectors are rows of 2×2 arrays in Å, each in its own plane's frame (first basis vector of
    the plane lattice along x); ``aligned_shell_vectors_a`` turns the shell's onto the core's.

    Attributes
    ----------
    rank : int
        Position in the ranking (1 = smallest area, then smallest RMS strain).
    core_plane, shell_plane : tuple of int
        Miller (or Miller–Bravais) indices as given.
    core_basis_a, shell_basis_a : ndarray, shape (2, 2)
        Reduced primitive lattice of each plane, Å.
    core_matrix, shell_matrix : ndarray of int, shape (2, 2)
        Supercell vectors = matrix @ basis.
    core_vectors_a, shell_vectors_a : ndarray, shape (2, 2)
        Supercell vectors u (row 0) and v (row 1), Å.
    core_multiplicity, shell_multiplicity : int
        |det| of the matrices: primitive plane cells per coincidence cell.
    area_a2 : float
        Area of the core supercell (the interface cell), Å².
    shell_area_a2 : float
        Area of the shell supercell, Å².
    strain_u, strain_v : float
        ``|u_shell|/|u_core| − 1`` and ``|v_shell|/|v_core| − 1`` (fractions).
    angle_misfit_deg : float
        Angle(u, v) of the shell minus that of the core, degrees.
    rms_strain : float
        RMS of the two principal strains of the core-to-shell deformation (fraction).
    """

    rank: int
    core_plane: tuple[int, ...]
    shell_plane: tuple[int, ...]
    core_basis_a: np.ndarray
    shell_basis_a: np.ndarray
    core_matrix: np.ndarray
    shell_matrix: np.ndarray
    core_vectors_a: np.ndarray
    shell_vectors_a: np.ndarray
    core_multiplicity: int
    shell_multiplicity: int
    area_a2: float
    shell_area_a2: float
    strain_u: float
    strain_v: float
    angle_misfit_deg: float
    rms_strain: float

    @property
    def max_abs_strain(self) -> float:
        """Largest of ``|strain_u|`` and ``|strain_v|``."""
        return max(abs(self.strain_u), abs(self.strain_v))

    @property
    def aligned_shell_vectors_a(self) -> np.ndarray:
        """Shell supercell vectors turned (and mirrored if needed) onto the core's frame.

        u_shell lies along u_core and v_shell on the same side of u as v_core, so the two
        cells can be drawn on top of each other.
        """
        u_c, v_c = self.core_vectors_a
        u_s, v_s = self.shell_vectors_a
        x = u_c / np.linalg.norm(u_c)
        y = np.array([-x[1], x[0]])
        side = math.copysign(1.0, float(v_c @ y))
        cos_s = float(u_s @ v_s) / (np.linalg.norm(u_s) * np.linalg.norm(v_s))
        angle = math.acos(max(-1.0, min(1.0, cos_s)))
        v_len = float(np.linalg.norm(v_s))
        return np.array(
            [np.linalg.norm(u_s) * x, v_len * (math.cos(angle) * x + side * math.sin(angle) * y)]
        )

    def as_dict(self) -> dict:
        """Plain-Python version (lists instead of arrays), ready for JSON."""
        return {
            name: (value.tolist() if isinstance(value, np.ndarray) else value)
            for name, value in self.__dict__.items()
        }


def _given_indices(plane, field: str) -> tuple[int, ...]:
    """The integers of a Miller-index input as given (3 or 4 of them), unconverted."""
    if isinstance(plane, str):
        text = plane.strip().strip("()[]{}").replace(",", " ")
        values = text.split() if " " in text else re.findall(r"-?\d", text)
        if "".join(values).replace("-", "") != re.sub(r"[\s-]", "", text):
            raise ValueError(f"{field} = {plane!r} is not a list of Miller indices")
    else:
        try:
            values = list(plane)
        except TypeError:
            values = None
    try:
        indices = tuple(int(v) for v in values)
        exact = all(float(v) == i for v, i in zip(values, indices, strict=True))
    except (TypeError, ValueError):
        exact = False
    if not exact or len(indices) not in (3, 4):
        raise ValueError(f"{field} must be 3 or 4 integer Miller indices, got {plane!r}")
    return indices


def parse_miller(plane, *, hexagonal: bool, field: str = "plane") -> tuple[int, int, int]:
    """Return three-index Miller indices (hkl) from 3- or 4-index input.

    Parameters
    ----------
    plane : sequence of int or str
        ``(1, 0, 0)``, ``(1, 0, -1, 0)`` or a string such as ``"100"``, ``"10-10"``,
        ``"(11-20)"`` or ``"1 0 -1 0"``. Four-index Miller–Bravais indices (hkil) need
        ``i = −(h + k)`` and a hexagonal phase.
    hexagonal : bool
        Whether the phase is hexagonal (allows four indices).
    field : str
        Name used in error messages.

    Examples
    --------
    >>> parse_miller("10-10", hexagonal=True)
    (1, 0, 0)
    >>> parse_miller((1, 1, -2, 0), hexagonal=True)
    (1, 1, 0)
    """
    indices = _given_indices(plane, field)
    if len(indices) == 4:
        if not hexagonal:
            raise ValueError(
                f"{field} = {plane!r}: four-index (hkil) indices apply to hexagonal phases only"
            )
        h, k, i, ell = indices
        if i != -(h + k):
            raise ValueError(f"{field} = {plane!r}: Miller–Bravais indices need i = −(h + k)")
        indices = (h, k, ell)
    if not any(indices):
        raise ValueError(f"{field} = {plane!r}: Miller indices cannot all be zero")
    if max(abs(i) for i in indices) > _MAX_MILLER:
        raise ValueError(
            f"{field} = {plane!r}: indices must lie in [-{_MAX_MILLER}, {_MAX_MILLER}]"
        )
    return indices


@functools.cache
def _centring(spacegroup: int) -> str:
    letter = Spacegroup(spacegroup).lattice
    if letter not in _PRIMITIVE_OF_CENTRING:
        raise ValueError(f"space group {spacegroup} has centring {letter!r}; supported: P, F, I")
    return letter


def _kernel_basis(g: np.ndarray) -> np.ndarray:
    """Integer basis (rows) of {n in Z³ : g·n = 0} for a primitive integer vector g."""
    g1, g2, g3 = (int(x) for x in g)
    if g1 == 0 and g2 == 0:
        return np.array([[1, 0, 0], [0, 1, 0]])
    d12 = math.gcd(g1, g2)
    # Extended Euclid: x g1 + y g2 = d12.
    x, y = _bezout(g1, g2)
    return np.array([[g2 // d12, -g1 // d12, 0], [x * g3, y * g3, -d12]])


def _bezout(a: int, b: int) -> tuple[int, int]:
    old_r, r, old_s, s, old_t, t = a, b, 1, 0, 0, 1
    while r:
        q = old_r // r
        old_r, r = r, old_r - q * r
        old_s, s = s, old_s - q * s
        old_t, t = t, old_t - q * t
    if old_r < 0:
        old_s, old_t = -old_s, -old_t
    return old_s, old_t


def _gauss_reduce(u: np.ndarray, v: np.ndarray, mu=None, mv=None):
    """Lagrange–Gauss reduction of a 2-D basis, tracking integer coefficient rows.

    Returns u, v with |u| <= |v|, |u·v| <= |u|²/2 and u·v >= 0 (acute), plus the rows.
    """
    mu = np.array([1, 0]) if mu is None else mu
    mv = np.array([0, 1]) if mv is None else mv
    if u @ u > v @ v:
        u, v, mu, mv = v, u, mv, mu
    while True:
        q = round(float(u @ v) / float(u @ u))
        v, mv = v - q * u, mv - q * mu
        if v @ v >= u @ u - 1e-12 * (u @ u):
            break
        u, v, mu, mv = v, u, mv, mu
    if u @ v < 0:
        v, mv = -v, -mv
    return u, v, mu, mv


def plane_lattice(material, plane, *, temperature_c: float = 25.0) -> np.ndarray:
    """Reduced 2-D lattice of the translations lying in a crystal plane, in Å.

    Parameters
    ----------
    material : str or Material
        Material key, e.g. ``"beta-NaGdF4"``.
    plane : sequence of int or str
        Miller indices (hkl), or Miller–Bravais (hkil) for hexagonal phases.
    temperature_c : float
        Temperature at which the lattice constants are taken, °C.

    Returns
    -------
    ndarray, shape (2, 2)
        Rows u, v of the Gauss-reduced basis in the plane's frame: u along x, v with y > 0,
        |u| <= |v| and an angle between them in [60°, 90°].

    Examples
    --------
    >>> plane_lattice("alpha-NaYF4", (1, 0, 0)).round(3)  # fcc (100): square of side a/√2
    array([[3.903, 0.   ],
           [0.   , 3.903]])
    >>> plane_lattice("beta-NaGdF4", "10-10").round(3)
    array([[3.6 , 0.  ],
           [0.  , 6.02]])
    """
    m = get_material(material)
    t = check_range("temperature_c", temperature_c, "°C", -273.15, 1000.0)
    hkl = parse_miller(plane, hexagonal=not m.is_cubic)
    return _plane_basis(m.spacegroup, *m.lattice_at(t), m.is_cubic, hkl)


@functools.lru_cache(maxsize=4096)
def _plane_basis(spacegroup, a, c, is_cubic, hkl) -> np.ndarray:
    conventional = cellpar_to_cell([a, a, c, 90.0, 90.0, 90.0 if is_cubic else 120.0])
    to_primitive = _PRIMITIVE_OF_CENTRING[_centring(spacegroup)]
    primitive = to_primitive @ conventional
    # n·(T h) = 0 selects the primitive translations n @ primitive that lie in the plane;
    # doubling makes T h integer for F and I centring.
    g = np.rint(2 * to_primitive @ np.array(hkl, dtype=float)).astype(int)
    g //= math.gcd(*(int(x) for x in g))
    k1, k2 = _kernel_basis(g) @ primitive
    u, v, _, _ = _gauss_reduce(k1, k2)
    normal = np.cross(u, v)
    x = u / np.linalg.norm(u)
    y = np.cross(normal / np.linalg.norm(normal), x)
    basis = np.array([[u @ x, 0.0], [v @ x, v @ y]])
    basis.setflags(write=False)
    return basis


def superlattice_matrices(n: int) -> np.ndarray:
    """All Hermite normal forms ``[[a, b], [0, d]]`` of determinant ``n``, ``0 <= b < d``.

    Each one is a distinct superlattice of index ``n`` of a 2-D lattice; there are σ(n) of
    them (the sum of the divisors of ``n``).

    Examples
    --------
    >>> superlattice_matrices(2).tolist()
    [[[1, 0], [0, 2]], [[1, 1], [0, 2]], [[2, 0], [0, 1]]]
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    n = int(n)
    return np.array(
        [[[a, b], [0, n // a]] for a in range(1, n + 1) if n % a == 0 for b in range(n // a)],
        dtype=int,
    )


@functools.lru_cache(maxsize=256)
def _superlattices(basis_key: tuple[float, ...], max_index: int):
    """Reduced superlattices of a plane lattice up to index ``max_index``.

    Returns integer matrices (K, 2, 2), vectors (K, 2, 2) and indices (K,), all reduced.
    """
    basis = np.array(basis_key).reshape(2, 2)
    matrices, vectors, index = [], [], []
    for n in range(1, max_index + 1):
        for hnf in superlattice_matrices(n):
            u, v, mu, mv = _gauss_reduce(hnf[0] @ basis, hnf[1] @ basis, hnf[0], hnf[1])
            matrices.append((mu, mv))
            vectors.append((u, v))
            index.append(n)
    return (np.array(matrices, dtype=int).reshape(-1, 2, 2),
            np.array(vectors, dtype=float).reshape(-1, 2, 2), np.array(index, dtype=int))


def _principal_stretches(ftf: np.ndarray) -> np.ndarray:
    """Singular values (s1 >= s2) of F from FᵀF, stacked on the last axis."""
    half_trace = 0.5 * (ftf[..., 0, 0] + ftf[..., 1, 1])
    # ((a − d)/2)² + b² rather than (tr/2)² − det: no cancellation for isotropic strain, so
    # equal strain states compare equal.
    root = np.hypot(0.5 * (ftf[..., 0, 0] - ftf[..., 1, 1]), ftf[..., 0, 1])
    return np.sqrt(np.maximum(np.stack([half_trace + root, half_trace - root], axis=-1), 0.0))


def _check_limits(max_area_a2, max_strain, max_angle_deg):
    return (
        check_range("max_area_a2", max_area_a2, "Å²", 0.0, 5000.0, low_inclusive=False),
        check_range("max_strain", max_strain, "", 0.0, 0.5, low_inclusive=False),
        check_range("max_angle_deg", max_angle_deg, "°", 0.0, 30.0, low_inclusive=False),
    )


def coincidence_matches(
    core,
    core_plane,
    shell,
    shell_plane,
    *,
    max_area_a2: float = 400.0,
    max_strain: float = 0.05,
    max_angle_deg: float = DEFAULT_MAX_ANGLE_DEG,
    temperature_c: float = 25.0,
) -> list[CoincidenceMatch]:
    """Coincidence cells of a core plane and a shell plane, ranked (Zur–McGill search).

    Parameters
    ----------
    core, shell : str or Material
        Material keys, e.g. ``"beta-NaGdF4"`` and ``"CsPbBr3"``.
    core_plane, shell_plane : sequence of int or str
        Miller indices of the interface plane of each crystal; hexagonal phases also take
        Miller–Bravais indices such as ``(1, 0, -1, 0)``.
    max_area_a2 : float
        Largest supercell area searched on either side, Å², in (0, 5000].
    max_strain : float
        Largest allowed ``|strain_u|`` and ``|strain_v|`` (fraction), in (0, 0.5].
    max_angle_deg : float
        Largest allowed angle misfit, degrees, in (0, 30].
    temperature_c : float
        Temperature of both lattices, °C (each expands with its own coefficient).

    Returns
    -------
    list of CoincidenceMatch
        Ranked by core supercell area, then RMS strain. Symmetry-equivalent copies (same
        multiplicities and principal strains) and plain supercells of a smaller match (k times
        its multiplicities, same principal strains) are left out.

    Notes
    -----
    The number of superlattices grows as the square of the area, so the cost grows steeply:
    about 10 ms at 400 Å², 0.3 s at 1000 Å² and a few seconds at 2000 Å² for fluorite (100)
    against a perovskite (100), less for larger plane cells.

    Examples
    --------
    >>> best = coincidence_matches("beta-NaGdF4", "10-10", "CsPbBr3", "100")[0]
    >>> best.core_multiplicity, best.shell_multiplicity, round(best.area_a2, 1)
    (5, 3, 108.4)
    """
    m_core, m_shell = get_material(core), get_material(shell)
    max_area, strain_cap, angle_cap = _check_limits(max_area_a2, max_strain, max_angle_deg)
    t = check_range("temperature_c", temperature_c, "°C", -273.15, 1000.0)
    hkl_core = parse_miller(core_plane, hexagonal=not m_core.is_cubic, field="core_plane")
    hkl_shell = parse_miller(shell_plane, hexagonal=not m_shell.is_cubic, field="shell_plane")
    b_core = _plane_basis(m_core.spacegroup, *m_core.lattice_at(t), m_core.is_cubic, hkl_core)
    b_shell = _plane_basis(m_shell.spacegroup, *m_shell.lattice_at(t), m_shell.is_cubic,
                           hkl_shell)
    rows = _search(b_core, b_shell, max_area, strain_cap, angle_cap)
    return [
        CoincidenceMatch(
            rank=rank,
            core_plane=_given_indices(core_plane, "core_plane"),
            shell_plane=_given_indices(shell_plane, "shell_plane"),
            core_basis_a=b_core,
            shell_basis_a=b_shell,
            **row,
        )
        for rank, row in enumerate(rows, start=1)
    ]


# Largest number of (core, shell, candidate) triples compared at once: bounds the memory of
# large searches (max_area_a2 up to 5000 Å² gives ~1e5 superlattices per side).
_CHUNK = 2_000_000


def _candidates(b_core, b_shell, max_area, strain_cap, angle_cap):
    """Best shell basis of every (core, shell) superlattice pair within the caps, or None."""
    area_c = abs(np.linalg.det(b_core))
    area_s = abs(np.linalg.det(b_shell))
    mc, vc, nc = _superlattices(tuple(b_core.ravel()), int(max_area // area_c))
    ms, vs, ns = _superlattices(tuple(b_shell.ravel()), int(max_area // area_s))

    cand_vec = np.einsum("kab,sbc->skac", _CANDIDATES, vs)
    len_p = np.linalg.norm(cand_vec[:, :, 0], axis=-1)
    len_q = np.linalg.norm(cand_vec[:, :, 1], axis=-1)
    dot_pq = np.einsum("ska,ska->sk", cand_vec[:, :, 0], cand_vec[:, :, 1])
    ang_s = np.degrees(np.arccos(np.clip(dot_pq / (len_p * len_q), -1.0, 1.0)))
    len_u = np.linalg.norm(vc[:, 0], axis=-1)
    len_v = np.linalg.norm(vc[:, 1], axis=-1)
    ang_c = np.degrees(np.arccos(np.clip(
        np.einsum("ca,ca->c", vc[:, 0], vc[:, 1]) / (len_u * len_v), -1.0, 1.0)))
    core_inv = np.linalg.inv(np.transpose(vc, (0, 2, 1)))

    # Reduced core angles lie in [60°, 90°], so sin θ changes by less than a factor (1 ± δ)
    # for δ <= 30°: only index pairs with an area ratio in this window can match.
    delta = math.radians(angle_cap)
    low = (1 - strain_cap) ** 2 * (1 - delta) - 1e-9
    high = (1 + strain_cap) ** 2 * (1 + delta) + 1e-9
    found = []
    for n in np.unique(nc):
        ci = np.flatnonzero(nc == n)
        ratio = ns * area_s / (n * area_c)
        sj = np.flatnonzero((ratio >= low) & (ratio <= high))
        step = max(1, _CHUNK // (ci.size * len(_CANDIDATES)))
        for start in range(0, sj.size, step):
            js = sj[start : start + step]
            eps_u = len_p[js][None] / len_u[ci, None, None] - 1.0
            eps_v = len_q[js][None] / len_v[ci, None, None] - 1.0
            d_ang = ang_s[js][None] - ang_c[ci, None, None]
            ok = (np.abs(eps_u) <= strain_cap) & (np.abs(eps_v) <= strain_cap)
            ok &= np.abs(d_ang) <= angle_cap
            i, j, k = np.nonzero(ok)
            if i.size == 0:
                continue
            # FᵀF = C⁻ᵀ (SᵀS) C⁻¹ for F = S C⁻¹ (columns: supercell vectors). Only lengths and
            # the angle of the shell basis enter: its orientation and handedness do not.
            shell = cand_vec[js[j], k]
            gram = np.einsum("nai,nbi->nab", shell, shell)
            inv = core_inv[ci[i]]
            ftf = np.einsum("nji,njk,nkl->nil", inv, gram, inv)
            stretches = _principal_stretches(ftf)
            rms = np.sqrt(np.mean((stretches - 1.0) ** 2, axis=-1))
            # Keep the smallest-RMS shell basis per superlattice pair, then one pair per shell
            # index and strain state: the others are symmetry-equivalent copies, and large
            # searches would hold millions of them.
            order = np.lexsort((rms, j, i))
            best = np.ones(order.size, dtype=bool)
            best[1:] = (i[order][1:] != i[order][:-1]) | (j[order][1:] != j[order][:-1])
            b = order[best]
            b = b[np.argsort(rms[b], kind="stable")]
            state = np.column_stack([ns[js[j[b]]], np.round(stretches[b], 7)])
            b = b[np.sort(np.unique(state, axis=0, return_index=True)[1])]
            found.append((ci[i[b]], js[j[b]], k[b], eps_u[i[b], j[b], k[b]],
                          eps_v[i[b], j[b], k[b]], d_ang[i[b], j[b], k[b]], rms[b],
                          stretches[b]))
    if not found:
        return None
    ic, jc, kc, eps_u, eps_v, d_ang, rms, stretches = (
        np.concatenate(col) for col in zip(*found, strict=True))
    return {
        "eps_u": eps_u, "eps_v": eps_v, "d_ang": d_ang, "rms": rms, "stretches": stretches,
        "core_matrices": mc[ic], "core_vectors": vc[ic], "core_index": nc[ic],
        "shell_index": ns[jc], "area_c": area_c, "area_s": area_s,
        "shell_vectors": cand_vec[jc, kc],
        "shell_matrices": np.einsum("kab,kbc->kac", _CANDIDATES[kc], ms[jc]),
    }


def _search(b_core, b_shell, max_area, strain_cap, angle_cap) -> list[dict]:
    """Ranked, de-duplicated matches as dicts of :class:`CoincidenceMatch` fields."""
    c = _candidates(b_core, b_shell, max_area, strain_cap, angle_cap)
    if c is None:
        return []
    core_area = c["core_index"] * c["area_c"]
    ranking = np.lexsort((c["rms"], np.round(core_area, 9)))
    states = np.round(c["stretches"], 7)

    rows: list[dict] = []
    # Multiplicities of the earlier matches, by strain state (principal stretches). A match
    # whose multiplicities are k times those of an earlier one in the same state is a plain
    # supercell of it (or of a symmetry-equivalent copy; k = 1: the copy itself).
    by_state: dict[tuple, list[tuple[int, int]]] = {}
    for r in ranking:
        n_core, n_shell = int(c["core_index"][r]), int(c["shell_index"][r])
        earlier = by_state.setdefault(tuple(states[r]), [])
        duplicate = any(n_core % nc == 0 and n_core * ns == nc * n_shell for nc, ns in earlier)
        earlier.append((n_core, n_shell))
        if duplicate:
            continue
        rows.append(
            {
                "core_matrix": _frozen(c["core_matrices"][r]),
                "shell_matrix": _frozen(c["shell_matrices"][r]),
                "core_vectors_a": _frozen(c["core_vectors"][r]),
                "shell_vectors_a": _frozen(c["shell_vectors"][r]),
                "core_multiplicity": n_core,
                "shell_multiplicity": n_shell,
                "area_a2": float(core_area[r]),
                "shell_area_a2": float(n_shell * c["area_s"]),
                "strain_u": float(c["eps_u"][r]),
                "strain_v": float(c["eps_v"][r]),
                "angle_misfit_deg": float(c["d_ang"][r]),
                "rms_strain": float(c["rms"][r]),
            }
        )
    return rows


def _frozen(array: np.ndarray) -> np.ndarray:
    out = np.array(array)
    out.setflags(write=False)
    return out
