"""Read simetuc lattice files (``latticeData/<name>/data_*.hdf5``) into an
:class:`~lnhet_widgets.core.ions.IonLattice`, so that both programs solve the very same ions.

simetuc (https://github.com/pedvide/simetuc, MIT licence) writes, per lattice, the doped ions'
positions ``doped_lattice`` (Å) and ``ion_type`` (0 = sensitizer, 1 = activator) besides its
own interaction lists. A lattice of ``N_uc`` unit cells is periodic: simetuc computes its pair
distances with the minimum-image convention in the box of N_uc × N_uc × N_uc cells, which the
file does not store, so the configuration that made it is needed to rebuild the box. A
lattice with a ``radius`` is a sphere centred on the origin.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import yaml

from ..optics.simetuc import _number
from .lattice import SPECIES, IonLattice

__all__ = ["read_simetuc_lattice"]

_DATASETS = ("doped_lattice", "ion_type")
_FILE_CONC = re.compile(r"_([0-9.]+)S_([0-9.]+)A\.hdf5$")


def read_simetuc_lattice(path, *, config=None) -> IonLattice:
    """Read a simetuc lattice file.

    Parameters
    ----------
    path : str or os.PathLike
        ``latticeData/<name>/data_<N>uc_<S>S_<A>A.hdf5`` (or ``data_<r>r_…`` for a sphere).
    config : str or os.PathLike, optional
        The simetuc configuration (``.cfg``) that made the lattice: its ``lattice`` section
        gives the periodic box (``a, b, c, alpha, beta, gamma`` and ``N_uc``) and the nominal
        concentrations ``S_conc``, ``A_conc`` (%). Required for a periodic lattice; without it
        a sphere takes the concentrations from the file name.

    Returns
    -------
    IonLattice
        Sensitizers as Yb, activators as Tm, positions in nm.

    Raises
    ------
    ValueError
        If the file is not an HDF5 file, lacks ``doped_lattice`` or ``ion_type``, holds
        positions that are not (n, 3) or ion types other than 0 and 1, or if the box or the
        concentrations cannot be found.

    Examples
    --------
    A sphere of two ions, written the way simetuc writes its files:

    >>> import tempfile, h5py
    >>> path = Path(tempfile.mkdtemp()) / "data_10.0r_50.0S_50.0A.hdf5"
    >>> with h5py.File(path, "w") as f:
    ...     f["doped_lattice"] = [[0.0, 0.0, 0.0], [3.5, 0.0, 0.0]]
    ...     f["ion_type"] = [0, 1]
    ...     f.attrs["lattice_info"] = "{num_total: 2, radius: 10.0}"
    >>> lattice = read_simetuc_lattice(path)
    >>> lattice.species.tolist(), lattice.radius_nm, lattice.site_percent
    (['Yb', 'Tm'], 1.0, {'Yb': 50.0, 'Tm': 50.0})
    """
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py ships with the distributed extra
        raise ImportError("reading simetuc lattice files needs h5py: pip install h5py "
                          "(or lnhet-widgets[distributed])") from None
    path = Path(path)
    try:
        file = h5py.File(path, mode="r")
    except OSError as err:
        raise ValueError(f"{path}: not a readable HDF5 simetuc lattice file ({err})") from None
    with file:
        missing = [name for name in _DATASETS if name not in file]
        if missing:
            raise ValueError(f"{path}: a simetuc lattice file holds the datasets {_DATASETS}; "
                             f"missing {missing} (found {sorted(file)})")
        positions_a = np.asarray(file["doped_lattice"], dtype=float)
        ion_type = np.asarray(file["ion_type"]).ravel()
        info = yaml.safe_load(file.attrs.get("lattice_info", "{}")) or {}
    if positions_a.ndim != 2 or positions_a.shape[1] != 3:
        raise ValueError(f"{path}: doped_lattice must hold (n, 3) positions in Å, got shape "
                         f"{positions_a.shape}")
    if ion_type.shape != (positions_a.shape[0],) or not np.isin(ion_type, (0, 1)).all():
        raise ValueError(f"{path}: ion_type must be 0 (sensitizer) or 1 (activator) for each "
                         f"of the {positions_a.shape[0]} ions")
    lattice = _config_lattice(config) if config is not None else None
    percent = _concentrations(path, lattice)
    species = np.array(SPECIES)[ion_type.astype(int)]
    positions = positions_a / 10.0
    if info.get("radius") is not None:
        radius = float(info["radius"]) / 10.0
        # simetuc keeps ions at r ≤ radius; the particle's surface lies just beyond them
        radius = max(radius, float(np.linalg.norm(positions, axis=1).max()) * (1 + 1e-9))
        return IonLattice(positions, species, np.full(len(species), "core"),
                          site_percent=percent, radius_nm=radius)
    if lattice is None:
        raise ValueError(f"{path}: a periodic simetuc lattice (N_uc unit cells) needs the "
                         "configuration that made it (config=...) for its box")
    return IonLattice(positions, species, np.full(len(species), "box"), site_percent=percent,
                      cell_nm=_box_nm(lattice, config))


def _config_lattice(config) -> dict:
    text = Path(config).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(f"{config}: not valid YAML ({err})") from None
    lattice = data.get("lattice") if isinstance(data, dict) else None
    if not isinstance(lattice, dict):
        raise ValueError(f"{config}: lacks the 'lattice' section of a simetuc configuration")
    return lattice


def _concentrations(path: Path, lattice: dict | None) -> dict:
    if lattice is not None:
        values = []
        for key in ("S_conc", "A_conc"):
            try:
                values.append(_number(lattice[key]))
            except (KeyError, ValueError) as err:
                raise ValueError(f"lattice: {key} (%) must be a number in [0, 100]: "
                                 f"{err}") from None
        return dict(zip(SPECIES, values, strict=True))
    match = _FILE_CONC.search(path.name)
    if match is None:
        raise ValueError(f"{path}: the concentrations are neither in a configuration nor in "
                         "the file name (data_…_<S>S_<A>A.hdf5)")
    return {"Yb": float(match.group(1)), "Tm": float(match.group(2))}


def _box_nm(lattice: dict, config) -> np.ndarray:
    """N_uc × the unit cell of ``a, b, c, alpha, beta, gamma`` (Å, degrees), in ASE's
    orientation (a along x, b in the xy plane), as simetuc builds it."""
    try:
        a, b, c, alpha, beta, gamma = (_number(lattice[k]) for k in
                                       ("a", "b", "c", "alpha", "beta", "gamma"))
        n_uc = int(_number(lattice["N_uc"]))
    except (KeyError, ValueError) as err:
        raise ValueError(f"{config}: lattice needs a, b, c (Å), alpha, beta, gamma (degrees) "
                         f"and N_uc: {err}") from None
    cos_a, cos_b, cos_g = (math.cos(math.radians(x)) for x in (alpha, beta, gamma))
    sin_g = math.sin(math.radians(gamma))
    cx = cos_b
    cy = (cos_a - cos_b * cos_g) / sin_g
    cz = math.sqrt(max(1.0 - cx * cx - cy * cy, 0.0))
    cell = np.array([[a, 0.0, 0.0], [b * cos_g, b * sin_g, 0.0], [c * cx, c * cy, c * cz]])
    return cell * n_uc / 10.0
