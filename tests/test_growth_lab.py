"""GrowthLab without a browser: controls, recomputation, errors in the lab, the coating map.

Outside an IPython kernel the Throttle calls at once, so a control change recomputes before
the assignment returns. Small samples (200 cores) keep every test well under a second.
"""

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from lnhet_widgets.core.growth import CoatingMap, GrowthParams
from lnhet_widgets.widgets import GrowthLab
from lnhet_widgets.widgets.labs.growth_lab import format_dopants, parse_dopants
from lnhet_widgets.widgets.labs.growth_map import NOT_COMPUTED

SMALL = GrowthParams(simulated_cores=200)
# Cells where every current calibration forms particles (see the report on cores > 9 nm).
MAP_D_NM = [4.0, 7.0]
MAP_T_C = [210.0, 220.0]


@pytest.fixture(scope="module")
def lab():
    return GrowthLab(SMALL, seed=1)


def _quench_field(params):
    """The quench field that exists in this version of GrowthParams and a value it rejects."""
    names = {f.name for f in dataclasses.fields(params)}
    if "quench_depth_c" in names:
        return "quench_depth_c", params.temperature_c - params.bath_temperature_c + 5.0
    return "quench_end_temperature_c", params.temperature_c + 10.0


def test_lab_starts_with_a_result(lab):
    assert lab.params == SMALL
    assert lab.result.params == SMALL and lab.result.seed == 1
    assert lab.result.core_diameters_nm.size == 200
    assert lab.coating is None
    assert lab.status.kind == "ok" and "200 cores" in lab.status.message
    assert lab.panel.controls["core_diameter_nm"].value == SMALL.core_diameter_nm
    assert parse_dopants(lab.composition.value) == SMALL.dopants
    assert "<table" in lab.summary.value


def test_plots_have_marks_with_data(lab):
    r = lab.result
    assert lab._core_bars.y.sum() == r.core_diameters_nm.size
    assert lab._coated_line.y.size > 0
    assert np.all((lab._coated_line.y >= 0) & (lab._coated_line.y <= 1))
    assert lab._limit_line.x.tolist() == [8.0, 8.0]
    assert lab._hetero_bars.y.size == lab._free_bars.y.size > 0
    if r.edge_lengths_nm.size:
        assert lab._hetero_bars.y.sum() == pytest.approx(1.0)
        assert lab._cores_bars.y.sum() == r.edge_lengths_nm.size
    if r.free_counts.sum() > 0:  # free crystals are weighted by free_counts
        assert lab._free_bars.y.sum() == pytest.approx(1.0)
    # Log time axis: t = 0 is dropped.
    assert lab._s_line.x.size == r.trace_time_s.size - 1 and lab._s_line.x.min() > 0
    assert lab._het_line.y.size == lab._s_line.x.size
    assert lab.structure.n_drawn > 0
    assert "3D model" in lab.structure_caption.value


def test_only_the_selected_tab_holds_its_figures(lab):
    lab.tabs.selected_index = 0
    assert lab.tabs.children[0].children == (lab._results_page,)
    assert lab.tabs.children[1].children == ()
    lab.tabs.selected_index = 1
    assert lab.tabs.children[0].children == ()
    assert lab.tabs.children[1].children == (lab.map_box,)
    lab.tabs.selected_index = 0


def test_control_change_recomputes(lab):
    before = lab.result
    lab.panel.controls["temperature_c"].value = 210.0
    assert lab.result is not before
    assert lab.params.temperature_c == 210.0 == lab.result.params.temperature_c
    assert lab.status.kind == "ok"
    lab.panel.controls["temperature_c"].value = 220.0
    assert lab.result.params == SMALL


def test_setting_params_from_code_updates_controls(lab):
    new = dataclasses.replace(SMALL, core="alpha-NaYF4", halide="Cl", core_diameter_nm=4.9,
                              dopants=(("Yb", 0.2), ("Er", 0.02)), simulated_cores=150)
    lab.params = new
    assert lab.result.params == new
    assert lab.panel.controls["core"].value == "alpha-NaYF4"
    assert lab.panel.controls["halide"].value == "Cl"
    assert lab.panel.controls["core_diameter_nm"].value == 4.9
    assert parse_dopants(lab.composition.value) == (("Yb", 0.2), ("Er", 0.02))
    assert lab._extra["simulated_cores"].value == 150
    assert lab._map_here.x.tolist() == [4.9]
    lab.params = SMALL
    assert lab.panel.controls["core"].value == "beta-NaGdF4"


