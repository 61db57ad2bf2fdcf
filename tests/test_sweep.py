"""Sweeps over a parameter grid: the same Dataset on every executor (threads, processes, a real
Dask LocalCluster), failures recorded, stop and resume, exact NetCDF/Zarr round trips, the
checks of the input, and each model once."""

import json
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
distributed = pytest.importorskip("distributed")

from lnhet_widgets.core import (  # noqa: E402
    SWEEP_MODELS,
    AnnealParams,
    GrowthParams,
    TransferParams,
    simulate_growth,
    sweep,
)
from lnhet_widgets.core.sweeps import estimate_seconds  # noqa: E402

SMALL = GrowthParams(core_diameter_sd_nm=0.3, simulated_cores=100)
GRID = {"core_diameter_nm": [4.0, 8.0, 12.0], "temperature_c": [210.0, 220.0]}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


@pytest.fixture(scope="module")
def reference():
    return sweep("growth", SMALL, GRID, seeds=(0, 1), progress=False)


def _growth_kernel_loads():
    """On a worker: how often the growth kernel was compiled (cache miss) or loaded (hit)."""
    from lnhet_widgets.core.growth import _kernel

    stats = _kernel.run_growth.stats
    return sum(stats.cache_misses.values()), sum(stats.cache_hits.values())


# --- executors ---------------------------------------------------------------------------------


def test_the_dataset_is_labelled(reference):
    ds = reference
    assert tuple(ds.coated_fraction.dims) == ("core_diameter_nm", "temperature_c", "seed")
    assert set(ds.data_vars) == {*SWEEP_MODELS["growth"].default_outputs, "completed", "error"}
    assert ds.core_diameter_nm.attrs["units"] == "nm" and ds.temperature_c.attrs["units"] == "°C"
    assert ds.edge_mean_nm.attrs["units"] == "nm" and ds.coated_fraction.attrs["long_name"]
    assert ds.attrs["model"] == "growth" and ds.attrs["params_class"] == "GrowthParams"
    assert GrowthParams.from_dict(json.loads(ds.attrs["base_params"])) == SMALL
    assert bool(ds.completed.all()) and set(ds.error.values.ravel()) == {""}
    # A cell is simulate_growth of the base with the cell's fields, bit for bit.
    cell = simulate_growth(GrowthParams(**{**SMALL.to_dict(), "core_diameter_nm": 8.0,
                                           "temperature_c": 220.0}), seed=1)
    assert ds.coated_fraction.sel(core_diameter_nm=8.0, temperature_c=220.0, seed=1) == \
        cell.coated_fraction


def test_threads_processes_and_a_dask_cluster_give_identical_datasets(reference, client):
    with ThreadPoolExecutor(max_workers=2) as pool:
        xr.testing.assert_identical(sweep("growth", SMALL, GRID, seeds=(0, 1), executor=pool,
                                          progress=False), reference)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        xr.testing.assert_identical(sweep("growth", SMALL, GRID, seeds=(0, 1), executor=pool,
                                          progress=False), reference)
    xr.testing.assert_identical(sweep(simulate_growth, SMALL, GRID, seeds=(0, 1),
                                      executor=client, progress=False), reference)


def test_a_cluster_worker_loads_the_numba_kernel_once(client):
    sweep("growth", SMALL, {"core_diameter_nm": [5.0]}, progress=False)  # cached here
    grid = {"core_diameter_nm": np.linspace(4.0, 12.0, 8), "temperature_c": [215.0]}
    assert bool(sweep("growth", SMALL, grid, executor=client, progress=False).completed.all())
    loads = client.run(_growth_kernel_loads)
    assert len(loads) == 2
    # Compiled or loaded from the cache at most once per worker, not once per cell.
    assert all(misses + hits <= 1 for misses, hits in loads.values())
    assert sum(misses + hits for misses, hits in loads.values()) >= 1


def test_same_seed_same_bits_other_seed_other_values(reference):
    again = sweep("growth", SMALL, GRID, seeds=(0, 1), progress=False)
    for name in reference.data_vars:
        np.testing.assert_array_equal(again[name].values, reference[name].values)
    edges = reference.edge_mean_nm.sel(core_diameter_nm=4.0)
    assert not np.array_equal(edges.sel(seed=0).values, edges.sel(seed=1).values)


# --- nothing lost ------------------------------------------------------------------------------


def test_a_failing_cell_is_recorded_and_the_others_complete(capsys):
    ds = sweep("growth", SMALL, {"temperature_c": [220.0, 500.0, 210.0]}, progress=True)
    assert "Sweep of growth: 100%" in capsys.readouterr().err  # tqdm, outside a notebook
    assert ds.completed.values[:, 0].tolist() == [True, False, True]
    assert ds.error.values[1, 0] == "temperature_c = 500.0 °C is outside the allowed range " \
                                    "[120, 300] °C"
    assert ds.error.values[0, 0] == "" and np.isnan(ds.coated_fraction.values[1, 0])
    assert np.isfinite(ds.coated_fraction.values[[0, 2], 0]).all()


