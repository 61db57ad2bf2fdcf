"""Read measured data tables (decays, spectra, XRD patterns) from text and CSV files.

:func:`read_table` takes what a user has: a path, the bytes of an uploaded file (ipywidgets'
``FileUpload`` gives ``upload.value[0]["content"]``, a ``memoryview``) or an open text or binary
stream. It finds the layout itself — header lines, delimiter, decimal mark, column names and
units — and returns a :class:`MeasuredTable`. Anything it cannot read raises one
:class:`DataFileError` whose message names the file, the 1-based line and what was wrong, so a
widget can show it as it is. Nothing in a file is ever evaluated or unpickled.

The rules, in the order they are applied:

- **Text.** UTF-8 (with or without BOM), UTF-16/UTF-32 with BOM, else latin-1 (which keeps
  the digits and delimiters of any ANSI code page); a text stream is taken as decoded. LF, CRLF
  or CR line ends. NUL bytes or other control characters mean "not a text file". At most
  :data:`MAX_BYTES` bytes.
- **Skipped lines.** Blank lines and comment lines, whose first non-blank character is ``#``
  or ``%``, anywhere in the file.
- **Layout.** Fields are separated by commas, semicolons, tabs or runs of spaces/tabs, detected
  from the lines that consist of numbers only (never from the header). A comma is a decimal
  mark only where fields are separated by semicolons, tabs or spaces; where a comma could be
  either, it is the delimiter, so ``1,5`` is two columns (1 and 5) while ``1,5;2,25`` and
  ``1,5<TAB>2,25`` are one row of 1.5 and 2.25. When several layouts read the same lines, the
  one giving more columns wins.
- **Numbers.** Integers and decimals with optional exponent (``1e-3``, ``1E+03``, Fortran
  ``1.5D-3``), optionally in double quotes. ``nan``, ``inf`` and values beyond the float range
  are errors: a measured point has a finite value.
- **Data block.** The column count is the most common field count of the rows of numbers (a
  tie goes to more fields); the data start at the first row with that count and run to the end
  of the file. Every line in it must hold that many numbers (one delimiter at the end of a row
  is allowed, as spreadsheets write it); text after the data (a footer such as ``END``) is an
  error rather than a silent stop, so a damaged last line is never dropped unnoticed. At least
  two rows are needed.
- **Header.** Lines above the data are ignored, except the last (at most three) that split
  into as many fields as the data has columns. The last of them gives the names, with units
  written ``Time (ns)``, ``Time [ns]`` or ``time/ns`` (a slash only before a recognised unit, so
  ``I/I0`` stays a name); but if one of them below the first holds only recognised units, the
  line above it gives the names (Origin: ``Time<TAB>Intensity``, then ``ns<TAB>a.u.``, then
  comments). With space-separated data, names may be separated by two or more spaces or carry
  a bracketed unit (``Time (ns) Counts``).
- **Damaged first row.** The line directly above the data is reported as a damaged row, not
  skipped as a header, when it is made of number characters only (``1,2,``), when it has the
  data's field count and starts with a number (``0;1,b5``), or when it has a field more or less
  than the data and most of its fields are numbers (``1.5,abc,2.3``). Header names may still be
  numbers after the first (``T,300,310``); a first number with a letter glued to it (``1b 2``)
  cannot be told from a header and is skipped as one.

Examples
--------
>>> table = read_table(b"# decay of sample A\\nTime (ns),Intensity (counts)\\n0,1200\\n2.5,800\\n",
...                    name="decay_A.csv")
>>> table.columns, table.units
(('Time', 'Intensity'), ('ns', 'counts'))
>>> table.x.tolist(), table.column("intensity").tolist()
([0.0, 2.5], [1200.0, 800.0])
>>> read_table(b"t;I\\n0;1,5\\n1;oops\\n", name="decay_B.csv")
Traceback (most recent call last):
...
lnhet_widgets.io.DataFileError: decay_B.csv, line 3: 'oops' is not a number (expected 2 numbers \
separated by semicolons): '1;oops'
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from lnhet_widgets.core._base.results import ResultIO, write_csv

__all__ = ["MAX_BYTES", "DataFileError", "MeasuredTable", "read_table"]

#: Largest input :func:`read_table` accepts, in bytes (50 MiB, ~2 million rows of two columns).
MAX_BYTES = 50 * 2**20

_EXCERPT_CHARS = 60
# Enough rows of numbers to tell the layout apart; the rest of the file is only validated.
_LAYOUT_SAMPLE_ROWS = 200
# Origin writes at most names, units and comments above the data.
_MAX_LABEL_LINES = 3


class DataFileError(ValueError):
    """A data file that :func:`read_table` cannot read.

    The message names the source (file name, given name or ``"<uploaded bytes>"``), the 1-based
    line where there is one, what was wrong and the offending line (shortened to 60
    characters). The same pieces are available as attributes.

    Attributes
    ----------
    source : str
        File name or given name.
    line : int or None
        1-based line number, ``None`` when the problem is not tied to a line (size, I/O).
    """

    def __init__(self, source: str, line: int | None, problem: str, text: str | None = None):
        self.source = source
        self.line = line
        where = source if line is None else f"{source}, line {line}"
        message = f"{where}: {problem}"
        if text is not None:
            message += f": {_excerpt(text)!r}"
        super().__init__(message)


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 3] + "..."


@dataclass(frozen=True, eq=False)
class MeasuredTable(ResultIO):
    """Columns of numbers read from a measurement file by :func:`read_table`.

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
        File name or the name given to :func:`read_table`.

    Examples
    --------
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


