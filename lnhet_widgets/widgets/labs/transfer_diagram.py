"""The Level diagram tab of TransferLab and what it draws: the fluxes of a steady state
(events per second and particle of every process) as arrows between energy levels.
"""

from __future__ import annotations

import ipywidgets as widgets

from lnhet_widgets.core.optics import (
    BULK_GAP_EV,
    LINES,
    TransferParams,
    TransferResult,
    rate_system,
)

from ..custom.level_diagram import EnergyLevelDiagram
from .transfer_views import POWER_LINES_NM

__all__ = ["steady_state_fluxes"]

# Energies (cm⁻¹) of the diagram: Yb³⁺ and Tm³⁺ barycentres as in simetuc's β-NaYF4 set
# (Carnall's free-ion values shifted by the crystal field); the perovskite defect state sits
# a little above Yb ²F5/2, where P1 puts the defect that feeds Yb (Fig. 2i).
_YB_CM = {"2F7/2": 0.0, "2F5/2": 10250.0}
_TM_CM = {"3H6": 0.0, "3F4": 5800.0, "3H5": 8300.0, "3H4": 12600.0, "3F3": 14500.0,
          "1G4": 21300.0, "1D2": 27700.0, "1I6": 34800.0}
_DEFECT_CM = 11000.0
_CM_PER_EV = 8065.544
_PV = "CsPbBr3"


# --- fluxes of a steady state ----------------------------------------------------------------


def _level_energy(species: str, level: str) -> float:
    return (_YB_CM if species == "Yb" else _TM_CM)[level]


def steady_state_fluxes(params: TransferParams, result: TransferResult) -> dict:
    """Events per second and particle of every process in a steady state, for the diagram.

    Keys are ``(from, to, kind)`` with ``from``/``to`` as ``(species, level)`` pairs
    (species ``"Yb"``, ``"Tm"`` or ``"CsPbBr3"``; the perovskite levels ``"VB"``, ``"X"``,
    ``"D"``) and ``kind`` one of the diagram's kinds (absorption, emission, nonradiative, etu,
    cross_relaxation, back_transfer, lret, trapping, defect_transfer). Tm's radial classes are
    summed. An energy transfer D(i→f) + A(i→f) is drawn as one arrow: between Yb and Tm from
    the level that gives the energy to the level that receives it; within Tm as the step that
    makes a higher level (ETU-like, e.g. ¹G4 → ¹D2) or, when the receiving ion starts in the
    ground state (a true cross-relaxation), as the donor's step down.

    Parameters
    ----------
    params : TransferParams
        The particle class of ``result``.
    result : TransferResult
        A steady state of ``params`` (:func:`~lnhet_widgets.core.optics.steady_state`).

    Returns
    -------
    dict
        ``{(from, to, kind): events s⁻¹ per particle}``; every value ≥ 0.

    Examples
    --------
    >>> from lnhet_widgets.core.optics import steady_state
    >>> p = TransferParams()
    >>> r = steady_state(p, excitation_nm=980, power_w_cm2=10.0)
    >>> f = steady_state_fluxes(p, r)
    >>> absorbed = f[(("Yb", "2F7/2"), ("Yb", "2F5/2"), "absorption")]
    >>> bool(absorbed > f[(("Yb", "2F5/2"), ("Yb", "2F7/2"), "emission")] > 0)
    True
    """
    # The rate constants are the core's; this only multiplies them by the populations.
    system = rate_system(params, float(result.excitation_nm))
    y = result.state[0]
    power = float(result.power_w_cm2[0])
    where = []  # index → (species, level, count per particle)
    for (name, levels, count), offset in zip(system.species, system.offsets, strict=True):
        species = {"exciton": _PV, "defect": _PV}.get(name, "Tm" if name.startswith("Tm")
                                                       else name)
        for level in levels:
            if name == "exciton":
                level = {"G": "VB", "X": "X"}[level]
            elif name == "defect":
                level = {"empty": "VB", "filled": "D"}[level]
            where.append((species, level, count))
        assert len(where) == offset + len(levels)

    flux: dict = {}

    def add(a, b, kind, value):
        if value > 0:
            key = (a, b, kind)
            flux[key] = flux.get(key, 0.0) + float(value)

    # Linear terms: decays (all levels), quenching, defect loss, exciton emission, pumping.
    total: dict = {}
    for i, j, k in zip(*system.lin, strict=True):
        a, b = where[i][:2], where[j][:2]
        total[(a, b)] = total.get((a, b), 0.0) + where[i][2] * k * y[i]
    for i, j, k in zip(*system.pump, strict=True):
        a, b = where[i][:2], where[j][:2]
        value = where[i][2] * k * power * y[i]
        if a[0] == _PV or _level_energy(*b) > _level_energy(*a):
            add(a, b, "absorption", value)
        else:  # stimulated emission of Yb: less net absorption
            key = (b, a, "absorption")
            flux[key] = max(flux.get(key, 0.0) - value, 0.0)
    lines_out = result.lines
    radiative: dict = {}
    for ion, upper, lower, nm in LINES:
        if nm in lines_out:
            radiative[((ion, upper), (ion, lower))] = float(lines_out[nm])
    for (a, b), value in total.items():
        if a[0] == _PV:
            if a[1] == "X":  # the exciton decays radiatively (its trapping is a pair term)
                add((_PV, "X"), (_PV, "VB"), "emission", value)
            else:
                add((_PV, "D"), (_PV, "VB"), "nonradiative", value)
            continue
        emitted = radiative.get((a, b), 0.0)
        add(a, b, "emission", emitted)
        add(a, b, "nonradiative", value - emitted)

    # Pair terms: lanthanide energy transfer, LRET, trapping, defect ↔ Yb, exciton → Yb.
    for df, dt, af, at, wd, _wa in zip(*system.pair, strict=True):
        events = where[df][2] * wd * y[df] * y[af]
        d_from, d_to, a_from, a_to = (where[i][:2] for i in (df, dt, af, at))
        if a_from[0] == _PV and d_from[0] != _PV:
            if a_to[1] == "X":
                add(d_from, a_to, "lret", events)
            else:  # Yb ²F5/2 → an empty interface defect
                add(d_from, a_to, "trapping", events)
        elif d_from[0] == _PV:
            if a_to[0] == _PV:
                add(d_from, a_to, "trapping", events)
            else:  # a filled defect, or the exciton through the interface, excites Yb
                add(d_from, a_to, "defect_transfer", events)
        else:
            add(*_transfer_arrow(d_from, d_to, a_from, a_to), events)
    return flux


