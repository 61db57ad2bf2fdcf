"""One lab per lesson, each a thin class that wires controls to the core's models and draws
its views: MismatchLab, GrowthLab, AnnealingLab, TransferLab, AnalysisLab.
"""

from .analysis_lab import AnalysisLab
from .annealing_lab import AnnealingLab
from .growth_lab import GrowthLab
from .mismatch_lab import MismatchLab, MismatchParams, MismatchResult
from .transfer_lab import TransferLab

__all__ = [
    "AnalysisLab",
    "AnnealingLab",
    "GrowthLab",
    "MismatchLab",
    "MismatchParams",
    "MismatchResult",
    "TransferLab",
]
