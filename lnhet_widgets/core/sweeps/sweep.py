"""Any core model over a parameter grid: :func:`sweep` (an xarray Dataset), its numpy form
:func:`sweep_arrays`, and :func:`estimate_seconds` from one timed cell.
"""

from __future__ import annotations

import math
import os
import threading
import time

from .dataset import SweepArrays, arrays_to_resume, read_sweep, to_dataset
from .executors import batch_size_for, open_executor, run_tasks
from .grid import SweepPlan, plan_sweep
from .models import compute_cell
from .progress import progress_reporter

__all__ = ["estimate_seconds", "sweep", "sweep_arrays"]

_STATUS_VARIABLES = ("completed", "error")


def _run(plan: SweepPlan, arrays: SweepArrays, *, executor, progress, stop) -> bool:
    """Compute the cells of ``plan`` not completed in ``arrays``, in place.

    A model that does not use its seed runs once per cell of the first seed; the result is
    written to every seed of that cell.
    """
    n_seeds = plan.seeds.size if not plan.model.uses_seed else 1

    def copies(index):
        return [(*index[:-1], s) for s in range(n_seeds)] if n_seeds > 1 else [index]

    todo = [(index, (plan.model.name, plan.base, changes, keywords, seed, plan.outputs))
            for index, changes, keywords, seed in plan.cells()
            if (plan.model.uses_seed or index[-1] == 0)
            and not all(arrays.completed[i] for i in copies(index))]
    reporter = progress_reporter(progress, f"Sweep of {plan.model.name}")

    def on_result(index, outputs):
        for i in copies(index):
            for name, value in outputs.items():
                arrays.values[name][i] = value
            arrays.completed[i] = True
            arrays.error[i] = ""
        if reporter is not None:
            reporter.advance(1, 0)

    def on_error(index, error):
        for i in copies(index):
            arrays.error[i] = str(error) or type(error).__name__
        if reporter is not None:
            reporter.advance(0, 1)

    def should_stop():
        return ((stop is not None and stop.is_set())
                or (reporter is not None and reporter.stop_requested))

    if reporter is not None:
        reporter.start(len(todo))
    try:
        with open_executor(executor, threads=plan.model.releases_gil) as pool:
            return run_tasks(pool, compute_cell, todo, on_result=on_result,
                             on_error=on_error, should_stop=should_stop,
                             batch_size=batch_size_for(executor, len(todo)))
    finally:
        if reporter is not None:
            reporter.close()


def sweep_arrays(model, base_params, grid, *, seeds=(0,), outputs=None, executor=None,
                 progress=False, stop: threading.Event | None = None) -> SweepArrays:
    """:func:`sweep` without xarray: the outputs as numpy arrays over the plan's shape
    (the swept fields, then the seeds), with ``completed`` and ``error`` per cell.

    Examples
    --------
    >>> from lnhet_widgets.core import GrowthParams
    >>> a = sweep_arrays("growth", GrowthParams(simulated_cores=100),
    ...                  {"core_diameter_nm": [4.0, 12.0]}, outputs=("coated_fraction",))
    >>> a.values["coated_fraction"].shape, bool(a.completed.all())
    ((2, 1), True)
    """
    plan = plan_sweep(model, base_params, grid, seeds=seeds, outputs=outputs)
    arrays = SweepArrays.empty(plan)
    _run(plan, arrays, executor=executor, progress=progress, stop=stop)
    return arrays


