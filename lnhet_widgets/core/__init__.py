"""The simulation core: numpy and numba models, usable from a script (no widget imports).

The flat namespace re-exports the public functions of the modules below, in the spirit of
``ase.build``:

* :mod:`~lnhet_widgets.core.materials` — phases, lattice constants, radii, moduli
* :mod:`~lnhet_widgets.core.crystal` — bulk crystals with ASE, CIF loading
* :mod:`~lnhet_widgets.core.mismatch` and :mod:`~lnhet_widgets.core.coincidence` — misfit,
  tolerance factor, coincidence-lattice interfaces, effective misfit
* :mod:`~lnhet_widgets.core.strain` — coherent strain of a core–shell sphere
* :mod:`~lnhet_widgets.core.structures` — atomistic heterostructures
* :mod:`~lnhet_widgets.core.xrd` — powder patterns and the Debye equation
* :mod:`~lnhet_widgets.core.stem` — HAADF-STEM images and EDS maps

Examples
--------
>>> from lnhet_widgets.core import misfit, tolerance_factor
>>> round(100 * misfit("alpha-NaYF4", "CsPbI3"), 1), round(tolerance_factor("Cs", "Pb", "I"), 3)
(13.8, 0.807)
"""

from .crystal import bulk, load_cif
from .materials import Material, get_material, list_materials, register_material
from .mismatch import (
    coincidence_matches,
    effective_misfit,
    misfit,
    octahedral_factor,
    perovskite_stability,
    tolerance_factor,
)
from .stem import eds_maps, haadf_image
from .strain import coreshell_strain
from .structures import build_heterostructure
from .xrd import debye_pattern, powder_pattern, reflections

__all__ = [
    "Material",
    "build_heterostructure",
    "bulk",
    "coincidence_matches",
    "coreshell_strain",
    "debye_pattern",
    "eds_maps",
    "effective_misfit",
    "get_material",
    "haadf_image",
    "list_materials",
    "load_cif",
    "misfit",
    "octahedral_factor",
    "perovskite_stability",
    "powder_pattern",
    "reflections",
    "register_material",
    "tolerance_factor",
]
