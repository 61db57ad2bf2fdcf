"""Built-in database of the phases in LnNP@CsPbX3 heterostructures (SCIENCE.md §1).

Lattice constants default to the values P1 uses, so that lessons reproduce P1's arithmetic;
literature alternatives are kept beside them (``get_material(key, lattice="literature")``).
Elastic and thermal constants marked in :attr:`Material.estimates` are estimates, not
measurements: NaREF4 elastic moduli use a CaF2-like proxy, and both thermal expansion
coefficients are rounded literature-scale values.

References
----------
P1: Z. Yu, W. K. Chan et al., Nat. Commun. (2025), doi:10.1038/s41467-025-59315-y.
R. D. Shannon, Acta Cryst. A32, 751 (1976) for the ionic radii.

Examples
--------
>>> m = get_material("CsPbBr3")
>>> m.a_angstrom, m.structure
(5.95, 'perovskite')
>>> get_material("CsPbBr3", lattice="literature").a_angstrom
5.874
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

__all__ = [
    "FLUORIDES",
    "PEROVSKITES",
    "SHANNON_RADII_A",
    "Material",
    "get_material",
    "list_materials",
    "register_material",
    "shannon_radius",
]

#: Shannon (1976) effective ionic radii in Å, keyed by (element, coordination number).
SHANNON_RADII_A: dict[tuple[str, int], float] = {
    ("Cs", 12): 1.88,
    ("Cs", 8): 1.74,
    ("Cs", 6): 1.67,
    ("Pb", 6): 1.19,
    ("Cl", 6): 1.81,
    ("Br", 6): 1.96,
    ("I", 6): 2.20,
    ("F", 6): 1.33,
    ("Na", 8): 1.18,
    ("Na", 9): 1.24,
    ("Y", 8): 1.019,
    ("Y", 9): 1.075,
    ("Gd", 8): 1.053,
    ("Gd", 9): 1.107,
    ("Yb", 8): 0.985,
    ("Yb", 9): 1.042,
    ("Tm", 8): 0.994,
    ("Tm", 9): 1.052,
}

#: Rare-earth-like dopants that may substitute the RE sites of NaREF4 hosts.
RE_DOPANTS = ("Yb", "Tm", "Er", "Y", "Gd", "Lu")

STRUCTURES = ("perovskite", "fluorite", "beta-hexagonal")


def shannon_radius(element: str, coordination: int) -> float:
    """Return the Shannon ionic radius of ``element`` at ``coordination`` in Å.

    Examples
    --------
    >>> shannon_radius("Pb", 6)
    1.19
    """
    try:
        return SHANNON_RADII_A[(element, int(coordination))]
    except KeyError:
        known = sorted(cn for (el, cn) in SHANNON_RADII_A if el == element)
        raise ValueError(
            f"no Shannon radius for {element} with coordination {coordination}; "
            f"known coordinations for {element}: {known or 'none'}"
        ) from None


@dataclass(frozen=True)
class Material:
    """One crystalline phase with the constants the models need.

    Attributes
    ----------
    key : str
        Database key, e.g. ``"beta-NaGdF4"``.
    formula : str
        Chemical formula of the host.
    structure : str
        ``"perovskite"`` (Pm-3m CsPbX3), ``"fluorite"`` (Fm-3m α-NaREF4) or
        ``"beta-hexagonal"`` (P-6 β-NaREF4).
    spacegroup : int
        International Tables number (221, 225 or 174).
    a_angstrom, c_angstrom : float
        Lattice constants in Å (``c_angstrom`` equals ``a_angstrom`` for cubic phases).
    literature_a_angstrom, literature_c_angstrom : float
        Literature alternatives (sources in ``lattice_source``).
    host_re : str or None
        Rare-earth element of a NaREF4 host (``None`` for perovskites).
    halide : str or None
        Halide of a CsPbX3 perovskite (``None`` for fluorides).
    bulk_gpa, shear_gpa : float
        Isotropic bulk and shear moduli in GPa.
    thermal_expansion_per_k : float
        Linear thermal expansion coefficient in 1/K.
    estimates : tuple of str
        Names of fields whose values are estimates rather than measurements.
    lattice_source : str
        Where the default and the literature lattice constants come from.
    """

    key: str
    formula: str
    structure: str
    spacegroup: int
    a_angstrom: float
    c_angstrom: float
    literature_a_angstrom: float
    literature_c_angstrom: float
    host_re: str | None = None
    halide: str | None = None
    bulk_gpa: float = 80.0
    shear_gpa: float = 40.0
    thermal_expansion_per_k: float = 1.5e-5
    estimates: tuple[str, ...] = field(default_factory=tuple)
    lattice_source: str = ""

    def __post_init__(self):
        if self.structure not in STRUCTURES:
            raise ValueError(f"structure must be one of {STRUCTURES}, got {self.structure!r}")
        for name in ("a_angstrom", "c_angstrom", "literature_a_angstrom", "literature_c_angstrom"):
            value = getattr(self, name)
            if not 1.0 <= value <= 50.0:
                raise ValueError(f"{name} = {value} Å is outside the allowed range [1, 50] Å")
        for name in ("bulk_gpa", "shear_gpa"):
            value = getattr(self, name)
            if not 0.0 < value <= 1000.0:
                raise ValueError(f"{name} = {value} GPa is outside the allowed range (0, 1000] GPa")

    @property
    def is_cubic(self) -> bool:
        """True for the cubic phases (perovskite and fluorite)."""
        return self.structure != "beta-hexagonal"

    @property
    def young_gpa(self) -> float:
        """Young's modulus in GPa from the isotropic relation E = 9KG / (3K + G)."""
        k, g = self.bulk_gpa, self.shear_gpa
        return 9 * k * g / (3 * k + g)

    @property
    def poisson(self) -> float:
        """Poisson's ratio from the isotropic relation ν = (3K − 2G) / (2(3K + G))."""
        k, g = self.bulk_gpa, self.shear_gpa
        return (3 * k - 2 * g) / (2 * (3 * k + g))

    def lattice_at(self, temperature_c: float) -> tuple[float, float]:
        """Return ``(a, c)`` in Å at ``temperature_c``, expanded linearly from 25 °C.

        Examples
        --------
        >>> a, c = get_material("CsPbBr3").lattice_at(225.0)
        >>> round(a, 4)
        5.9916
        """
        scale = 1.0 + self.thermal_expansion_per_k * (temperature_c - 25.0)
        return self.a_angstrom * scale, self.c_angstrom * scale


