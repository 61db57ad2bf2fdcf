"""Practice measurements for lesson 5, made by the course's models with noise.

No measured spectra, powder patterns or size lists come with the course, so lesson 5 and
AnalysisLab ("Load practice data") offer these instead: each is the text of a CSV file as an
instrument would export it, made by a model of lessons 1–4 with seeded noise, so every student
and every run gets the same file.

===============  =======================================================================
kind             what the file holds
===============  =======================================================================
``absorbance``   absorbance of a CsPbBr3 dispersion, 2.20–2.90 eV (band gap 2.42 eV)
``dilution``     the PL peak of a dilution series, 1 to 10⁻³ mg/mL (for ``ecp``)
``xrd``          powder pattern (Cu Kα) of P1's α-NaYF4@CsPbBr3: 4.9 nm core, 10.4 nm cube
``sizes``        edge lengths of the heterostructures of one simulated P1 β-LnNP reaction
===============  =======================================================================

Examples
--------
>>> from lnhet_widgets.io import read_table
>>> data = practice_data("absorbance")
>>> data.name, data.label
('CsPbBr3_absorbance.csv', 'CsPbBr3 absorbance (Tauc gap)')
>>> table = read_table(data.content, name=data.name)
>>> table.columns, table.units, table.data.shape
(('Energy', 'Absorbance'), ('eV', ''), (351, 2))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from ..optics import absorption_spectrum, dilution_series
from .design import Heterostructure

__all__ = ["PRACTICE_KINDS", "PracticeData", "practice_data"]

#: The practice files, by kind: the label a person reads.
PRACTICE_KINDS = {
    "absorbance": "CsPbBr3 absorbance (Tauc gap)",
    "dilution": "CsPbBr3 dilution series (ECP)",
    "xrd": "α-NaYF4@CsPbBr3 powder pattern (XRD)",
    "sizes": "edge lengths of one P1 reaction (sizes)",
}
_SEED = 2025
_GAP_EV = 2.42  # the band gap of bulk CsPbBr3 the spectra are made with


@dataclass(frozen=True)
class PracticeData:
    """One practice file: its file ``name``, a ``label`` to show, the ``content`` (bytes)."""

    kind: str
    name: str
    label: str
    content: bytes


def _csv(header: str, *columns) -> bytes:
    rows = "\n".join(",".join(f"{value:.6g}" for value in row)
                     for row in zip(*columns, strict=True))
    return (header + "\n" + rows + "\n").encode()


def _absorbance(rng) -> bytes:
    energy_ev = np.linspace(2.20, 2.90, 351)
    absorbance = absorption_spectrum(energy_ev, gap_ev=_GAP_EV)
    noisy = absorbance + 0.003 * absorbance.max() * rng.standard_normal(energy_ev.size)
    return _csv("Energy (eV),Absorbance", energy_ev, noisy)


def _dilution(rng) -> bytes:
    series = dilution_series(np.geomspace(1.0, 1e-3, 7), gap_ev=_GAP_EV)
    return _csv("Concentration (mg/mL),PL peak (nm)", series.concentrations,
                series.peak_nm + rng.normal(0.0, 0.05, series.peak_nm.size))


def _xrd(rng) -> bytes:
    # Debye scattering of the built particle (about a second), Poisson counts on a background.
    pattern = Heterostructure(core="alpha-NaYF4", core_diameter_nm=4.9,
                              shell_edge_nm=10.4).xrd()
    counts = rng.poisson(2000 * pattern.intensity[0] / pattern.intensity[0].max() + 50)
    return _csv("2theta (deg),Intensity (counts)", pattern.two_theta_deg, counts)


def _sizes(rng) -> bytes:
    edges_nm = Heterostructure().grow().edge_lengths_nm  # P1's β-LnNP@CsPbBr3 reaction
    # 0.3 nm: the scatter of measuring an edge on a TEM image
    return _csv("Edge (nm)", np.round(edges_nm + rng.normal(0.0, 0.3, edges_nm.size), 2))


_MAKERS = {"absorbance": (_absorbance, "CsPbBr3_absorbance.csv"),
           "dilution": (_dilution, "CsPbBr3_dilution.csv"),
           "xrd": (_xrd, "alpha-NaYF4@CsPbBr3.xy"),
           "sizes": (_sizes, "edges.csv")}


@cache
def practice_data(kind: str) -> PracticeData:
    """The practice file of ``kind`` (a key of :data:`PRACTICE_KINDS`), made once per process.

    Each kind has its own seeded noise, so a file does not change when another is made first.

    Raises
    ------
    ValueError
        For an unknown kind (the message lists the kinds).

    Examples
    --------
    >>> practice_data("sizes").name
    'edges.csv'
    >>> practice_data("spectra")
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of absorbance, dilution, xrd, sizes; got 'spectra'
    """
    if kind not in _MAKERS:
        raise ValueError(f"kind must be one of {', '.join(PRACTICE_KINDS)}; got {kind!r}")
    make, name = _MAKERS[kind]
    return PracticeData(kind, name, PRACTICE_KINDS[kind], make(np.random.default_rng(_SEED)))
