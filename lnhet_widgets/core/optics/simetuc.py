"""Read simetuc configuration files into :class:`~lnhet_widgets.core.optics.TransferParams`.

simetuc (https://github.com/pedvide/simetuc, MIT licence) simulates upconversion with rate
equations; its YAML configuration holds the spectroscopic constants of a sensitizer and an
activator. :func:`read_simetuc_config` brings those of a Yb³⁺–Tm³⁺ file over to this package's
model and keeps every other field (host, geometry, shells, perovskite, quenching) of ``base``.

Mapping
-------
===============================  ==================================================
simetuc                          :class:`TransferParams`
===============================  ==================================================
``lattice: S_conc, A_conc`` (%)  ``yb_fraction``, ``tm_fraction`` (÷ 100)
``sensitizer_decay: ES`` (s)     ``yb_lifetime_s``
``activator_decay`` (s)          ``tm_lifetimes_s``
``activator_branching_ratios``   ``tm_branching`` (``"3H5->3F4: 0.4"``)
``energy_transfer``              ``energy_transfer`` (:class:`EnergyTransfer`, with its
                                 ``multipolarity``)
``energy_transfer``: Yb→Yb       ``yb_migration_a6_s`` (0 when the file has none)
Yb pump: ``pump_rate`` (cm²/J)   ``yb_cross_section_cm2`` = pump_rate · hc / 980 nm
Yb pump: ``degeneracy``          ``yb_degeneracy_ratio``
===============================  ==================================================

simetuc's Yb states ``GS``, ``ES`` are ²F7/2, ²F5/2; Tm states keep their names. The pump is
the excitation whose process is ``Yb(GS)->Yb(ES)`` (``NIR_980`` in simetuc's examples);
``pump_rate`` is σ/hν in cm²/J, so σ = pump_rate · hc/λ gives the same pump rate per photon
flux; without such an excitation ``base`` keeps its own. The rest of ``lattice`` (``name``,
cell, sites, ``N_uc``, ``d_max``: the host stays ``base.host``), the power and concentration
sweeps, optimisation and simulation settings are not read. The sensitizer must be Yb and the
activator Tm, with Tm's ground state 3H6; other ions, and states a section uses that
``states`` does not declare, raise ``ValueError``.

Energy transfer: simetuc's microscopic ``strength`` C (s⁻¹ Å^s, rate C/r^s) and its
``multipolarity`` s are kept on each :class:`EnergyTransfer`; the per-ion model
(:mod:`lnhet_widgets.core.ions`) uses them pair by pair. In the average model the strength
goes through the mean-field lattice sum of :mod:`~lnhet_widgets.core.optics.rate_equations`
(rate per donor C · L · Π_DA / N_D). When a process also gives ``strength_avg`` (s⁻¹), the
coefficient simetuc uses in its average rate equations, that value is the coefficient of both
the donor's and the acceptor's term instead, as in simetuc's average mode. That lattice sum
is dipole–dipole, so a process of multipolarity 8 or 10 without ``strength_avg`` is an error
unless the file is read ``for_ions=True`` (for the per-ion model, which takes every
multipolarity).

Dropped, each with a warning: Tm levels the model lacks (simetuc's ³P0) with the decays,
branching ratios and processes that involve them; cooperative (three-ion) and zero-strength
processes; Yb→Yb migration from the average model (its single Yb pool already assumes it:
it is a no-op there, as simetuc's average mode also finds), whose strength is kept as
``yb_migration_a6_s`` for the per-ion model; active excitations other than the Yb pump.
Branching ratios to the ground state are implicit (the remainder of each level's decay), as
in simetuc.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import yaml
from scipy.constants import c, h

from .transfer_params import TM_LEVELS, YB_LEVELS, EnergyTransfer, TransferParams

__all__ = ["read_simetuc_config"]

_MANDATORY = ("version", "lattice", "states", "excitations", "sensitizer_decay",
              "activator_decay")
_OPTIONAL = ("sensitizer_branching_ratios", "activator_branching_ratios", "energy_transfer",
             "optimization", "simulation_params", "power_dependence", "concentration_dependence")
_SENSITIZER_LABELS = (("GS", "ES"), YB_LEVELS)
_PUMP_NM = 980.0

# Fraction parses decimals, exponents and ratios like 13/9 without eval; the exponent is capped
# because Fraction builds 10**exponent exactly and a huge one would stall the reader.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?(?:/\d+)?")
_TERM = re.compile(r"\s*(\w+)\s*\(\s*([\w/]+)\s*\)\s*")
_SECTION_LINE = re.compile(r"([A-Za-z_]\w*)\s*:")

# TransferParams names the field it rejects; these are the settings each field came from.
_FIELD_SOURCES = (("yb_fraction", ("lattice", "S_conc")), ("tm_fraction", ("lattice", "A_conc")),
                  ("yb_lifetime_s", ("sensitizer_decay",)),
                  ("tm_lifetimes_s", ("activator_decay",)),
                  ("tm_branching", ("activator_branching_ratios",)),
                  ("yb_cross_section_cm2", ("excitations",)),
                  ("yb_degeneracy_ratio", ("excitations",)))


def read_simetuc_config(path_or_text, *, base: TransferParams | None = None,
                        for_ions: bool = False) -> TransferParams:
    """Read a simetuc Yb³⁺–Tm³⁺ configuration into :class:`TransferParams`.

    Parameters
    ----------
    path_or_text : str or os.PathLike
        A path to a simetuc ``.cfg`` (YAML) file, or the text of one (a ``str`` with a line
        break).
    base : TransferParams, optional
        The particle whose other fields are kept (default ``TransferParams()``).
    for_ions : bool
        Read for the per-ion model (:func:`lnhet_widgets.core.ions.solve_ions`): keep
        processes of multipolarity 8 and 10 without ``strength_avg`` (the average model's
        lattice sum is dipole–dipole and rejects them when solved).

    Returns
    -------
    TransferParams
        ``base`` with the concentrations, lifetimes, branching ratios, energy-transfer
        processes and Yb pump of the file (see the module docstring for the mapping).

    Raises
    ------
    ValueError
        If the file is not valid YAML, lacks a mandatory section, is not ``version: 1``,
        names ions other than Yb and Tm or states the model does not have, or holds a value
        that is not a number in range. The message names the file, the section and key and,
        where known, the line.

    Warns
    -----
    UserWarning
        For everything dropped: Tm levels the model lacks and the entries that involve them,
        cooperative, zero-strength and Yb→Yb migration processes, active excitations other
        than the Yb pump.

    Examples
    --------
    >>> text = '''
    ... version: 1
    ... lattice: {S_conc: 20, A_conc: 1}
    ... states:
    ...     sensitizer_ion_label: Yb
    ...     sensitizer_states_labels: [GS, ES]
    ...     activator_ion_label: Tm
    ...     activator_states_labels: [3H6, 3F4, 3H5, 3H4, 3F3, 1G4, 1D2, 1I6]
    ... excitations:
    ...     NIR_980:
    ...         {active: True, power_dens: 1e7, process: Yb(GS)->Yb(ES), degeneracy: 4/3,
    ...          pump_rate: 4.4e-3}
    ... sensitizer_decay: {ES: 2.5e-3}
    ... activator_decay:
    ...     {3F4: 12e-3, 3H5: 25e-6, 3H4: 2e-3, 3F3: 2e-6, 1G4: 775e-6, 1D2: 67.5e-6,
    ...      1I6: 101.8e-6}
    ... activator_branching_ratios: {3H5->3F4: 0.4}
    ... energy_transfer:
    ...     ETU1: {process: Yb(ES) + Tm(3H6) -> Yb(GS) + Tm(3H5), multipolarity: 6,
    ...            strength: 7.377e7}
    ... '''
    >>> params = read_simetuc_config(text)
    >>> params.tm_fraction, params.tm_branching, params.energy_transfer[0].name
    (0.01, (('3H5', '3F4', 0.4),), 'ETU1')
    >>> f"{params.yb_cross_section_cm2:.3g} cm², degeneracy {params.yb_degeneracy_ratio:.4f}"
    '8.92e-22 cm², degeneracy 1.3333'
    """
    if base is None:
        base = TransferParams()
    elif not isinstance(base, TransferParams):
        raise TypeError(f"base must be a TransferParams, got {type(base).__name__}")
    source, text = _read_source(path_or_text)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(_yaml_message(source, text, err)) from None
    reader = _Reader(source, text, data, for_ions=bool(for_ions))
    fields = reader.fields(base)
    try:
        params = replace(base, **fields)
    except ValueError as err:
        message = f"{err} in this model"
        keys = next((keys for field, keys in _FIELD_SOURCES if field in message), None)
        raise (reader.error(keys, message) if keys else ValueError(f"{source}: {message}")
               ) from None
    for message in reader.warnings:
        warnings.warn(f"{source}: {message}", UserWarning, stacklevel=2)
    return params


def _read_source(path_or_text) -> tuple[str, str]:
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return "simetuc configuration text", path_or_text
    if not isinstance(path_or_text, str | os.PathLike):
        raise TypeError("path_or_text must be a path or the text of a simetuc configuration, "
                        f"got {type(path_or_text).__name__}")
    path = Path(path_or_text)
    try:
        return str(path), path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not a UTF-8 text file ({err.reason})") from None


def _yaml_message(source: str, text: str, err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = ": ".join(filter(None, (getattr(err, "context", None),
                                     getattr(err, "problem", None)))) or str(err)
    if mark is None:
        return f"{source}: not valid YAML: {problem}"
    # YAML knows the line but not the key path; the last unindented key above it is the section
    above = text.splitlines()[:mark.line + 1]
    sections = [m.group(1) for m in map(_SECTION_LINE.match, above) if m]
    section = f", in section '{sections[-1]}'" if sections else ""
    start = getattr(err, "context_mark", None)
    if start is not None and start.line != mark.line:
        problem += f" (the construct starts on line {start.line + 1})"
    return f"{source}, line {mark.line + 1}{section}: not valid YAML: {problem}"


def _number(value) -> float:
    """A finite float from a YAML number or a string like ``1e6``, ``13/9`` (never eval'd)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"must be a number, got {value!r}")
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value.strip()):
            raise ValueError(f"must be a number or a ratio like 4/3, got {value!r}")
        try:
            value = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"must be a number or a ratio like 4/3, got {value!r}") from None
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"is too large: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"must be finite, got {value!r}")
    return number


