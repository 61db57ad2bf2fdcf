"""AnnealingLab without a browser: runs, Stop, errors in the lab, every view's data.

A 4 nm core with a 1 nm shell and 100 MC steps keeps a run (two anneals of 101 snapshots and
three optics) near 0.2 s. Outside an IPython kernel the Throttle calls at once, so a control
change is applied before the assignment returns; controls never anneal by themselves.
"""

import dataclasses
import json
import threading
import time

import numpy as np
import pytest

from lnhet_widgets.core.annealing import SPECIES, AnnealParams, AnnealResult
from lnhet_widgets.core.annealing.optics import IonOptics
from lnhet_widgets.core.conditions import P2_POWER_W_CM2
from lnhet_widgets.widgets import AnnealingLab
from lnhet_widgets.widgets.labs import annealing_lab as module
from lnhet_widgets.widgets.labs.annealing_lab import snapshot_steps
from lnhet_widgets.widgets.labs.annealing_runs import comparison_params
from lnhet_widgets.widgets.labs.annealing_views import snapshot_atoms

SMALL = AnnealParams(core_diameter_nm=4.0, shell_thickness_nm=1.0, complex="Y")
STEPS = 100


@pytest.fixture(scope="module")
def lab():
    return AnnealingLab(SMALL, steps=STEPS, seed=3)


@pytest.fixture()
def fresh():
    return AnnealingLab(SMALL, steps=STEPS, seed=3)


def test_snapshot_steps_hold_the_frames_and_p2_steps():
    s = snapshot_steps(1000)
    assert s.size == 101 and s[0] == 0 and s[-1] == 1000
    assert set(module.P2_STEPS) <= set(s.tolist())
    assert snapshot_steps(5000).size == 101 and 1000 in snapshot_steps(5000)
    assert snapshot_steps(0).tolist() == [0]
    assert snapshot_steps(150).size == 151  # one snapshot per step below 200 steps


def test_construction_computes_both_runs_and_the_optics(lab):
    r, c = lab.result, lab.comparison
    assert r.params == SMALL and r.seed == 3 and r.steps == STEPS
    assert c.params == comparison_params(SMALL) and c.params.complex is None
    np.testing.assert_array_equal(r.snapshot_steps, snapshot_steps(STEPS))
    np.testing.assert_array_equal(c.snapshot_steps, r.snapshot_steps)
    # Same seed: the same pristine particle on both sides.
    np.testing.assert_array_equal(r.species[0], c.species[0])
    assert r.vacancy_count[-1] < c.vacancy_count[-1]  # docking fills surface vacancies
    assert sorted(lab.optics) == ["docked", "pristine", "undocked"]
    assert lab.optics["pristine"].snapshot_step == 0
    assert lab.optics["docked"].snapshot_step == lab.optics["undocked"].snapshot_step == STEPS
    assert lab.status.kind == "ok" and "Annealed 100 MC steps" in lab.status.message
    assert lab.progress.value == lab.progress.max == 2 * STEPS
    assert lab.progress.bar_style == "success"
    assert "step 100 of 100" in lab.progress_label.value
    assert "min of annealing" in lab.progress_label.value
    assert not lab.running and not lab.run_button.disabled and lab.stop_button.disabled
    assert set(lab.timings) == {"anneal_s", "optics_s", "draw_s", "total_s"}


def test_the_complex_control_shows_none_as_a_choice():
    lab = AnnealingLab(dataclasses.replace(SMALL, complex=None), steps=20)
    assert lab.complex_control.value == "" and lab.complex_control.label == "none"
    assert [label for label, _ in module.COMPLEX_OPTIONS] == ["none", "Y³⁺–oleate",
                                                              "Gd³⁺–oleate"]
    # Without complexes the comparison is the same particle with Y complexes.
    assert lab.result.params.complex is None and lab.comparison.params.complex == "Y"
    docked = lab.optics["docked"]
    assert docked.snapshot_step == 20
    assert lab._decay_marks["docked"].labels[0].startswith("Y³⁺–oleate: τ")


