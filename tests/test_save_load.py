"""Saved work: every lab's save/load/restore round trip, the refusals, and the Save/Load bar.

Round trips compare results array by array (``assert_array_equal``, exact), not only params:
a loaded lab must recompute exactly what the saved one showed. Every refusal must leave the
lab's params and result objects in place (``is``), so a half-applied file would fail here.
Small particles and samples keep each lab near or under a second.
"""

import base64
import dataclasses
import datetime
import json
import re

import numpy as np
import pytest
from ase import Atoms
from hypothesis import given, settings
from hypothesis import strategies as st

import lnhet_widgets
from lnhet_widgets.core.annealing import AnnealParams
from lnhet_widgets.core.growth import GrowthParams
from lnhet_widgets.core.optics.transfer_params import SIMETUC_YB_TM, TransferParams
from lnhet_widgets.widgets import AnnealingLab, GrowthLab, MismatchLab, TransferLab
from lnhet_widgets.widgets.labs.mismatch_lab import MismatchParams
from lnhet_widgets.widgets.labs.transfer_samples import MIXTURE
from lnhet_widgets.widgets.parts.saved import (
    FORMAT,
    FORMAT_VERSION,
    SavableLab,
    SaveLoadBar,
    params_state,
    read_params,
)

# --- labs away from their defaults -----------------------------------------------------------


def mismatch_lab():
    lab = MismatchLab(MismatchParams(core="beta-NaGdF4", core_plane="(0001)", shell="CsPbCl3",
                                     temperature_c=245.0, core_diameter_nm=3.1, edge_nm=6.3,
                                     max_strain=0.045, radii="cn12"))
    lab._compute_debye()  # the button: the heterostructure pattern is part of the work
    return lab


def growth_lab():
    lab = GrowthLab(GrowthParams(simulated_cores=150, temperature_c=231.5, core_diameter_nm=5.3,
                                 dopants=(("Yb", 0.2), ("Er", 0.02)), halide="Cl",
                                 quench_time_constant_s=2.25),
                    seed=11)
    lab.map_diameters.value, lab.map_temperatures.value = (4.0, 9.5), (200.0, 240.0)
    lab.map_step.value, lab.map_cores.value = "coarse (1 nm × 10 °C)", 120
    return lab


def annealing_lab():
    return AnnealingLab(AnnealParams(core_diameter_nm=4.0, shell_thickness_nm=0.8,
                                     complex="Gd", temperature_c=310.0, vacancy_surface=0.33,
                                     docking_rate_gd_mm_s=0.0123),
                        steps=60, seed=17)


def transfer_lab():
    # Custom rate constants in the nested tuples too (an energy transfer and a lifetime).
    et = (dataclasses.replace(SIMETUC_YB_TM[0], strength_a6_s=1.2345e9), *SIMETUC_YB_TM[1:])
    lifetimes = (("3F4", 0.0111), *TransferParams().tm_lifetimes_s[1:])
    lab = TransferLab(TransferParams(yb_fraction=0.27, core_diameter_nm=8.3,
                                     surface_quenching_nm3_s=5.5e3, energy_transfer=et,
                                     tm_lifetimes_s=lifetimes),
                      sample=MIXTURE, excitation_nm=980.0, power_w_cm2=314.159)
    lab.absorbance_control.value = 4.2
    lab.decay_line.value, lab.decay_range.value = 800.0, 3.0
    lab.fluence_control.value, lab.pump_control.value = 12.5, 365.0
    lab.normalise_control.value = True
    return lab


BUILDERS = {MismatchLab: mismatch_lab, GrowthLab: growth_lab, AnnealingLab: annealing_lab,
            TransferLab: transfer_lab}


@pytest.fixture(scope="module", params=list(BUILDERS), ids=lambda cls: cls.__name__)
def saved(request):
    lab = BUILDERS[request.param]()
    return lab, lab.save()


@pytest.fixture(scope="module")
def growth():
    return growth_lab()


# --- exact comparison of results -------------------------------------------------------------


def assert_same(a, b, where="result"):
    """Recursively equal: arrays exactly (NaN == NaN), floats exactly, dataclasses by field."""
    assert type(a) is type(b), where
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where, strict=True)
    elif isinstance(a, Atoms):
        assert a.get_chemical_symbols() == b.get_chemical_symbols(), where
        np.testing.assert_array_equal(a.positions, b.positions, err_msg=where)
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