# --- reading and decoding -------------------------------------------------------------------


def read_table(source, *, name: str | None = None, min_columns: int = 2) -> MeasuredTable:
    """Read a table of numbers from a text/CSV measurement file; see the module for the rules.

    Parameters
    ----------
    source : str, os.PathLike, bytes, bytearray, memoryview or file object
        A ``str`` is always a path. Bytes-like objects are the file's content (what an ipywidgets
        ``FileUpload`` gives). A file object may be binary or text (``io.StringIO(text)`` is the
        way to pass text already decoded).
    name : str, optional
        Name used in messages and stored as :attr:`MeasuredTable.source`. Defaults to the file
        name, a stream's ``name``, or ``"<uploaded bytes>"``/``"<stream>"``.
    min_columns : int
        Fewest columns accepted (1 for a single column of numbers).

    Returns
    -------
    MeasuredTable

    Raises
    ------
    DataFileError
        For every input that cannot be read: missing or unreadable file, too large, not text,
        no data, too few rows or columns, a malformed line (named by its 1-based number).

    Examples
    --------
    A European export, semicolons with decimal commas, two metadata lines and CRLF ends:

    >>> raw = (b"Instrument: FLS1000\\r\\nSample: A\\r\\nt [ns];I [cts]\\r\\n"
    ...        b"0;1,5E3\\r\\n0,5;1,25E3\\r\\n")
    >>> table = read_table(raw, name="export.csv")
    >>> table.columns, table.units, table.data.tolist()
    (('t', 'I'), ('ns', 'cts'), [[0.0, 1500.0], [0.5, 1250.0]])

    A column too many on line 4:

    >>> read_table(b"x y\\n1 2\\n3 4\\n5 6 7\\n", name="bad.txt")
    Traceback (most recent call last):
    ...
    lnhet_widgets.io.DataFileError: bad.txt, line 4: expected 2 numbers separated by spaces or \
tabs, found 3 fields: '5 6 7'
    """
    if isinstance(min_columns, bool) or not isinstance(min_columns, int) or min_columns < 1:
        raise ValueError(f"min_columns must be an integer ≥ 1, got {min_columns!r}")
    label, content = _load(source, name)
    text = content if isinstance(content, str) else _decode(content, label)
    _reject_control_characters(text, label)
    return _parse(text, label, min_columns)


