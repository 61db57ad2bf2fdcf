"""Pair-distance histograms per element pair for the Debye scattering equation.

The Debye sum over N atoms has N(N − 1)/2 pair terms per scattering vector. Binning the pair
distances once per element pair (width δ) turns it into a sum over bins that is evaluated for
every q at the cost of one histogram. Crystals put many pairs at the same few distances, so
bin-centre errors do not average out; each bin therefore also keeps the sum of its pairs'
offsets from the bin centre, and the Debye sum is expanded to first order around the centre.
As |d² sinc / dx²| ≤ 1/3, the error left in each pair term is below (q δ)² / 24
(3e-4 at q = 8 1/Å, δ = 0.01 Å).

:func:`pair_histogram` is the numba kernel (parallel over interleaved rows of the pair triangle,
private histograms per chunk); :func:`pair_histogram_reference` is the pure-numpy
reference that the tests and the benchmark compare it with. Both floor ``r / δ`` computed with
the same IEEE operations in the same order (no fastmath), so their integer counts agree
exactly (the float offsets agree to rounding).

:func:`pair_sinc_sums` then evaluates Σ_pairs sin(q r)/(q r) per species pair for every q
from the two histograms (numba, parallel over blocks of q, sin/cos by rotation recurrence
along the uniform bin grid).

Layout: ``counts[p, k]`` counts unordered pairs ``i < j`` whose species pair has index
``p = pair_index[s_i, s_j]`` (``pair_index`` symmetric) and whose distance lies in
``[k δ, (k + 1) δ)``; ``offsets[p, k]`` sums their (r − (k + ½) δ) / δ.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "pair_histogram",
    "pair_histogram_reference",
    "pair_index_matrix",
    "pair_sinc_sums",
]


def pair_index_matrix(n_species: int) -> np.ndarray:
    """Symmetric (n_species, n_species) matrix numbering the unordered species pairs.

    Examples
    --------
    >>> pair_index_matrix(3)
    array([[0, 1, 2],
           [1, 3, 4],
           [2, 4, 5]], dtype=int32)
    """
    index = np.zeros((n_species, n_species), dtype=np.int32)
    p = 0
    for a in range(n_species):
        for b in range(a, n_species):
            index[a, b] = index[b, a] = p
            p += 1
    return index


# nogil: MismatchLab computes a pattern in a worker thread while the kernel serves the controls.
@numba.njit(parallel=True, cache=True, nogil=True)
def _pair_histogram_chunks(x, y, z, species, segment_start, pair_index, inv_bin_width, n_bins,
                           n_pairs, n_chunks):
    n = x.shape[0]
    counts = np.zeros((n_chunks, n_pairs, n_bins), dtype=np.int64)
    offsets = np.zeros((n_chunks, n_pairs, n_bins), dtype=np.float64)
    for c in numba.prange(n_chunks):
        scaled = np.empty(n, dtype=np.float64)
        # Row i holds n − 1 − i pairs; striding rows over chunks balances the triangle.
        for i in range(c, n, n_chunks):
            xi = x[i]
            yi = y[i]
            zi = z[i]
            # Distances first, in a loop free of scattered writes, so that it vectorises.
            for j in range(i + 1, n):
                dx = x[j] - xi
                dy = y[j] - yi
                dz = z[j] - zi
                scaled[j] = math.sqrt(dx * dx + dy * dy + dz * dz) * inv_bin_width
            pairs_of_i = pair_index[species[i]]
            for s in range(pairs_of_i.shape[0]):
                count_row = counts[c, pairs_of_i[s]]
                offset_row = offsets[c, pairs_of_i[s]]
                for j in range(max(segment_start[s], i + 1), segment_start[s + 1]):
                    k = int(scaled[j])
                    count_row[k] += 1
                    offset_row[k] += scaled[j] - k - 0.5
    return counts, offsets


def pair_histogram(positions, species, pair_index, inv_bin_width, n_bins):
    """Histogram of pair distances per species pair, with in-bin offsets (numba, parallel).

    Parameters
    ----------
    positions : (N, 3) float array
        Cartesian positions in Å.
    species : (N,) int array
        Species index of every atom, ``0 <= species < len(pair_index)``.
    pair_index : (S, S) int array
        Output of :func:`pair_index_matrix`.
    inv_bin_width : float
        1 / δ in 1/Å.
    n_bins : int
        Number of bins; must exceed the largest distance times ``inv_bin_width``.

    Returns
    -------
    counts : (S(S + 1)/2, n_bins) int64 array
        Unordered pairs per species pair and distance bin.
    offsets : (S(S + 1)/2, n_bins) float64 array
        Sum over those pairs of (r − r_k) / δ, r_k = (k + ½) δ the bin centre.

    Examples
    --------
    >>> pos = np.array([[0.0, 0, 0], [1.0, 0, 0], [0, 2.5, 0]])
    >>> counts, offsets = pair_histogram(pos, np.array([0, 1, 1]), pair_index_matrix(2), 1.0, 4)
    >>> counts.tolist()
    [[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0]]
    >>> offsets.round(3).tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, -0.5, 0.0, 0.0], [0.0, 0.0, 0.193, 0.0]]
    """
    species = np.asarray(species)
    # Atoms sorted by species (stably, keeping spatial order) make each species pair a
    # contiguous run of j, so the inner loop writes to a single histogram row.
    order = np.argsort(species, kind="stable")
    sorted_species = species[order]
    positions = np.asarray(positions, dtype=np.float64)[order]
    n_species = len(pair_index)
    segment_start = np.searchsorted(sorted_species, np.arange(n_species + 1)).astype(np.int64)
    n_pairs = int(pair_index.max()) + 1
    # Private histograms per chunk; cap their number so that their memory stays modest.
    chunk_bytes = 16 * n_bins * n_pairs
    n_chunks = max(1, min(numba.get_num_threads(), (512 << 20) // chunk_bytes))
    counts, offsets = _pair_histogram_chunks(
        *(np.ascontiguousarray(positions[:, k]) for k in range(3)),
        sorted_species.astype(np.int64), segment_start, np.asarray(pair_index, dtype=np.int64),
        float(inv_bin_width), int(n_bins), n_pairs, n_chunks,
    )
    return counts.sum(axis=0), offsets.sum(axis=0)


def pair_histogram_reference(positions, species, pair_index, inv_bin_width, n_bins,
                             *, rows_per_chunk=256):
    """Pure-numpy version of :func:`pair_histogram`: same arguments, same counts, offsets
    equal to rounding.

    Processes ``rows_per_chunk`` rows of the distance matrix at a time, so memory stays at
    ``rows_per_chunk × N`` while the time remains O(N²); meant for tests and benchmarks.

    Examples
    --------
    >>> pos = np.array([[0.0, 0, 0], [1.0, 0, 0], [0, 2.5, 0]])
    >>> species = np.array([0, 1, 1])
    >>> counts, _ = pair_histogram_reference(pos, species, pair_index_matrix(2), 1.0, 4)
    >>> counts.tolist()
    [[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0]]
    """
    positions = np.asarray(positions, dtype=np.float64)
    species = np.asarray(species, dtype=np.int64)
    n = len(positions)
    n_pairs = int(pair_index.max()) + 1
    counts = np.zeros(n_pairs * n_bins, dtype=np.int64)
    offsets = np.zeros(n_pairs * n_bins, dtype=np.float64)
    for start in range(0, n, rows_per_chunk):
        rows = np.arange(start, min(start + rows_per_chunk, n))
        i, j = np.nonzero(np.arange(n)[None, :] > rows[:, None])
        i = rows[i]
        d = positions[j] - positions[i]
        scaled = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2]) * inv_bin_width
        k = scaled.astype(np.int64)
        flat = pair_index[species[i], species[j]] * n_bins + k
        counts += np.bincount(flat, minlength=n_pairs * n_bins)
        offsets += np.bincount(flat, weights=scaled - k - 0.5, minlength=n_pairs * n_bins)
    return counts.reshape(n_pairs, n_bins), offsets.reshape(n_pairs, n_bins)


@numba.njit(parallel=True, cache=True, nogil=True)
def _sinc_sums(q, bin_width, counts, offsets, block):
    n_q = q.shape[0]
    n_bins, n_pairs = counts.shape
    out = np.zeros((n_q, n_pairs))
    n_blocks = (n_q + block - 1) // block
    for b in numba.prange(n_blocks):
        lo = b * block
        m = min(lo + block, n_q) - lo
        # cos/sin of q r_k advance by a fixed rotation of q δ from one bin to the next; the
        # recurrence loses ~1e-16 per step, far below the binning error.
        cos_r = np.empty(m)
        sin_r = np.empty(m)
        cos_step = np.empty(m)
        sin_step = np.empty(m)
        for t in range(m):
            step = q[lo + t] * bin_width
            cos_step[t] = math.cos(step)
            sin_step[t] = math.sin(step)
            cos_r[t] = math.cos(0.5 * step)
            sin_r[t] = math.sin(0.5 * step)
        acc = np.zeros((m, n_pairs))
        for k in range(n_bins):
            inv_r = 1.0 / ((k + 0.5) * bin_width)
            for t in range(m):
                qt = q[lo + t]
                inv_x = inv_r / qt
                sinc = sin_r[t] * inv_x
                # q δ · d sinc/dx, the weight of the offsets (stored in units of δ)
                dsinc = (cos_r[t] - sinc) * inv_x * qt * bin_width
                for p in range(n_pairs):
                    acc[t, p] += counts[k, p] * sinc + offsets[k, p] * dsinc
                c = cos_r[t] * cos_step[t] - sin_r[t] * sin_step[t]
                sin_r[t] = sin_r[t] * cos_step[t] + cos_r[t] * sin_step[t]
                cos_r[t] = c
        out[lo : lo + m] = acc
    return out


def pair_sinc_sums(q_inv_a, bin_width_a, counts, offsets):
    """Σ over the pairs of each species pair of sin(q r)/(q r), from :func:`pair_histogram`.

    Each bin contributes ``n_k sinc(q r_k) + q Σ(r − r_k) sinc'(q r_k)`` with r_k its centre.

    Parameters
    ----------
    q_inv_a : (n_q,) float array
        Scattering-vector lengths q = 4π sin θ / λ in 1/Å, all > 0.
    bin_width_a : float
        δ in Å, as used for the histogram.
    counts, offsets : (P, n_bins) arrays
        Output of :func:`pair_histogram`.

    Returns
    -------
    (n_q, P) float64 array

    Examples
    --------
    >>> counts, offsets = pair_histogram(np.array([[0.0, 0, 0], [0, 0, 2.0]]), np.zeros(2, int),
    ...                                  pair_index_matrix(1), 100.0, 202)
    >>> q = np.array([1.0, 3.0])
    >>> exact = np.sin(2 * q) / (2 * q)
    >>> np.allclose(pair_sinc_sums(q, 0.01, counts, offsets)[:, 0], exact, atol=1e-4)
    True
    """
    q = np.ascontiguousarray(q_inv_a, dtype=np.float64)
    return _sinc_sums(q, float(bin_width_a), np.ascontiguousarray(counts.T, dtype=np.float64),
                      np.ascontiguousarray(offsets.T, dtype=np.float64), 16)