# Shear modulus of CsPbBr3 derived from E = 15.8 GPa and K = 15.5 GPa: G = 3KE / (9K − E).
_CSPBBR3_SHEAR_GPA = 3 * 15.5 * 15.8 / (9 * 15.5 - 15.8)

_FLUORIDE_ESTIMATES = ("bulk_gpa", "shear_gpa", "thermal_expansion_per_k")
_PEROVSKITE_ESTIMATES = ("thermal_expansion_per_k",)


def _perovskite(halide, a_p1, a_lit, source):
    return Material(
        key=f"CsPb{halide}3",
        formula=f"CsPb{halide}3",
        structure="perovskite",
        spacegroup=221,
        a_angstrom=a_p1,
        c_angstrom=a_p1,
        literature_a_angstrom=a_lit,
        literature_c_angstrom=a_lit,
        halide=halide,
        # CsPbBr3's moduli (E 15.8 GPa, K 15.5 GPa) stand in for the other halides.
        bulk_gpa=15.5,
        shear_gpa=_CSPBBR3_SHEAR_GPA,
        thermal_expansion_per_k=3.5e-5,
        estimates=_PEROVSKITE_ESTIMATES if halide == "Br" else (
            "bulk_gpa", "shear_gpa", "thermal_expansion_per_k"),
        lattice_source=f"default: P1; literature: {source}",
    )


def _fluoride(key, structure, spacegroup, re, a, c, a_lit, c_lit, source):
    return Material(
        key=key,
        formula=f"Na{re}F4",
        structure=structure,
        spacegroup=spacegroup,
        a_angstrom=a,
        c_angstrom=c,
        literature_a_angstrom=a_lit,
        literature_c_angstrom=c_lit,
        host_re=re,
        bulk_gpa=80.0,
        shear_gpa=40.0,
        thermal_expansion_per_k=1.5e-5,
        estimates=_FLUORIDE_ESTIMATES,
        lattice_source=f"default: P1; literature: {source}",
    )


