"""What :class:`~lnhet_widgets.widgets.labs.analysis_lab.AnalysisLab` shows for each analysis.

One function per analysis takes the measured columns (already in the plot's units), the
options and the fit window, calls the core function that does the work
(:mod:`lnhet_widgets.core.analysis`) and returns an :class:`Outcome`: the core result,
the curves to draw, and the parameters with their uncertainties as :class:`Quantity` rows,
from which the lab builds its table and its CSV/JSON exports. Nothing here touches a widget.

Examples
--------
>>> t = np.linspace(0.0, 10.0, 400)
>>> outcome = decay_outcome(t, 5.0 * np.exp(-t / 2.0) + 0.1, unit="ms", y_unit="",
...                         n_exp=1, weights="equal", window=None)
>>> tau = next(q for q in outcome.quantities if q.key == "tau_avg")
>>> round(tau.value, 6), tau.unit
(2.0, 'ms')
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from lnhet_widgets.core._base.results import ResultIO
from lnhet_widgets.core.analysis import (
    LatticeFit,
    XrdPeaks,
    compare_decay_models,
    find_xrd_peaks,
    fit_decay,
    fit_rise_decay,
    index_cubic,
    lattice_constant,
    scherrer_size,
    size_statistics,
    tauc_gap,
)
from lnhet_widgets.core.optics import HC_EV_NM

__all__ = [
    "ANALYSES",
    "DECAY_ANALYSES",
    "HC_EV_NM",
    "TIME_UNITS",
    "Outcome",
    "Quantity",
    "XrdAnalysis",
    "decay_outcome",
    "format_value",
    "index_cubic",
    "parse_hkl",
    "results_csv",
    "results_html",
    "results_json",
    "rise_decay_outcome",
    "size_outcome",
    "tauc_outcome",
    "xrd_outcome",
]

#: Analyses offered by the lab: key → label.
ANALYSES = {
    "decay": "Decay (1–3 exp.)",
    "rise_decay": "Rise and decay",
    "tauc": "Tauc gap",
    "xrd": "XRD peaks & lattice constant",
    "size": "Size statistics",
}
DECAY_ANALYSES = ("decay", "rise_decay")
#: Time units of a decay file, in seconds.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@dataclass(frozen=True)
class Quantity:
    """One result of an analysis: ``key`` (for files), ``label`` (for people), value ± error.

    ``error`` is NaN where the analysis gives none (a count, a χ²).

    Examples
    --------
    >>> Quantity("tau_avg", "τ_avg", 2.0934, 0.0314, "ms").text()
    '2.093 ± 0.031'
    """

    key: str
    label: str
    value: float
    error: float
    unit: str

    def text(self) -> str:
        """Value ± error rounded to the error's second significant digit."""
        return format_value(self.value, self.error)


@dataclass(frozen=True)
class Outcome:
    """Everything the lab draws and reports for one analysis of one data set.

    Curves are ``(x, y)`` pairs of arrays in the plot's units, or None where the analysis has
    none; ``fit_label``/``extra_label`` name the curves in the legend. ``window`` is the range
    of x actually analysed. ``data`` replaces the raw data on the plot (a histogram of sizes).
    ``comparison`` is the :class:`~lnhet_widgets.core.analysis.DecayModelComparison` of
    an automatic choice of exponentials, exported with the result.
    """

    result: object
    window: tuple[float, float]
    title: str
    x_label: str
    y_label: str
    fit: tuple | None
    fit_label: str
    residuals: tuple
    residual_label: str
    quantities: tuple[Quantity, ...]
    summary: str
    extra: tuple | None = None
    extra_label: str = ""
    points: tuple | None = None
    data: tuple | None = None
    note_html: str = ""
    comparison: object | None = None
    markers_on_residuals: bool = False


def format_value(value: float, error: float, digits: int = 2) -> str:
    """``value ± error`` with the error rounded to ``digits`` significant digits.

    Examples
    --------
    >>> format_value(2093.56, 3.14)
    '2093.6 ± 3.1'
    >>> format_value(1.2345e-5, 4.1e-7)
    '(1.234 ± 0.041)e-05'
    >>> format_value(0.5, float("nan"))
    '0.5'
    """
    if not math.isfinite(value):
        return "—"
    if not (math.isfinite(error) and error > 0):
        return f"{value:.4g}"
    exponent = math.floor(math.log10(max(abs(value), error)))
    scale = 10.0 ** exponent if (exponent > 4 or exponent < -3) else 1.0
    v, e = value / scale, error / scale
    decimals = max(digits - 1 - math.floor(math.log10(e)), 0)
    text = f"{v:.{decimals}f} ± {e:.{decimals}f}"
    return f"({text})e{exponent:+03d}" if scale != 1.0 else text