def test_composition_text_drives_the_dopants(lab):
    lab.composition.value = "Yb 20%; Tm 0.005"
    assert lab.result.params.dopants == (("Yb", 0.2), ("Tm", 0.005))
    lab.params = SMALL
    assert parse_dopants(lab.composition.value) == SMALL.dopants


@pytest.mark.parametrize("text", ["Yb 0.3x", "Yb 0.3, Nd 0.01", "Yb 0.8, Tm 0.5"])
def test_bad_dopants_show_a_message_and_keep_the_result(lab, text):
    good = lab.result
    lab.composition.value = text
    assert lab.status.kind == "error"
    assert "dopant" in lab.status.message
    assert lab.result is good and lab.params == SMALL
    lab.composition.value = format_dopants(SMALL.dopants)
    assert lab.status.kind == "ok"


def test_bad_quench_shows_a_message_and_keeps_the_result(lab):
    good = lab.result
    name, bad = _quench_field(SMALL)
    lab._extra[name].value = bad
    assert lab.status.kind == "error"
    assert name in lab.status.message and "°C" in lab.status.message
    assert lab.result is good
    lab._extra[name].value = getattr(SMALL, name)
    assert lab.status.kind == "ok" and lab.result.params == SMALL


def test_seed_control_recomputes(lab):
    lab.seed_control.value = 7
    assert lab.seed == 7 and lab.result.seed == 7
    lab.seed = 1
    assert lab.seed_control.value == 1 and lab.result.seed == 1


def test_run_recomputes_synchronously(lab):
    before = lab.result
    assert lab.run() is lab.result
    assert lab.result is not before
    np.testing.assert_array_equal(lab.result.core_diameters_nm, before.core_diameters_nm)


def test_structure_rebuilt_only_when_geometry_changes(lab):
    lab.params = SMALL
    atoms, view = lab.structure.atoms, lab._view
    # A small change of the drawn geometry keeps the (costly) 3D model ...
    nearby = dataclasses.replace(view, shown_edge_nm=view.shown_edge_nm + 0.5,
                                 diameter_nm=view.diameter_nm + 0.2)
    assert nearby.close_to(view)
    lab._show_structure(lab.result)
    assert lab.structure.atoms is atoms
    # ... a new halide, core phase or number of cores does not.
    for change in ({"halide": "Cl"}, {"core": "alpha-NaYF4"}, {"n_cores": view.n_cores + 1}):
        assert not dataclasses.replace(view, **change).close_to(view)
    lab.params = dataclasses.replace(SMALL, halide="Cl")
    assert lab.structure.atoms is not atoms
    lab.params = SMALL


def test_parse_dopants():
    assert parse_dopants("") == ()
    assert parse_dopants(" Yb 0.30 , Tm 0.01 ,") == (("Yb", 0.3), ("Tm", 0.01))
    assert parse_dopants("Yb=0.2;Er:2%") == (("Yb", 0.2), ("Er", 0.02))
    assert parse_dopants(format_dopants((("Yb", 0.3), ("Tm", 1e-3)))) == (("Yb", 0.3),
                                                                           ("Tm", 0.001))
    with pytest.raises(ValueError, match=r"^dopants: cannot read 'Yb'"):
        parse_dopants("Yb")
    with pytest.raises(ValueError, match="dopants: Yb is given twice"):
        parse_dopants("Yb 0.1, Yb 0.2")


def test_coating_map_wait_fills_lab_and_heat_map():
    lab = GrowthLab(SMALL)
    m = lab.run_coating_map(MAP_D_NM, MAP_T_C, wait=True)
    assert isinstance(m, CoatingMap) and lab.coating is m
    assert m.complete and m.coated_fraction.shape == (2, 2)
    assert np.all(np.isfinite(m.coated_fraction))
    # Small cores coat better than large ones (SCIENCE §4).
    assert m.coated_fraction[0].mean() >= m.coated_fraction[1].mean()
    color = lab._heat.color
    assert color.shape == (2, 2)  # rows: temperatures, columns: diameters
    np.testing.assert_allclose(color, m.coated_fraction.T)
    assert lab._heat.column.tolist() == [2.5, 5.5, 8.5]
    assert lab._heat.row.tolist() == [205.0, 215.0, 225.0]
    assert "lnhet-coating-done" in lab.map_box._dom_classes
    assert lab.map_label.value.startswith("Coating map: 4/4 cells")
    assert lab.map_progress.value == 4 == lab.map_progress.max
    assert lab.tabs.selected_index == 1
    assert not lab.run_button.disabled and lab.stop_button.disabled


