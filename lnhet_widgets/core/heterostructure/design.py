"""One design of a LnNP@CsPbX3 heterostructure carried through every model (ARCHITECTURE.md).

:class:`Heterostructure` is the research API in the spirit of ASE: a frozen design — the core
(phase, diameter and spread, dopants), the perovskite shell (phase, cube edge), the injection
temperature and the amounts of P1's recipe — whose methods call the models of the core and
return their results. It holds no physics of its own: every method maps the design onto the
params dataclass of one model and calls that model, so a design gives exactly the numbers of
the function called with the mapped params (:meth:`~Heterostructure.growth_params`,
:meth:`~Heterostructure.transfer_params` and :meth:`~Heterostructure.anneal_params` show the
mapping). This module holds the design, its validation and that mapping; the methods that
run the models are in :mod:`~lnhet_widgets.core.heterostructure.runs`.

=====================  ===================  ========================  ========================
design field           GrowthParams         TransferParams            AnnealParams
=====================  ===================  ========================  ========================
core                   core                 host                      core
core_diameter_nm       core_diameter_nm     core_diameter_nm          core_diameter_nm
core_diameter_sd_nm    core_diameter_sd_nm  —                         —
dopants                dopants              yb_fraction, tm_fraction  yb_fraction, tm_fraction
shell                  halide               perovskite                —
shell_edge_nm          — (an outcome)       perovskite_edge_nm        —
temperature_c          temperature_c        —                         —
core_mass_g            core_mass_g          —                         —
pbx2_mmol              pbx2_mmol            —                         —
cs_oleate_ml           cs_oleate_ml         —                         —
time_s                 time_s               —                         —
=====================  ===================  ========================  ========================

Choices, stated so they can be checked:

* **Defaults** are P1's β-LnNP@CsPbBr3 of the heterostructure comparisons (G4, G5, E4–E6):
  a 7.1 ± 0.4 nm β-NaGd0.69F4:Yb0.3,Tm0.01 core in a 16.7 nm CsPbBr3 cube, grown at 220 °C
  from P1's amounts (SCIENCE §1; P1's LnNP40/60, the cores of its lifetime samples, are
  Yb0.2 and are :class:`~lnhet_widgets.core.optics.TransferParams`' own default). The
  default design maps onto TransferLab's "β-LnNP@CsPbBr3" sample field for field.
* **Conditions** are the papers': :meth:`spectrum` and :meth:`decay` at P1's 2 W cm⁻² of
  980 nm (Fig. 2f,g), :meth:`anneal_optics` at P2's 4 W cm⁻².
* **Shell edge.** The cube edge is part of the design, because the optics, the atoms and the
  diffraction need one geometry; the growth model predicts its own edges. :meth:`as_grown`
  returns the design with the mean edge of the simulated heterostructures (the edge that
  :meth:`~lnhet_widgets.core.optics.Sample.from_growth` gives its heterostructure class).
* **Two temperatures.** ``temperature_c`` is the injection temperature of the growth (and of
  :meth:`misfit`). The anneal is P2's post-anneal with its own temperature
  (``AnnealParams.temperature_c``, 300 °C; pass ``temperature_c=`` to :meth:`anneal` to change
  it). :meth:`strain` defaults to 25 °C, the finished particle as the builder and XRD see it.
* **The anneal** is P2's: the lanthanide particle in a coherent fluoride shell, before any
  perovskite (CsPbX3 is not part of that model). Its shell is P2's NaYF4 where it grows
  coherently on the core (β-NaYF4 on a β core), otherwise the core's own host, undoped (an
  α-NaYF4 core gets an α-NaYF4 shell); ``shell=`` and ``shell_thickness_nm=`` override.
* **Dopants** other than Yb and Tm: Y, Gd and Lu are optically inert and ignored by the rate
  equations and the anneal; an optically active dopant the models do not have (Er) makes the
  optics and the anneal refuse the design, rather than silently drop it. Growth, atoms and
  XRD take every RE-site dopant.
* **Overrides.** Every model method takes the model's own fields that the design does not set
  as keyword overrides (``simulated_cores=300``, ``surface_quenching_nm3_s=700``,
  ``vacancy_surface=0.3``); a field the design owns is refused with the name of the design
  field to change with :meth:`with_`, so that one quantity has one place.

Caching: results are kept per full parameter set — the design and every argument of the
call, defaults included — in one least-recently-used store shared by all designs, at most
:data:`~lnhet_widgets.core.heterostructure.CACHE_SIZE` results
(:mod:`~lnhet_widgets.core.heterostructure._cache`). A repeated call returns the identical
object; a changed design or argument computes anew. Cached results are shared, so their
arrays are made read-only; :meth:`~Heterostructure.atoms` returns a fresh copy of its cached
structure, because ``ase.Atoms`` is mutable. :meth:`Heterostructure.cache_info` and
:meth:`Heterostructure.cache_clear` look after the store.

Examples
--------
>>> hs = Heterostructure(core_diameter_nm=4.0)
>>> hs.growth_params().core_diameter_nm, hs.transfer_params().perovskite_edge_nm
(4.0, 16.7)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass

from .._base.params import param
from .._base.validate import check_range
from ..annealing import AnnealParams
from ..crystal import get_material
from ..growth import GrowthParams
from ..growth.params import HALIDES
from ..optics import TransferParams
from .runs import _ModelRuns

__all__ = ["SHELLS", "Heterostructure"]

#: Perovskite shells the growth model makes (one per halide).
SHELLS = tuple(f"CsPb{halide}3" for halide in HALIDES)

_OPTICAL_IONS = ("Yb", "Tm")
# 4f⁰ (Y³⁺), 4f¹⁴ (Lu³⁺) and 4f⁷ (Gd³⁺, first excited level near 311 nm): no level that
# 365, 400 or 980 nm excitation or the Yb/Tm levels reach.
_INERT_IONS = ("Y", "Gd", "Lu")
_ALWAYS_SHOWN = ("core", "core_diameter_nm", "core_diameter_sd_nm", "dopants", "shell",
                 "shell_edge_nm", "temperature_c")

# Model fields the design sets, with the design field that sets each.
_GROWTH_OWNED = {"core": "core", "dopants": "dopants", "core_diameter_nm": "core_diameter_nm",
                 "core_diameter_sd_nm": "core_diameter_sd_nm", "halide": "shell",
                 "temperature_c": "temperature_c", "core_mass_g": "core_mass_g",
                 "pbx2_mmol": "pbx2_mmol", "cs_oleate_ml": "cs_oleate_ml", "time_s": "time_s"}
_TRANSFER_OWNED = {"host": "core", "core_diameter_nm": "core_diameter_nm",
                   "yb_fraction": "dopants", "tm_fraction": "dopants", "perovskite": "shell",
                   "perovskite_edge_nm": "shell_edge_nm"}
_ANNEAL_OWNED = {"core": "core", "core_diameter_nm": "core_diameter_nm",
                 "yb_fraction": "dopants", "tm_fraction": "dopants"}


def _like(cls, name: str, default):
    """A field with ``default`` and the control metadata of ``cls``'s field ``name``."""
    source = {f.name: f for f in dataclasses.fields(cls)}[name]
    return dataclasses.field(default=default, metadata=source.metadata)