def _weights(weights: str):
    if weights not in ("auto", "poisson", "equal"):
        raise ValueError(f"weights must be 'auto', 'poisson' or 'equal', got {weights!r}")
    return None if weights == "equal" else weights


def _decay_quantities(fit, unit: str, y_unit: str) -> list[Quantity]:
    rows = []
    for i, (a, da, tau, dtau) in enumerate(zip(fit.amplitudes, fit.amplitudes_err,
                                               fit.lifetimes, fit.lifetimes_err, strict=True),
                                           start=1):
        sub = str(i).translate(_SUBSCRIPTS)
        rows += [Quantity(f"A_{i}", f"A{sub}", float(a), float(da), y_unit),
                 Quantity(f"tau_{i}", f"τ{sub}", float(tau), float(dtau), unit)]
    rows += [Quantity("y0", "y₀ (background)", fit.y0, fit.y0_err, y_unit),
             Quantity("tau_avg", "τ_avg = ΣAτ²/ΣAτ", fit.tau_avg, fit.tau_avg_err, unit),
             Quantity("reduced_chi2", "reduced χ²", fit.reduced_chi2, math.nan, "")]
    return rows


def _with_unit(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _residual_label(weights: str, y_unit: str) -> str:
    return "(y − fit)/σ" if weights == "poisson" else _with_unit("y − fit", y_unit)


def decay_outcome(t, y, *, unit: str, y_unit: str, n_exp, weights: str, window) -> Outcome:
    """A 1–3 exponential decay fit (:func:`~lnhet_widgets.core.analysis.fit_decay`), or with
    ``n_exp="auto"`` the best of 1–3 by
    :func:`~lnhet_widgets.core.analysis.compare_decay_models`.

    ``t`` is in ``unit`` (the lifetimes come out in it); ``weights`` is "auto", "poisson" or
    "equal"; ``window`` a (start, end) in ``unit`` or None (from the maximum to the end).
    """
    w = _weights(weights)
    comparison = None
    if n_exp == "auto":
        comparison = compare_decay_models(t, y, weights=w, window=window, max_exp=3)
        fit = comparison.best
    elif n_exp in (1, 2, 3):
        fit = fit_decay(t, y, n_exp=n_exp, weights=w, window=window)
    else:
        raise ValueError(f"n_exp must be 1, 2, 3 or 'auto', got {n_exp!r}")
    chosen = "chosen from 1–3 by F-test: " if comparison is not None else ""
    summary = (f"τ_avg = {format_value(fit.tau_avg, fit.tau_avg_err)} {unit} "
               f"({chosen}{fit.n_exp} exp., χ²ᵣ = {fit.reduced_chi2:.3g}, "
               f"{'equal' if fit.weights == 'none' else fit.weights} weights)")
    return Outcome(
        result=fit, window=(fit.window_start, fit.window_end),
        title=f"{fit.n_exp}-exponential decay fit", x_label=f"time ({unit})",
        y_label=_with_unit("intensity", y_unit),
        fit=(fit.t, fit.y_fit), fit_label=f"fit, {fit.n_exp} exp.",
        residuals=(fit.t, fit.residuals), residual_label=_residual_label(fit.weights, y_unit),
        quantities=tuple(_decay_quantities(fit, unit, y_unit)), summary=summary,
        note_html=_comparison_html(comparison, unit) if comparison is not None else "",
        comparison=comparison)


def _comparison_html(comparison, unit: str) -> str:
    bold = ' style="font-weight:600"'
    rows = []
    for k, (f, chi2, z) in enumerate(zip(comparison.fits, comparison.reduced_chi2,
                                         comparison.runs_z, strict=True)):
        p = "" if k == 0 else f"{comparison.p_values[k - 1, k]:.2g}"
        best = f.n_exp == comparison.best_n_exp
        rows.append(f"<tr{bold if best else ''}><td>{f.n_exp}</td><td>{chi2:.3g}</td>"
                    f"<td>{z:+.1f}</td><td>{p}</td>"
                    f"<td>{html.escape(format_value(f.tau_avg, f.tau_avg_err))} {unit}</td>"
                    f"<td>{'✓' if best else ''}</td></tr>")
    skipped = "".join(f"<br>skipped: {html.escape(reason)}" for reason in comparison.skipped)
    return ("<table class='lnhet-table lnhet-model-comparison'><tr><th>n exp.</th><th>χ²ᵣ</th>"
            "<th>runs z</th><th>p (F-test vs n − 1)</th><th>τ_avg</th><th>chosen</th></tr>"
            + "".join(rows) + "</table>"
            f"<small>Chosen: the fewest exponentials that no larger model improves at p &lt; "
            f"{comparison.significance:g}. Runs z: sign runs of the residuals against chance; "
            f"|z| &gt; 3 means no model here describes the shape.{skipped}</small>")


def rise_decay_outcome(t, y, *, unit: str, y_unit: str, weights: str, window) -> Outcome:
    """A rise-then-decay fit (:func:`~lnhet_widgets.core.analysis.fit_rise_decay`): the
    curve of a level fed by energy transfer, fitted as a whole."""
    fit = fit_rise_decay(t, y, weights=_weights(weights), window=window)
    quantities = (
        Quantity("rise_time", "rise time τr", fit.rise_time, fit.rise_time_err, unit),
        Quantity("decay_time", "decay time τd", fit.decay_time, fit.decay_time_err, unit),
        Quantity("amplitude", "amplitude A", fit.amplitude, fit.amplitude_err, y_unit),
        Quantity("y0", "y₀ (background)", fit.y0, fit.y0_err, y_unit),
        Quantity("t0", "onset t₀", fit.t0, fit.t0_err, unit),
        Quantity("peak_time", "time of the maximum", fit.peak_time, math.nan, unit),
        Quantity("reduced_chi2", "reduced χ²", fit.reduced_chi2, math.nan, ""),
    )
    summary = (f"rise {format_value(fit.rise_time, fit.rise_time_err)} {unit}, decay "
               f"{format_value(fit.decay_time, fit.decay_time_err)} {unit} "
               f"(χ²ᵣ = {fit.reduced_chi2:.3g})")
    return Outcome(
        result=fit, window=(fit.window_start, fit.window_end), title="Rise-and-decay fit",
        x_label=f"time ({unit})", y_label=_with_unit("intensity", y_unit),
        fit=(fit.t, fit.y_fit), fit_label="fit, rise and decay",
        residuals=(fit.t, fit.residuals),
        residual_label=_residual_label(fit.weights, y_unit),
        quantities=quantities, summary=summary)


def tauc_outcome(energy_ev, absorbance, *, window) -> Outcome:
    """Direct-gap Tauc fit (:func:`~lnhet_widgets.core.analysis.tauc_gap`); ``window`` in eV.

    The fitted line is drawn from the gap (its zero) to the end of the window.
    """
    try:
        fit = tauc_gap(energy_ev, absorbance, window=window)
    except ValueError as error:
        if window is not None:
            raise
        raise ValueError(f"the straight part of the edge was not found automatically ({error});"
                         " set the window on it with the slider") from None
    energy, tauc = fit.energy_ev, fit.tauc
    start, end = fit.window_start_ev, fit.window_end_ev
    line_x = np.array([fit.gap_ev, end])
    inside = (energy >= start) & (energy <= end)
    residuals = tauc[inside] - (fit.slope * energy[inside] + fit.intercept)
    gap_nm = HC_EV_NM / fit.gap_ev
    quantities = (
        Quantity("gap_ev", "band gap E_g", fit.gap_ev, fit.gap_err_ev, "eV"),
        Quantity("gap_nm", "E_g as a wavelength", gap_nm, gap_nm / fit.gap_ev * fit.gap_err_ev,
                 "nm"),
        Quantity("slope", "slope of (αhν)²", fit.slope, math.nan, "(a.u.)/eV"),
        Quantity("n_points", "points in the fit", float(inside.sum()), math.nan, ""),
    )
    return Outcome(
        result=fit, window=(start, end), title="Tauc plot (direct gap)",
        x_label="photon energy hν (eV)", y_label="(αhν)² (a.u.)",
        fit=(line_x, fit.slope * line_x + fit.intercept), fit_label="linear fit",
        residuals=(energy[inside], residuals), residual_label="(αhν)² − line",
        quantities=quantities,
        summary=(f"E_g = {format_value(fit.gap_ev, fit.gap_err_ev)} eV "
                 f"({gap_nm:.1f} nm), from {start:.3g}–{end:.3g} eV"),
        data=(energy, tauc))


def _inside(x, y, window):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if window is None:
        return x, y, (float(np.min(x)), float(np.max(x)))
    low, high = (float(w) for w in window)
    if not low < high:
        raise ValueError(f"window = ({low:g}, {high:g}) must have start < end")
    keep = (x >= low) & (x <= high)
    if not keep.any():
        raise ValueError(f"window = ({low:g}, {high:g}) holds no data; x runs from "
                         f"{np.min(x):g} to {np.max(x):g}")
    return x[keep], y[keep], (low, high)


@dataclass(frozen=True)
class XrdAnalysis(ResultIO):
    """Peaks of a measured pattern, their Scherrer sizes and the lattice fitted to the indexed
    ones (None until at least two (cubic) or three (hexagonal) peaks have hkl).

    Attributes
    ----------
    peaks : XrdPeaks
    scherrer_nm : ndarray
        Crystallite size of each peak, nm (NaN where its FWHM could not be fitted).
    hkl : tuple of str
        The indices typed (or auto-indexed) for each peak, "" for none.
    lattice : LatticeFit or None
    """

    peaks: XrdPeaks
    scherrer_nm: np.ndarray
    hkl: tuple
    lattice: LatticeFit | None


def parse_hkl(text: str) -> tuple[int, ...] | None:
    """Miller indices typed by a user: "111", "(2 0 0)", "1,1,0", "10-1" or "10-10" (hkil).

    Returns None for an empty entry; raises ValueError for anything else that is not 3 or 4
    integers.

    Examples
    --------
    >>> parse_hkl("(220)"), parse_hkl("1 0 -1"), parse_hkl("11-20"), parse_hkl(" ")
    ((2, 2, 0), (1, 0, -1), (1, 1, -2, 0), None)
    """
    body = text.strip().strip("()[]{}").strip()
    if not body:
        return None
    if re.search(r"[\s,;]", body):
        parts = [p for p in re.split(r"[\s,;]+", body) if p]
    else:
        parts = re.findall(r"-?\d", body)
        if "".join(parts) != body:
            parts = []
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) not in (3, 4):
        raise ValueError(f"hkl {text.strip()!r} is not 3 (hkl) or 4 (hkil) integers, e.g. "
                         "'111', '2 0 0' or '10-10'")
    return values


