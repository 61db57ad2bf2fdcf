"""Python side of the energy-level diagram (EnergyLevelDiagram)."""

from __future__ import annotations

import math
import re
import shutil
import subprocess

import numpy as np
import pytest
import traitlets
from ipywidgets.widgets.widget import _remove_buffers

from lnhet_widgets.widgets import EnergyLevelDiagram
from lnhet_widgets.widgets.custom._assets import array_from_bytes, bundle_esm
from lnhet_widgets.widgets.custom.level_diagram import KINDS

LEVELS = [
    ("Yb", "2F7/2", 0.0),
    ("Yb", "2F5/2", 10250.0),
    ("Tm", "3H6", 0.0),
    ("Tm", "3F4", 5800.0),
    ("Tm", "3H5", 8300.0),
    ("Tm", "3H4", 12600.0),
    ("Tm", "3F3", 14500.0),
    ("Tm", "1G4", 21300.0),
    ("Tm", "1D2", 27700.0),
    ("CsPbBr3", "VB", 0.0, "band"),
    ("CsPbBr3", "X", 19500.0, "band"),
    ("CsPbBr3", "D", 11000.0, "defect"),
]
TRANSITIONS = [
    (0, 1, "absorption", 1.2e3),
    (1, 0, "emission", 4.0e2),
    (1, 4, "etu", 5.0e3),
    (5, 1, "back_transfer", 50.0),
    (7, 8, "cross_relaxation", 20.0),
    (4, 3, "nonradiative", 3.9e4),
    (8, 10, "lret", 2.0e4),
    (10, 11, "trapping", 2.0e8),
    (11, 1, "defect_transfer", 1.0e5),
]

NODE = shutil.which("node")


def diagram(**kwargs) -> EnergyLevelDiagram:
    return EnergyLevelDiagram(levels=LEVELS, transitions=TRANSITIONS, **kwargs)


def wire(widget: EnergyLevelDiagram, name: str) -> np.ndarray:
    return array_from_bytes(getattr(widget, name))


# --- construction and normalisation ----------------------------------------------------------


def test_defaults_are_an_empty_diagram():
    d = EnergyLevelDiagram()
    assert d.levels == [] and d.transitions == []
    assert d.selected_level == -1
    assert d.rates.shape == (0,)
    assert wire(d, "_ends").shape == (0, 2)
    assert d.error == ""


def test_levels_and_transitions_are_normalised():
    d = EnergyLevelDiagram(
        levels=[["Yb", "2F7/2", 0], ("Yb", "2F5/2", np.float32(10250))],
        transitions=[(np.int64(0), 1, "absorption", 12)],
    )
    assert d.levels == [("Yb", "2F7/2", 0.0, "level"), ("Yb", "2F5/2", 10250.0, "level")]
    assert d.transitions == [(0, 1, "absorption", 12.0)]
    assert type(d.transitions[0][0]) is int and type(d.transitions[0][3]) is float


def test_all_kinds_are_accepted():
    levels = [("A", f"L{i}", float(i)) for i in range(len(KINDS) + 1)]
    d = EnergyLevelDiagram(
        levels=levels, transitions=[(i + 1, i, kind, 1.0) for i, kind in enumerate(KINDS)]
    )
    assert [t[2] for t in d.transitions] == list(KINDS)


# --- binary buffers --------------------------------------------------------------------------


def test_numbers_travel_as_binary_buffers_and_strings_as_json():
    d = diagram()
    state = d.get_state()
    _stripped, paths, buffers = _remove_buffers(state)
    assert sorted(p[0] for p in paths) == ["_ends", "_energies", "_rates"]
    assert all(p[1] == "buffer" for p in paths)
    assert sum(b.nbytes for b in buffers) == 8 * len(LEVELS) + 4 * 2 * len(TRANSITIONS) + 8 * len(
        TRANSITIONS
    )
    assert state["_species"] == [lv[0] for lv in LEVELS]
    assert state["_names"][7] == "1G4"
    assert state["_styles"][9:] == ["band", "band", "defect"]
    assert state["_kinds"] == [t[2] for t in TRANSITIONS]


