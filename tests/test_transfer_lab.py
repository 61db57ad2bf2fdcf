"""TransferLab without a browser: controls, recomputation, views, errors in the lab.

Outside an IPython kernel the Throttle calls at once, so a control change recomputes before
the assignment returns. Most tests use bare LnNPs (a steady state takes milliseconds); a
heterostructure pays the perovskite's confinement eigenproblem (~0.5 s) once per geometry,
so the tests use only three (β-LnNP@, α-LnNP@ and the free nanocrystal of the mixture).
"""

import dataclasses
import time

import numpy as np
import pytest
import traitlets

from lnhet_widgets.core.conditions import P1_UC_POWER_W_CM2
from lnhet_widgets.core.optics import (
    LINES,
    P1_SAMPLES,
    TransferParams,
    bleach_kinetics,
    steady_state,
)
from lnhet_widgets.widgets import TransferLab
from lnhet_widgets.widgets.labs.transfer_diagram import steady_state_fluxes
from lnhet_widgets.widgets.labs.transfer_samples import MIXTURE, SAMPLES, _bleach_sample
from lnhet_widgets.widgets.labs.transfer_views import NIR_NM, VISIBLE_NM

BARE = "bare LnNPs"
BETA = "β-LnNP@CsPbBr3"
ALPHA = "α-LnNP@CsPbBr3"


@pytest.fixture(scope="module")
def hetero():
    return TransferLab()


@pytest.fixture()
def bare():
    return TransferLab(sample=BARE)


def _level(lab, species, name):
    return [lv[:2] for lv in lab.diagram.levels].index((species, name))


def test_lab_starts_with_a_result(hetero):
    lab = hetero
    assert lab.sample == BETA == lab.sample_control.value
    assert lab.params.perovskite_edge_nm == SAMPLES[BETA]["perovskite_edge_nm"]
    assert lab.params.core_diameter_nm == 7.1 and lab.params.host == "beta-NaGdF4"
    assert lab.excitation_nm == 980.0 and lab.power_w_cm2 == P1_UC_POWER_W_CM2  # P1 Fig. 2f,g
    assert lab.result.lines[646.0] > 0
    assert lab.status.kind == "ok" and "steady state" in lab.status.message
    assert lab.panel.controls["yb_fraction"].value == lab.params.yb_fraction
    assert lab.panel.controls["interface_transfer_nm3_s"].value == pytest.approx(
        lab.params.interface_transfer_nm3_s)
    # Spectrum panels: visible and NIR, in place.
    assert lab._visible_line.x.tolist() == VISIBLE_NM.tolist()
    assert lab._nir_line.x.tolist() == NIR_NM.tolist()
    assert lab._nir_line.y.max() > 0  # the Yb 980 nm line
    assert [lv[0] for lv in lab.diagram.levels].count("Tm") == 8
    assert lab.perovskite_result is None


def test_only_the_selected_tab_holds_its_page_and_views_are_lazy(hetero):
    lab = hetero
    lab.tabs.selected_index = 0
    assert lab.tabs.children[0].children == (lab.spectrum_page,)
    assert all(slot.children == () for slot in lab.tabs.children[1:])
    lab.power_control.value = 20.0
    assert lab._stale["decay"] and lab._stale["sweep"]  # not computed while hidden
    lab.tabs.selected_index = 1
    assert lab.tabs.children[1].children == (lab.decay_page,)
    assert not lab._stale["decay"] and lab._decay_mark.y.size > 0
    assert "τ_avg" in lab.decay_info.value
    lab.tabs.selected_index = 0
    lab.power_control.value = 10.0


@pytest.mark.parametrize("name, value", [
    ("yb_fraction", 0.4),
    ("tm_fraction", 0.005),
    ("core_diameter_nm", 9.2),
    ("surface_quenching_nm3_s", 2e4),
    ("vacancy_fraction", None),  # not offered: the panel holds only the lesson's fields
])
def test_composition_and_rate_controls_change_the_result(bare, name, value):
    if value is None:
        assert name not in bare.panel.controls
        return
    before = bare.result
    bare.panel.controls[name].value = value
    assert bare.status.kind == "ok", bare.status.message
    assert getattr(bare.params, name) == pytest.approx(value)
    assert bare.result is not before
    assert not np.allclose(bare.result.intensities, before.intensities)


@pytest.mark.parametrize("name, value", [
    ("interface_transfer_nm3_s", 1e5),
    ("lret_volume_nm3", 5e3),
    ("defect_to_yb_rate_s", 1e10),
    ("interface_defects_nm2", 0.1),
    ("exciton_lifetime_ns", 20.0),
    ("contact_factor", 0.5),
])
def test_heterostructure_rates_change_the_result(hetero, name, value):
    start = hetero.params
    before = hetero.result
    excitation = 365.0 if name in ("exciton_lifetime_ns", "defect_to_yb_rate_s") else 980.0
    hetero.excitation_nm = excitation
    before = hetero.result
    hetero.panel.controls[name].value = value
    assert getattr(hetero.params, name) == pytest.approx(value, rel=1e-6)
    assert not np.allclose(hetero.result.intensities, before.intensities, rtol=1e-6)
    hetero.params = start
    hetero.excitation_nm = 980.0


