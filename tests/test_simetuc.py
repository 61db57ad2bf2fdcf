"""Reading simetuc configuration files (lnhet_widgets.core.optics.simetuc)."""

import dataclasses
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.constants import c, h

from lnhet_widgets.core.optics import TransferParams, read_simetuc_config, steady_state
from lnhet_widgets.core.optics import transfer_params as transfer

YB_TM = Path(__file__).parent / "data" / "simetuc" / "config_file_Yb_Tm.cfg"


def read_quietly(source, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return read_simetuc_config(source, **kwargs)


def read_warned(source):
    """The parameters and the messages of every warning issued while reading."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        params = read_simetuc_config(source)
    assert all(issubclass(w.category, UserWarning) for w in record)
    return params, [str(w.message) for w in record]


def edited(old, new):
    """The Yb–Tm file's text with one edit (which must apply)."""
    text = YB_TM.read_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.fixture(scope="module")
def yb_tm():
    return read_quietly(YB_TM)


def test_yb_tm_file_gives_the_models_simetuc_defaults(yb_tm):
    defaults = TransferParams()
    assert yb_tm.tm_lifetimes_s == defaults.tm_lifetimes_s
    assert yb_tm.tm_branching == defaults.tm_branching
    assert ("1G4", "3F3", 0.02) in yb_tm.tm_branching
    assert yb_tm.yb_lifetime_s == defaults.yb_lifetime_s
    assert yb_tm.yb_degeneracy_ratio == pytest.approx(4 / 3, abs=1e-15)
    # our defaults add the ³F3 + ³H4 → ¹D2 + ³H6 cross-relaxation, which simetuc's file lacks
    ours = {et.name: et for et in defaults.energy_transfer if et.name != "CR_F3H4"}
    read = {et.name: et for et in yb_tm.energy_transfer}
    assert read == ours
    assert len(read) == 8


def test_concentrations_and_pump_are_mapped(yb_tm):
    assert (yb_tm.yb_fraction, yb_tm.tm_fraction) == (0.05, 0.005)
    sigma = 4.4e-3 * h * c / 980e-9
    assert yb_tm.yb_cross_section_cm2 == pytest.approx(sigma, rel=1e-12)
    assert yb_tm.yb_cross_section_cm2 == pytest.approx(8.92e-22, rel=1e-3)


def test_base_keeps_geometry_and_perovskite():
    base = TransferParams(core_diameter_nm=9.2, perovskite_edge_nm=12.0, tm_classes=2)
    params = read_quietly(YB_TM, base=base)
    assert params == dataclasses.replace(
        base, yb_fraction=0.05, tm_fraction=0.005, tm_lifetimes_s=params.tm_lifetimes_s,
        tm_branching=params.tm_branching, energy_transfer=params.energy_transfer,
        yb_cross_section_cm2=params.yb_cross_section_cm2,
        yb_degeneracy_ratio=params.yb_degeneracy_ratio,
        yb_migration_a6_s=4.199e7)  # the file's EM, not the per-ion model's calibrated one


def test_3p0_and_unmodelled_processes_are_dropped_with_warnings():
    params, messages = read_warned(YB_TM)
    levels = next(m for m in messages if "3P0" in m)
    assert "activator_decay: 3P0" in levels and "3P0->1I6" in levels
    skipped = next(m for m in messages if "skipped" in m)
    for name in ("EM", "ETU4", "coop1", "coop2"):
        assert name in skipped
    names = {et.name for et in params.energy_transfer}
    assert names.isdisjoint({"EM", "ETU4", "coop1", "coop2"})
    assert all("3P0" not in str(entry) for entry in params.tm_branching + params.tm_lifetimes_s)


def test_process_involving_a_dropped_level_is_named():
    text = edited("    BackET:", "    UP3P0:\n        process: Tm(1I6) + Tm(3H6) -> Tm(3P0) + "
                  "Tm(3H6)\n        multipolarity: 6\n        strength: 1e6\n    BackET:")
    params, messages = read_warned(text)
    assert any(re.search(r"3P0.*energy_transfer: UP3P0", m) for m in messages)
    assert "UP3P0" not in {et.name for et in params.energy_transfer}


def test_strength_avg_is_honoured():
    text = edited("        strength:  7.377e+07", "        strength:  7.377e+07\n"
                  "        strength_avg: 1.5e3")
    etu1 = next(et for et in read_quietly(text).energy_transfer if et.name == "ETU1")
    assert (etu1.strength_a6_s, etu1.strength_avg_s) == (7.377e7, 1.5e3)
    others = [et for et in read_quietly(text).energy_transfer if et.name != "ETU1"]
    assert all(et.strength_avg_s is None for et in others)


def test_strength_avg_changes_the_steady_state():
    slow = edited("        strength:  7.377e+07", "        strength:  7.377e+07\n"
                  "        strength_avg: 1.0")
    mean_field = steady_state(read_quietly(YB_TM), excitation_nm=980, power_w_cm2=100.0)
    average = steady_state(read_quietly(slow), excitation_nm=980, power_w_cm2=100.0)
    # ETU1 is the first Yb → Tm step: a 1 s⁻¹ coefficient all but starves Tm
    assert average.populations["Tm"][0] > mean_field.populations["Tm"][0]
    assert average.lines[800.0] < 0.1 * mean_field.lines[800.0]


def test_result_runs_through_steady_state(yb_tm):
    result = steady_state(yb_tm, excitation_nm=980, power_w_cm2=100.0)
    assert np.isclose(result.populations["Yb"].sum(), 1.0)
    assert np.isclose(result.populations["Tm"].sum(), 1.0)
    assert result.lines[800.0] > 0


def test_reads_text_as_well_as_a_path(yb_tm):
    assert read_quietly(YB_TM.read_text()) == yb_tm
    assert read_quietly(str(YB_TM)) == yb_tm


@pytest.mark.parametrize(("written", "value"), [("4/3", 4 / 3), ("13/9", 13 / 9),
                                                ("1e0", 1.0), ("1.25", 1.25)])
def test_ratios_and_exponents_are_parsed(written, value):
    params = read_quietly(edited("degeneracy: 4/3", f"degeneracy: {written}"))
    assert params.yb_degeneracy_ratio == pytest.approx(value, rel=1e-15)


def test_standard_state_labels_are_accepted_for_yb(yb_tm):
    text = edited("[GS, ES]", "[2F7/2, 2F5/2]").replace("Yb(ES)", "Yb(2F5/2)").replace(
        "Yb(GS)", "Yb(2F7/2)").replace("    ES: 2.5e-3", "    2F5/2: 2.5e-3")
    assert read_quietly(text) == yb_tm


def test_malformed_yaml_names_the_line_and_section():
    text = edited("    3H4: 2e-3\n", "    3H4: 2e-3: 5\n")
    line = text.splitlines().index("    3H4: 2e-3: 5") + 1
    with pytest.raises(ValueError, match=rf"line {line}, in section 'activator_decay'"):
        read_simetuc_config(text)


def test_malformed_file_names_the_file(tmp_path):
    path = tmp_path / "broken.cfg"
    path.write_text(edited("    ES: 2.5e-3", "\tES: 2.5e-3"))
    with pytest.raises(ValueError, match=r"broken\.cfg, line \d+, in section 'sensitizer_decay'"):
        read_simetuc_config(path)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("activator_ion_label: Tm", "activator_ion_label: Er",
     r"line 54: states: activator_ion_label: the model's activator is 'Tm', got 'Er'"),
    ("sensitizer_ion_label: Yb", "sensitizer_ion_label: Nd", r"sensitizer is 'Yb'"),
    ("Yb(ES) + Tm(3H6) -> Yb(GS) + Tm(3H5)", "Yb(ES) + Er(4I15/2) -> Yb(GS) + Er(4I11/2)",
     r"energy_transfer: ETU1: process: ion 'Er' is neither the sensitizer 'Yb' nor the "
     r"activator 'Tm'"),
    ("Tm(1G4) + Tm(3H4) -> Tm(1D2)", "Tm(1G4) + Tm(3H4) -> Tm(1D3)",
     r"ETU53: process: Tm has no state '1D3'; states: activator_states_labels declares"),
    ("[GS, ES]", "[GS, ES, X]", r"Yb's states must be \['GS', 'ES'\] or"),
    ("[3H6, 3F4,", "[3F4, 3H6,",
     r"ground\) state must be '3H6'"),
])
def test_unknown_ions_and_states_are_rejected(old, new, message):
    with pytest.raises(ValueError, match=message):
        read_quietly(edited(old, new))