def test_buffers_round_trip():
    d = diagram()
    np.testing.assert_array_equal(wire(d, "_energies"), [lv[2] for lv in LEVELS])
    assert wire(d, "_energies").dtype == np.float64
    ends = wire(d, "_ends")
    assert ends.dtype == np.int32 and ends.shape == (len(TRANSITIONS), 2)
    np.testing.assert_array_equal(ends, [t[:2] for t in TRANSITIONS])
    np.testing.assert_array_equal(wire(d, "_rates"), [t[3] for t in TRANSITIONS])


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_bundle_is_one_module_without_relative_imports(tmp_path):
    esm = EnergyLevelDiagram._esm
    assert esm == bundle_esm("level_diagram.js")
    assert not re.search(r"""(import|from)\s*["']\.{1,2}/""", esm)
    assert "function diagramLayout" in esm and "function fromBuffer" in esm
    assert "export default" in esm
    (tmp_path / "diagram.mjs").write_text(esm, encoding="utf-8")
    (tmp_path / "check.mjs").write_text(
        'const mod = await import("./diagram.mjs");\nconsole.log(typeof mod.default.render);\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [NODE, str(tmp_path / "check.mjs")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "function"


# --- set_rates -------------------------------------------------------------------------------


def test_set_rates_updates_rates_only():
    d = diagram()
    sent = []
    d.observe(lambda change: sent.append(change["name"]), names=["_rates", "_ends", "_kinds"])
    new = np.geomspace(1.0, 1e8, len(TRANSITIONS))
    d.set_rates(new)
    assert sent == ["_rates"]
    np.testing.assert_allclose(d.rates, new)
    np.testing.assert_allclose(wire(d, "_rates"), new)
    assert [t[:3] for t in d.transitions] == [t[:3] for t in TRANSITIONS]


def test_set_rates_accepts_zero_and_lists():
    d = diagram()
    d.set_rates([0.0] * len(TRANSITIONS))
    assert d.rates.sum() == 0


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ([1.0] * 3, r"rates_s has shape \(3,\); expected \(9,\)"),
        (np.ones((3, 3)), r"rates_s has shape \(3, 3\)"),
        ([1.0] * 4 + [-1.0] + [1.0] * 4, r"rates_s\[4\] = -1\.0 s\^-1 must be finite and >= 0"),
        ([1.0] * 8 + [math.nan], r"rates_s\[8\] = nan"),
        ([math.inf] + [1.0] * 8, r"rates_s\[0\] = inf"),
        (["fast"] * 9, "rates_s must be an array of numbers"),
    ],
)
def test_set_rates_rejects_bad_input_and_keeps_the_old_rates(rates, message):
    d = diagram()
    with pytest.raises(ValueError, match=message):
        d.set_rates(rates)
    np.testing.assert_array_equal(d.rates, [t[3] for t in TRANSITIONS])


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "message"),
    [
        (("Tm", "3H4"), r"levels\[1\] must be a tuple \(species, name, energy_cm\[, style\]\)"),
        ("Tm 3H4", r"levels\[1\] must be a tuple"),
        (("", "3H4", 1.0), r"levels\[1\]\.species must be a non-empty string"),
        (("Tm", None, 1.0), r"levels\[1\]\.name must be a non-empty string"),
        (("Tm", "3H4", math.nan), r"levels\[1\]\.energy must be a finite number in cm\^-1"),
        (("Tm", "3H4", "12600"), r"levels\[1\]\.energy must be a finite number"),
        (("Tm", "3H4", 1.0, "glow"), r"levels\[1\]\.style must be one of"),
        (("Yb", "2F7/2", 5.0), r"levels\[1\] \('Yb', '2F7/2'\) appears twice .*levels\[0\]"),
    ],
)
def test_invalid_level_names_the_field(level, message):
    with pytest.raises(ValueError, match=message):
        EnergyLevelDiagram(levels=[("Yb", "2F7/2", 0.0), level])


