"""Size-distribution statistics of measured particles, reported as P1 does (SCIENCE.md §10).

P1 states sizes as mean ± standard deviation, e.g. cores of 5.1 ± 0.4 nm or heterostructure
edges of 9.5 ± 1.5 nm, from TEM counts of ~100 particles. :func:`size_statistics` gives those
numbers, a histogram, and maximum-likelihood normal and lognormal fits with their AIC, so
that a user can see which shape describes a sample better (growth by ripening tends to give
skewed, lognormal-like distributions; size-focusing growth near-normal ones).

Examples
--------
>>> s = size_statistics([4.6, 5.0, 5.1, 5.2, 5.6])
>>> s.report()
'5.1 ± 0.4 nm (n = 5)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .._base.validate import check_range

__all__ = ["SizeStatistics", "size_statistics"]

_KINDS = ("normal", "lognormal")
_MIN_SIZES = 3


@dataclass(frozen=True, eq=False)
class SizeStatistics(ResultIO):
    """Summary, histogram and fitted distributions of a set of particle sizes.

    Attributes
    ----------
    sizes_nm : (n,) ndarray
        The sizes, nm, in the order given.
    n : int
        Number of sizes.
    mean_nm, sd_nm, sem_nm : float
        Mean, sample standard deviation (ddof = 1) and standard error of the mean, nm.
    median_nm, min_nm, max_nm : float
        Median, smallest and largest size, nm.
    histogram_counts : (m,) int ndarray
        Counts per bin.
    bin_edges_nm : (m + 1,) ndarray
        Evenly spaced bin edges, nm.
    normal_mu_nm, normal_sigma_nm : float
        Maximum-likelihood normal fit (σ with ddof = 0, so slightly below ``sd_nm``), nm.
    normal_log_likelihood, normal_aic : float
        Log-likelihood of the fit and AIC = 2·2 − 2 ln L.
    lognormal_geometric_mean_nm : float
        Geometric mean exp(⟨ln d⟩) = median of the lognormal fit (``scipy.stats.lognorm``
        scale with loc = 0), nm.
    lognormal_geometric_sd : float
        Geometric standard deviation exp(σ_ln), dimensionless (≥ 1): one σ spans
        [mean / gsd, mean · gsd].
    lognormal_log_likelihood, lognormal_aic : float
        As for the normal fit.
    best_fit : str
        ``"normal"`` or ``"lognormal"``, whichever has the lower AIC (both have two
        parameters, so this is the higher likelihood). For tens of particles a difference
        in AIC below ~2 does not distinguish the two.
    """

    sizes_nm: np.ndarray
    n: int
    mean_nm: float
    sd_nm: float
    sem_nm: float
    median_nm: float
    min_nm: float
    max_nm: float
    histogram_counts: np.ndarray
    bin_edges_nm: np.ndarray
    normal_mu_nm: float
    normal_sigma_nm: float
    normal_log_likelihood: float
    normal_aic: float
    lognormal_geometric_mean_nm: float
    lognormal_geometric_sd: float
    lognormal_log_likelihood: float
    lognormal_aic: float
    best_fit: str

    def _distribution(self, kind: str):
        # imported here: scipy.signal and .stats take 0.3 s, a third of the core's import
        from scipy import stats
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
        if math.isnan(self.normal_log_likelihood):
            raise ValueError("the sizes have no spread, so no distribution was fitted")
        if kind == "normal":
            return stats.norm(loc=self.normal_mu_nm, scale=self.normal_sigma_nm)
        return stats.lognorm(math.log(self.lognormal_geometric_sd),
                             scale=self.lognormal_geometric_mean_nm)

    def pdf(self, kind: str, x_nm) -> np.ndarray:
        """A fitted curve in histogram units: expected counts per bin, n · Δ · p(x).

        Parameters
        ----------
        kind : {"normal", "lognormal"}
            Which fit to evaluate.
        x_nm : array_like
            Sizes in nm at which to evaluate the curve.

        Returns
        -------
        ndarray
            Expected number of particles in a bin of the histogram's width Δ centred at x.

        Examples
        --------
        >>> s = size_statistics([4.6, 5.0, 5.1, 5.2, 5.6], bins=2)
        >>> s.bin_edges_nm.tolist(), s.histogram_counts.tolist()
        ([4.6, 5.1, 5.6], [2, 3])
        >>> round(float(s.pdf("normal", 5.1)[0]), 3)
        3.093
        """
        width = float(self.bin_edges_nm[1] - self.bin_edges_nm[0])
        x = np.asarray(x_nm, dtype=float)
        return self.n * width * np.atleast_1d(self._distribution(kind).pdf(x))

    def report(self, *, decimals: int | None = None) -> str:
        """``"mean ± sd nm (n = N)"``, rounded as P1 writes it.

        By default the standard deviation keeps one significant digit (two when that digit
        would be 1, e.g. 1.5) and the mean is rounded to the same decimal place.

        Parameters
        ----------
        decimals : int, optional
            Number of decimals to use instead, in [0, 10].

        Examples
        --------
        >>> size_statistics([8.0, 9.5, 11.0]).report()
        '9.5 ± 1.5 nm (n = 3)'
        >>> size_statistics([8.0, 9.5, 11.0]).report(decimals=2)
        '9.50 ± 1.50 nm (n = 3)'
        """
        if decimals is None:
            decimals = _uncertainty_decimals(self.sd_nm)
        else:
            decimals = int(check_range("decimals", decimals, "", 0, 10))
        return f"{self.mean_nm:.{decimals}f} ± {self.sd_nm:.{decimals}f} nm (n = {self.n})"


def _uncertainty_decimals(sd: float) -> int:
    """Decimals that leave one significant digit of sd, two if that digit is a 1 (1.5, 0.12)."""
    if not sd > 0:
        return 1
    mantissa, exponent = f"{sd:.6e}".split("e")
    return max(-int(exponent) + (1 if mantissa.startswith("1") else 0), 0)


def _check_sizes(sizes_nm) -> np.ndarray:
    try:
        sizes = np.array(sizes_nm, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"sizes_nm must be numbers in nm, got {sizes_nm!r}") from None
    if sizes.ndim != 1:
        raise ValueError(f"sizes_nm must be a 1-D list of sizes in nm, got shape {sizes.shape}")
    if sizes.size < _MIN_SIZES:
        raise ValueError(f"sizes_nm needs at least {_MIN_SIZES} sizes, got {sizes.size}")
    bad = np.flatnonzero(~(np.isfinite(sizes) & (sizes > 0)))
    if bad.size:
        check_range(f"sizes_nm[{bad[0]}]", float(sizes[bad[0]]), "nm", 0.0, math.inf,
                    low_inclusive=False, high_inclusive=False)
    return sizes


def size_statistics(sizes_nm, *, bins="auto") -> SizeStatistics:
    """Mean ± sd, histogram, and normal and lognormal fits of particle sizes.

    Parameters
    ----------
    sizes_nm : array_like
        Sizes (diameters or edge lengths) in nm: at least 3, each finite and > 0.
    bins : int, str or array_like
        Histogram bins as for :func:`numpy.histogram_bin_edges`: a number of bins, a rule
        name (``"auto"``, ``"fd"``, ``"sturges"``, …) or evenly spaced edges in nm.

    Returns
    -------
    SizeStatistics

    Notes
    -----
    Both fits are maximum likelihood, in closed form: the normal one is (mean, ddof-0 sd);
    the lognormal one is a normal fit of ln d, which is what
    ``scipy.stats.lognorm.fit(sizes, floc=0)`` returns. Their AIC compare the two shapes on
    the same data.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> s = size_statistics(rng.normal(5.1, 0.4, 120))
    >>> s.report()
    '5.1 ± 0.4 nm (n = 120)'
    >>> s.best_fit
    'normal'
    """
    from scipy import stats
    sizes = _check_sizes(sizes_nm)
    if isinstance(bins, (int, np.integer)):
        bins = int(check_range("bins", bins, "", 1, 10000))
    elif not isinstance(bins, str):
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError("bins as edges must be at least 2 increasing sizes in nm")
        if not np.allclose(np.diff(edges), edges[1] - edges[0], rtol=1e-9, atol=0.0):
            raise ValueError("bins edges must be evenly spaced, so that the fitted curves "
                             "can be drawn over the histogram")
        bins = edges
    try:
        counts, edges = np.histogram(sizes, bins=bins)
    except ValueError as error:
        raise ValueError(f"bins = {bins!r} is not a number of bins, a numpy rule name or "
                         f"bin edges: {error}") from None

    n = sizes.size
    sd = float(np.std(sizes, ddof=1))
    # Closed-form maximum likelihood, what scipy's norm.fit and lognorm.fit(floc=0) return,
    # without their optimiser's warnings for (nearly) identical sizes.
    mu, sigma = float(np.mean(sizes)), float(np.std(sizes))
    logs = np.log(sizes)
    shape, scale = float(np.std(logs)), float(np.exp(np.mean(logs)))
    # A set of identical sizes has zero spread; the likelihoods are then undefined.
    if sigma > 0 and shape > 0:
        ll_normal = float(np.sum(stats.norm.logpdf(sizes, mu, sigma)))
        ll_lognormal = float(np.sum(stats.lognorm.logpdf(sizes, shape, scale=scale)))
    else:
        ll_normal = ll_lognormal = math.nan
    aic_normal, aic_lognormal = 4.0 - 2.0 * ll_normal, 4.0 - 2.0 * ll_lognormal
    return SizeStatistics(
        sizes_nm=sizes, n=n, mean_nm=mu, sd_nm=sd, sem_nm=sd / math.sqrt(n),
        median_nm=float(np.median(sizes)), min_nm=float(sizes.min()), max_nm=float(sizes.max()),
        histogram_counts=counts, bin_edges_nm=edges, normal_mu_nm=mu,
        normal_sigma_nm=sigma, normal_log_likelihood=ll_normal, normal_aic=aic_normal,
        lognormal_geometric_mean_nm=scale, lognormal_geometric_sd=math.exp(shape),
        lognormal_log_likelihood=ll_lognormal, lognormal_aic=aic_lognormal,
        best_fit="lognormal" if aic_lognormal < aic_normal else "normal",
    )
