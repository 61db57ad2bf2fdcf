"""Interactive labs and the parts they are built from (ipywidgets 8, nglview, bqplot, anywidget).

Examples
--------
>>> from lnhet_widgets.widgets import MismatchLab
>>> lab = MismatchLab()
>>> lab.params.shell
'CsPbBr3'
"""

from .analysis_lab import AnalysisLab
from .annealing_lab import AnnealingLab
from .gauge import ToleranceGauge
from .growth_lab import GrowthLab
from .lattice_slice import LatticeSliceAnimation
from .level_diagram import EnergyLevelDiagram
from .mismatch_lab import MismatchLab, MismatchParams, MismatchResult
from .panel import ParameterPanel, param
from .quiz import Quiz
from .saved import SavableLab, SaveLoadBar
from .solution import hidden_answer
from .status import StatusLine
from .structure_view import StructureView
from .transfer_lab import TransferLab

__all__ = [
    "AnalysisLab",
    "AnnealingLab",
    "EnergyLevelDiagram",
    "GrowthLab",
    "LatticeSliceAnimation",
    "MismatchLab",
    "MismatchParams",
    "MismatchResult",
    "ParameterPanel",
    "Quiz",
    "SavableLab",
    "SaveLoadBar",
    "StatusLine",
    "StructureView",
    "ToleranceGauge",
    "TransferLab",
    "hidden_answer",
    "param",
]
