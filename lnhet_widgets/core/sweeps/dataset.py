"""The result of a sweep: its arrays (:class:`SweepArrays`, numpy only), the labelled
``xarray.Dataset`` made of them (:func:`to_dataset`), and an earlier Dataset read back to
resume from (:func:`arrays_to_resume`).

xarray is imported inside the functions that need it, so the core imports without the
``distributed`` extra (``pip install "lnhet-widgets[distributed]"``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from dataclasses import dataclass

import numpy as np

from ... import __version__
from .grid import SweepPlan

__all__ = ["SweepArrays", "arrays_to_resume", "read_sweep", "to_dataset"]


@dataclass
class SweepArrays:
    """Every output over the cells of a plan: ``values[name]`` has the plan's shape (then the
    output's own dimension, if any), NaN where a cell did not complete; ``completed`` and
    ``error`` (the message of a failed cell, "" otherwise) have the plan's shape."""

    values: dict
    completed: np.ndarray
    error: np.ndarray

    @classmethod
    def empty(cls, plan: SweepPlan) -> SweepArrays:
        """Nothing computed yet."""
        values = {}
        for name in plan.outputs:
            out = plan.model.output(name)
            extra = (len(out.coords[out.dim][0]),) if out.dim else ()
            values[name] = np.full(plan.shape + extra, np.nan)
        return cls(values, np.zeros(plan.shape, dtype=bool), np.full(plan.shape, "", dtype=object))


def _xarray():
    try:
        import xarray
    except ImportError:
        raise ImportError('sweep returns an xarray Dataset: pip install '
                          '"lnhet-widgets[distributed]" (or xarray)') from None
    return xarray


def _params_json(params) -> str:
    return json.dumps(dataclasses.asdict(params))


def _keywords_json(plan: SweepPlan) -> str:
    return json.dumps(plan.keywords)


def _text_as_object(values: np.ndarray) -> np.ndarray:
    # Text as Python strings: NetCDF and Zarr store them as variable-length strings (Zarr 3
    # has no stable format for numpy's fixed-width "<U" strings).
    return values.astype(object) if values.dtype.kind == "U" else values


def to_dataset(plan: SweepPlan, arrays: SweepArrays):
    """The labelled Dataset of a sweep: dimensions the swept fields (in the grid's order),
    ``seed``, then any 1-D output's own; units and long names in attributes; the model,
    the base params (JSON), the keyword arguments not swept (JSON) and the package version
    in the Dataset's attributes — strings only, so NetCDF and Zarr store them exactly.

    Examples
    --------
    >>> from lnhet_widgets.core import GrowthParams
    >>> from lnhet_widgets.core.sweeps.grid import plan_sweep
    >>> plan = plan_sweep("growth", GrowthParams(), {"temperature_c": [210.0]},
    ...                   outputs=("coated_fraction",))
    >>> ds = to_dataset(plan, SweepArrays.empty(plan))
    >>> dict(ds.sizes), ds.temperature_c.attrs["units"], bool(ds.completed.any())
    ({'temperature_c': 1, 'seed': 1}, '°C', False)
    """
    xr = _xarray()
    dims = (*plan.fields, "seed")
    coords = {name: (name, _text_as_object(values),
                     {"units": plan.units(name), "long_name": plan.label(name)})
              for name, values in zip(plan.fields, plan.values, strict=True)}
    coords["seed"] = ("seed", plan.seeds, {"long_name": "random seed of the cell"})
    data = {}
    for name in plan.outputs:
        out = plan.model.output(name)
        extra = (out.dim,) if out.dim else ()
        for coord, (values, attrs) in out.coords.items():
            coords[coord] = (out.dim, _text_as_object(values), attrs)
        data[name] = (dims + extra, arrays.values[name],
                      {"units": out.units, "long_name": out.long_name})
    data["completed"] = (dims, arrays.completed, {"long_name": "the cell was computed"})
    data["error"] = (dims, arrays.error.astype(object),
                     {"long_name": "error message of a failed cell (empty when none)"})
    attrs = {"model": plan.model.name, "params_class": plan.model.params_class.__name__,
             "base_params": _params_json(plan.base), "keywords": _keywords_json(plan),
             "lnhet_widgets_version": __version__}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def read_sweep(resume):
    """A sweep's Dataset, given as itself or as the path of its NetCDF file or Zarr store
    (a directory, or a path ending in ``.zarr``), read into memory.

    Examples
    --------
    >>> import os, tempfile
    >>> from lnhet_widgets.core import GrowthParams
    >>> from lnhet_widgets.core.sweeps.grid import plan_sweep
    >>> plan = plan_sweep("growth", GrowthParams(), {"halide": ["Br", "I"]})
    >>> ds = to_dataset(plan, SweepArrays.empty(plan))
    >>> path = os.path.join(tempfile.mkdtemp(), "sweep.nc")
    >>> ds.to_netcdf(path, engine="h5netcdf")
    >>> read_sweep(path).identical(ds)
    True
    """
    xr = _xarray()
    if isinstance(resume, xr.Dataset):
        return resume
    path = os.fspath(resume)
    if os.path.isdir(path) or path.rstrip("/").endswith(".zarr"):
        with warnings.catch_warnings():
            # A store written with consolidated=False is as good: xarray reads it the long way.
            warnings.filterwarnings("ignore", "Failed to open Zarr store with consolidated",
                                    RuntimeWarning)
            with xr.open_zarr(path) as ds:
                return ds.load()
    with xr.open_dataset(path) as ds:
        return ds.load()


