"""GrowthLab's result plots and summary: coated fraction vs core size over the core-size
histogram, particle sizes, cores per heterostructure, supersaturation and nucleation traces,
and the table of the run's numbers (the misfit, its relaxed share r(T) and what strains the shell).

:class:`GrowthPlots` is mixed into :class:`~lnhet_widgets.widgets.labs.growth_lab.GrowthLab`:
it builds the figures (``_results_page``) and redraws them in place for a new result.
"""

from __future__ import annotations

import html

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from lnhet_widgets.core.growth import GrowthResult

from ..parts.plots import PALETTE, figure, lines, set_mark_data

__all__ = ["HEADROOM", "LIMIT_DIAMETER_NM", "GrowthPlots", "summary_html"]

# P1: cores below ~8 nm are overgrown, larger ones are not; every size plot marks it.
LIMIT_DIAMETER_NM = 8.0
# y scales reach this factor above the data, leaving the top of each plot to its legend.
HEADROOM = 1.6


def _headroom(scale, values) -> None:
    """Set a linear scale to [0, HEADROOM × max]: the legend sits above the data."""
    top = float(np.nanmax(values)) if np.size(values) else 0.0
    scale.max = HEADROOM * top if top > 0 else 1.0


class GrowthPlots:
    """The "Sizes and traces" page of GrowthLab: five bqplot figures updated in place."""

    def _build_result_figures(self) -> None:
        # Every y scale gets headroom above the data (HEADROOM): bqplot draws legends inside
        # the plot area, and there they must not hide the curves.
        # Coated fraction vs core size, over the histogram of core sizes.
        x = bq.LinearScale()
        frac, count = bq.LinearScale(min=0.0, max=HEADROOM), bq.LinearScale(min=0.0)
        self._core_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": count},
                                  colors=["#c7c7c7"], opacities=[0.8], padding=0.05,
                                  labels=["cores (right axis)"], display_legend=True)
        self._coated_line = lines({"x": x, "y": frac}, "coated fraction", PALETTE[0],
                                   marker="circle", marker_size=24)
        self._limit_line = lines({"x": x, "y": frac}, f"{LIMIT_DIAMETER_NM:g} nm (P1)",
                                  PALETTE[1], line_style="dashed")
        set_mark_data(self._limit_line, [LIMIT_DIAMETER_NM] * 2, [0.0, 1.0])
        self._coated_x, self._core_count = x, count
        self.coated_fig = figure(
            "Coated fraction vs core size",
            [self._core_bars, self._coated_line, self._limit_line],
            [bq.Axis(scale=x, label="core diameter (nm)"),
             bq.Axis(scale=frac, label="coated fraction", side="left", tick_format=".1f",
                     tick_values=np.linspace(0.0, 1.0, 6)),
             bq.Axis(scale=count, label="cores", side="right", grid_lines="none",
                     tick_format="d")],
            right_axis=True, legend="top-right")

        # Perovskite particle sizes: heterostructures (left of each bin centre) and
        # count-weighted free crystals (right of it).
        x, y = bq.LinearScale(), bq.LinearScale(min=0.0)
        self._hetero_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                    colors=[PALETTE[2]], padding=0.1, align="left",
                                    labels=["heterostructures"], display_legend=True)
        self._free_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                  colors=[PALETTE[4]], padding=0.1, align="right",
                                  labels=["free nanocrystals"], display_legend=True)
        self._size_y = y
        self.size_fig = figure(
            "Particle sizes (each population sums to 1)", [self._hetero_bars, self._free_bars],
            [bq.Axis(scale=x, label="cube edge (nm)"),
             bq.Axis(scale=y, label="fraction of particles", side="left", tick_format=".2f")])

        # Cores per heterostructure (an ordinal axis: whole numbers only).
        x, y = bq.OrdinalScale(), bq.LinearScale(min=0.0)
        self._cores_bars = bq.Bars(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                   colors=[PALETTE[3]], padding=0.2)
        self.cores_fig = figure(
            "Cores per heterostructure", [self._cores_bars],
            [bq.Axis(scale=x, label="cores in one heterostructure"),
             bq.Axis(scale=y, label="heterostructures", side="left", tick_format="d")])

        # Supersaturation and temperature (log time: injection burst and the 60 s both show).
        t, s, temp = bq.LogScale(), bq.LinearScale(min=0.0), bq.LinearScale()
        self._s_line = lines({"x": t, "y": s}, "supersaturation S", PALETTE[0])
        self._t_line = lines({"x": t, "y": temp}, "temperature (right)", PALETTE[1],
                              line_style="dashed")
        self._s_scale, self._temp_scale = s, temp
        self._time_axes = [bq.Axis(scale=t, label="time after injection (s)", tick_format="~g")
                           for _ in range(2)]
        self.supersaturation_fig = figure(
            "Supersaturation and temperature", [self._s_line, self._t_line],
            [self._time_axes[0],
             bq.Axis(scale=s, label="S = C / C_eq", side="left", tick_format=".3g"),
             bq.Axis(scale=temp, label="T (°C)", side="right", grid_lines="none",
                     color=PALETTE[1], tick_format=".0f")],
            right_axis=True, legend="top-left")

        # Cumulative nucleation events per core: shells and captures left, free crystals right
        # (they differ by orders of magnitude).
        t, het, hom = bq.LogScale(), bq.LinearScale(min=0.0), bq.LinearScale(min=0.0)
        self._het_line = lines({"x": t, "y": het}, "shell nuclei", PALETTE[2])
        self._capture_line = lines({"x": t, "y": het}, "captured cores", PALETTE[3])
        self._hom_line = lines({"x": t, "y": hom}, "free nuclei (right)", PALETTE[4],
                                line_style="dashed")
        self._het_scale, self._hom_scale = het, hom
        self.nucleation_fig = figure(
            "Nucleation events per core (cumulative)",
            [self._het_line, self._capture_line, self._hom_line],
            [self._time_axes[1],
             bq.Axis(scale=het, label="per core", side="left", tick_format=".3~g"),
             bq.Axis(scale=hom, label="free nuclei per core", side="right", grid_lines="none",
                     color=PALETTE[4], tick_format=".3~g")],
            right_axis=True, legend="top-left")

        def cell(fig, basis="420px"):
            return widgets.Box([fig], layout={"flex": f"1 1 {basis}", "min_width": "320px"})

        self._results_page = widgets.VBox([
            widgets.HBox([cell(self.coated_fig), cell(self.size_fig)],
                         layout={"flex_flow": "row wrap"}),
            widgets.HBox([cell(self.cores_fig, "300px"), cell(self.supersaturation_fig, "300px"),
                          cell(self.nucleation_fig, "300px")],
                         layout={"flex_flow": "row wrap"}),
        ])

    def _show_core_sizes(self, r: GrowthResult) -> None:
        d = r.core_diameters_nm
        low, high = float(d.min()), float(d.max())
        if high - low < 0.05:  # no spread: one bin around the single size
            low, high = low - 0.25, high + 0.25
        edges = np.linspace(low, high, 21)
        counts, _ = np.histogram(d, edges)
        fraction = r.coated_fraction_by_size(edges)
        centres = 0.5 * (edges[1:] + edges[:-1])
        enough = counts >= 3  # fractions of one or two cores are noise
        with self.coated_fig.hold_sync():
            self._coated_x.min = min(low, LIMIT_DIAMETER_NM - 0.5)
            self._coated_x.max = max(high, LIMIT_DIAMETER_NM + 0.5)
            _headroom(self._core_count, counts)
            set_mark_data(self._core_bars, centres, counts)
            set_mark_data(self._coated_line, centres[enough], fraction[enough])
            self.coated_fig.title = (f"Coated fraction vs core size "
                                     f"(all cores: {r.coated_fraction:.2f})")

    def _show_particle_sizes(self, r: GrowthResult) -> None:
        hetero, free, weights = r.edge_lengths_nm, r.free_edge_lengths_nm, r.free_counts
        both = np.concatenate([hetero, free])
        if both.size:
            low, high = float(both.min()), float(both.max())
            if high - low < 0.2:
                low, high = low - 0.5, high + 0.5
            edges = np.linspace(low, high, 21)
        else:
            edges = np.linspace(0.0, 1.0, 21)
        centres = 0.5 * (edges[1:] + edges[:-1])
        h, _ = np.histogram(hetero, edges)
        f, _ = np.histogram(free, edges, weights=weights)
        h = h / h.sum() if h.sum() > 0 else h.astype(float)
        f = f / f.sum() if f.sum() > 0 else f
        with self.size_fig.hold_sync():
            _headroom(self._size_y, np.concatenate([h, f]))
            set_mark_data(self._hetero_bars, centres, h,
                          labels=[f"heterostructures ({hetero.size:,})"])
            set_mark_data(self._free_bars, centres, f,
                          labels=[f"free nanocrystals ({r.free_nanocrystals:,.0f})"])
        if hetero.size:
            counts = np.bincount(r.cores_per_structure.astype(int))[1:]
            title = f"Cores per heterostructure (mean {r.mean_cores_per_structure:.2f})"
        else:
            counts, title = np.zeros(1), "Cores per heterostructure (none formed)"
        with self.cores_fig.hold_sync():
            set_mark_data(self._cores_bars, np.arange(1, counts.size + 1), counts)
            self.cores_fig.title = title

    def _show_traces(self, r: GrowthResult) -> None:
        later = r.trace_time_s > 0  # a log axis has no t = 0
        t = r.trace_time_s[later]
        decades = 10.0 ** np.arange(np.ceil(np.log10(t[0])), np.floor(np.log10(t[-1])) + 1)
        temperature = r.trace_temperature_c[later]
        with self.supersaturation_fig.hold_sync():
            for axis in self._time_axes:
                axis.tick_values = decades
            _headroom(self._s_scale, r.trace_supersaturation[later])
            # Temperature in the lower part of the plot, below the legend.
            t_low, t_high = float(temperature.min()), float(temperature.max())
            self._temp_scale.min = t_low - 0.1 * max(t_high - t_low, 10.0)
            self._temp_scale.max = t_high + 0.6 * max(t_high - t_low, 10.0)
            set_mark_data(self._s_line, t, r.trace_supersaturation[later])
            set_mark_data(self._t_line, t, temperature)
        with self.nucleation_fig.hold_sync():
            _headroom(self._het_scale, np.concatenate([r.trace_heterogeneous_nuclei,
                                                       r.trace_captures]))
            _headroom(self._hom_scale, r.trace_homogeneous_nuclei)
            set_mark_data(self._het_line, t, r.trace_heterogeneous_nuclei[later])
            set_mark_data(self._capture_line, t, r.trace_captures[later])
            set_mark_data(self._hom_line, t, r.trace_homogeneous_nuclei[later])


