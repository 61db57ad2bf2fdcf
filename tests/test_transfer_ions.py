"""TransferLab's "Ions" tab: the per-ion model of the lab's particle beside the average model
(lnhet_widgets.widgets.labs.transfer_ions, parts.ion_view)."""

import json

import numpy as np
import pytest

from lnhet_widgets.core.ions import IonLattice, solve_ions
from lnhet_widgets.widgets.labs import TransferLab
from lnhet_widgets.widgets.parts.ion_view import IonView, colour_steps

IONS_TAB = 5


@pytest.fixture(scope="module")
def lab():
    lab = TransferLab(sample="bare LnNPs")
    lab.tabs.selected_index = IONS_TAB  # opening the tab computes it
    return lab


def test_opening_the_tab_solves_the_labs_particle_ion_by_ion(lab):
    r = lab.ions
    assert r is not None and not lab._stale["ions"]
    direct = solve_ions(lab.params, IonLattice.from_params(lab.params, seed=0),
                        excitation_nm=lab.excitation_nm, power_w_cm2=lab.power_w_cm2)
    assert np.allclose(r.state, direct.state, rtol=1e-9, atol=1e-15)
    assert lab.ion_view.n_drawn == r.lattice.size
    ion_lines = [nm for nm, label in r.line_labels.items() if label.split()[0] != "CsPbX3"]
    assert sorted(nm for _label, nm in lab.ion_line_control.options) == sorted(ion_lines)
    assert lab.ion_line_control.value == 800.0  # Tm's strongest line, kept over new options


def test_the_profile_and_the_table_show_the_chosen_line_of_both_models(lab):
    lab.ion_line_control.value = 800.0
    centres, per_ion, _share = lab.ions.radial_profile(800.0, bins=8)
    shown = np.isfinite(per_ion) & (per_ion > 0)
    assert np.allclose(lab._ion_profile_mark.x, centres[shown])
    assert np.allclose(lab._ion_profile_mark.y, per_ion[shown])
    n_tm = lab.ions.lattice.count("Tm")
    assert np.allclose(lab._ion_average_mark.y, lab.result.lines[800.0] / n_tm)
    table = lab.ion_table.value
    assert table.count("<tr") == 1 + len(lab.ions.line_labels)
    assert "<tr style='font-weight:bold'><td>800 nm</td>" in table


def test_a_new_seed_draws_another_particle_and_a_bad_one_keeps_the_last(lab):
    first = lab.ions
    lab.ion_seed_control.value = 7
    assert lab.ions is not first
    assert not np.array_equal(lab.ions.lattice.positions_nm, first.lattice.positions_nm)
    shown = lab.ions
    with pytest.raises(ValueError, match="seed = -1 must be a whole number in 0–9999"):
        lab.compute_ions(seed=-1)
    assert lab.ions is shown


def test_a_heterostructure_offers_the_ions_lines_and_tabulates_the_perovskite_band():
    lab = TransferLab()  # β-LnNP@CsPbBr3
    lab.excitation_nm = 365.0
    lab.tabs.selected_index = IONS_TAB
    band = [nm for nm, label in lab.ions.line_labels.items() if label == "CsPbX3 band"]
    assert len(band) == 1
    assert band[0] not in [nm for _label, nm in lab.ion_line_control.options]
    assert f"<td>{band[0]:.0f} nm</td><td>CsPbX3 band</td>" in lab.ion_table.value
    assert lab.status.kind != "error", lab.status.message


def test_a_control_change_recomputes_the_open_tab(lab):
    before = lab.ions
    lab.power_w_cm2 = 20.0
    assert lab.ions is not before
    assert float(lab.ions.power_w_cm2[0]) == 20.0


def test_colour_steps_span_three_decades_to_the_brightest_ion():
    steps = colour_steps(np.array([0.0, 1e-4, 1e-3, 1.0, 0.5]))
    assert steps.tolist() == [0.0, 0.0, 0.0, 99.0, 89.0]


def test_the_ion_view_refuses_mismatched_inputs():
    view = IonView()
    with pytest.raises(ValueError, match="one entry per ion"):
        view.show(np.zeros((2, 3)), ["Yb"], np.ones(2), coloured=np.ones(2, bool), label="x")
    with pytest.raises(ValueError, match=r"positions_nm must be \(n, 3\) positions in nm"):
        view.show(np.zeros((2, 2)), ["Yb", "Tm"], np.ones(2), coloured=np.ones(2, bool),
                  label="x")


def test_save_and_load_keep_the_doping_seed(lab):
    lab.ion_seed_control.value = 7  # the tab is open: the seed's particle is solved
    assert lab.ions.lattice is lab._lattice_for(7)
    text = lab.save()
    assert json.loads(text)["state"]["ion_seed"] == 7
    loaded = TransferLab.load(text)
    assert loaded.ion_seed_control.value == 7 and loaded._stale["ions"]
    loaded.tabs.selected_index = IONS_TAB
    np.testing.assert_array_equal(loaded.ions.lattice.positions_nm,
                                  lab.ions.lattice.positions_nm)
    old = json.loads(text)
    del old["state"]["ion_seed"]  # a file saved before the seed was kept: seed 0
    assert TransferLab.load(json.dumps(old)).ion_seed_control.value == 0
    old["state"]["ion_seed"] = 10_000
    with pytest.raises(ValueError, match="ion_seed = 10000 is outside the allowed range"):
        lab.restore(json.dumps(old))
    assert lab.ion_seed_control.value == 7
    lab.ion_seed_control.value = 0
