"""The table :func:`~lnhet_widgets.io.read_table` returns: named columns of numbers with units."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..core._base.results import ResultIO, write_csv

__all__ = ["MeasuredTable"]


@dataclass(frozen=True, eq=False)
class MeasuredTable(ResultIO):
    """Columns of numbers read from a measurement file by :func:`~lnhet_widgets.io.read_table`.

    Attributes
    ----------
    columns : tuple of str
        Column names from the header without their units (``"Time"`` from ``"Time (ns)"``), or
        ``"column 1"``, ``"column 2"``, … where the file has none.
    units : tuple of str
        Unit of each column as written in the header (``"ns"``), ``""`` where none is given.
    data : numpy.ndarray
        float64, shape ``(n_rows, n_columns)``, read-only.
    source : str
        File name or the name given to :func:`~lnhet_widgets.io.read_table`.

    Examples
    --------
    >>> from lnhet_widgets.io import read_table
    >>> table = read_table(b"2theta/deg,I,sd\\n20,5,1\\n20.02,7,1\\n", name="xrd.csv")
    >>> table.columns, table.units, table.data.shape
    (('2theta', 'I', 'sd'), ('deg', '', ''), (2, 3))
    >>> table.column(2).tolist(), table.column("I").tolist()
    ([1.0, 1.0], [5.0, 7.0])
    >>> print(table.to_csv(), end="")
    2theta (deg),I,sd
    20,5,1
    20.02,7,1
    """

    columns: tuple[str, ...]
    units: tuple[str, ...]
    data: np.ndarray
    source: str

    def __post_init__(self):
        data = np.array(self.data, dtype=np.float64)
        if data.ndim != 2:
            raise ValueError(f"data must be 2-D (rows, columns), got shape {data.shape}")
        if not len(self.columns) == len(self.units) == data.shape[1]:
            raise ValueError(
                f"{data.shape[1]} data columns need as many names and units, got "
                f"{len(self.columns)} names and {len(self.units)} units"
            )
        data.setflags(write=False)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))
        object.__setattr__(self, "units", tuple(str(u) for u in self.units))

    def column(self, key: int | str) -> np.ndarray:
        """One column, by 0-based index (negative counts from the end) or name (any case).

        Raises ``IndexError`` for an index out of range and ``KeyError`` for an unknown or
        ambiguous name; both messages list the columns there are.
        """
        if isinstance(key, str):
            hits = [i for i, c in enumerate(self.columns) if c.casefold() == key.casefold()]
            if len(hits) != 1:
                problem = "no column" if not hits else "more than one column"
                raise KeyError(f"{problem} named {key!r} in {self.source}; "
                               f"columns are {list(self.columns)}")
            return self.data[:, hits[0]]
        if isinstance(key, bool) or not isinstance(key, int | np.integer):
            raise TypeError(f"column key must be an int or a str, got {type(key).__name__}")
        n = self.data.shape[1]
        if not -n <= key < n:
            raise IndexError(f"column index {key} is out of range for the {n} columns of "
                             f"{self.source}: {list(self.columns)}")
        return self.data[:, key]

    @property
    def x(self) -> np.ndarray:
        """The first column (time, wavelength, 2θ …)."""
        return self.column(0)

    @property
    def y(self) -> np.ndarray:
        """The second column (the measured signal)."""
        if self.data.shape[1] < 2:
            raise IndexError(f"{self.source} has a single column; there is no y")
        return self.column(1)

    def to_csv(self, path=None) -> str:
        """Write the table as CSV with ``name (unit)`` headers; returns the CSV text."""
        labels = [f"{c} ({u})" if u else c for c, u in zip(self.columns, self.units, strict=True)]
        # write_csv keys by label; make repeated labels distinct so no column is lost
        seen = Counter()
        keys = []
        for label in labels:
            seen[label] += 1
            keys.append(label if seen[label] == 1 else f"{label} {seen[label]}")
        return write_csv(dict(zip(keys, self.data.T, strict=True)), path)