def summary_html(r: GrowthResult) -> str:
    """The run's numbers as an HTML table, with the reason when no shell is allowed."""
    s = r.summary()
    rows = [
        ("cores coated", f"{100 * s['coated_fraction']:.1f} %"),
        ("heterostructure edge", f"{s['edge_mean_nm']:.1f} ± {s['edge_sd_nm']:.1f} nm"
         if r.edge_lengths_nm.size else "—"),
        ("cores per heterostructure", f"{s['mean_cores_per_structure']:.2f}"
         if r.edge_lengths_nm.size else "—"),
        ("free nanocrystals per core", f"{s['free_nanocrystals_per_core']:.3g}"),
        ("free nanocrystal edge", f"{s['free_edge_mean_nm']:.1f} nm"
         if r.free_counts.sum() > 0 else "—"),
        ("perovskite in free crystals", f"{100 * s['free_volume_fraction']:.1f} %"),
        (f"misfit f_eff at {r.params.temperature_c:g} °C", f"{100 * s['effective_misfit']:.2f} %"),
        ("relaxed while nucleating, r(T)", f"{s['relaxation_fraction']:.2f}"),
        ("misfit straining the shell", f"{100 * s['relaxed_misfit']:.2f} %"),
        ("shell allowed", "yes" if r.perovskite_stable else "no"),
    ]
    body = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                   for k, v in rows)
    note = ("" if r.perovskite_stable else
            f"<br><small>{html.escape(r.stability_reason)}</small>")
    return f"<table class='lnhet-table lnhet-growth-summary'>{body}</table>{note}"