def test_coating_map_uses_fewer_cores_per_cell():
    lab = GrowthLab(GrowthParams(simulated_cores=300))
    lab.map_cores.value = 50
    seen = []
    lab.observe(lambda c: seen.append(c.new), names="coating")
    lab.run_coating_map([4.0], [220.0], wait=True)
    assert len(seen) == 1 and lab.coating.complete


def test_stop_gives_a_partial_map():
    lab = GrowthLab(SMALL)
    d = np.arange(3.0, 9.0, 0.25)
    t = np.arange(190.0, 251.0, 2.0)
    lab.run_coating_map(d, t)  # 744 cells, far more than finish before the stop
    lab.stop_coating_map()
    lab._map_thread.join(timeout=60)
    m = lab.coating
    assert m is not None and not m.complete
    assert 0 <= m.completed.sum() < m.completed.size
    assert np.all(np.isnan(m.coated_fraction[~m.completed]))
    assert "lnhet-coating-done" in lab.map_box._dom_classes
    assert "(stopped)" in lab.map_label.value
    assert lab.map_label.value.startswith(f"Coating map: {m.completed.sum()}/{m.completed.size}")
    # Cells not computed are drawn grey (NOT_COMPUTED), not NaN (bqplot paints NaN black).
    assert (lab._heat.color == NOT_COMPUTED).sum() == (~m.completed).sum()


def test_coating_map_rejects_bad_grids_and_a_second_run():
    lab = GrowthLab(SMALL)
    with pytest.raises(ValueError, match="core_diameter_nm"):
        lab.run_coating_map([0.2], [220.0])
    with pytest.raises(ValueError, match="temperatures_c"):
        lab.run_coating_map([4.0], [])
    lab.run_coating_map(np.arange(3.0, 9.0, 0.25), np.arange(190.0, 251.0, 2.0))
    try:
        with pytest.raises(RuntimeError, match="already running"):
            lab.run_coating_map([4.0], [220.0])
    finally:
        lab.stop_coating_map()
        lab._map_thread.join(timeout=60)


def test_run_button_starts_a_map_and_stop_is_harmless_when_idle():
    lab = GrowthLab(SMALL)
    lab.stop_coating_map()  # nothing running: no error
    lab.map_diameters.value = (4.0, 5.0)
    lab.map_temperatures.value = (215.0, 220.0)
    lab.run_button.click()
    lab._map_thread.join(timeout=60)
    assert lab.coating.coated_fraction.shape == (3, 2)  # 0.5 nm × 5 °C steps


# --- misfit relaxation (SCIENCE §4a) --------------------------------------------------------


def test_relaxation_constants_are_controls_and_the_summary_shows_r(lab):
    lab.params = SMALL
    for name in ("relaxation_energy_kj_mol", "relaxation_attempts"):
        assert lab._extra[name].value == getattr(SMALL, name)
    assert "Misfit relaxation" in lab.advanced.titles[1]
    assert f"{lab.result.relaxation_fraction:.2f}" in lab.summary.value
    assert f"{100 * lab.result.relaxed_misfit:.2f} %" in lab.summary.value
    lab._extra["relaxation_attempts"].value = 0.0  # relaxation off: the misfit at the cap
    assert lab.result.params.relaxation_attempts == 0.0
    assert lab.result.relaxed_misfit == pytest.approx(0.10)
    lab.params = SMALL
    assert lab._extra["relaxation_attempts"].value == SMALL.relaxation_attempts


@pytest.mark.parametrize("name, bad, words", [
    ("relaxation_energy_kj_mol", -10.0, ("relaxation_energy_kj_mol", "kJ/mol", "[0, 500]")),
    ("relaxation_attempts", -1.0, ("relaxation_attempts", "[0, 1e+15]")),
])
def test_bad_relaxation_constants_show_a_message_and_keep_the_result(lab, name, bad, words):
    lab.params = SMALL
    good = lab.result
    lab._extra[name].value = bad
    assert lab.status.kind == "error"
    assert all(word in lab.status.message for word in words)
    assert lab.result is good and lab.params == SMALL
    lab._extra[name].value = getattr(SMALL, name)
    assert lab.status.kind == "ok" and lab.result.params == SMALL


def test_coating_map_shows_the_boundary_tilting_with_temperature():
    lab = GrowthLab(SMALL)
    _, t = lab._map_grid()
    assert t.min() <= 200.0 and t.max() >= 240.0  # the default map spans 200–240 °C
    m = lab.run_coating_map([6.5, 8.5], [210.0, 220.0, 230.0], wait=True)
    # Hotter reactions coat larger cores (the relaxation); colder ones fewer.
    assert m.coated_fraction[0, 0] < m.coated_fraction[0, 1]
    assert m.coated_fraction[1, 1] < m.coated_fraction[1, 2]


