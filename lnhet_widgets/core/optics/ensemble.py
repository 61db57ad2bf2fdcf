"""Samples as mixtures of particle classes (SCIENCE §7): the spectrum of a sample is the sum
over its classes — heterostructures, bare cores, free perovskite nanocrystals — weighted by
their numbers.

:meth:`Sample.from_growth` turns a seeded-growth result (§4) into such a sample: the coated
cores become one heterostructure class (mean core diameter and mean cube edge), the uncoated
cores a bare class, the free nanocrystals a perovskite class. Heterostructures holding more
than one core are represented by one core in the mean cube, a simplification that keeps the
coupling per core.

Examples
--------
>>> from lnhet_widgets.core.optics import TransferParams
>>> bare = Sample((("bare", TransferParams(), 1.0),))
>>> lines = bare.lines(excitation_nm=980, power_w_cm2=100.0)
>>> bool(lines["Tm 1G4→3H6"] > 0)
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._base.validate import check_range
from .perovskite_constants import bulk_trap_density_nm3
from .transfer_params import TransferParams
from .transfer_solvers import steady_state

__all__ = ["Sample"]


@dataclass(frozen=True)
class Sample:
    """Particle classes ``(label, TransferParams, number)``; numbers are relative (e.g. per
    core of the reaction).

    Examples
    --------
    >>> Sample((("bare", TransferParams(), -1.0),))
    Traceback (most recent call last):
    ...
    ValueError: number of class 'bare' = -1.0 is outside the allowed range [0, 1e+12]
    """

    classes: tuple

    def __post_init__(self):
        if not self.classes:
            raise ValueError("a sample needs at least one particle class")
        for label, params, number in self.classes:
            if not isinstance(params, TransferParams):
                raise ValueError(f"class {label!r} needs TransferParams, got {type(params)}")
            check_range(f"number of class {label!r}", number, "", 0.0, 1e12)

    @classmethod
    def from_growth(cls, result, *, lanthanide: TransferParams | None = None) -> Sample:
        """The sample a seeded-growth reaction made, per core of the reaction.

        Parameters
        ----------
        result : GrowthResult
            Output of :func:`lnhet_widgets.core.growth.simulate_growth`.
        lanthanide : TransferParams, optional
            Rate constants of the cores (default ``TransferParams()``); the host, its Yb and
            Tm fractions, the core diameter, the perovskite geometry and its bulk trap density
            (:func:`~lnhet_widgets.core.optics.bulk_trap_density_nm3` at the
            reaction temperature) come from ``result``.
        """
        base = lanthanide or TransferParams()
        n_cores = result.core_diameters_nm.size
        coated = result.core_coated
        classes = []
        dopants = dict(result.params.dopants)
        # the shells and the free nanocrystals grew in the same reaction: the same bulk traps
        host = dict(host=result.params.core, perovskite=result.params.shell,
                    yb_fraction=dopants.get("Yb", 0.0), tm_fraction=dopants.get("Tm", 0.0),
                    bulk_defects_nm3=bulk_trap_density_nm3(result.params.temperature_c))
        if coated.any():
            diameter = float(result.core_diameters_nm[coated].mean())
            edge = max(float(result.edge_lengths_nm.mean()), diameter)
            classes.append(("heterostructure", dataclasses.replace(
                base, **host, core_diameter_nm=diameter, perovskite_edge_nm=edge,
                contact_factor=1.0), float(coated.mean())))
        if (~coated).any():
            diameter = float(result.core_diameters_nm[~coated].mean())
            classes.append(("bare core", dataclasses.replace(
                base, **host, core_diameter_nm=diameter, perovskite_edge_nm=0.0),
                float((~coated).mean())))
        if result.free_counts.sum() > 0:
            edge = float(np.average(result.free_edge_lengths_nm, weights=result.free_counts))
            classes.append(("free perovskite", dataclasses.replace(
                base, **host, core_diameter_nm=0.0, perovskite_edge_nm=edge),
                float(result.free_counts.sum() / n_cores)))
        return cls(tuple(classes))

    def results(self, *, excitation_nm: float, power_w_cm2: float):
        """Steady state of every class: a list of ``(label, number, TransferResult)``."""
        return [(label, number, steady_state(params, excitation_nm=excitation_nm,
                                             power_w_cm2=power_w_cm2))
                for label, params, number in self.classes]

    def lines(self, *, excitation_nm: float, power_w_cm2: float) -> dict:
        """Number-weighted emission per line label (photons s⁻¹ summed over the sample)."""
        total = {}
        for _, number, result in self.results(excitation_nm=excitation_nm,
                                              power_w_cm2=power_w_cm2):
            for label, value in zip(result.line_labels, result.intensities[0], strict=True):
                total[label] = total.get(label, 0.0) + number * value
        return total

    def spectrum(self, wavelength_nm, *, excitation_nm: float, power_w_cm2: float):
        """Number-weighted emission spectrum on ``wavelength_nm`` (photons s⁻¹ nm⁻¹)."""
        wl = np.asarray(wavelength_nm, dtype=float)
        return sum(number * result.spectrum(wl) for _, number, result in self.results(
            excitation_nm=excitation_nm, power_w_cm2=power_w_cm2))