def assert_same_work(a, b):
    """Everything a lab shows that its saved settings decide."""
    assert a._saved_state() == b._saved_state()
    assert a.params == b.params
    assert_same(a.result, b.result)
    if isinstance(a, MismatchLab):
        assert a.result.heterostructure_pattern is not None
    if isinstance(a, GrowthLab):
        assert a.seed == b.seed
    if isinstance(a, AnnealingLab):
        assert (a.steps, a.seed) == (b.steps, b.seed)
        assert_same(a.comparison, b.comparison, "comparison")
        assert_same(a.optics, b.optics, "optics")
    if isinstance(a, TransferLab):
        assert (a.sample, a.excitation_nm, a.power_w_cm2) == (b.sample, b.excitation_nm,
                                                              b.power_w_cm2)
        assert_same(a.perovskite_result, b.perovskite_result, "perovskite_result")
        assert_same(a.spectrum, b.spectrum, "spectrum")


# --- round trips -----------------------------------------------------------------------------


def test_file_layout(saved, tmp_path):
    lab, _text = saved
    path = tmp_path / "work.json"
    text = lab.save(path)
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload == json.loads(text)
    assert payload["format"] == FORMAT and payload["format_version"] == FORMAT_VERSION
    assert payload["lab"] == type(lab).__name__
    assert payload["library_version"] == lnhet_widgets.__version__
    assert datetime.datetime.fromisoformat(payload["saved_at"]).tzinfo is not None
    assert payload["state"]["params"] == params_state(lab.params)


def test_load_reproduces_the_result_exactly(saved, tmp_path):
    lab, text = saved
    path = tmp_path / "work.json"
    path.write_text(text, encoding="utf-8")
    loaded = type(lab).load(path)
    assert loaded is not lab and loaded.result is not lab.result
    assert_same_work(lab, loaded)
    assert loaded.save_bar.status.kind == "info"  # nothing to report before any use


def test_load_accepts_text_bytes_and_str_paths(saved, tmp_path):
    lab, text = saved
    path = tmp_path / "work.json"
    path.write_text(text, encoding="utf-8")
    if isinstance(lab, MismatchLab | GrowthLab):  # the cheapest two suffice
        for source in (text, text.encode("utf-8"), str(path)):
            assert_same_work(lab, type(lab).load(source))


def test_restore_on_an_existing_lab(saved):
    lab, text = saved
    other = {MismatchLab: lambda: MismatchLab(MismatchParams(core_diameter_nm=3.0, edge_nm=6.0)),
             GrowthLab: lambda: GrowthLab(GrowthParams(simulated_cores=100)),
             AnnealingLab: lambda: AnnealingLab(AnnealParams(core_diameter_nm=4.0), steps=20),
             TransferLab: lambda: TransferLab(sample="bare LnNPs")}[type(lab)]()
    before = other.result
    payload = other.restore(text)
    assert payload["lab"] == type(lab).__name__
    assert other.result is not before
    assert_same_work(lab, other)
    # The controls follow: what the user sees is what was loaded.
    if isinstance(lab, GrowthLab | TransferLab):
        assert other.panel.controls["core_diameter_nm"].value == lab.params.core_diameter_nm
    if isinstance(lab, AnnealingLab):
        assert other.complex_control.value == "Gd" and other.steps_control.value == 60


def test_restoring_the_same_settings_keeps_the_result(growth):
    before = growth.result
    growth.restore(growth.save())
    assert growth.result is before  # nothing to recompute


@settings(max_examples=60, deadline=None)
@given(temperature=st.floats(120.0, 300.0), diameter=st.floats(1.0, 30.0),
       yb=st.floats(0.0, 0.9), seed=st.integers(0, 2**31 - 1))
def test_params_round_trip_exactly_through_json(temperature, diameter, yb, seed):
    p = GrowthParams(temperature_c=temperature, core_diameter_nm=diameter,
                     dopants=(("Yb", yb),), quench_depth_c=min(40.0, temperature - 30.0))
    assert read_params(GrowthParams, json.loads(json.dumps(params_state(p)))) == p
    t = TransferParams(yb_fraction=yb, energy_transfer=(
        dataclasses.replace(SIMETUC_YB_TM[0], strength_a6_s=seed * 1.1),))
    back = read_params(TransferParams, json.loads(json.dumps(params_state(t))))
    assert back == t and isinstance(back.energy_transfer[0], type(SIMETUC_YB_TM[0]))


# --- refusals --------------------------------------------------------------------------------


def _edit(text, change):
    payload = json.loads(text)
    change(payload)
    return json.dumps(payload)


