"""Measured data files (decays, spectra, XRD patterns) read from text and CSV into tables.

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
lnhet_widgets.io.errors.DataFileError: decay_B.csv, line 3: 'oops' is not a number (expected 2 \
numbers separated by semicolons): '1;oops'
"""

from .errors import DataFileError
from .paper_facts import PaperFact, paper_fact, paper_facts
from .reading import MAX_BYTES, read_table
from .table import MeasuredTable

__all__ = ["MAX_BYTES", "DataFileError", "MeasuredTable", "PaperFact", "paper_fact",
           "paper_facts", "read_table"]