def _load(source, name: str | None) -> tuple[str, bytes | str]:
    """The label for messages and the raw content (bytes, or str from a text stream)."""
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or "<uploaded bytes>"
        size = memoryview(source).nbytes
        _check_size(size, label)
        return label, bytes(source)
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if "\n" in path or "\r" in path:
            raise DataFileError(name or "<str>", None, "a str is read as a path and this one "
                                "holds line breaks; pass file content as bytes (text.encode()) "
                                "or as io.StringIO(text)")
        label = name or Path(path).name or path
        try:
            with open(path, "rb") as handle:
                content = handle.read(MAX_BYTES + 1)
        except (OSError, ValueError) as error:  # ValueError: a NUL inside the path
            reason = getattr(error, "strerror", None) or error
            raise DataFileError(label, None, f"cannot read the file ({reason})") from error
        _check_size(len(content), label)
        return label, content
    if hasattr(source, "read"):
        stream_name = getattr(source, "name", None)
        named = isinstance(stream_name, str) and Path(stream_name).name
        label = name or named or "<stream>"
        try:
            content = source.read(MAX_BYTES + 1)
        except (OSError, ValueError) as error:
            raise DataFileError(label, None, f"cannot read the stream ({error})") from error
        if not isinstance(content, bytes | bytearray | str):
            raise DataFileError(label, None, f"the stream gave {type(content).__name__}, "
                                "not bytes or text")
        _check_size(len(content), label)
        return label, content if isinstance(content, str) else bytes(content)
    raise TypeError("source must be a path, bytes-like content or a file object, got "
                    f"{type(source).__name__}")


def _check_size(size: int, label: str) -> None:
    if size > MAX_BYTES:
        raise DataFileError(label, None, f"is larger than the limit of {MAX_BYTES:,} bytes "
                            f"({MAX_BYTES / 2**20:g} MiB)")


_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
)


def _decode(raw: bytes, label: str) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as error:
                line = _line_at(raw[: error.start].decode(encoding, errors="replace"))
                raise DataFileError(label, line, f"not a text file (invalid {encoding.upper()} "
                                    "after its byte-order mark)") from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DataFileError(label, _line_at(raw[:nul].decode("latin-1")), "not a text file "
                            "(NUL byte; UTF-16 text needs a byte-order mark)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # instrument software on Windows writes ANSI code pages; latin-1 decodes every byte and
        # keeps the ASCII digits and delimiters that matter here
        return raw.decode("latin-1")


def _line_at(prefix: str) -> int:
    """1-based line number of the character that follows ``prefix``."""
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _reject_control_characters(text: str, label: str) -> None:
    found = _CONTROL.search(text.rstrip("\x1a"))  # DOS editors end files with Ctrl-Z
    if found:
        raise DataFileError(label, _line_at(text[: found.start()]), "not a text file (control "
                            f"character U+{ord(found.group()):04X})")


# --- layout ----------------------------------------------------------------------------------

_NUM_DOT = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eEdD][+-]?\d+)?"
_NUM_COMMA = r"[+-]?\d+(?:,\d+)?(?:[eEdD][+-]?\d+)?"
# nan/inf read as numbers while the layout is worked out, and are rejected with their own
# message, so that a row holding one is reported as such rather than mistaken for a header
_NOT_FINITE = r"[+-]?(?:nan|inf(?:inity)?)"
_NOT_FINITE_RE = re.compile(_NOT_FINITE, re.IGNORECASE)
# a line can be a row of numbers only if it starts like a number; cheap test for header text
_NUMBER_START = frozenset('0123456789+-."nNiI')


