"""Animated cross-section of an annealing simulation (lesson on core–shell intermixing).

A slab through the centre of the particle, seen along one axis: every cation site of the slab
is a disc in its species' colour, vacancies are hollow rings, and dashed circles mark the core
boundary and the surface. Played over the snapshots of
:func:`lnhet_widgets.core.annealing.anneal`, it shows vacancies carrying Yb and Tm out of the
core into the shell (without docking complexes) or being filled at the surface (with them).

Only the slab travels to the browser, once: site coordinates as a float32 buffer and the
species of every snapshot as one int8 buffer
(:func:`~lnhet_widgets.widgets.custom._assets.array_to_bytes`). Playback runs entirely in the
browser, which reports the frame shown through :attr:`LatticeSliceAnimation.frame_index`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import anywidget
import numpy as np
import traitlets

from lnhet_widgets.core._base.validate import check_range
from lnhet_widgets.core.annealing import SPECIES

from ._assets import array_to_bytes, bundle_esm, empty_array_message

__all__ = ["AXES", "SPECIES_COLORS", "LatticeSliceAnimation", "snapshot_labels"]

#: Colour of every species of :data:`~lnhet_widgets.core.annealing.SPECIES`, in its order:
#: vacancies as a near-black ring, the host ions Gd and Y in quiet grey and light blue, the
#: dopants Yb and Tm in strong orange and violet so that their migration catches the eye.
SPECIES_COLORS = ("#212121", "#9e9e9e", "#81d4fa", "#e65100", "#8e24aa")

#: Axis names for :meth:`LatticeSliceAnimation.set_snapshots`, each with the two in-plane axes
#: (to the right, up) in cyclic order, so that one looks down the chosen axis.
AXES = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}

_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def snapshot_labels(snapshot_steps, snapshot_time_s) -> list[str]:
    """Frame labels such as ``"step 500 · 34 min"`` for the snapshots of an anneal.

    Parameters
    ----------
    snapshot_steps : array_like of int
        MC steps of the snapshots (``AnnealResult.snapshot_steps``).
    snapshot_time_s : array_like of float
        Real annealing time of the snapshots in s (``AnnealResult.snapshot_time_s``); shown in
        s below 90 s, in min below 90 min, else in h.

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If the two have different lengths.

    Examples
    --------
    >>> snapshot_labels([0, 10, 500, 20000], [0.0, 40.3, 2016.2, 80647.7])
    ['step 0 · 0 s', 'step 10 · 40 s', 'step 500 · 34 min', 'step 20000 · 22.4 h']
    """
    steps = np.asarray(snapshot_steps).reshape(-1)
    times = np.asarray(snapshot_time_s, dtype=float).reshape(-1)
    if steps.shape != times.shape:
        raise ValueError(
            f"snapshot_steps has {steps.size} entries but snapshot_time_s has {times.size}; "
            "give one time per snapshot"
        )
    return [
        f"step {int(s)} · {_duration_text(float(t))}" for s, t in zip(steps, times, strict=True)
    ]


def _as_array(name: str, value, unit: str) -> np.ndarray:
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array ({unit}), got {value!r}") from None


class LatticeSliceAnimation(anywidget.AnyWidget):
    """Animated 2-D cross-section of a nanocrystal, one frame per annealing snapshot.

    Fill it with :meth:`set_snapshots`; the browser then plays the frames at :attr:`fps` with
    a play/pause button and a slider, shows each frame's label and the species counts of the
    slice, and reports the frame shown back into :attr:`frame_index` (on pause, while
    scrubbing, and a few times a second while playing). Setting :attr:`error` shows the
    message above the (dimmed) last drawing.

    Parameters
    ----------
    fps : float
        Frames per second of the animation, 1–120 (default 30).
    loop : bool
        Start again at the first frame after the last (default); else playback stops there.
    playing : bool
        Whether the animation runs; the play button sets it too.
    frame_index : int
        Frame shown, 0 … :attr:`n_frames` - 1; other values are clamped into that range.
    species_names, species_colors : list of str
        Name and ``"#rrggbb"`` colour of each species code; default
        :data:`~lnhet_widgets.core.annealing.SPECIES` and :data:`SPECIES_COLORS`.
    title : str
        Heading above the animation; ``""`` hides it.
    error : str
        Message shown in the widget; ``""`` for none.

    Attributes
    ----------
    xy : dict
        Binary message (:func:`~lnhet_widgets.widgets.custom._assets.array_to_bytes`) of the slab's
        site coordinates, float32 ``(k, 2)`` in nm; set by :meth:`set_snapshots`.
    frames : dict
        Binary message of the species codes, int8 ``(m, k)``; set by :meth:`set_snapshots`.
    frame_labels : list of str
        One label per frame, shown under the slider.
    radius_nm, core_radius_nm : float
        Radii of the particle and of its core in nm, drawn as dashed circles.

    Examples
    --------
    >>> from lnhet_widgets.core.annealing import AnnealParams, anneal
    >>> result = anneal(AnnealParams(), steps=20, snapshots=(0, 10, 20), seed=0)
    >>> view = LatticeSliceAnimation(title="Cross-section through the centre")
    >>> view.set_snapshots(
    ...     result.positions_nm, result.species,
    ...     labels=snapshot_labels(result.snapshot_steps, result.snapshot_time_s),
    ...     radius_nm=result.params.diameter_nm / 2,
    ...     core_radius_nm=result.params.core_diameter_nm / 2,
    ... )
    >>> view.n_frames, view.n_sites, view.frame_index
    (3, 572, 2)
    >>> view.frame_labels[1]
    'step 10 · 40 s'
    >>> view.show_frame(0)
    >>> view.frame_index, view.playing
    (0, False)
    >>> view.playing = True  # what the play button does
    """

    _esm = bundle_esm("lattice_slice.js")

    xy = traitlets.Dict(empty_array_message("float32", (0, 2)),
                        help="slab sites, float32 (k, 2), nm").tag(sync=True)
    frames = traitlets.Dict(empty_array_message("int8", (0, 0)),
                            help="species codes, int8 (m, k)").tag(sync=True)
    frame_labels = traitlets.List(traitlets.Unicode(), help="label of every frame").tag(sync=True)
    species_names = traitlets.List(
        traitlets.Unicode(), default_value=list(SPECIES), help="name of every species code"
    ).tag(sync=True)
    species_colors = traitlets.List(
        traitlets.Unicode(), default_value=list(SPECIES_COLORS), help="#rrggbb per species code"
    ).tag(sync=True)
    radius_nm = traitlets.Float(0.0, help="particle radius, nm (0: from the sites)").tag(sync=True)
    core_radius_nm = traitlets.Float(0.0, help="core radius, nm (0: no core circle)").tag(sync=True)
    frame_index = traitlets.Int(0, help="frame shown").tag(sync=True)
    playing = traitlets.Bool(False, help="whether the animation runs").tag(sync=True)
    fps = traitlets.Float(30.0, help="frames per second, 1-120").tag(sync=True)
    loop = traitlets.Bool(True, help="start again after the last frame").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("", help="message shown in the widget").tag(sync=True)

    # --- validation ----------------------------------------------------------------------

    @traitlets.validate("fps")
    def _validate_fps(self, proposal):
        return check_range("fps", proposal["value"], "frames/s", 1.0, 120.0)

    @traitlets.validate("radius_nm", "core_radius_nm")
    def _validate_radius(self, proposal):
        name = proposal["trait"].name
        return check_range(name, proposal["value"], "nm", 0.0, 1000.0)

    @traitlets.validate("frame_index")
    def _validate_frame_index(self, proposal):
        # Clamped, not refused: the browser may still report a frame of the previous snapshots
        # while new ones are on their way, and an exception in the comm handler would only
        # land in the kernel log. show_frame is the checked way to pick a frame.
        return min(max(proposal["value"], 0), max(self.n_frames - 1, 0))

    @traitlets.validate("species_colors")
    def _validate_colors(self, proposal):
        for i, color in enumerate(proposal["value"]):
            if not _COLOR_RE.match(color):
                raise ValueError(f"species_colors[{i}] must be '#rrggbb', got {color!r}")
        return proposal["value"]

    @traitlets.validate("species_names")
    def _validate_names(self, proposal):
        names = proposal["value"]
        for i, name in enumerate(names):
            if not name.strip():
                raise ValueError(f"species_names[{i}] must be a non-empty string")
        return names

    @traitlets.validate("xy", "frames")
    def _validate_message(self, proposal):
        # Only the wire format is checked here; set_snapshots checks the content, and the
        # front end reports xy and frames that disagree about the sites.
        name = proposal["trait"].name
        dtype, ndim = ("float32", 2) if name == "xy" else ("int8", 2)
        message = proposal["value"]
        if not {"buffer", "dtype", "shape"} <= message.keys():
            raise ValueError(
                f"{name} must be an array_to_bytes message; use set_snapshots to fill the widget"
            )
        if message["dtype"] != dtype or len(message["shape"]) != ndim:
            raise ValueError(
                f"{name} must be a {dtype} array of {ndim} dimensions, got {message['dtype']} "
                f"with shape {tuple(message['shape'])}"
            )
        return message

    @traitlets.observe("frames")
    def _keep_frame_index_in_range(self, change):
        self.frame_index = min(self.frame_index, max(self.n_frames - 1, 0))

    # --- API -----------------------------------------------------------------------------

    @property
    def n_frames(self) -> int:
        """Number of frames (snapshots) held, 0 before :meth:`set_snapshots`."""
        return int(self.frames["shape"][0])

    @property
    def n_sites(self) -> int:
        """Number of sites in the slab shown."""
        return int(self.xy["shape"][0])

    def show_frame(self, index: int) -> None:
        """Stop playback and show one frame.

        Parameters
        ----------
        index : int
            Frame index; negative values count from the end, as in Python (-1 is the last).

        Raises
        ------
        ValueError
            If the index is outside [-n_frames, n_frames - 1].

        Examples
        --------
        >>> view = LatticeSliceAnimation()
        >>> positions = np.array([[0.0, 0.0, 0.0], [0.4, 0.0, 0.0]])
        >>> view.set_snapshots(positions, np.array([[1, 0], [0, 1]]), labels=["a", "b"],
        ...                    radius_nm=1.0, core_radius_nm=0.5)
        >>> view.show_frame(-2)
        >>> view.frame_index
        0
        """
        n = self.n_frames
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"index must be an integer frame index, got {index!r}")
        if not -n <= index < n:
            raise ValueError(
                f"index = {index} is outside the allowed range [{-n}, {n - 1}] ({n} frames)"
            )
        with self.hold_sync():
            self.playing = False
            self.frame_index = int(index) % n

    def set_snapshots(
        self,
        positions_nm,
        species,
        *,
        labels: Sequence[str],
        radius_nm: float,
        core_radius_nm: float,
        half_thickness_nm: float = 0.35,
        axis: str = "z",
    ) -> None:
        """Show the slab ``|coordinate along axis| ≤ half_thickness_nm`` of every snapshot.

        The sites of the slab through the centre are projected onto the two other axes (see
        :data:`AXES`) and sent, with their species in every snapshot, in one message. The view
        then shows the last frame.

        Parameters
        ----------
        positions_nm : array_like, shape (n, 3)
            Cation sites relative to the particle's centre, nm (``AnnealResult.positions_nm``).
        species : array_like of int, shape (m, n)
            Species code of every site in every snapshot, 0 … len(species_names) - 1
            (``AnnealResult.species``).
        labels : sequence of str
            One label per snapshot (see :func:`snapshot_labels`).
        radius_nm : float
            Particle radius in nm, in (0, 1000]; the outer dashed circle.
        core_radius_nm : float
            Core radius in nm, in [0, radius_nm]; the inner dashed circle (0: none).
        half_thickness_nm : float
            Half thickness of the slab in nm, in (0, radius_nm]. The default 0.35 nm takes
            about four lattice planes of the β-NaREF4 particles; along z, pairs of them project
            onto the same points.
        axis : {"x", "y", "z"}
            Axis the slab is cut across (the viewing direction).

        Raises
        ------
        ValueError
            Naming the field, its unit and the allowed range or shape: wrong shapes, a number
            of labels other than m, species codes outside the named species, a thickness or
            radius out of range, an unknown axis, or a slab without sites. The widget is then
            unchanged.

        Examples
        --------
        >>> view = LatticeSliceAnimation()
        >>> positions = np.array([[0.0, 0.0, 0.0], [0.3, 0.2, 0.1], [0.0, 0.0, 0.9]])
        >>> species = np.array([[3, 0, 1], [0, 3, 1]], dtype=np.int8)
        >>> view.set_snapshots(positions, species, labels=["start", "end"],
        ...                    radius_nm=1.0, core_radius_nm=0.5)
        >>> view.n_sites, view.n_frames, view.frame_index
        (2, 2, 1)
        >>> view.set_snapshots(positions, species, labels=["start"],
        ...                    radius_nm=1.0, core_radius_nm=0.5)
        Traceback (most recent call last):
        ...
        ValueError: labels has 1 entries but species has 2 snapshots; give one label per snapshot
        """
        if axis not in AXES:
            raise ValueError(f"axis must be one of {sorted(AXES)}, got {axis!r}")
        radius = check_range("radius_nm", radius_nm, "nm", 0.0, 1000.0, low_inclusive=False)
        core = check_range("core_radius_nm", core_radius_nm, "nm", 0.0, radius)
        half = check_range(
            "half_thickness_nm", half_thickness_nm, "nm", 0.0, radius, low_inclusive=False
        )

        positions = _as_array("positions_nm", positions_nm, "nm")
        if positions.ndim != 2 or positions.shape[1] != 3:
            raise ValueError(
                f"positions_nm must have shape (n, 3) in nm, got shape {positions.shape}"
            )
        if not np.issubdtype(positions.dtype, np.number) or not np.all(np.isfinite(positions)):
            raise ValueError("positions_nm must hold finite numbers in nm")
        n = positions.shape[0]

        codes = _as_array("species", species, "species codes")
        if codes.ndim != 2 or codes.shape[1] != n:
            raise ValueError(
                f"species must have shape (m, n) = (snapshots, {n} sites of positions_nm), "
                f"got shape {codes.shape}"
            )
        if codes.dtype == bool or not np.issubdtype(codes.dtype, np.integer):
            raise ValueError(f"species must hold integer codes, got dtype {codes.dtype}")
        m = codes.shape[0]
        if m == 0:
            raise ValueError("species holds no snapshot; give at least one (m ≥ 1)")
        n_species = len(self.species_names)
        bad = np.argwhere((codes < 0) | (codes >= n_species))
        if bad.size:
            snap, site = (int(v) for v in bad[0])
            raise ValueError(
                f"species[{snap}, {site}] = {int(codes[snap, site])} is outside the allowed "
                f"range [0, {n_species - 1}] of species codes ({', '.join(self.species_names)})"
            )

        if isinstance(labels, str) or not isinstance(labels, Sequence):
            raise ValueError(f"labels must be a list of str, one per snapshot, got {labels!r}")
        if len(labels) != m:
            raise ValueError(
                f"labels has {len(labels)} entries but species has {m} snapshots; "
                "give one label per snapshot"
            )
        for i, label in enumerate(labels):
            if not isinstance(label, str):
                raise ValueError(f"labels[{i}] must be a str, got {label!r}")

        across = "xyz".index(axis)
        in_slab = np.abs(positions[:, across]) <= half
        if not in_slab.any():
            raise ValueError(
                f"no site lies within half_thickness_nm = {half:g} nm of the plane {axis} = 0; "
                "increase half_thickness_nm or centre positions_nm on the particle"
            )
        xy = positions[in_slab][:, list(AXES[axis])].astype(np.float32)
        frames = codes[:, in_slab].astype(np.int8)

        with self.hold_sync():
            # frames before frame_index: its validation reads the new number of frames.
            self.xy = array_to_bytes(xy, name="xy")
            self.frames = array_to_bytes(frames, name="frames")
            self.frame_labels = list(labels)
            self.radius_nm = radius
            self.core_radius_nm = core
            self.frame_index = m - 1

    def __repr__(self) -> str:
        # The default widget repr lists every trait, the binary messages included.
        return (
            f"LatticeSliceAnimation(n_frames={self.n_frames}, n_sites={self.n_sites}, "
            f"frame_index={self.frame_index}, playing={self.playing})"
        )