def _transfer_arrow(d_from, d_to, a_from, a_to):
    """Arrow ends and kind of one lanthanide energy-transfer event (see steady_state_fluxes)."""
    # simetuc lists some upconversion steps with the "donor" as the ion that goes up; the
    # energies tell which ion gives and which receives.
    if _level_energy(*d_to) <= _level_energy(*d_from):
        give, get = (d_from, d_to), (a_from, a_to)
    else:
        give, get = (a_from, a_to), (d_from, d_to)
    if give[0][0] != get[0][0]:
        kind = "etu" if give[0][0] == "Yb" else "back_transfer"
        return give[0], get[1], kind
    if get[0][1] == "3H6":
        return give[0], give[1], "cross_relaxation"
    return get[0], get[1], "cross_relaxation"


def _diagram_levels(gap_cm: float) -> list:
    levels = [("Yb", name, e, "level") for name, e in _YB_CM.items()]
    levels += [("Tm", name, e, "level") for name, e in _TM_CM.items()]
    levels += [(_PV, "VB", 0.0, "band"), (_PV, "X", float(gap_cm), "band"),
               (_PV, "D", _DEFECT_CM, "defect")]
    return levels


#: Transitions always shown (with rate 0 when the sample lacks them), so that switching the
#: sample changes arrow widths in place rather than the diagram's layout.
_BASE_TRANSITIONS = (
    (("Yb", "2F7/2"), ("Yb", "2F5/2"), "absorption"),
    ((_PV, "VB"), (_PV, "X"), "absorption"),
    *(((ion, upper), (ion, lower), "emission") for ion, upper, lower, nm in LINES
      if nm in POWER_LINES_NM),
    ((_PV, "X"), (_PV, "VB"), "emission"),
    (("Yb", "2F5/2"), ("Yb", "2F7/2"), "nonradiative"),
    (("Tm", "1D2"), (_PV, "X"), "lret"),
    (("Tm", "1G4"), (_PV, "X"), "lret"),
    ((_PV, "X"), (_PV, "D"), "trapping"),
    (("Yb", "2F5/2"), (_PV, "D"), "trapping"),
    ((_PV, "D"), ("Yb", "2F5/2"), "defect_transfer"),
    ((_PV, "X"), ("Yb", "2F5/2"), "defect_transfer"),
    ((_PV, "D"), (_PV, "VB"), "nonradiative"),
)
# Other steps (weak lines, non-radiative decays) are drawn only when they carry at least this
# share of the largest flux: every Tm level has a few, and drawn all together they hide the
# arrows that tell the story (and each arrow inside a column widens the diagram).
_MINOR_SHARE = 1e-2