@dataclass(frozen=True)
class _Layout:
    delimiter: str  # "," ";" "\t" or " " for runs of spaces and tabs
    decimal: str  # "." or ","

    @property
    def words(self) -> str:
        names = {",": "commas", ";": "semicolons", "\t": "tabs", " ": "spaces or tabs"}
        return names[self.delimiter]

    @cached_property  # fields() runs on every sampled line, for every layout
    def split_re(self) -> re.Pattern:
        return re.compile(r"[ \t]+" if self.delimiter == " " else
                          rf"[ \t]*{re.escape(self.delimiter)}[ \t]*")

    def field_re(self, finite_only: bool) -> str:
        num = _NUM_DOT if self.decimal == "." else _NUM_COMMA
        if not finite_only:
            num = f"(?:{num}|{_NOT_FINITE})"
        return f'(?:{num}|"{num}")'

    def row_re(self, n_fields: int | None = None, *, finite_only: bool) -> re.Pattern:
        field = self.field_re(finite_only)
        sep = self.split_re.pattern
        repeat = "*" if n_fields is None else f"{{{n_fields - 1}}}"
        # spreadsheets and LabVIEW often end every row with a delimiter
        trailing = "" if self.delimiter == " " else f"(?:{sep})?"
        return re.compile(f"{field}(?:{sep}{field}){repeat}{trailing}", re.IGNORECASE)

    def fields(self, text: str) -> list[str]:
        """Fields of a line, split at the delimiter, one trailing delimiter ignored."""
        if self.delimiter != " " and text.endswith(self.delimiter) and len(text) > 1:
            text = text[:-1].rstrip(" \t")
        return self.split_re.split(text)


# preference order among layouts that read the sample equally well
_LAYOUTS = tuple(_Layout(d, m) for m, ds in ((".", ",\t; "), (",", "\t; ")) for d in ds)
_ROW_RES = tuple(layout.row_re(finite_only=False) for layout in _LAYOUTS)


def _choose_layout(lines: list[tuple[int, str]]) -> tuple[_Layout, int, int] | None:
    """Layout, column count and index (into ``lines``) of the first data row, or None."""
    counts = [Counter() for _ in _LAYOUTS]
    rows_seen = 0
    for _, text in lines:
        if text[0] not in _NUMBER_START:
            continue
        hit = False
        for k, row_re in enumerate(_ROW_RES):
            if row_re.fullmatch(text):
                counts[k][len(_LAYOUTS[k].fields(text))] += 1
                hit = True
        rows_seen += hit
        if rows_seen >= _LAYOUT_SAMPLE_ROWS:
            break
    best = None
    for k, counter in enumerate(counts):
        if not counter:
            continue
        # the most common field count; a tie goes to more fields (a row that lost one)
        n = max(counter, key=lambda c: (counter[c], c))
        score = (sum(counter.values()), n, -k)
        if best is None or score > best[0]:
            best = (score, k, n)
    if best is None:
        return None
    _, k, n = best
    row_re = _LAYOUTS[k].row_re(n, finite_only=False)
    start = next(i for i, (_, text) in enumerate(lines) if row_re.fullmatch(text))
    return _LAYOUTS[k], n, start


def _split_fields(text: str, layout: _Layout, n_fields: int) -> list[str]:
    """Fields of a header or damaged line, honouring double quotes."""
    if layout.delimiter == " ":
        fields = [f.strip('"') for f in re.findall(r'"[^"]*"|\S+', text)]
        # aligned headers ("Time (ns)   Counts") keep single spaces inside names, and a
        # bracketed unit belongs to the name before it ("Time (ns) Counts")
        for other in (re.split(r"\s{2,}|\t", text), _attach_units(fields)):
            if len(fields) != n_fields and len(other) == n_fields:
                fields = other
        return [f.strip() for f in fields]
    try:
        fields = next(csv.reader([text], delimiter=layout.delimiter, skipinitialspace=True))
    except (csv.Error, StopIteration):  # over-long quoted field: fall back to a plain split
        fields = text.split(layout.delimiter)
    if len(fields) == n_fields + 1 and not fields[-1].strip():
        fields.pop()  # a trailing delimiter, as on the data rows
    return [f.strip().strip('"').strip() for f in fields]


