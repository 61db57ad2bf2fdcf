"""Tests of lnhet_widgets.io.read_table: real files, hand-written formats, malformed input, fuzz."""

from __future__ import annotations

import codecs
import io
import pickle
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lnhet_widgets.io.reading as lio
from lnhet_widgets.data import example_decays
from lnhet_widgets.io import DataFileError, MeasuredTable, read_table

DECAYS = resources.files("lnhet_widgets.data") / "simetuc_bNaYF4_decays"


def _error(content, **kwargs) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        read_table(content, **kwargs)
    return info.value


# --- real files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", example_decays())
def test_bundled_decays_equal_loadtxt(name):
    path = Path(str(DECAYS / name))
    table = read_table(path)
    expected = np.loadtxt(path)
    assert table.data.shape == expected.shape
    assert np.array_equal(table.data, expected)
    assert table.source == name
    assert table.columns == ("column 1", "column 2") and table.units == ("", "")
    assert np.array_equal(table.x, expected[:, 0]) and np.array_equal(table.y, expected[:, 1])


def test_all_kinds_of_source_give_the_same_table(tmp_path):
    raw = b"Time (ns)\tCounts\n0\t10\n1.5\t7\n3\t4\n"
    path = tmp_path / "decay.txt"
    path.write_bytes(raw)
    reference = read_table(path)
    assert reference.source == "decay.txt"
    others = [
        read_table(str(path)),
        read_table(raw, name="decay.txt"),
        read_table(bytearray(raw), name="decay.txt"),
        read_table(memoryview(raw), name="decay.txt"),  # ipywidgets FileUpload content
        read_table(io.BytesIO(raw), name="decay.txt"),
        read_table(io.StringIO(raw.decode()), name="decay.txt"),
    ]
    with open(path, "rb") as handle:
        others.append(read_table(handle))
    for table in others:
        assert np.array_equal(table.data, reference.data)
        assert (table.columns, table.units, table.source) == (
            reference.columns, reference.units, "decay.txt")
    assert read_table(raw).source == "<uploaded bytes>"
    assert read_table(io.StringIO(raw.decode())).source == "<stream>"


# --- hand-written formats -------------------------------------------------------------------------


def test_origin_export_with_names_units_and_comments_rows():
    raw = (b"Time\tIntensity\tFit\n"
           b"ns\ta.u.\t\n"
           b"sample A\tsample A\tbiexp\n"
           b"0\t1.00\t0.98\n2\t0.61\t0.60\n4\t0.37\t0.36\n")
    table = read_table(raw)
    assert table.columns == ("Time", "Intensity", "Fit")
    assert table.units == ("ns", "a.u.", "")
    assert table.data.tolist() == [[0, 1.0, 0.98], [2, 0.61, 0.60], [4, 0.37, 0.36]]


def test_csv_with_units_in_the_header_and_metadata_above():
    raw = (b"Instrument: FLS1000\nSample: NaYF4:Yb,Tm@CsPbBr3\nExcitation: 980 nm\n"
           b"Time (ns),Intensity (counts)\n0,1200\n10,800\n20,500\n")
    table = read_table(raw, name="decay.csv")
    assert table.columns == ("Time", "Intensity") and table.units == ("ns", "counts")
    assert table.column("TIME").tolist() == [0, 10, 20]
    assert table.column("intensity").tolist() == [1200, 800, 500]


@pytest.mark.parametrize(("header", "units"), [
    ("Time [ns],I [a.u.]", ("ns", "a.u.")),
    ("time/ns,I/I0", ("ns", "")),          # I0 is not a unit: the slash is part of the name
    ("2theta/deg,Intensity", ("deg", "")),
    ("Energy (meV),Absorbance (OD)", ("meV", "OD")),
])
def test_unit_notations(header, units):
    table = read_table(f"{header}\n1,2\n3,4\n".encode())
    assert table.units == units


def test_european_export_semicolons_and_decimal_commas_crlf():
    raw = "Zeit (µs);Zählrate\r\n0;1,5\r\n0,25;1,25E3\r\n0,5;-2,5e-1\r\n".encode("cp1252")
    table = read_table(raw)  # not UTF-8: read as latin-1
    assert table.columns == ("Zeit", "Zählrate") and table.units == ("µs", "")
    assert table.data.tolist() == [[0, 1.5], [0.25, 1250.0], [0.5, -0.25]]


def test_decimal_comma_rule():
    assert read_table(b"1,5\n2,6\n").data.tolist() == [[1, 5], [2, 6]]  # comma: delimiter
    assert read_table(b"1,5;2,25\n3;4\n").data.tolist() == [[1.5, 2.25], [3, 4]]
    assert read_table(b"1,5\t2,25\n3\t4\n").data.tolist() == [[1.5, 2.25], [3, 4]]
    assert read_table(b"1,5 2,25\n3 4\n").data.tolist() == [[1.5, 2.25], [3, 4]]
    assert read_table(b'"1.5","2"\n"3","4"\n').data.tolist() == [[1.5, 2], [3, 4]]


