"""Interactive labs and the parts they are built from (ipywidgets 8, nglview, bqplot, anywidget).

Examples
--------
>>> from lnhet_widgets.widgets import MismatchLab
>>> lab = MismatchLab()
>>> lab.params.shell
'CsPbBr3'
"""

from .gauge import ToleranceGauge
from .growth_lab import GrowthLab
from .level_diagram import EnergyLevelDiagram
from .mismatch_lab import MismatchLab, MismatchParams, MismatchResult
from .panel import ParameterPanel, param
from .quiz import Quiz
from .status import StatusLine
from .structure_view import StructureView
from .transfer_lab import TransferLab

__all__ = [
    "EnergyLevelDiagram",
    "GrowthLab",
    "MismatchLab",
    "MismatchParams",
    "MismatchResult",
    "ParameterPanel",
    "Quiz",
    "StatusLine",
    "StructureView",
    "ToleranceGauge",
    "TransferLab",
    "param",
]