@pytest.mark.parametrize(
    ("transition", "message"),
    [
        ((0, 12, "emission", 1.0), r"transitions\[1\]\.to = 12 is not a level index; .*0 … 11"),
        ((-1, 0, "emission", 1.0), r"transitions\[1\]\.from = -1 is not a level index"),
        ((0.0, 1, "emission", 1.0), r"transitions\[1\]\.from must be a level index \(int\)"),
        ((True, 1, "emission", 1.0), r"transitions\[1\]\.from must be a level index"),
        ((1, 1, "emission", 1.0), r"transitions\[1\] goes from level 1 to itself"),
        ((1, 0, "fluorescence", 1.0), r"transitions\[1\]\.kind = 'fluorescence' is not one of"),
        ((1, 0, "emission", -2.0), r"transitions\[1\]\.rate = -2\.0 s\^-1 must be finite and >= 0"),
        ((1, 0, "emission", math.nan), r"transitions\[1\]\.rate = nan"),
        ((1, 0, "emission", None), r"transitions\[1\]\.rate must be a number in s\^-1"),
        ((1, 0, "emission"), r"transitions\[1\] must be a tuple \(from_index, to_index, kind"),
    ],
)
def test_invalid_transition_names_the_field(transition, message):
    with pytest.raises(ValueError, match=message):
        EnergyLevelDiagram(levels=LEVELS, transitions=[(0, 1, "absorption", 1.0), transition])


def test_rejected_assignment_leaves_the_diagram_unchanged():
    d = diagram()
    with pytest.raises(ValueError, match=r"transitions\[0\]\.kind"):
        d.transitions = [(0, 1, "laser", 1.0)]
    assert d.transitions == [tuple(t) for t in TRANSITIONS]
    with pytest.raises(ValueError, match=r"levels has 2 entries but transitions\[2\] refers"):
        d.levels = LEVELS[:2]
    assert len(d.levels) == len(LEVELS)


def test_lists_must_be_lists():
    with pytest.raises(traitlets.TraitError):
        EnergyLevelDiagram().levels = {"Yb": 0.0}


# --- levels and transitions after construction -----------------------------------------------


def test_set_data_replaces_both_at_once():
    d = diagram(selected_level=5)  # Tm 3H4
    d.set_data(LEVELS[2:9], [(3, 0, "emission", 450.0)])
    assert len(d.levels) == 7
    assert wire(d, "_ends").tolist() == [[3, 0]]
    # The selection follows its level to its new index.
    assert d.levels[d.selected_level][:2] == ("Tm", "3H4")
    d.set_data(LEVELS[:2], [])
    assert d.selected_level == -1  # its level is gone


def test_levels_can_be_renamed_in_place():
    d = diagram()
    d.levels = [(*lv[:1], lv[1] + "'", *lv[2:]) for lv in LEVELS]
    assert d.get_state()["_names"][0] == "2F7/2'"


def test_set_data_failure_leaves_the_diagram_unchanged():
    d = diagram()
    with pytest.raises(ValueError, match=r"transitions\[0\]\.to = 5"):
        d.set_data(LEVELS[:2], [(0, 5, "emission", 1.0)])
    assert len(d.levels) == len(LEVELS) and len(d.transitions) == len(TRANSITIONS)


# --- selected_level --------------------------------------------------------------------------


def test_selected_level_is_synced_and_checked():
    d = diagram()
    d.selected_level = 7
    assert d.get_state()["selected_level"] == 7
    with pytest.raises(ValueError, match=r"selected_level = 12 must be -1 \(none\) or .*0 … 11"):
        d.selected_level = 12
    with pytest.raises(ValueError, match="selected_level = -2"):
        d.selected_level = -2
    assert d.selected_level == 7
    d.selected_level = -1


def test_selected_level_from_the_browser_reaches_observers():
    # What a click does: the front end sends {"selected_level": i} in an update message.
    d = diagram()
    seen = []
    d.observe(lambda change: seen.append(change["new"]), names="selected_level")
    d.set_state({"selected_level": 1})
    assert d.selected_level == 1
    assert seen == [1]
    assert d.levels[d.selected_level][:2] == ("Yb", "2F5/2")


def test_selected_level_in_constructor():
    assert diagram(selected_level=11).selected_level == 11
    with pytest.raises(ValueError, match="selected_level = 99"):
        diagram(selected_level=99)


def test_height_and_columns():
    d = diagram(columns=["Yb", "Tm", "CsPbBr3"], height=600)
    assert d.get_state()["columns"] == ["Yb", "Tm", "CsPbBr3"]
    with pytest.raises(ValueError, match=r"height = 100 px is outside"):
        d.height = 100
