"""Fast PDB text for the 3D viewer: 10⁵ atoms in ~40 ms.

Every rebuilt 3D model is sent to the browser as PDB text, so the writer is on the path from a
slider to the redrawn view. An f-string per atom costs ~3 µs (0.15 s for a 16 nm particle);
this writer fills all records at once as a byte array, column by column, with numpy (6×
faster). The region of each atom goes into the chain identifier (``C`` core, ``S`` shell) so
that the viewer can select and colour regions (NGL selection ``:C``), unless
``atoms.arrays["chain"]`` gives each atom a one-letter chain of its own. A per-atom value in
``atoms.arrays["bfactor"]`` (0–99) goes into the B-factor column, which NGL colours by
(``color_scheme="bfactor"``).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols

CHAIN_OF_REGION = {"core": "C", "shell": "S"}

# One HETATM record, 78 columns (element right-aligned at 77–78, as PDB has it), then "\n".
_TEMPLATE = b"HETATM00000  XXX MOL C   1    " + b" " * 24 + b"  1.00  0.00          XX\n"
_SERIAL = slice(6, 11)
_NAME = slice(13, 16)
_CHAIN = 21
_COORDS = 30
_BFACTOR_UNITS = slice(60, 63)  # "%6.2f" of a whole number: three digits, then ".00"
_ELEMENT = slice(76, 78)
_WIDTH = 8  # %8.3f
# %8.3f holds "-999.999" and no more (particles here are < 50 nm, i.e. < 500 Å).
_MAX_ABS_A = 999.999


def _digits_right_aligned(values: np.ndarray, width: int, negative: np.ndarray) -> np.ndarray:
    """ASCII of non-negative integers ``values`` right-aligned in ``width`` columns, with a
    minus sign just left of the digits where ``negative``; shape (n, width), uint8."""
    out = np.empty((values.shape[0], width), dtype=np.uint8)
    remaining = values.astype(np.int64)
    sign_due = negative.copy()
    for col in range(width - 1, -1, -1):
        # The last column always gets a digit (zero prints as "0").
        digit = (remaining > 0) | (col == width - 1)
        sign_here = ~digit & sign_due
        out[:, col] = np.where(digit, ord("0") + remaining % 10,
                               np.where(sign_here, ord("-"), ord(" ")))
        sign_due &= ~sign_here
        remaining //= 10
    return out


def _fixed3(values: np.ndarray) -> np.ndarray:
    """``values`` formatted as ``%8.3f`` (|values| < 1000); shape (n, 8), uint8."""
    thousandths = np.rint(np.abs(values) * 1000.0).astype(np.int64)
    out = np.empty((values.shape[0], _WIDTH), dtype=np.uint8)
    # As "%8.3f" does, a negative number that rounds to zero keeps its sign ("-0.000").
    out[:, : _WIDTH - 4] = _digits_right_aligned(thousandths // 1000, _WIDTH - 4,
                                                 np.signbit(values))
    out[:, _WIDTH - 4] = ord(".")
    fraction = thousandths % 1000
    out[:, _WIDTH - 3] = ord("0") + fraction // 100
    out[:, _WIDTH - 2] = ord("0") + fraction // 10 % 10
    out[:, _WIDTH - 1] = ord("0") + fraction % 10
    return out


def atoms_to_pdb(atoms: Atoms) -> str:
    """Return PDB ``HETATM`` records for ``atoms`` (serial numbers wrap at 100000).

    Raises
    ------
    ValueError
        If a coordinate does not fit the PDB's 8 columns with its sign (|x| ≥ 1000 Å).

    Examples
    --------
    >>> from ase.build import molecule
    >>> print(atoms_to_pdb(molecule("H2O")).splitlines()[0][:26])
    HETATM    1  O   MOL C   1
    >>> water = molecule("H2O")
    >>> water.arrays["bfactor"] = np.array([99.0, 0.0, 42.4])
    >>> [line[60:66] for line in atoms_to_pdb(water).splitlines()[:3]]
    [' 99.00', '  0.00', ' 42.00']
    """
    n = len(atoms)
    positions = np.asarray(atoms.positions, dtype=float)
    if n and np.abs(positions).max() >= _MAX_ABS_A + 0.0005:
        raise ValueError(f"atom positions must lie within ±{_MAX_ABS_A} Å to be written as "
                         f"PDB; the largest is {np.abs(positions).max():.1f} Å")
    records = np.tile(np.frombuffer(_TEMPLATE, dtype=np.uint8), (n, 1))
    serial = np.arange(1, n + 1, dtype=np.int64) % 100000
    records[:, _SERIAL] = _digits_right_aligned(serial, 5, np.zeros(n, dtype=bool))
    numbers, species = np.unique(atoms.numbers, return_inverse=True)
    names = [chemical_symbols[z] for z in numbers]
    name_bytes = np.array([list(f"{s:<3}".encode()) for s in names], dtype=np.uint8)
    element_bytes = np.array([list(f"{s:>2}".encode()) for s in names], dtype=np.uint8)
    records[:, _NAME] = name_bytes[species]
    records[:, _ELEMENT] = element_bytes[species]
    chains = atoms.arrays.get("chain")
    regions = atoms.arrays.get("region")
    if chains is not None:
        if not all(len(c) == 1 and c.isascii() and c.isalpha() for c in chains):
            raise ValueError("atoms.arrays['chain'] must hold one ASCII letter per atom")
        records[:, _CHAIN] = np.frombuffer("".join(chains).encode("ascii"), dtype=np.uint8)
    elif regions is not None:
        records[regions == "shell", _CHAIN] = ord(CHAIN_OF_REGION["shell"])
    bfactor = atoms.arrays.get("bfactor")
    if bfactor is not None:
        if not np.all((bfactor >= 0) & (bfactor <= 99)):
            raise ValueError("atoms.arrays['bfactor'] must lie within 0–99 (a colour scale)")
        records[:, _BFACTOR_UNITS] = _digits_right_aligned(np.rint(bfactor), 3,
                                                           np.zeros(n, dtype=bool))
    records[:, _COORDS:_COORDS + 3 * _WIDTH] = _fixed3(positions.ravel()).reshape(n, -1)
    return records.tobytes().decode("ascii") + "END\n"

