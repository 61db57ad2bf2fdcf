"""What a dispersion of annealed particles emits: :func:`ensemble_optical`, the optics of one
particle per seed, averaged (P2's targets A3–A6 compare such ensembles).
"""

from __future__ import annotations

import numpy as np

from ..conditions import P2_POWER_W_CM2
from ..optics import TransferParams
from .optics import AnnealOptics, fitted_450_lifetime_ms
from .params import AnnealParams
from .simulation import _check_integer, anneal

__all__ = ["ensemble_optical"]


def ensemble_optical(params: AnnealParams | None = None, *, steps: int, seeds=range(4),
                     snapshot: int = -1, power_w_cm2: float = P2_POWER_W_CM2,
                     transfer: TransferParams | None = None) -> AnnealOptics:
    """What a dispersion of annealed particles emits: :meth:`AnnealResult.optical` averaged
    over particles annealed with different seeds.

    One particle holds a few dozen Tm ions among a few vacancies each, so its 450 nm line
    scatters tenfold from seed to seed; a measurement sees many particles. The lines and the
    450 nm decay are the means over the particles (the decay of the mixture, from which the
    lifetime is fitted again); the Yb lifetime is the mean of the particles'.

    Parameters
    ----------
    params : AnnealParams, optional
        The particle and its anneal (default: P2's particle, without complexes).
    steps : int
        MC steps of every anneal.
    seeds : iterable of int
        One particle per seed (default four).
    snapshot : int
        0 for the pristine particles, -1 (default) for the annealed ones.
    power_w_cm2, transfer
        As for :meth:`AnnealResult.optical`.

    Returns
    -------
    AnnealOptics

    Examples
    --------
    >>> small = AnnealParams(core_diameter_nm=4.0, complex="Y")
    >>> before = ensemble_optical(small, steps=200, seeds=(0, 1), snapshot=0)
    >>> after = ensemble_optical(small, steps=200, seeds=(0, 1))
    >>> bool(after.lines[450.0] > before.lines[450.0])
    True
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    if snapshot not in (0, -1):
        raise ValueError(f"snapshot must be 0 (pristine) or -1 (annealed), got {snapshot!r}")
    steps = _check_integer("steps", steps, "MC steps", 0, 1_000_000)
    every = [anneal(params, steps=steps, snapshots=(0, steps), seed=seed).optical(
        snapshot, power_w_cm2=power_w_cm2, transfer=transfer) for seed in seeds]
    first = every[0]
    decay = np.mean([o.tm_450_decay for o in every], axis=0)
    return AnnealOptics(
        snapshot_step=first.snapshot_step, power_w_cm2=first.power_w_cm2,
        line_labels=first.line_labels, line_nm=first.line_nm,
        intensities=np.mean([o.intensities for o in every], axis=0),
        decay_time_ms=first.decay_time_ms, tm_450_decay=decay,
        tm_450_lifetime_ms=fitted_450_lifetime_ms(first.decay_time_ms, decay),
        yb_lifetime_us=float(np.mean([o.yb_lifetime_us for o in every])))
