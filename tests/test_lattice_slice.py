"""Python side of the lattice-slice animation (LatticeSliceAnimation)."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from ipywidgets.widgets.widget import _remove_buffers

from lnhet_widgets.core.annealing import SPECIES, AnnealParams, anneal
from lnhet_widgets.widgets import LatticeSliceAnimation
from lnhet_widgets.widgets.custom._assets import array_from_bytes, bundle_esm
from lnhet_widgets.widgets.custom.lattice_slice import SPECIES_COLORS, snapshot_labels

NODE = shutil.which("node")

# Five sites: three in the plane z = 0 (one exactly on the slab's edge), two outside it.
POSITIONS = np.array(
    [
        [0.0, 0.0, 0.0],
        [1.0, -0.5, 0.35],
        [-0.5, 2.0, -0.2],
        [0.3, 0.3, 0.36],
        [0.0, 1.0, -1.5],
    ]
)
SPECIES_CODES = np.array([[3, 1, 0, 2, 4], [0, 1, 3, 2, 4], [1, 0, 3, 2, 4]], dtype=np.int8)
LABELS = ["step 0 · 0 s", "step 10 · 40 s", "step 20 · 81 s"]


def filled(**kwargs) -> LatticeSliceAnimation:
    view = LatticeSliceAnimation()
    options = dict(labels=LABELS, radius_nm=2.5, core_radius_nm=1.5)
    options.update(kwargs)
    view.set_snapshots(POSITIONS, SPECIES_CODES, **options)
    return view


def wire(view: LatticeSliceAnimation, name: str) -> np.ndarray:
    return array_from_bytes(getattr(view, name))


# --- defaults --------------------------------------------------------------------------------


def test_defaults_are_an_empty_animation():
    view = LatticeSliceAnimation()
    assert view.n_frames == 0 and view.n_sites == 0
    assert view.frame_index == 0 and not view.playing
    assert view.fps == 30.0 and view.loop
    assert view.species_names == list(SPECIES)
    assert view.species_colors == list(SPECIES_COLORS)
    assert len(SPECIES_COLORS) == len(SPECIES)
    assert wire(view, "xy").shape == (0, 2) and wire(view, "frames").shape == (0, 0)
    assert view.error == "" and view.title == ""


def test_defaults_are_not_shared_between_instances():
    a, b = LatticeSliceAnimation(), LatticeSliceAnimation()
    a.species_names[0] = "hole"
    assert b.species_names[0] == "vacancy"


# --- slab selection and projection -----------------------------------------------------------


def test_slab_across_z_keeps_the_sites_within_the_half_thickness():
    view = filled()
    assert view.n_sites == 3  # |z| ≤ 0.35: sites 0, 1 (on the edge) and 2
    np.testing.assert_array_equal(wire(view, "xy"), [[0.0, 0.0], [1.0, -0.5], [-0.5, 2.0]])
    np.testing.assert_array_equal(wire(view, "frames"), SPECIES_CODES[:, :3])


@pytest.mark.parametrize(
    ("axis", "columns"),
    [("x", [1, 2]), ("y", [2, 0]), ("z", [0, 1])],
)
def test_projection_looks_down_the_axis(axis, columns):
    rng = np.random.default_rng(3)
    positions = rng.uniform(-2.0, 2.0, size=(200, 3))
    species = rng.integers(0, len(SPECIES), size=(4, 200))
    view = LatticeSliceAnimation()
    view.set_snapshots(
        positions,
        species,
        labels=list("abcd"),
        radius_nm=3.5,
        core_radius_nm=2.0,
        half_thickness_nm=0.5,
        axis=axis,
    )
    mask = np.abs(positions[:, "xyz".index(axis)]) <= 0.5
    assert view.n_sites == mask.sum() > 0
    np.testing.assert_allclose(wire(view, "xy"), positions[mask][:, columns], rtol=1e-6)
    np.testing.assert_array_equal(wire(view, "frames"), species[:, mask])


def test_thicker_slab_takes_more_sites():
    assert filled(half_thickness_nm=0.36).n_sites == 4
    assert filled(half_thickness_nm=2.0).n_sites == 5


def test_slab_of_the_lessons_particle():
    result = anneal(AnnealParams(), steps=10, snapshots=(0, 10), seed=0)
    view = LatticeSliceAnimation()
    view.set_snapshots(
        result.positions_nm,
        result.species,
        labels=snapshot_labels(result.snapshot_steps, result.snapshot_time_s),
        radius_nm=result.params.diameter_nm / 2,
        core_radius_nm=result.params.core_diameter_nm / 2,
    )
    # Four (001) planes of the 8.7 nm particle, some hundreds of sites: what the front end
    # must animate at 30 frames per second.
    assert 400 <= view.n_sites <= 800
    assert view.n_frames == 2
    xy = wire(view, "xy")
    assert np.all(np.hypot(xy[:, 0], xy[:, 1]) <= view.radius_nm + 0.5)
    assert (wire(view, "frames") == 0).any()  # vacancies in the slab


# --- wire format -----------------------------------------------------------------------------


def test_arrays_travel_as_binary_buffers():
    view = filled()
    state = view.get_state()
    _stripped, paths, buffers = _remove_buffers(state)
    assert sorted(p[0] for p in paths) == ["frames", "xy"]
    assert sum(b.nbytes for b in buffers) == 4 * 2 * 3 + 1 * 3 * 3
    assert state["frame_labels"] == LABELS
    assert state["radius_nm"] == 2.5 and state["core_radius_nm"] == 1.5


def test_binary_round_trip_keeps_dtypes_and_values():
    view = filled()
    xy, frames = wire(view, "xy"), wire(view, "frames")
    assert xy.dtype == np.float32 and xy.shape == (3, 2)
    assert frames.dtype == np.int8 and frames.shape == (3, 3)
    assert view.xy["dtype"] == "float32" and view.frames["dtype"] == "int8"
    np.testing.assert_array_equal(frames[1], [0, 1, 3])


def test_set_snapshots_sends_one_message(monkeypatch):
    view = filled()
    sent = []
    # hold_sync hands over its set of names and clears it afterwards: keep a copy.
    monkeypatch.setattr(view, "send_state", lambda key=None: sent.append(set(key or ())))
    view.set_snapshots(0.9 * POSITIONS, SPECIES_CODES[:2], labels=LABELS[:2], radius_nm=2.0,
                       core_radius_nm=1.0)  # fmt: skip
    assert len(sent) == 1
    assert {"xy", "frames", "frame_labels", "radius_nm", "frame_index"} <= set(sent[0])


# --- frame index -----------------------------------------------------------------------------


def test_frame_index_resets_to_the_last_frame():
    view = filled()
    assert view.frame_index == 2
    view.show_frame(0)
    view.set_snapshots(POSITIONS, SPECIES_CODES[:2], labels=LABELS[:2], radius_nm=2.5,
                       core_radius_nm=1.5)  # fmt: skip
    assert view.frame_index == 1


def test_show_frame_stops_playback_and_counts_from_the_end():
    view = filled()
    view.playing = True
    view.show_frame(-3)
    assert view.frame_index == 0 and not view.playing
    view.show_frame(np.int64(1))
    assert view.frame_index == 1


@pytest.mark.parametrize("index", [3, -4, 1.0, True, "1"])
def test_show_frame_rejects_what_is_not_a_frame(index):
    view = filled()
    with pytest.raises(ValueError, match=r"index"):
        view.show_frame(index)
    assert view.frame_index == 2


def test_show_frame_names_the_range():
    with pytest.raises(ValueError, match=r"index = 5 is outside the allowed range \[-3, 2\]"):
        filled().show_frame(5)


def test_frame_index_from_the_browser_is_clamped_not_refused():
    view = filled()
    # A frame of earlier, longer snapshots may arrive after new ones were sent.
    view.set_state({"frame_index": 17})
    assert view.frame_index == 2
    view.set_state({"frame_index": 1})
    assert view.frame_index == 1


def test_fewer_frames_pull_the_index_back():
    view = filled()
    view.frames = view.frames | {"shape": [1, 3], "buffer": view.frames["buffer"][:3]}
    assert view.frame_index == 0


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(positions_nm=POSITIONS[:, :2]), r"positions_nm must have shape \(n, 3\) in nm"),
        (dict(positions_nm=np.full((5, 3), np.nan)), r"positions_nm must hold finite numbers"),
        (dict(species=SPECIES_CODES[:, :4]), r"species must have shape \(m, n\) = \(snapshots, 5"),
        (dict(species=SPECIES_CODES[0]), r"species must have shape \(m, n\)"),
        (dict(species=SPECIES_CODES.astype(float)), r"species must hold integer codes"),
        (dict(species=SPECIES_CODES[:0]), r"species holds no snapshot"),
        (dict(species=SPECIES_CODES + 2), r"species\[0, 0\] = 5 is outside the allowed range "
                                          r"\[0, 4\] of species codes \(vacancy, Gd"),
        (dict(species=SPECIES_CODES - 1), r"species\[0, 2\] = -1 is outside"),
        (dict(labels=LABELS[:2]), r"labels has 2 entries but species has 3 snapshots"),
        (dict(labels="abc"), r"labels must be a list of str"),
        (dict(labels=["a", "b", 3]), r"labels\[2\] must be a str"),
        (dict(radius_nm=0.0), r"radius_nm = 0.0 nm is outside the allowed range \(0, 1000\] nm"),
        (dict(core_radius_nm=3.0), r"core_radius_nm = 3.0 nm is outside the allowed range "
                                   r"\[0, 2.5\] nm"),
        (dict(half_thickness_nm=0.0), r"half_thickness_nm = 0.0 nm is outside the allowed "
                                      r"range \(0, 2.5\] nm"),
        (dict(half_thickness_nm=3.0), r"half_thickness_nm = 3.0 nm .* \(0, 2.5\] nm"),
        (dict(half_thickness_nm="thin"), r"half_thickness_nm must be a number in nm"),
        (dict(axis="w"), r"axis must be one of \['x', 'y', 'z'\], got 'w'"),
        (dict(positions_nm=POSITIONS + np.array([0, 0, 5]), radius_nm=10.0), r"no site lies within "
                                                                   r"half_thickness_nm = 0.35 nm"),
    ],
)  # fmt: skip
def test_invalid_input_names_the_field_and_leaves_the_widget_unchanged(change, message):
    view = filled()
    before = view.get_state()
    args = dict(
        positions_nm=POSITIONS,
        species=SPECIES_CODES,
        labels=LABELS,
        radius_nm=2.5,
        core_radius_nm=1.5,
    )
    args.update(change)
    with pytest.raises(ValueError, match=message):
        view.set_snapshots(
            args.pop("positions_nm"), args.pop("species"), **args
        )
    after = view.get_state()
    assert after["frame_labels"] == before["frame_labels"]
    assert after["frame_index"] == before["frame_index"] == 2
    np.testing.assert_array_equal(wire(view, "frames"), SPECIES_CODES[:, :3])


def test_codes_are_checked_against_the_current_species_names():
    view = LatticeSliceAnimation(species_names=["vacancy", "host"], species_colors=["#000000",
                                                                                    "#cccccc"])
    with pytest.raises(ValueError, match=r"\[0, 1\] of species codes \(vacancy, host\)"):
        view.set_snapshots(POSITIONS, SPECIES_CODES, labels=LABELS, radius_nm=2.5,
                           core_radius_nm=1.5)  # fmt: skip


@pytest.mark.parametrize("fps", [0.5, 121, float("nan")])
def test_fps_range(fps):
    with pytest.raises(ValueError, match=r"fps = .* frames/s is outside the allowed range "
                                         r"\[1, 120\] frames/s"):  # fmt: skip
        LatticeSliceAnimation(fps=fps)
    assert LatticeSliceAnimation(fps=120).fps == 120


def test_colors_and_names_are_checked():
    with pytest.raises(ValueError, match=r"species_colors\[1\] must be '#rrggbb', got 'grey'"):
        LatticeSliceAnimation(species_colors=["#000000", "grey"])
    with pytest.raises(ValueError, match=r"species_names\[0\] must be a non-empty string"):
        LatticeSliceAnimation(species_names=[" "])


def test_wire_traits_only_take_array_messages():
    view = LatticeSliceAnimation()
    with pytest.raises(ValueError, match=r"xy must be an array_to_bytes message"):
        view.xy = {"x": [1, 2]}
    with pytest.raises(ValueError, match=r"frames must be a int8 array of 2 dimensions"):
        view.frames = view.xy


def test_error_message_is_synced():
    view = filled()
    view.error = "annealing failed: T out of range"
    assert view.get_state()["error"] == "annealing failed: T out of range"


# --- labels ----------------------------------------------------------------------------------


def test_snapshot_labels_pick_a_readable_unit():
    assert snapshot_labels([0, 1, 2, 3], [0.4, 89.0, 5399.0, 7200.0]) == [
        "step 0 · 0 s",
        "step 1 · 89 s",
        "step 2 · 90 min",
        "step 3 · 2.0 h",
    ]
    with pytest.raises(ValueError, match=r"snapshot_steps has 2 entries but snapshot_time_s has 1"):
        snapshot_labels([0, 1], [0.0])


# --- the bundled ES module -------------------------------------------------------------------


def test_esm_is_one_module_without_relative_imports():
    esm = LatticeSliceAnimation()._esm
    assert esm == bundle_esm("lattice_slice.js")
    assert "export default" in esm
    assert not re.search(r"""(import|from)\s*["']\.{1,2}/""", esm)
    assert "function frameAtTime" in esm and "function fromBuffer" in esm
    assert "function createFrame" in esm


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_bundled_esm_loads_in_node(tmp_path):
    (tmp_path / "slice.mjs").write_text(LatticeSliceAnimation._esm, encoding="utf-8")
    (tmp_path / "check.mjs").write_text(
        'const mod = await import("./slice.mjs");\nconsole.log(typeof mod.default.render);\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [NODE, str(tmp_path / "check.mjs")], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "function"
