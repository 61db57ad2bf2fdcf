"""Energy-level (Jablonski) diagram whose arrows carry transition rates (lesson 4).

Yb³⁺, Tm³⁺ and the CsPbBr3 bands (with a defect state) in columns, one arrow per transition
(absorption, emission, non-radiative decay, ETU, cross-relaxation, back transfer, LRET,
trapping, defect → Yb). Arrow widths grow with log10 of the rate over the current range, a
tooltip states each rate, and clicking a level sets :attr:`EnergyLevelDiagram.selected_level`
so that a lab can show that level's decay.

The widget takes generic data (levels and transitions as plain tuples), so the rate-equation
model of SCIENCE.md §7 can feed it through :meth:`EnergyLevelDiagram.set_rates` without the
diagram knowing the model. Energies, level indices and rates travel to the browser as binary
buffers (:func:`~lnhet_widgets.widgets.custom._assets.array_to_bytes`), names as JSON lists.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import anywidget
import numpy as np
import traitlets

from ._assets import (
    array_from_bytes,
    array_to_bytes,
    bundle_esm,
    empty_array_message,
)

__all__ = ["KINDS", "LEVEL_STYLES", "EnergyLevelDiagram"]

#: Transition kinds the diagram knows, in legend order; each has its colour in the front end
#: (``KINDS`` in js/widgets/level_diagram_marks.js).
KINDS = (
    "absorption",
    "emission",
    "nonradiative",
    "etu",
    "cross_relaxation",
    "back_transfer",
    "lret",
    "trapping",
    "defect_transfer",
)

#: Optional fourth element of a level: a plain line, a band edge (shaded away from the gap) or
#: a defect state (dashed).
LEVEL_STYLES = ("level", "band", "defect")


def _is_int(value: object) -> bool:
    # bool is an int to Python but never a level index; numpy integers are fine.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_rate(field: str, value: object) -> float:
    if not _is_real(value):
        raise ValueError(f"{field} must be a number in s^-1, got {value!r}")
    rate = float(value)
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"{field} = {value!r} s^-1 must be finite and >= 0")
    return rate


def _normalise_levels(value) -> list[tuple[str, str, float, str]]:
    """Checked levels as ``(species, name, energy_cm, style)`` tuples."""
    levels = []
    first_seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(value):
        field = f"levels[{i}]"
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) not in (3, 4):
            raise ValueError(
                f"{field} must be a tuple (species, name, energy_cm[, style]), got {item!r}"
            )
        species, name, energy = item[:3]
        style = item[3] if len(item) == 4 else "level"
        for part, text in (("species", species), ("name", name)):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{field}.{part} must be a non-empty string, got {text!r}")
        if not _is_real(energy) or not math.isfinite(energy):
            raise ValueError(f"{field}.energy must be a finite number in cm^-1, got {energy!r}")
        if style not in LEVEL_STYLES:
            raise ValueError(f"{field}.style must be one of {LEVEL_STYLES}, got {style!r}")
        key = (species, name)
        if key in first_seen:
            raise ValueError(
                f"{field} {key!r} appears twice (first as levels[{first_seen[key]}]); "
                "each (species, name) must be unique"
            )
        first_seen[key] = i
        levels.append((species, name, float(energy), style))
    return levels


def _normalise_transitions(value, n_levels: int) -> list[tuple[int, int, str, float]]:
    """Checked transitions as ``(from_index, to_index, kind, rate_s)`` tuples."""
    transitions = []
    for t, item in enumerate(value):
        field = f"transitions[{t}]"
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 4:
            raise ValueError(
                f"{field} must be a tuple (from_index, to_index, kind, rate_s), got {item!r}"
            )
        a, b, kind, rate = item
        for part, index in (("from", a), ("to", b)):
            if not _is_int(index):
                raise ValueError(f"{field}.{part} must be a level index (int), got {index!r}")
            if not 0 <= index < n_levels:
                raise ValueError(
                    f"{field}.{part} = {index!r} is not a level index; "
                    + (
                        f"there are {n_levels} levels (0 … {n_levels - 1})"
                        if n_levels
                        else "there are no levels"
                    )
                )
        if a == b:
            raise ValueError(f"{field} goes from level {a} to itself")
        if kind not in KINDS:
            raise ValueError(f"{field}.kind = {kind!r} is not one of {', '.join(KINDS)}")
        transitions.append((int(a), int(b), kind, _check_rate(f"{field}.rate", rate)))
    return transitions


class EnergyLevelDiagram(anywidget.AnyWidget):
    """Energy levels in species columns with rate-weighted transition arrows.

    Species become columns (ordered so that transfer arrows cross as few other columns as
    possible, or as given by ``columns``); level names that are term symbols are typeset
    (``"2F5/2"`` as ²F₅/₂). Each transition is an arrow in the colour of its kind, straight
    inside a column (wavy for non-radiative steps and trapping) and curved between columns.
    Arrow width grows linearly with log10(rate) between the whole decades around the smallest
    and largest positive rate (the legend states the mapping); zero rates are drawn faint and
    dashed. Hovering an arrow shows ``"from → to: kind, rate = 1.2e3 s⁻¹"``.

    Parameters
    ----------
    levels : sequence of tuple
        ``(species, name, energy_cm)`` per level, optionally with a fourth element, the style
        ``"level"`` (default), ``"band"`` or ``"defect"``. Energies in cm⁻¹, finite;
        ``(species, name)`` pairs must be unique.
    transitions : sequence of tuple
        ``(from_index, to_index, kind, rate_s)`` per transition: indices into ``levels``
        (different from each other), ``kind`` one of :data:`KINDS`, rate in s⁻¹, finite and
        ≥ 0.
    selected_level : int
        Index of the highlighted level, ``-1`` for none. Clicking a level in the browser sets
        it (clicking it again clears it); arrows not touching it are dimmed.
    columns : list of str
        Species in the wanted left-to-right order; ``[]`` (default) chooses automatically.
    height : int
        Height in pixels of the level area (the legend comes below), 300–1200.
    error : str
        Message shown in the widget; ``""`` for none.
    title : str
        Heading above the diagram; ``""`` hides it.

    Raises
    ------
    ValueError
        When a level or transition is invalid; the message names the field, e.g.
        ``transitions[3].kind``. Changing ``levels`` so that existing transitions point past
        the end also raises; set both at once with :meth:`set_data`.

    See Also
    --------
    set_rates : update the rates only (cheap; the arrows change width in place).

    Examples
    --------
    >>> diagram = EnergyLevelDiagram(
    ...     levels=[("Yb", "2F7/2", 0.0), ("Yb", "2F5/2", 10250.0),
    ...             ("Tm", "3H6", 0.0), ("Tm", "3H5", 8300.0)],
    ...     transitions=[(0, 1, "absorption", 1.2e3), (1, 0, "emission", 4.0e2),
    ...                  (1, 3, "etu", 5.0e3)],
    ... )
    >>> diagram.transitions[2]
    (1, 3, 'etu', 5000.0)
    >>> diagram.set_rates([2.4e3, 4.0e2, 0.0])
    >>> diagram.rates
    array([2400.,  400.,    0.])
    >>> diagram.selected_level = 1  # what a click on Yb ²F₅/₂ does
    >>> diagram.levels[diagram.selected_level]
    ('Yb', '2F5/2', 10250.0, 'level')
    """

    _esm = bundle_esm("level_diagram.js")

    levels = traitlets.List(help="(species, name, energy_cm[, style]) per level")
    transitions = traitlets.List(help="(from_index, to_index, kind, rate_s) per transition")
    selected_level = traitlets.Int(-1, help="index of the selected level, -1 for none").tag(
        sync=True
    )
    columns = traitlets.List(traitlets.Unicode(), help="species order, [] for automatic").tag(
        sync=True
    )
    height = traitlets.Int(520, help="height of the level area in pixels").tag(sync=True)
    error = traitlets.Unicode("", help="message shown in the widget").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    # Wire format, derived from levels and transitions: strings as JSON lists, numbers as
    # binary buffers (array_to_bytes).
    _species = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _styles = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _energies = traitlets.Dict(empty_array_message("float64", (0,))).tag(sync=True)
    _kinds = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _ends = traitlets.Dict(empty_array_message("int32", (0, 2))).tag(sync=True)
    _rates = traitlets.Dict(empty_array_message("float64", (0,))).tag(sync=True)

    def __init__(self, levels=(), transitions=(), *, selected_level=-1, **kwargs):
        # Levels and transitions are set after the other traits, through set_data, rather than
        # as traitlets constructor arguments: traitlets defers their validation to the end of
        # __init__ and would then send unchecked values to the observers.
        super().__init__(**kwargs)
        self.set_data(levels, transitions)
        self.selected_level = selected_level

    # --- validation ----------------------------------------------------------------------

    @traitlets.validate("levels")
    def _validate_levels(self, proposal):
        levels = _normalise_levels(proposal["value"])
        # Transitions already set must still point at levels.
        for t, (a, b, _kind, _rate) in enumerate(self.transitions):
            if max(a, b) >= len(levels):
                raise ValueError(
                    f"levels has {len(levels)} entries but transitions[{t}] refers to level "
                    f"{max(a, b)}; set both together with set_data(levels, transitions)"
                )
        return levels

    @traitlets.validate("transitions")
    def _validate_transitions(self, proposal):
        return _normalise_transitions(proposal["value"], len(self.levels))

    @traitlets.validate("selected_level")
    def _validate_selected_level(self, proposal):
        index = proposal["value"]
        if not -1 <= index < len(self.levels):
            raise ValueError(
                f"selected_level = {index} must be -1 (none) or a level index "
                f"0 … {len(self.levels) - 1}"
            )
        return index

    @traitlets.validate("height")
    def _validate_height(self, proposal):
        height = proposal["value"]
        if not 300 <= height <= 1200:
            raise ValueError(f"height = {height} px is outside the allowed range [300, 1200] px")
        return height

    # --- syncing -------------------------------------------------------------------------

    @traitlets.observe("levels")
    def _send_levels(self, change):
        old = {(sp, name): i for i, (sp, name, *_rest) in enumerate(change["old"] or [])}
        new = {(sp, name): i for i, (sp, name, *_rest) in enumerate(change["new"])}
        with self.hold_sync():
            self._species = [level[0] for level in change["new"]]
            self._names = [level[1] for level in change["new"]]
            self._styles = [level[3] for level in change["new"]]
            self._energies = array_to_bytes(
                np.array([level[2] for level in change["new"]], dtype=np.float64), name="energies"
            )
            # The selection follows its level when the list is rebuilt (same species and
            # name), and is cleared when the level is gone.
            if self.selected_level >= 0:
                old_key = next((k for k, i in old.items() if i == self.selected_level), None)
                self.selected_level = new.get(old_key, -1)

    @traitlets.observe("transitions")
    def _send_transitions(self, change):
        transitions = change["new"]
        ends = np.array([t[:2] for t in transitions], dtype=np.int32).reshape(-1, 2)
        kinds = [t[2] for t in transitions]
        with self.hold_sync():
            # After set_rates only the rates differ: send the one small buffer.
            if kinds != self._kinds or not np.array_equal(ends, array_from_bytes(self._ends)):
                self._kinds = kinds
                self._ends = array_to_bytes(ends, name="transitions")
            rates = np.array([t[3] for t in transitions], dtype=np.float64)
            self._rates = array_to_bytes(rates, name="rates")

    # --- API -----------------------------------------------------------------------------

    @property
    def rates(self) -> np.ndarray:
        """Rates of the transitions in s⁻¹, shape ``(len(transitions),)`` (a copy)."""
        return np.array([t[3] for t in self.transitions], dtype=np.float64)

    def set_rates(self, rates_s) -> None:
        """Replace the rates of all transitions, keeping levels, ends and kinds.

        Cheap: only the rate buffer (8 bytes per transition) goes to the browser, where the
        arrows change width and tooltip in place.

        Parameters
        ----------
        rates_s : array_like of float
            One rate in s⁻¹ per transition, in the order of :attr:`transitions`; finite, ≥ 0.

        Raises
        ------
        ValueError
            If the length differs from the number of transitions, or a rate is negative, NaN
            or infinite (the message names ``rates_s[i]``). The diagram is then unchanged.

        Examples
        --------
        >>> d = EnergyLevelDiagram(levels=[("Yb", "2F7/2", 0), ("Yb", "2F5/2", 10250)],
        ...                        transitions=[(1, 0, "emission", 400.0)])
        >>> d.set_rates([1.0 / 2.5e-3])
        >>> d.transitions
        [(1, 0, 'emission', 400.0)]
        """
        try:
            values = np.asarray(rates_s, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"rates_s must be an array of numbers in s^-1, got {rates_s!r}"
            ) from None
        if values.ndim != 1 or len(values) != len(self.transitions):
            raise ValueError(
                f"rates_s has shape {values.shape}; expected ({len(self.transitions)},), one "
                "rate per transition"
            )
        bad = np.flatnonzero(~(np.isfinite(values) & (values >= 0)))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"rates_s[{i}] = {float(values[i])!r} s^-1 must be finite and >= 0")
        self.transitions = [
            (a, b, kind, float(rate))
            for (a, b, kind, _old), rate in zip(self.transitions, values, strict=True)
        ]

    def set_data(self, levels, transitions) -> None:
        """Replace levels and transitions together (the view redraws once).

        Use this when the new transitions refer to levels the old list does not have, or
        the other way round; assigning one trait after the other would fail validation in
        between.

        Raises
        ------
        ValueError
            As for the constructor; the diagram is then unchanged.
        """
        levels = _normalise_levels(levels)
        transitions = _normalise_transitions(transitions, len(levels))
        with self.hold_sync():
            # Emptied first, so that neither list is ever checked against the other's old value.
            self.transitions = []
            self.levels = levels
            self.transitions = transitions