def test_missing_sections_are_named():
    text = edited("version: 1", "").replace("activator_decay:", "activator_decays:")
    with pytest.raises(ValueError, match=r"lacks the mandatory sections \['version', "
                                         r"'activator_decay'\]"):
        read_quietly(text)


def test_only_version_1_is_read():
    with pytest.raises(ValueError, match=r"line 4: version: must be 1"):
        read_quietly(edited("version: 1 #", "version: 2 #"))


@pytest.mark.parametrize("hostile", ["__import__('os').system('touch pwned')",
                                     "eval('1')", "1e999999", "4/0", "1+1", ".nan", "True"])
def test_numbers_are_never_evaluated(hostile, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = edited("    3F4: 12e-3", f'    3F4: "{hostile}"' if "'" not in hostile
                  else f"    3F4: {hostile}")
    with pytest.raises(ValueError, match=r"line \d+: activator_decay: 3F4: must be"):
        read_quietly(text)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(("old", "new", "message"), [
    ("A_conc: 0.5", "A_conc: 30", r"lattice: A_conc: tm_fraction = 0.3 is outside"),
    ("S_conc: 5", "S_conc: 101", r"lattice: S_conc: 101 is outside the allowed range"),
    ("1G4->3F3: 0.02", "1G4->3F3: 0.8", r"1G4->3F3: the ratios from 1G4 sum to 1.15 > 1"),
    ("3H5->3F4: 0.4", "3F4->3H5: 0.4", r"3F4->3H5: a branching ratio must go to a lower"),
    ("    ES: 2.5e-3", "    ES: 0", r"sensitizer_decay: ES: 0 is outside the allowed range"),
    ("Yb(ES) + Tm(3H6) -> Yb(GS) + Tm(3H5)", "Yb(ES) + Tm(3H6) => Yb(GS) + Tm(3H5)",
     r"ETU1: process: expected 'Ion\(state\) \+ Ion\(state\) -> "),
    ("multipolarity: 6\n        strength: 1.142e+10", "multipolarity: 8\n        strength: 1e10",
     r"ETU3: multipolarity: the model's lattice sum is dipole–dipole"),
    ("degeneracy: 4/3", "degeneracy: [4/3, 1]", r"NIR_980: process, degeneracy and pump_rate"),
])
def test_values_out_of_range_name_their_key(old, new, message):
    with pytest.raises(ValueError, match=message):
        read_quietly(edited(old, new))


def test_active_excitations_of_tm_are_reported():
    text = edited("    Vis_473_2:\n        active: False", "    Vis_473_2:\n        active: True")
    _, messages = read_warned(text)
    assert any("pumps only Yb(GS)->Yb(ES); ignored Vis_473_2" in m for m in messages)


def test_pump_is_optional_and_base_keeps_its_own():
    text = YB_TM.read_text().replace("process: Yb(GS)->Yb(ES)", "process: Tm(3H6)->Tm(3H4)")
    params = read_quietly(text)
    defaults = TransferParams()
    assert params.yb_cross_section_cm2 == defaults.yb_cross_section_cm2
    assert params.yb_degeneracy_ratio == defaults.yb_degeneracy_ratio


REDUCED = """
version: 1
lattice: {S_conc: 25, A_conc: 0.3}
states:
    sensitizer_ion_label: Yb
    sensitizer_states_labels: [GS, ES]
    activator_ion_label: Tm
    activator_states_labels: [3H6, 3F4, 3H4, 1G4]
excitations:
    NIR_980: {active: True, power_dens: 1e6, process: Yb(GS)->Yb(ES), degeneracy: 4/3,
              pump_rate: 4e-3}
sensitizer_decay: {ES: 1e-3}
activator_decay: {3F4: 10e-3, 3H4: 1e-3, 1G4: 500e-6}
activator_branching_ratios: {3H4->3F4: 0.2}
energy_transfer:
    ETU1: {process: Yb(ES) + Tm(3H6) -> Yb(GS) + Tm(3F4), multipolarity: 6, strength: 1e8}
"""


def test_a_reduced_tm_model_keeps_the_base_lifetimes_of_absent_levels():
    with pytest.warns(UserWarning, match=r"no Tm levels \['3H5', '3F3', '1D2', '1I6'\]"):
        params = read_simetuc_config(REDUCED)
    lifetimes, defaults = dict(params.tm_lifetimes_s), dict(transfer.SIMETUC_TM_LIFETIMES_S)
    assert (lifetimes["3F4"], lifetimes["3H4"], lifetimes["1G4"]) == (10e-3, 1e-3, 500e-6)
    assert lifetimes["1D2"] == defaults["1D2"]
    assert params.tm_branching == (("3H4", "3F4", 0.2),)
    assert (params.yb_fraction, params.tm_fraction, params.yb_lifetime_s) == (0.25, 0.003, 1e-3)
    # ETU1 feeds ³F4 only here, which has no emission line of its own
    assert steady_state(params, excitation_nm=980, power_w_cm2=100.0).populations["Tm"][1] > 0
