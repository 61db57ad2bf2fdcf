"""How many exponentials a decay holds: the runs test of residual signs, and fits of 1 … 3
exponentials compared by F-tests (SCIENCE §10, lesson 5).

Built on :func:`~lnhet_widgets.core.analysis.fit_decay`:

* :func:`runs_test` — Wald–Wolfowitz runs of the residual signs. White residuals give z ≈ 0;
  a model that misses a component leaves long runs of one sign, and z falls far below −3.
* :func:`compare_decay_models` — fits 1 … 3 exponentials and picks the number the data
  support by an F-test between nested fits (rule under :class:`DecayModelComparison`).

A level fed by a shorter-lived one (a rise before the decay) is fitted by
:func:`~lnhet_widgets.core.analysis.fit_rise_decay`; the spread of τ_avg over resampled data
comes from :func:`~lnhet_widgets.core.analysis.bootstrap_tau_avg`.

Examples
--------
>>> from lnhet_widgets.core.analysis import multi_exponential
>>> t = np.linspace(0.0, 8e-3, 1600)
>>> rng = np.random.default_rng(1)
>>> counts = rng.poisson(60.0 + multi_exponential(t, [2000.0, 1000.0], [2e-4, 1.5e-3]))
>>> comparison = compare_decay_models(t, counts)
>>> comparison.best_n_exp, np.round(comparison.best.lifetimes * 1e3, 1)
(2, array([0.2, 1.5]))
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .._base.validate import check_range
from ._fit_common import _checked_data
from .fitting import (
    DecayFit,
    ReconvolutionFit,
    _fit_window,
    _min_points,
    _n_parameters,
    fit_decay,
)
from .reconvolution import _checked_irf

__all__ = ["DecayModelComparison", "compare_decay_models", "runs_test"]

_FIT_TYPES = {cls.__name__: cls for cls in (DecayFit, ReconvolutionFit)}
_RUNS_Z_LIMIT = 3.0


def runs_test(residuals) -> tuple[int, float, float]:
    """Wald–Wolfowitz runs test on the signs of residuals taken in time order.

    Parameters
    ----------
    residuals : array_like
        Residuals in the order of the fitted points; exact zeros are left out.

    Returns
    -------
    n_runs : int
        Number of runs (maximal blocks of one sign).
    expected : float
        Expected number for independent signs, 1 + 2 n₊n₋/n.
    z : float
        (n_runs − expected)/sd with var = 2n₊n₋(2n₊n₋ − n)/(n²(n − 1)); ≈ N(0, 1) for white
        residuals, strongly negative for long runs (a missing component), NaN when the variance
        is zero (all residuals of one sign, or fewer than three).

    Examples
    --------
    >>> n_runs, expected, z = runs_test([1.0, 2.0, -1.0, -0.5, 0.3])
    >>> n_runs, expected, round(z, 3)
    (3, 3.4, -0.436)
    """
    r = np.asarray(residuals, dtype=float)
    if r.ndim != 1 or not np.all(np.isfinite(r)):
        raise ValueError("residuals must be a 1-D array of finite numbers")
    signs = np.sign(r[r != 0.0])
    n_pos, n_neg = int(np.sum(signs > 0)), int(np.sum(signs < 0))
    n = n_pos + n_neg
    n_runs = int(1 + np.count_nonzero(signs[1:] != signs[:-1])) if n else 0
    expected = 1.0 + 2.0 * n_pos * n_neg / n if n else 0.0
    variance = 2.0 * n_pos * n_neg * (2.0 * n_pos * n_neg - n) / (n**2 * (n - 1)) if n > 1 else 0
    z = (n_runs - expected) / math.sqrt(variance) if variance > 0 else math.nan
    return n_runs, expected, z


@dataclass(frozen=True)
class DecayModelComparison(ResultIO):
    """Result of :func:`compare_decay_models`: fits with 1 … max_exp exponentials side by side.

    The arrays run parallel to ``fits`` (one entry per fitted model, fewest exponentials
    first); models the window is too short for are not fitted and are listed in ``skipped``.

    **Rule for best_n_exp**: the smallest n such that no fitted model with more exponentials
    lowers χ² significantly. For nested fits n < m (a fit with m exponentials holds the one with
    n as the case of zero amplitudes), F = [(χ²_n − χ²_m)/(ν_n − ν_m)] / (χ²_m/ν_m) follows
    an F(ν_n − ν_m, ν_m) distribution when the extra exponentials are not there (ν: degrees of
    freedom, χ² with each fit's own weights); m is significantly better when its p-value is
    below ``significance``. The ratio makes the test work for equal weights too, where χ² is
    in the data's units. The runs z is not part of the rule; it is reported (and flagged in
    :meth:`summary` when |z| > 3), because residuals that are not white with every n mean the
    decay is not a sum of exponentials, which more exponentials do not cure.

    Attributes
    ----------
    fits : tuple of DecayFit
        The fits (:class:`~lnhet_widgets.core.analysis.ReconvolutionFit` with an IRF).
    n_exp : ndarray of int
        Number of exponentials of each fit.
    reduced_chi2, runs_z : ndarray
        Reduced χ² and the runs-test z of the residual signs (:func:`runs_test`).
    tau_avg, tau_avg_err : ndarray
        Intensity-weighted average lifetime of each fit and its covariance error.
    p_values : ndarray, shape (k, k)
        ``p_values[i, j]`` (i < j): p-value of the F-test of fit j against fit i; NaN
        elsewhere.
    best_n_exp : int
        Number of exponentials chosen by the rule above.
    significance : float
        Threshold of the F-test.
    skipped : tuple of str
        Why models with more exponentials were not fitted (empty if none were skipped).
    """

    fits: tuple[DecayFit, ...]
    n_exp: np.ndarray
    reduced_chi2: np.ndarray
    runs_z: np.ndarray
    tau_avg: np.ndarray
    tau_avg_err: np.ndarray
    p_values: np.ndarray
    best_n_exp: int
    significance: float
    skipped: tuple[str, ...]

    @property
    def best(self) -> DecayFit:
        """The fit with ``best_n_exp`` exponentials."""
        return self.fits[int(np.flatnonzero(self.n_exp == self.best_n_exp)[0])]

    def summary(self) -> str:
        """A plain-text table of the fits and the choice (times in the unit of ``t``).

        Examples
        --------
        >>> t = np.linspace(0.0, 10.0, 400)
        >>> rng = np.random.default_rng(0)
        >>> y = rng.poisson(500.0 * np.exp(-t / 2.0) + 10.0)
        >>> print(compare_decay_models(t, y, max_exp=2).summary())
        n_exp  reduced χ²  runs z           τ_avg ± error  p (F-test vs n − 1)
            1       0.964    -0.6            2.001 ± 0.02
            2      0.9689    -0.6           2.001 ± 0.062  1
        best: 1 exponential (the smallest n that no larger model improves at p < 0.001)
        """
        lines = [f"{'n_exp':>5}  {'reduced χ²':>10}  {'runs z':>6}  {'τ_avg ± error':>22}  "
                 "p (F-test vs n − 1)"]
        for k, fit in enumerate(self.fits):
            tau = f"{fit.tau_avg:.4g} ± {fit.tau_avg_err:.2g}"
            p = "" if k == 0 else f"{self.p_values[k - 1, k]:.2g}"
            flag = "  (residuals not white)" if abs(self.runs_z[k]) > _RUNS_Z_LIMIT else ""
            lines.append(f"{fit.n_exp:>5}  {fit.reduced_chi2:>10.4g}  {self.runs_z[k]:>6.1f}  "
                         f"{tau:>22}  {p:<19}{flag}".rstrip())
        plural = "" if self.best_n_exp == 1 else "s"
        lines.append(f"best: {self.best_n_exp} exponential{plural} (the smallest n that no "
                     f"larger model improves at p < {self.significance:g})")
        lines.extend(f"skipped: {reason}" for reason in self.skipped)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Fields as plain Python objects; each fit as its own JSON payload."""
        out = super().to_dict()
        out["fits"] = [json.loads(fit.to_json()) for fit in self.fits]
        return out

    @classmethod
    def from_json(cls, text_or_path: str):
        """Rebuild a comparison from :meth:`to_json` output (JSON text or a file path)."""
        raw = super().from_json(text_or_path)
        fits = tuple(_FIT_TYPES[p["type"]].from_json(json.dumps(p)) for p in raw.fits)
        return dataclasses.replace(raw, fits=fits)