def test_whitespace_aligned_columns_with_a_spaced_header():
    raw = (b"  Time (ns)     Counts   Fit\n"
           b"     0.0       1200   1190.5\n"
           b"    12.5        815    820.25\n")
    table = read_table(raw)
    assert table.columns == ("Time", "Counts", "Fit") and table.units == ("ns", "", "")
    assert table.data.tolist() == [[0, 1200, 1190.5], [12.5, 815, 820.25]]


def test_quoted_and_empty_names_in_a_whitespace_header():
    table = read_table(b'"Time (ns)" "" "Fit"\n1 2 3\n4 5 6\n')
    assert table.columns == ("Time", "column 2", "Fit") and table.units == ("ns", "", "")
    table = read_table(b'a "" b\n1 2\n3 4\n')  # three names for two columns: not names
    assert table.columns == ("column 1", "column 2")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32"])
def test_encodings_with_byte_order_mark(encoding):
    text = "2θ (°)\tIntensity\n10.00\t5\n10.02\t7\n"
    raw = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # the codec writes no BOM: add the instrument's
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        raw = bom + raw
    table = read_table(raw)
    assert table.columns == ("2θ", "Intensity") and table.units == ("°", "")
    assert table.data.tolist() == [[10.0, 5], [10.02, 7]]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_ends(newline):
    raw = newline.join(["x,y", "1,2", "# note", "", "3,4", ""]).encode()
    assert read_table(raw).data.tolist() == [[1, 2], [3, 4]]


def test_xrd_three_columns_fortran_exponents_comments_and_trailing_delimiters():
    raw = (b"% Bruker D8, Cu Ka\n2theta/deg;Intensity;Background;\n"
           b"10.00;1.5D+02;12;\n# detector reset\n10.02;1.6d2;12;\n\n10.04;1.2E2;11;\n")
    table = read_table(raw, name="xrd.csv")
    assert table.columns == ("2theta", "Intensity", "Background")
    assert table.units == ("deg", "", "")
    assert table.data.tolist() == [[10.0, 150, 12], [10.02, 160, 12], [10.04, 120, 11]]


def test_a_single_column_when_asked():
    assert read_table(b"y\n1\n2\n3\n", min_columns=1).data.tolist() == [[1], [2], [3]]


def test_numbers_in_the_header_away_from_the_data_start():
    table = read_table(b"4000\nTime,Counts\n1,2\n3,4\n")
    assert table.columns == ("Time", "Counts") and table.data.shape == (2, 2)
    table = read_table(b"T/K,300,310\n1,2,3\n4,5,6\n")
    assert table.columns == ("T", "300", "310") and table.units == ("K", "", "")


# --- malformed input -----------------------------------------------------------------------------