def _set(path, value):
    def change(payload):
        *keys, last = path
        target = payload
        for key in keys:
            target = target[key]
        target[last] = value
    return change


BAD_FILES = {
    "damaged JSON": (lambda t: t.replace('"seed":', '"seed"', 1),
                     "damaged or not JSON: Expecting ':' delimiter at line"),
    "truncated": (lambda t: t[: len(t) // 2], "damaged or not JSON"),
    "empty": (lambda t: "", "damaged or not JSON: Expecting value at line 1, column 1"),
    "not UTF-8": (lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "not UTF-8"),
    "not a lab file": (lambda t: json.dumps({"type": "GrowthResult", "fields": {}}),
                       "not a saved lnhet-widgets lab"),
    "other lab": (lambda t: _edit(t, _set(["lab"], "TransferLab")),
                  "this file holds a TransferLab, not a GrowthLab"),
    "newer format": (lambda t: _edit(t, _set(["format_version"], FORMAT_VERSION + 1)),
                     f"format version {FORMAT_VERSION + 1}; lnhet-widgets"),
    "newer library": (lambda t: _edit(t, _set(["library_version"], "99.3.0")),
                      f"saved with lnhet-widgets 99.3.0; this is {lnhet_widgets.__version__}"
                      " — upgrade to load it"),
    "unknown library version": (lambda t: _edit(t, _set(["library_version"], "banana")),
                                "unknown library_version 'banana'"),
    "invalid value": (lambda t: _edit(t, _set(["state", "params", "temperature_c"], 500.0)),
                      "params: temperature_c = 500.0 °C is outside the allowed range "
                      "[120, 300] °C"),
    "text for a number": (lambda t: _edit(t, _set(["state", "params", "core_mass_g"], "0.2")),
                          "params.core_mass_g must be a number, got '0.2'"),
    "NaN": (lambda t: t.replace('"core_mass_g": 0.15', '"core_mass_g": NaN', 1),
            "damaged: NaN is not a valid number"),
    "unknown field": (lambda t: _edit(t, _set(["state", "params", "stirring_rpm"], 600)),
                      "unknown field 'stirring_rpm' for GrowthParams"),
    "unknown setting": (lambda t: _edit(t, _set(["state", "colour"], "red")),
                        "unknown setting 'colour' in the saved GrowthLab"),
    "missing seed": (lambda t: _edit(t, lambda p: p["state"].pop("seed")),
                     "lacks the setting 'seed'"),
    "bad seed": (lambda t: _edit(t, _set(["state", "seed"], -1)),
                 "seed = -1 is outside the allowed range"),
    "bad dopants": (lambda t: _edit(t, _set(["state", "params", "dopants"], [["Xx", 0.1]])),
                    "params: dopant 'Xx' is not an RE-site dopant"),
    "bad map grid": (lambda t: _edit(t, _set(["state", "coating_map", "temperatures_c"],
                                             [250.0, 200.0])),
                     "coating_map.temperatures_c = [250.0, 200.0] °C: low must not exceed"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_and_changes_nothing(growth, case):
    make, message = BAD_FILES[case]
    good = growth.save()
    params, result, seed = growth.params, growth.result, growth.seed
    grid = growth.map_temperatures.value
    with pytest.raises(ValueError) as info:
        growth.restore(make(good))
    assert message in str(info.value)
    assert growth.params is params and growth.result is result and growth.seed == seed
    assert growth.map_temperatures.value == grid
    with pytest.raises(ValueError, match=re.escape(message)):
        GrowthLab.load(make(good))


def test_an_older_patch_or_version_loads(growth):
    text = growth.save()
    major, minor, *_ = lnhet_widgets.__version__.split(".")
    for version in ("0.0.1", f"{major}.{minor}.99"):
        loaded_params = GrowthLab._read(_edit(text, _set(["library_version"], version)))[1]
        assert loaded_params["params"] == growth.params


def test_transfer_sample_must_match_its_params():
    lab = TransferLab(sample="bare LnNPs")
    text = _edit(lab.save(), _set(["state", "sample"], "β-LnNP@CsPbBr3"))
    result = lab.result
    with pytest.raises(ValueError, match="does not match the saved params"):
        lab.restore(text)
    bad_fluence = _edit(lab.save(), _set(["state", "bleach_fluence_uj_cm2"], 500.0))
    with pytest.raises(ValueError, match=r"bleach_fluence_uj_cm2 = 500.0 µJ/cm² is outside"):
        lab.restore(bad_fluence)
    bad_et = _edit(lab.save(), _set(["state", "params", "energy_transfer", 0, "donor"], "Er"))
    with pytest.raises(ValueError, match=r"energy_transfer\[0\]: energy transfer CR50: ion"):
        lab.restore(bad_et)
    assert lab.result is result and lab.sample == "bare LnNPs"


def test_annealing_lab_refuses_to_load_while_running():
    lab = AnnealingLab(AnnealParams(core_diameter_nm=4.0), steps=20)
    text = _edit(lab.save(), _set(["state", "seed"], 99))
    lab._job = object()  # what a run in progress looks like to the lab
    try:
        with pytest.raises(RuntimeError, match="stop it before loading"):
            lab.restore(text)
        assert lab.seed == 0
    finally:
        lab._job = None
    lab.restore(text)
    assert lab.seed == 99 == lab.result.seed


def test_load_refuses_a_constructor_argument_the_file_sets(growth):
    with pytest.raises(TypeError, match="seed is set by the saved file"):
        GrowthLab.load(growth.save(), seed=3)


# --- the Save/Load bar -----------------------------------------------------------------------


def _upload(bar, content: bytes, name="growth_lab.json"):
    """What ipywidgets 8's FileUpload sets when the user picks a file."""
    bar.upload.value = ({"name": name, "type": "application/json", "size": len(content),
                         "content": memoryview(content),
                         "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def _contains(widget, part) -> bool:
    return widget is part or any(_contains(c, part) for c in getattr(widget, "children", ()))


def test_every_lab_shows_its_bar(saved):
    lab, _text = saved
    assert isinstance(lab.save_bar, SaveLoadBar) and lab.save_bar.lab is lab
    assert _contains(lab, lab.save_bar)
    assert lab.save_bar.filename.value == {
        MismatchLab: "mismatch_lab.json", GrowthLab: "growth_lab.json",
        AnnealingLab: "annealing_lab.json", TransferLab: "transfer_lab.json"}[type(lab)]
    assert lab.save_bar.upload.accept == ".json" and not lab.save_bar.upload.multiple


def test_save_button_writes_the_file_and_offers_a_download(growth, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bar = growth.save_bar
    bar.filename.value = "my run"
    bar.save_button.click()
    path = tmp_path / "my run.json"
    assert path.is_file()
    assert bar.status.kind == "ok" and str(path) in bar.status.message
    assert "download='my run.json'" in bar.download.value
    data = bar.download.value.split("base64,")[1].split("'")[0]
    assert base64.b64decode(data).decode("utf-8") == path.read_text(encoding="utf-8")
    assert_same_work(growth, GrowthLab.load(path))

    bar.filename.value = "  "
    bar.save_button.click()
    assert bar.status.kind == "error" and "file name" in bar.status.message
    bar.filename.value = "no/such/folder/x.json"
    bar.save_button.click()
    assert bar.status.kind == "error" and "Could not save" in bar.status.message


def test_upload_restores_the_lab():
    source = GrowthLab(GrowthParams(simulated_cores=100, temperature_c=240.0), seed=4)
    target = GrowthLab(GrowthParams(simulated_cores=100))
    bar = target.save_bar
    _upload(bar, source.save().encode("utf-8"), name="mine.json")
    assert bar.status.kind == "ok" and "Loaded mine.json" in bar.status.message
    assert bar.upload.value == ()  # ready for the same file again
    assert_same_work(source, target)
    assert target.panel.controls["temperature_c"].value == 240.0


def test_a_bad_upload_shows_the_error_and_keeps_the_lab(growth):
    bar = growth.save_bar
    params, result = growth.params, growth.result
    other = TransferLab(sample="bare LnNPs").save()
    _upload(bar, other.encode("utf-8"), name="transfer.json")
    assert bar.status.kind == "error"
    assert "Could not load transfer.json: this file holds a TransferLab, not a GrowthLab" in (
        bar.status.message)
    assert "unchanged" in bar.status.message
    _upload(bar, b'{"format": "lnhet-widgets lab", "format_', name="cut.json")
    assert bar.status.kind == "error" and "line 1, column" in bar.status.message
    assert growth.params is params and growth.result is result
    assert bar.upload.value == ()


def test_a_subclass_saves_as_its_lab():
    class Custom(SavableLab):
        def _saved_state(self):
            return {}

    class Child(Custom):
        pass

    assert json.loads(Child().save())["lab"] == "Custom"
    assert Child.default_filename() == "custom.json"
