"""numba kernels of the per-ion rate equations: the values of the sparse Jacobian on a pattern
built once (:mod:`~lnhet_widgets.core.ions.pattern`), and the right-hand side.

A system is a flat population vector ``y`` (one block of levels per ion) and two kinds of
terms (:class:`~lnhet_widgets.core.ions.system.IonSystem`):

* linear terms ``k · y[from]`` moving population ``from → to`` within one ion (decay,
  branching, quenching, and the pump, whose rates are scaled by the power);
* pair terms ``W · y[df] · y[af]`` moving the donor ``df → dt`` and the acceptor ``af → at``
  (simetuc's uncorrelated-pair approximation, one term per ordered pair and process).

The Jacobian's non-zeros are the entries ``(to|from, from)`` of the linear terms and
``(df|dt|af|at, df|af)`` of the pair terms; :func:`jacobian_values` adds each term's
derivative at the data positions the pattern gives it (``lin_pos`` (m, 2), ``pair_pos``
(m, 8)). :func:`fold` turns the full Jacobian into that of the reduced system of the steady state,
whose unknowns are the excited states (each ion's ground state is 1 − Σ of its excited
states).

The right-hand side is the average model's (:func:`rhs`, from
:mod:`~lnhet_widgets.core.optics._transfer_kernel`) with one coefficient W for both partners of
a pair. The pure-numpy ``*_numpy`` functions are the references of the tests and of the
benchmark.
"""

from __future__ import annotations

import numba
import numpy as np

from ..optics import _transfer_kernel


def rhs(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at, pair_w):
    """dy/dt of the per-ion rate equations (the numba kernel of the average model)."""
    return _transfer_kernel.rhs(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af,
                                pair_at, pair_w, pair_w)


def rhs_numpy(y, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at, pair_w):
    """Pure-numpy reference of :func:`rhs`."""
    return _transfer_kernel.rhs_numpy(y, lin_from, lin_to, lin_rate, pair_df, pair_dt,
                                      pair_af, pair_at, pair_w, pair_w)


@numba.njit(cache=True)
def jacobian_values(y, nnz, lin_from, lin_rate, lin_pos, pair_df, pair_af, pair_w, pair_pos):
    """Data array of the sparse Jacobian ∂(dy/dt)/∂y on the pattern of ``lin_pos``/``pair_pos``.

    ``pair_pos[m]`` holds the positions of (df, dt, af, at) × column df, then × column af.
    """
    data = np.zeros(nnz)
    for m in range(lin_from.size):
        data[lin_pos[m, 0]] -= lin_rate[m]
        data[lin_pos[m, 1]] += lin_rate[m]
    for m in range(pair_df.size):
        by_donor = pair_w[m] * y[pair_af[m]]  # ∂flux/∂y[df]
        by_acceptor = pair_w[m] * y[pair_df[m]]  # ∂flux/∂y[af]
        data[pair_pos[m, 0]] -= by_donor
        data[pair_pos[m, 1]] += by_donor
        data[pair_pos[m, 2]] -= by_donor
        data[pair_pos[m, 3]] += by_donor
        data[pair_pos[m, 4]] -= by_acceptor
        data[pair_pos[m, 5]] += by_acceptor
        data[pair_pos[m, 6]] -= by_acceptor
        data[pair_pos[m, 7]] += by_acceptor
    return data


@numba.njit(cache=True)
def fold(data, src, dst, sign, nnz):
    """Data of the reduced Jacobian from that of the full one: ``out[dst] += sign · data[src]``
    (:class:`~lnhet_widgets.core.ions.pattern.ReducedPattern`)."""
    out = np.zeros(nnz)
    for t in range(src.size):
        out[dst[t]] += sign[t] * data[src[t]]
    return out


def jacobian_numpy(y, n, lin_from, lin_to, lin_rate, pair_df, pair_dt, pair_af, pair_at,
                   pair_w):
    """Pure scipy reference of the Jacobian: a COO matrix summed into CSR, shape (n, n)."""
    from scipy import sparse

    by_donor = pair_w * y[pair_af]
    by_acceptor = pair_w * y[pair_df]
    rows = np.concatenate((lin_from, lin_to, pair_df, pair_dt, pair_af, pair_at,
                           pair_df, pair_dt, pair_af, pair_at))
    cols = np.concatenate((lin_from, lin_from, *([pair_df] * 4), *([pair_af] * 4)))
    vals = np.concatenate((-lin_rate, lin_rate, -by_donor, by_donor, -by_donor, by_donor,
                           -by_acceptor, by_acceptor, -by_acceptor, by_acceptor))
    return sparse.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()


def reduced_jacobian_numpy(jac, ground, block_end):
    """Pure scipy reference of :func:`fold`: J[e, e] − J[e, g] · B, with e the excited
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