# --- the tab ---------------------------------------------------------------------------------


class LevelDiagramTab:
    """Mixin of TransferLab: the energy-level diagram whose arrows carry ``lab.fluxes``.

    Clicking a level chooses its line in the Decay tab
    (:class:`~lnhet_widgets.widgets.labs.transfer_views.DecayTab`).
    """

    def _build_diagram_page(self) -> None:
        # Columns in the diagram's automatic order: it puts the species that exchange the
        # most arrows next to each other.
        self.diagram = EnergyLevelDiagram(title="Fluxes of the current steady state",
                                          height=480)
        self.diagram.observe(self._on_level_selected, names="selected_level")
        self._diagram_keys: list = []
        self.diagram_info = widgets.HTML(
            "<small>Arrow widths: events per second and particle (log scale). Click a level "
            "to see its decay in the Decay tab.</small>")
        # min_width 0: as a flex item the diagram would otherwise keep the width of its first
        # drawing (made before it is attached) and overflow a narrow tab.
        self.diagram.layout = widgets.Layout(width="100%", min_width="0")
        self.diagram_page = widgets.VBox([self.diagram_info, self.diagram],
                                         layout={"overflow": "auto"})

    def _on_level_selected(self, change) -> None:
        index = change.new
        if index < 0 or index >= len(self.diagram.levels):
            return
        species, level = self.diagram.levels[index][:2]
        candidates = [nm for ion, upper, _, nm in LINES if (ion, upper) == (species, level)]
        if not candidates:
            return
        current = float(self.decay_line.value)
        # Keep the chosen line when it already comes from the clicked level.
        self.decay_line.value = current if current in candidates else candidates[0]

    def _show_diagram(self, p: TransferParams, result: TransferResult) -> None:
        band = [nm for nm, lab in zip(result.line_nm, result.line_labels, strict=True)
                if lab.startswith("CsPbX3")]
        gap_cm = 1e7 / float(band[0]) if band else (
            BULK_GAP_EV[_PV] * _CM_PER_EV)
        flux = self.fluxes
        largest = max(flux.values(), default=0.0)
        keys = list(_BASE_TRANSITIONS)
        # Every energy-transfer process of the model is drawn, even when weak: ETU and
        # cross-relaxation are what the lesson is about.
        for et in p.energy_transfer:
            key = _transfer_arrow((et.donor, et.donor_from), (et.donor, et.donor_to),
                                  (et.acceptor, et.acceptor_from), (et.acceptor, et.acceptor_to))
            if key not in keys:
                keys.append(key)
        for key in sorted(flux, key=str):
            if key not in keys and flux[key] >= _MINOR_SHARE * largest:
                keys.append(key)
        levels = _diagram_levels(gap_cm)
        index = {(sp, name): i for i, (sp, name, *_rest) in enumerate(levels)}
        rates = [flux.get(key, 0.0) for key in keys]
        if keys == self._diagram_keys and self.diagram.levels == levels:
            self.diagram.set_rates(rates)  # arrows change width in place
        else:
            self.diagram.set_data(levels, [(index[a], index[b], kind, rate)
                                           for (a, b, kind), rate in zip(keys, rates,
                                                                         strict=True)])
            self._diagram_keys = keys
