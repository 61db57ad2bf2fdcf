"""Lattice mismatch and perovskite stability of LnNP@CsPbX3 pairs (SCIENCE.md §2, lesson 1).

* :func:`misfit` — axis misfit f = (a_shell − a_core)/a_core at a temperature.
* :func:`effective_misfit` — f_eff, the smallest RMS strain among the coincidence cells of a
  core/shell pair below a stated area (the input of the growth model, §4).
* :func:`tolerance_factor`, :func:`octahedral_factor`, :func:`perovskite_stability` —
  Goldschmidt's t, μ = r_B/r_X and a stated criterion for whether a CsPbX3 shell forms.
* :func:`coincidence_matches` (from :mod:`.coincidence`) — the Zur–McGill interface search.

Sign convention: f > 0 when the shell's lattice is larger than the core's, so a coherent shell
is compressed (P1: CsPbBr3 peaks shift to higher 2θ). Coincidence strains use the same
convention (``strain_u = |u_shell|/|u_core| − 1``).

References
----------
P1: Z. Yu, W. K. Chan et al., Nat. Commun. (2025), doi:10.1038/s41467-025-59315-y.
V. M. Goldschmidt, Naturwissenschaften 14, 477 (1926); R. D. Shannon, Acta Cryst. A32, 751
(1976); C. Li et al., Acta Cryst. B64, 702 (2008) (formability of halide perovskites).

Examples
--------
>>> round(100 * misfit("alpha-NaYF4", "CsPbBr3"), 1)
7.8
>>> round(tolerance_factor("Cs", "Pb", "I"), 3)
0.807
>>> perovskite_stability("CsPbI3", core="alpha-NaYF4").forms_shell
False
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from .._base.validate import check_range
from .coincidence import (
    DEFAULT_MAX_ANGLE_DEG,
    CoincidenceMatch,
    _plane_basis,
    _search,
    coincidence_matches,
    parse_miller,
)
from .materials import Material, get_material, shannon_radius

__all__ = [
    "CUBIC_PLANES",
    "DEFAULT_SHELLS",
    "EFFECTIVE_AREA_SHELL_CELLS",
    "EFFECTIVE_MAX_STRAIN",
    "HEXAGONAL_PLANES",
    "MAX_COHERENT_MISFIT",
    "MIN_OCTAHEDRAL_FACTOR",
    "MIN_TOLERANCE_MARGIN",
    "RADII_SETS",
    "TOLERANCE_WINDOW",
    "CoincidenceMatch",
    "PerovskiteStability",
    "coincidence_matches",
    "effective_misfit",
    "misfit",
    "misfit_table",
    "octahedral_factor",
    "perovskite_stability",
    "tolerance_factor",
]

#: Goldschmidt window for halide perovskites as P1 quotes it (0.8–1.11), an empirical range
#: (Li et al. 2008 put the lower edge at 0.813) that P1 applies with CN6 radii.
TOLERANCE_WINDOW = (0.80, 1.11)

#: Required distance of t above the lower edge of the window for a shell to form. Reasons:
#: (1) the lower edge itself is uncertain by about this much (0.800 in P1, 0.813 in Li et al.
#: 2008), so a phase closer than 0.01 is not reliably inside the window; (2) the ±0.01 Å
#: precision of Shannon radii moves t by ±0.0035 (CsPbBr3), so 0.01 is about three standard
#: deviations; (3) a coherent shell with f > 0 is compressed in-plane, which drives the
#: octahedral tilting that a low t already favours, so a shell needs more room than bulk.
MIN_TOLERANCE_MARGIN = 0.01

#: Lowest octahedral factor μ = r_B/r_X: Pauling's radius ratio √2 − 1 for a B cation to
#: keep six anion neighbours.
MIN_OCTAHEDRAL_FACTOR = math.sqrt(2.0) - 1.0

#: Largest |axis misfit| for a coherent, uniform shell: the usual bound of pseudomorphic
#: core/shell overgrowth (CdSe/CdS, 3.9 %, grows thick uniform shells; CdSe/ZnS, 12 %, only
#: thin ones before defects appear). Above it a shell relaxes by islands or dislocations.
MAX_COHERENT_MISFIT = 0.10

#: Cation coordination behind each radii set (the A cation; B and X always CN6).
RADII_SETS = {"cn6": 6, "cn8": 8, "cn12": 12}

#: Default shells of :func:`misfit_table`.
DEFAULT_SHELLS = ("CsPbCl3", "CsPbBr3", "CsPbI3")

#: Low-index planes searched by :func:`effective_misfit` for cubic and hexagonal phases.
CUBIC_PLANES = ((1, 0, 0), (1, 1, 0), (1, 1, 1))
HEXAGONAL_PLANES = ((0, 0, 0, 1), (1, 0, -1, 0), (1, 1, -2, 0))

#: Default area limit of f_eff in units of the shell's cubic face a_shell²: 1.5 a² admits one
#: perovskite cell of the (100) plane (a²) or of the (110) plane (√2 a²) and nothing that needs
#: two (100) cells (2 a²) or a (111) cell (√3 a²; CsPbX3 nanocubes show {100} facets, not
#: {111}). In a cell of n perovskite cells only one interface site in n is in registry; the rest
#: of the misfit goes into an interface network (misfit-dislocation-like), not into the coherent
#: elastic strain of §3. Being relative, the limit expands with the lattice, so f_eff changes
#: smoothly with temperature (no match crosses it between −100 and 500 °C for the built-ins).
EFFECTIVE_AREA_SHELL_CELLS = 1.5

#: Strain cap of the f_eff search: wide, so that a large one-cell misfit (CsPbI3 on α-NaYF4,
#: 13.8 %) is measured rather than reported as "no match".
EFFECTIVE_MAX_STRAIN = 0.25


def _temperature(temperature_c) -> float:
    return check_range("temperature_c", temperature_c, "°C", -273.15, 1000.0)


def _axis_pair(axis) -> tuple[str, str]:
    pair = (axis, axis) if isinstance(axis, str) else tuple(axis)
    if len(pair) != 2 or any(a not in ("a", "c") for a in pair):
        raise ValueError(f"axis must be 'a', 'c' or a pair such as ('c', 'a'), got {axis!r}")
    return pair


def misfit(core, shell, *, temperature_c: float = 25.0, axis="a") -> float:
    """Axis misfit f = (a_shell − a_core)/a_core at a temperature.

    Each lattice constant is expanded from 25 °C with its own linear coefficient
    (:meth:`Material.lattice_at`), so the misfit at the reaction temperature differs from the
    room-temperature one when the two expand differently.

    Parameters
    ----------
    core, shell : str or Material
        Material keys, e.g. ``"alpha-NaYF4"`` and ``"CsPbBr3"``.
    temperature_c : float
        Temperature, °C, in [−273.15, 1000].
    axis : {"a", "c"} or pair of them
        Which lattice constants to compare: ``"a"`` (default) compares a with a, ``"c"``
        compares c with c, and a pair ``(core_axis, shell_axis)`` mixes them, e.g.
        ``("c", "a")`` sets the c of a hexagonal core against the a of a cubic shell. For a
        cubic phase c is a. For plane spacings other than a and c use
        :func:`coincidence_matches`, whose strains follow the same convention.

    Returns
    -------
    float
        f as a fraction; positive when the shell's constant is the larger one.

    Examples
    --------
    >>> round(misfit("alpha-NaYF4", "CsPbCl3"), 4)
    0.029
    >>> round(misfit("alpha-NaYF4", "CsPbBr3", temperature_c=220.0), 4)
    0.0821
    >>> round(misfit("beta-NaGdF4", "beta-NaYF4", axis="c"), 4)
    -0.0194
    """
    m_core, m_shell = get_material(core), get_material(shell)
    t = _temperature(temperature_c)
    core_axis, shell_axis = _axis_pair(axis)
    a_core, c_core = m_core.lattice_at(t)
    a_shell, c_shell = m_shell.lattice_at(t)
    x_core = a_core if core_axis == "a" else c_core
    x_shell = a_shell if shell_axis == "a" else c_shell
    return (x_shell - x_core) / x_core


def _radius(ion, coordination: int, field: str) -> float:
    if isinstance(ion, str):
        return shannon_radius(ion, coordination)
    return check_range(field, ion, "Å", 0.0, 5.0, low_inclusive=False)


def _coordination(radii: str) -> int:
    try:
        return RADII_SETS[radii]
    except (KeyError, TypeError):
        raise ValueError(f"radii must be one of {sorted(RADII_SETS)}, got {radii!r}") from None


def tolerance_factor(a, b, x, *, radii: str = "cn6") -> float:
    """Goldschmidt tolerance factor t = (r_A + r_X)/(√2 (r_B + r_X)).

    Parameters
    ----------
    a, b, x : str or float
        Ion symbols (``"Cs"``, ``"Pb"``, ``"Br"``) looked up in Shannon's table, or radii in Å.
    radii : {"cn6", "cn8", "cn12"}
        Coordination of the A cation's Shannon radius (Cs⁺: 1.67, 1.74, 1.88 Å). B and X
        always use CN6. P1 uses CN6 ("t ≈ 0.81"); CN12 is the A site's true coordination.

    Examples
    --------
    >>> [round(tolerance_factor("Cs", "Pb", h), 3) for h in ("Cl", "Br", "I")]
    [0.82, 0.815, 0.807]
    >>> [round(tolerance_factor("Cs", "Pb", h, radii="cn12"), 3) for h in ("Cl", "Br", "I")]
    [0.87, 0.862, 0.851]
    """
    cn_a = _coordination(radii)
    r_a = _radius(a, cn_a, "a")
    r_b = _radius(b, 6, "b")
    r_x = _radius(x, 6, "x")
    return (r_a + r_x) / (math.sqrt(2.0) * (r_b + r_x))


def octahedral_factor(b, x) -> float:
    """Octahedral factor μ = r_B/r_X (CN6 radii for symbols, or radii in Å).

    Examples
    --------
    >>> round(octahedral_factor("Pb", "Br"), 3)
    0.607
    """
    return _radius(b, 6, "b") / _radius(x, 6, "x")


@dataclass(frozen=True)
class PerovskiteStability:
    """Outcome of :func:`perovskite_stability`.

    Attributes
    ----------
    shell : str
        Perovskite key, e.g. ``"CsPbI3"``.
    radii : str
        Radii set used for t.
    tolerance_factor, octahedral_factor : float
        Goldschmidt t and μ.
    tolerance_window : tuple of float
        (lower, upper) limits of t.
    margin : float
        t minus the lower limit.
    core : str or None
        Core key when the misfit was part of the test.
    misfit : float or None
        Axis misfit f to the core at ``temperature_c`` (fraction).
    temperature_c : float
        Temperature of the misfit, °C.
    forms_shell : bool
        The prediction.
    reason : str
        Which condition decided it, in words.
    """

    shell: str
    radii: str
    tolerance_factor: float
    octahedral_factor: float
    tolerance_window: tuple[float, float]
    margin: float
    core: str | None
    misfit: float | None
    temperature_c: float
    forms_shell: bool
    reason: str


def perovskite_stability(
    halide_or_key, *, radii: str = "cn6", core=None, temperature_c: float = 25.0
) -> PerovskiteStability:
    """Predict whether a cubic CsPbX3 shell forms, from t, μ and (optionally) the misfit.

    Criterion (all must hold):

    1. **Tolerance margin**: t − 0.80 ≥ :data:`MIN_TOLERANCE_MARGIN` (0.01). A perovskite
       that sits on the edge of the Goldschmidt window is one perturbation away from the
       tilted or non-perovskite (δ) phases; the shell is such a perturbation (compressed,
       thin, curved). 0.01 is the spread of the published lower edge (0.800 to 0.813) and
       about three times the uncertainty that 0.01 Å radii put on t.
    2. **Octahedral factor**: μ ≥ √2 − 1 (:data:`MIN_OCTAHEDRAL_FACTOR`), so PbX6 octahedra
       exist at all.
    3. **Coherence** (only when ``core`` is given): |f| ≤ :data:`MAX_COHERENT_MISFIT` (10 %)
       for the axis misfit to the core, the usual bound of pseudomorphic core/shell growth.

    With P1's CN6 radii CsPbI3 fails both (1) (t = 0.807, margin 0.007) and (3) (f = 13.8 % on
    α-NaYF4), while CsPbCl3 (0.820, 2.9 %) and CsPbBr3 (0.815, 7.8 %) pass: P1 sees shells of
    CsPbCl3 and CsPbBr3 on sub-5 nm α-NaYF4 and nanowire superstructures of CsPbI3. With CN12
    radii every t rises by ≈ 0.05 and (1) no longer flags CsPbI3 (t = 0.851), the known weakness
    of Goldschmidt's t for iodides; the misfit (3) still excludes it. The window is kept as is
    for every radii set, not re-fitted. The misfit test uses the a axis, which is the interface
    misfit for cube-on-cube growth on a cubic core; for a hexagonal core it is only a proxy
    (see :func:`effective_misfit` for the interface search).

    Parameters
    ----------
    halide_or_key : str or Material
        ``"Cl"``, ``"Br"``, ``"I"`` or a perovskite key such as ``"CsPbBr3"``.
    radii : {"cn6", "cn8", "cn12"}
        Cs⁺ radius set (see :func:`tolerance_factor`).
    core : str or Material, optional
        Core material; adds the coherence test.
    temperature_c : float
        Temperature of the misfit, °C.

    Examples
    --------
    >>> [perovskite_stability(k, core="alpha-NaYF4").forms_shell
    ...  for k in ("CsPbCl3", "CsPbBr3", "CsPbI3")]
    [True, True, False]
    >>> round(perovskite_stability("Br").margin, 4)
    0.0149
    """
    if isinstance(halide_or_key, str) and halide_or_key in ("Cl", "Br", "I"):
        halide_or_key = f"CsPb{halide_or_key}3"
    m = get_material(halide_or_key)
    if m.structure != "perovskite":
        raise ValueError(
            f"halide_or_key must be 'Cl', 'Br', 'I' or a perovskite key, got {m.key!r} "
            f"({m.structure})"
        )
    t = tolerance_factor("Cs", "Pb", m.halide, radii=radii)
    mu = octahedral_factor("Pb", m.halide)
    margin = t - TOLERANCE_WINDOW[0]
    temp = _temperature(temperature_c)
    f = None if core is None else misfit(core, m, temperature_c=temp)

    failures = []
    if margin < MIN_TOLERANCE_MARGIN:
        failures.append(
            f"t = {t:.3f} is only {margin:.3f} above the lower limit {TOLERANCE_WINDOW[0]} "
            f"(needs ≥ {MIN_TOLERANCE_MARGIN})"
        )
    if t > TOLERANCE_WINDOW[1]:
        failures.append(f"t = {t:.3f} is above the upper limit {TOLERANCE_WINDOW[1]}")
    if mu < MIN_OCTAHEDRAL_FACTOR:
        failures.append(f"μ = {mu:.3f} < {MIN_OCTAHEDRAL_FACTOR:.3f}")
    if f is not None and abs(f) > MAX_COHERENT_MISFIT:
        failures.append(f"|misfit| = {abs(f):.1%} exceeds {MAX_COHERENT_MISFIT:.0%}")
    reason = "; ".join(failures) if failures else "t, μ and misfit within the stated limits"
    return PerovskiteStability(
        shell=m.key,
        radii=radii,
        tolerance_factor=t,
        octahedral_factor=mu,
        tolerance_window=TOLERANCE_WINDOW,
        margin=margin,
        core=None if core is None else get_material(core).key,
        misfit=f,
        temperature_c=temp,
        forms_shell=not failures,
        reason=reason,
    )


def _default_planes(m: Material) -> tuple[tuple[int, ...], ...]:
    return CUBIC_PLANES if m.is_cubic else HEXAGONAL_PLANES


def _plane_pairs(m_core: Material, m_shell: Material, planes) -> tuple:
    message = "planes must be a non-empty sequence of (core_plane, shell_plane) pairs"
    if planes is None:
        pairs = [(p, q) for p in _default_planes(m_core) for q in _default_planes(m_shell)]
    else:
        try:
            pairs = [tuple(pair) for pair in planes]
        except TypeError:
            raise ValueError(f"{message}, got {planes!r}") from None
        if not pairs or any(len(pair) != 2 for pair in pairs):
            raise ValueError(f"{message}, got {planes!r}")
    return tuple(
        (parse_miller(p, hexagonal=not m_core.is_cubic, field="core_plane"),
         parse_miller(q, hexagonal=not m_shell.is_cubic, field="shell_plane"))
        for p, q in pairs
    )


def effective_misfit(
    core,
    shell,
    *,
    temperature_c: float = 25.0,
    max_area_a2: float | None = None,
    planes=None,
    max_strain: float = EFFECTIVE_MAX_STRAIN,
    max_angle_deg: float = DEFAULT_MAX_ANGLE_DEG,
) -> float:
    """Effective misfit f_eff: the smallest RMS strain of a coincidence cell below an area.

    The search runs the coincidence-lattice matching of :func:`coincidence_matches` over every
    plane pair and keeps the smallest ``rms_strain`` among cells whose core and shell areas
    are both at most the limit. The default limit is 1.5 a_shell² at ``temperature_c``
    (:data:`EFFECTIVE_AREA_SHELL_CELLS`; 53 Å² for CsPbBr3 at 25 °C): one perovskite cell on
    (100) or (110), so f_eff measures how well the two crystals meet one-to-one. For α-NaYF4
    with CsPbCl3 and CsPbBr3 it equals the axis misfit (2.9 %, 7.8 %); with CsPbI3 a strained
    (111) ∥ (110) cell (11.0 %) beats cube-on-cube (13.8 %). Hexagonal β-NaREF4 has no one-cell
    match better than 8.6–12 %. Raise ``max_area_a2`` to see the larger coincidence cells
    (β-NaGdF4 (10-10) ∥ CsPbBr3 (100) matches 5c ≈ 3a with 1 % at 108 Å²).

    Results are cached on (materials, temperature rounded to 0.01 °C, limits, planes), so
    repeated calls from a growth model cost a few microseconds; a new temperature costs a few
    milliseconds.

    Parameters
    ----------
    core, shell : str or Material
        Material keys.
    temperature_c : float
        Temperature of both lattices, °C, in [−273.15, 1000].
    max_area_a2 : float, optional
        Area limit, Å², in (0, 5000]; default 1.5 a_shell² at ``temperature_c``.
    planes : sequence of (core_plane, shell_plane), optional
        Plane pairs to search; default every pair of :data:`CUBIC_PLANES` or
        :data:`HEXAGONAL_PLANES` of the core with those of the shell (9 pairs).
    max_strain : float
        Largest strain along either supercell vector in the search, fraction in (0, 0.5].
    max_angle_deg : float
        Largest angle misfit in the search, degrees, in (0, 30].

    Returns
    -------
    float
        f_eff as a fraction (≥ 0; the RMS loses the sign, :func:`misfit` has it).

    Raises
    ------
    ValueError
        If no cell below the area limit satisfies the strain and angle caps.

    Examples
    --------
    >>> round(effective_misfit("alpha-NaYF4", "CsPbBr3"), 4)
    0.0779
    >>> round(effective_misfit("beta-NaGdF4", "CsPbBr3"), 3)
    0.12
    >>> round(effective_misfit("beta-NaGdF4", "CsPbBr3", max_area_a2=120.0), 3)
    0.01
    """
    m_core, m_shell = get_material(core), get_material(shell)
    t = round(_temperature(temperature_c), 2)
    if max_area_a2 is None:
        max_area_a2 = EFFECTIVE_AREA_SHELL_CELLS * m_shell.lattice_at(t)[0] ** 2
    max_area = check_range("max_area_a2", max_area_a2, "Å²", 0.0, 5000.0, low_inclusive=False)
    strain_cap = check_range("max_strain", max_strain, "", 0.0, 0.5, low_inclusive=False)
    angle_cap = check_range("max_angle_deg", max_angle_deg, "°", 0.0, 30.0, low_inclusive=False)
    value = _effective_misfit(m_core, m_shell, t, max_area, strain_cap, angle_cap,
                              _plane_key(planes))
    if math.isnan(value):
        raise ValueError(
            f"no coincidence cell of {m_core.key} and {m_shell.key} with area ≤ {max_area:g} Å² "
            f"and strain ≤ {strain_cap:g}; raise max_area_a2 or max_strain"
        )
    return value


def _plane_key(planes):
    """``planes`` as nested tuples, so that it can key the cache (lists are common input)."""
    if planes is None or isinstance(planes, str):
        return planes
    try:
        return tuple(p if isinstance(p, str) else _plane_key(p) for p in planes)
    except TypeError:
        return planes


@functools.lru_cache(maxsize=65536)
def _effective_misfit(m_core, m_shell, temperature_c, max_area, strain_cap, angle_cap, planes):
    rms = []
    for hkl_core, hkl_shell in _plane_pairs(m_core, m_shell, planes):
        b_core = _plane_basis(m_core.spacegroup, *m_core.lattice_at(temperature_c),
                              m_core.is_cubic, hkl_core)
        b_shell = _plane_basis(m_shell.spacegroup, *m_shell.lattice_at(temperature_c),
                               m_shell.is_cubic, hkl_shell)
        rms += [row["rms_strain"] for row in _search(b_core, b_shell, max_area, strain_cap,
                                                      angle_cap)]
    return min(rms, default=math.nan)


def misfit_table(
    core,
    shells=DEFAULT_SHELLS,
    *,
    temperatures_c=(25.0, 220.0),
    radii: str = "cn6",
) -> list[dict]:
    """Rows of lesson 1's table: misfit, f_eff, t and the shell prediction per shell and T.

    Returns a list of dicts (``pandas.DataFrame(rows)`` makes it a table).

    Examples
    --------
    >>> rows = misfit_table("alpha-NaYF4", temperatures_c=(25.0,))
    >>> [(r["shell"], round(100 * r["misfit"], 1), r["forms_shell"]) for r in rows]
    [('CsPbCl3', 2.9, True), ('CsPbBr3', 7.8, True), ('CsPbI3', 13.8, False)]
    """
    m_core = get_material(core)
    if isinstance(temperatures_c, (int, float)):
        temperatures_c = (temperatures_c,)
    rows = []
    for shell in shells:
        for temperature in temperatures_c:
            stability = perovskite_stability(shell, radii=radii, core=m_core,
                                             temperature_c=temperature)
            rows.append({
                "core": m_core.key,
                "shell": stability.shell,
                "temperature_c": stability.temperature_c,
                "misfit": stability.misfit,
                "effective_misfit": effective_misfit(m_core, shell, temperature_c=temperature),
                "tolerance_factor": stability.tolerance_factor,
                "octahedral_factor": stability.octahedral_factor,
                "forms_shell": stability.forms_shell,
            })
    return rows