def test_run_with_each_complex_pairs_it_with_its_counterpart(fresh):
    for kind, other in ((None, "Y"), ("Gd", None), ("Y", None)):
        fresh.complex_control.value = kind or ""
        assert fresh.params.complex == kind
        result = fresh.run()
        assert result is fresh.result and result.params.complex == kind
        assert fresh.comparison.params.complex == other
        assert fresh.comparison.params == dataclasses.replace(fresh.params, complex=other)


def test_controls_validate_but_do_not_anneal(fresh):
    before = fresh.result
    fresh.controls["temperature_c"].value = 320.0
    fresh.steps_control.value = 60
    assert fresh.params.temperature_c == 320.0 and fresh.steps == 60
    assert fresh.result is before  # Run anneals, not the controls
    assert fresh.status.kind == "info" and "press Run" in fresh.status.message
    fresh.run_button.click()  # applies the controls, anneals in a thread
    assert fresh.wait(30) is fresh.result is not before
    assert fresh.result.params.temperature_c == 320.0 and fresh.result.steps == 60
    assert fresh.status.kind == "ok" and not fresh.running


def test_run_async_moves_the_progress_bar_and_ends_in_success(fresh):
    thread = fresh.run_async()
    assert isinstance(thread, threading.Thread)
    with pytest.raises(RuntimeError, match="already running"):
        fresh.run_async()  # one run at a time (unless the first one is already done)
    fresh.wait(30)
    assert not fresh.running and fresh.progress.bar_style == "success"
    assert fresh.progress.value == fresh.progress.max


def _stop_at(lab, run_index, step):
    """Make the lab's progress callback press Stop when run ``run_index`` reaches ``step``."""
    original = lab._progress

    def progress(job, index, name, may_stop, done, total):
        if index == run_index and done >= step:
            lab.stop()
        return original(job, index, name, may_stop, done, total)

    lab._progress = progress


def test_stop_in_the_first_run_keeps_both_runs_at_the_step_reached(fresh):
    _stop_at(fresh, 0, 50)
    fresh.run()
    r, c = fresh.result, fresh.comparison
    # One snapshot per step below 200 steps, so the progress reports come every step.
    assert r.steps == c.steps == 50
    assert r.snapshot_steps[-1] == c.snapshot_steps[-1] == 50
    np.testing.assert_array_equal(r.snapshot_steps, np.arange(51))
    assert fresh.optics == {}
    assert fresh.status.kind == "info" and "Stopped at step 50 of 100" in fresh.status.message
    assert fresh.progress.bar_style == "warning"
    assert "No optics" in fresh.optics_info.value
    assert not any(m.visible for m in fresh._spectrum_marks.values())
    assert fresh.slice.n_frames == 51
    assert "<td>50</td>" in fresh.summary.value  # the last step gets its row


def test_stop_in_the_comparison_keeps_the_first_run_whole(fresh):
    _stop_at(fresh, 1, 30)
    fresh.run()
    assert fresh.result.steps == STEPS and fresh.comparison.steps == 30
    assert "comparison reached step 30" in fresh.status.message
    assert fresh.optics == {}
    # The comparison's profile is its last snapshot when the chosen one is later.
    assert "its last snapshot, step 30" in fresh.profile_caption.value


def test_stop_without_a_run_does_nothing(lab):
    lab.stop()
    assert not lab.running and lab.status.kind == "ok"


@pytest.mark.parametrize("control, value, field", [
    ("yb_fraction", 0.995, "yb_fraction + tm_fraction"),
    ("steps", 6000, "steps"),
    ("seed", -1, "seed"),
    ("shell", "alpha-NaYF4", "shell"),
])
def test_a_bad_value_shows_a_message_and_keeps_the_result(fresh, control, value, field):
    good, params = fresh.result, fresh.params
    widget = {"steps": fresh.steps_control, "seed": fresh.seed_control}.get(
        control, fresh.controls.get(control))
    widget.value = value
    assert fresh.status.kind == "error" and field in fresh.status.message
    assert fresh.params == params and fresh.result is good
    fresh.run_button.click()  # Run with a bad value: the message stays, nothing anneals
    assert not fresh.running and fresh.result is good
    assert fresh.status.kind == "error" and field in fresh.status.message
    assert widget.value == value  # what the user typed stays


