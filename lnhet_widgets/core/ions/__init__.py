"""Per-ion energy transfer on the ions of a real particle (SCIENCE §11): simetuc's microscopic
rate equations, solved with a sparse Jacobian.

* :class:`IonLattice` — the Yb³⁺/Tm³⁺ ions of a particle (from ``TransferParams`` with seeded
  doping, from an annealing snapshot) or of a simetuc lattice file
  (:func:`read_simetuc_lattice`)
* :func:`ion_system` — the equations: per-ion absorption, decay, branching and §6 quenching,
  pair transfer C/r^s for every process, explicit Yb→Yb migration, and §7's perovskite
  channels shared over the ions by their depth below the interface
  (:mod:`~lnhet_widgets.core.ions.perovskite`)
* :func:`solve_ions` (CW steady state, Newton + sparse LU + continuation in power) and
  :func:`ion_dynamics` (pulse and decay, stiff BDF with sparse LU), both returning an
  :class:`IonResult`

The rate constants are those of :class:`~lnhet_widgets.core.optics.TransferParams`, the one
parameter set of the average model (:mod:`~lnhet_widgets.core.optics`), plus the per-ion
model's two constants, both fixed by E1 (tests/calibrate_ions.py): the Yb→Yb migration
``TransferParams.yb_migration_a6_s`` (by the bare core's Yb³⁺ lifetime; the average model
does not use it) and the coupling length :data:`~.perovskite.COUPLING_LENGTH_NM` (by the
heterostructure's).
"""

from .lattice import SPECIES, IonLattice
from .results import IonResult
from .simetuc_lattice import read_simetuc_lattice
from .solvers import ion_dynamics, solve_ions
from .system import LEVELS, IonSystem, ion_system

__all__ = [
    "LEVELS",
    "SPECIES",
    "IonLattice",
    "IonResult",
    "IonSystem",
    "ion_dynamics",
    "ion_system",
    "read_simetuc_lattice",
    "solve_ions",
]
