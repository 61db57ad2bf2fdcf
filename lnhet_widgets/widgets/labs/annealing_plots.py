"""The Profiles and Optics tabs of AnnealingLab: radial profiles and the vacancy /
intermixing history of both runs, and the emission and Tm 450 nm decay of the pristine and the
two annealed particles.

Each tab is a mixin of :class:`~lnhet_widgets.widgets.labs.annealing_lab.AnnealingLab`, as in
:mod:`~lnhet_widgets.widgets.labs.annealing_views`: it builds its page as attributes of the
lab and draws ``lab._runs()``.
"""

from __future__ import annotations

import html
import math

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from lnhet_widgets.core.annealing import SPECIES, AnnealOptics, AnnealResult

from ..parts.plots import PALETTE, decade_ticks, figure, lines, set_mark_data
from .annealing_views import RUN_NAMES, _fmt, _labels, _minutes, _nearest_index, _run_name

#: The spectrum's log axis shows this many decades below the highest point (the lines of the
#: three particles differ by up to ~10⁶).
SPECTRUM_DECADES = 8
#: Decay points below this fraction of their maximum are left out of the log plot.
DECAY_FLOOR = 1e-4
LINE_450_NM = 450.0
# y scales reach this factor above the data, leaving the top of each plot to its legend
# (the profiles' legend has five rows).
HEADROOM = 1.3
PROFILE_HEADROOM = 1.7


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 and math.isfinite(a) else math.nan