class _Reader:
    """Walks the parsed YAML, validating as simetuc does, and collects the mapped fields."""

    def __init__(self, source: str, text: str, data, *, for_ions: bool = False):
        self.source, self.text, self.data = source, text, data
        self.for_ions = for_ions
        self.migration_a6_s = 0.0  # Yb→Yb, when the file has it
        self.warnings: list[str] = []
        self.levels: dict[str, dict] = {}  # ion → {file's label: ours, or None if dropped}
        self.dropped_levels: list[str] = []
        self.dropped: list[str] = []  # entries that involve a dropped level
        self._nodes = None

    # ------------------------------------------------------------------------ errors
    def error(self, keys: tuple, message: str) -> ValueError:
        line = self._line(keys)
        where = f", line {line}" if line else ""
        return ValueError(f"{self.source}{where}: {': '.join(map(str, keys))}: {message}")

    def _line(self, keys: tuple) -> int | None:
        """Line of the deepest of ``keys`` found in the YAML node tree (composed only when an
        error is reported, since safe_load keeps no positions)."""
        if self._nodes is None:
            self._nodes = yaml.compose(self.text, Loader=yaml.SafeLoader)
        node, line = self._nodes, None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                match = [(k, v) for k, v in node.value if k.value == str(key)]
                if not match:
                    break
                line, node = match[-1][0].start_mark.line + 1, match[-1][1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def number(self, value, keys: tuple, low: float = 0.0, high: float = math.inf, *,
               low_inclusive: bool = True) -> float:
        try:
            number = _number(value)
        except ValueError as err:
            raise self.error(keys, str(err)) from None
        if number < low or number > high or (number == low and not low_inclusive):
            bracket = "[" if low_inclusive else "("
            raise self.error(keys, f"{number:g} is outside the allowed range "
                                   f"{bracket}{low:g}, {high:g}]")
        return number

    def mapping(self, keys: tuple, *, required=(), optional=None, empty_ok=False) -> dict:
        """The mapping at ``keys``; ``optional=None`` accepts any other key, else unknown keys
        are reported with a warning, as simetuc does."""
        value = self.data
        for key in keys:
            value = value.get(key)
        if value is None and empty_ok:
            return {}
        if not isinstance(value, dict):
            raise self.error(keys, f"must be a mapping of keys to values, got {value!r}")
        missing = [key for key in required if key not in value]
        if missing:
            raise self.error(keys, f"lacks the mandatory keys {missing}")
        if optional is not None:
            extra = [str(key) for key in value if key not in (*required, *optional)]
            if extra:
                where = ": ".join(map(str, keys)) or "top level"
                self.warnings.append(f"{where}: ignored unknown keys {extra}")
        return value

    # ------------------------------------------------------------------------ sections
    def fields(self, base: TransferParams) -> dict:
        if not isinstance(self.data, dict):
            raise ValueError(f"{self.source}: a simetuc configuration is a YAML mapping of "
                             f"sections, got {type(self.data).__name__}")
        missing = [key for key in _MANDATORY if key not in self.data]
        if missing:
            raise ValueError(f"{self.source}: lacks the mandatory sections {missing}")
        self.mapping((), optional=(*_MANDATORY, *_OPTIONAL))
        version = self.data["version"]
        if isinstance(version, bool) or version != 1:
            raise self.error(("version",), f"must be 1 (the only simetuc format), got {version!r}")

        self._states()
        lattice = self.mapping(("lattice",), required=("S_conc", "A_conc"))
        fields = {
            "yb_fraction": self.number(lattice["S_conc"], ("lattice", "S_conc"), 0, 100) / 100,
            "tm_fraction": self.number(lattice["A_conc"], ("lattice", "A_conc"), 0, 100) / 100,
            "yb_lifetime_s": self._sensitizer_decay(),
            "tm_lifetimes_s": self._activator_decay(base),
            "tm_branching": self._branching("Tm"),
            "energy_transfer": self._energy_transfer(),
            "yb_migration_a6_s": self.migration_a6_s,
        }
        # validated only: Yb's one branch goes to its ground state, the implicit remainder
        self._branching("Yb")
        fields.update(self._pump())
        if self.dropped_levels:
            self.warnings.insert(0, f"Tm levels {self.dropped_levels} are not in the model "
                                    f"{TM_LEVELS}; dropped with {self.dropped}")
        return fields

    def _states(self) -> None:
        keys = ("sensitizer_ion_label", "sensitizer_states_labels", "activator_ion_label",
                "activator_states_labels")
        states = self.mapping(("states",), required=keys, optional=())
        for key, ion in (("sensitizer_ion_label", "Yb"), ("activator_ion_label", "Tm")):
            if states[key] != ion:
                raise self.error(("states", key), f"the model's {key.split('_')[0]} is {ion!r}, "
                                                  f"got {states[key]!r}")
        labels = {}
        for key in ("sensitizer_states_labels", "activator_states_labels"):
            value = states[key]
            if (not isinstance(value, list) or not value
                    or not all(isinstance(label, str) for label in value)
                    or len(set(value)) != len(value)):
                raise self.error(("states", key), f"must be a list of distinct state labels, "
                                                  f"got {value!r}")
            labels[key] = value
        sensitizer = tuple(labels["sensitizer_states_labels"])
        if sensitizer not in _SENSITIZER_LABELS:
            raise self.error(("states", "sensitizer_states_labels"),
                             f"Yb's states must be {list(_SENSITIZER_LABELS[0])} or "
                             f"{list(_SENSITIZER_LABELS[1])}, got {list(sensitizer)}")
        activator = labels["activator_states_labels"]
        if activator[0] != TM_LEVELS[0]:
            raise self.error(("states", "activator_states_labels"),
                             f"Tm's first (ground) state must be {TM_LEVELS[0]!r}, "
                             f"got {activator[0]!r}")
        self.levels = {"Yb": dict(zip(sensitizer, YB_LEVELS, strict=True)),
                       "Tm": {label: label if label in TM_LEVELS else None
                              for label in activator}}
        self.dropped_levels = [label for label in activator if label not in TM_LEVELS]

    def level(self, ion: str, label, keys: tuple) -> str | None:
        """Our name of ``ion``'s state ``label``; None for a Tm level the model lacks."""
        if ion not in self.levels:
            raise self.error(keys, f"ion {ion!r} is neither the sensitizer 'Yb' nor the "
                                   "activator 'Tm'")
        if label not in self.levels[ion]:
            role = "sensitizer" if ion == "Yb" else "activator"
            raise self.error(keys, f"{ion} has no state {label!r}; states: "
                                   f"{role}_states_labels declares {list(self.levels[ion])}")
        return self.levels[ion][label]

    def _sensitizer_decay(self) -> float:
        excited = list(self.levels["Yb"])[1]
        decay = self.mapping(("sensitizer_decay",), required=(excited,))
        for key in decay:
            if key != excited:
                self.level("Yb", key, ("sensitizer_decay", key))
                raise self.error(("sensitizer_decay", key),
                                 f"only the excited state {excited!r} decays")
        return self.number(decay[excited], ("sensitizer_decay", excited), 0,
                           low_inclusive=False)

    def _activator_decay(self, base: TransferParams) -> tuple:
        section = ("activator_decay",)
        ground = TM_LEVELS[0]
        declared = [label for label in self.levels["Tm"] if label != ground]
        decay = self.mapping(section, required=declared)
        lifetimes = {}
        for key, value in decay.items():
            level = self.level("Tm", key, (*section, key))
            if key == ground:
                raise self.error((*section, key), f"the ground state {ground} does not decay")
            tau = self.number(value, (*section, key), 0, low_inclusive=False)
            if level is None:
                self.dropped.append(f"activator_decay: {key}")
            else:
                lifetimes[level] = tau
        absent = [level for level in TM_LEVELS[1:] if level not in lifetimes]
        if absent:
            self.warnings.append(f"the file has no Tm levels {absent}; they keep the lifetimes "
                                 "of base and nothing in the file populates them")
            lifetimes.update((level, tau) for level, tau in base.tm_lifetimes_s
                             if level in absent)
        return tuple((level, lifetimes[level]) for level in TM_LEVELS[1:])

    def _branching(self, ion: str) -> tuple:
        section = ("sensitizer_branching_ratios" if ion == "Yb" else "activator_branching_ratios",)
        order = YB_LEVELS if ion == "Yb" else TM_LEVELS
        branching, totals = [], {}
        for key, value in self.mapping(section, empty_ok=True).items():
            keys = (*section, key)
            parts = "".join(str(key).split()).split("->")
            if len(parts) != 2:
                raise self.error(keys, "a branching ratio is written 'upper->lower: ratio'")
            upper, lower = (self.level(ion, part, keys) for part in parts)
            ratio = self.number(value, keys, 0, 1)
            if None in (upper, lower):
                self.dropped.append(f"{section[0]}: {key}")
                continue
            if order.index(lower) >= order.index(upper):
                raise self.error(keys, "a branching ratio must go to a lower state")
            # the ground-state share is the remainder of the decay, and a zero ratio is no
            # branch at all
            if lower == order[0] or ratio == 0:
                continue
            totals[upper] = totals.get(upper, 0.0) + ratio
            if totals[upper] > 1 + 1e-9:
                raise self.error(keys, f"the ratios from {upper} sum to {totals[upper]:g} > 1")
            branching.append((upper, lower, ratio))
        return tuple(branching)

    def _energy_transfer(self) -> tuple:
        section = ("energy_transfer",)
        processes, skipped = [], []
        for name, entry in self.mapping(section, empty_ok=True).items():
            keys = (*section, name)
            entry = self.mapping(keys, required=("process", "multipolarity", "strength"),
                                 optional=("strength_avg",))
            terms = self._terms(entry["process"], (*keys, "process"),
                                "expected 'Ion(state) + Ion(state) -> Ion(state) + Ion(state)'")
            multipolarity = self.number(entry["multipolarity"], (*keys, "multipolarity"), 0)
            strength = self.number(entry["strength"], (*keys, "strength"), 0)
            strength_avg = (self.number(entry["strength_avg"], (*keys, "strength_avg"), 0)
                            if entry.get("strength_avg") is not None else None)
            if len(terms) == 3:
                skipped.append(f"{name} (cooperative, three ions)")
                continue
            if len(terms) != 2:
                raise self.error((*keys, "process"), "an energy transfer involves two ions "
                                                     "(or three, cooperative)")
            (donor, d_from, d_to), (acceptor, a_from, a_to) = terms
            if None in (d_from, d_to, a_from, a_to):
                self.dropped.append(f"energy_transfer: {name}")
                continue
            if donor == acceptor == "Yb" and (d_from, d_to) == (a_to, a_from):
                if multipolarity != 6:
                    raise self.error((*keys, "multipolarity"), f"Yb→Yb migration is taken "
                                     f"dipole–dipole (6), got {multipolarity:g}")
                self.migration_a6_s += strength
                skipped.append(f"{name} (Yb→Yb migration: the average model's single Yb "
                               "pool; kept as yb_migration_a6_s for the per-ion model)")
                continue
            if (strength if strength_avg is None else strength_avg) == 0:
                skipped.append(f"{name} (zero strength)")
                continue
            if strength_avg is None and multipolarity != 6 and not self.for_ions:
                raise self.error((*keys, "multipolarity"),
                                 f"the model's lattice sum is dipole–dipole (6), got "
                                 f"{multipolarity:g}; give strength_avg to use it as the "
                                 "average-mode coefficient (or read for_ions=True)")
            if multipolarity not in (6, 8, 10):
                raise self.error((*keys, "multipolarity"), f"must be 6, 8 or 10, got "
                                                           f"{multipolarity:g}")
            try:
                processes.append(EnergyTransfer(str(name), donor, d_from, d_to, acceptor, a_from,
                                                a_to, strength, strength_avg,
                                                int(multipolarity)))
            except ValueError as err:
                raise self.error(keys, str(err)) from None
        if skipped:
            self.warnings.append(f"energy_transfer: skipped {', '.join(skipped)}")
        return tuple(processes)

    def _terms(self, process, keys: tuple, usage: str) -> list[tuple]:
        """``Ion(a) + Ion(b) -> Ion(c) + Ion(d)`` → ``[(ion, our a, our c), (ion, b, d)]``."""
        sides = process.split("->") if isinstance(process, str) else ()
        if len(sides) != 2:
            raise self.error(keys, f"{usage}, got {process!r}")
        initial, final = ([_TERM.fullmatch(term) for term in side.split("+")] for side in sides)
        if None in initial or None in final or len(initial) != len(final):
            raise self.error(keys, f"{usage}, got {process!r}")
        terms = []
        for start, end in zip(initial, final, strict=True):
            if start.group(1) != end.group(1):
                raise self.error(keys, f"{start.group(0).strip()} and {end.group(0).strip()} "
                                       "must be the same ion")
            ion = start.group(1)
            terms.append((ion, self.level(ion, start.group(2), keys),
                          self.level(ion, end.group(2), keys)))
        return terms

    def _pump(self) -> dict:
        """σ and degeneracy ratio of the Yb(GS)->Yb(ES) excitation, active ones first."""
        section = ("excitations",)
        pumps, ignored = [], []
        for label, entry in self.mapping(section).items():
            keys = (*section, label)
            entry = self.mapping(keys, required=("active", "power_dens", "process", "degeneracy",
                                                 "pump_rate"), optional=("t_pulse",))
            if not isinstance(entry["active"], bool):
                raise self.error((*keys, "active"), f"must be True or False, got "
                                                    f"{entry['active']!r}")
            self.number(entry["power_dens"], (*keys, "power_dens"), 0)
            steps = [entry[key] if isinstance(entry[key], list) else [entry[key]]
                     for key in ("process", "degeneracy", "pump_rate")]
            if len({len(step) for step in steps}) != 1:
                raise self.error(keys, "process, degeneracy and pump_rate must have the same "
                                       "number of items")
            for i, (process, degeneracy, rate) in enumerate(zip(*steps, strict=True)):
                index = (i,) if len(steps[0]) > 1 else ()
                terms = self._terms(process, (*keys, "process", *index),
                                    "expected 'Ion(state) -> Ion(state)'")
                if len(terms) != 1:
                    raise self.error((*keys, "process", *index),
                                     f"an excitation is one ion's transition, got {process!r}")
                degeneracy = self.number(degeneracy, (*keys, "degeneracy", *index), 0)
                rate = self.number(rate, (*keys, "pump_rate", *index), 0)
                if terms[0] == ("Yb", *YB_LEVELS):
                    pumps.append((not entry["active"], label, rate, degeneracy))
                elif entry["active"]:
                    ignored.append(f"{label} ({process})")
        if ignored:
            self.warnings.append(f"excitations: the model pumps only Yb(GS)->Yb(ES); ignored "
                                 f"{', '.join(ignored)}")
        if not pumps:
            return {}
        pumps.sort(key=lambda pump: pump[0])
        inactive, label, rate, degeneracy = pumps[0]
        rivals = [p[1] for p in pumps[1:] if p[0] == inactive and p[2:] != (rate, degeneracy)]
        if rivals:
            raise self.error(section, f"the Yb(GS)->Yb(ES) pumps {[label, *rivals]} differ; "
                                      "keep one (or make one active)")
        return {"yb_cross_section_cm2": rate * h * c / (_PUMP_NM * 1e-9),
                "yb_degeneracy_ratio": degeneracy}