def _hkl_texts(angles: np.ndarray, hkl_by_angle: dict) -> tuple[str, ...]:
    """The hkl typed for each peak: the entry of the nearest angle within 0.15° 2θ (peaks
    move a little when the window or the prominence changes)."""
    texts = []
    for angle in angles:
        near = [(abs(a - angle), t) for a, t in hkl_by_angle.items() if abs(a - angle) <= 0.15]
        texts.append(min(near)[1] if near else "")
    return tuple(texts)


def xrd_outcome(two_theta_deg, intensity, *, window, min_prominence: float,
                wavelength_a: float, system: str, hkl_by_angle: dict) -> Outcome:
    """Peaks in the window (:func:`~lnhet_widgets.core.analysis.find_xrd_peaks`),
    their Scherrer sizes, and the lattice constant(s) from the peaks whose hkl are given.

    ``hkl_by_angle`` maps a peak position (2θ, °) to the hkl typed for it (see
    :func:`parse_hkl`); each peak found takes the entry nearest to it within 0.15°.
    """
    x, y, used = _inside(two_theta_deg, intensity, window)
    peaks = find_xrd_peaks(x, y, min_prominence=min_prominence, wavelength_a=wavelength_a)
    if len(peaks) == 0:
        raise ValueError(f"no peak in {used[0]:g}–{used[1]:g}° rises above "
                         f"{min_prominence:g} of the intensity range; lower the prominence")
    sizes = np.array([_scherrer(f, tt, wavelength_a)
                      for f, tt in zip(peaks.fwhm_deg, peaks.two_theta_deg, strict=True)])
    texts = _hkl_texts(peaks.two_theta_deg, hkl_by_angle)
    indexed = [(i, parse_hkl(t)) for i, t in enumerate(texts)]
    indexed = [(i, hkl) for i, hkl in indexed if hkl is not None]
    lattice = None
    needed = 2 if system == "cubic" else 3
    if len(indexed) >= needed:
        rows = [i for i, _ in indexed]
        errors = peaks.two_theta_err_deg[rows]
        lattice = lattice_constant(
            peaks.two_theta_deg[rows], [hkl for _, hkl in indexed], wavelength_a=wavelength_a,
            system=system,
            two_theta_err_deg=errors if np.all(np.isfinite(errors) & (errors > 0)) else None)
    analysis = XrdAnalysis(peaks=peaks, scherrer_nm=sizes, hkl=texts, lattice=lattice)
    quantities = [Quantity("n_peaks", "peaks found", float(len(peaks)), math.nan, "")]
    finite = sizes[np.isfinite(sizes)]
    if finite.size:
        spread = float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan
        quantities.append(Quantity("scherrer_mean_nm", "Scherrer size (mean ± sd of peaks)",
                                   float(np.mean(finite)), spread, "nm"))
    if lattice is not None:
        quantities.append(Quantity("a_a", "lattice constant a", lattice.a_a, lattice.a_err_a, "Å"))
        if system == "hexagonal":
            quantities.append(Quantity("c_a", "lattice constant c", lattice.c_a,
                                       lattice.c_err_a, "Å"))
        quantities += [
            Quantity("n_indexed", "indexed peaks", float(len(indexed)), math.nan, ""),
            Quantity("rms_residual_deg", "rms 2θ obs − calc", lattice.rms_residual_deg,
                     math.nan, "°")]
        summary = (f"a = {format_value(lattice.a_a, lattice.a_err_a)} Å"
                   + (f", c = {format_value(lattice.c_a, lattice.c_err_a)} Å"
                      if system == "hexagonal" else "")
                   + f" from {len(indexed)} indexed peaks ({system})")
        residuals = (lattice.two_theta_deg, lattice.residual_deg)
    else:
        summary = (f"{len(peaks)} peaks found; type hkl for at least {needed} of them "
                   + ("or click Auto-index " if system == "cubic" else "")
                   + "for the lattice constant")
        residuals = (np.zeros(0), np.zeros(0))
    profile = peaks.profile(x) + float(np.min(y))
    return Outcome(
        result=analysis, window=used, title=f"Powder XRD, λ = {wavelength_a:g} Å",
        x_label="2θ (°)", y_label="intensity", fit=(x, profile),
        fit_label="fitted peaks (above the minimum)", residuals=residuals,
        residual_label="2θ obs − calc (°)", quantities=tuple(quantities), summary=summary,
        points=(peaks.two_theta_deg, np.interp(peaks.two_theta_deg, x, y)),
        markers_on_residuals=True)


