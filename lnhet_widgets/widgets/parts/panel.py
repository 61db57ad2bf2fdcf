"""A parameter panel generated from a frozen params dataclass: one control per field.

Each field's ``metadata`` describes its control: ``label``, ``unit``, and either ``min``,
``max`` and ``step`` (a slider) or ``choices`` (a dropdown); booleans become checkboxes.
Fields without metadata are not shown (they keep their current value).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import ipywidgets as widgets

from lnhet_widgets.core._base import param

__all__ = ["ParameterPanel", "param"]


def _control(field: dataclasses.Field, value):
    meta = field.metadata
    text = f"{meta['label']} ({meta['unit']})" if meta["unit"] else meta["label"]
    style = {"description_width": "150px"}
    layout = widgets.Layout(width="360px")
    if meta["choices"] is not None:
        return widgets.Dropdown(options=meta["choices"], value=value, description=text,
                                style=style, layout=layout)
    if isinstance(value, bool):
        return widgets.Checkbox(value=value, description=text, style=style, layout=layout)
    if isinstance(value, int):
        return widgets.IntSlider(value=value, min=meta["min"], max=meta["max"],
                                 step=meta["step"] or 1, description=text, style=style,
                                 layout=layout, continuous_update=False)
    return widgets.FloatSlider(value=value, min=meta["min"], max=meta["max"],
                               step=meta["step"] or (meta["max"] - meta["min"]) / 100,
                               description=text, style=style, layout=layout,
                               continuous_update=True, readout_format=".3g")


class ParameterPanel(widgets.VBox):
    """Controls for the metadata-carrying fields of a frozen params dataclass.

    Parameters
    ----------
    params : dataclass instance
        Initial values; its type decides which controls exist.
    on_change : callable, optional
        Called with no argument whenever a control changes.

    Examples
    --------
    >>> import dataclasses
    >>> @dataclasses.dataclass(frozen=True)
    ... class P:
    ...     size_nm: float = param(4.0, label="Size", unit="nm", min=1, max=10, step=0.1)
    ...     phase: str = param("a", label="Phase", choices=("a", "b"))
    >>> panel = ParameterPanel(P())
    >>> panel.controls["size_nm"].value = 6.0
    >>> panel.read()
    P(size_nm=6.0, phase='a')
    """

    def __init__(self, params, *, on_change: Callable[[], None] | None = None, **kwargs):
        self._params = params
        self._showing = False
        self.controls: dict[str, widgets.ValueWidget] = {
            f.name: _control(f, getattr(params, f.name))
            for f in dataclasses.fields(params)
            if "label" in f.metadata
        }
        for name, control in self.controls.items():
            tip = dataclasses.fields(params)[self._index(name)].metadata["description"]
            if tip:
                control.tooltip = tip
            if on_change is not None:
                control.observe(lambda _change: self._showing or on_change(), names="value")
        super().__init__(children=list(self.controls.values()), **kwargs)
        self.add_class("lnhet-parameter-panel")

    def _index(self, name: str) -> int:
        return [f.name for f in dataclasses.fields(self._params)].index(name)

    def read(self):
        """Build a params instance from the controls (its validation may raise ValueError)."""
        values = {name: control.value for name, control in self.controls.items()}
        return dataclasses.replace(self._params, **values)

    def show(self, params) -> None:
        """Set every control from ``params`` (e.g. after ``lab.params`` was set in code).

        ``on_change`` is not called meanwhile: the controls pass through half-updated states
        that are nobody's input.
        """
        self._params = params
        self._showing = True
        try:
            for name, control in self.controls.items():
                value = getattr(params, name)
                if isinstance(control, widgets.Dropdown) and value not in control.options:
                    control.options = (*control.options, value)
                control.value = value
        finally:
            self._showing = False