def _attach_units(tokens: list[str]) -> list[str]:
    """Join ``(…)``/``[…]`` tokens, also ones split at spaces, to the token before them."""
    merged = []
    depth = 0
    for token in tokens:
        if merged and (depth > 0 or token[:1] in ("(", "[")):
            merged[-1] += " " + token
        else:
            merged.append(token)
        last = merged[-1]
        depth = last.count("(") + last.count("[") - last.count(")") - last.count("]")
    return merged


# --- parsing ---------------------------------------------------------------------------------


def _parse(text: str, label: str, min_columns: int) -> MeasuredTable:
    text = text.lstrip("\ufeff").rstrip("\x1a")
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [(i + 1, s) for i, raw in enumerate(raw_lines)
             if (s := raw.strip()) and s[0] not in "#%"]
    if not lines:
        if any(raw.strip() for raw in raw_lines):
            last = max(i for i, raw in enumerate(raw_lines, 1) if raw.strip())
            raise DataFileError(label, last, "holds only comment lines, no data")
        raise DataFileError(label, 1, "the file is empty")

    chosen = _choose_layout(lines)
    if chosen is None:
        raise DataFileError(label, lines[-1][0], "reached the end of the file without finding "
                            "a line of numbers")
    layout, n_cols, start = chosen
    if start > 0:
        _check_line_above_data(lines[start - 1], layout, n_cols, label)
    body = lines[start:]
    data = _read_rows(body, layout, n_cols, label)
    first_line, first_text = body[0]
    if n_cols < min_columns:
        raise DataFileError(label, first_line, f"found {n_cols} column{'s' * (n_cols > 1)} of "
                            f"numbers, need at least {min_columns}", first_text)
    if data.shape[0] < 2:
        raise DataFileError(label, first_line, "only one row of data; need at least 2",
                            first_text)
    if layout.delimiter == "\t":  # keep the empty first or last names that stripping loses
        header = [(i, raw_lines[i - 1].strip(" ")) for i, _ in lines[:start]]
    else:
        header = lines[:start]
    columns, units = _labels(header, layout, n_cols)
    return MeasuredTable(columns=columns, units=units, data=data, source=label)


_ANY_NUMBER_RE = re.compile(f"{_NUM_DOT}|{_NUM_COMMA}|{_NOT_FINITE}", re.IGNORECASE)
_NUMBER_CHARS_RE = re.compile(r'[-+\d.,;\t "eEdD]*\d[-+\d.,;\t "eEdD]*')


def _check_line_above_data(line: tuple[int, str], layout: _Layout, n_cols: int, label: str):
    """The line right above the data is a damaged first row, not a header to skip, if it is
    made of digits and number characters only, if it has the data's field count and starts with
    a number, or if with a field lost or added most of its fields are numbers."""
    number, text = line
    fields = _split_fields(text, layout, n_cols)
    numeric = [bool(_ANY_NUMBER_RE.fullmatch(f)) for f in fields]
    if (_NUMBER_CHARS_RE.fullmatch(text)
            or (len(fields) == n_cols and numeric[0])
            or (len(fields) != n_cols and 2 * sum(numeric) > len(fields))):
        raise DataFileError(label, number, _what_is_wrong(text, layout, n_cols), text)


