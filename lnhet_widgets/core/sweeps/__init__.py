"""Sweeps of any core model over a parameter grid, on threads, processes or a Dask cluster,
as labelled xarray Datasets that save to NetCDF or Zarr and resume where they stopped.
"""

from .dataset import SweepArrays, read_sweep
from .grid import MAX_DIMENSIONS, SweepPlan, plan_sweep
from .models import SWEEP_MODELS, SweepModel, SweepOutput
from .progress import (
    CallbackProgress,
    SweepProgress,
    TqdmProgress,
    register_notebook_progress,
)
from .sweep import estimate_seconds, sweep, sweep_arrays

__all__ = [
    "MAX_DIMENSIONS",
    "SWEEP_MODELS",
    "CallbackProgress",
    "SweepArrays",
    "SweepModel",
    "SweepOutput",
    "SweepPlan",
    "SweepProgress",
    "TqdmProgress",
    "estimate_seconds",
    "plan_sweep",
    "read_sweep",
    "register_notebook_progress",
    "sweep",
    "sweep_arrays",
]