class StopAfter:
    """A SweepProgress that asks for a stop after ``cells`` finished cells."""

    def __init__(self, cells):
        self.cells, self.finished, self.total, self.closed = cells, 0, None, False

    def start(self, total):
        self.total = total

    def advance(self, done, failed):
        self.finished += done + failed

    def close(self):
        self.closed = True

    @property
    def stop_requested(self):
        return self.finished >= self.cells


def test_a_stopped_sweep_resumes_to_the_uninterrupted_dataset(reference, tmp_path):
    progress = StopAfter(2)
    with ThreadPoolExecutor(max_workers=1) as pool:
        stopped = sweep("growth", SMALL, GRID, seeds=(0, 1), executor=pool, progress=progress)
    assert progress.total == 12 and progress.closed
    assert 2 <= int(stopped.completed.sum()) < 12
    assert np.isnan(stopped.coated_fraction.values[~stopped.completed.values]).all()
    stopped.to_netcdf(tmp_path / "stopped.nc", engine="h5netcdf")
    resumed_progress = StopAfter(100)
    resumed = sweep("growth", SMALL, GRID, seeds=(0, 1), resume=tmp_path / "stopped.nc",
                    progress=resumed_progress)
    assert resumed_progress.total == 12 - int(stopped.completed.sum())
    xr.testing.assert_identical(resumed, reference)
    with pytest.raises(ValueError, match="resume: the earlier sweep has other base params"):
        sweep("growth", GrowthParams(simulated_cores=100), GRID, seeds=(0, 1), resume=stopped)
    with pytest.raises(ValueError, match=r"resume: grid\['temperature_c'\] differs"):
        sweep("growth", SMALL, {**GRID, "temperature_c": [210.0, 230.0]}, seeds=(0, 1),
              resume=stopped)


def test_a_stop_event_and_a_keyboard_interrupt_keep_the_finished_cells():
    stop = threading.Event()
    stop.set()
    ds = sweep("growth", SMALL, GRID, stop=stop, progress=False)
    assert not ds.completed.any() and np.isnan(ds.coated_fraction.values).all()

    class Interrupt(StopAfter):
        def advance(self, done, failed):
            super().advance(done, failed)
            raise KeyboardInterrupt

    with ThreadPoolExecutor(max_workers=1) as pool, pytest.warns(RuntimeWarning,
                                                                 match="interrupted"):
        ds = sweep("growth", SMALL, GRID, executor=pool, progress=Interrupt(100))
    assert 1 <= int(ds.completed.sum()) < 6


# --- files -------------------------------------------------------------------------------------


def test_netcdf_and_zarr_round_trips_are_exact(tmp_path):
    ds = sweep("growth", SMALL, {"halide": ["Br", "I"], "temperature_c": [220.0, 500.0]},
               progress=False)
    assert ds.error.values[0, 1, 0].startswith("temperature_c = 500.0 °C")
    ds.to_netcdf(tmp_path / "sweep.nc", engine="h5netcdf")
    with xr.open_dataset(tmp_path / "sweep.nc", engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), ds)
    ds.to_zarr(tmp_path / "sweep.zarr", consolidated=False)
    with xr.open_zarr(tmp_path / "sweep.zarr", consolidated=False) as back:
        xr.testing.assert_identical(back.load(), ds)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "grid", "outputs", "match"), [
    ("growth", {"diameter_nm": [4.0]}, None,
     r"'diameter_nm' is not a field of the 'growth' model; valid fields: .*core_diameter_nm"),
    ("growth", {"temperature_c": []}, None, r"grid\['temperature_c'\] is empty"),
    ("growth", {"temperature_c": ["hot"]}, None, r"grid\['temperature_c'\] must hold numbers"),
    ("growth", {"halide": [1.0]}, None, r"grid\['halide'\] must hold strings"),
    ("growth", {"simulated_cores": [100.5]}, None,
     r"grid\['simulated_cores'\] must hold integers"),
    ("growth", {}, None, "grid must map 1 to 4 field names"),
    ("growth", {"dopants": [0.1]}, None, "'dopants' cannot be swept"),
    ("bleach", {"temperature_c": [220.0]}, None,
     "model: 'bleach' is not a core model a sweep can run; valid models: 'growth'"),
    ("growth", {"temperature_c": [220.0]}, ("coated",),
     "outputs: 'coated' is not an output of the 'growth' model; valid outputs: "
     "coated_fraction"),
])
def test_bad_input_names_the_field(model, grid, outputs, match):
    with pytest.raises(ValueError, match=match):
        sweep(model, None, grid, outputs=outputs, progress=False)