def _chi2_and_dof(fit: DecayFit) -> tuple[float, int]:
    n_params = _n_parameters(fit.n_exp, isinstance(fit, ReconvolutionFit))
    dof = max(fit.t.size - n_params, 1)
    return fit.reduced_chi2 * dof, dof


def _f_test(smaller: DecayFit, larger: DecayFit) -> float:
    """p-value that the larger nested fit lowers χ² only by chance."""
    # imported here: scipy.signal and .stats take 0.3 s, a third of the core's import
    from scipy.stats import f as f_distribution
    chi2_small, dof_small = _chi2_and_dof(smaller)
    chi2_large, dof_large = _chi2_and_dof(larger)
    extra = dof_small - dof_large
    if chi2_large <= 0.0:
        return 0.0 if chi2_small > 0.0 else 1.0
    statistic = (chi2_small - chi2_large) / extra / (chi2_large / dof_large)
    return float(f_distribution.sf(statistic, extra, dof_large)) if statistic > 0 else 1.0


def compare_decay_models(t, y, *, weights="auto", window=None, irf=None, max_exp: int = 3,
                         significance: float = 1e-3) -> DecayModelComparison:
    """Fit 1 … ``max_exp`` exponentials and choose how many the data support.

    Parameters
    ----------
    t, y, weights, window, irf
        As for :func:`~lnhet_widgets.core.analysis.fit_decay`; every model is fitted on the same
        window.
    max_exp : {1, 2, 3}
        Largest number of exponentials to try.
    significance : float
        F-test threshold in (0, 1) (see :class:`DecayModelComparison` for the rule).

    Returns
    -------
    DecayModelComparison

    Raises
    ------
    ValueError
        For a bad option, or when even one exponential cannot be fitted (the message of
        :func:`~lnhet_widgets.core.analysis.fit_decay`). Models with more exponentials than the
        window has points for (3 points per parameter) are skipped, not an error.

    Examples
    --------
    >>> t = np.linspace(0.0, 10.0, 400)
    >>> y = np.random.default_rng(0).poisson(500.0 * np.exp(-t / 2.0) + 10.0)
    >>> comparison = compare_decay_models(t, y)
    >>> comparison.best_n_exp, comparison.n_exp.tolist()
    (1, [1, 2, 3])
    """
    if max_exp not in (1, 2, 3):
        raise ValueError(f"max_exp must be 1, 2 or 3, got {max_exp!r}")
    significance = check_range("significance", significance, "", 0.0, 1.0,
                               low_inclusive=False, high_inclusive=False)
    t_checked, y_checked = _checked_data(t, y)
    if irf is not None:
        _checked_irf(t_checked, irf)
    start, stop = _fit_window(t_checked, y_checked, window, irf is not None)
    fits, skipped = [], []
    for n in range(1, max_exp + 1):
        needed = _min_points(n, irf is not None)
        if n > 1 and stop - start < needed:
            skipped.append(f"{n} exponentials: the window holds {stop - start} points, they "
                           f"need at least {needed}")
            continue
        fits.append(fit_decay(t, y, n_exp=n, weights=weights, window=window, irf=irf))
    k = len(fits)
    p_values = np.full((k, k), np.nan)
    for i, j in itertools.combinations(range(k), 2):
        p_values[i, j] = _f_test(fits[i], fits[j])
    best = next(i for i in range(k) if np.all(p_values[i, i + 1:] >= significance))
    return DecayModelComparison(
        fits=tuple(fits),
        n_exp=np.array([fit.n_exp for fit in fits]),
        reduced_chi2=np.array([fit.reduced_chi2 for fit in fits]),
        runs_z=np.array([runs_test(fit.residuals)[2] for fit in fits]),
        tau_avg=np.array([fit.tau_avg for fit in fits]),
        tau_avg_err=np.array([fit.tau_avg_err for fit in fits]),
        p_values=p_values,
        best_n_exp=fits[best].n_exp,
        significance=significance,
        skipped=tuple(skipped),
    )
