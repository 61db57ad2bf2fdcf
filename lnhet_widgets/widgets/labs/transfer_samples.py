"""The samples TransferLab offers and what each sets in a TransferParams: P1's bare LnNPs, the
physical mixture with free CsPbBr3 cubes, and the β- and α-LnNP@CsPbBr3 heterostructures.
"""

from __future__ import annotations

import dataclasses

from lnhet_widgets.core.optics import (
    BULK_TRAP_DENSITY_NM3,
    P1_SAMPLES,
    BleachParams,
    TransferParams,
)

__all__ = ["FREE_PEROVSKITE", "MIXTURE", "SAMPLES"]

#: Samples of P1 and what each sets in :class:`TransferParams`. Bare LnNPs and the physical
#: mixture keep the current core (so that one core can be compared in every form); the
#: heterostructures are P1's β-LnNP@ (7.1 nm β-NaGd0.69F4:Yb0.3,Tm0.01 core, 16.7 nm cube)
#: and α-LnNP@ (7.2 nm α-NaY0.69F4:Yb0.3,Tm0.01 core, 14.3 nm cube; P1 methods, SCIENCE
#: §1). "custom heterostructure" is what the lab shows when ``params`` set from code has a
#: perovskite shell that is neither of them.
SAMPLES = {
    "bare LnNPs": {"perovskite_edge_nm": 0.0, "contact_factor": 1.0},
    "physical mixture with CsPbBr3": {"perovskite_edge_nm": 0.0, "contact_factor": 0.0},
    "β-LnNP@CsPbBr3": {"host": "beta-NaGdF4", "core_diameter_nm": 7.1, "yb_fraction": 0.3,
                       "tm_fraction": 0.01, "perovskite_edge_nm": 16.7, "contact_factor": 1.0},
    "α-LnNP@CsPbBr3": {"host": "alpha-NaYF4", "core_diameter_nm": 7.2, "yb_fraction": 0.3,
                       "tm_fraction": 0.01, "perovskite_edge_nm": 14.3, "contact_factor": 1.0},
    "custom heterostructure": {},
}
MIXTURE = "physical mixture with CsPbBr3"
_PRESETS = ("β-LnNP@CsPbBr3", "α-LnNP@CsPbBr3")
#: The free CsPbBr3 nanocrystal of a physical mixture (9.5 nm cubes: P1 gives no size), with
#: the bulk traps of P1's pure-CsPbBr3 synthesis at 180 °C.
FREE_PEROVSKITE = TransferParams(core_diameter_nm=0.0, perovskite_edge_nm=9.5,
                                 bulk_defects_nm3=BULK_TRAP_DENSITY_NM3)
#: Fields the lab's composition controls edit: a preset keeps its name when only they change.
COMPOSITION_FIELDS = ("yb_fraction", "tm_fraction", "core_diameter_nm")


def _bleach_sample(p: TransferParams, sample: str) -> BleachParams | None:
    """The perovskite whose bleach the lab shows, or None for bare LnNPs.

    A physical mixture's perovskite is P1's pure cubes (``P1_SAMPLES["pure"]``). A
    heterostructure is P1's β-LnNP@ class (220 °C growth, model constants) with the lab's core
    phase, cube edge and core diameter; its lanthanide channel follows the lab's Yb fraction
    and, like every heterostructure channel of SCIENCE §7, the contact factor. At the lab's
    defaults
    the two presets are ``P1_SAMPLES["beta"]`` and ``P1_SAMPLES["alpha"]``.
    """
    if sample == MIXTURE:
        return P1_SAMPLES["pure"]
    if not p.has_perovskite:
        return None
    base = P1_SAMPLES["beta"]
    return dataclasses.replace(
        base, edge_nm=p.perovskite_edge_nm, core_diameter_nm=p.core_diameter_nm,
        core_host=p.host, yb_fraction=p.yb_fraction if p.core_diameter_nm else 0.0,
        ln_transfer_rate_ns_nm2=base.ln_transfer_rate_ns_nm2 * p.contact_factor)


def _sample_of(p: TransferParams, default: str) -> str:
    """The sample name that describes ``p``: ``default`` (bare or mixture) without a shell, a
    preset heterostructure (any core size and composition: the composition controls edit the
    preset's core), or "custom heterostructure"."""
    if not p.has_perovskite:
        return default if default in ("bare LnNPs", MIXTURE) else "bare LnNPs"
    for name in _PRESETS:
        preset = SAMPLES[name]
        if all(getattr(p, k) == v for k, v in preset.items() if k not in COMPOSITION_FIELDS):
            return name
    return "custom heterostructure"


def _consistent(p: TransferParams, sample: str) -> bool:
    if sample in ("bare LnNPs", MIXTURE):
        return not p.has_perovskite
    if sample == "custom heterostructure":
        return p.has_perovskite
    return _sample_of(p, "") == sample


def _with_sample(p: TransferParams, sample: str) -> TransferParams:
    """``p`` with the geometry of ``sample`` (a custom heterostructure keeps its own shell,
    or gets β-LnNP@'s when it has none)."""
    if sample not in SAMPLES:
        raise ValueError(f"sample must be one of {list(SAMPLES)}, got {sample!r}")
    changes = SAMPLES[sample]
    if sample == "custom heterostructure" and not p.has_perovskite:
        changes = SAMPLES["β-LnNP@CsPbBr3"]
    return dataclasses.replace(p, **changes)
