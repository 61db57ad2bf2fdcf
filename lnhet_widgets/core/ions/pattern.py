"""The sparsity pattern of the per-ion Jacobian, built once per system: where every term's
derivative goes in the CSR data array (:mod:`~lnhet_widgets.core.ions._kernel`).

Examples
--------
>>> import numpy as np
>>> p = jacobian_pattern(4, np.array([1]), np.array([0]), *(np.zeros(0, np.int64),) * 4,
...                      ground=np.array([0, 2]), block_end=np.array([2, 4]))
>>> p.indptr.tolist(), p.indices.tolist()
([0, 2, 3, 5, 5], [0, 1, 1, 2, 3])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["JacobianPattern", "jacobian_pattern"]


@dataclass(frozen=True)
class JacobianPattern:
    """CSR structure ``(indptr, indices)`` of an (n, n) Jacobian and the data positions of
    each term: ``lin_pos`` (m, 2) for (from, from) and (to, from), ``pair_pos`` (m, 8) for
    (df, dt, af, at) × column df, then × column af. Each ion's ground-state row also holds
    every column of its own block, for the normalisation of the conserved system."""

    n: int
    indptr: np.ndarray
    indices: np.ndarray
    lin_pos: np.ndarray
    pair_pos: np.ndarray

    @property
    def nnz(self) -> int:
        return int(self.indices.size)


def jacobian_pattern(n, lin_from, lin_to, pair_df, pair_dt, pair_af, pair_at, *, ground,
                     block_end) -> JacobianPattern:
    """Build the pattern of the Jacobian of ``n`` states from the terms' indices.

    ``ground`` and ``block_end`` give each ion's first state (its ground state) and the end of
    its block; the blocks tile ``0 … n − 1`` in order.
    """
    n = int(n)
    sizes = np.asarray(block_end) - np.asarray(ground)
    norm_rows = np.repeat(np.asarray(ground, dtype=np.int64), sizes)
    # the blocks tile the state vector in order, so the normalisation columns are 0 … n − 1
    norm_cols = np.arange(n, dtype=np.int64)
    rows = np.concatenate((lin_from, lin_to, pair_df, pair_dt, pair_af, pair_at,
                           pair_df, pair_dt, pair_af, pair_at, norm_rows)).astype(np.int64)
    cols = np.concatenate((lin_from, lin_from, *([pair_df] * 4), *([pair_af] * 4),
                           norm_cols)).astype(np.int64)
    keys, inverse = np.unique(rows * n + cols, return_inverse=True)
    del rows, cols
    indptr = np.searchsorted(keys // n, np.arange(n + 1)).astype(np.int64)
    indices = (keys % n).astype(np.int32)
    m_lin, m_pair = len(lin_from), len(pair_df)
    lin_pos = inverse[:2 * m_lin].reshape(2, m_lin).T.copy()
    pair_pos = inverse[2 * m_lin:2 * m_lin + 8 * m_pair].reshape(8, m_pair).T.copy()
    return JacobianPattern(n, indptr, indices, lin_pos, pair_pos)
