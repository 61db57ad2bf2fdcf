"""Maps of the coated fraction over core diameter × temperature: a growth sweep, read as a
:class:`CoatingMap`."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .params import GrowthParams

__all__ = ["CoatingMap", "check_map_grid", "coating_map"]


@dataclass(frozen=True)
class CoatingMap(ResultIO):
    """Coated fraction over a grid of core diameter × temperature (see :func:`coating_map`).

    ``completed[i, j]`` is False for a cell that was cancelled by a stop or failed; its value
    is NaN and a failure's message is in ``errors``.
    """

    core_diameters_nm: np.ndarray
    temperatures_c: np.ndarray
    coated_fraction: np.ndarray
    completed: np.ndarray
    errors: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every cell was computed (not stopped, none failed)."""
        return bool(self.completed.all())


def check_map_grid(core_diameters_nm, temperatures_c, params: GrowthParams):
    """The axes of a coating map as float arrays, each value valid for ``params``.

    Raises the :class:`GrowthParams` error (field, unit, range) for the first bad value, so a
    caller can check a grid before it hands the map to another thread.

    Examples
    --------
    >>> check_map_grid([4, 8], 220, GrowthParams())
    (array([4., 8.]), array([220.]))
    """
    diameters = np.asarray(core_diameters_nm, dtype=float).ravel()
    temps = np.asarray(temperatures_c, dtype=float).ravel()
    for d in diameters:
        dataclasses.replace(params, core_diameter_nm=float(d))
    for t in temps:
        dataclasses.replace(params, temperature_c=float(t))
    return diameters, temps


def coating_map(core_diameters_nm, temperatures_c, params: GrowthParams | None = None, *,
                executor: Executor | None = None, seed: int = 0,
                progress: Callable[[int, int], None] | None = None,
                stop: threading.Event | None = None) -> CoatingMap:
    """Coated fraction over core diameter × temperature, the cells run in parallel.

    Each cell is :func:`simulate_growth` with ``params`` at that mean diameter and injection
    temperature (the spread ``core_diameter_sd_nm`` is kept): a growth
    :func:`~lnhet_widgets.core.sweeps.sweep` of ``coated_fraction``, without xarray. The
    numba kernel releases the GIL, so the default executor is a thread pool with one worker
    per CPU; any ``concurrent.futures.Executor`` or a ``dask.distributed.Client`` works too.

    Parameters
    ----------
    core_diameters_nm, temperatures_c : array_like
        Grid axes (nm, °C); every value must be valid for :class:`GrowthParams`.
    params : GrowthParams, optional
        Everything else (default: P1's recipe).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where the cells run; default a ``ThreadPoolExecutor`` owned by this call.
    seed : int
        Seed of every cell.
    progress : callable, optional
        Called as ``progress(done, total)`` after each finished cell, failed or not (from
        the thread that runs the map).
    stop : threading.Event, optional
        When set, cells not yet started are cancelled; they are NaN in the map. A cell that
        raises is NaN too, with its message in ``CoatingMap.errors``; the others are kept.

    Returns
    -------
    CoatingMap
        ``coated_fraction[i, j]`` for ``core_diameters_nm[i]`` and ``temperatures_c[j]``.

    Examples
    --------
    >>> m = coating_map([4.0, 12.0], [220.0], GrowthParams(core_diameter_sd_nm=0.3,
    ...                                                     simulated_cores=100))
    >>> bool(m.coated_fraction[0, 0] > m.coated_fraction[1, 0])
    True
    """
    # sweeps sits above the domains (it imports every model): imported when a map runs.
    from ..sweeps import CallbackProgress, sweep_arrays

    p = GrowthParams() if params is None else params
    diameters, temps = check_map_grid(core_diameters_nm, temperatures_c, p)
    cells = sweep_arrays("growth", p, {"core_diameter_nm": diameters, "temperature_c": temps},
                         seeds=(seed,), outputs=("coated_fraction",), executor=executor,
                         progress=CallbackProgress(progress), stop=stop)
    errors = tuple(f"{diameters[i]:g} nm, {temps[j]:g} °C: {message}"
                   for (i, j, _seed), message in np.ndenumerate(cells.error) if message)
    return CoatingMap(core_diameters_nm=diameters, temperatures_c=temps,
                      coated_fraction=cells.values["coated_fraction"][..., 0],
                      completed=cells.completed[..., 0], errors=errors)
