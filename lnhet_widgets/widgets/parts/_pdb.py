"""Fast PDB text for the 3D viewer: 10⁵ atoms in well under a second.

ASE's PDB writer goes through its generic per-atom machinery, which dominates the time to
first frame of a 17 nm heterostructure; this writer does one f-string per atom and nothing
else. The region of each atom goes into the chain identifier (``C`` core, ``S`` shell) so
that the viewer can select and colour regions (NGL selection ``:C``).
"""

from __future__ import annotations

import numpy as np
from ase import Atoms

CHAIN_OF_REGION = {"core": "C", "shell": "S"}


def atoms_to_pdb(atoms: Atoms) -> str:
    """Return PDB ``HETATM`` records for ``atoms`` (serial numbers wrap at 100000).

    Examples
    --------
    >>> from ase.build import molecule
    >>> print(atoms_to_pdb(molecule("H2O")).splitlines()[0][:26])
    HETATM    1  O   MOL C   1
    """
    regions = atoms.arrays.get("region", np.full(len(atoms), "core"))
    chains = np.where(regions == "shell", CHAIN_OF_REGION["shell"], CHAIN_OF_REGION["core"])
    rows = zip(atoms.get_chemical_symbols(), chains.tolist(), atoms.positions.tolist(),
               strict=True)
    lines = [
        f"HETATM{(i + 1) % 100000:5d}  {el:<3} MOL {chain}   1    {x:8.3f}{y:8.3f}{z:8.3f}"
        f"  1.00  0.00          {el:>2}"
        for i, (el, chain, (x, y, z)) in enumerate(rows)
    ]
    return "\n".join(lines) + "\nEND\n"