def test_excitation_power_and_sample_controls(bare):
    lab = bare
    before = lab.result
    lab.power_control.value = 100.0
    assert lab.power_w_cm2 == 100.0 and float(lab.result.power_w_cm2[0]) == 100.0
    assert lab.result.lines[646.0] > before.lines[646.0]
    lab.excitation_control.value = 365.0  # bare LnNPs do not absorb in the UV
    assert lab.excitation_nm == 365.0
    assert lab.result.lines[980.0] == pytest.approx(0.0, abs=1e-12)
    lab.sample_control.value = ALPHA  # a heterostructure: the perovskite feeds Yb
    assert lab.params.host == "alpha-NaYF4" and lab.params.perovskite_edge_nm == 14.3
    assert lab.result.lines[980.0] > 0
    lab.sample_control.value = BARE
    assert not lab.params.has_perovskite and lab.params.host == "alpha-NaYF4"


def test_physical_mixture_uses_the_mixture_spectrum_and_absorbance(bare):
    lab = bare
    lab.sample_control.value = MIXTURE
    assert lab.params.contact_factor == 0.0 and not lab.params.has_perovskite
    assert lab.perovskite_result is not None
    assert not lab.absorbance_control.disabled
    blue = np.argmin(abs(VISIBLE_NM - 475.0))
    lab.absorbance_control.value = 0.0
    clear = lab._visible_line.y[blue]
    lab.absorbance_control.value = 2.0  # the perovskite reabsorbs the blue lines
    assert lab._visible_line.y[blue] < 0.5 * clear
    assert lab.spectrum[blue] == lab._visible_line.y[blue]
    lab.sample_control.value = BARE
    assert lab.perovskite_result is None and lab.absorbance_control.disabled


def test_spectrum_marks_update_in_place_and_normalise(bare):
    lab = bare
    mark, y0 = lab._visible_line, lab._visible_line.y.copy()
    lab.power_control.value = 1000.0
    assert lab._visible_line is mark and not np.allclose(mark.y, y0)
    lab.normalise_control.value = True
    assert np.interp(646.0, mark.x, mark.y) == pytest.approx(1.0)
    assert "646" in lab.visible_fig.axes[1].label
    lab.power_control.value = 10.0  # stays normalised after a recompute
    assert np.interp(646.0, mark.x, mark.y) == pytest.approx(1.0)
    lab.excitation_control.value = 365.0  # nothing at 646 nm: said so, absolute shown
    assert "No 646 nm emission" in lab.spectrum_info.value
    lab.normalise_control.value = False
    assert lab.spectrum_info.value == ""


def test_bad_input_shows_a_message_and_keeps_the_result():
    lab = TransferLab(sample=ALPHA)
    good, params = lab.result, lab.params
    lab.panel.controls["core_diameter_nm"].value = 20.0  # larger than the 14.3 nm cube
    assert lab.status.kind == "error" and "perovskite_edge_nm" in lab.status.message
    assert lab.result is good and lab.params == params
    assert lab._visible_line.y.size > 0  # the last good spectrum stays on screen
    lab.panel.controls["core_diameter_nm"].value = 7.2
    assert lab.status.kind == "ok" and lab.params == params
    lab.power_w_cm2 = -1.0  # from code: the lab says what is wrong
    assert lab.status.kind == "error" and "power_w_cm2" in lab.status.message
    assert lab.result is not None and float(lab.result.power_w_cm2[0]) == P1_UC_POWER_W_CM2
    with pytest.raises(traitlets.TraitError, match="excitation_nm"):
        lab.excitation_nm = 500.0


def test_setting_params_and_sample_from_code(bare):
    lab = bare
    lab.params = dataclasses.replace(lab.params, perovskite_edge_nm=16.7, core_diameter_nm=7.1)
    assert lab.sample == BETA == lab.sample_control.value
    assert lab.panel.controls["core_diameter_nm"].value == 7.1
    lab.params = dataclasses.replace(lab.params, contact_factor=0.5)  # not a P1 sample
    assert lab.sample == "custom heterostructure"
    lab.sample = BARE
    assert not lab.params.has_perovskite and lab.result.lines[646.0] > 0


