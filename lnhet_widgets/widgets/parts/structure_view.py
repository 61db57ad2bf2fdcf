"""StructureView: an nglview 3D view of a heterostructure with region colours and a cutaway.

It wraps nglview rather than subclassing it (as AiiDAlab's structure viewer does): the
nglview widget is ``view.view`` and the controls around it are ordinary ipywidgets. Large
structures stay light: the shell is drawn as smaller spheres than the core, and the cutaway
(on by default) leaves out the front half of the shell, which halves what the browser draws
and shows the core inside.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np
from ase import Atoms
from ipywidgets.widgets.widget import _instances as open_widgets
from ipywidgets.widgets.widget_link import Link

from ..._nglview_compat import ensure_frontend_version
from ._pdb import CHAIN_OF_REGION, atoms_to_pdb

__all__ = ["StructureView"]

REGION_COLORS = {"core": "#e07b39", "shell": "#4f9d69"}
STYLES = ("spacefill", "ball+stick")
COLOR_MODES = ("element", "region")
# Relative sphere sizes: the shell is drawn lighter so the core stays visible.
_RADIUS_SCALE = {"core": 0.85, "shell": 0.45}
_TILT_QUATERNION = [-0.2147, 0.2647, 0.0606, 0.9381]


#: How long a replaced nglview widget stays open, s. nglview's browser view loads a structure
#: asynchronously and writes back to its model when it is done (component count, camera); a
#: model closed before that makes the browser throw "Syncing error: no comm channel defined"
#: (seen in CI when a new structure replaced one still loading). Replaced views are
#: therefore closed only once this long has passed, at a later replacement.
RETIRE_AFTER_S = 10.0
_retired: list[tuple[float, object]] = []


def retire_ngl_widget(view) -> None:
    """Close ``view`` (an nglview widget just replaced on screen) once its browser view can no
    longer be loading: it is kept open for :data:`RETIRE_AFTER_S`, and every widget retired
    longer ago is closed now (:func:`close_ngl_widget`)."""
    now = time.monotonic()
    _retired.append((now, view))
    while _retired and now - _retired[0][0] >= RETIRE_AFTER_S:
        close_ngl_widget(_retired.pop(0)[1])


def close_ngl_widget(view) -> None:
    """Close an nglview widget together with the frame player nglview made for it.

    nglview links a hidden Play/IntSlider pair to every view with ``jslink``; the links hold
    the view's model id. Closing the view alone leaves those links open and pointing at a
    model that no longer exists, and Voila, which restores every open model of the kernel
    when a page loads, then waits forever and shows "Loading widget..." for the whole page.
    """
    player = view._iplayer
    parts = {view, player, *(player.children if player is not None else ())}
    parts.discard(None)
    # ipywidgets keeps no back-references from a widget to the links that name it, so the
    # links are found in its registry of open widgets.
    for link in [w for w in list(open_widgets.values()) if isinstance(w, Link)]:
        if link.source[0] in parts or link.target[0] in parts:
            link.close()
    for part in parts:
        part.close()


def sized_ngl_view(view, height_px: int):
    """``view`` (an nglview widget) at the full width and ``height_px`` high, with the class
    the browser tests and the tours find 3D views by; returns it."""
    view.layout = widgets.Layout(width="100%", height=f"{height_px}px")
    view.add_class("lnhet-structure-view")
    return view


class StructureView(widgets.VBox):
    """3D view of an :class:`ase.Atoms` heterostructure with its own small toolbar.

    Parameters
    ----------
    atoms : ase.Atoms, optional
        Structure to show; ``atoms.arrays["region"]`` ("core"/"shell") enables region
        colouring and the cutaway (structures without it count as core).
    color_by : {"region", "element"}
        Colour scheme.
    style : {"spacefill", "ball+stick"}
        Representation.
    cutaway : bool
        Leave out the shell atoms in front of the core (z < 0: NGL looks at the particle from −z).
    height_px : int
        Height of the 3D canvas.

    Examples
    --------
    >>> from lnhet_widgets.core.crystal import build_heterostructure
    >>> atoms = build_heterostructure("alpha-NaYF4", 3.0, "CsPbBr3", 6.0, strain=False)
    >>> view = StructureView(atoms, color_by="element")
    >>> view.n_drawn < len(atoms)
    True
    """

    def __init__(self, atoms: Atoms | None = None, *, color_by: str = "region",
                 style: str = "spacefill", cutaway: bool = True, height_px: int = 420):
        ensure_frontend_version()
        import nglview

        self._height_px = height_px
        self.view = sized_ngl_view(nglview.NGLWidget(), self._height_px)
        self._color = widgets.Dropdown(options=COLOR_MODES, value=color_by,
                                       description="Colour", layout={"width": "170px"},
                                       style={"description_width": "50px"})
        self._style = widgets.Dropdown(options=STYLES, value=style, description="Style",
                                       layout={"width": "190px"},
                                       style={"description_width": "40px"})
        self._cutaway = widgets.Checkbox(value=cutaway, description="Cut away front of shell",
                                         indent=False, layout={"width": "190px"})
        self._hide_shell = widgets.Checkbox(value=False, description="Hide shell",
                                            indent=False, layout={"width": "110px"})
        self._save = widgets.Button(description="Save PNG", icon="camera",
                                    layout={"width": "110px"})
        self.caption = widgets.HTML()
        self._color.observe(lambda _c: self._represent(), names="value")
        self._style.observe(lambda _c: self._represent(), names="value")
        self._cutaway.observe(lambda _c: self._reload(), names="value")
        self._hide_shell.observe(lambda _c: self._reload(), names="value")
        self._save.on_click(lambda _b: self.save_image())
        toolbar = widgets.HBox([self._color, self._style, self._cutaway, self._hide_shell,
                                self._save], layout={"flex_flow": "row wrap"})
        super().__init__([toolbar, self.view, self.caption], layout={"width": "100%"})
        self.add_class("lnhet-structure")
        self.atoms: Atoms | None = None
        self.n_drawn = 0
        if atoms is not None:
            self.set_atoms(atoms)

    def set_atoms(self, atoms: Atoms) -> None:
        """Show a new structure (replacing the previous one)."""
        if not isinstance(atoms, Atoms) or len(atoms) == 0:
            raise ValueError("StructureView needs a non-empty ase.Atoms")
        self.atoms = atoms
        self._reload()

    def _visible(self) -> Atoms:
        regions = self.atoms.arrays.get("region", np.full(len(self.atoms), "core"))
        keep = np.ones(len(self.atoms), dtype=bool)
        if self._hide_shell.value:
            keep &= regions != "shell"
        elif self._cutaway.value:
            keep &= ~((regions == "shell") & (self.atoms.positions[:, 2] < 0))
        return self.atoms[keep]

    def _reload(self) -> None:
        if self.atoms is None:
            return
        import nglview

        visible = self._visible()
        # A new structure gets a new nglview widget: nglview loads files asynchronously in the
        # browser, and representation calls on a component that is still loading fail there.
        old = self.view
        self.view = sized_ngl_view(nglview.show_text(atoms_to_pdb(visible), default=False),
                                   self._height_px)
        self.n_drawn = len(visible)
        self._add_representations()
        # A fixed tilt (−0.45 rad about x, then 0.55 rad about y, as a quaternion) shows three
        # faces of the cube and the cut face; then fit the particle to the canvas.
        self.view.control.rotate(_TILT_QUATERNION)
        self.view.center()
        self.children = (self.children[0], self.view, self.caption)
        retire_ngl_widget(old)
        n_core = int((visible.arrays.get("region", np.array([])) == "core").sum())
        self.caption.value = (
            f"<small>{len(self.atoms):,} atoms ({self.n_drawn:,} drawn; "
            f"{n_core:,} in the core)</small>"
        )

    def _add_representations(self) -> None:
        kind = "spacefill" if self._style.value == "spacefill" else "ball+stick"
        for region, chain in CHAIN_OF_REGION.items():
            colour = ({"color_scheme": "element"} if self._color.value == "element"
                      else {"color": REGION_COLORS[region]})
            size = ({"radius_scale": _RADIUS_SCALE[region]} if kind == "spacefill"
                    else {"aspect_ratio": 2.0})
            self.view.add_representation(kind, selection=f":{chain}", component=0,
                                         **colour, **size)

    def _represent(self) -> None:
        if self.atoms is None:
            return
        self.view.clear_representations(component=0)
        self._add_representations()

    def handle_resize(self) -> None:
        """Redraw after the view became visible (nglview is blank in a hidden tab until then)."""
        self.view.handle_resize()

    def watch(self, container: widgets.Box) -> None:
        """Resize whenever ``container`` (a Tab or Accordion holding this view) changes page."""
        container.observe(lambda _change: self.handle_resize(), names="selected_index")

    def save_image(self, filename: str = "heterostructure.png") -> None:
        """Let the browser download a PNG of the current view."""
        self.view.download_image(filename=filename, factor=2, trim=True)
