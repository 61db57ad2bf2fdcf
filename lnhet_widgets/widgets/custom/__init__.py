"""Custom front-end widgets (anywidget) whose ES modules live in ``js/widgets/``: the tolerance
gauge, the energy-level diagram, the lattice-slice animation, the fit-window slider.
"""

from ._window_slider import WindowSlider
from .gauge import ToleranceGauge
from .lattice_slice import (
    AXES,
    SPECIES_COLORS,
    LatticeSliceAnimation,
    snapshot_labels,
)
from .level_diagram import KINDS, LEVEL_STYLES, EnergyLevelDiagram

__all__ = [
    "AXES",
    "KINDS",
    "LEVEL_STYLES",
    "SPECIES_COLORS",
    "EnergyLevelDiagram",
    "LatticeSliceAnimation",
    "ToleranceGauge",
    "WindowSlider",
    "snapshot_labels",
]