def test_an_error_in_the_run_is_shown_and_the_last_result_stays(fresh, monkeypatch):
    good, optics = fresh.result, fresh.optics

    def broken(*_args, **_kwargs):
        raise ValueError("snapshot step = -1 MC steps is outside the allowed range")

    monkeypatch.setattr(module, "anneal", broken)
    with pytest.raises(ValueError, match="snapshot step"):
        fresh.run()
    assert fresh.result is good and fresh.optics is optics
    assert fresh.status.kind == "error" and "Anneal failed: snapshot step" in fresh.status.message
    assert fresh.progress.bar_style == "danger" and not fresh.running
    monkeypatch.undo()
    fresh.run()
    assert fresh.status.kind == "ok"


def test_the_cross_section_gets_every_frame(lab):
    r = lab.result
    assert lab.slice.n_frames == r.snapshot_steps.size == 101
    assert lab.slice.frame_labels[0] == "step 0 · 0 s"
    assert lab.slice.frame_labels[-1].startswith("step 100 · ")
    assert lab.slice.frame_index == 100  # a run ends on its last frame
    assert "with Y³⁺–oleate" in lab.slice.title
    assert list(lab.slice.species_colors) == list(module.SPECIES_COLORS.values())
    lab.slice.frame_index = 40
    lab.slice_run.value = "comparison"
    assert "without complexes" in lab.slice.title and lab.slice.frame_index == 40
    lab.slice_run.value = "chosen"
    # The summary: P2's steps 0 and 100 of both runs.
    assert lab.summary.value.count("<td>0</td>") >= 2
    assert "with Y³⁺–oleate (this run)" in lab.summary.value
    assert "without complexes (comparison)" in lab.summary.value


def test_profiles_and_histories_have_both_runs(lab):
    r, c = lab.result, lab.comparison
    lab.tabs.selected_index = 1
    assert lab.profile_snapshot.value == r.snapshot_steps.size - 1
    assert lab._profile_lines.y.shape[0] == len(SPECIES) and lab._profile_lines.y.shape[1] > 0
    assert lab._profile_compare.y.shape == lab._profile_lines.y.shape
    assert np.all((lab._profile_lines.y >= 0) & (lab._profile_lines.y <= 1))
    assert lab._core_line.x.tolist() == [2.0, 2.0]
    for marks, values in ((lab._vacancy_marks, "vacancy_count"),
                          (lab._yb_marks, "yb_fraction_in_shell")):
        for mark, run in zip(marks, (r, c), strict=True):
            np.testing.assert_array_equal(mark.x, run.snapshot_steps)
            np.testing.assert_allclose(mark.y, getattr(run, values))
    assert "with Y³⁺–oleate" in lab._vacancy_marks[0].labels[0]
    assert "without complexes" in lab._vacancy_marks[1].labels[0]
    lab.profile_snapshot.value = 0
    assert lab.profile_fig.title == "Radial profiles at step 0 · 0 s"
    assert lab._history_here.x.tolist() == [0.0, 0.0]
    np.testing.assert_allclose(lab._profile_lines.y, lab._profile_compare.y)  # same start
    lab.profile_snapshot.value = r.snapshot_steps.size - 1
    lab.tabs.selected_index = 0


def test_the_optics_tab_compares_three_particles(lab):
    optics = lab.optics
    lab.tabs.selected_index = 2
    for key in ("pristine", "docked", "undocked"):
        spectrum, decay = lab._spectrum_marks[key], lab._decay_marks[key]
        assert spectrum.x.size == module.SPECTRUM_NM.size and spectrum.y.max() > 0
        assert np.all(spectrum.y > 0)  # a log axis: the floor, never zero
        assert decay.y.size > 0 and decay.y.max() == pytest.approx(1.0)
        assert "τ " in decay.labels[0] and decay.labels[0].endswith(" ms")
    p, d = optics["pristine"].lines[450.0], optics["docked"].lines[450.0]
    assert f"×{d / p:.3g}" in lab.optics_info.value
    assert "lifetime" in lab.optics_info.value and "P2" in lab.optics_info.value
    # the lab opens at P2's conditions: 980 nm, 4 W cm⁻²
    assert {o.power_w_cm2 for o in optics.values()} == {P2_POWER_W_CM2}
    assert "at 4 W cm⁻²" in lab.optics_info.value
    lab.tabs.selected_index = 0