class ProfilesTab:
    """Radial profiles of one snapshot, and the history of the vacancies and intermixing."""

    def _build_profiles_page(self, species_colors: dict) -> None:
        self.profile_snapshot = widgets.SelectionSlider(
            options=[("step 0", 0)], description="Snapshot", continuous_update=True,
            style={"description_width": "70px"}, layout={"width": "420px"})
        self.profile_snapshot.observe(self._profile_options_changed, names="value")
        self.profile_caption = widgets.HTML()

        x, y = bq.LinearScale(), bq.LinearScale(min=0.0, max=PROFILE_HEADROOM)
        colors = [species_colors[n] for n in SPECIES]
        self._profile_lines = bq.Lines(
            x=np.zeros(0), y=np.zeros((len(SPECIES), 0)), scales={"x": x, "y": y},
            colors=colors, labels=list(SPECIES), display_legend=True, stroke_width=2)
        self._profile_compare = bq.Lines(
            x=np.zeros(0), y=np.zeros((len(SPECIES), 0)), scales={"x": x, "y": y},
            colors=colors, line_style="dashed", stroke_width=1.5, opacities=[0.9])
        self._core_line = bq.Lines(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": y},
                                   colors=["#777777"], line_style="dotted", stroke_width=1)
        self.profile_fig = figure(
            "Radial profiles", [self._profile_lines, self._profile_compare, self._core_line],
            [bq.Axis(scale=x, label="radius (nm)"),
             bq.Axis(scale=y, label="share of the sites", side="left", tick_format=".1f",
                     tick_values=np.linspace(0.0, 1.0, 6))],
            height_px=340, legend="top-left")

        # Four curves with long names: bqplot would push their legend off the plot, so the
        # caption explains colours and dashes instead.
        x = bq.LinearScale(min=0.0)
        vac, yb = bq.LinearScale(min=0.0), bq.LinearScale(min=0.0, max=HEADROOM)
        self._vacancy_marks = (lines({"x": x, "y": vac}, "vacancies", PALETTE[0]),
                               lines({"x": x, "y": vac}, "vacancies", PALETTE[0],
                                     line_style="dashed"))
        self._yb_marks = (lines({"x": x, "y": yb}, "Yb in shell", PALETTE[1]),
                          lines({"x": x, "y": yb}, "Yb in shell", PALETTE[1],
                                line_style="dashed"))
        for mark in (*self._vacancy_marks, *self._yb_marks):
            mark.display_legend = False
        self._history_here = bq.Lines(x=np.zeros(0), y=np.zeros(0), scales={"x": x, "y": yb},
                                      colors=["#777777"], line_style="dotted", stroke_width=1)
        self._vacancy_scale = vac
        self._history_x_axis = bq.Axis(scale=x, label="MC step")
        self.history_fig = figure(
            "Vacancies and intermixing during the anneal",
            [*self._vacancy_marks, *self._yb_marks, self._history_here],
            [self._history_x_axis,
             bq.Axis(scale=vac, label="vacancies", side="left", tick_format="d"),
             bq.Axis(scale=yb, label="share of Yb in the shell", side="right",
                     grid_lines="none", color=PALETTE[1], tick_format=".1f",
                     tick_values=np.linspace(0.0, 1.0, 6))],
            height_px=300, right_axis=True)
        self.history_caption = widgets.HTML()
        self.profiles_page = widgets.VBox([self.profile_snapshot, self.profile_caption,
                                           self.profile_fig, self.history_caption,
                                           self.history_fig])

    def _profile_options_changed(self, _change=None) -> None:
        if not self._showing:
            self._safely(self._show_profiles)

    def _show_profiles(self) -> None:
        chosen, other = self._runs()
        k = int(self.profile_snapshot.value)
        step = int(chosen.snapshot_steps[k])
        j = _nearest_index(other.snapshot_steps, step)
        # Bins without sites (the innermost of a small particle) are NaN for every species.
        use = np.all(np.isfinite(chosen.radial_profiles[k]), axis=0)
        use_other = np.all(np.isfinite(other.radial_profiles[j]), axis=0)
        core_r = 0.5 * chosen.params.core_diameter_nm
        with self.profile_fig.hold_sync():
            set_mark_data(self._profile_lines, chosen.profile_radius_nm[use],
                          chosen.radial_profiles[k][:, use])
            set_mark_data(self._profile_compare, other.profile_radius_nm[use_other],
                          other.radial_profiles[j][:, use_other])
            set_mark_data(self._core_line, [core_r, core_r], [0.0, 1.0])
            self.profile_fig.title = f"Radial profiles at {_labels(chosen)[k]}"
        other_step = int(other.snapshot_steps[j])
        note = "" if other_step == step else f" (its last snapshot, step {other_step})"
        self.profile_caption.value = (
            f"<small>Solid: {html.escape(_run_name(chosen))} (this run); dashed: "
            f"{html.escape(_run_name(other))}{note}. Share of the sites of each 0.25 nm "
            "shell held by each species; dotted: the core radius.</small>")
        set_mark_data(self._history_here, [step, step], [0.0, 1.0])

    def _show_history(self) -> None:
        runs = self._runs()
        top = max(max(int(r.vacancy_count.max()) for r in runs), 1)
        with self.history_fig.hold_sync():
            self._vacancy_scale.max = HEADROOM * top
            for marks, values, what in ((self._vacancy_marks, "vacancy_count", "vacancies"),
                                        (self._yb_marks, "yb_fraction_in_shell",
                                         "Yb in shell")):
                for mark, r in zip(marks, runs, strict=True):
                    set_mark_data(mark, r.snapshot_steps, getattr(r, values),
                                  labels=[f"{what}, {_run_name(r)}"])
            chosen = runs[0]
            self._history_x_axis.label = (f"MC step (1 step = {chosen.time_per_step_s:.1f} s "
                                          f"at {chosen.params.temperature_c:g} °C)")
        self.history_caption.value = (
            f"<small><span style='color:{PALETTE[0]}'>━</span> vacancies (left axis), "
            f"<span style='color:{PALETTE[1]}'>━</span> share of the Yb ions in the shell "
            f"(right axis); solid: {html.escape(_run_name(runs[0]))} (this run), dashed: "
            f"{html.escape(_run_name(runs[1]))}; dotted: the snapshot above.</small>")


