"""Maps of the coated fraction over core diameter × temperature, the cells run in parallel."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO
from .params import GrowthParams
from .seeded import simulate_growth

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


def _map_cell(params: GrowthParams, diameter: float, temperature: float, seed: int) -> float:
    cell = dataclasses.replace(params, core_diameter_nm=float(diameter),
                               temperature_c=float(temperature))
    return simulate_growth(cell, seed=seed).coated_fraction


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
    temperature (the spread ``core_diameter_sd_nm`` is kept). The numba kernel releases the
    GIL, so the default executor is a thread pool with one worker per CPU; any object with a
    ``submit`` method returning futures that have ``result``, ``cancel`` and
    ``add_done_callback`` works — e.g. ``dask.distributed.Client(...).get_executor()``.

    Parameters
    ----------
    core_diameters_nm, temperatures_c : array_like
        Grid axes (nm, °C); every value must be valid for :class:`GrowthParams`.
    params : GrowthParams, optional
        Everything else (default: P1's recipe).
    executor : concurrent.futures.Executor, optional
        Where the cells run; default a ``ThreadPoolExecutor`` owned by this call.
    seed : int
        Seed of every cell.
    progress : callable, optional
        Called as ``progress(done, total)`` after each finished cell (from a worker thread).
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
    p = GrowthParams() if params is None else params
    diameters, temps = check_map_grid(core_diameters_nm, temperatures_c, p)
    own = executor is None
    pool = ThreadPoolExecutor() if own else executor
    total = diameters.size * temps.size
    done = [0]
    lock = threading.Lock()

    def finished(future):
        if future.cancelled():
            return
        with lock:
            done[0] += 1
            count = done[0]
        if progress is not None:
            progress(count, total)

    values = np.full((diameters.size, temps.size), np.nan)
    completed = np.zeros(values.shape, dtype=bool)
    errors: list[str] = []
    try:
        futures = {}
        for i, d in enumerate(diameters):
            for j, t in enumerate(temps):
                future = pool.submit(_map_cell, p, d, t, seed)
                future.add_done_callback(finished)
                futures[(i, j)] = future
        for (i, j), future in futures.items():
            if stop is not None and stop.is_set():
                for other in futures.values():
                    other.cancel()
            if future.cancelled():
                continue
            try:
                values[i, j] = future.result()
            except CancelledError:
                continue
            except Exception as error:  # one failed cell must not lose the map
                errors.append(f"{diameters[i]:g} nm, {temps[j]:g} °C: {error}")
                continue
            completed[i, j] = True
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    return CoatingMap(core_diameters_nm=diameters, temperatures_c=temps,
                      coated_fraction=values, completed=completed, errors=tuple(errors))