def test_the_3d_view_beside_the_slice_shows_the_last_snapshot(fresh):
    fresh.tabs.selected_index = 0
    assert fresh.tabs.children[0].children == (fresh.particle_page,)
    assert not fresh._stale_3d and fresh.structure.n_drawn > 0
    atoms = fresh.structure.atoms
    assert set(atoms.get_chemical_symbols()) <= {"X", "Gd", "Y", "Yb", "Tm"}
    assert np.all(atoms.positions[:, 2] >= 0)  # the half particle
    assert "with Y³⁺–oleate, step 100" in fresh.structure_caption.value
    fresh.view_mode.value = "vacancies"
    assert set(fresh.structure.atoms.get_chemical_symbols()) == {"X"}
    assert len(fresh.structure.atoms) == fresh.result.vacancy_count[-1]
    fresh.view_snapshot.value = 0
    assert len(fresh.structure.atoms) == fresh.result.vacancy_count[0]
    fresh.view_run.value = "comparison"
    assert len(fresh.structure.atoms) == fresh.comparison.vacancy_count[0]
    assert "without complexes, step 0" in fresh.structure_caption.value


def test_snapshot_atoms_carry_species_and_regions(lab):
    r = lab.result
    whole = snapshot_atoms(r, -1, show="whole")
    assert len(whole) == r.positions_nm.shape[0]
    names = whole.arrays["species"]
    assert (names == "vacancy").sum() == r.vacancy_count[-1]
    assert set(whole.arrays["region"]) == {"core", "shell"}
    np.testing.assert_allclose(whole.positions, 10 * r.positions_nm)
    with pytest.raises(ValueError, match="show must be one of"):
        snapshot_atoms(r, 0, show="front")


def test_only_the_selected_tab_holds_its_page(lab):
    lab.tabs.selected_index = 0
    assert lab.tabs.children[0].children == (lab.particle_page,)
    assert all(slot.children == () for slot in lab.tabs.children[1:])
    lab.tabs.selected_index = 1
    assert lab.tabs.children[1].children == (lab.profiles_page,)
    assert lab.tabs.children[0].children == ()
    lab.tabs.selected_index = 0


def test_setting_params_from_code_updates_the_controls(fresh):
    before = fresh.result
    new = dataclasses.replace(SMALL, complex="Gd", temperature_c=280.0, yb_fraction=0.3,
                              attempt_frequency_hz=2e13)
    fresh.params = new
    assert fresh.complex_control.value == "Gd"
    assert fresh.controls["temperature_c"].value == 280.0
    assert fresh.controls["yb_fraction"].value == 0.3
    assert fresh.controls["attempt_frequency_hz"].value == 2e13  # a text box, not a slider
    assert fresh.result is before and "press Run" in fresh.status.message
    fresh.steps, fresh.seed = 40, 9
    assert fresh.steps_control.value == 40 and fresh.seed_control.value == 9
    fresh.run()
    assert fresh.result.params == new and fresh.result.steps == 40 and fresh.result.seed == 9
    fresh.params = SMALL
    assert fresh.complex_control.value == "Y"
    assert fresh.controls["yb_fraction"].value == SMALL.yb_fraction


def test_csv_downloads_hold_both_runs(lab):
    value = lab.downloads.value
    assert value.count("data:text/csv;charset=utf-8;base64,") == 2
    assert "anneal_this_run_Y_oleate.csv" in value
    assert "anneal_comparison_no_complex.csv" in value


def test_bad_start_raises():
    with pytest.raises(TypeError, match="AnnealParams"):
        AnnealingLab({"core_diameter_nm": 4.0})
    with pytest.raises(ValueError, match="steps"):
        AnnealingLab(SMALL, steps=5001)