def arrays_to_resume(resume, plan: SweepPlan) -> SweepArrays:
    """The arrays of an earlier run of the same sweep (a Dataset, or the path of its NetCDF
    file or Zarr store), to compute only its cells with ``completed`` False.

    Raises ``ValueError`` saying what differs: model, base params, keyword arguments, grid
    fields or values, seeds, outputs.

    Examples
    --------
    >>> from lnhet_widgets.core import GrowthParams
    >>> from lnhet_widgets.core.sweeps.grid import plan_sweep
    >>> plan = plan_sweep("growth", GrowthParams(), {"temperature_c": [210.0, 220.0]})
    >>> earlier = to_dataset(plan, SweepArrays.empty(plan))
    >>> arrays_to_resume(earlier, plan).completed.tolist()
    [[False], [False]]
    >>> other = plan_sweep("growth", GrowthParams(), {"temperature_c": [210.0, 230.0]})
    >>> arrays_to_resume(earlier, other)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: resume: grid['temperature_c'] differs from the earlier sweep's (...)
    """
    ds = read_sweep(resume)
    checks = (("model", ds.attrs.get("model"), plan.model.name),
              ("base params", ds.attrs.get("base_params"), _params_json(plan.base)),
              ("keyword arguments", ds.attrs.get("keywords"), _keywords_json(plan)),
              ("grid fields", tuple(ds.completed.dims), (*plan.fields, "seed")))
    for what, earlier, now in checks:
        if earlier != now:
            raise ValueError(f"resume: the earlier sweep has other {what} ({earlier}) than "
                             f"this one ({now})")
    for name, values in (*zip(plan.fields, plan.values, strict=True), ("seed", plan.seeds)):
        if not np.array_equal(ds[name].values, values):
            raise ValueError(f"resume: grid[{name!r}] differs from the earlier sweep's "
                             f"({ds[name].values.tolist()} there, {values.tolist()} here)")
    missing = [name for name in plan.outputs if name not in ds.data_vars]
    if missing:
        raise ValueError(f"resume: the earlier sweep lacks the outputs {missing}")
    values = {name: np.array(ds[name].values, dtype=float) for name in plan.outputs}
    return SweepArrays(values, np.array(ds.completed.values, dtype=bool),
                       np.array(ds.error.values, dtype=object))