def sweep(model, base_params, grid, *, seeds=(0,), outputs=None, executor=None,
          progress=True, resume=None, stop: threading.Event | None = None):
    """Run one core model over a grid of parameters, on local cores, any
    ``concurrent.futures`` executor or a Dask cluster; a labelled ``xarray.Dataset``.

    Every cell is ``model(dataclasses.replace(base_params, **cell), ...)``, so the params
    check each value (unit, range) and a bad one is that cell's recorded error. A cell that
    raises records its message in ``error`` and the sweep goes on; a stop keeps every
    finished cell, and ``resume=`` computes only the cells not completed.

    Parameters
    ----------
    model : str or callable
        ``"growth"`` (:func:`~lnhet_widgets.core.growth.simulate_growth`), ``"annealing"``
        (:func:`~lnhet_widgets.core.annealing.anneal`), ``"steady_state"``
        (:func:`~lnhet_widgets.core.optics.steady_state`) or ``"decay"``
        (:func:`~lnhet_widgets.core.optics.yb_lifetime_us`), or that function itself
        (:data:`~lnhet_widgets.core.sweeps.SWEEP_MODELS`).
    base_params : dataclass or None
        The model's params (``GrowthParams``, ``AnnealParams``, ``TransferParams``); None:
        their defaults. Every field the grid does not sweep keeps its value.
    grid : mapping
        Field name → 1-D values, 1 to 4 fields: fields of the params, or keyword arguments
        of the model (``steps`` of annealing, ``excitation_nm`` and ``power_w_cm2`` of
        steady_state; not swept, they take the defaults of ``SWEEP_MODELS[...].keywords``).
        Text fields (e.g. ``halide``) take strings.
    seeds : sequence of int
        Seeds of every grid point (a dimension of the result, also for models without
        randomness). The same seed gives bit-identical values on every executor.
    outputs : sequence of str, optional
        Quantities to keep (default: the model's headline ones,
        ``SWEEP_MODELS[...].default_outputs``); a 1-D one (steady_state's
        ``line_intensity_s``) adds its own dimension (``line_nm``).
    executor : None, concurrent.futures.Executor or dask.distributed.Client
        Where the cells run. None: every local core, on threads for models whose numba
        kernels release the GIL (growth, annealing), else on processes. One task per cell,
        a module-level function: a Dask worker or a process loads each numba kernel once,
        from the cache (``NUMBA_CACHE_DIR``, inherited from the environment).
    progress : bool, SweepProgress or callable
        True: a notebook bar with Stop (when :mod:`lnhet_widgets.widgets` is imported), else
        tqdm; False: none; or a :class:`~lnhet_widgets.core.sweeps.SweepProgress`, or a
        callable ``(finished, total)``.
    resume : xarray.Dataset or path, optional
        An earlier, partial run of this sweep (same model, base params, grid, seeds and
        outputs; else ``ValueError`` saying what differs), or the path of its NetCDF file or
        Zarr store; its completed cells are kept, the others computed. With ``outputs``
        None the earlier run's outputs are kept.
    stop : threading.Event, optional
        When set (or when the progress's ``stop_requested``), the cells not started are
        cancelled; the finished ones are kept. A KeyboardInterrupt does the same and warns
        (``RuntimeWarning``): the partial Dataset is returned, not lost.

    Returns
    -------
    xarray.Dataset
        One variable per output (``units``, ``long_name``), NaN where a cell did not
        complete; ``completed`` (bool) and ``error`` (str, "" when none) per cell; the grid
        values and ``seed`` as coordinates with units; attributes ``model``,
        ``params_class``, ``base_params`` (JSON), ``keywords`` (JSON) and
        ``lnhet_widgets_version``. ``ds.to_netcdf(path, engine="h5netcdf")`` and
        ``ds.to_zarr(path)`` store it exactly.

    Examples
    --------
    >>> from lnhet_widgets.core import GrowthParams
    >>> ds = sweep("growth", GrowthParams(core_diameter_sd_nm=0.3, simulated_cores=100),
    ...            {"core_diameter_nm": [4.0, 12.0], "temperature_c": [220.0]},
    ...            progress=False)
    >>> dict(ds.coated_fraction.sizes)
    {'core_diameter_nm': 2, 'temperature_c': 1, 'seed': 1}
    >>> ds.coated_fraction.sel(temperature_c=220.0, seed=0).values.round(2).tolist()
    [1.0, 0.0]
    >>> bool(ds.completed.all()), ds.attrs["model"]
    (True, 'growth')
    """
    if resume is not None:
        resume = read_sweep(resume)
        if outputs is None:
            outputs = tuple(name for name in resume.data_vars if name not in _STATUS_VARIABLES)
    plan = plan_sweep(model, base_params, grid, seeds=seeds, outputs=outputs)
    arrays = SweepArrays.empty(plan) if resume is None else arrays_to_resume(resume, plan)
    _run(plan, arrays, executor=executor, progress=progress, stop=stop)
    return to_dataset(plan, arrays)


def estimate_seconds(model, base_params, grid, *, seeds=(0,), workers: int | None = None
                     ) -> float:
    """Wall time a sweep would take on ``workers`` parallel workers (default: every local
    core), from its first cell run here: the cell runs twice (the first run loads the numba
    kernels) unless it takes longer than 10 s, and the second time is scaled to the grid.

    A cell that raises raises here (the estimate needs one cell that runs).

    Examples
    --------
    >>> from lnhet_widgets.core import GrowthParams
    >>> grid = {"core_diameter_nm": [4.0, 6.0, 8.0], "temperature_c": [210.0, 220.0]}
    >>> s = estimate_seconds("growth", GrowthParams(simulated_cores=100), grid, workers=2)
    >>> 0 < s < 10
    True
    """
    plan = plan_sweep(model, base_params, grid, seeds=seeds)
    _index, changes, keywords, seed = next(plan.cells())
    args = (plan.model.name, plan.base, changes, keywords, seed, plan.outputs)
    start = time.perf_counter()
    compute_cell(*args)
    seconds = time.perf_counter() - start
    if seconds <= 10.0:
        start = time.perf_counter()
        compute_cell(*args)
        seconds = time.perf_counter() - start
    workers = workers or os.cpu_count() or 1
    runs = math.prod(plan.shape if plan.model.uses_seed else plan.shape[:-1])
    return seconds * math.ceil(runs / workers)