def test_bad_steps_set_from_code_show_when_run(fresh):
    good = fresh.result
    fresh.steps = 9999
    assert fresh.steps_control.value == 9999
    with pytest.raises(ValueError, match="steps = 9999"):
        fresh.run()
    assert fresh.status.kind == "error" and "steps = 9999" in fresh.status.message
    assert fresh.result is good and not fresh.running


def test_what_the_front_end_sends_back_for_an_untouched_slider_changes_nothing(fresh):
    # A slider's front end snaps its value to min + k·step and sends it back when drawn.
    tm = fresh.controls["migration_tm_ev"]
    k = (SMALL.migration_tm_ev - tm.min) / tm.step
    assert k == pytest.approx(round(k))  # the step was refined so that 1.657 eV is on it
    fresh.controls["interface_band_nm"].value = 0.1 + 7 * 0.1  # 0.7999999999999999
    assert fresh.params == SMALL and fresh.status.kind == "ok"
    assert "press Run" not in fresh.status.message
    # Off-grid values set from code get a finer step too.
    fresh.params = dataclasses.replace(SMALL, yb_fraction=0.4567)
    k = (0.4567 - fresh.controls["yb_fraction"].min) / fresh.controls["yb_fraction"].step
    assert k == pytest.approx(round(k))


# --- the Optics tab's per-ion model ----------------------------------------------------------

TINY = AnnealParams(core_diameter_nm=3.0, shell_thickness_nm=0.5, complex="Y")


def _fake_per_ion(monkeypatch, calls, gate=None, fail_on=None):
    """Replace the per-ion solvers by the average model's numbers (instant): records each
    call's (seed, step); waits for ``gate`` if given; raises for the snapshot ``fail_on``."""

    def optical_per_ion(self, snapshot=-1, **_kwargs):
        calls.append((self.seed, int(self.snapshot_steps[snapshot])))
        if gate is not None:
            assert gate.wait(30)
        if fail_on == (self.seed, int(self.snapshot_steps[snapshot])):
            raise ValueError("the per-ion solve failed here")
        o = self.optical(snapshot)
        return IonOptics(**{f.name: getattr(o, f.name) for f in dataclasses.fields(o)},
                         steady=None, pulse=None)

    monkeypatch.setattr(AnnealResult, "optical_per_ion", optical_per_ion)


def _until(condition, timeout_s=30.0):
    """Wait for the per-ion worker to reach ``condition()``."""
    end = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < end, "the per-ion worker did not get there"
        time.sleep(0.005)


def test_per_ion_optics_run_in_the_background_beside_the_average_model():
    lab = AnnealingLab(TINY, steps=20)
    assert lab.optics_model == "average" and lab.per_ion_info.value == ""
    assert "10–20 s" in lab.optics_model_control.tooltips[1]
    lab.optics_model_control.value = "per_ion"  # returns at once: the worker solves
    assert lab.optics_model == "per_ion"
    assert lab.status.kind == "busy" and "10–20 s" in lab.status.message
    per_ion = lab.wait_per_ion(120)
    assert sorted(per_ion) == ["docked", "pristine", "undocked"]
    assert lab.status.kind == "ok" and "Per-ion optics" in lab.status.message
    assert not lab.running and lab.stop_button.disabled and not lab.run_button.disabled
    docked = per_ion["docked"]
    assert docked.snapshot_step == 20 and docked.power_w_cm2 == P2_POWER_W_CM2
    assert docked.lines == lab.result.optical_per_ion(-1, decay=False).lines
    assert docked.steady.lattice.count("Tm") == len(lab.result.ion_sites(-1).tm_nm)
    table = lab.per_ion_info.value
    assert table.count("<tr>") == 5 and "…" not in table and "per ion" in table
    assert f"<td>{docked.tm_450_lifetime_ms:.3g}</td>" in table
    assert f"<td>{lab.optics['docked'].tm_450_lifetime_ms:.3g}</td>" in table
    # back to the average model and again: the cache answers, nothing is solved again
    lab.optics_model = "average"
    assert lab.per_ion_info.value == "" and lab.optics_model_control.value == "average"
    lab.optics_model = "per_ion"
    assert lab._ion_thread is None and lab.per_ion_optics["docked"] is docked
    assert "computed before" in lab.status.message
    lab.run()  # the same settings: the same particles, from the cache
    assert lab._ion_thread is None and lab.per_ion_optics["docked"] is docked
    with pytest.raises(ValueError, match="optics_model = 'ions' must be one of"):
        lab.optics_model = "ions"


