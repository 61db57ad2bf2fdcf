"""Tolerance-factor gauge: Goldschmidt t of several compounds against the stable window.

The first custom front-end widget of the package and the pattern for the others: a thin
:class:`anywidget.AnyWidget` whose traits are validated in Python (a clear ``ValueError``
naming the field), whose front end is an ES module in ``js/widgets/`` bundled by
:func:`lnhet_widgets.widgets.custom._assets.bundle_esm`, and which shows errors inside the widget
through its ``error`` trait.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import anywidget
import traitlets

from lnhet_widgets.core._base.validate import check_range

from ._assets import bundle_esm

__all__ = ["ToleranceGauge"]

#: Tolerance factors outside this open interval are not physical input, whatever the compound.
T_RANGE = (0.0, 3.0)


def _check_t(field: str, value: object) -> float:
    # check_range would accept the string "0.8"; a gauge value must be an actual number.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{field} must be a number (dimensionless), got {value!r}")
    return check_range(field, value, "", *T_RANGE, low_inclusive=False, high_inclusive=False)


class ToleranceGauge(anywidget.AnyWidget):
    """Goldschmidt tolerance factors on a scale with the stable perovskite window shaded.

    Each compound is a marker labelled with its name and t; values within 0.02 above the lower
    limit, or outside the window, get a note under the gauge. Setting ``error`` shows the
    message above the (dimmed) last drawing; clearing it restores the view.

    Parameters
    ----------
    values : list of dict
        One ``{"label": str, "t": float}`` per compound; labels must be unique and t must lie
        in (0, 3).
    low, high : float
        Limits of the stable window, dimensionless, ``0 < low < high < 3``.
    selected : str
        Label of the highlighted compound, or ``""``. Cleared when ``values`` no longer holds it.
    error : str
        Message shown in the widget; ``""`` for none.
    title : str
        Heading shown above the gauge; ``""`` hides it.

    Raises
    ------
    ValueError
        When a value is invalid; the message names the field, e.g. ``values[1].t``. A
        ``values`` that is not a list (or tuple) raises :class:`traitlets.TraitError`.

    Examples
    --------
    >>> gauge = ToleranceGauge(
    ...     values=[
    ...         {"label": "CsPbCl3", "t": 0.820},
    ...         {"label": "CsPbBr3", "t": 0.815},
    ...         {"label": "CsPbI3", "t": 0.807},
    ...     ],
    ...     selected="CsPbBr3",
    ... )
    >>> gauge.low, gauge.high
    (0.8, 1.11)
    >>> gauge.values[2]
    {'label': 'CsPbI3', 't': 0.807}
    """

    _esm = bundle_esm("tolerance_gauge.js")

    values = traitlets.List(help="compounds as {'label': str, 't': float}").tag(sync=True)
    low = traitlets.Float(0.8, help="lower limit of the stable window").tag(sync=True)
    high = traitlets.Float(1.11, help="upper limit of the stable window").tag(sync=True)
    selected = traitlets.Unicode("", help="label of the highlighted compound").tag(sync=True)
    error = traitlets.Unicode("", help="message shown in the widget").tag(sync=True)
    title = traitlets.Unicode("Goldschmidt tolerance factor").tag(sync=True)

    @traitlets.validate("values")
    def _validate_values(self, proposal):
        compounds = []
        seen = set()
        for i, item in enumerate(proposal["value"]):
            field = f"values[{i}]"
            if not isinstance(item, Mapping) or not {"label", "t"} <= item.keys():
                raise ValueError(f"{field} must be a dict with keys 'label' and 't', got {item!r}")
            label = item["label"]
            if not isinstance(label, str) or not label.strip():
                raise ValueError(f"{field}.label must be a non-empty string, got {label!r}")
            if label in seen:
                raise ValueError(f"{field}.label {label!r} appears twice; labels must be unique")
            seen.add(label)
            compounds.append({"label": label, "t": _check_t(f"{field}.t", item["t"])})
        return compounds

    @traitlets.validate("low", "high")
    def _validate_limits(self, proposal):
        name = proposal["trait"].name
        value = check_range(
            name, proposal["value"], "", *T_RANGE, low_inclusive=False, high_inclusive=False
        )
        low, high = (value, self.high) if name == "low" else (self.low, value)
        if not low < high:
            raise ValueError(f"low must be below high, got low = {low:g}, high = {high:g}")
        return value

    @traitlets.validate("selected")
    def _validate_selected(self, proposal):
        label = proposal["value"]
        labels = [v["label"] for v in self.values]
        if label and label not in labels:
            raise ValueError(f"selected = {label!r} is not one of the labels {labels}")
        return label

    @traitlets.observe("values")
    def _drop_stale_selection(self, change):
        if self.selected and self.selected not in {v["label"] for v in change["new"]}:
            self.selected = ""
