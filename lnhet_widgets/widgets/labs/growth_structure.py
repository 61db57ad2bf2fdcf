"""GrowthLab's 3D model: which particle stands for a growth result (the median
heterostructure, else the median free nanocrystal), when it must be rebuilt, and its caption.
"""

from __future__ import annotations

import dataclasses
import html
import math

from ase import Atoms

from lnhet_widgets.core.growth import GrowthResult

__all__ = ["VIEW_EDGE_CAP_NM", "ViewGeometry", "build_view_atoms", "structure_html",
           "view_geometry"]

# Largest cube edge drawn in 3D by default (GrowthLab.view_edge_cap_nm). A 16 nm CsPbBr3 cube
# with one 7 nm core is ~100,000 atoms (~50,000 drawn after the cutaway): the browser then
# takes about a second to parse and draw each rebuilt model, and a change made meanwhile waits
# for it (median control-to-plot latency 196 ms with 1 s between changes, 68 ms with 3 s). A
# 12 nm cube is ~40 % of that. Larger heterostructures are drawn at this edge.
VIEW_EDGE_CAP_NM = 12.0
# A rebuilt 3D model costs ~0.1–0.5 s and a multi-MB transfer; smaller geometry changes than
# these keep the model on screen.
_REBUILD_EDGE_NM = 0.75
_REBUILD_DIAMETER_NM = 0.4


@dataclasses.dataclass(frozen=True)
class ViewGeometry:
    """What the 3D model shows; a model is rebuilt only when this changes materially."""

    kind: str  # "heterostructure", "free" or "none"
    core: str
    halide: str
    edge_nm: float  # true median edge
    shown_edge_nm: float  # capped at VIEW_EDGE_CAP_NM
    n_cores: int
    diameter_nm: float

    def close_to(self, other: ViewGeometry | None) -> bool:
        return (other is not None and (self.kind, self.core, self.halide, self.n_cores)
                == (other.kind, other.core, other.halide, other.n_cores)
                and abs(self.shown_edge_nm - other.shown_edge_nm) <= _REBUILD_EDGE_NM
                and abs(self.diameter_nm - other.diameter_nm) <= _REBUILD_DIAMETER_NM)


def view_geometry(r: GrowthResult, cap_nm: float) -> ViewGeometry:
    """What the 3D model should show for ``r``, without building atoms."""
    p, g = r.params, r.representative_geometry()
    if g.n_cores:
        return ViewGeometry("heterostructure", p.core, p.halide, g.edge_nm,
                            min(g.edge_nm, cap_nm), g.n_cores, g.core_diameter_nm)
    if not math.isnan(g.free_edge_nm):
        return ViewGeometry("free", "", p.halide, g.free_edge_nm, min(g.free_edge_nm, cap_nm),
                            0, 0.0)
    return ViewGeometry("none", "", "", math.nan, math.nan, 0, 0.0)


def build_view_atoms(r: GrowthResult, g: ViewGeometry, cap_nm: float,
                     seed: int) -> tuple[Atoms | None, int]:
    """Atoms of the representative particle and the number of cores drawn in them."""
    if g.kind == "none":
        return None, 0
    hetero = g.kind == "heterostructure"
    rep = r.representative_structure(max_edge_nm=cap_nm, seed=seed, heterostructure=hetero,
                                     free_nanocrystal=not hetero)
    if hetero:
        return rep.heterostructure, rep.n_cores_shown
    return rep.free_nanocrystal, 0


def structure_html(g: ViewGeometry, cores_drawn: int) -> str:
    """The caption of the 3D model: what it shows, and how it was drawn."""
    if g.kind == "free":
        text = (f"No heterostructures formed. Median free nanocrystal: CsPb{g.halide}3 cube of "
                f"{g.edge_nm:.1f} nm")
    else:
        text = (f"Median heterostructure: {g.edge_nm:.1f} nm cube with {g.n_cores} "
                f"core{'s' if g.n_cores != 1 else ''} of {g.diameter_nm:.1f} nm")
        if cores_drawn != g.n_cores:
            text += f" ({cores_drawn} drawn)"
    if g.shown_edge_nm < g.edge_nm:
        text += (f"; drawn at {g.shown_edge_nm:g} nm to stay light (lab.view_edge_cap_nm "
                 "draws it larger)")
    return f"<b>3D model.</b> {html.escape(text)}."
