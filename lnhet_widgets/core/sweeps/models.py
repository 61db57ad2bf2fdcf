"""The models a sweep can run: :data:`SWEEP_MODELS`, one adapter per core model.

An adapter says which params class the model takes, which keyword arguments of the model can
be swept besides the params fields (with their defaults and units), which quantities of the
result a sweep can keep (with units), and how to read each of them from the result.
:func:`compute_cell` is what runs on a worker: one cell, its outputs as plain numbers.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..annealing import AnnealParams, anneal
from ..growth import GrowthParams, simulate_growth
from ..optics import LINES, TransferParams, steady_state, yb_lifetime_us

__all__ = ["SWEEP_MODELS", "SweepModel", "SweepOutput", "compute_cell", "find_model"]


@dataclass(frozen=True)
class SweepOutput:
    """One quantity a sweep can keep: a number per cell, or a 1-D array along ``dim``.

    ``read(result)`` gives the value from the model's result. A 1-D output names its
    dimension ``dim`` and that dimension's coordinates ``coords`` (name → (values, attrs)),
    the same for every cell.
    """

    name: str
    units: str
    long_name: str
    read: Callable
    dim: str | None = None
    coords: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SweepModel:
    """How a sweep runs one core model and reads its result.

    Attributes
    ----------
    name : str
        Key in :data:`SWEEP_MODELS`, stored in the Dataset's ``model`` attribute.
    function : callable
        The core's model function (``model=`` may be given as this function).
    params_class : type
        The frozen params dataclass of the model.
    run : callable
        ``run(params, seed, **keywords)``, a module-level function calling ``function``.
    keywords : dict
        Keyword arguments of the model that a grid may sweep: name → (default, units).
    outputs : tuple of SweepOutput
        Every quantity a sweep can keep.
    default_outputs : tuple of str
        The headline quantities, kept when ``outputs`` is not given.
    releases_gil : bool
        Whether the model's time is spent in numba kernels compiled ``nogil``: then the
        local default runs the cells on threads, else on processes.
    uses_seed : bool
        False for a deterministic model: its cells are computed once, for the first seed,
        and the other seeds get the same values.
    """

    name: str
    function: Callable
    params_class: type
    run: Callable
    keywords: dict
    outputs: tuple
    default_outputs: tuple
    releases_gil: bool
    uses_seed: bool = True

    def output(self, name: str) -> SweepOutput:
        """The output called ``name``; ValueError naming the valid ones."""
        for out in self.outputs:
            if out.name == name:
                return out
        valid = ", ".join(out.name for out in self.outputs)
        raise ValueError(f"outputs: {name!r} is not an output of the {self.name!r} model; "
                         f"valid outputs: {valid}")


# --- the runners: module-level, so that a process or a Dask worker can unpickle them ----------

def _run_growth(params, seed):
    return simulate_growth(params, seed=seed)


def _run_annealing(params, seed, steps):
    return anneal(params, steps=steps, snapshots=(0, steps), seed=seed)


def _run_steady_state(params, seed, excitation_nm, power_w_cm2):
    return steady_state(params, excitation_nm=excitation_nm, power_w_cm2=power_w_cm2)


def _run_decay(params, seed):
    return yb_lifetime_us(params)


# --- reading the results -----------------------------------------------------------------------

def _from_summary(name, units, long_name):
    """The output ``name`` read from the entry of that name of ``result.summary()``."""
    return SweepOutput(name, units, long_name, lambda result: result.summary()[name])


def _at_end(name, units, long_name):
    """The output ``name`` read as the last value of the result's attribute of that name."""
    return SweepOutput(name, units, long_name, lambda result: float(getattr(result, name)[-1]))


_LINE_LABELS = tuple(f"{ion} {upper}→{lower}" for ion, upper, lower, _ in LINES)
_LINE_NM = np.array([nm for *_, nm in LINES])
_BAND = "CsPbX3"


def _line_intensities(result) -> np.ndarray:
    # A particle without lanthanides has no such lines: it emits nothing there (0, not NaN).
    emitted = dict(zip(result.line_labels, result.intensities[0], strict=True))
    return np.array([float(emitted.get(label, 0.0)) for label in _LINE_LABELS])


def _band(result, what: str) -> float:
    for i, label in enumerate(result.line_labels):
        if label.startswith(_BAND):
            return float(result.intensities[0, i] if what == "intensity" else result.line_nm[i])
    return math.nan


def _quantum_yield(result) -> float:
    return float(result.quantum_yield())