def test_bad_seeds_and_base_params():
    with pytest.raises(ValueError, match="seeds"):
        sweep("growth", SMALL, {"temperature_c": [220.0]}, seeds=(), progress=False)
    with pytest.raises(ValueError, match="base_params must be a GrowthParams"):
        sweep("growth", AnnealParams(), {"temperature_c": [220.0]}, progress=False)


# --- every model once --------------------------------------------------------------------------


def test_annealing_sweeps_steps_and_temperature():
    params = AnnealParams(core_diameter_nm=3.0, shell_thickness_nm=0.5)
    ds = sweep("annealing", params, {"steps": [10, 20], "temperature_c": [300.0]},
               progress=False)
    assert ds.steps.dtype == np.int64 and ds.steps.attrs["units"] == "MC steps"
    assert bool(ds.completed.all()) and ds.attrs["keywords"] == "{}"
    assert (ds.vacancy_count.values > 0).all()


def test_steady_state_lines_get_their_own_dimension():
    ds = sweep("steady_state", TransferParams(tm_classes=1),
               {"power_w_cm2": [1.0, 100.0]}, progress=False)
    lines = ds.line_intensity_s
    assert lines.dims == ("power_w_cm2", "seed", "line_nm") and lines.sizes["line_nm"] == 9
    assert ds.line_label.values[-1] == "Yb 2F5/2→2F7/2" and ds.line_nm.attrs["units"] == "nm"
    blue = lines.sel(line_nm=450.0, seed=0).values
    assert bool(ds.completed.all()) and blue[1] > blue[0] > 0
    assert ds.attrs["keywords"] == '{"excitation_nm": 980.0}'


def test_decay_and_the_estimate_of_a_sweep():
    grid = {"core_diameter_nm": [7.6, 9.2]}
    with ThreadPoolExecutor(max_workers=1) as pool:
        ds = sweep("decay", TransferParams(), grid, executor=pool, progress=False)
    assert ds.yb_lifetime_us.attrs["units"] == "µs"
    assert ds.yb_lifetime_us.values[:, 0].round().tolist() == [39.0, 47.0]
    seconds = estimate_seconds("growth", SMALL, GRID, workers=2)
    assert 0 < seconds < 30


def _inverse(x):
    return 1.0 / x


@pytest.mark.parametrize("on_cluster", [False, True], ids=["threads", "dask"])
def test_cells_sent_in_batches_report_one_by_one(on_cluster, request):
    # A Dask client gets several cells per task (batch_size_for); a failing cell inside a
    # batch is recorded alone and its neighbours still report their values.
    from concurrent.futures import ThreadPoolExecutor

    from lnhet_widgets.core.sweeps.executors import run_tasks

    values, errors = {}, {}
    tasks = [(k, (x,)) for k, x in enumerate([1.0, 2.0, 0.0, 4.0, 5.0, 8.0, 10.0])]
    if on_cluster:
        pool = request.getfixturevalue("client").get_executor(pure=False)
        complete = run_tasks(pool, _inverse, tasks, on_result=values.__setitem__,
                             on_error=errors.__setitem__, should_stop=lambda: False,
                             batch_size=3)
    else:
        with ThreadPoolExecutor(2) as pool:
            complete = run_tasks(pool, _inverse, tasks, on_result=values.__setitem__,
                                 on_error=errors.__setitem__, should_stop=lambda: False,
                                 batch_size=3)
    assert complete
    assert values == {0: 1.0, 1: 0.5, 3: 0.25, 4: 0.2, 5: 0.125, 6: 0.1}
    assert list(errors) == [2] and isinstance(errors[2], ZeroDivisionError)


def test_a_dask_client_gets_batches_a_local_pool_single_cells(client):
    from lnhet_widgets.core.sweeps.executors import TASKS_PER_DASK_THREAD, batch_size_for

    threads = sum(client.nthreads().values())
    assert batch_size_for(None, 900) == 1
    assert batch_size_for(client, 900) == 900 // (threads * TASKS_PER_DASK_THREAD)
    assert batch_size_for(client, 5) == 1


def test_a_model_without_a_seed_runs_once_per_cell_for_every_seed():
    class Count:
        stop_requested = False

        def start(self, total):
            self.total = total

        def advance(self, done, failed):
            pass

        def close(self):
            pass

    runs = Count()
    with ThreadPoolExecutor(max_workers=1) as pool:
        ds = sweep("decay", TransferParams(), {"core_diameter_nm": [7.6, 9.2]},
                   seeds=(0, 1, 2), executor=pool, progress=runs)
    assert runs.total == 2  # two cells, not six
    lifetimes = ds.yb_lifetime_us.values
    assert bool(ds.completed.all()) and np.all(lifetimes == lifetimes[:, :1])
