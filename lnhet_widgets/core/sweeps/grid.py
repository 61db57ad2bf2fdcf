"""The grid of a sweep checked against its model: :class:`SweepPlan` and its cells.

A grid maps field names to 1-D values: fields of the model's params dataclass, or keyword
arguments of the model (:attr:`~lnhet_widgets.core.sweeps.models.SweepModel.keywords`). Every
problem a grid can have before a cell runs is a ``ValueError`` naming the field; a value that
the params reject (a range, a unit) is the error of its cells instead, recorded by the sweep.
"""

from __future__ import annotations

import dataclasses
import itertools
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .models import SweepModel, find_model

__all__ = ["MAX_DIMENSIONS", "SweepPlan", "plan_sweep"]

#: Most fields a grid may sweep at once (the seed comes on top).
MAX_DIMENSIONS = 4


@dataclass(frozen=True)
class SweepPlan:
    """A checked sweep: the model, its base params, the grid, the seeds and the outputs.

    Attributes
    ----------
    model : SweepModel
    base : dataclass
        The base params; every cell replaces the swept fields of it.
    fields : tuple of str
        The swept fields, in the grid's order (the first dimensions of the result).
    values : tuple of ndarray
        Their values (float64, int64 or str arrays).
    seeds : ndarray of int64
    outputs : tuple of str
    keywords : dict
        The model's keyword arguments that are not swept, at their defaults.
    """

    model: SweepModel
    base: object
    fields: tuple
    values: tuple
    seeds: np.ndarray
    outputs: tuple
    keywords: dict

    @property
    def shape(self) -> tuple:
        """Cells along each swept field, then along the seeds."""
        return (*(v.size for v in self.values), self.seeds.size)

    def units(self, name: str) -> str:
        """Units of a swept field (the params field's metadata or the model's keyword)."""
        if name in self.model.keywords:
            return self.model.keywords[name][1]
        return _params_fields(self.model)[name].metadata.get("unit", "")

    def label(self, name: str) -> str:
        """A readable name of a swept field (the params field's label, else its name)."""
        meta = _params_fields(self.model).get(name)
        return meta.metadata.get("label", name) if meta is not None else name

    def cells(self):
        """Every cell as ``(index, changes, keywords, seed)``: its index into :attr:`shape`,
        the params fields it changes and the keyword arguments of its run.

        Examples
        --------
        >>> from lnhet_widgets.core import GrowthParams
        >>> plan = plan_sweep("growth", GrowthParams(), {"temperature_c": [210, 220]})
        >>> [(index, changes) for index, changes, _, _ in plan.cells()]
        [((0, 0), {'temperature_c': 210.0}), ((1, 0), {'temperature_c': 220.0})]
        """
        for index in itertools.product(*(range(n) for n in self.shape)):
            changes, keywords = {}, dict(self.keywords)
            for name, values, i in zip(self.fields, self.values, index, strict=False):
                value = values[i].item()
                (keywords if name in self.model.keywords else changes)[name] = value
            yield index, changes, keywords, int(self.seeds[index[-1]])


def _params_fields(model: SweepModel) -> dict:
    return {f.name: f for f in dataclasses.fields(model.params_class)}


def _default(f: dataclasses.Field):
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else None


def _kinds(model: SweepModel) -> dict:
    """Every field a grid may sweep → ``float``, ``int`` or ``str`` (fields holding tuples,
    such as dopants, cannot be swept: they are not one coordinate value)."""
    kinds = {}
    for f in dataclasses.fields(model.params_class):
        default = _default(f)
        if isinstance(default, bool):
            continue
        if isinstance(default, numbers.Integral):
            kinds[f.name] = int
        elif isinstance(default, numbers.Real):
            kinds[f.name] = float
        elif default is None or isinstance(default, str):
            kinds[f.name] = str
    for name, (default, _units) in model.keywords.items():
        kinds[name] = int if isinstance(default, numbers.Integral) else float
    return kinds


def _check_values(name: str, kind: type, values) -> np.ndarray:
    array = np.asarray(values if not isinstance(values, str) else [values])
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"grid[{name!r}] must be a 1-D sequence of values, got shape "
                         f"{array.shape}")
    if array.size == 0:
        raise ValueError(f"grid[{name!r}] is empty: give at least one value")
    if kind is str:
        if array.dtype.kind != "U":
            raise ValueError(f"grid[{name!r}] must hold strings (it is a text field), got "
                             f"{array.tolist()!r}")
        return array
    if array.dtype.kind not in "iuf":
        raise ValueError(f"grid[{name!r}] must hold numbers, got {array.tolist()!r}")
    if kind is int:
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueError(f"grid[{name!r}] must hold integers, got {array.tolist()!r}")
        return array.astype(np.int64)
    return array.astype(np.float64)


def _check_seeds(seeds) -> np.ndarray:
    array = np.asarray(seeds).reshape(-1) if np.ndim(seeds) == 0 else np.asarray(seeds)
    if array.ndim != 1 or array.size == 0 or array.dtype.kind not in "iu":
        raise ValueError(f"seeds must be a non-empty 1-D sequence of integers, got {seeds!r}")
    if np.any(array < 0) or np.unique(array).size != array.size:
        raise ValueError(f"seeds must be distinct integers ≥ 0, got {array.tolist()!r}")
    return array.astype(np.int64)


def plan_sweep(model, base_params, grid, *, seeds=(0,), outputs=None) -> SweepPlan:
    """Check a sweep's model, base params, grid, seeds and outputs; raise ``ValueError``
    naming the field for anything wrong.

    Examples
    --------
    >>> from lnhet_widgets.core import GrowthParams
    >>> plan = plan_sweep("growth", GrowthParams(), {"core_diameter_nm": [4, 8],
    ...                                              "temperature_c": [210, 220, 230]})
    >>> plan.shape, plan.outputs[0]
    ((2, 3, 1), 'coated_fraction')
    >>> plan_sweep("growth", GrowthParams(), {"diameter": [4]})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: grid: 'diameter' is not a field of the 'growth' model; valid fields: core, ...
    """
    adapter = find_model(model)
    base = adapter.params_class() if base_params is None else base_params
    if not isinstance(base, adapter.params_class):
        raise ValueError(f"base_params must be a {adapter.params_class.__name__} for the "
                         f"{adapter.name!r} model, got {type(base).__name__}")
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= MAX_DIMENSIONS:
        raise ValueError(f"grid must map 1 to {MAX_DIMENSIONS} field names to values, got "
                         f"{grid!r}")
    kinds = _kinds(adapter)
    values = []
    for name, field_values in grid.items():
        if name not in kinds:
            what = ("cannot be swept (its value is not one number or text)"
                    if name in _params_fields(adapter) else
                    f"is not a field of the {adapter.name!r} model")
            raise ValueError(f"grid: {name!r} {what}; valid fields: {', '.join(kinds)}")
        values.append(_check_values(name, kinds[name], field_values))
    names = tuple(adapter.default_outputs if outputs is None else
                  ([outputs] if isinstance(outputs, str) else outputs))
    if not names:
        raise ValueError("outputs must name at least one output")
    for name in names:
        adapter.output(name)
    keywords = {name: default for name, (default, _units) in adapter.keywords.items()
                if name not in grid}
    return SweepPlan(adapter, base, tuple(grid), tuple(values), _check_seeds(seeds), names,
                     keywords)
