"""Atomistic core–shell heterostructures: NaREF4 cores inside a CsPbX3 cube (SCIENCE §9).

The builder carves spherical cores from a bulk core crystal and a cube of edge L from a bulk
shell crystal (both from :func:`lnhet_widgets.core.crystal.bulk`), removes the shell atoms
that would overlap a core atom, and displaces both lattices by the coherent-strain field of
:mod:`lnhet_widgets.core.crystal.strain`. Choices, stated so they can be checked:

* The cube is treated elastically as the sphere of equal volume, b = L (3/4π)^(1/3); the
  displacement formula is continued to the cube's corners.
* With several cores the displacement fields of the cores are superposed (linear elasticity,
  each core in its own shell of radius b); cores keep one crystal orientation.
* A shell atom inside a core sphere or closer than ``min_distance_a`` to a core atom is
  removed.
* The default misfit is the effective misfit of the pair (smallest RMS strain of a coherent
  interface cell, :func:`lnhet_widgets.core.crystal.effective_misfit`) with the sign of the
  shell compressed onto the core, as P1's XRD shows for CsPbBr3 on both α and β cores.

Examples
--------
>>> atoms = build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4, seed=0)
>>> sorted(set(atoms.arrays["region"].tolist()))
['core', 'shell']
>>> 25000 < len(atoms) < 32000
True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from ase import Atoms
from scipy.spatial import cKDTree

from .._base.validate import check_range
from .bulk import bulk
from .materials import get_material
from .mismatch import effective_misfit
from .stem import haadf_image
from .strain import coreshell_strain, shell_displacement_nm

__all__ = ["build_heterostructure", "haadf_image", "place_cores"]

_CUBE_TO_SPHERE = (3.0 / (4.0 * np.pi)) ** (1.0 / 3.0)


def place_cores(n_cores: int, core_radius_nm: float, edge_nm: float, *, seed: int = 0,
                min_cover_nm: float = 0.5, max_tries: int = 20000) -> np.ndarray:
    """Random non-overlapping core centres (nm, relative to the cube centre).

    Every core keeps ``min_cover_nm`` of shell to the cube faces and to its neighbours.
    One core sits at the centre.

    Examples
    --------
    >>> place_cores(1, 4.0, 17.0)
    array([[0., 0., 0.]])
    >>> place_cores(2, 2.0, 12.0, seed=3).shape
    (2, 3)
    """
    if n_cores == 1:
        return np.zeros((1, 3))
    half_free = edge_nm / 2 - core_radius_nm - min_cover_nm
    if half_free < 0:
        raise ValueError(
            f"a core of {2 * core_radius_nm:g} nm does not fit in a {edge_nm:g} nm cube with "
            f"{min_cover_nm:g} nm of shell around it"
        )
    rng = np.random.default_rng(seed)
    min_gap = 2 * core_radius_nm + min_cover_nm
    centres: list[np.ndarray] = []
    for _ in range(max_tries):
        candidate = rng.uniform(-half_free, half_free, 3)
        if all(np.linalg.norm(candidate - c) >= min_gap for c in centres):
            centres.append(candidate)
            if len(centres) == n_cores:
                return np.array(centres)
    raise ValueError(
        f"n_cores = {n_cores} cores of {2 * core_radius_nm:g} nm do not fit without overlap in "
        f"a {edge_nm:g} nm cube; use fewer cores or a larger edge_nm"
    )


def _block(key, dopants, radius_a, seed):
    """Bulk crystal of ``key`` covering the cube [−radius_a, radius_a]³, centred on the origin."""
    m = get_material(key)
    reps = (
        int(np.ceil(2 * radius_a / m.a_angstrom)) + 2,
        int(np.ceil(2 * radius_a / m.a_angstrom / (np.sqrt(3) / 2 if not m.is_cubic else 1))) + 2,
        int(np.ceil(2 * radius_a / m.c_angstrom)) + 2,
    )
    atoms = bulk(key, dopants=dopants, supercell=reps, seed=seed)
    atoms.positions -= atoms.cell.sum(axis=0) / 2
    atoms.pbc = False
    atoms.cell = None
    return atoms


def build_heterostructure(
    core_key: str,
    core_diameter_nm: float,
    shell_key: str,
    edge_nm: float,
    *,
    dopants: Mapping[str, float] | None = None,
    n_cores: int = 1,
    strain: bool = True,
    misfit: float | None = None,
    min_distance_a: float = 2.0,
    seed: int = 0,
) -> Atoms:
    """Build an LnNP@CsPbX3 heterostructure: spherical core(s) inside a perovskite cube.

    Parameters
    ----------
    core_key : str
        Core phase, e.g. ``"beta-NaGdF4"`` or ``"alpha-NaYF4"``.
    core_diameter_nm : float
        Core diameter, in (0.5, 40] nm.
    shell_key : str
        Shell phase, e.g. ``"CsPbBr3"``.
    edge_nm : float
        Edge length of the perovskite cube, in (1, 40] nm; larger than the core.
    dopants : mapping, optional
        RE-site fractions of the core, e.g. ``{"Yb": 0.3, "Tm": 0.01}``.
    n_cores : int
        Number of cores in the cube (1–12), placed at random without overlap.
    strain : bool
        Displace core and shell by the coherent-strain field (SCIENCE §3).
    misfit : float, optional
        Misfit f for the strain field; defaults to the pair's effective misfit.
    min_distance_a : float
        Shell atoms closer than this to a core atom (or inside a core sphere) are removed (Å).
    seed : int
        Seed of dopant placement, site mixing and core positions.

    Returns
    -------
    ase.Atoms
        Non-periodic structure centred on the origin, in Å, with
        ``atoms.arrays["region"]`` (``"core"``/``"shell"``), ``atoms.arrays["core_index"]``
        (index of the core an atom belongs to, −1 for the shell) and ``atoms.info`` holding
        the build parameters, the misfit used and the core centres (nm).

    Examples
    --------
    >>> atoms = build_heterostructure("beta-NaGdF4", 3.7, "CsPbBr3", 9.5, dopants={"Yb": 0.3})
    >>> in_core = atoms.arrays["region"] == "core"
    >>> bool((atoms.arrays["core_index"][in_core] == 0).all())
    True
    """
    d = check_range("core_diameter_nm", core_diameter_nm, "nm", 0.5, 40.0)
    edge = check_range("edge_nm", edge_nm, "nm", 1.0, 40.0, low_inclusive=False)
    n = int(check_range("n_cores", n_cores, "", 1, 12))
    check_range("min_distance_a", min_distance_a, "Å", 0.0, 5.0)
    if edge <= d:
        raise ValueError(f"edge_nm = {edge:g} nm must exceed core_diameter_nm = {d:g} nm")
    core_mat, shell_mat = get_material(core_key), get_material(shell_key)
    radius_a = 10 * d / 2
    centres_nm = place_cores(n, d / 2, edge, seed=seed, min_cover_nm=0.0 if n == 1 else 0.5)

    shell = _block(shell_key, None, 10 * edge / 2, seed)
    inside = np.all(np.abs(shell.positions) <= 10 * edge / 2 + 1e-6, axis=1)
    shell = shell[inside]

    core_block = _block(core_key, dopants, radius_a, seed)
    sphere = np.linalg.norm(core_block.positions, axis=1) <= radius_a
    core_template = core_block[sphere]
    cores = []
    for i, centre in enumerate(centres_nm):
        # Each core gets its own random dopant and Na/RE arrangement.
        core = core_template.copy() if i == 0 else _block(core_key, dopants, radius_a, seed + i)
        if i > 0:
            core = core[np.linalg.norm(core.positions, axis=1) <= radius_a]
        core.positions += 10 * centre
        core.arrays["core_index"] = np.full(len(core), i, dtype=np.int32)
        cores.append(core)
    core_atoms = cores[0]
    for extra in cores[1:]:
        core_atoms += extra

    near_atom = cKDTree(core_atoms.positions).query(
        shell.positions, k=1, distance_upper_bound=min_distance_a)[0]
    # Interstitial voids of the core lattice are no room for shell atoms either.
    to_centre = np.linalg.norm(shell.positions[:, None, :] - 10 * centres_nm[None], axis=-1)
    inside_core = (to_centre < radius_a).any(axis=1)
    shell = shell[~np.isfinite(near_atom) & ~inside_core]
    shell.arrays["core_index"] = np.full(len(shell), -1, dtype=np.int32)

    f = 0.0
    if strain:
        # f_eff is an RMS strain (≥ 0): taken as f > 0, the shell compressed onto the core, as
        # P1's XRD shows for CsPbBr3 on both core phases.
        f = effective_misfit(core_key, shell_key) if misfit is None else float(misfit)
        _apply_strain(core_atoms, shell, centres_nm, d / 2, edge, f, core_mat, shell_mat)

    atoms = core_atoms + shell
    atoms.arrays["region"] = np.array(["core"] * len(core_atoms) + ["shell"] * len(shell))
    atoms.info.update(
        core_key=core_mat.key, shell_key=shell_mat.key, core_diameter_nm=d, edge_nm=edge,
        n_cores=n, misfit=f, strained=bool(strain), core_centres_nm=centres_nm.tolist(),
        seed=int(seed),
    )
    return atoms


def _apply_strain(core_atoms, shell, centres_nm, core_radius_nm, edge_nm, f, core_mat,
                  shell_mat):
    b = edge_nm * _CUBE_TO_SPHERE
    field = coreshell_strain(core_radius_nm, max(b, 1.001 * core_radius_nm), f,
                             core_bulk_gpa=core_mat.bulk_gpa, shell_bulk_gpa=shell_mat.bulk_gpa,
                             shell_shear_gpa=shell_mat.shear_gpa, n_points=3)
    shell_shift = np.zeros_like(shell.positions)
    for centre in 10 * centres_nm:
        rel = shell.positions - centre
        r_a = np.linalg.norm(rel, axis=1)
        u_nm = shell_displacement_nm(np.maximum(r_a, 10 * core_radius_nm) / 10, core_radius_nm,
                                     field.outer_radius_nm, field.pressure_gpa,
                                     shell_bulk_gpa=field.shell_bulk_gpa,
                                     shell_shear_gpa=field.shell_shear_gpa)
        shell_shift += (10 * u_nm / r_a)[:, None] * rel
    shell.positions += shell_shift
    # The core is strained uniformly (hydrostatic pressure): u = −P r / (3 K_c).
    dilation = -field.pressure_gpa / (3 * field.core_bulk_gpa)
    for i, centre in enumerate(10 * centres_nm):
        mine = core_atoms.arrays["core_index"] == i
        core_atoms.positions[mine] += dilation * (core_atoms.positions[mine] - centre)
