"""IonView: the ions of a particle in 3D (nglview), each coloured by a value of its own.

The per-ion model gives every Yb³⁺ and Tm³⁺ its own populations and emission; this view puts
them where they sit in the particle. The ions that carry the value (the emitters of a line)
are drawn as large spheres on a colour scale, the others small and grey, so that a student
sees at once whether the light comes from the centre or from the surface.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from ase import Atoms

from ..._nglview_compat import ensure_frontend_version
from ._pdb import atoms_to_pdb
from .structure_view import retire_ngl_widget, sized_ngl_view

__all__ = ["IonView", "colour_steps"]

# NGL's colour scale for B-factors, from low (pale) to high (dark red); 0–99 is the B-factor
# range that atoms_to_pdb writes.
_COLOUR_SCALE = "OrRd"
_DOMAIN = [0, 99]
_VALUE_CHAIN, _OTHER_CHAIN = "V", "O"
_OTHER_COLOUR = "#9a9a9a"


def colour_steps(values: np.ndarray, *, log_decades: float = 3.0) -> np.ndarray:
    """Map non-negative ``values`` to whole colour steps 0–99, on a log scale over the top
    ``log_decades`` decades (emission per ion spans orders of magnitude between the centre
    and the surface of a particle); values at or below ``max/10^log_decades`` get 0.

    Examples
    --------
    >>> colour_steps(np.array([1e-5, 1e-2, 0.1, 1.0])).tolist()
    [0.0, 33.0, 66.0, 99.0]
    >>> colour_steps(np.zeros(3)).tolist()
    [0.0, 0.0, 0.0]
    """
    values = np.asarray(values, dtype=float)
    top = values.max(initial=0.0)
    if top <= 0:
        return np.zeros(values.shape)
    with np.errstate(divide="ignore"):
        decades = np.log10(np.maximum(values, 0.0) / top)
    return np.rint(np.clip(1.0 + decades / log_decades, 0.0, 1.0) * 99.0)


class IonView(widgets.VBox):
    """3D view of ions (positions in nm), the chosen ones coloured by a value, with a caption.

    Parameters
    ----------
    height_px : int
        Height of the 3D canvas.

    Examples
    --------
    >>> view = IonView()
    >>> positions = np.array([[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.6, 0.0]])
    >>> view.show(positions, ["Yb", "Tm", "Yb"], np.array([1.0, 0.0, 0.01]),
    ...           coloured=np.array([True, False, True]), label="980 nm emission")
    >>> view.n_drawn
    3
    """

    def __init__(self, *, height_px: int = 380):
        ensure_frontend_version()
        import nglview

        self._height_px = height_px
        self.view = sized_ngl_view(nglview.NGLWidget(), height_px)
        self.caption = widgets.HTML()
        self.n_drawn = 0
        super().__init__([self.view, self.caption], layout={"width": "100%"})
        self.add_class("lnhet-ion-view")

    def show(self, positions_nm: np.ndarray, species, values: np.ndarray, *,
             coloured: np.ndarray, label: str) -> None:
        """Draw the ions: those where ``coloured`` is True by ``values`` (log colour scale),
        the others small and grey; ``label`` names the value in the caption."""
        import nglview

        positions = np.asarray(positions_nm, dtype=float)
        coloured = np.asarray(coloured, dtype=bool)
        if positions.ndim != 2 or positions.shape[1] != 3 or len(positions) == 0:
            raise ValueError(f"positions_nm must be (n, 3) positions in nm, got shape "
                             f"{positions.shape}")
        if not (len(species) == len(values) == len(coloured) == len(positions)):
            raise ValueError("species, values and coloured need one entry per ion")
        atoms = Atoms(symbols=list(species), positions=positions * 10.0)  # nm → Å
        atoms.arrays["chain"] = np.where(coloured, _VALUE_CHAIN, _OTHER_CHAIN)
        atoms.arrays["bfactor"] = np.where(coloured, colour_steps(np.where(coloured, values,
                                                                            0.0)), 0.0)
        # A new structure gets a new nglview widget (see StructureView._reload: nglview loads
        # files asynchronously, and representation calls on a loading component fail).
        old = self.view
        self.view = sized_ngl_view(nglview.show_text(atoms_to_pdb(atoms), default=False),
                                   self._height_px)
        self.view.add_representation("spacefill", selection=f":{_VALUE_CHAIN}", component=0,
                                     color_scheme="bfactor", color_scale=_COLOUR_SCALE,
                                     color_domain=_DOMAIN, radius_scale=0.9)
        self.view.add_representation("spacefill", selection=f":{_OTHER_CHAIN}", component=0,
                                     color=_OTHER_COLOUR, radius_scale=0.35)
        self.view.center()
        self.children = (self.view, self.caption)
        retire_ngl_widget(old)
        self.n_drawn = len(positions)
        self.caption.value = (
            f"<small>{int(coloured.sum()):,} ions coloured by {label} (pale → dark red: "
            f"three decades up to the brightest ion), {int((~coloured).sum()):,} others "
            f"grey</small>")

    def handle_resize(self) -> None:
        """Redraw after the view became visible (nglview is blank in a hidden tab until then)."""
        self.view.handle_resize()
