"""TransferLab's "Ions" tab: where the light comes from, ion by ion (SCIENCE §11).

The average model gives every ion the same surroundings; the per-ion model
(:func:`~lnhet_widgets.core.ions.solve_ions`) solves the rate equations of every Yb³⁺ and Tm³⁺
of one particle drawn with seeded random doping. The tab shows the particle in 3D with each
emitter coloured by what it emits in a chosen line, the emission per ion against the distance
from the centre, and the lines of both models side by side.
"""

from __future__ import annotations

import html
import time

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from ...core.ions import IonLattice, IonResult, solve_ions
from ..parts import lines
from ..parts.ion_view import IonView
from ..parts.plots import PALETTE, figure

__all__ = ["ION_SEED_RANGE", "IonsTab"]

#: Radial shells of the profile.
_PROFILE_BINS = 8
#: Doping seeds of the Ions tab (its control and a saved file).
ION_SEED_RANGE = (0, 9999)


class IonsTab:
    """The per-ion model of the lab's particle, beside the average model."""

    def _build_ions_page(self) -> None:
        self.ions: IonResult | None = None
        self._ion_lattice: tuple[tuple, IonLattice] | None = None  # (params, seed) → lattice
        self.ion_line_control = widgets.Dropdown(
            options=[("800 nm (Tm)", 800.0)], value=800.0, description="Colour by",
            style={"description_width": "70px"}, layout={"width": "230px"})
        self.ion_seed_control = widgets.BoundedIntText(
            value=0, min=ION_SEED_RANGE[0], max=ION_SEED_RANGE[1], description="Doping seed",
            style={"description_width": "90px"}, layout={"width": "180px"})
        self.ion_line_control.observe(self._ion_line_changed, names="value")
        self.ion_seed_control.observe(self._ion_options_changed, names="value")
        self.ion_view = IonView(height_px=340)
        x = bq.LinearScale(min=0.0)
        y = bq.LogScale()
        self._ion_profile_mark = lines({"x": x, "y": y}, "per-ion model", PALETTE[3],
                                       marker="circle")
        self._ion_average_mark = lines({"x": x, "y": y}, "average model", PALETTE[0],
                                       line_style="dashed")
        self.ion_profile_fig = figure(
            "Emission per ion against distance from the centre",
            [self._ion_profile_mark, self._ion_average_mark],
            [bq.Axis(scale=x, label="distance from the centre (nm)"),
             bq.Axis(scale=y, label="photons s⁻¹ per ion", side="left", tick_format=".0e")],
            height_px=300, legend="top-right")
        self.ion_table = widgets.HTML()
        self.ions_page = widgets.VBox([
            widgets.HBox([self.ion_line_control, self.ion_seed_control],
                         layout={"flex_flow": "row wrap"}),
            self.ion_view, self.ion_profile_fig, self.ion_table])

    def _ion_line_changed(self, _change=None) -> None:
        if not self._showing and self.ions is not None:
            self._show_ions()

    def _ion_options_changed(self, _change=None) -> None:
        if self._showing:
            return
        self._stale["ions"] = True
        if self.tabs.selected_index == self._pages.index(self.ions_page):
            self._safely(self.compute_ions)

    def _lattice_for(self, seed: int) -> IonLattice:
        key = (self.params, seed)
        if self._ion_lattice is None or self._ion_lattice[0] != key:
            self._ion_lattice = (key, IonLattice.from_params(self.params, seed=seed))
        return self._ion_lattice[1]

    def compute_ions(self, seed: int | None = None) -> IonResult:
        """Solve the per-ion model on one particle of the lab's composition, at the lab's
        excitation and power, and show it.

        Parameters
        ----------
        seed : int, optional
            Seed of the random doping (which sites hold Yb and Tm), 0–9999; default (and then
            shown) the tab's.

        Returns
        -------
        IonResult
            Also kept in ``ions``.

        Raises
        ------
        ValueError
            For a seed outside 0–9999, or a particle the per-ion model cannot take; the last
            result stays on screen.

        Examples
        --------
        >>> from lnhet_widgets.widgets.labs import TransferLab
        >>> lab = TransferLab(sample="bare LnNPs")
        >>> r = lab.compute_ions()
        >>> r.lattice.count("Tm") > 0
        True
        """
        seed = self.ion_seed_control.value if seed is None else seed
        low, high = ION_SEED_RANGE
        if not (isinstance(seed, (int, np.integer)) and low <= seed <= high):
            raise ValueError(f"seed = {seed!r} must be a whole number in {low}–{high}")
        lattice = self._lattice_for(int(seed))
        start = time.perf_counter()
        result = solve_ions(self.params, lattice, excitation_nm=self.excitation_nm,
                            power_w_cm2=self.power_w_cm2)
        self.timings["ions_s"] = time.perf_counter() - start
        self.ions = result
        self._stale["ions"] = False
        self._showing = True
        try:
            self.ion_seed_control.value = int(seed)
            chosen = self.ion_line_control.value
            # The ions' own lines: the perovskite's band comes from the shell, not from an ion.
            labels = {nm: label for nm, label in result.line_labels.items()
                      if label.split()[0] in ("Yb", "Tm")}
            # New options reset a Dropdown to the first; the student's line stays if it can.
            self.ion_line_control.options = [(f"{nm:g} nm ({labels[nm]})", nm)
                                             for nm in sorted(labels)]
            self.ion_line_control.value = (chosen if chosen in labels
                                           else max(labels, key=lambda nm: result.lines[nm]))
        finally:
            self._showing = False
        self._show_ions()
        return result

    def _show_ions(self) -> None:
        r, line = self.ions, float(self.ion_line_control.value)
        lattice = r.lattice
        emitters = lattice.species == r.line_species(line)
        emission = r.emission_per_ion(line)
        self.ion_view.show(lattice.positions_nm, lattice.species, emission, coloured=emitters,
                           label=f"{line:g} nm emission")
        centres, per_ion, _share = r.radial_profile(line, bins=_PROFILE_BINS)
        shown = np.isfinite(per_ion) & (per_ion > 0)
        average_total = float(np.atleast_1d(self.result.lines.get(line, np.nan))[0])
        average_per_ion = average_total / max(int(emitters.sum()), 1)
        with self.ion_profile_fig.hold_sync():
            self._ion_profile_mark.x, self._ion_profile_mark.y = centres[shown], per_ion[shown]
            self._ion_average_mark.x = [0.0, lattice.radius_nm]
            self._ion_average_mark.y = [average_per_ion] * 2
        self.ion_table.value = _lines_table(r, self.result.lines, line)


def _lines_table(ions: IonResult, average_lines: dict, selected_nm: float) -> str:
    """Lines of both models per particle, and their ratio (HTML)."""
    rows = []
    for nm in sorted(ions.line_labels):
        per_ion = float(np.atleast_1d(ions.lines[nm])[0])
        average = float(np.atleast_1d(average_lines.get(nm, np.nan))[0])
        ratio = per_ion / average if average > 0 else np.nan
        style = " style='font-weight:bold'" if nm == selected_nm else ""
        rows.append(f"<tr{style}><td>{nm:.0f} nm</td><td>{html.escape(ions.line_labels[nm])}"
                    f"</td><td>{average:.3g}</td><td>{per_ion:.3g}</td><td>{ratio:.2f}</td></tr>")
    lattice = ions.lattice
    return (f"<p><small>One particle: {lattice.count('Yb'):,} Yb³⁺ and {lattice.count('Tm'):,} "
            f"Tm³⁺ ions on their own sites. Emission in photons s⁻¹ per particle.</small></p>"
            "<table class='lnhet-table'><tr><th>line</th><th>transition</th>"
            "<th>average model</th><th>per-ion model</th><th>per-ion / average</th></tr>"
            + "".join(rows) + "</table>")