def test_level_diagram_rates_follow_the_steady_state(bare):
    lab = bare
    d = lab.diagram
    absorption = next(i for i, (a, b, kind, _) in enumerate(d.transitions)
                      if kind == "absorption" and d.levels[a][:2] == ("Yb", "2F7/2"))
    n_before, rate_before = len(d.transitions), d.rates[absorption]
    lab.power_control.value = 100.0
    assert len(d.transitions) == n_before  # widths change in place
    assert d.rates[absorption] == pytest.approx(100.0 / P1_UC_POWER_W_CM2 * rate_before,
                                                rel=0.05)
    key = (("Yb", "2F7/2"), ("Yb", "2F5/2"), "absorption")
    assert d.rates[absorption] == pytest.approx(lab.fluxes[key])
    kinds = {kind for *_, kind, rate in d.transitions if rate > 0}
    assert {"absorption", "emission", "etu", "cross_relaxation"} <= kinds


def test_heterostructure_diagram_shows_the_perovskite_channels(hetero):
    hetero.excitation_nm = 365.0
    d = hetero.diagram
    kinds = {kind for *_, kind, rate in d.transitions if rate > 0}
    assert {"absorption", "trapping", "defect_transfer"} <= kinds
    hetero.excitation_nm = 980.0
    kinds = {kind for *_, kind, rate in d.transitions if rate > 0}
    assert "lret" in kinds


def test_fluxes_balance_at_steady_state():
    p = TransferParams(core_diameter_nm=7.1, perovskite_edge_nm=16.7)
    r = steady_state(p, excitation_nm=980, power_w_cm2=100.0)
    f = steady_state_fluxes(p, r)
    yb = ("Yb", "2F5/2")
    gain = sum(v for (a, b, _), v in f.items() if b == yb and a != yb)
    loss = sum(v for (a, b, _), v in f.items() if a == yb and b != yb)
    assert gain == pytest.approx(loss, rel=1e-6)
    assert all(v >= 0 for v in f.values())


def test_selecting_a_level_selects_its_decay_line(bare):
    lab = bare
    lab.diagram.selected_level = _level(lab, "Tm", "1G4")
    assert lab.decay_line.value == 475.0
    lab.decay_line.value = 646.0
    lab.diagram.selected_level = _level(lab, "Tm", "1G4")  # already a 1G4 line: kept
    assert lab.decay_line.value == 646.0
    lab.diagram.selected_level = _level(lab, "Tm", "3H4")
    assert lab.decay_line.value == 800.0
    lab.diagram.selected_level = _level(lab, "Tm", "3F4")  # no line of its own
    assert lab.decay_line.value == 800.0
    lab.diagram.selected_level = _level(lab, "Yb", "2F5/2")
    assert lab.decay_line.value == 980.0


def test_decay_and_its_fit(bare):
    fit = bare.compute_decay(980.0)
    assert bare.decay_fit is fit and 20 < fit.tau_avg < 80  # µs; P1: 43 µs
    assert bare._fit_mark.y.size > 0 and bare._decay_mark.y.max() == pytest.approx(1.0)
    assert bare.compute_decay(475.0) is not None and bare.decay_line.value == 475.0
    with pytest.raises(ValueError, match="line_nm"):
        bare.compute_decay(500.0)
    bare.excitation_control.value = 365.0  # bare LnNPs: nothing emits
    assert bare.compute_decay(980.0) is None and "does not emit" in bare.decay_info.value


def test_power_dependence_slopes(bare):
    slopes = bare.compute_power_sweep()
    assert slopes[800.0] == pytest.approx(2.0, rel=0.1)
    assert slopes[475.0] == pytest.approx(3.0, rel=0.1)
    assert slopes[450.0] == pytest.approx(4.0, rel=0.1)
    assert np.isnan(slopes["band"])  # no perovskite
    assert "slope 2.0" in bare._power_marks[800.0].labels[0]
    assert bare._power_marks[980.0].x.size == 25
    assert "<table" in bare.slope_table.value


def test_a_steady_state_update_is_fast(bare):
    bare.power_control.value = 30.0  # warm
    times = []
    for power in (40.0, 50.0, 60.0):
        start = time.perf_counter()
        bare.power_control.value = power
        times.append(time.perf_counter() - start)
    # ≲ 50 ms on an idle machine; generous here, since tests share the CPU.
    assert min(times) < 0.25, times


def test_lines_are_offered_in_the_decay_view(bare):
    assert [v for _, v in bare.decay_line.options] == [nm for *_, nm in LINES]