_GROWTH_OUTPUTS = (
    _from_summary("coated_fraction", "", "fraction of the cores inside a heterostructure"),
    _from_summary("mean_cores_per_structure", "", "mean number of cores per heterostructure"),
    _from_summary("edge_mean_nm", "nm", "mean cube edge of the heterostructures"),
    _from_summary("edge_sd_nm", "nm", "standard deviation of the heterostructure edge"),
    _from_summary("free_nanocrystals_per_core", "", "free perovskite nanocrystals per core"),
    _from_summary("free_edge_mean_nm", "nm", "mean cube edge of the free nanocrystals"),
    _from_summary("free_volume_fraction", "", "fraction of the perovskite in free crystals"),
    _from_summary("relaxed_misfit", "", "misfit left after the relaxation during nucleation"),
    _from_summary("mass_balance_error", "", "relative error of the monomer ledger"),
)

_ANNEALING_OUTPUTS = (
    _at_end("yb_fraction_in_shell", "", "share of the Yb ions on shell sites at the end"),
    _at_end("interface_width_nm", "nm", "10–90 % width of the Yb profile at the end"),
    _at_end("yb_coordination", "", "occupied cation neighbours of a Yb ion at the end"),
    _at_end("vacancy_count", "", "vacancies at the end"),
    _at_end("docked_ions", "", "ions added by docking complexes"),
    SweepOutput("annealing_time_s", "s", "real annealing time of the steps simulated",
                lambda result: float(result.snapshot_time_s[-1])),
)

_STEADY_STATE_OUTPUTS = (
    SweepOutput("line_intensity_s", "photons/s", "emission per particle in each line",
                _line_intensities, dim="line_nm",
                coords={"line_nm": (_LINE_NM, {"units": "nm", "long_name": "line wavelength"}),
                        "line_label": (np.array(_LINE_LABELS), {"long_name": "transition"})}),
    SweepOutput("band_intensity_s", "photons/s", "perovskite band emission per particle",
                lambda result: _band(result, "intensity")),
    SweepOutput("band_peak_nm", "nm", "peak wavelength of the perovskite band",
                lambda result: _band(result, "peak")),
    SweepOutput("absorbed_photons_s", "photons/s", "photons absorbed per particle",
                lambda result: float(result.absorbed_photons_s[0])),
    SweepOutput("quantum_yield", "", "photons emitted in all lines per photon absorbed",
                _quantum_yield),
)

#: The models :func:`~lnhet_widgets.core.sweeps.sweep` can run, by name.
SWEEP_MODELS = {
    "growth": SweepModel(
        "growth", simulate_growth, GrowthParams, _run_growth, {}, _GROWTH_OUTPUTS,
        ("coated_fraction", "mean_cores_per_structure", "edge_mean_nm", "free_volume_fraction"),
        releases_gil=True),
    "annealing": SweepModel(
        "annealing", anneal, AnnealParams, _run_annealing, {"steps": (1000, "MC steps")},
        _ANNEALING_OUTPUTS,
        ("yb_fraction_in_shell", "interface_width_nm", "vacancy_count", "docked_ions"),
        releases_gil=True),
    "steady_state": SweepModel(
        "steady_state", steady_state, TransferParams, _run_steady_state,
        {"excitation_nm": (980.0, "nm"), "power_w_cm2": (10.0, "W/cm²")},
        _STEADY_STATE_OUTPUTS, ("line_intensity_s", "quantum_yield"),
        releases_gil=False, uses_seed=False),
    "decay": SweepModel(
        "decay", yb_lifetime_us, TransferParams, _run_decay, {},
        (SweepOutput("yb_lifetime_us", "µs", "Yb³⁺ 980 nm lifetime after a weak pulse",
                     float),),
        ("yb_lifetime_us",), releases_gil=False, uses_seed=False),
}


def find_model(model) -> SweepModel:
    """The adapter of ``model``: a name in :data:`SWEEP_MODELS` or the core function itself.

    Examples
    --------
    >>> find_model(simulate_growth).name
    'growth'
    >>> find_model("growth").default_outputs[0]
    'coated_fraction'
    """
    for adapter in SWEEP_MODELS.values():
        if model == adapter.name or model is adapter.function:
            return adapter
    valid = ", ".join(f"{name!r} ({adapter.function.__name__})"
                      for name, adapter in SWEEP_MODELS.items())
    raise ValueError(f"model: {getattr(model, '__name__', model)!r} is not a core model a "
                     f"sweep can run; valid models: {valid}")


def compute_cell(model_name: str, base, changes: dict, keywords: dict, seed: int,
                 outputs: tuple) -> dict:
    """Run one cell on a worker and return its outputs (name → float or 1-D array).

    ``changes`` are params fields (``dataclasses.replace`` applies the params' validation,
    so a bad value raises its ``ValueError`` here, in the cell), ``keywords`` the model's
    other arguments.

    Examples
    --------
    >>> compute_cell("growth", GrowthParams(simulated_cores=100), {"core_diameter_nm": 4.0},
    ...              {}, 0, ("coated_fraction",))
    {'coated_fraction': 0.9}
    """
    adapter = SWEEP_MODELS[model_name]
    params = dataclasses.replace(base, **changes)
    result = adapter.run(params, seed, **keywords)
    return {name: adapter.output(name).read(result) for name in outputs}
