"""The notebook progress bar of a sweep: counts, Stop, threads, and its registration."""

import threading

from lnhet_widgets.widgets.parts import SweepProgressBar, show_sweep_progress


def test_counts_and_final_state():
    bar = SweepProgressBar("Map")
    bar.start(10)
    assert bar.progress.max == 10 and bar.progress.value == 0
    assert not bar.stop_button.disabled and not bar.stop_requested
    for _ in range(9):
        bar.advance(1, 0)
    bar.advance(0, 1)
    assert bar.progress.value == 10
    bar.close()
    assert bar.label.value.startswith("Map: 9/10 cells, 1 failed")
    assert bar.progress.bar_style == "warning" and bar.stop_button.disabled


def test_a_complete_sweep_is_green():
    bar = SweepProgressBar()
    bar.start(3)
    bar.advance(3, 0)
    bar.close()
    assert bar.progress.bar_style == "success"
    assert bar.label.value.startswith("Sweep: 3/3 cells ·")


def test_stop_button_requests_a_stop_and_close_says_stopped():
    bar = SweepProgressBar()
    bar.start(100)
    bar.advance(5, 0)
    bar.stop_button.click()
    assert bar.stop_requested and bar.stop_button.disabled
    assert "stopping" in bar.label.value
    bar.advance(2, 0)  # the running cells finish; the label keeps saying "stopping"
    assert "stopping" in bar.label.value
    bar.close()
    assert bar.label.value.startswith("Sweep: 7/100 cells") and "(stopped)" in bar.label.value
    assert bar.progress.value == 7 and bar.progress.bar_style == "warning"
    bar.start(4)  # a new sweep: the stop is forgotten
    assert not bar.stop_requested and not bar.stop_button.disabled


def test_advance_from_many_threads_counts_every_cell():
    bar = SweepProgressBar()
    bar.start(8 * 250)
    go = threading.Barrier(8)

    def report():
        go.wait()
        for _ in range(250):
            bar.advance(1, 0)

    threads = [threading.Thread(target=report) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bar.close()
    assert bar.progress.value == 2000 and bar.progress.bar_style == "success"
    assert bar.label.value.startswith("Sweep: 2000/2000 cells")


def test_show_displays_the_bar(capsys):
    bar = show_sweep_progress("Grid")
    assert isinstance(bar, SweepProgressBar) and bar.description == "Grid"
    assert "lnhet-sweep-progress" in bar.widget._dom_classes
    bundle = bar._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_importing_the_widgets_registers_the_bar_with_the_core(monkeypatch):
    import lnhet_widgets.widgets  # noqa: F401  (registers on import)
    from lnhet_widgets.core.sweeps import progress

    assert progress._notebook_factory is show_sweep_progress
    monkeypatch.setattr(progress, "_in_notebook", lambda: True)  # as inside a Jupyter kernel
    bar = progress.progress_reporter(True, "Sweep of growth")
    assert isinstance(bar, SweepProgressBar) and bar.description == "Sweep of growth"


def test_a_sweep_reports_to_the_bar_and_stops_when_asked():
    from lnhet_widgets.core import GrowthParams
    from lnhet_widgets.core.sweeps import sweep

    params = GrowthParams(core_diameter_sd_nm=0.3, simulated_cores=50)
    grid = {"core_diameter_nm": [4.0, 6.0], "temperature_c": [210.0, 220.0]}
    bar = SweepProgressBar()
    ds = sweep("growth", params, grid, outputs=("coated_fraction",), progress=bar)
    assert bool(ds.completed.all())
    assert bar.progress.value == 4 and bar.progress.bar_style == "success"
    assert bar.label.value.startswith("Sweep: 4/4 cells")

    class StopAtOnce(SweepProgressBar):
        def start(self, total):
            super().start(total)
            self.request_stop()  # as if Stop were pressed before the first cell

    bar = StopAtOnce()
    ds = sweep("growth", params, grid, outputs=("coated_fraction",), progress=bar)
    assert not bool(ds.completed.any())
    assert "(stopped)" in bar.label.value and bar.stop_button.disabled
