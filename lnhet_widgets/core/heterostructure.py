"""One design of a LnNP@CsPbX3 heterostructure carried through every model (ARCHITECTURE.md).

:class:`Heterostructure` is the research API in the spirit of ASE: a frozen design — the core
(phase, diameter and spread, dopants), the perovskite shell (phase, cube edge), the injection
temperature and the amounts of P1's recipe — whose methods call the models of the core and
return their results. It holds no physics of its own: every method maps the design onto the
params dataclass of one model and calls that model, so a design gives exactly the numbers of
the function called with the mapped params (:meth:`~Heterostructure.growth_params`,
:meth:`~Heterostructure.transfer_params` and :meth:`~Heterostructure.anneal_params` show the
mapping).

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
:data:`CACHE_SIZE` results. A repeated call returns the identical object; a changed design or
argument computes anew. Cached results are shared, so their arrays are made read-only;
:meth:`~Heterostructure.atoms` returns a fresh copy of its cached structure, because
``ase.Atoms`` is mutable. :meth:`Heterostructure.cache_info` and
:meth:`Heterostructure.cache_clear` look after the store.

Examples
--------
>>> hs = Heterostructure(core_diameter_nm=4.0)
>>> hs.growth_params().core_diameter_nm, hs.transfer_params().perovskite_edge_nm
(4.0, 16.7)
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import inspect
import json
import threading
import types
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._base.params import param
from ._base.results import ResultIO, write_csv
from ._base.validate import check_range
from .annealing import AnnealParams, AnnealResult, anneal, ensemble_optical
from .conditions import P1_UC_POWER_W_CM2, P2_POWER_W_CM2
from .crystal.builder import _CUBE_TO_SPHERE, build_heterostructure
from .crystal.materials import get_material
from .crystal.mismatch import effective_misfit, misfit
from .crystal.stem import HaadfImage, eds_maps, haadf_image
from .crystal.strain import CoreShellStrain, coreshell_strain
from .crystal.xrd import CU_KALPHA1_A, debye_pattern, powder_pattern
from .growth import (
    CoatingMap,
    GrowthParams,
    GrowthResult,
    coating_map,
    core_wetting,
    simulate_growth,
)
from .growth.params import HALIDES
from .optics.ensemble import Sample
from .optics.transfer import (
    Pulse,
    TransferParams,
    TransferResult,
    dynamics,
    power_dependence,
    steady_state,
    yb_lifetime_us,
)

__all__ = ["CACHE_SIZE", "SHELLS", "Heterostructure", "XrdPattern"]

#: Perovskite shells the growth model makes (one per halide).
SHELLS = tuple(f"CsPb{halide}3" for halide in HALIDES)
#: Most results the shared store keeps (least recently used dropped first). The largest are
#: the atoms of a 17 nm particle, ~7 MB each.
CACHE_SIZE = 32

_OPTICAL_IONS = ("Yb", "Tm")
# 4f⁰ (Y³⁺), 4f¹⁴ (Lu³⁺) and 4f⁷ (Gd³⁺, first excited level near 311 nm): no level that
# 365, 400 or 980 nm excitation or the Yb/Tm levels reach.
_INERT_IONS = ("Y", "Gd", "Lu")
_P2_SNAPSHOTS = (0, 100, 500, 1000)
_DEFAULT_TWO_THETA = np.linspace(10.0, 80.0, 1401)
_XRD_METHODS = ("debye", "bulk")
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


# ----------------------------------------------------------------------------- the cache
_CACHE: collections.OrderedDict = collections.OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_STATS = {"hits": 0, "misses": 0}
CacheInfo = collections.namedtuple("CacheInfo", "hits misses maxsize currsize")


def _key(value):
    """A hashable stand-in for an argument: arrays by content, sequences and mappings
    element-wise (``[0, 100]`` keys like ``(0, 100)``, ``range(2)`` like ``(0, 1)``)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, list | tuple | range):
        return tuple(_key(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    hash(value)
    return value


def _freeze(result):
    """Make the array fields of a result read-only: the cached object is shared."""
    if dataclasses.is_dataclass(result):
        for f in dataclasses.fields(result):
            value = getattr(result, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
    elif isinstance(result, Mapping):
        for value in result.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
    return result


def _cached(method):
    """Cache ``method``'s result per (design, method, every argument with its default)."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = {k: v for k, v in bound.arguments.items() if k != "self"}
        try:
            key = (method.__name__, self, _key(arguments))
        except TypeError:
            raise ValueError(f"{method.__name__}: arguments must be numbers, strings, arrays "
                             f"or sequences of them, got {arguments!r}") from None
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                _CACHE_STATS["hits"] += 1
                return _CACHE[key]
            _CACHE_STATS["misses"] += 1
        # Computed outside the lock: another thread may compute the same key meanwhile; the
        # first result stored is the one everybody gets.
        result = _freeze(method(*bound.args, **bound.kwargs))
        with _CACHE_LOCK:
            result = _CACHE.setdefault(key, result)
            _CACHE.move_to_end(key)
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        return result

    return wrapper


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


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class XrdPattern(ResultIO):
    """Powder patterns of a design (:meth:`Heterostructure.xrd`), one row per label.

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


# ----------------------------------------------------------------------------- the design
@dataclass(frozen=True, repr=False)
class Heterostructure:
    """A LnNP@CsPbX3 design — core, shell, amounts, temperature — and the models run on it.

    The design is immutable and validated at construction; a bad value raises ``ValueError``
    naming the field, its unit and the allowed range (the ranges are those of the models the
    field feeds). :meth:`with_` returns a changed design. The mapping onto the models and the
    choices behind it are in the module docstring of :mod:`lnhet_widgets.core.heterostructure`.

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

    # --- growth (SCIENCE §4) --------------------------------------------------------------

    @_cached
    def grow(self, seed: int = 0, **overrides) -> GrowthResult:
        """One simulated hot-injection reaction of the design
        (:func:`~lnhet_widgets.core.growth.simulate_growth`).

        Parameters
        ----------
        seed : int
            Seed of the core sizes and every stochastic event.
        **overrides
            :class:`~lnhet_widgets.core.growth.GrowthParams` fields the design does not set,
            e.g. ``simulated_cores=300`` or a model constant.
        """
        return simulate_growth(self.growth_params(**overrides), seed=seed)

    def coated_fraction(self, seed: int = 0, **overrides) -> float:
        """Will the cores be coated? The share of the design's cores that end inside a
        heterostructure in the reaction of :meth:`grow` (same arguments)."""
        return self.grow(seed, **overrides).coated_fraction

    def wetting(self, **overrides) -> tuple[float, float]:
        """Young's wetting m of the shell on a core of the mean diameter at the injection
        temperature, and the areal strain energy w_el (J/m²) that lowers it
        (:func:`~lnhet_widgets.core.growth.core_wetting`). m near 1 wets; m ≤ 0 does not."""
        m, w_el = core_wetting(self.core_diameter_nm, self.growth_params(**overrides))
        return float(m), float(w_el)

    @_cached
    def coating_map(self, core_diameters_nm, temperatures_c, seed: int = 0,
                    **overrides) -> CoatingMap:
        """Coated fraction of the design's recipe over core diameter × temperature
        (:func:`~lnhet_widgets.core.growth.coating_map`, cells in parallel threads)."""
        return coating_map(core_diameters_nm, temperatures_c, self.growth_params(**overrides),
                           seed=seed)

    def as_grown(self, seed: int = 0, **overrides) -> Heterostructure:
        """The design with ``shell_edge_nm`` set to the mean edge of the heterostructures
        that :meth:`grow` makes (same arguments).

        Raises
        ------
        ValueError
            If the simulated reaction coats no core.

        Examples
        --------
        >>> hs = Heterostructure(core_diameter_nm=3.7, core_diameter_sd_nm=0.3)
        >>> 8.0 < hs.as_grown(simulated_cores=300).shell_edge_nm < 12.0
        True
        """
        result = self.grow(seed, **overrides)
        if result.edge_lengths_nm.size == 0:
            raise ValueError(f"the reaction coats none of the {self.core_diameter_nm:g} nm cores "
                             f"at {self.temperature_c:g} °C (coated fraction 0): no edge to "
                             "take; set shell_edge_nm yourself")
        return self.with_(shell_edge_nm=float(result.edge_lengths_nm.mean()))

    @_cached
    def sample(self, seed: int = 0, **overrides) -> Sample:
        """What the reaction of :meth:`grow` makes, as a mixture of particle classes for the
        optics — heterostructures, bare cores and free perovskite crystals, per core
        (:meth:`~lnhet_widgets.core.optics.Sample.from_growth` with the design's
        composition and rate constants)."""
        return Sample.from_growth(self.grow(seed, **overrides),
                                  lanthanide=self.transfer_params())

    # --- annealing (SCIENCE §5) -----------------------------------------------------------

    @_cached
    def anneal(self, *, steps: int = 1000, complex: str | None = None, snapshots=None,
               seed: int = 0, **overrides) -> AnnealResult:
        """P2's anneal of the design's lanthanide particle
        (:func:`~lnhet_widgets.core.annealing.anneal`).

        Parameters
        ----------
        steps : int
            MC steps (1000 ≈ P2's hour at 300 °C).
        complex : {None, "Y", "Gd"}
            Ion of the docking complexes; None anneals without.
        snapshots : sequence of int, optional
            Steps to record; default P2's 0, 100, 500, 1000 up to ``steps``, and ``steps``.
        seed : int
        **overrides
            :class:`~lnhet_widgets.core.annealing.AnnealParams` fields the design does not
            set, e.g. ``shell_thickness_nm=2.0`` or the anneal's ``temperature_c``.
        """
        params = self.anneal_params(complex=complex, **overrides)
        steps = int(check_range("steps", steps, "MC steps", 0, 1_000_000))
        if snapshots is None:
            snapshots = [s for s in _P2_SNAPSHOTS if s <= steps] + [steps]
        return anneal(params, steps=steps, snapshots=snapshots, seed=seed)

    @_cached
    def anneal_optics(self, *, steps: int = 1000, complex: str | None = None, seeds=range(4),
                      snapshot: int = -1, power_w_cm2: float = P2_POWER_W_CM2,
                      **overrides):
        """Emission under 980 nm of annealed particles of the design, averaged over one
        particle per seed (:func:`~lnhet_widgets.core.annealing.ensemble_optical`); returns
        an :class:`~lnhet_widgets.core.annealing.AnnealOptics`. ``snapshot=0`` gives the
        pristine particles."""
        return ensemble_optical(self.anneal_params(complex=complex, **overrides), steps=steps,
                                seeds=seeds, snapshot=snapshot, power_w_cm2=power_w_cm2)

    # --- optics (SCIENCE §6–§7) -----------------------------------------------------------

    @_cached
    def spectrum(self, excitation_nm: float = 980.0, power_w_cm2: float = P1_UC_POWER_W_CM2,
                 **overrides) -> TransferResult:
        """Steady-state emission of one heterostructure under continuous excitation
        (:func:`~lnhet_widgets.core.optics.steady_state`): ``.lines`` per wavelength,
        ``.spectrum(wavelength_nm)`` on a grid, ``.quantum_yield(...)``.

        Parameters
        ----------
        excitation_nm : {980, 365, 400}
        power_w_cm2 : float
        **overrides
            :class:`~lnhet_widgets.core.optics.TransferParams` fields the design does not
            set (rate constants, ``contact_factor``).
        """
        return steady_state(self.transfer_params(**overrides), excitation_nm=excitation_nm,
                            power_w_cm2=power_w_cm2)

    @_cached
    def decay(self, excitation_nm: float = 980.0, power_w_cm2: float = P1_UC_POWER_W_CM2, *,
              pulse_s: float = 10e-6, t_end_s: float = 1e-3, n_points: int = 601,
              **overrides) -> TransferResult:
        """Populations and emission after a rectangular pulse from t = 0
        (:func:`~lnhet_widgets.core.optics.dynamics`) on ``n_points`` times from 0 to
        ``t_end_s``; ``.lines[nm]`` is each line's decay. The defaults are TransferLab's
        (10 µs pulse, 1 ms window, 601 points)."""
        check_range("t_end_s", t_end_s, "s", 0.0, 10.0, low_inclusive=False)
        n = int(check_range("n_points", n_points, "", 2, 100_000))
        return dynamics(self.transfer_params(**overrides),
                        pulse=Pulse(excitation_nm, power_w_cm2, pulse_s),
                        t_eval=np.linspace(0.0, t_end_s, n))

    @_cached
    def power_dependence(self, powers_w_cm2=None, excitation_nm: float = 980.0,
                         **overrides) -> TransferResult:
        """Steady states over a power sweep (:func:`~lnhet_widgets.core.optics.transfer.
        power_dependence`); default TransferLab's 25 powers from 0.1 to 1e5 W cm⁻²."""
        powers = np.logspace(-1.0, 5.0, 25) if powers_w_cm2 is None else powers_w_cm2
        return power_dependence(self.transfer_params(**overrides), powers,
                                excitation_nm=excitation_nm)

    @_cached
    def yb_lifetime_us(self, **overrides) -> float:
        """Yb³⁺ 980 nm lifetime after a weak pulse, µs
        (:func:`~lnhet_widgets.core.optics.yb_lifetime_us`)."""
        return yb_lifetime_us(self.transfer_params(**overrides))

    # --- mismatch and strain (SCIENCE §2–§3) ----------------------------------------------

    def misfit(self, *, temperature_c: float | None = None, effective: bool = True) -> float:
        """Misfit of the shell on the core at ``temperature_c`` (default the injection
        temperature): the effective misfit f_eff that the growth model uses
        (:func:`~lnhet_widgets.core.crystal.effective_misfit`), or with ``effective=False``
        the signed a-axis misfit (:func:`~lnhet_widgets.core.crystal.misfit`)."""
        temperature = self.temperature_c if temperature_c is None else temperature_c
        if effective:
            return effective_misfit(self.core, self.shell, temperature_c=temperature)
        return misfit(self.core, self.shell, temperature_c=temperature)

    @_cached
    def strain(self, *, temperature_c: float = 25.0, n_points: int = 200) -> CoreShellStrain:
        """Coherent strain of the particle (:func:`~lnhet_widgets.core.crystal.strain.
        coreshell_strain`) as the atomistic builder applies it: the cube as the sphere of
        equal volume, the effective misfit at ``temperature_c`` with the shell compressed onto
        the core, the moduli of the two phases."""
        core, shell = get_material(self.core), get_material(self.shell)
        return coreshell_strain(self.core_diameter_nm / 2, self.shell_edge_nm * _CUBE_TO_SPHERE,
                                self.misfit(temperature_c=temperature_c),
                                core_bulk_gpa=core.bulk_gpa, shell_bulk_gpa=shell.bulk_gpa,
                                shell_shear_gpa=shell.shear_gpa, n_points=n_points)

    # --- atoms and what the instruments see (SCIENCE §9) ----------------------------------

    @_cached
    def _structure(self, seed: int, strain: bool, n_cores: int):
        return build_heterostructure(self.core, self.core_diameter_nm, self.shell,
                                     self.shell_edge_nm, dopants=dict(self.dopants),
                                     n_cores=n_cores, strain=strain, seed=seed)

    def atoms(self, *, seed: int = 0, strain: bool = True, n_cores: int = 1):
        """The atomistic particle as ``ase.Atoms`` (:func:`~lnhet_widgets.core.crystal.builder.
        build_heterostructure`): ``n_cores`` cores of the mean diameter in the cube, dopants
        placed with ``seed``. Returns a copy of the cached structure, free to modify.

        Examples
        --------
        >>> atoms = Heterostructure(core_diameter_nm=3.0, shell_edge_nm=5.0).atoms()
        >>> sorted(set(atoms.arrays["region"].tolist())), atoms.info["n_cores"]
        (['core', 'shell'], 1)
        """
        return self._structure(seed, strain, n_cores).copy()

    @_cached
    def xrd(self, two_theta_deg=None, *, method: str = "debye",
            wavelength_a: float = CU_KALPHA1_A, seed: int = 0, strain: bool = True,
            n_cores: int = 1, **options) -> XrdPattern:
        """Powder XRD of the design on ``two_theta_deg`` (default 10–80° in 0.05° steps).

        ``method="debye"`` scatters from the atoms of :meth:`atoms` by the Debye equation
        (:func:`~lnhet_widgets.core.crystal.debye_pattern`: size broadening, both phases and the
        shell's strain shift; tens of seconds for a 17 nm particle). ``method="bulk"`` gives
        the bulk patterns of the doped core phase and of the shell phase for phase
        identification (:func:`~lnhet_widgets.core.crystal.powder_pattern`). ``options`` go to
        that function (e.g. ``bin_width_a``, ``damping_a2``; ``fwhm_deg`` for bulk).
        """
        if method not in _XRD_METHODS:
            raise ValueError(f"method must be one of {_XRD_METHODS}, got {method!r}")
        grid = _DEFAULT_TWO_THETA if two_theta_deg is None else two_theta_deg
        if method == "debye":
            atoms = self._structure(seed, strain, n_cores)
            tt = np.array(grid, dtype=float, ndmin=1)
            rows = [debye_pattern(atoms, tt, wavelength_a=wavelength_a, **options)]
            labels = ("heterostructure",)
        else:
            tt, core = powder_pattern(self.core, grid, wavelength_a=wavelength_a,
                                      dopants=dict(self.dopants), **options)
            _, shell = powder_pattern(self.shell, grid, wavelength_a=wavelength_a, **options)
            rows, labels = [core, shell], (self.core, self.shell)
        return XrdPattern(two_theta_deg=tt, intensity=np.array(rows), labels=labels,
                          method=method, wavelength_a=float(wavelength_a))

    @_cached
    def haadf(self, *, axis: str = "z", pixel_nm: float = 0.05, probe_fwhm_nm: float = 0.12,
              z_exponent: float = 1.7, margin_nm: float = 0.5, seed: int = 0,
              strain: bool = True, n_cores: int = 1) -> HaadfImage:
        """HAADF-STEM image of the particle of :meth:`atoms`
        (:func:`~lnhet_widgets.core.crystal.haadf_image`); ``.line_profile(...)`` reads across
        it as in P1 Fig. 1c."""
        return haadf_image(self._structure(seed, strain, n_cores), axis=axis, pixel_nm=pixel_nm,
                           probe_fwhm_nm=probe_fwhm_nm, z_exponent=z_exponent,
                           margin_nm=margin_nm)

    @_cached
    def eds(self, elements=None, *, axis: str = "z", pixel_nm: float = 0.2,
            probe_fwhm_nm: float = 0.5, margin_nm: float = 0.5, seed: int = 0,
            strain: bool = True, n_cores: int = 1) -> Mapping:
        """EDS maps of the particle of :meth:`atoms` (:func:`~lnhet_widgets.core.crystal.stem.
        eds_maps`), element → map, a read-only mapping; default every element present."""
        atoms = self._structure(seed, strain, n_cores)
        chosen = sorted(set(atoms.get_chemical_symbols())) if elements is None else elements
        return types.MappingProxyType(eds_maps(atoms, chosen, axis=axis, pixel_nm=pixel_nm,
                                               probe_fwhm_nm=probe_fwhm_nm,
                                               margin_nm=margin_nm))

    # --- the cache ------------------------------------------------------------------------

    @staticmethod
    def cache_info() -> CacheInfo:
        """Hits, misses, bound and current size of the result store shared by all designs."""
        with _CACHE_LOCK:
            return CacheInfo(_CACHE_STATS["hits"], _CACHE_STATS["misses"], CACHE_SIZE,
                             len(_CACHE))

    @staticmethod
    def cache_clear() -> None:
        """Forget every cached result (and the hit and miss counts)."""
        with _CACHE_LOCK:
            _CACHE.clear()
            _CACHE_STATS.update(hits=0, misses=0)