class OpticsTab:
    """Emission spectra and Tm 450 nm decays of the pristine and both annealed particles."""

    def _build_optics_page(self, spectrum_nm: np.ndarray) -> None:
        self._spectrum_nm = spectrum_nm
        colors = {"pristine": "#555555", "docked": PALETTE[2], "undocked": PALETTE[1]}
        x, y = bq.LinearScale(min=float(spectrum_nm[0]), max=float(spectrum_nm[-1])), bq.LogScale()
        self._spectrum_marks = {key: lines({"x": x, "y": y}, key, c) for key, c in colors.items()}
        self._spectrum_scale = y
        self._spectrum_axis = bq.Axis(scale=y, label="photons s⁻¹ nm⁻¹ per particle",
                                      side="left", tick_format=".0e")
        self.spectrum_fig = figure("Emission under 980 nm (log scale)",
                                   list(self._spectrum_marks.values()),
                                   [bq.Axis(scale=x, label="wavelength (nm)"),
                                    self._spectrum_axis], height_px=320, legend="top-right")
        self.spectrum_fig.fig_margin = {**self.spectrum_fig.fig_margin, "left": 80}

        # Two decades above the maxima: the legend's place.
        x, y = bq.LinearScale(min=0.0), bq.LogScale(min=DECAY_FLOOR, max=100.0)
        self._decay_marks = {key: lines({"x": x, "y": y}, key, c) for key, c in colors.items()}
        self.decay_fig = figure("Tm 450 nm emission during and after a 200 µs pulse",
                                list(self._decay_marks.values()),
                                [bq.Axis(scale=x, label="time (ms)"),
                                 bq.Axis(scale=y, label="intensity (normalised)", side="left",
                                         tick_format=".0e",
                                         tick_values=decade_ticks(DECAY_FLOOR, 1.0))],
                                height_px=300, legend="top-right")
        self.decay_fig.fig_margin = {**self.decay_fig.fig_margin, "left": 80}
        self.optics_info = widgets.HTML()
        self.optics_info.add_class("lnhet-anneal-optics")
        self.optics_page = widgets.VBox([self.optics_model_control, self.optics_info,
                                         self.per_ion_info, self.spectrum_fig, self.decay_fig])

    def _show_optics(self, optics: dict) -> None:
        if not optics:
            with self.spectrum_fig.hold_sync(), self.decay_fig.hold_sync():
                for mark in (*self._spectrum_marks.values(), *self._decay_marks.values()):
                    set_mark_data(mark, [], [])
            self.optics_info.value = ("<b>No optics for a stopped run.</b> Press Run to anneal "
                                      "to the end; the optics follow.")
            return
        chosen, other = self._runs()
        docked = chosen if chosen.params.complex else other
        names = {"pristine": "pristine (step 0)", "docked": _run_name(docked),
                 "undocked": RUN_NAMES[None]}
        # Short legend entries: bqplot pushes a wide legend off the plot.
        short = {"pristine": "pristine", "docked": f"{docked.params.complex}³⁺–oleate",
                 "undocked": "no complexes"}
        spectra = {key: o.spectrum(self._spectrum_nm) for key, o in optics.items()}
        top = max(float(s.max()) for s in spectra.values())
        top = top if top > 0 else 1.0
        floor = top * 10.0 ** -SPECTRUM_DECADES
        with self.spectrum_fig.hold_sync():
            for key, mark in self._spectrum_marks.items():
                # A log axis has no zero: the gaps between the lines sit on the floor.
                set_mark_data(mark, self._spectrum_nm, np.maximum(spectra[key], floor),
                              labels=[short[key]])
            # Two decades above the highest line: the legend's place.
            self._spectrum_scale.min, self._spectrum_scale.max = floor, 100.0 * top
            self._spectrum_axis.tick_values = decade_ticks(floor, top)
        with self.decay_fig.hold_sync():
            for key, mark in self._decay_marks.items():
                o: AnnealOptics = optics[key]
                peak = float(o.tm_450_decay.max())
                y = o.tm_450_decay / peak if peak > 0 else np.zeros_like(o.tm_450_decay)
                shown = y >= DECAY_FLOOR
                set_mark_data(mark, o.decay_time_ms[shown], y[shown],
                              labels=[f"{short[key]}: τ {_fmt(o.tm_450_lifetime_ms, '.2g')} ms"])
        self.optics_info.value = _optics_html(optics, names, docked)


def _optics_html(optics: dict, names: dict, docked: AnnealResult) -> str:
    p, d, u = (optics[k] for k in ("pristine", "docked", "undocked"))
    line = [o.lines.get(LINE_450_NM, math.nan) for o in (p, d, u)]
    step = d.snapshot_step
    text = (
        f"<b>450 nm (Tm ¹D₂)</b> under 980 nm at {_fmt(p.power_w_cm2, 'g')} W cm⁻² (P2's "
        f"power), after {step} steps "
        f"({_minutes(step * docked.time_per_step_s)}), relative to the pristine particle: "
        f"<b>×{_fmt(_ratio(line[1], line[0]), '.3g')}</b> {html.escape(names['docked'])}, "
        f"<b>×{_fmt(_ratio(line[2], line[0]), '.3g')}</b> {html.escape(names['undocked'])}. "
        f"Tm 450 nm lifetime: {_fmt(p.tm_450_lifetime_ms, '.3g')} ms pristine → "
        f"{_fmt(d.tm_450_lifetime_ms, '.3g')} ms {html.escape(names['docked'])}, "
        f"{_fmt(u.tm_450_lifetime_ms, '.3g')} ms {html.escape(names['undocked'])}. "
        f"Yb³⁺ lifetime: {_fmt(p.yb_lifetime_us, '.3g')} → {_fmt(d.yb_lifetime_us, '.3g')} / "
        f"{_fmt(u.yb_lifetime_us, '.3g')} µs.")
    if docked.params.complex == "Y":
        text += " <small>P2 (Y docking): ×116 and 0.10 → 0.41 ms.</small>"
    return text
