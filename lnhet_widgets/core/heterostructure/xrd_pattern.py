"""Powder patterns of a design (:class:`XrdPattern`), the result of
:meth:`Heterostructure.xrd <lnhet_widgets.core.heterostructure.Heterostructure.xrd>`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._base.results import ResultIO, write_csv

__all__ = ["XrdPattern"]


@dataclass(frozen=True)
class XrdPattern(ResultIO):
    """Powder patterns of a design, one row per label
    (:meth:`~lnhet_widgets.core.heterostructure.Heterostructure.xrd`).

    Attributes
    ----------
    two_theta_deg : ndarray (n,)
        Angles 2θ, degrees.
    intensity : ndarray (m, n)
        ``intensity[k]`` is the pattern of ``labels[k]``: for ``method="debye"`` one row, the
        built particle in electron units squared
        (:func:`~lnhet_widgets.core.crystal.debye_pattern`); for ``method="bulk"`` the core's and
        the shell's bulk patterns, each normalised to a maximum of 100
        (:func:`~lnhet_widgets.core.crystal.powder_pattern`).
    labels : tuple of str
        ``("heterostructure",)`` or ``(core key, shell key)``.
    method : str
    wavelength_a : float
        X-ray wavelength, Å.
    """

    two_theta_deg: np.ndarray
    intensity: np.ndarray
    labels: tuple[str, ...]
    method: str
    wavelength_a: float

    def __getitem__(self, label: str) -> np.ndarray:
        """The pattern of one label."""
        if label not in self.labels:
            raise KeyError(f"{label!r} is not one of {self.labels}")
        return self.intensity[self.labels.index(label)]

    def to_csv(self, path=None) -> str:
        """Columns ``two_theta_deg`` and one per label; returns the CSV text."""
        return write_csv({"two_theta_deg": self.two_theta_deg,
                          **dict(zip(self.labels, self.intensity, strict=True))}, path)