def test_stop_ends_the_per_ion_optics_and_keeps_the_average(monkeypatch):
    calls, gate = [], threading.Event()
    _fake_per_ion(monkeypatch, calls, gate)
    lab = AnnealingLab(TINY, steps=20)
    lab.optics_model = "per_ion"
    _until(lambda: calls)  # the worker is in the first particle
    assert not lab.stop_button.disabled and "…" in lab.per_ion_info.value
    lab.stop_button.click()
    assert lab.stop_button.disabled and lab.status.kind == "info"
    assert "Per-ion optics stopped" in lab.status.message
    gate.set()  # the particle being solved finishes in the worker, and is kept
    assert lab.wait_per_ion(30) == {}
    assert len(calls) == 1 and len(lab._ion_cache) == 1
    assert "Per-ion optics stopped" in lab.per_ion_info.value
    assert "—" in lab.per_ion_info.value and "…" not in lab.per_ion_info.value
    assert lab.optics and "450 nm" in lab.optics_info.value


def test_a_newer_request_supersedes_the_per_ion_optics_of_the_last_run(monkeypatch):
    calls, gate = [], threading.Event()
    _fake_per_ion(monkeypatch, calls, gate)
    lab = AnnealingLab(TINY, steps=20)
    lab.optics_model = "per_ion"
    _until(lambda: calls)  # the worker waits in the first particle of seed 0
    lab.seed = 5
    lab.run()  # supersedes; the new run's particles are requested when it ends
    gate.set()
    per_ion = lab.wait_per_ion(30)
    # seed 0's first particle finished; its other two were never solved
    assert calls == [(0, 0), (5, 0), (5, 20), (5, 20)]
    assert {o.snapshot_step for o in per_ion.values()} == {0, 20}
    assert lab.status.kind == "ok" and "…" not in lab.per_ion_info.value


def test_a_per_ion_error_is_shown_and_the_last_good_result_stays(monkeypatch):
    calls = []
    _fake_per_ion(monkeypatch, calls, fail_on=(4, 20))
    lab = AnnealingLab(TINY, steps=20)
    lab.optics_model = "per_ion"
    good = lab.wait_per_ion(30)
    assert sorted(good) == ["docked", "pristine", "undocked"]
    lab.seed = 4
    lab.run()
    assert lab.wait_per_ion(30) is good  # the last complete per-ion optics stay
    assert lab.status.kind == "error"
    assert "Per-ion optics failed: the per-ion solve failed here" in lab.status.message
    assert "the per-ion solve failed here" in lab.per_ion_info.value
    assert lab.result.seed == 4 and lab.optics  # the average model's optics are there
    assert lab.progress.bar_style == "danger" and lab.stop_button.disabled


def test_save_and_load_keep_the_optics_model(monkeypatch):
    _fake_per_ion(monkeypatch, [])
    lab = AnnealingLab(TINY, steps=20)
    lab.optics_model = "per_ion"
    lab.wait_per_ion(30)
    text = lab.save()
    assert json.loads(text)["state"]["optics_model"] == "per_ion"
    loaded = AnnealingLab.load(text)
    assert loaded.optics_model == "per_ion" == loaded.optics_model_control.value
    assert sorted(loaded.wait_per_ion(30)) == ["docked", "pristine", "undocked"]
    old = json.loads(text)
    del old["state"]["optics_model"]  # a file saved before the per-ion model
    assert AnnealingLab.load(json.dumps(old)).optics_model == "average"
    old["state"]["optics_model"] = "ions"
    with pytest.raises(ValueError, match="optics_model = 'ions' must be one of"):
        lab.restore(json.dumps(old))
    assert lab.optics_model == "per_ion"
