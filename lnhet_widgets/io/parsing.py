"""Parsing the text of a measurement file: the layout (delimiter, decimal mark), the data block,
damaged rows, and the column names and units of the header.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import DataFileError, _excerpt
from .table import MeasuredTable

# Enough rows of numbers to tell the layout apart; the rest of the file is only validated.
_LAYOUT_SAMPLE_ROWS = 200
# Origin writes at most names, units and comments above the data.
_MAX_LABEL_LINES = 3


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
