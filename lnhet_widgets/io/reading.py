"""Reading a measurement file: from a path, uploaded bytes or a stream to checked text, then
to a :class:`~lnhet_widgets.io.MeasuredTable` (the rules are in :mod:`lnhet_widgets.io`).
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from .errors import DataFileError
from .parsing import _parse
from .table import MeasuredTable

__all__ = ["MAX_BYTES", "read_table"]

#: Largest input :func:`read_table` accepts, in bytes (50 MiB, ~2 million rows of two columns).
MAX_BYTES = 50 * 2**20


def read_table(source, *, name: str | None = None, min_columns: int = 2) -> MeasuredTable:
    """Read a table of numbers from a text/CSV measurement file (rules: :mod:`lnhet_widgets.io`).

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
    lnhet_widgets.io.errors.DataFileError: bad.txt, line 4: expected 2 numbers separated by \
spaces or tabs, found 3 fields: '5 6 7'
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
