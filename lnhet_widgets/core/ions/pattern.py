"""Sparsity patterns of the per-ion Jacobian, built once per system: where every term's
derivative goes in the CSR data array (:mod:`~lnhet_widgets.core.ions._kernel`), and how the
full Jacobian folds into that of the reduced system of the steady state.

The steady state is solved for the excited-state populations x only: each ion's ground state
is 1 − Σ of its excited states, so every ion's populations sum to 1 by construction and the
Jacobian shrinks (a Yb³⁺ keeps one unknown of two). Its entries are
∂F_r/∂x_c = J[r, c] − J[r, ground of c's ion], which :class:`ReducedPattern` maps entry by
entry.

Examples
--------
>>> import numpy as np
>>> empty = np.zeros(0, np.int64)
>>> p = jacobian_pattern(4, np.array([1, 3]), np.array([0, 2]), *(empty,) * 4)
>>> p.indptr.tolist(), p.indices.tolist()
([0, 1, 2, 3, 4], [1, 1, 3, 3])
>>> r = reduced_pattern(p, np.array([0, 2]), np.array([2, 4]))
>>> r.excited.tolist(), r.indptr.tolist(), r.indices.tolist()
([1, 3], [0, 1, 2], [0, 1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["JacobianPattern", "ReducedPattern", "jacobian_pattern", "reduced_pattern"]


@dataclass(frozen=True)
class JacobianPattern:
    """CSR structure ``(indptr, indices)`` of the (n, n) Jacobian and the data positions of
    each term: ``lin_pos`` (m, 2) for (from, from) and (to, from), ``pair_pos`` (m, 8) for
    (df, dt, af, at) × column df, then × column af."""

    n: int
    indptr: np.ndarray
    indices: np.ndarray
    lin_pos: np.ndarray
    pair_pos: np.ndarray

    @property
    def nnz(self) -> int:
        return int(self.indices.size)


@dataclass(frozen=True)
class ReducedPattern:
    """CSR structure of the reduced Jacobian over the ``excited`` states, ``ion_of`` each of
    them, and the fold: reduced ``data[dst[t]] += sign[t] · full_data[src[t]]``."""

    excited: np.ndarray
    ion_of: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    sign: np.ndarray

    @property
    def n(self) -> int:
        return int(self.excited.size)

    @property
    def nnz(self) -> int:
        return int(self.indices.size)


def _csr(keys, n):
    """Unique keys row · n + col in CSR order: (indptr, indices, position of every key)."""
    keys, inverse = np.unique(keys, return_inverse=True)
    indptr = np.searchsorted(keys // n, np.arange(n + 1)).astype(np.int64)
    return indptr, (keys % n).astype(np.int32), inverse


def jacobian_pattern(n, lin_from, lin_to, pair_df, pair_dt, pair_af, pair_at) -> JacobianPattern:
    """The pattern of the Jacobian of ``n`` states from the terms' indices."""
    n = int(n)
    entries = [(lin_from, lin_from), (lin_to, lin_from)] + [
        (row, col) for col in (pair_df, pair_af) for row in (pair_df, pair_dt, pair_af, pair_at)]
    keys = np.empty(sum(len(row) for row, _ in entries), dtype=np.int64)
    start = 0
    for row, col in entries:  # one key array, filled in place: the largest allocation here
        np.multiply(row, n, out=keys[start:start + len(row)], casting="unsafe")
        keys[start:start + len(row)] += col
        start += len(row)
    indptr, indices, inverse = _csr(keys, n)
    del keys
    m_lin, m_pair = len(lin_from), len(pair_df)
    lin_pos = inverse[:2 * m_lin].reshape(2, m_lin).T.copy()
    pair_pos = inverse[2 * m_lin:].reshape(8, m_pair).T.copy()
    return JacobianPattern(n, indptr, indices, lin_pos, pair_pos)


def reduced_pattern(full: JacobianPattern, ground, block_end) -> ReducedPattern:
    """The reduced system's pattern and fold, for ions whose blocks ``[ground, block_end)``
    tile the states in order."""
    ground = np.asarray(ground, dtype=np.int64)
    sizes = np.asarray(block_end, dtype=np.int64) - ground
    ion = np.repeat(np.arange(ground.size), sizes)
    is_ground = np.zeros(full.n, dtype=bool)
    is_ground[ground] = True
    excited = np.nonzero(~is_ground)[0]
    reduced_index = np.cumsum(~is_ground) - 1  # state → its unknown (excited states)
    n_excited = sizes - 1
    first_excited = np.concatenate(([0], np.cumsum(n_excited)))[:-1]

    row = np.repeat(np.arange(full.n), np.diff(full.indptr))
    col = full.indices.astype(np.int64)
    k = np.arange(full.nnz)
    on_excited_row = ~is_ground[row]
    direct = on_excited_row & ~is_ground[col]
    folded = on_excited_row & is_ground[col]
    # a ground-state column becomes −1 × every excited column of its ion
    folded_ion = ion[col[folded]]
    group = n_excited[folded_ion]
    fold_k = np.repeat(k[folded], group)
    group_start = np.concatenate(([0], np.cumsum(group)))[:-1]
    fold_col = np.arange(fold_k.size) + np.repeat(first_excited[folded_ion] - group_start, group)
    src = np.concatenate((k[direct], fold_k))
    rows = reduced_index[row[src]]
    cols = np.concatenate((reduced_index[col[direct]], fold_col))
    indptr, indices, dst = _csr(rows.astype(np.int64) * excited.size + cols, excited.size)
    sign = np.concatenate((np.ones(int(direct.sum())), -np.ones(fold_k.size)))
    return ReducedPattern(excited, ion[excited], indptr, indices, src, dst, sign)
