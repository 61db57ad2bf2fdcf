"""Field metadata for parameter dataclasses: what a control for the field should look like.

The core defines its params dataclasses with :func:`param` so that the widget layer can build
a control per field (:class:`lnhet_widgets.widgets.parts.panel.ParameterPanel`) without the core
importing any widget code.
"""

from __future__ import annotations

import dataclasses

__all__ = ["ParamsDict", "param"]


def param(default, *, label: str, unit: str = "", min=None, max=None, step=None,
          choices=None, description: str = ""):
    """A dataclass field carrying the metadata a parameter panel builds a control from.

    Examples
    --------
    >>> import dataclasses
    >>> @dataclasses.dataclass(frozen=True)
    ... class P:
    ...     size_nm: float = param(4.0, label="Size", unit="nm", min=1, max=10, step=0.1)
    >>> dataclasses.fields(P)[0].metadata["unit"]
    'nm'
    """
    meta = {"label": label, "unit": unit, "min": min, "max": max, "step": step,
            "choices": tuple(choices) if choices is not None else None,
            "description": description}
    return dataclasses.field(default=default, metadata=meta)


class ParamsDict:
    """Mixin for frozen parameter dataclasses: a round trip through plain Python values, which
    :class:`~lnhet_widgets.core._base.results.ResultIO` uses to save the params of a result.

    Examples
    --------
    >>> @dataclasses.dataclass(frozen=True)
    ... class P(ParamsDict):
    ...     size_nm: float = 4.0
    >>> P.from_dict(P(size_nm=2.0).to_dict())
    P(size_nm=2.0)
    """

    def to_dict(self) -> dict:
        """Fields as plain Python values."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, values: dict):
        """Rebuild from :meth:`to_dict` output."""
        return cls(**values)
