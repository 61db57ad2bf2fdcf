"""Bulk crystals of the phases in :mod:`lnhet_widgets.core.crystal.materials`, built with ASE.

Sites follow SCIENCE.md §1. Unit cells come from :func:`ase.spacegroup.crystal`; partial
occupancies are resolved per cell with exact counts, so every supercell has the nominal
stoichiometry:

* Pm-3m CsPbX3: Pb 1a, Cs 1b, X 3d.
* Fm-3m α-NaREF4: cations on 4a, exactly half RE and half Na (random), F on 8c.
* P-6 β-NaREF4 (Z = 1.5): RE on 1a; 1f half RE / half Na; one Na of each 2h pair
  (the two 2h positions of one cell are 0.6 Å apart, so only one is filled); F on 3j, 3k.
  The F and 2h coordinates (3j ≈ (0.64, 0.06, 0), 3k ≈ (0.72, 0.77, ½), z(2h) ≈ 0.58) are
  approximate, good for teaching and powder patterns; load a refined CIF with
  :func:`load_cif` for quantitative work.

Dopants substitute RE sites at random with exact counts (``round(fraction * n_RE)``).

Examples
--------
>>> atoms = bulk("beta-NaGdF4", dopants={"Yb": 0.3, "Tm": 0.01}, supercell=(4, 4, 4), seed=1)
>>> len(atoms), atoms.get_chemical_formula()
(576, 'F384Gd66Na96TmYb29')
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping

import ase.io
import numpy as np
from ase import Atoms
from ase.data import atomic_numbers
from ase.spacegroup import crystal

from .materials import RE_DOPANTS, Material, get_material

__all__ = ["bulk", "load_cif", "re_site_mask", "unit_cell"]

# Wyckoff basis of each structure: (placeholder symbol, fractional position).
_BETA_BASIS = (
    ("RE", (0.0, 0.0, 0.0)),  # 1a: RE
    ("MIX", (2 / 3, 1 / 3, 0.5)),  # 1f: RE 0.5 / Na 0.5
    ("NA2H", (1 / 3, 2 / 3, 0.58)),  # 2h: Na 0.5 (one of the pair)
    ("F", (0.64, 0.06, 0.0)),  # 3j
    ("F", (0.72, 0.77, 0.5)),  # 3k
)


def _basis_crystal(material: Material, placeholders, symbol_of) -> tuple[Atoms, list[str]]:
    symbols = [symbol_of[p] for p, _ in placeholders]
    cellpar = [material.a_angstrom, material.a_angstrom, material.c_angstrom, 90, 90,
               120 if material.structure == "beta-hexagonal" else 90]
    atoms = crystal(
        symbols,
        basis=[pos for _, pos in placeholders],
        spacegroup=material.spacegroup,
        cellpar=cellpar,
    )
    kinds = [placeholders[k][0] for k in atoms.get_array("spacegroup_kinds")]
    return atoms, kinds


def unit_cell(key: str | Material, *, lattice: str = "p1") -> tuple[Atoms, list[str]]:
    """Return the conventional unit cell of ``key`` and the site label of every atom.

    Site labels are ``"RE"``, ``"MIX"`` (RE/Na 0.5), ``"NA2H"``, ``"CAT"`` (fluorite 4a),
    ``"Cs"``, ``"Pb"``, ``"X"`` and ``"F"``. Mixed sites carry a placeholder element until
    :func:`bulk` resolves them.

    Examples
    --------
    >>> atoms, labels = unit_cell("CsPbBr3")
    >>> atoms.get_chemical_formula(), labels
    ('Br3CsPb', ['Pb', 'Cs', 'X', 'X', 'X'])
    """
    m = get_material(key, lattice=lattice)
    if m.structure == "perovskite":
        placeholders = (("Pb", (0, 0, 0)), ("Cs", (0.5, 0.5, 0.5)), ("X", (0.5, 0, 0)))
        symbol_of = {"Pb": "Pb", "Cs": "Cs", "X": m.halide}
    elif m.structure == "fluorite":
        placeholders = (("CAT", (0, 0, 0)), ("F", (0.25, 0.25, 0.25)))
        symbol_of = {"CAT": m.host_re, "F": "F"}
    else:
        placeholders = _BETA_BASIS
        symbol_of = {"RE": m.host_re, "MIX": m.host_re, "NA2H": "Na", "F": "F"}
    return _basis_crystal(m, placeholders, symbol_of)


def _check_supercell(supercell) -> tuple[int, int, int]:
    try:
        reps = tuple(int(n) for n in supercell)
    except TypeError:
        raise ValueError(f"supercell must be three positive integers, got {supercell!r}") from None
    if len(reps) != 3 or min(reps) < 1 or max(reps) > 200:
        raise ValueError(f"supercell must be three integers in [1, 200], got {supercell!r}")
    return reps


def _check_dopants(dopants: Mapping[str, float] | None, host_re: str | None) -> dict[str, float]:
    if not dopants:
        return {}
    if host_re is None:
        raise ValueError("dopants apply to NaREF4 hosts only; perovskites take none")
    checked = {}
    for element, fraction in dopants.items():
        if element not in RE_DOPANTS:
            raise ValueError(f"dopant {element!r} is not an RE-site dopant; allowed: {RE_DOPANTS}")
        if not 0.0 <= float(fraction) <= 1.0:
            raise ValueError(f"dopant fraction of {element} = {fraction} is outside [0, 1]")
        checked[element] = float(fraction)
    if sum(checked.values()) > 1.0 + 1e-12:
        raise ValueError(f"dopant fractions add up to {sum(checked.values()):.3f} > 1")
    return checked


def _choose_exact(rng: np.random.Generator, n: int, fraction: float) -> np.ndarray:
    """Boolean mask of length ``n`` with exactly ``round(fraction * n)`` True entries."""
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[: round(fraction * n)]] = True
    return mask


def bulk(
    key: str | Material,
    *,
    dopants: Mapping[str, float] | None = None,
    supercell=(1, 1, 1),
    seed: int = 0,
    lattice: str = "p1",
) -> Atoms:
    """Build a bulk crystal of a database phase, with site mixing and random dopants.

    Parameters
    ----------
    key : str or Material
        Material key (see :func:`lnhet_widgets.core.crystal.list_materials`).
    dopants : mapping of str to float, optional
        Fraction of RE sites taken by each dopant, e.g. ``{"Yb": 0.3, "Tm": 0.01}`` for P1's
        β-NaGd0.69F4:Yb0.3,Tm0.01. Fluoride hosts only.
    supercell : three ints
        Repetitions of the conventional cell along a, b and c.
    seed : int
        Seed of the random site mixing and dopant placement.
    lattice : {"p1", "literature"}
        Which lattice constants to use.

    Returns
    -------
    ase.Atoms
        Periodic crystal; ``atoms.arrays["site"]`` holds the Wyckoff label of each atom
        (``"RE"``, ``"MIX"``, ``"NA2H"``, ``"CAT"``, ``"Cs"``, ``"Pb"``, ``"X"``, ``"F"``).

    Examples
    --------
    >>> atoms = bulk("alpha-NaYF4", supercell=(2, 2, 2))
    >>> atoms.get_chemical_formula()
    'F64Na16Y16'
    """
    m = get_material(key, lattice=lattice)
    reps = _check_supercell(supercell)
    doping = _check_dopants(dopants, m.host_re)
    cell_atoms, labels = unit_cell(m, lattice=lattice)
    atoms = _tile(cell_atoms, reps)
    labels = np.tile(np.array(labels, dtype="<U4"), int(np.prod(reps)))
    rng = np.random.default_rng(seed)
    numbers = atoms.numbers.copy()
    keep = np.ones(len(atoms), dtype=bool)
    host = atomic_numbers[m.host_re] if m.host_re else -1

    if m.structure == "fluorite":
        cations = np.flatnonzero(labels == "CAT")
        numbers[cations[~_choose_exact(rng, cations.size, 0.5)]] = atomic_numbers["Na"]
    elif m.structure == "beta-hexagonal":
        mixed = np.flatnonzero(labels == "MIX")
        numbers[mixed[~_choose_exact(rng, mixed.size, 0.5)]] = atomic_numbers["Na"]
        # Each cell holds its two 2h positions at consecutive indices; keep one of them.
        pairs = np.flatnonzero(labels == "NA2H").reshape(-1, 2)
        drop = pairs[np.arange(len(pairs)), rng.integers(0, 2, len(pairs))]
        keep[drop] = False

    if doping:
        re_sites = np.flatnonzero((numbers == host) & keep)
        order = rng.permutation(re_sites.size)
        start = 0
        for element, fraction in doping.items():
            count = round(fraction * re_sites.size)
            numbers[re_sites[order[start : start + count]]] = atomic_numbers[element]
            start += count

    atoms.numbers = numbers
    atoms.arrays["site"] = labels
    return atoms[keep]


def _tile(cell_atoms: Atoms, reps: tuple[int, int, int]) -> Atoms:
    """Repeat a unit cell, cell-major (atom i of cell k at index k * n + i), vectorised."""
    grid = np.indices(reps).reshape(3, -1).T
    shifts = grid @ cell_atoms.cell.array
    positions = (shifts[:, None, :] + cell_atoms.positions[None, :, :]).reshape(-1, 3)
    numbers = np.tile(cell_atoms.numbers, len(grid))
    return Atoms(numbers=numbers, positions=positions,
                 cell=cell_atoms.cell.array * np.array(reps)[:, None], pbc=True)


def re_site_mask(atoms: Atoms) -> np.ndarray:
    """Boolean mask of the atoms on rare-earth (cation) sites of a fluoride built by :func:`bulk`.

    Examples
    --------
    >>> int(re_site_mask(bulk("beta-NaGdF4", supercell=(2, 2, 2))).sum())
    12
    """
    symbols = np.array(atoms.get_chemical_symbols())
    return np.isin(symbols, RE_DOPANTS)


def load_cif(source: str | os.PathLike | bytes) -> Atoms:
    """Read a crystal from a CIF file path or CIF text/bytes with ASE.

    Raises ``ValueError`` naming the source when the content is not a readable CIF.

    Examples
    --------
    >>> import io, ase.io
    >>> buf = io.BytesIO()
    >>> ase.io.write(buf, bulk("CsPbBr3"), format="cif")
    >>> load_cif(buf.getvalue()).get_chemical_formula()
    'Br3CsPb'
    """
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    is_text = isinstance(source, str) and ("\n" in source or source.lstrip().startswith("data_"))
    handle = io.StringIO(source) if is_text else source
    label = "CIF text" if is_text else f"CIF file {os.fspath(source)!s}"
    try:
        atoms = ase.io.read(handle, format="cif")
    except FileNotFoundError:
        raise ValueError(f"{label} does not exist") from None
    except Exception as err:  # ASE raises many types for malformed CIFs
        raise ValueError(f"{label} could not be read as a crystal: {err}") from None
    if len(atoms) == 0:
        raise ValueError(f"{label} holds no atoms")
    return atoms
