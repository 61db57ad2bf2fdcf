"""Analysis of measurements: decay fits (P1 Eqs. 1–6) and model comparison, Tauc gap and
emission convergence point, powder-pattern peaks and lattices, particle sizes, image profiles.
"""

from .bootstrap import (
    TauAvgBootstrap,
    bootstrap_tau_avg,
)
from .decay_models import (
    DecayModelComparison,
    compare_decay_models,
    runs_test,
)
from .diffraction import (
    bragg_d_spacing,
    scherrer_size,
)
from .fitting import (
    DecayFit,
    ReconvolutionFit,
    fit_decay,
    multi_exponential,
)
from .images import (
    LineProfile,
    line_profile,
    load_image,
)
from .lattice_fit import (
    LatticeFit,
    index_cubic,
    lattice_constant,
)
from .rise_decay_fit import (
    RiseDecayFit,
    fit_rise_decay,
    rise_decay,
)
from .sizes import (
    SizeStatistics,
    size_statistics,
)
from .spectra import (
    EcpResult,
    TaucFit,
    ecp,
    tauc_gap,
)
from .xrd_peaks import (
    XrdPeaks,
    find_xrd_peaks,
)

__all__ = [
    "DecayFit",
    "DecayModelComparison",
    "EcpResult",
    "LatticeFit",
    "LineProfile",
    "ReconvolutionFit",
    "RiseDecayFit",
    "SizeStatistics",
    "TauAvgBootstrap",
    "TaucFit",
    "XrdPeaks",
    "bootstrap_tau_avg",
    "bragg_d_spacing",
    "compare_decay_models",
    "ecp",
    "find_xrd_peaks",
    "fit_decay",
    "fit_rise_decay",
    "index_cubic",
    "lattice_constant",
    "line_profile",
    "load_image",
    "multi_exponential",
    "rise_decay",
    "runs_test",
    "scherrer_size",
    "size_statistics",
    "tauc_gap",
]
