"""Interactive labs and the parts they are built from (ipywidgets 8, nglview, bqplot, anywidget).

By role: :mod:`~lnhet_widgets.widgets.labs` (one lab per lesson),
:mod:`~lnhet_widgets.widgets.parts` (what the labs are built from) and
:mod:`~lnhet_widgets.widgets.custom` (the anywidget front ends served from ``js/widgets/``).
Importing it registers :func:`~lnhet_widgets.widgets.parts.show_sweep_progress` as the
notebook progress bar of :func:`~lnhet_widgets.core.sweeps.sweep`.

Examples
--------
>>> from lnhet_widgets.widgets import MismatchLab
>>> lab = MismatchLab()
>>> lab.params.shell
'CsPbBr3'
"""

from lnhet_widgets.core.sweeps import register_notebook_progress

from .custom import EnergyLevelDiagram, LatticeSliceAnimation, ToleranceGauge
from .labs import (
    AnalysisLab,
    AnnealingLab,
    GrowthLab,
    MismatchLab,
    MismatchParams,
    MismatchResult,
    TransferLab,
)
from .parts import (
    NumericQuiz,
    ParameterPanel,
    Quiz,
    SavableLab,
    SaveLoadBar,
    StatusLine,
    StructureView,
    check_exercise,
    hidden_answer,
    param,
    show_sweep_progress,
)

# sweep(..., progress=True) in a notebook shows the bar with a Stop button (the core cannot
# import widgets, so the widget layer offers it).
register_notebook_progress(show_sweep_progress)

__all__ = [
    "AnalysisLab",
    "AnnealingLab",
    "EnergyLevelDiagram",
    "GrowthLab",
    "LatticeSliceAnimation",
    "MismatchLab",
    "MismatchParams",
    "MismatchResult",
    "NumericQuiz",
    "ParameterPanel",
    "Quiz",
    "SavableLab",
    "SaveLoadBar",
    "StatusLine",
    "StructureView",
    "ToleranceGauge",
    "TransferLab",
    "check_exercise",
    "hidden_answer",
    "param",
]
