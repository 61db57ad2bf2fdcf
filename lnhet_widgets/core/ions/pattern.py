"""Sparsity patterns of the per-ion Jacobians, built once per system: where every term's
derivative goes in the CSR data arrays of the numba kernels (:mod:`~lnhet_widgets.core.ions.
_kernel`).

* :class:`JacobianPattern`: the full Jacobian over every state (the stiff integrator's).
* :class:`BlockPattern`: the Jacobian of the reduced system of the steady state, whose
  unknowns are the excited-state populations (each ion's ground state is 1 − Σ of its excited
  states, so every ion's populations sum to 1 by construction and a Yb³⁺ keeps one unknown of
  two). Its entries are ∂F_r/∂x_c = J[r, c] − J[r, ground of c's ion], so every pair of ions
  within reach couples all their excited states: the pattern is one dense block per pair of
  ions (and per ion), laid out from the ion pairs without sorting the terms.

Examples
--------
>>> import numpy as np
>>> empty = np.zeros(0, np.int64)
>>> p = jacobian_pattern(4, np.array([1, 3]), np.array([0, 2]), *(empty,) * 4)
>>> p.indptr.tolist(), p.indices.tolist()
([0, 1, 2, 3, 4], [1, 1, 3, 3])
>>> b = block_pattern(np.array([0, 1]), np.array([1, 0]), np.array([2, 8]))
>>> b.excited.tolist()[:3], b.indptr.tolist()[:3], b.indices.tolist()[:9]
([1, 3, 4], [0, 8, 16], [0, 1, 2, 3, 4, 5, 6, 7, 0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._kernel import block_indices, reduced_positions

__all__ = ["BlockPattern", "JacobianPattern", "block_pattern", "jacobian_pattern",
           "reduced_term_positions"]


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
class BlockPattern:
    """CSR structure of the reduced Jacobian over the ``excited`` states and the layout of its
    dense ion blocks: each ion's ``state_ion`` and ``state_pos`` (position among its excited
    states, −1 for its ground state) per state, ``first`` (its first unknown) and ``count``
    (its number of excited states) per ion, and per ion I the blocks ``bind[bptr[I]:
    bptr[I + 1]]`` (the ions J it couples to, ascending, itself included) with ``bcol`` the
    offset of block (I, J) within each of I's rows; ``pair_block`` is the block of each
    input pair (I, J) and ``own_block`` that of each ion with itself."""

    excited: np.ndarray
    state_ion: np.ndarray
    state_pos: np.ndarray
    first: np.ndarray
    count: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    bptr: np.ndarray
    bind: np.ndarray
    bcol: np.ndarray
    pair_block: np.ndarray
    own_block: np.ndarray

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


def block_pattern(ion_i, ion_j, sizes) -> BlockPattern:
    """The reduced Jacobian's pattern for ions of ``sizes`` levels (ground state first, blocks
    tiling the states in order) coupled in the ordered pairs ``(ion_i, ion_j)``, i ≠ j, each
    pair given once and in both orders."""
    sizes = np.asarray(sizes, dtype=np.int64)
    n_ions = sizes.size
    count = sizes - 1
    first = np.concatenate(([0], np.cumsum(count)))[:-1]
    state_ion = np.repeat(np.arange(n_ions), sizes)
    offsets = np.concatenate(([0], np.cumsum(sizes)))[:-1]
    state_pos = np.arange(int(sizes.sum())) - offsets[state_ion] - 1
    excited = np.nonzero(state_pos >= 0)[0]
    # blocks: the pairs and the ions themselves, sorted by (I, J)
    rows = np.concatenate((np.asarray(ion_i, dtype=np.int64), np.arange(n_ions)))
    cols = np.concatenate((np.asarray(ion_j, dtype=np.int64), np.arange(n_ions)))
    order = np.lexsort((cols, rows))
    rows, bind = rows[order], cols[order]
    bptr = np.searchsorted(rows, np.arange(n_ions + 1)).astype(np.int64)
    widths = count[bind]
    ends = np.cumsum(widths)
    row_length = np.add.reduceat(widths, bptr[:-1])  # every ion has its own block
    bcol = ends - widths - np.repeat(ends[bptr[:-1]] - widths[bptr[:-1]], np.diff(bptr))
    indptr = np.concatenate(([0], np.cumsum(np.repeat(row_length, count)))).astype(np.int64)
    indices = block_indices(indptr, bptr, bind, first, count)
    block_of = np.empty(order.size, dtype=np.int64)
    block_of[order] = np.arange(order.size)
    n_pairs = order.size - n_ions
    return BlockPattern(excited, state_ion, state_pos, first, count, indptr, indices, bptr,
                        bind, bcol, block_of[:n_pairs], block_of[n_pairs:])


def reduced_term_positions(blocks: BlockPattern, lin_from, lin_to, pair, ion_i, ion_j,
                           pair_ions):
    """Positions and widths of every term's derivatives in the reduced Jacobian
    (:func:`~lnhet_widgets.core.ions._kernel.reduced_positions`) for linear terms
    ``lin_from → lin_to`` and pair terms ``pair`` (df, dt, af, at, …) whose ion pairs are
    ``pair_ions`` (an index into the ordered pairs ``(ion_i, ion_j)``, sorted by (i, j) and
    holding both orders)."""
    n = blocks.own_block.size
    reverse = np.searchsorted(ion_i * n + ion_j, ion_j * n + ion_i)
    return reduced_positions(lin_from, lin_to, *pair[:4], blocks.pair_block[pair_ions],
                             blocks.pair_block[reverse[pair_ions]], blocks.state_ion,
                             blocks.state_pos, blocks.first, blocks.count, blocks.indptr,
                             blocks.own_block, blocks.bcol)
