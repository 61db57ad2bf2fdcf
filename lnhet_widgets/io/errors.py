"""The one error :func:`~lnhet_widgets.io.read_table` raises for a file it cannot read."""

from __future__ import annotations

__all__ = ["DataFileError"]

_EXCERPT_CHARS = 60


class DataFileError(ValueError):
    """A data file that :func:`~lnhet_widgets.io.read_table` cannot read.

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
