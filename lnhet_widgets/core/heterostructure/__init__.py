"""One heterostructure design carried through every model: :class:`Heterostructure` (the
design, its mapping onto each model's params, the models run on it, their results cached).
"""

from ._cache import CACHE_SIZE
from .design import SHELLS, Heterostructure
from .xrd_pattern import XrdPattern

__all__ = ["CACHE_SIZE", "SHELLS", "Heterostructure", "XrdPattern"]