# ---------------------------------------------------------------------------- the bleach tab
def test_bleach_is_computed_when_its_tab_opens_and_follows_the_particle(hetero):
    lab = hetero
    lab.tabs.selected_index = 0
    lab.power_control.value = 20.0
    assert lab._stale["bleach"]  # not computed while hidden
    lab.tabs.selected_index = 3
    assert lab.tabs.children[3].children == (lab.bleach_page,)
    assert not lab._stale["bleach"]
    direct = bleach_kinetics(P1_SAMPLES["beta"], fluence_uj_cm2=23.1)  # E2's β-LnNP@
    assert lab.bleach.tau_avg_ns == pytest.approx(direct.tau_avg_ns, rel=1e-9)
    shown = direct.t_ns <= lab._bleach_mark.scales["x"].max
    np.testing.assert_allclose(lab._bleach_mark.x, direct.t_ns[shown])
    np.testing.assert_allclose(lab._bleach_mark.y, direct.bleach[shown], atol=1e-12)
    assert lab.bleach_reference.params == P1_SAMPLES["pure"]
    np.testing.assert_allclose(lab._bleach_reference_mark.y, lab.bleach_reference.bleach[shown])
    assert lab.bleach.tau_avg_ns < lab.bleach_reference.tau_avg_ns  # Auger and the Yb channel
    assert f"{direct.tau_avg_ns:.2f} ns" in lab._bleach_mark.labels[0]  # the legend
    assert f"{lab.bleach_reference.tau_avg_ns:.2f} ns" in lab._bleach_reference_mark.labels[0]
    assert "τ_avg" in lab.bleach_info.value
    lab.tabs.selected_index = 0
    lab.power_control.value = 10.0


def test_bleach_follows_the_fluence_and_the_sample(bare):
    lab = bare
    lab.tabs.selected_index = 3
    assert lab.bleach is None and "no perovskite" in lab.bleach_info.value
    assert lab._bleach_mark.y.size == 0 and lab._bleach_reference_mark.y.size > 0
    lab.sample_control.value = MIXTURE  # the mixture's perovskite is the pure nanocrystals
    assert lab.bleach is lab.bleach_reference
    high = lab.bleach.tau_avg_ns
    lab.fluence_control.value = 6.1
    assert lab.bleach.fluence_uj_cm2 == pytest.approx(6.1)
    assert lab.bleach.tau_avg_ns != pytest.approx(high)
    lab.tabs.selected_index = 0


def test_bleach_sample_follows_the_particle():
    alpha = dataclasses.replace(TransferParams(), **SAMPLES[ALPHA])
    beta = dataclasses.replace(TransferParams(), **SAMPLES[BETA])
    for p, name, key in ((alpha, ALPHA, "alpha"), (beta, BETA, "beta")):
        shown = bleach_kinetics(_bleach_sample(p, name), fluence_uj_cm2=23.1)
        assert shown.tau_avg_ns == pytest.approx(
            bleach_kinetics(P1_SAMPLES[key], fluence_uj_cm2=23.1).tau_avg_ns, rel=1e-9)
    assert _bleach_sample(beta, MIXTURE) == P1_SAMPLES["pure"]
    assert _bleach_sample(dataclasses.replace(beta, **SAMPLES[BARE]), BARE) is None
    bigger = _bleach_sample(dataclasses.replace(beta, core_diameter_nm=9.0), BETA)
    assert (bigger.edge_nm, bigger.core_diameter_nm) == (16.7, 9.0)
    assert bigger.ln_transfer_rate_ns > P1_SAMPLES["beta"].ln_transfer_rate_ns  # more interface
    # No Yb, or no contact: the same traps, no lanthanide channel.
    for changes in ({"yb_fraction": 0.0}, {"contact_factor": 0.0}):
        other = _bleach_sample(dataclasses.replace(beta, **changes), BETA)
        assert other.ln_transfer_rate_ns == 0.0
        assert other.traps_per_nc == P1_SAMPLES["beta"].traps_per_nc


def test_bad_fluence_names_the_field_and_keeps_the_last_bleach(bare):
    lab = bare
    lab.sample_control.value = MIXTURE
    good = lab.compute_bleach(23.1)
    with pytest.raises(ValueError, match=r"fluence_uj_cm2 = 500.0 µJ/cm² .* \[1, 100\]"):
        lab.compute_bleach(500.0)
    assert lab.bleach is good and lab.fluence_control.value == pytest.approx(23.1)
    lab._safely(lambda: lab.compute_bleach(pump_nm=532.0))
    assert lab.status.kind == "error" and "pump_nm" in lab.status.message
    assert lab.bleach is good and lab._bleach_mark.y.size > 0
    lab.tabs.selected_index = 3
    lab.fluence_control.value = 12.2  # the tab computes again: its error is gone
    assert lab.status.kind == "ok" and lab.bleach.fluence_uj_cm2 == pytest.approx(12.2)
    lab.panel.controls["yb_fraction"].value = 1.0  # with Tm: more than every RE site
    lab.fluence_control.value = 6.1
    assert lab.status.kind == "error" and "yb_fraction" in lab.status.message  # still wrong
    assert lab.bleach.fluence_uj_cm2 == pytest.approx(6.1)
    lab.tabs.selected_index = 0
