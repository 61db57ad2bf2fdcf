"""The measured file as AnalysisLab reads it: the bundled example decays, which analysis and
x unit a file's header asks for, and its columns in the plot's units. No widgets here.
"""

from __future__ import annotations

import re

import numpy as np

from ...data import example_decay_bytes
from ...io import MeasuredTable, read_table
from .analysis_outcomes import ANALYSES, DECAY_ANALYSES, HC_EV_NM, TIME_UNITS

__all__ = ["EXAMPLE_CITATION", "X_UNITS", "analysis_for", "default_x_unit", "example_label",
           "example_table", "plot_columns"]

EXAMPLE_CITATION = ("measured by P. Villanueva-Delgado et al., published with simetuc (MIT "
                    "licence); cite simetuc and J. Phys. Chem. C 119, 23648 (2015)")
_UNIT_ALIASES = {"s": "s", "sec": "s", "ms": "ms", "us": "µs", "µs": "µs", "μs": "µs",
                 "ns": "ns"}
#: Units the x column of a file may have, per analysis.
X_UNITS = {"decay": tuple(TIME_UNITS), "rise_decay": tuple(TIME_UNITS), "tauc": ("eV", "nm"),
           "xrd": ("°",), "size": ("nm",)}


def example_label(name: str) -> str:
    """A bundled decay's name as a person reads it.

    Examples
    --------
    >>> example_label("decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm.txt")
    'Yb 2F5/2, 980 nm exc., 25% Yb 0.3% Tm'
    """
    found = re.match(r"decay_(Yb|Tm)_(\w+?)_exc_(NIR|Vis)_(\d+)_([\d.]+)Yb_([\d.]+)Tm", name)
    if not found:
        return name
    ion, level, _, nm, yb, tm = found.groups()
    level = "2F5/2" if level == "ES" else level
    return f"{ion} {level}, {nm} nm exc., {float(yb):g}% Yb {float(tm):g}% Tm"


def example_table(name: str) -> tuple[MeasuredTable, bytes]:
    """A bundled decay (already checked to be one of ``example_decays()``) read as a table,
    and its bytes (what a saved lab needs)."""
    content = example_decay_bytes(name)
    return read_table(content, name=name, min_columns=1), content


def _display_unit(span_s: float) -> str:
    """The largest time unit in which the data span at least 1."""
    return next((u for u, s in TIME_UNITS.items() if span_s >= s), "ns")


def analysis_for(table: MeasuredTable, current: str) -> str:
    r"""The analysis a file's header asks for, else ``current``: one column is a list of sizes;
    an x column in s/ms/µs/ns is a decay, in eV a spectrum, in degrees or 2θ a pattern.

    Examples
    --------
    >>> analysis_for(read_table(b"Time (ns),Counts\n0,5\n1,3\n"), "size")
    'decay'
    """
    if table.data.shape[1] == 1:
        return "size"
    unit, name = table.units[0].strip().lower(), table.columns[0].lower()
    if unit in _UNIT_ALIASES:
        return current if current in DECAY_ANALYSES else "decay"
    if unit == "ev":
        return "tauc"
    if unit in ("deg", "°", "degree", "degrees") or "theta" in name or "2θ" in name:
        return "xrd"
    return current


def default_x_unit(analysis: str, table: MeasuredTable | None, current: str) -> str:
    """The x unit a file's header states, or a guess from its numbers (``current`` when it
    fits a decay and the header says nothing)."""
    units = X_UNITS[analysis]
    stated = table.units[0].strip() if table is not None else ""
    if analysis in DECAY_ANALYSES:
        if _UNIT_ALIASES.get(stated) in units:
            return _UNIT_ALIASES[stated]
        return current if current in units else "s"
    if analysis == "tauc" and table is not None and table.data.shape[1] > 1:
        # wavelengths (hundreds of nm) or photon energies (a few eV)
        return "nm" if stated == "nm" or float(np.median(table.x)) > 100 else "eV"
    return units[0]


def plot_columns(table: MeasuredTable, analysis: str, *, x_column: int, y_column: int,
                 x_unit: str) -> tuple[np.ndarray, np.ndarray, str, str | None]:
    r"""x and y of an analysis in the plot's units, the y unit, and for a decay the time unit
    of the plot (chosen from the data's span; None for other analyses).

    Examples
    --------
    >>> table = read_table(b"Time (s),Counts\n0,5\n0.002,3\n0.004,1\n")
    >>> x, y, y_unit, unit = plot_columns(table, "decay", x_column=0, y_column=1, x_unit="s")
    >>> x.tolist(), unit
    ([0.0, 2.0, 4.0], 'ms')
    """
    n_cols = table.data.shape[1]
    if analysis == "size":
        sizes = table.column(min(y_column, n_cols - 1))
        return sizes, sizes, "nm", None
    if n_cols < 2:
        raise ValueError(f"{table.source} has a single column; {ANALYSES[analysis]} needs "
                         "x and y columns (a single column is a list of sizes)")
    x = np.array(table.column(x_column), dtype=float)
    y = np.array(table.column(y_column), dtype=float)
    if x_unit not in X_UNITS[analysis]:
        raise ValueError(f"x_unit must be one of {list(X_UNITS[analysis])} for "
                         f"{ANALYSES[analysis]}, got {x_unit!r}")
    display_unit = None
    if analysis in DECAY_ANALYSES:
        seconds = x * TIME_UNITS[x_unit]
        display_unit = _display_unit(float(np.ptp(seconds)))
        x = seconds / TIME_UNITS[display_unit]
    elif analysis == "tauc" and x_unit == "nm":
        if np.any(x <= 0):
            raise ValueError("wavelengths must be > 0 nm to convert them to photon energies")
        x = HC_EV_NM / x
    return x, y, table.units[y_column], display_unit
