"""Ion pairs within the interaction range: every ordered pair (i, j), i ≠ j, with its distance.

In a particle the pairs come from a k-d tree. In a periodic box each pair is taken at its
minimum image, as simetuc does (``ase``'s ``get_distances(mic=True)``): the nearest of the 27
images of the wrapped separation, which is exact for any box whose pairs lie within half its
narrowest width of each other and is what ASE computes for the others.

Examples
--------
>>> import numpy as np
>>> from lnhet_widgets.core.ions import IonLattice
>>> box = IonLattice(np.array([[0.1, 0, 0], [0.9, 0, 0]]), np.array(["Yb", "Yb"]),
...                  np.array(["box", "box"]), site_percent={"Yb": 1.0}, cell_nm=np.eye(3))
>>> i, j, r = ion_pairs(box)
>>> i.tolist(), j.tolist(), np.round(r, 6).tolist()
([0, 1], [1, 0], [0.2, 0.2])
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.spatial import cKDTree

from .lattice import IonLattice

__all__ = ["ion_pairs"]

_SHIFTS = np.array(list(itertools.product((-1, 0, 1), repeat=3)), dtype=float)


def ion_pairs(lattice: IonLattice, d_max_nm: float | None = None):
    """Ordered pairs ``(i, j, r_nm)`` of ``lattice``'s ions closer than ``d_max_nm`` (all pairs
    when None), sorted by i then j."""
    pos = lattice.positions_nm
    if lattice.cell_nm is None:
        if d_max_nm is None:
            i, j = np.nonzero(~np.eye(len(pos), dtype=bool))
            r = np.linalg.norm(pos[i] - pos[j], axis=1)
        else:
            tree = cKDTree(pos)
            found = tree.sparse_distance_matrix(tree, d_max_nm, output_type="ndarray")
            keep = found["i"] != found["j"]
            i, j, r = found["i"][keep], found["j"][keep], found["v"][keep]
    else:
        i, j, r = _periodic_pairs(pos, lattice.cell_nm, d_max_nm)
    order = np.lexsort((j, i))
    return i[order].astype(np.int64), j[order].astype(np.int64), r[order]


def _periodic_pairs(pos, cell, d_max_nm):
    volume = abs(np.linalg.det(cell))
    widths = [volume / np.linalg.norm(np.cross(cell[a], cell[b])) for a, b in ((1, 2), (2, 0),
                                                                                 (0, 1))]
    if d_max_nm is not None and d_max_nm < min(widths) / 2:
        # every pair within d_max has one image that close: a tree over the 27 images
        images = (pos[None, :, :] + (_SHIFTS @ cell)[:, None, :]).reshape(-1, 3)
        found = cKDTree(pos).sparse_distance_matrix(cKDTree(images), d_max_nm,
                                                    output_type="ndarray")
        j = found["j"] % len(pos)
        keep = found["i"] != j
        return found["i"][keep], j[keep], found["v"][keep]
    return _all_periodic_pairs(pos, cell, d_max_nm)


def _all_periodic_pairs(pos, cell, d_max_nm):
    inverse = np.linalg.inv(cell)
    images = _SHIFTS @ cell
    n = len(pos)
    out_i, out_j, out_r = [], [], []
    chunk = max(1, 2_000_000 // (27 * n))
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        diff = pos[None, :, :] - pos[rows, None, :]
        frac = diff @ inverse
        wrapped = (frac - np.round(frac)) @ cell
        dist = np.linalg.norm(wrapped[:, :, None, :] + images[None, None], axis=3).min(axis=2)
        dist[np.arange(rows.size), rows] = np.inf
        keep = dist < (np.inf if d_max_nm is None else d_max_nm)
        ii, jj = np.nonzero(keep)
        out_i.append(rows[ii])
        out_j.append(jj)
        out_r.append(dist[ii, jj])
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_r)