# --- executor and confirmation of long maps (issue 20) --------------------------------------


class _CountingPool(ThreadPoolExecutor):
    """A thread pool that counts what it is given."""

    def __init__(self):
        super().__init__(max_workers=2, thread_name_prefix="test-lab-pool")
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_coating_map_runs_on_the_executor_the_user_sets():
    lab = GrowthLab(SMALL)
    assert lab.executor is None
    with _CountingPool() as pool:
        lab.executor = pool
        m = lab.run_coating_map(MAP_D_NM, MAP_T_C, wait=True)
        assert pool.submitted >= 1
        assert lab._map_workers() == 2
    assert m.complete
    np.testing.assert_array_equal(  # same seed, same cells, wherever they ran
        m.coated_fraction, GrowthLab(SMALL).run_coating_map(MAP_D_NM, MAP_T_C,
                                                            wait=True).coated_fraction)
    with pytest.raises(TypeError, match="executor"):
        lab.executor = "tcp://localhost:8786"


def test_a_long_map_asks_for_confirmation_and_runs_only_after_run_anyway():
    lab = GrowthLab(SMALL)
    lab.map_confirm_s = 1.0
    d = np.arange(3.0, 12.01, 0.25)  # 37 × 31 cells: far more than a second
    t = np.arange(190.0, 250.1, 2.0)
    assert lab.run_coating_map(d, t, confirm=True) is None
    assert lab._map_thread is None and lab.map_confirm.layout.display == "flex"
    text = lab.map_confirm_label.value
    assert "This map will take about" in text and "workers" in text and "1147 cells" in text
    assert lab.run_button.disabled
    lab.cancel_button.click()  # Cancel: nothing runs, the row goes away
    assert lab._map_thread is None and lab.map_confirm.layout.display == "none"
    assert not lab.run_button.disabled
    lab.run_coating_map(d, t, confirm=True)
    lab.run_anyway_button.click()
    try:
        assert lab._map_thread is not None and lab._map_thread.is_alive()
        assert lab.map_confirm.layout.display == "none"
        assert lab.map_progress.max == d.size * t.size
    finally:
        lab.stop_coating_map()
        lab._map_thread.join(timeout=60)
    assert lab.coating.coated_fraction.shape == (d.size, t.size)


def test_the_run_button_asks_only_for_long_maps():
    lab = GrowthLab(SMALL)
    lab.map_diameters.value = (4.0, 5.0)
    lab.map_temperatures.value = (215.0, 220.0)
    lab.run_button.click()  # 6 cells: starts at once
    lab._map_thread.join(timeout=60)
    assert lab.coating.complete and lab.map_confirm.layout.display == "none"
    lab.map_confirm_s = 0.0  # every map is "long" now
    lab.run_button.click()
    assert lab.map_confirm.layout.display == "flex" and not lab._map_thread.is_alive()
    lab.map_temperatures.value = (210.0, 220.0)  # a changed grid forgets the question
    assert lab.map_confirm.layout.display == "none" and not lab.run_button.disabled


def test_a_map_whose_time_cannot_be_estimated_runs_without_asking(monkeypatch):
    from lnhet_widgets.widgets.labs import growth_map

    def fails(*args, **kwargs):
        raise RuntimeError("the timed cell failed")

    monkeypatch.setattr(growth_map, "estimate_seconds", fails)
    lab = GrowthLab(SMALL)
    lab.map_confirm_s = 0.0
    m = lab.run_coating_map(MAP_D_NM, MAP_T_C, wait=True, confirm=True)
    assert m is not None and m.complete and lab.map_confirm.layout.display == "none"


def test_the_3d_model_is_drawn_at_most_at_its_cap_which_can_be_raised():
    lab = GrowthLab(GrowthParams(core_diameter_nm=8.0, simulated_cores=200))
    g = lab._view
    assert g.edge_nm > 12.0 and g.shown_edge_nm == lab.view_edge_cap_nm == 12.0
    assert "drawn at 12 nm" in lab.structure_caption.value
    drawn = lab.structure.n_drawn
    lab.view_edge_cap_nm = 40.0  # the whole particle
    assert lab._view.shown_edge_nm == pytest.approx(g.edge_nm)
    assert lab.structure.n_drawn > 2 * drawn and "drawn at" not in lab.structure_caption.value
    with pytest.raises(ValueError, match=r"view_edge_cap_nm .* nm"):
        lab.view_edge_cap_nm = 2.0
    assert lab.view_edge_cap_nm == 40.0