def _checked_overrides(model: str, cls, owned: dict, overrides: dict) -> dict:
    fields = {f.name for f in dataclasses.fields(cls)}
    for name in overrides:
        if name in owned:
            raise ValueError(f"{name} of {model} is set by the design's {owned[name]}; change "
                             f"it with design.with_({owned[name]}=...)")
        if name not in fields:
            allowed = sorted(fields - set(owned))
            raise ValueError(f"{name!r} is not a field of {model}; the overrides it takes are "
                             f"{allowed}")
    return overrides


@dataclass(frozen=True, repr=False)
class Heterostructure(_ModelRuns):
    """A LnNP@CsPbX3 design — core, shell, amounts, temperature — and the models run on it.

    The design is immutable and validated at construction; a bad value raises ``ValueError``
    naming the field, its unit and the allowed range (the ranges are those of the models the
    field feeds). :meth:`with_` returns a changed design. The mapping onto the models and the
    choices behind it are in the module docstring of
    :mod:`lnhet_widgets.core.heterostructure.design`.

    Parameters
    ----------
    core : str
        Fluoride phase of the core, e.g. ``"beta-NaGdF4"`` or ``"alpha-NaYF4"``.
    core_diameter_nm, core_diameter_sd_nm : float
        Mean and standard deviation of the core diameter, nm (the spread matters for growth).
    dopants : mapping or pairs
        RE-site fractions of the core, e.g. ``{"Yb": 0.2, "Tm": 0.01}``; Tm at most 0.2.
    shell : str
        Perovskite of the shell: ``"CsPbCl3"``, ``"CsPbBr3"`` or ``"CsPbI3"``.
    shell_edge_nm : float
        Edge of the perovskite cube, nm, larger than the core and at most 40 nm.
    temperature_c : float
        Injection temperature of the growth, °C.
    core_mass_g, pbx2_mmol, cs_oleate_ml, time_s : float
        P1's amounts and reaction time (:class:`~lnhet_widgets.core.growth.GrowthParams`).

    Examples
    --------
    Will a 9 nm β-NaGdF4 core be coated at 220 °C? Not in the growth model; a 4 nm one will:

    >>> hs = Heterostructure(core_diameter_nm=9.0, core_diameter_sd_nm=0.0)
    >>> hs  # doctest: +NORMALIZE_WHITESPACE
    Heterostructure(core='beta-NaGdF4', core_diameter_nm=9.0, core_diameter_sd_nm=0.0,
                    dopants={'Yb': 0.3, 'Tm': 0.01}, shell='CsPbBr3', shell_edge_nm=16.7,
                    temperature_c=220.0)
    >>> hs.coated_fraction(simulated_cores=300)
    0.0
    >>> hs.with_(core_diameter_nm=4.0).coated_fraction(simulated_cores=300)
    1.0

    The same design under 980 nm: results are cached, a repeat returns the same object.

    >>> r = hs.spectrum(excitation_nm=980, power_w_cm2=100.0)
    >>> r is hs.spectrum(excitation_nm=980, power_w_cm2=100.0)
    True
    >>> bool(r.lines[475.0] > 0), round(hs.yb_lifetime_us())
    (True, 37)

    Designs save as JSON:

    >>> Heterostructure.from_json(hs.to_json()) == hs
    True
    """

    core: str = _like(GrowthParams, "core", "beta-NaGdF4")
    core_diameter_nm: float = _like(GrowthParams, "core_diameter_nm", 7.1)
    core_diameter_sd_nm: float = _like(GrowthParams, "core_diameter_sd_nm", 0.4)
    dopants: tuple = (("Yb", 0.3), ("Tm", 0.01))
    shell: str = param("CsPbBr3", label="Shell", choices=SHELLS)
    shell_edge_nm: float = param(16.7, label="Shell edge", unit="nm", min=1.0, max=40.0,
                                 step=0.1, description="edge of the perovskite cube")
    temperature_c: float = _like(GrowthParams, "temperature_c", 220.0)
    core_mass_g: float = _like(GrowthParams, "core_mass_g", 0.15)
    pbx2_mmol: float = _like(GrowthParams, "pbx2_mmol", 0.5)
    cs_oleate_ml: float = _like(GrowthParams, "cs_oleate_ml", 1.0)
    time_s: float = _like(GrowthParams, "time_s", 60.0)

    def __post_init__(self):
        if self.shell not in SHELLS:
            raise ValueError(f"shell must be one of {SHELLS}, got {self.shell!r}")
        dopants = self.dopants.items() if isinstance(self.dopants, Mapping) else self.dopants
        try:
            pairs = tuple((str(el), float(x)) for el, x in dopants)
        except (TypeError, ValueError):
            raise ValueError("dopants must map elements to RE-site fractions, e.g. "
                             "{'Yb': 0.2, 'Tm': 0.01}") from None
        object.__setattr__(self, "dopants", pairs)
        # The growth params check the core, the dopants and every growth field with
        # GrowthParams' own ranges and words.
        self.growth_params()
        check_range("dopants['Tm']", dict(pairs).get("Tm", 0.0), "", 0.0, 0.2)
        for name in ("core_diameter_nm", "core_diameter_sd_nm", "temperature_c", "core_mass_g",
                     "pbx2_mmol", "cs_oleate_ml", "time_s"):
            object.__setattr__(self, name, float(getattr(self, name)))
        edge = check_range("shell_edge_nm", self.shell_edge_nm, "nm", 1.0, 40.0,
                           low_inclusive=False)
        if edge <= self.core_diameter_nm:
            raise ValueError(f"shell_edge_nm = {edge:g} nm must exceed core_diameter_nm = "
                             f"{self.core_diameter_nm:g} nm")
        object.__setattr__(self, "shell_edge_nm", edge)

    # --- the design -------------------------------------------------------------------------

    def __repr__(self) -> str:
        # The core and shell always, the recipe's amounts when they differ from P1's; with the
        # dopants as a dict, the text is the call that makes the design again.
        shown = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in _ALWAYS_SHOWN or value != f.default:
                shown.append(f"{f.name}={dict(value) if f.name == 'dopants' else value!r}")
        return f"Heterostructure({', '.join(shown)})"

    def __str__(self) -> str:
        doping = ",".join(f"{el}{x:g}" for el, x in self.dopants if x > 0)
        core = f"{self.core}:{doping}" if doping else self.core
        return (f"{core} ({self.core_diameter_nm:g} ± {self.core_diameter_sd_nm:g} nm) @ "
                f"{self.shell} ({self.shell_edge_nm:g} nm cube), {self.temperature_c:g} °C")

    def with_(self, **changes) -> Heterostructure:
        """A new design with ``changes`` (validated like a new one).

        Examples
        --------
        >>> Heterostructure().with_(shell="CsPbCl3", temperature_c=210).temperature_c
        210.0
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The design as plain Python values (``dopants`` as a dict), ready for JSON."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["dopants"] = dict(self.dopants)
        return out

    @classmethod
    def from_dict(cls, values: Mapping) -> Heterostructure:
        """Rebuild a design from :meth:`to_dict` output (missing fields take the defaults)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{unknown} are not fields of Heterostructure; its fields are "
                             f"{sorted(known)}")
        return cls(**values)

    def to_json(self, path=None) -> str:
        """The design as JSON text, also written to ``path`` when given."""
        text = json.dumps({"type": "Heterostructure", "fields": self.to_dict()})
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    @classmethod
    def from_json(cls, text_or_path: str) -> Heterostructure:
        """Rebuild a design from :meth:`to_json` output (JSON text or a file path)."""
        text = text_or_path
        if not text_or_path.lstrip().startswith("{"):
            with open(text_or_path, encoding="utf-8") as handle:
                text = handle.read()
        payload = json.loads(text)
        if payload.get("type") != "Heterostructure":
            raise ValueError(f"JSON holds a {payload.get('type')!r}, not a Heterostructure")
        return cls.from_dict(payload["fields"])

    # --- the mapping onto the models ------------------------------------------------------

    def growth_params(self, **overrides) -> GrowthParams:
        """The design as :class:`~lnhet_widgets.core.growth.GrowthParams`, with overrides of
        the model fields the design does not set (e.g. ``simulated_cores``)."""
        _checked_overrides("GrowthParams", GrowthParams, _GROWTH_OWNED, overrides)
        return GrowthParams(core=self.core, dopants=self.dopants,
                            core_diameter_nm=self.core_diameter_nm,
                            core_diameter_sd_nm=self.core_diameter_sd_nm,
                            core_mass_g=self.core_mass_g, pbx2_mmol=self.pbx2_mmol,
                            cs_oleate_ml=self.cs_oleate_ml,
                            halide=get_material(self.shell).halide,
                            temperature_c=self.temperature_c, time_s=self.time_s, **overrides)

    def _yb_tm(self, model: str) -> tuple[float, float]:
        unmodelled = [el for el, x in self.dopants
                      if x > 0 and el not in _OPTICAL_IONS + _INERT_IONS]
        if unmodelled:
            raise ValueError(f"{model} models Yb³⁺ and Tm³⁺ only; the design's dopants "
                             f"{unmodelled} are optically active and not in the model")
        fractions = dict(self.dopants)
        return fractions.get("Yb", 0.0), fractions.get("Tm", 0.0)

    def transfer_params(self, **overrides) -> TransferParams:
        """The heterostructure as :class:`~lnhet_widgets.core.optics.TransferParams`
        (core–shell contact, ``contact_factor`` 1), with overrides of the rate constants and
        other fields the design does not set.

        Examples
        --------
        >>> p = Heterostructure().transfer_params(surface_quenching_nm3_s=700.0)
        >>> p.host, p.perovskite_edge_nm, p.surface_quenching_nm3_s
        ('beta-NaGdF4', 16.7, 700.0)
        """
        _checked_overrides("TransferParams", TransferParams, _TRANSFER_OWNED, overrides)
        yb, tm = self._yb_tm("TransferParams")
        changes = {"contact_factor": 1.0, **overrides}
        return dataclasses.replace(TransferParams(), host=self.core,
                                   core_diameter_nm=self.core_diameter_nm, yb_fraction=yb,
                                   tm_fraction=tm, perovskite=self.shell,
                                   perovskite_edge_nm=self.shell_edge_nm, **changes)

    def anneal_params(self, **overrides) -> AnnealParams:
        """The design's lanthanide particle as :class:`~lnhet_widgets.core.annealing.
        AnnealParams` (P2's anneal, without the perovskite; see the module docstring for its
        fluoride shell), with overrides of the fields the design does not set.

        Examples
        --------
        >>> p = Heterostructure(core="alpha-NaYF4").anneal_params(complex="Y")
        >>> p.shell, p.shell_thickness_nm, p.temperature_c
        ('alpha-NaYF4', 1.0, 300.0)
        """
        _checked_overrides("AnnealParams", AnnealParams, _ANNEAL_OWNED, overrides)
        yb, tm = self._yb_tm("AnnealParams")
        structure = get_material(self.core).structure
        shell = AnnealParams().shell
        if get_material(shell).structure != structure:
            shell = self.core
        changes = {"shell": shell, **overrides}
        return AnnealParams(core=self.core, core_diameter_nm=self.core_diameter_nm,
                            yb_fraction=yb, tm_fraction=tm, **changes)
