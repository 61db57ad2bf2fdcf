"""numba kernels of the per-ion rate equations: the values of the sparse Jacobian on a pattern
built once (:mod:`~lnhet_widgets.core.ions.pattern`), and the right-hand side.

A system is a flat population vector ``y`` (one block of levels per ion) and two kinds of
terms (:class:`~lnhet_widgets.core.ions.system.IonSystem`):

* linear terms ``k · y[from]`` moving population ``from → to`` within one ion (decay,
  branching, quenching, and the pump, whose rates are scaled by the power);
* pair terms moving the donor ``df → dt`` at ``W_d · y[df] · y[af]`` and the acceptor
  ``af → at`` at ``W_a · y[df] · y[af]`` (simetuc's uncorrelated-pair approximation, one term
  per ordered pair and process). Between two ions W_d = W_a = W_ij; they differ where one side
  is a perovskite pool (the exciton, the interface defects), whose populations are fractions
  of its members (:mod:`~lnhet_widgets.core.ions.perovskite`).

The Jacobian's non-zeros are the entries ``(to|from, from)`` of the linear terms and
``(df|dt|af|at, df|af)`` of the pair terms; :func:`jacobian_values` adds each term's
derivative at the data positions the pattern gives it (``lin_pos`` (m, 2), ``pair_pos``
(m, 8)). :func:`reduced_values` assembles the Jacobian of the reduced system of the steady state,
whose unknowns are the excited states (each ion's ground state is 1 − Σ of its excited
states), on its block pattern at positions :func:`reduced_positions` computes once.

The right-hand side is the average model's (:func:`rhs`, from
:mod:`~lnhet_widgets.core.optics._transfer_kernel`). The pure-numpy ``*_numpy`` functions are
the references of the tests and of the benchmark.
"""

from __future__ import annotations

import numba
import numpy as np

from ..optics import _transfer_kernel

rhs = _transfer_kernel.rhs  # dy/dt: the numba kernel of the average model
rhs_numpy = _transfer_kernel.rhs_numpy  # its pure-numpy reference


@numba.njit(cache=True)
def jacobian_values(y, nnz, lin_from, lin_rate, lin_pos, pair_df, pair_af, pair_wd, pair_wa,
                    pair_pos):
    """Data array of the sparse Jacobian ∂(dy/dt)/∂y on the pattern of ``lin_pos``/``pair_pos``.

    ``pair_pos[m]`` holds the positions of (df, dt, af, at) × column df, then × column af.
    """
    data = np.zeros(nnz)
    for m in range(lin_from.size):
        data[lin_pos[m, 0]] -= lin_rate[m]
        data[lin_pos[m, 1]] += lin_rate[m]
    for m in range(pair_df.size):
        by_donor = y[pair_af[m]]  # ∂(y[df] y[af])/∂y[df]
        by_acceptor = y[pair_df[m]]  # ∂(y[df] y[af])/∂y[af]
        wd, wa = pair_wd[m], pair_wa[m]
        data[pair_pos[m, 0]] -= wd * by_donor
        data[pair_pos[m, 1]] += wd * by_donor
        data[pair_pos[m, 2]] -= wa * by_donor
        data[pair_pos[m, 3]] += wa * by_donor
        data[pair_pos[m, 4]] -= wd * by_acceptor
        data[pair_pos[m, 5]] += wd * by_acceptor
        data[pair_pos[m, 6]] -= wa * by_acceptor
        data[pair_pos[m, 7]] += wa * by_acceptor
    return data


@numba.njit(cache=True)
def block_indices(indptr, bptr, bind, first, count):
    """Column indices of the reduced Jacobian: each row of ion I holds, for every block J of
    I in order, the unknowns first[J] … first[J] + count[J] − 1."""
    indices = np.empty(indptr[-1], dtype=np.int32)
    row = 0
    for ion in range(count.size):
        for _ in range(count[ion]):
            k = indptr[row]
            for blk in range(bptr[ion], bptr[ion + 1]):
                other = bind[blk]
                for c in range(count[other]):
                    indices[k] = first[other] + c
                    k += 1
            row += 1
    return indices


@numba.njit(cache=True)
def _reduced_position(row_state, col_state, blk, state_ion, state_pos, first, count, indptr,
                      bcol):
    """Where ∂(dy[row_state]/dt)/∂y[col_state], in block ``blk``, goes in the reduced
    Jacobian: (position, width). Position −1: a ground-state row, left out. Width 0: one
    excited column at the position; width w > 0: a ground-state column, whose population is
    1 − Σ of the ion's excited ones, subtracted from the w columns from the position."""
    pos = state_pos[row_state]
    if pos < 0:
        return -1, 0
    base = indptr[first[state_ion[row_state]] + pos] + bcol[blk]
    col = state_pos[col_state]
    if col >= 0:
        return base + col, 0
    return base, count[state_ion[col_state]]


