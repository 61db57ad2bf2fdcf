"""JSON and CSV export shared by the result dataclasses of the core models."""

from __future__ import annotations

import dataclasses
import io
import json
import typing

import numpy as np


class ResultIO:
    """Mixin for frozen dataclasses whose fields are numbers, strings, tuples, numpy arrays or
    other dataclasses with ``to_dict``/``from_dict`` (e.g. the params a result was made from).

    ``to_json``/``from_json`` round-trip exactly: floats are written with full precision, and
    every array comes back with its dtype and shape (also an empty ``(0, 3)`` array); a field
    annotated as a tuple comes back as a tuple. ``to_csv`` writes the 1-D array fields that
    share the longest length as columns, the form a spreadsheet user expects for profiles and
    patterns.
    """

    def to_dict(self) -> dict:
        """Return the fields as plain Python objects (arrays become nested lists)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif hasattr(value, "to_dict"):
                value = value.to_dict()
            out[f.name] = value
        return out

    def to_json(self, path=None) -> str:
        """Serialise to JSON; write it to ``path`` too when given. Returns the JSON text."""
        arrays = {f.name: {"dtype": str(v.dtype), "shape": list(v.shape)}
                  for f in dataclasses.fields(self)
                  if isinstance(v := getattr(self, f.name), np.ndarray)}
        text = json.dumps({"type": type(self).__name__, "fields": self.to_dict(),
                           "arrays": arrays})
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    @classmethod
    def from_json(cls, text_or_path: str):
        """Rebuild a result from :meth:`to_json` output (JSON text or a file path)."""
        text = text_or_path
        if not text_or_path.lstrip().startswith("{"):
            with open(text_or_path, encoding="utf-8") as handle:
                text = handle.read()
        payload = json.loads(text)
        if payload.get("type") != cls.__name__:
            raise ValueError(f"JSON holds a {payload.get('type')!r}, not a {cls.__name__}")
        arrays = payload.get("arrays", {})
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):
            value = payload["fields"][f.name]
            hint = hints.get(f.name)
            if f.name in arrays:
                spec = arrays[f.name]
                value = np.asarray(value, dtype=spec["dtype"]).reshape(spec["shape"])
            elif isinstance(value, dict) and hasattr(hint, "from_dict"):
                value = hint.from_dict(value)
            elif isinstance(value, list):
                # A bare ``tuple`` annotation has no origin; both spellings mean a tuple.
                is_tuple = hint is tuple or typing.get_origin(hint) is tuple
                value = _nested_tuple(value) if is_tuple else np.asarray(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    def to_csv(self, path=None) -> str:
        """Write the longest 1-D array fields as CSV columns; returns the CSV text."""
        arrays = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), np.ndarray) and getattr(self, f.name).ndim == 1
        }
        if not arrays:
            raise ValueError(f"{type(self).__name__} has no 1-D array fields to write as CSV")
        length = max(a.size for a in arrays.values())
        return write_csv({k: v for k, v in arrays.items() if v.size == length}, path)


def _nested_tuple(value):
    """JSON lists back into the (nested) tuples they were written from."""
    return tuple(_nested_tuple(v) for v in value) if isinstance(value, list) else value


def write_csv(columns: dict, path=None) -> str:
    """Columns (name → equal-length 1-D array) as CSV text, also written to ``path`` if given.

    Examples
    --------
    >>> print(write_csv({"t": np.array([0.0, 1.0]), "y": np.array([2.0, 3.0])}), end="")
    t,y
    0,2
    1,3
    """
    buffer = io.StringIO()
    buffer.write(",".join(columns) + "\n")
    np.savetxt(buffer, np.column_stack(list(columns.values())), delimiter=",", fmt="%.10g")
    text = buffer.getvalue()
    if path is not None:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return text