def _scherrer(fwhm: float, two_theta: float, wavelength_a: float) -> float:
    try:
        return float(scherrer_size(fwhm, two_theta, wavelength_a=wavelength_a))
    except ValueError:
        return math.nan


def size_outcome(sizes_nm, *, window, bins) -> Outcome:
    """Mean ± sd, histogram and normal/lognormal fits of the sizes inside ``window`` (nm)
    (:func:`~lnhet_widgets.core.analysis.size_statistics`)."""
    sizes = np.asarray(sizes_nm, dtype=float)
    kept, _, used = _inside(sizes, sizes, window)
    stats = size_statistics(kept, bins=bins)
    edges, counts = stats.bin_edges_nm, stats.histogram_counts
    step_x = np.repeat(edges, 2)
    step_y = np.concatenate([[0.0], np.repeat(counts.astype(float), 2), [0.0]])
    grid = np.linspace(edges[0], edges[-1], 300)
    best = stats.best_fit
    centres = 0.5 * (edges[1:] + edges[:-1])
    expected = stats.pdf(best, centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Poisson σ of a bin is √expected; at least one count, so that a stray particle in a
        # bin the fit leaves empty does not dwarf every other residual.
        residuals = (counts - expected) / np.sqrt(np.maximum(expected, 1.0))
    quantities = (
        Quantity("n", "particles", float(stats.n), math.nan, ""),
        Quantity("mean_nm", "mean (± standard error)", stats.mean_nm, stats.sem_nm, "nm"),
        Quantity("sd_nm", "standard deviation", stats.sd_nm, math.nan, "nm"),
        Quantity("median_nm", "median", stats.median_nm, math.nan, "nm"),
        Quantity("normal_mu_nm", "normal fit μ", stats.normal_mu_nm, math.nan, "nm"),
        Quantity("normal_sigma_nm", "normal fit σ", stats.normal_sigma_nm, math.nan, "nm"),
        Quantity("lognormal_geometric_mean_nm", "lognormal geometric mean",
                 stats.lognormal_geometric_mean_nm, math.nan, "nm"),
        Quantity("lognormal_geometric_sd", "lognormal geometric sd",
                 stats.lognormal_geometric_sd, math.nan, ""),
        Quantity("normal_aic", "AIC normal", stats.normal_aic, math.nan, ""),
        Quantity("lognormal_aic", "AIC lognormal", stats.lognormal_aic, math.nan, ""),
    )
    other = "lognormal" if best == "normal" else "normal"
    return Outcome(
        result=stats, window=used, title="Size distribution", x_label="size (nm)",
        y_label="particles per bin", fit=(grid, stats.pdf(best, grid)),
        fit_label=f"{best} fit (lower AIC)", extra=(grid, stats.pdf(other, grid)),
        extra_label=f"{other} fit", residuals=(centres, residuals),
        residual_label="(counts − fit)/√fit", quantities=quantities,
        summary=f"{stats.report()}; {best} describes it better (AIC)",
        data=(step_x, step_y), markers_on_residuals=True)


# --- reports ---------------------------------------------------------------------------------


def results_html(outcome: Outcome) -> str:
    """The parameters as an HTML table (value ± uncertainty, unit), plus any note."""
    rows = "".join(
        f"<tr><td>{html.escape(q.label)}</td><td>{html.escape(q.text())}</td>"
        f"<td>{html.escape(q.unit)}</td></tr>" for q in outcome.quantities)
    return (f"<table class='lnhet-table lnhet-results'><tr><th>quantity</th>"
            f"<th>value ± standard error</th><th>unit</th></tr>{rows}</table>"
            + outcome.note_html)


def _number(value: float):
    return float(value) if math.isfinite(value) else None


def results_csv(outcome: Outcome, meta: dict) -> str:
    """Parameters as CSV (``quantity,value,uncertainty,unit``) under ``# key: value`` lines
    that say where they come from (``meta``: source, analysis, columns, window …).

    Examples
    --------
    >>> o = Outcome(result=None, window=(0.0, 1.0), title="", x_label="", y_label="",
    ...             fit=None, fit_label="", residuals=((), ()), residual_label="",
    ...             quantities=(Quantity("gap_ev", "E_g", 2.42, 0.01, "eV"),), summary="")
    >>> print(results_csv(o, {"source": "abs.csv"}), end="")
    # source: abs.csv
    quantity,value,uncertainty,unit
    gap_ev,2.42,0.01,eV
    """
    buffer = io.StringIO()
    for key, value in meta.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        buffer.write(f"# {key}: {text}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["quantity", "value", "uncertainty", "unit"])
    for q in outcome.quantities:
        writer.writerow([q.key, repr(float(q.value)),
                         repr(float(q.error)) if math.isfinite(q.error) else "", q.unit])
    return buffer.getvalue()


def results_json(outcome: Outcome, meta: dict) -> str:
    """``meta``, the parameters, and the core result as its own ``to_json`` (so that, e.g.,
    ``DecayFit.from_json(json.dumps(payload["result"]))`` rebuilds it)."""
    payload = dict(meta)
    payload["quantities"] = [
        {"quantity": q.key, "label": q.label, "value": _number(q.value),
         "uncertainty": _number(q.error), "unit": q.unit} for q in outcome.quantities]
    payload["result"] = json.loads(outcome.result.to_json())
    if outcome.comparison is not None:
        payload["model_comparison"] = json.loads(outcome.comparison.to_json())
    return json.dumps(payload, indent=1, ensure_ascii=False)