@numba.njit(cache=True, parallel=True)
def reduced_positions(lin_from, lin_to, pair_df, pair_dt, pair_af, pair_at, block_da,
                      block_ad, state_ion, state_pos, first, count, indptr, own_block, bcol):
    """Positions and widths (:func:`_reduced_position`) of every term's derivatives in the
    reduced Jacobian of a :class:`~lnhet_widgets.core.ions.pattern.BlockPattern`: (m, 2) for
    the linear terms ((from, from), (to, from)), (m, 8) for the pair terms ((df, dt, af, at)
    × column df, then × column af); ``block_da``/``block_ad`` are each pair term's blocks
    (donor ion, acceptor ion) and (acceptor ion, donor ion)."""
    # Each term's positions are its own (terms in parallel, 2 threads: 1e5 states' 4.4 M
    # pair terms in 1.2 s instead of 2.4 s).
    lin_pos = np.empty((lin_from.size, 2), dtype=np.int64)
    lin_width = np.empty((lin_from.size, 2), dtype=np.int8)
    for m in numba.prange(lin_from.size):
        own = own_block[state_ion[lin_from[m]]]
        for k in range(2):
            row = lin_from[m] if k == 0 else lin_to[m]
            lin_pos[m, k], lin_width[m, k] = _reduced_position(
                row, lin_from[m], own, state_ion, state_pos, first, count, indptr, bcol)
    pair_pos = np.empty((pair_df.size, 8), dtype=np.int64)
    pair_width = np.empty((pair_df.size, 8), dtype=np.int8)
    for m in numba.prange(pair_df.size):
        df, af = pair_df[m], pair_af[m]
        donor_own = own_block[state_ion[df]]
        acceptor_own = own_block[state_ion[af]]
        for k in range(4):  # rows df, dt (donor ion), af, at (acceptor ion)
            row = (df, pair_dt[m], af, pair_at[m])[k]
            on_donor = k < 2
            pair_pos[m, k], pair_width[m, k] = _reduced_position(
                row, df, donor_own if on_donor else block_ad[m], state_ion, state_pos, first,
                count, indptr, bcol)
            pair_pos[m, 4 + k], pair_width[m, 4 + k] = _reduced_position(
                row, af, block_da[m] if on_donor else acceptor_own, state_ion, state_pos,
                first, count, indptr, bcol)
    return lin_pos, lin_width, pair_pos, pair_width


@numba.njit(cache=True, inline="always")
def _put(data, pos, width, value):
    if pos < 0:
        return
    if width == 0:
        data[pos] += value
    else:
        for c in range(width):
            data[pos + c] -= value


@numba.njit(cache=True)
def reduced_values(y, nnz, lin_from, lin_rate, lin_pos, lin_width, pair_df, pair_af, pair_wd,
                   pair_wa, pair_pos, pair_width):
    """Data array of the reduced Jacobian ∂F/∂x (unknowns: the excited states) at the
    positions of :func:`reduced_positions`."""
    data = np.zeros(nnz)
    for m in range(lin_from.size):
        _put(data, lin_pos[m, 0], lin_width[m, 0], -lin_rate[m])
        _put(data, lin_pos[m, 1], lin_width[m, 1], lin_rate[m])
    for m in range(pair_df.size):
        by_donor = y[pair_af[m]]
        by_acceptor = y[pair_df[m]]
        for k in range(4):  # rows df, dt (coefficient W_d), af, at (W_a)
            w = (pair_wd[m] if k < 2 else pair_wa[m]) * (-1.0 if k % 2 == 0 else 1.0)
            _put(data, pair_pos[m, k], pair_width[m, k], w * by_donor)
            _put(data, pair_pos[m, 4 + k], pair_width[m, 4 + k], w * by_acceptor)
    return data


def jacobian_numpy(y, n, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at,
                   pair_wd, pair_wa):
    """Pure scipy reference of the Jacobian: a COO matrix summed into CSR, shape (n, n)."""
    from scipy import sparse

    by_donor = y[pair_af]
    by_acceptor = y[pair_df]
    rows = np.concatenate((lin_from, lin_to, pair_df, pair_dt, pair_af, pair_at,
                           pair_df, pair_dt, pair_af, pair_at))
    cols = np.concatenate((lin_from, lin_from, *([pair_df] * 4), *([pair_af] * 4)))
    vals = np.concatenate((-lin_rate, lin_rate, -pair_wd * by_donor, pair_wd * by_donor,
                           -pair_wa * by_donor, pair_wa * by_donor, -pair_wd * by_acceptor,
                           pair_wd * by_acceptor, -pair_wa * by_acceptor,
                           pair_wa * by_acceptor))
    return sparse.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()


def reduced_jacobian_numpy(jac, ground, block_end):
    """Pure scipy reference of :func:`reduced_values`: J[e, e] − J[e, g] · B, with e the excited
    states, g the ground states and B (ions × excited) the indicator of each ion's excited
    states."""
    from scipy import sparse

    n = jac.shape[0]
    sizes = np.asarray(block_end) - np.asarray(ground)
    ion = np.repeat(np.arange(len(ground)), sizes)
    excited = np.setdiff1d(np.arange(n), ground)
    belongs = sparse.csr_matrix((np.ones(excited.size), (ion[excited], np.arange(excited.size))),
                                shape=(len(ground), excited.size))
    rows = jac.tocsr()[excited]
    return (rows[:, excited] - rows[:, np.asarray(ground)] @ belongs).tocsr()