MALFORMED = {
    "extra field": (b"t,I\n1,2\n3,4,5\n5,6\n", 3, "2 numbers separated by commas, found 3"),
    "missing field": (b"1\t2\n3\n5\t6\n", 2, "found 1 field"),
    "text in the data": (b"x y\n1 2\n3 abc\n", 3, "'abc' is not a number"),
    "footer": (b"1;2\n3;4\nEND\n", 3, "'END' is not a number"),
    "nan": (b"1,2\n3,nan\n", 2, "'nan' is not a finite number"),
    "inf in the first row": (b"t,I\n0,-inf\n1,2\n", 2, "'-inf' is not a finite number"),
    "overflow": (b"1,2\n3,1e999\n", 2, "beyond the range"),
    "damaged first row": (b"t,I\n1,x,2\n3,4\n5,6\n", 2, "'x' is not a number"),
    "short first row": (b"1.5\n3,4\n5,6\n", 1, "found 1 field"),
    "first row of number characters": (b"x,y,z\n1,2,\n4,5,6\n7,8,9\n", 2, "found 2 fields"),
    "first row starting with a number": (b"t;I\n0,5;1,b5\n1;2\n3;4\n", 2, "'0,5' is not"),
    "one row": (b"t,I\n1,2\n", 2, "only one row"),
    "one column": (b"t\n1\n2\n", 2, "need at least 2"),
    "empty": (b"", 1, "empty"),
    "only comments": (b"# a\n\n% b\n\n", 3, "only comment lines"),
    "no numbers": (b"hello\nworld\n", 2, "without finding a line of numbers"),
    "NUL bytes": (b"1,2\n3,4\x00\n", 2, "not a text file"),
    "control character": (b"1,2\n3,4\n\x01\x02\n", 3, "not a text file"),
    "UTF-16 cut in half": (codecs.BOM_UTF16_LE + "1,2\n3,4\n".encode("utf-16-le")[:-1], 2,
                           "not a text file"),
    "pickle": (pickle.dumps([1.0, 2.0]), 1, "not a text file"),
    "code": (b"__import__('os').system('true')\n", 1, "without finding a line of numbers"),
    "mixed decimal marks": (b"1.5;2,5\n3;4\n5;6\n", 1, "'2,5' is not a number"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_input_names_source_and_line(case):
    content, line, fragment = MALFORMED[case]
    error = _error(content, name="sample.csv")
    assert error.source == "sample.csv" and error.line == line
    assert str(error).startswith(f"sample.csv, line {line}: ")
    assert fragment in str(error)


def test_the_offending_line_is_shown_shortened():
    long_row = "3," + "9" * 200
    error = _error(f"1,2\n{long_row},x\n".encode())
    shown = str(error).rsplit(": ", 1)[1]
    assert shown.startswith("'3,999") and shown.endswith("...'") and len(shown) == 62


def test_source_problems_without_a_line(tmp_path, monkeypatch):
    missing = _error(tmp_path / "missing.csv")
    assert missing.line is None and "missing.csv: cannot read the file" in str(missing)
    assert "holds line breaks" in str(_error("1,2\n3,4\n"))
    monkeypatch.setattr(lio, "MAX_BYTES", 10)
    assert "larger than the limit of 10 bytes" in str(_error(b"1,2\n3,4\n5,6\n"))
    (tmp_path / "big.csv").write_bytes(b"1,2\n3,4\n5,6\n")
    assert "larger than the limit of 10 bytes" in str(_error(tmp_path / "big.csv"))
    with pytest.raises(TypeError, match="source must be"):
        read_table(3.5)
    with pytest.raises(ValueError, match="min_columns"):
        read_table(b"1,2\n3,4\n", min_columns=0)


# --- the table ---------------------------------------------------------------------------------


def test_table_column_access_and_errors():
    table = read_table(b"t,I,I\n0,1,2\n1,3,4\n", name="t.csv")
    assert table.column(-1).tolist() == [2, 4]
    with pytest.raises(KeyError, match="more than one column named 'i'"):
        table.column("i")
    with pytest.raises(KeyError, match=r"no column named 'x' in t.csv; columns are \['t'"):
        table.column("x")
    with pytest.raises(IndexError, match="out of range for the 3 columns"):
        table.column(3)
    with pytest.raises(TypeError):
        table.column(1.0)
    with pytest.raises(ValueError, match="read-only"):
        table.data[0, 0] = 5
    single = read_table(b"1\n2\n", min_columns=1)
    with pytest.raises(IndexError, match="single column"):
        _ = single.y
    with pytest.raises(ValueError, match="names and units"):
        MeasuredTable(columns=("a",), units=("",), data=np.zeros((2, 2)), source="s")


def test_table_json_and_csv_round_trips():
    table = read_table(b"Time (ns),Counts,Counts\n0,1e-7,3\n0.5,2.25,4\n", name="d.csv")
    back = MeasuredTable.from_json(table.to_json())
    assert (back.columns, back.units, back.source) == (table.columns, table.units, "d.csv")
    assert np.array_equal(back.data, table.data) and back.data.dtype == np.float64
    again = read_table(table.to_csv().encode())
    assert again.columns == ("Time", "Counts", "Counts 2") and again.units == ("ns", "", "")
    assert np.array_equal(again.data, table.data)


def test_hundred_thousand_rows_parse_fast():
    rng = np.random.default_rng(1)
    data = np.column_stack([np.arange(100_000) * 2.5e-6, rng.poisson(1000, 100_000)])
    buffer = io.StringIO()
    np.savetxt(buffer, data, delimiter="\t", fmt="%.10g", header="Time (s)\tCounts", comments="")
    raw = buffer.getvalue().encode()
    start = time.perf_counter()
    table = read_table(raw)
    elapsed = time.perf_counter() - start
    assert np.array_equal(table.data, np.loadtxt(io.BytesIO(raw), skiprows=1))
    assert elapsed < 2.0  # ~0.4 s here; guards against per-row Python work creeping in


# --- property-based ----------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXTISH = st.text(alphabet='0123456789.,;\t \n\r-+eEdD#%"abnifNAµ()/[]', max_size=200)


def _parses_or_raises_documented_error(content):
    try:
        table = read_table(content, name="fuzz")
    except DataFileError as error:
        assert str(error).startswith("fuzz")
        return
    assert isinstance(table, MeasuredTable)
    assert table.data.ndim == 2 and table.data.shape[0] >= 2 and table.data.shape[1] >= 2
    assert np.isfinite(table.data).all()


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_arbitrary_bytes(raw):
    _parses_or_raises_documented_error(raw)


@FUZZ
@given(TEXTISH, st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_fuzz_number_like_text(text, encoding):
    _parses_or_raises_documented_error(text.encode(encoding, errors="replace"))


TOKENS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["Time (ns)", "I [a.u.]", "t/ns", "(ns)", "[", ")", '""', '"1,5"', '"x',
                     "1,5", "1.5.5", "1e", "-", "nan", "END", "µs", "a.u.", "2θ", "", " "]),
    st.text(alphabet='0123456789.,;\t -+eEdD"()[]/xyzµ', max_size=6),
)
TOKEN_LINES = st.tuples(
    st.lists(TOKENS, max_size=5), st.sampled_from([",", ";", "\t", " ", "  ", ", "]),
    st.sampled_from(["", "", "# "]),
).map(lambda line: line[2] + line[1].join(line[0]))


@st.composite
def table_like_text(draw):
    """Text lines around a block of number rows, so that the layout and header code run."""
    n_cols = draw(st.integers(1, 4))
    delimiter = draw(st.sampled_from([",", ";", "\t", " ", "   "]))
    number = st.one_of(st.integers(-999, 999).map(str),
                       st.floats(allow_nan=False, allow_infinity=False).map(repr))
    rows = draw(st.lists(st.lists(number, min_size=n_cols, max_size=n_cols), max_size=5))
    head = draw(st.lists(TOKEN_LINES, max_size=4))
    tail = draw(st.lists(TOKEN_LINES, max_size=1))
    return "\n".join([*head, *(delimiter.join(r) for r in rows), *tail])


@FUZZ
@given(table_like_text(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_fuzz_table_like_text(text, newline):
    _parses_or_raises_documented_error(text.replace("\n", newline).encode())


NAMES = ["Time", "Intensity", "Counts", "Signal", "Background", "Wavelength"]
UNITS = ["ns", "a.u.", "counts", "nm", "deg", "µs"]
FORMATS = ["{!r}", "{:.6g}", "{:.4E}", "{:.3f}"]


@st.composite
def written_tables(draw):
    """A finite float table written in a random but readable style: (lines, expected, names,
    number of lines above the data, delimiter)."""
    n_rows = draw(st.integers(2, 12))
    n_cols = draw(st.integers(2, 4))
    values = draw(st.lists(st.floats(-1e300, 1e300, allow_nan=False),
                           min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    delimiter = draw(st.sampled_from([",", ", ", ";", "\t", " ", "   "]))
    decimal = draw(st.sampled_from([".", ","])) if "," not in delimiter else "."
    fmt = draw(st.sampled_from(FORMATS))
    tokens = [fmt.format(v) for v in values]
    expected = np.array([float(t) for t in tokens]).reshape(n_rows, n_cols)
    if decimal == ",":
        tokens = [t.replace(".", ",") for t in tokens]
    rows = [delimiter.join(tokens[r * n_cols:(r + 1) * n_cols]) for r in range(n_rows)]
    names = draw(st.permutations(NAMES))[:n_cols]
    style = draw(st.sampled_from(["none", "names", "units", "metadata", "origin"]))
    header = []
    if style == "metadata":
        header = ["Instrument: FLS1000", "# exported by hand", "Date: 2024-05-01"]
    if style in ("names", "metadata"):
        header.append(delimiter.join(names))
    elif style == "units":
        header.append(delimiter.join(f"{n} ({u})" for n, u in zip(names, UNITS, strict=False)))
    elif style == "origin":
        header += [delimiter.join(names), delimiter.join(UNITS[:n_cols])]
    return header + rows, expected, names if style != "none" else None, len(header), delimiter


def _encode(lines, newline, encoding):
    return (newline.join(lines) + newline).encode(encoding)


@FUZZ
@given(written_tables(), st.sampled_from(["\n", "\r\n"]),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_round_trip_of_written_tables(table, newline, encoding):
    lines, expected, names, _, _ = table
    read = read_table(_encode(lines, newline, encoding))
    assert np.array_equal(read.data, expected)
    if names is not None:
        assert read.columns == tuple(names)


@FUZZ
@given(written_tables(), st.data())
def test_one_corrupted_row_is_reported_at_its_line(table, data):
    lines, expected, _, n_header, delimiter = table
    row = data.draw(st.integers(0, expected.shape[0] - 1))
    fields = lines[n_header + row].split(delimiter)
    if data.draw(st.booleans()):
        at = data.draw(st.integers(0, len(fields)))
        fields.insert(at, data.draw(st.sampled_from(["x", "abc", "N/A", "ERR", "n.a."])))
    else:
        del fields[data.draw(st.integers(0, len(fields) - 1))]
    lines = [*lines[:n_header + row], delimiter.join(fields), *lines[n_header + row + 1:]]
    error = _error(_encode(lines, "\n", "utf-8"))
    assert error.line == n_header + row + 1
    assert f"line {n_header + row + 1}:" in str(error)