_BUILTIN = (
    _perovskite("Cl", 5.68, 5.605, "Møller"),
    _perovskite("Br", 5.95, 5.874, "Møller"),
    _perovskite("I", 6.28, 6.289, "Trots 2008"),
    _fluoride("alpha-NaYF4", "fluorite", 225, "Y", 5.52, 5.52, 5.47, 5.47, "JCPDS 06-0342"),
    _fluoride("beta-NaGdF4", "beta-hexagonal", 174, "Gd", 6.02, 3.60, 6.020, 3.601,
              "JCPDS 27-0699"),
    _fluoride("beta-NaYF4", "beta-hexagonal", 174, "Y", 5.96, 3.53, 5.9738, 3.5297,
              "literature β-NaYF4"),
)

_REGISTRY: dict[str, Material] = {m.key: m for m in _BUILTIN}


def list_materials(*, kind: str | None = None) -> list[str]:
    """Return the keys of the known materials, built-in and registered.

    Parameters
    ----------
    kind : {None, "perovskite", "fluoride"}
        Only the CsPbX3 perovskites, or only the NaREF4 hosts; all by default.

    Examples
    --------
    >>> "CsPbBr3" in list_materials()
    True
    >>> perovskites = list_materials(kind="perovskite")
    >>> {"CsPbCl3", "CsPbBr3", "CsPbI3"} <= set(perovskites), "alpha-NaYF4" in perovskites
    (True, False)
    """
    keep = {None: lambda m: True, "perovskite": lambda m: m.structure == "perovskite",
            "fluoride": lambda m: m.host_re is not None}
    if kind not in keep:
        raise ValueError(f"kind must be None, 'perovskite' or 'fluoride', got {kind!r}")
    return sorted(key for key, m in _REGISTRY.items() if keep[kind](m))


#: The built-in NaREF4 hosts and CsPbX3 perovskites, the choices every model and lab offers
#: (materials registered later are used by key, not offered as choices).
FLUORIDES = tuple(list_materials(kind="fluoride"))
PEROVSKITES = tuple(list_materials(kind="perovskite"))


def get_material(key: str, *, lattice: str = "p1") -> Material:
    """Return the :class:`Material` stored under ``key``.

    Parameters
    ----------
    key : str
        A key of :func:`list_materials`, e.g. ``"alpha-NaYF4"``.
    lattice : {"p1", "literature"}
        ``"p1"`` keeps P1's lattice constants; ``"literature"`` swaps in the literature
        alternatives (everything else unchanged).

    Examples
    --------
    >>> get_material("beta-NaGdF4").c_angstrom
    3.6
    """
    if isinstance(key, Material):
        material = key
    else:
        try:
            material = _REGISTRY[key]
        except KeyError:
            raise ValueError(
                f"unknown material {key!r}; known materials: {', '.join(list_materials())}"
            ) from None
    if lattice == "p1":
        return material
    if lattice == "literature":
        return dataclasses.replace(
            material,
            a_angstrom=material.literature_a_angstrom,
            c_angstrom=material.literature_c_angstrom,
        )
    raise ValueError(f"lattice must be 'p1' or 'literature', got {lattice!r}")


def register_material(material: Material, *, overwrite: bool = False) -> Material:
    """Add a user-defined :class:`Material` to the database and return it.

    Parameters
    ----------
    material : Material
        The phase to add; its ``key`` is the name it is found under.
    overwrite : bool
        Replace an existing entry with the same key (built-ins included).

    Examples
    --------
    >>> import dataclasses
    >>> strained = dataclasses.replace(get_material("CsPbBr3"), key="CsPbBr3-test", a_angstrom=5.9)
    >>> register_material(strained, overwrite=True).a_angstrom
    5.9
    """
    if not isinstance(material, Material):
        raise TypeError("register_material expects a Material instance")
    if material.key in _REGISTRY and not overwrite:
        raise ValueError(f"material {material.key!r} exists; pass overwrite=True to replace it")
    _REGISTRY[material.key] = material
    return material