def _read_rows(body: list[tuple[int, str]], layout: _Layout, n_cols: int,
               label: str) -> np.ndarray:
    texts = [text for _, text in body]
    matches = map(layout.row_re(n_cols, finite_only=True).fullmatch, texts)
    bad = next((k for k, m in enumerate(matches) if m is None), None)
    if bad is not None:
        number, text = body[bad]
        raise DataFileError(label, number, _what_is_wrong(text, layout, n_cols), text)
    # every line is now known to hold n_cols plain numbers, so one split reads them all
    joined = "\n".join(texts).replace('"', "")
    if layout.decimal == ",":
        joined = joined.replace(",", ".")
    if layout.delimiter in ",;":
        joined = joined.replace(layout.delimiter, " ")
    joined = joined.translate(str.maketrans("dD", "ee"))
    tokens = joined.split()
    values = np.fromiter(map(float, tokens), dtype=np.float64, count=len(tokens))
    data = values.reshape(len(body), n_cols)
    finite = np.isfinite(data)
    if not finite.all():
        row, col = np.argwhere(~finite)[0]
        number, text = body[row]
        raise DataFileError(label, number, f"{tokens[row * n_cols + col]!r} is beyond the range "
                            "of floating-point numbers", text)
    return data


def _what_is_wrong(text: str, layout: _Layout, n_cols: int) -> str:
    expected = f"expected {n_cols} number{'s' * (n_cols > 1)} separated by {layout.words}"
    fields = layout.fields(text)
    number_re = re.compile(layout.field_re(finite_only=True), re.IGNORECASE)
    for field in fields:
        if _NOT_FINITE_RE.fullmatch(field.strip('"')):
            return f"{field!r} is not a finite number ({expected})"
        if not number_re.fullmatch(field):
            return f"{_excerpt(field)!r} is not a number ({expected})"
    return f"{expected}, found {len(fields)} field{'s' * (len(fields) != 1)}"


# --- column names and units --------------------------------------------------------------------

_PREFIX = "[yzafpnuµμmcdkMGT]?"
_BASE = (r"s|m|g|Hz|eV|V|A|W|J|K|Pa|bar|mol|M|L|l|rad|T|Ω|ohm|Å|Angstrom|min|h|hr|sec|"
         r"°|°C|deg|degrees?|counts?|cts|cps|photons|a\.?u\.?|arb\.? ?u(?:nits?)?\.?|%|OD|ppm")
_UNIT_ATOM = rf"(?:{_PREFIX}(?:{_BASE}))(?:\^?[-−]?\d|[²³⁻¹])*"
_UNIT_RE = re.compile(rf"{_UNIT_ATOM}(?:\s?[/·*.]\s?{_UNIT_ATOM})*|1/{_UNIT_ATOM}")
_BRACKETED = re.compile(r"(.*?)\s*(?:\(([^()]*)\)|\[([^\[\]]*)\])")


def _name_and_unit(field: str) -> tuple[str, str]:
    """``"Time (ns)"``, ``"Time [ns]"`` and ``"time/ns"`` → name and unit."""
    found = _BRACKETED.fullmatch(field)
    if found and found.group(1):
        unit = found.group(2) if found.group(2) is not None else found.group(3)
        return found.group(1), unit.strip()
    name, slash, unit = field.rpartition("/")
    if slash and name.strip() and _UNIT_RE.fullmatch(unit.strip()):
        return name.strip(), unit.strip()
    return field, ""


def _is_units_row(fields: list[str]) -> bool:
    units = [f.strip("()[] ") for f in fields]
    return any(units) and all(not u or _UNIT_RE.fullmatch(u) for u in units)


def _labels(header: list[tuple[int, str]], layout: _Layout,
            n_cols: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    block = []  # header lines directly above the data that split into n_cols fields
    for _, text in reversed(header[-_MAX_LABEL_LINES:]):
        fields = _split_fields(text, layout, n_cols)
        if len(fields) != n_cols:
            break
        block.insert(0, fields)
    names = units = None
    for k in range(len(block) - 1, 0, -1):
        if _is_units_row(block[k]):
            names, units = block[k - 1], [u.strip("()[] ") for u in block[k]]
            break
    if names is None and block:
        names, units = map(list, zip(*map(_name_and_unit, block[-1]), strict=True))
    if names is None:
        names, units = [""] * n_cols, [""] * n_cols
    columns = tuple(n or f"column {k + 1}" for k, n in enumerate(names))
    return columns, tuple(units)
